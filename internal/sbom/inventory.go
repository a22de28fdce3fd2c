package sbom

import (
	"fmt"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/craft-cra/craft/internal/inventory"
)

// Inventory maps the document to craft's inventory: Source "sbom", one
// Component per package (nested CycloneDX components flattened; the
// product itself, CycloneDX metadata.component or the package an SPDX
// document describes, left out), the dependency graph as DependsOn, the
// product's direct dependencies as Roots, and files with a SHA-512 as Files.
// Component IDs are purls made unique; a purl that does not parse is
// dropped and reported in Skipped, the component kept without ecosystem.
// A value in Dropped under components, metadata or dependencies is reported
// in Skipped too (the others do not feed the inventory).
func (d *Document) Inventory() (*inventory.Inventory, error) {
	switch {
	case d.CycloneDX != nil:
		inv := cycloneDXInventory(d.Name, d.CycloneDX)
		for _, p := range d.Dropped {
			// Values the inventory reads from: their loss may leave it
			// incomplete. Others (declarations, formulation…) do not.
			for _, part := range []string{"/components/", "/metadata/", "/dependencies/"} {
				if strings.HasPrefix(p.Pointer+"/", part) {
					inv.Skipped = append(inv.Skipped, inventory.Skipped{Path: d.Name + "#" + p.Pointer, Reason: p.Message})
					break
				}
			}
		}
		return inv, nil
	case d.SPDX != nil:
		return spdxInventory(d.Name, d.SPDX), nil
	}
	return nil, fmt.Errorf("%s: empty document", d.Name)
}

// builder collects components and resolves references to IDs.
type builder struct {
	inv   *inventory.Inventory
	used  map[string]bool
	idOf  map[string]string // document reference -> component ID
	index map[string]int    // component ID -> position
}

func newBuilder(name string) *builder {
	return &builder{
		inv:   &inventory.Inventory{Root: name, Source: "sbom", Components: []inventory.Component{}},
		used:  map[string]bool{},
		idOf:  map[string]string{},
		index: map[string]int{},
	}
}

// add appends c, identified in the document by ref.
func (b *builder) add(ref string, c inventory.Component) {
	if c.PURL != "" {
		info, err := parsePURL(c.PURL)
		if err != nil {
			b.inv.Skipped = append(b.inv.Skipped, inventory.Skipped{
				Path:   b.inv.Root + "#" + ref,
				Reason: fmt.Sprintf("invalid purl %q: %v; component kept without ecosystem", c.PURL, err),
			})
			c.PURL = ""
		} else {
			c.Ecosystem = info.Ecosystem
			if info.Name != "" {
				c.Name = info.Name
			}
			if c.Version == "" {
				c.Version = info.Version
			}
		}
	}
	key := c.PURL
	if key == "" {
		key = c.Name
		if c.Version != "" {
			key += "@" + c.Version
		}
	}
	if key == "" {
		key = ref
	}
	c.ID = uniqueRef(b.used, key)
	if ref != "" {
		if _, dup := b.idOf[ref]; !dup {
			b.idOf[ref] = c.ID
		}
	}
	b.index[c.ID] = len(b.inv.Components)
	b.inv.Components = append(b.inv.Components, c)
}

// edge records that the component at ref depends on the one at dep; edges
// to references the document does not define are dropped.
func (b *builder) edge(ref, dep string) {
	from, ok1 := b.idOf[ref]
	to, ok2 := b.idOf[dep]
	if !ok1 || !ok2 || from == to {
		return
	}
	c := &b.inv.Components[b.index[from]]
	c.DependsOn = append(c.DependsOn, to)
}

// finish sorts and marks relationships from the roots.
func (b *builder) finish(roots []string) *inventory.Inventory {
	inv := b.inv
	for _, r := range roots {
		if id, ok := b.idOf[r]; ok {
			inv.Roots = append(inv.Roots, id)
		}
	}
	slices.Sort(inv.Roots)
	inv.Roots = slices.Compact(inv.Roots)
	if len(inv.Roots) > 0 {
		// Breadth-first from the roots: direct, then transitive.
		seen := map[string]bool{}
		queue := slices.Clone(inv.Roots)
		for _, id := range inv.Roots {
			seen[id] = true
			inv.Components[b.index[id]].Relationship = inventory.RelationshipDirect
		}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			for _, dep := range inv.Components[b.index[id]].DependsOn {
				if !seen[dep] {
					seen[dep] = true
					inv.Components[b.index[dep]].Relationship = inventory.RelationshipTransitive
					queue = append(queue, dep)
				}
			}
		}
	}
	for i := range inv.Components {
		c := &inv.Components[i]
		slices.Sort(c.DependsOn)
		c.DependsOn = slices.Compact(c.DependsOn)
		slices.Sort(c.Locations)
		c.Locations = slices.Compact(c.Locations)
		slices.Sort(c.Groups)
		c.Groups = slices.Compact(c.Groups)
		slices.Sort(c.Licenses)
		c.Licenses = slices.Compact(c.Licenses)
		slices.SortFunc(c.Hashes, func(a, b inventory.Hash) int {
			return strings.Compare(a.Algorithm+a.Value, b.Algorithm+b.Value)
		})
		c.Hashes = slices.Compact(c.Hashes)
	}
	slices.SortFunc(inv.Components, func(a, b inventory.Component) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(inv.Files, func(a, b inventory.SourceFile) int { return strings.Compare(a.Path, b.Path) })
	return inv
}

func cycloneDXInventory(name string, bom *cdx.BOM) *inventory.Inventory {
	b := newBuilder(name)
	productRef := ""
	var walk func(cs *[]cdx.Component)
	walk = func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for _, c := range *cs {
			if c.Type == cdx.ComponentTypeFile {
				if h := fileSHA512(c.Hashes); h != "" {
					b.inv.Files = append(b.inv.Files, inventory.SourceFile{Path: c.Name, SHA512: h})
				}
			} else {
				b.add(c.BOMRef, cycloneDXToComponent(c))
			}
			walk(c.Components)
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		productRef = bom.Metadata.Component.BOMRef
		walk(bom.Metadata.Component.Components)
	}
	walk(bom.Components)
	var roots []string
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			if d.Dependencies == nil {
				continue
			}
			for _, dep := range *d.Dependencies {
				if d.Ref == productRef && productRef != "" {
					roots = append(roots, dep)
					continue
				}
				b.edge(d.Ref, dep)
			}
		}
	}
	return b.finish(roots)
}

func cycloneDXToComponent(c cdx.Component) inventory.Component {
	out := inventory.Component{Name: c.Name, Version: c.Version, PURL: strings.TrimSpace(c.PackageURL)}
	if c.Group != "" {
		out.Name = c.Group + ":" + c.Name
	}
	if c.Properties != nil {
		for _, p := range *c.Properties {
			switch p.Name {
			case propEcosystem:
				out.Ecosystem = p.Value
			case propGroup:
				out.Groups = append(out.Groups, p.Value)
			}
		}
	}
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			out.Hashes = append(out.Hashes, inventory.Hash{Algorithm: string(h.Algorithm), Value: strings.ToLower(h.Value)})
		}
	}
	if c.Licenses != nil {
		for _, l := range *c.Licenses {
			switch {
			case l.Expression != "":
				out.Licenses = append(out.Licenses, l.Expression)
			case l.License != nil && l.License.ID != "":
				out.Licenses = append(out.Licenses, l.License.ID)
			case l.License != nil && l.License.Name != "":
				out.Licenses = append(out.Licenses, l.License.Name)
			}
		}
	}
	if c.Evidence != nil && c.Evidence.Occurrences != nil {
		for _, o := range *c.Evidence.Occurrences {
			if o.Location != "" {
				out.Locations = append(out.Locations, o.Location)
			}
		}
	}
	for _, e := range []*cdx.OrganizationalEntity{c.Manufacturer, c.Supplier} {
		if s := entityString(e); s != "" {
			out.Supplier = s
			break
		}
	}
	if out.Supplier == "" && c.Authors != nil {
		for _, a := range *c.Authors {
			if s := contactString(a.Name, a.Email); s != "" {
				out.Supplier = s
				break
			}
		}
	}
	if out.Supplier == "" {
		out.Supplier = c.Author
	}
	return out
}

func fileSHA512(hashes *[]cdx.Hash) string {
	if hashes == nil {
		return ""
	}
	for _, h := range *hashes {
		if h.Algorithm == cdx.HashAlgoSHA512 {
			return strings.ToLower(h.Value)
		}
	}
	return ""
}

// entityString renders an organisation as inventory's free-form supplier:
// "Name <email>", else the URL, else the name.
func entityString(e *cdx.OrganizationalEntity) string {
	if e == nil {
		return ""
	}
	if e.Contact != nil {
		for _, c := range *e.Contact {
			if c.Email != "" {
				name := e.Name
				if name == "" {
					name = c.Name
				}
				return contactString(name, c.Email)
			}
		}
	}
	if e.URL != nil && len(*e.URL) > 0 && (*e.URL)[0] != "" {
		return (*e.URL)[0]
	}
	return e.Name
}

func contactString(name, email string) string {
	switch {
	case email == "":
		return name
	case name == "":
		return email
	}
	return name + " <" + email + ">"
}

func spdxInventory(name string, doc *spdx.Document) *inventory.Inventory {
	b := newBuilder(name)
	pkgRef := func(id common.DocElementID) string {
		if id.SpecialID != "" || id.DocumentRefID != "" {
			return ""
		}
		return string(id.ElementRefID)
	}
	product, described := spdxProduct(doc)
	for _, p := range doc.Packages {
		if p == nil || string(p.PackageSPDXIdentifier) == product {
			continue
		}
		b.add(string(p.PackageSPDXIdentifier), spdxToComponent(p))
	}
	for _, f := range doc.Files {
		if f == nil {
			continue
		}
		for _, c := range f.Checksums {
			if c.Algorithm == common.SHA512 {
				b.inv.Files = append(b.inv.Files, inventory.SourceFile{Path: strings.TrimPrefix(f.FileName, "./"), SHA512: strings.ToLower(c.Value)})
				break
			}
		}
	}
	roots := described
	if product != "" {
		roots = nil
	}
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		a, c := pkgRef(r.RefA), pkgRef(r.RefB)
		if a == "" || c == "" {
			continue
		}
		switch strings.ToUpper(r.Relationship) {
		case "DEPENDS_ON", "CONTAINS":
		case "DEPENDENCY_OF", "CONTAINED_BY", "RUNTIME_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF":
			a, c = c, a
		default:
			continue
		}
		if a == product {
			roots = append(roots, c)
			continue
		}
		b.edge(a, c)
	}
	return b.finish(roots)
}

// spdxProduct finds the product: the one package the document describes,
// when it has relationships of its own. Otherwise product is "" and every
// package is a component; described lists what the document describes.
func spdxProduct(doc *spdx.Document) (product string, described []string) {
	out := map[string]int{}
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		if string(r.RefA.ElementRefID) == "DOCUMENT" && strings.EqualFold(r.Relationship, "DESCRIBES") {
			if r.RefB.SpecialID == "" && r.RefB.DocumentRefID == "" {
				described = append(described, string(r.RefB.ElementRefID))
			}
		}
		if r.RefA.SpecialID == "" && r.RefA.DocumentRefID == "" {
			out[string(r.RefA.ElementRefID)]++
		}
	}
	if len(described) == 1 && out[described[0]] > 0 {
		product = described[0]
	}
	return product, described
}

func spdxToComponent(p *spdx.Package) inventory.Component {
	out := inventory.Component{Name: p.PackageName, Version: p.PackageVersion}
	for _, r := range p.PackageExternalReferences {
		if r != nil && strings.EqualFold(r.RefType, "purl") && out.PURL == "" {
			out.PURL = strings.TrimSpace(r.Locator)
		}
	}
	for _, c := range p.PackageChecksums {
		if alg := cdxAlgorithm(c.Algorithm); alg != "" {
			out.Hashes = append(out.Hashes, inventory.Hash{Algorithm: alg, Value: strings.ToLower(c.Value)})
		}
	}
	lic := p.PackageLicenseConcluded
	if !spdxLicenseKnown(lic) {
		lic = p.PackageLicenseDeclared
	}
	if spdxLicenseKnown(lic) {
		out.Licenses = []string{lic}
	}
	if p.PackageSupplier != nil && p.PackageSupplier.Supplier != noAssertion {
		out.Supplier = p.PackageSupplier.Supplier
	} else if p.PackageOriginator != nil && p.PackageOriginator.Originator != noAssertion {
		out.Supplier = p.PackageOriginator.Originator
	}
	return out
}

func spdxLicenseKnown(s string) bool {
	return s != "" && s != noAssertion && s != "NONE"
}

func cdxAlgorithm(a common.ChecksumAlgorithm) string {
	switch a {
	case common.MD5:
		return "MD5"
	case common.SHA1:
		return "SHA-1"
	case common.SHA256:
		return "SHA-256"
	case common.SHA384:
		return "SHA-384"
	case common.SHA512:
		return "SHA-512"
	case common.SHA3_256:
		return "SHA3-256"
	case common.SHA3_384:
		return "SHA3-384"
	case common.SHA3_512:
		return "SHA3-512"
	case common.BLAKE2b_256:
		return "BLAKE2b-256"
	case common.BLAKE2b_384:
		return "BLAKE2b-384"
	case common.BLAKE2b_512:
		return "BLAKE2b-512"
	}
	return ""
}
