package csaf

import (
	"slices"
	"strings"
)

// idAt is an ID (product or group) and where it is written.
type idAt struct {
	id   string
	path jsonPath
}

// fullProduct is one full_product_name_t object of the product tree.
type fullProduct struct {
	path jsonPath
	obj  map[string]any
}

// relationship is one /product_tree/relationships[] item.
type relationship struct {
	path                  jsonPath
	productID, ref, relTo string
}

// productTree is what the tests need from /product_tree, read once.
type productTree struct {
	defined       []idAt              // product IDs defined by full_product_name_t
	products      []fullProduct       // the full_product_name_t objects
	versionNames  []idAt              // name of each branch with category product_version
	groupsDefined []idAt              // /product_tree/product_groups[]/group_id
	groups        map[string][]string // group ID → its product IDs
	relationships []relationship
}

func collectProducts(doc any) productTree {
	t := productTree{groups: map[string][]string{}}
	tree := get(doc, "product_tree")
	base := root.key("product_tree")
	addProduct := func(p jsonPath, v any) {
		m := obj(v)
		if m == nil {
			return
		}
		t.products = append(t.products, fullProduct{path: p, obj: m})
		if id, ok := m["product_id"].(string); ok {
			t.defined = append(t.defined, idAt{id: id, path: p.key("product_id")})
		}
	}
	for i, fpn := range arr(get(tree, "full_product_names")) {
		addProduct(base.key("full_product_names").index(i), fpn)
	}
	// Branches nest; Validate has already refused input nested deeper
	// than maxNesting, so the recursion is bounded.
	var walk func(p jsonPath, branches []any)
	walk = func(p jsonPath, branches []any) {
		for i, b := range branches {
			bp := p.index(i)
			if str(get(b, "category")) == "product_version" {
				if name, ok := get(b, "name").(string); ok {
					t.versionNames = append(t.versionNames, idAt{id: name, path: bp.key("name")})
				}
			}
			if has(b, "product") {
				addProduct(bp.key("product"), get(b, "product"))
			}
			walk(bp.key("branches"), arr(get(b, "branches")))
		}
	}
	walk(base.key("branches"), arr(get(tree, "branches")))
	for i, r := range arr(get(tree, "relationships")) {
		rp := base.key("relationships").index(i)
		if has(r, "full_product_name") {
			addProduct(rp.key("full_product_name"), get(r, "full_product_name"))
		}
		t.relationships = append(t.relationships, relationship{
			path:      rp,
			productID: str(get(r, "full_product_name", "product_id")),
			ref:       str(get(r, "product_reference")),
			relTo:     str(get(r, "relates_to_product_reference")),
		})
	}
	for i, g := range arr(get(tree, "product_groups")) {
		gp := base.key("product_groups").index(i)
		id, ok := get(g, "group_id").(string)
		if !ok {
			continue
		}
		t.groupsDefined = append(t.groupsDefined, idAt{id: id, path: gp.key("group_id")})
		for _, pid := range arr(get(g, "product_ids")) {
			if s, ok := pid.(string); ok {
				t.groups[id] = append(t.groups[id], s)
			}
		}
	}
	return t
}

// productStatusLists are the lists of /vulnerabilities[]/product_status.
var productStatusLists = []string{
	"first_affected", "first_fixed", "fixed", "known_affected",
	"known_not_affected", "last_affected", "recommended", "under_investigation",
}

// productReferences lists every product_id_t that refers to a product
// (test 6.1.1's list of paths), in document order.
func productReferences(doc any) []idAt {
	var refs []idAt
	addAll := func(p jsonPath, v any) {
		for i, e := range arr(v) {
			if s, ok := e.(string); ok {
				refs = append(refs, idAt{id: s, path: p.index(i)})
			}
		}
	}
	tree := root.key("product_tree")
	for i, g := range arr(get(doc, "product_tree", "product_groups")) {
		addAll(tree.key("product_groups").index(i).key("product_ids"), get(g, "product_ids"))
	}
	for i, r := range arr(get(doc, "product_tree", "relationships")) {
		rp := tree.key("relationships").index(i)
		for _, k := range []string{"product_reference", "relates_to_product_reference"} {
			if s, ok := get(r, k).(string); ok {
				refs = append(refs, idAt{id: s, path: rp.key(k)})
			}
		}
	}
	for i, v := range arr(get(doc, "vulnerabilities")) {
		vp := root.key("vulnerabilities").index(i)
		for _, list := range productStatusLists {
			addAll(vp.key("product_status").key(list), get(v, "product_status", list))
		}
		for _, k := range []string{"remediations", "threats", "flags"} {
			for j, e := range arr(get(v, k)) {
				addAll(vp.key(k).index(j).key("product_ids"), get(e, "product_ids"))
			}
		}
		for j, s := range arr(get(v, "scores")) {
			addAll(vp.key("scores").index(j).key("products"), get(s, "products"))
		}
	}
	return refs
}

// groupReferences lists every product_group_id_t outside the product tree.
func groupReferences(doc any) []idAt {
	var refs []idAt
	for i, v := range arr(get(doc, "vulnerabilities")) {
		vp := root.key("vulnerabilities").index(i)
		for _, k := range []string{"remediations", "threats", "flags"} {
			for j, e := range arr(get(v, k)) {
				gp := vp.key(k).index(j).key("group_ids")
				for n, g := range arr(get(e, "group_ids")) {
					if s, ok := g.(string); ok {
						refs = append(refs, idAt{id: s, path: gp.index(n)})
					}
				}
			}
		}
	}
	return refs
}

// testProductIDs runs 6.1.1 (missing definition), 6.1.2 (multiple
// definition) and 6.1.3 (circular definition) of product IDs.
func (c *checker) testProductIDs(t productTree) {
	defined := map[string]jsonPath{}
	for _, d := range t.defined {
		if first, ok := defined[d.id]; ok {
			c.fail("6.1.2", d.path, "product ID %q is defined more than once (first at %s)", d.id, first)
			continue
		}
		defined[d.id] = d.path
	}
	for _, r := range productReferences(c.doc) {
		if _, ok := defined[r.id]; !ok {
			c.fail("6.1.1", r.path, "product ID %q is not defined in the product tree", r.id)
		}
	}
	// 6.1.3: a relationship defines a product from the products it refers
	// to; following those references must never lead back to it.
	refersTo := map[string][]string{}
	for _, r := range t.relationships {
		if r.productID != "" {
			refersTo[r.productID] = append(refersTo[r.productID], r.ref, r.relTo)
		}
	}
	circular := circularIDs(refersTo)
	for _, r := range t.relationships {
		if r.productID == "" {
			continue
		}
		if circular[r.productID] {
			c.fail("6.1.3", r.path.key("full_product_name").key("product_id"),
				"product ID %q is defined through a relationship that refers back to itself (circular definition)", r.productID)
		}
	}
}

// circularIDs returns the IDs that lie on a cycle of the graph edges:
// the members of every strongly connected component with more than one
// node or with a self-loop (Tarjan's algorithm, linear in the graph).
func circularIDs(edges map[string][]string) map[string]bool {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	circular := map[string]bool{}
	next := 0
	var connect func(v string)
	connect = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if _, seen := index[w]; !seen {
				connect(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var component []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			component = append(component, w)
			if w == v {
				break
			}
		}
		if len(component) > 1 || slices.Contains(edges[v], v) {
			for _, w := range component {
				circular[w] = true
			}
		}
	}
	ids := make([]string, 0, len(edges))
	for v := range edges {
		ids = append(ids, v)
	}
	slices.Sort(ids) // deterministic order
	for _, v := range ids {
		if _, seen := index[v]; !seen {
			connect(v)
		}
	}
	return circular
}

// testGroupIDs runs 6.1.4 (missing definition) and 6.1.5 (multiple
// definition) of product group IDs.
func (c *checker) testGroupIDs(t productTree) {
	defined := map[string]jsonPath{}
	for _, d := range t.groupsDefined {
		if first, ok := defined[d.id]; ok {
			c.fail("6.1.5", d.path, "product group ID %q is defined more than once (first at %s)", d.id, first)
			continue
		}
		defined[d.id] = d.path
	}
	for _, r := range groupReferences(c.doc) {
		if _, ok := defined[r.id]; !ok {
			c.fail("6.1.4", r.path, "product group ID %q is not defined in /product_tree/product_groups", r.id)
		}
	}
}

// statusGroups are the groups of product status lists that contradict
// each other (6.1.6); recommended is in none.
var statusGroups = map[string]string{
	"first_affected":      "affected",
	"known_affected":      "affected",
	"last_affected":       "affected",
	"known_not_affected":  "not affected",
	"first_fixed":         "fixed",
	"fixed":               "fixed",
	"under_investigation": "under investigation",
}

// testProductStatus runs 6.1.6: a product is in at most one of the groups
// affected, not affected, fixed and under investigation per vulnerability.
func (c *checker) testProductStatus() {
	for i, v := range arr(get(c.doc, "vulnerabilities")) {
		sp := root.key("vulnerabilities").index(i).key("product_status")
		seen := map[string]string{} // product ID → group
		for _, list := range productStatusLists {
			group, ok := statusGroups[list]
			if !ok {
				continue
			}
			for j, e := range arr(get(v, "product_status", list)) {
				id, ok := e.(string)
				if !ok {
					continue
				}
				if prev, ok := seen[id]; ok && prev != group {
					c.fail("6.1.6", sp.key(list).index(j), "product %q is both %s and %s", id, prev, group)
					continue
				}
				seen[id] = group
			}
		}
	}
}

// testHashes runs 6.1.25: one hash algorithm at most once per file.
func (c *checker) testHashes(t productTree) {
	for _, p := range t.products {
		hp := p.path.key("product_identification_helper").key("hashes")
		for i, h := range arr(get(p.obj, "product_identification_helper", "hashes")) {
			seen := map[string]bool{}
			for j, fh := range arr(get(h, "file_hashes")) {
				alg, ok := get(fh, "algorithm").(string)
				if !ok {
					continue
				}
				if seen[alg] {
					c.fail("6.1.25", hp.index(i).key("file_hashes").index(j).key("algorithm"),
						"hash algorithm %q is used more than once for the same file", alg)
				}
				seen[alg] = true
			}
		}
	}
}

// versionRangeWords are the words test 6.1.31 treats as a version range.
var versionRangeWords = []string{"after", "all", "before", "earlier", "later", "prior", "versions"}

// testVersionRanges runs 6.1.31: a product_version branch names one
// version, not a range (product_version_range is for ranges).
func (c *checker) testVersionRanges(t productTree) {
	for _, b := range t.versionNames {
		lower := strings.ToLower(b.id)
		if strings.ContainsAny(lower, "<>") {
			c.fail("6.1.31", b.path, "product_version %q contains a version range; use category product_version_range", b.id)
			continue
		}
		// Whole words only, split at white space: "after-eight" is a name.
		words := strings.Fields(lower)
		for _, w := range versionRangeWords {
			if slices.Contains(words, w) {
				c.fail("6.1.31", b.path, "product_version %q contains a version range (%q); use category product_version_range", b.id, w)
				break
			}
		}
	}
}

// expand returns the product IDs of a product_ids list plus those of the
// groups in a group_ids list.
func expand(t productTree, v any) []string {
	var ids []string
	for _, e := range arr(get(v, "product_ids")) {
		if s, ok := e.(string); ok {
			ids = append(ids, s)
		}
	}
	for _, e := range arr(get(v, "group_ids")) {
		if s, ok := e.(string); ok {
			ids = append(ids, t.groups[s]...)
		}
	}
	return ids
}
