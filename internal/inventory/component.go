// Package inventory finds the software components of a product: from a
// source tree through osv-scalibr's offline filesystem extractors, or from
// an SBOM decoded by package sbom. Its output is a plain Inventory that every
// later stage (sbom, match, assess, report) reads.
package inventory

// Relationship says how a component reaches the product.
type Relationship string

// Relationships as far as the lockfile tells; Unknown when it does not.
const (
	RelationshipUnknown    Relationship = ""
	RelationshipDirect     Relationship = "direct"
	RelationshipTransitive Relationship = "transitive"
)

// Hash is a digest of a component or file. Algorithm uses CycloneDX's
// spelling ("SHA-1", "SHA-256", "SHA-512"); Value is lower-case hex.
type Hash struct {
	Algorithm string `json:"alg"`
	Value     string `json:"content"`
}

// Component is one package of the product.
type Component struct {
	// ID is unique within an Inventory and stable across runs for the same
	// input: the purl, made unique with a suffix where two entries share it.
	ID        string `json:"id"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Ecosystem string `json:"ecosystem"` // OSV ecosystem name: "Go", "npm", "PyPI", "Maven", ...
	PURL      string `json:"purl,omitempty"`
	// Locations are the files the component was found in, slash-separated
	// and relative to the scanned root, sorted.
	Locations    []string     `json:"locations,omitempty"`
	Relationship Relationship `json:"relationship,omitempty"`
	// Groups are the dependency groups the lockfiles put the component in
	// ("dev", "optional", a Poetry or PDM group name), sorted. Empty when it
	// is a regular (runtime) dependency in at least one file, or when no
	// file says.
	Groups []string `json:"groups,omitempty"`
	// DependsOn lists the IDs of the components this one depends on, where
	// the lockfile records edges; sorted.
	DependsOn []string `json:"dependsOn,omitempty"`
	// Licenses are SPDX identifiers or expressions, as known.
	Licenses []string `json:"licenses,omitempty"`
	Hashes   []Hash   `json:"hashes,omitempty"`
	// Supplier is the creator or maintainer of the component (name, URL or
	// e-mail) when the input says so.
	Supplier string `json:"supplier,omitempty"`
}

// SourceFile is a file that the inventory was read from (a lockfile or
// manifest), with its SHA-512 so the SBOM can prove what was scanned.
type SourceFile struct {
	Path   string `json:"path"`
	SHA512 string `json:"sha512"`
	Size   int64  `json:"size"`
}

// Skipped is an input the scan could not use, with the reason. A scan goes
// on past bad inputs; the report lists every one of them.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Inventory is the result of the inventory stage.
type Inventory struct {
	// Root is the scanned directory or SBOM file as the user named it.
	Root string `json:"root"`
	// Source is "directory" or "sbom".
	Source     string       `json:"source"`
	Components []Component  `json:"components"`
	Files      []SourceFile `json:"files,omitempty"`
	Skipped    []Skipped    `json:"skipped,omitempty"`
	// Roots are the IDs of the components the product depends on directly,
	// when known (from an SBOM's top-level dependencies).
	Roots []string `json:"roots,omitempty"`
}

// Ecosystems counts components per ecosystem.
func (inv *Inventory) Ecosystems() map[string]int {
	counts := make(map[string]int)
	for _, c := range inv.Components {
		counts[c.Ecosystem]++
	}
	return counts
}
