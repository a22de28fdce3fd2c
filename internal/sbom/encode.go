package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/craft-cra/craft/internal/inventory"
)

// Encode writes inv as an SBOM in format. Everything is sorted, so the same
// inventory and metadata give the same document; with meta.Reproducible the
// serial number (CycloneDX) or namespace (SPDX) is derived from the content
// too, and the output is byte-identical across runs.
func Encode(w io.Writer, format Format, inv *inventory.Inventory, meta Metadata) error {
	if inv == nil {
		return fmt.Errorf("encode %s: no inventory", format)
	}
	g, err := newGraph(inv, meta)
	if err != nil {
		return fmt.Errorf("encode %s: %w", format, err)
	}
	switch format {
	case CycloneDXJSON, CycloneDXXML:
		err = encodeCycloneDX(w, format, g, meta)
	case SPDXJSON:
		err = encodeSPDX(w, g, meta)
	default:
		return fmt.Errorf("encode: unknown format %q (want one of %s)", format, strings.Join(EncodeFormats(), ", "))
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", format, err)
	}
	return nil
}

// Aggregate is a CycloneDX composition aggregate: how complete the listed
// dependencies of a component are.
type Aggregate string

// The aggregates craft writes.
const (
	AggregateComplete   Aggregate = "complete"
	AggregateIncomplete Aggregate = "incomplete"
	AggregateUnknown    Aggregate = "unknown"
)

// graph is the inventory prepared for either format: sorted, with unique
// references, dangling edges removed and the completeness of each
// component's dependencies decided.
type graph struct {
	productRef  string
	productDeps []string // refs of the product's direct dependencies
	productAgg  Aggregate
	components  []node
	files       []inventory.SourceFile
	fileRefs    []string
}

type node struct {
	ref string
	c   inventory.Component
	// deps are the refs this component depends on, sorted.
	deps []string
	agg  Aggregate
}

// newGraph decides the dependency graph and its completeness:
//
//   - A component's dependencies are complete when the inventory records
//     edges for it, or when it has none but another component found in the
//     same file has some (the file records edges; this one is a leaf). They
//     are unknown when nothing found in its files records edges, and
//     incomplete when an edge pointed at a component the inventory does not
//     hold (the edge is dropped).
//   - The product depends on Inventory.Roots, else on the components marked
//     direct. That is complete when every component's relationship is known
//     and nothing was skipped, incomplete when inputs were skipped. With
//     neither roots nor direct components the product depends on every
//     component that no other component depends on, and completeness is
//     unknown.
func newGraph(inv *inventory.Inventory, meta Metadata) (*graph, error) {
	if err := meta.validate(); err != nil {
		return nil, err
	}
	g := &graph{productRef: "product:" + meta.ProductName}
	if meta.ProductVersion != "" {
		g.productRef += "@" + meta.ProductVersion
	}
	comps := slices.Clone(inv.Components)
	slices.SortStableFunc(comps, func(a, b inventory.Component) int {
		return strings.Compare(componentKey(a), componentKey(b))
	})
	used := map[string]bool{g.productRef: true}
	refOf := make(map[string]string, len(comps)) // inventory ID -> bom-ref
	for _, c := range comps {
		ref := uniqueRef(used, componentKey(c))
		if c.ID != "" {
			if _, dup := refOf[c.ID]; dup {
				return nil, fmt.Errorf("component id %q appears twice", c.ID)
			}
			refOf[c.ID] = ref
		}
		g.components = append(g.components, node{ref: ref, c: c})
	}
	// Which files record edges at all.
	edgeFiles := map[string]bool{}
	for _, c := range comps {
		if len(c.DependsOn) > 0 {
			for _, l := range c.Locations {
				edgeFiles[l] = true
			}
		}
	}
	dependedOn := map[string]bool{}
	for i := range g.components {
		n := &g.components[i]
		dangling := false
		for _, id := range n.c.DependsOn {
			ref, ok := refOf[id]
			if !ok {
				dangling = true
				continue
			}
			n.deps = append(n.deps, ref)
			dependedOn[ref] = true
		}
		slices.Sort(n.deps)
		n.deps = slices.Compact(n.deps)
		switch {
		case dangling:
			n.agg = AggregateIncomplete
		case len(n.c.DependsOn) > 0:
			n.agg = AggregateComplete
		case slices.ContainsFunc(n.c.Locations, func(l string) bool { return edgeFiles[l] }):
			n.agg = AggregateComplete
		default:
			n.agg = AggregateUnknown
		}
	}

	allKnown := true
	for _, id := range inv.Roots {
		if ref, ok := refOf[id]; ok {
			g.productDeps = append(g.productDeps, ref)
		} else {
			allKnown = false
		}
	}
	if len(inv.Roots) == 0 {
		for _, n := range g.components {
			switch n.c.Relationship {
			case inventory.RelationshipDirect:
				g.productDeps = append(g.productDeps, n.ref)
			case inventory.RelationshipUnknown:
				allKnown = false
			}
		}
	}
	switch {
	case len(g.productDeps) == 0:
		for _, n := range g.components {
			if !dependedOn[n.ref] {
				g.productDeps = append(g.productDeps, n.ref)
			}
		}
		g.productAgg = AggregateUnknown
	case len(inv.Skipped) > 0:
		g.productAgg = AggregateIncomplete
	case allKnown:
		g.productAgg = AggregateComplete
	default:
		g.productAgg = AggregateUnknown
	}
	slices.Sort(g.productDeps)
	g.productDeps = slices.Compact(g.productDeps)

	g.files = slices.Clone(inv.Files)
	slices.SortFunc(g.files, func(a, b inventory.SourceFile) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range g.files {
		if f.Path == "" {
			return nil, fmt.Errorf("source file without a path")
		}
		g.fileRefs = append(g.fileRefs, uniqueRef(used, "file:"+f.Path))
	}
	return g, nil
}

// componentKey is what a component is sorted and referenced by: its ID, else
// its purl, else ecosystem/name@version.
func componentKey(c inventory.Component) string {
	switch {
	case c.ID != "":
		return c.ID
	case c.PURL != "":
		return c.PURL
	}
	k := c.Name
	if c.Ecosystem != "" {
		k = c.Ecosystem + "/" + k
	}
	if c.Version != "" {
		k += "@" + c.Version
	}
	return k
}

func uniqueRef(used map[string]bool, ref string) string {
	if ref == "" {
		ref = "component"
	}
	r := ref
	for i := 2; used[r]; i++ {
		r = fmt.Sprintf("%s#%d", ref, i)
	}
	used[r] = true
	return r
}

// hashLengths are the hex lengths of the digests CycloneDX's schema admits.
func hashHexLen(alg string) int {
	switch alg {
	case "MD5":
		return 32
	case "SHA-1":
		return 40
	case "SHA-256", "SHA3-256", "BLAKE2b-256":
		return 64
	case "SHA-384", "SHA3-384", "BLAKE2b-384":
		return 96
	case "SHA-512", "SHA3-512", "BLAKE2b-512":
		return 128
	}
	return 0
}

var hexRE = regexp.MustCompile(`^[0-9a-fA-F]+$`)

// validHash reports whether h is a digest the schemas accept: a known
// algorithm and hex of its length. Others are left out of the SBOM rather
// than making it invalid; Score then shows the component lacks that hash.
func validHash(h inventory.Hash) bool {
	n := hashHexLen(h.Algorithm)
	return n > 0 && len(h.Value) == n && hexRE.MatchString(h.Value)
}

// serialFor derives a name-based (version 5) UUID from content, for
// reproducible serial numbers and namespaces.
func serialFor(content []byte) uuid.UUID {
	sum := sha256.Sum256(content)
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/craft-cra/craft/sbom"))
	return uuid.NewSHA1(ns, []byte(hex.EncodeToString(sum[:])))
}

// baseName is the file name of a slash-separated path.
func baseName(p string) string { return path.Base(p) }

func inventoryHash(alg, value string) inventory.Hash {
	return inventory.Hash{Algorithm: alg, Value: value}
}
