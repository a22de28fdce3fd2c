// Package report holds the result of a craft scan as one plain struct and
// renders it: text for a terminal, JSON with a versioned schema
// (docs/report-schema.md), and the formats added beside them (SARIF,
// Markdown, HTML). Renderers only present; they decide nothing.
package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/craft-cra/craft/internal/assess"
	"github.com/craft-cra/craft/internal/checks"
	"github.com/craft-cra/craft/internal/config"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/match"
)

// SchemaVersion is the version of the JSON report's shape. It changes by
// semantic versioning: a new field is a minor change, a renamed or removed
// field a major one. docs/report-schema.md documents every field.
const SchemaVersion = "1.0.0"

// Report is everything one scan found.
type Report struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	GeneratedAt   time.Time `json:"generatedAt"`
	Target        Target    `json:"target"`
	// Product and Manufacturer come from craft.yaml and flags.
	Product      config.Product      `json:"product"`
	Manufacturer config.Manufacturer `json:"manufacturer"`
	Inventory    Inventory           `json:"inventory"`
	// Vulnerabilities is nil when no advisory database was available.
	Vulnerabilities *Vulnerabilities `json:"vulnerabilities"`
	// Checks is nil when checks did not run (an SBOM scan, or --no-checks).
	Checks *checks.Report `json:"checks"`
	// Requirements is the CRA conformity picture.
	Requirements assess.Result `json:"requirements"`
	// Warnings are things the reader must know about the run itself (a
	// stale advisory database, skipped inputs).
	Warnings []string `json:"warnings"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target is what was scanned.
type Target struct {
	// Path is the directory or SBOM file as the user named it.
	Path string `json:"path"`
	// Kind is "directory" or "sbom".
	Kind string `json:"kind"`
}

// Inventory is the component part of the report.
type Inventory struct {
	Components []inventory.Component  `json:"components"`
	Ecosystems []EcosystemCount       `json:"ecosystems"`
	Files      []inventory.SourceFile `json:"files"`
	Skipped    []inventory.Skipped    `json:"skipped"`
}

// EcosystemCount is the number of components of one ecosystem.
type EcosystemCount struct {
	Ecosystem string `json:"ecosystem"`
	Count     int    `json:"count"`
}

// NewInventory summarises an inventory for the report.
func NewInventory(inv *inventory.Inventory) Inventory {
	out := Inventory{
		Components: nonNil(inv.Components),
		Files:      nonNil(inv.Files),
		Skipped:    nonNil(inv.Skipped),
		Ecosystems: []EcosystemCount{},
	}
	for eco, n := range inv.Ecosystems() {
		if eco == "" {
			// Package types OSV has no ecosystem for (CocoaPods, say).
			eco = "other"
		}
		out.Ecosystems = append(out.Ecosystems, EcosystemCount{Ecosystem: eco, Count: n})
	}
	slices.SortFunc(out.Ecosystems, func(a, b EcosystemCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Ecosystem, b.Ecosystem))
	})
	return out
}

// Vulnerabilities is the known-vulnerability part of the report.
type Vulnerabilities struct {
	Database Database `json:"database"`
	// Findings are the vulnerabilities that apply, KEV first, then by
	// severity. Findings that a VEX statement marks not_affected are in
	// Suppressed instead.
	Findings   []Finding `json:"findings"`
	Suppressed []Finding `json:"suppressed"`
	// EndOfLife lists components past end of life or end of support.
	EndOfLife []EndOfLife `json:"endOfLife"`
	// Notes are matching problems (unparsable versions, broken records).
	Notes []string `json:"notes"`
}

// Database describes the advisory data the findings come from.
type Database struct {
	Path string `json:"path"`
	// UpdatedAt is when the data was last imported or updated.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// Stale is true when UpdatedAt is older than the allowed age.
	Stale bool `json:"stale"`
}

// Finding is a match finding with the VEX decision that applies to it.
type Finding struct {
	match.Finding
	VEX *VEXDecision `json:"vex,omitempty"`
}

// VEXDecision is the VEX statement applied to a finding.
type VEXDecision struct {
	Status          string `json:"status"`
	Justification   string `json:"justification,omitempty"`
	ImpactStatement string `json:"impactStatement,omitempty"`
	ActionStatement string `json:"actionStatement,omitempty"`
	// Source is the VEX file the statement came from.
	Source string `json:"source"`
}

// EndOfLife is a component whose release line is past end of life or end
// of support.
type EndOfLife struct {
	Component string    `json:"component"` // component ID (purl)
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Product   string    `json:"product"` // endoflife.date product
	Cycle     string    `json:"cycle"`
	Kind      string    `json:"kind"` // "end-of-life" or "end-of-support"
	Date      time.Time `json:"date"`
}

// KEVCount counts findings flagged as actively exploited.
func (v *Vulnerabilities) KEVCount() int {
	if v == nil {
		return 0
	}
	n := 0
	for _, f := range v.Findings {
		if f.KEV != nil {
			n++
		}
	}
	return n
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
