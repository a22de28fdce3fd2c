package sbom

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"github.com/craft-cra/craft/internal/inventory"
)

// BSI TR-03183-2 property names (BSI-Bund/tr-03183-cyclonedx-property-taxonomy).
const (
	propFilename   = "bsi:component:filename"
	propExecutable = "bsi:component:executable"
	propArchive    = "bsi:component:archive"
	propStructured = "bsi:component:structured"
	// propEcosystem keeps the OSV ecosystem of a component without a purl.
	propEcosystem = "craft:ecosystem"
	// propGroup is a dependency group the lockfile put the component in
	// ("dev", "optional", ...), one property per group.
	propGroup = "craft:group"
)

func encodeCycloneDX(w io.Writer, format Format, g *graph, meta Metadata) error {
	bom, err := cycloneDXBOM(g, meta)
	if err != nil {
		return err
	}
	if meta.Reproducible {
		// The serial is a hash of the JSON form with the serial left out,
		// so the JSON and XML forms of one BOM carry the same serial.
		var buf bytes.Buffer
		if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).Encode(bom); err != nil {
			return err
		}
		bom.SerialNumber = "urn:uuid:" + serialFor(buf.Bytes()).String()
	} else {
		bom.SerialNumber = "urn:uuid:" + uuid.New().String()
	}
	ff := cdx.BOMFileFormatJSON
	if format == CycloneDXXML {
		ff = cdx.BOMFileFormatXML
	}
	enc := cdx.NewBOMEncoder(w, ff)
	enc.SetPretty(true)
	// Encode, not EncodeVersion: the BOM is built as 1.6 already (schema,
	// namespace and fields), and EncodeVersion deep-copies it through gob
	// first, which took most of the time and memory on large trees.
	// TestEncodeMatchesLibraryConversion keeps the two equal.
	return enc.Encode(bom)
}

func cycloneDXBOM(g *graph, meta Metadata) (*cdx.BOM, error) {
	if len(meta.ProductVersion) > maxVersionLen {
		return nil, fmt.Errorf("product version is %d bytes long, CycloneDX allows %d", len(meta.ProductVersion), maxVersionLen)
	}
	toolName, toolVersion := meta.tool()
	manufacturer := organization(meta.ManufacturerName, meta.ManufacturerURL, meta.ManufacturerEmail)
	product := &cdx.Component{
		BOMRef:       g.productRef,
		Type:         cdx.ComponentTypeApplication,
		Name:         meta.ProductName,
		Version:      meta.ProductVersion,
		PackageURL:   meta.ProductPURL,
		Manufacturer: manufacturer,
	}
	bom := &cdx.BOM{
		JSONSchema:  "http://cyclonedx.org/schema/bom-1.6.schema.json",
		XMLNS:       "http://cyclonedx.org/schema/bom/1.6",
		BOMFormat:   cdx.BOMFormat,
		SpecVersion: cdx.SpecVersion1_6,
		Version:     1,
		Metadata: &cdx.Metadata{
			Timestamp: meta.timestamp().Format("2006-01-02T15:04:05Z"),
			Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
				Type:    cdx.ComponentTypeApplication,
				Name:    toolName,
				Version: toolVersion,
			}}},
			Manufacturer: manufacturer,
			Component:    product,
		},
	}

	// Never nil: the schema wants an array, also for a tree without
	// components.
	comps := []cdx.Component{}
	deps := []cdx.Dependency{{Ref: g.productRef, Dependencies: refList(g.productDeps)}}
	byAgg := map[Aggregate][]string{g.productAgg: {g.productRef}}
	for _, n := range g.components {
		c, err := cycloneDXComponent(n)
		if err != nil {
			return nil, err
		}
		comps = append(comps, c)
		deps = append(deps, cdx.Dependency{Ref: n.ref, Dependencies: refList(n.deps)})
		byAgg[n.agg] = append(byAgg[n.agg], n.ref)
	}
	for i, f := range g.files {
		comps = append(comps, cycloneDXFile(g.fileRefs[i], f))
		deps = append(deps, cdx.Dependency{Ref: g.fileRefs[i]})
		byAgg[AggregateComplete] = append(byAgg[AggregateComplete], g.fileRefs[i])
	}
	slices.SortFunc(deps, func(a, b cdx.Dependency) int { return strings.Compare(a.Ref, b.Ref) })
	bom.Components = &comps
	bom.Dependencies = &deps

	var compositions []cdx.Composition
	for _, agg := range []Aggregate{AggregateComplete, AggregateIncomplete, AggregateUnknown} {
		refs := byAgg[agg]
		if len(refs) == 0 {
			continue
		}
		slices.Sort(refs)
		list := make([]cdx.BOMReference, len(refs))
		for i, r := range refs {
			list[i] = cdx.BOMReference(r)
		}
		compositions = append(compositions, cdx.Composition{
			Aggregate:    cdx.CompositionAggregate(agg),
			Dependencies: &list,
		})
	}
	bom.Compositions = &compositions
	return bom, nil
}

func refList(refs []string) *[]string {
	if len(refs) == 0 {
		return nil
	}
	l := slices.Clone(refs)
	return &l
}

// maxVersionLen is the CycloneDX schema's limit on a version string.
const maxVersionLen = 1024

func cycloneDXComponent(n node) (cdx.Component, error) {
	c := n.c
	if len(c.Version) > maxVersionLen {
		return cdx.Component{}, fmt.Errorf("component %s: version is %d bytes long, CycloneDX allows %d", truncate(n.ref, 80), len(c.Version), maxVersionLen)
	}
	out := cdx.Component{
		BOMRef:     n.ref,
		Type:       cdx.ComponentTypeLibrary,
		Name:       c.Name,
		Version:    c.Version,
		PackageURL: c.PURL,
	}
	if out.Name == "" {
		out.Name = n.ref
	}
	if c.Ecosystem == "Maven" {
		if group, name, ok := strings.Cut(c.Name, ":"); ok {
			out.Group, out.Name = group, name
		}
	}
	if c.Supplier != "" {
		out.Manufacturer = supplierEntity(c.Supplier)
	}
	var hashes []cdx.Hash
	for _, h := range c.Hashes {
		if validHash(h) {
			hashes = append(hashes, cdx.Hash{Algorithm: cdx.HashAlgorithm(h.Algorithm), Value: strings.ToLower(h.Value)})
		}
	}
	if len(hashes) > 0 {
		slices.SortFunc(hashes, func(a, b cdx.Hash) int {
			return strings.Compare(string(a.Algorithm)+a.Value, string(b.Algorithm)+b.Value)
		})
		hashes = slices.Compact(hashes)
		out.Hashes = &hashes
	}
	lic, err := cycloneDXLicenses(c.Licenses)
	if err != nil {
		return cdx.Component{}, err
	}
	out.Licenses = lic
	if locs := sortedNonEmpty(c.Locations); len(locs) > 0 {
		occ := make([]cdx.EvidenceOccurrence, len(locs))
		for i, l := range locs {
			occ[i] = cdx.EvidenceOccurrence{Location: l}
		}
		out.Evidence = &cdx.Evidence{Occurrences: &occ}
	}
	var props []cdx.Property
	if c.PURL == "" && c.Ecosystem != "" {
		props = append(props, cdx.Property{Name: propEcosystem, Value: c.Ecosystem})
	}
	groups := sortedNonEmpty(c.Groups)
	for _, grp := range groups {
		props = append(props, cdx.Property{Name: propGroup, Value: grp})
	}
	if len(props) > 0 {
		out.Properties = &props
	}
	// A component only in development groups is not part of what ships.
	if len(groups) > 0 && !slices.ContainsFunc(groups, func(g string) bool { return g != "dev" && g != "test" }) {
		out.Scope = cdx.ScopeExcluded
	}
	return out, nil
}

// cycloneDXLicenses writes licences as craft read them from package
// metadata: declared (acknowledgement "declared"), since craft does not
// conclude licences. SPDX ids become license.id, expressions become
// expression, anything else license.name.
func cycloneDXLicenses(licenses []string) (*cdx.Licenses, error) {
	if len(licenses) == 0 {
		return nil, nil
	}
	ls := slices.Clone(licenses)
	slices.Sort(ls)
	ls = slices.Compact(ls)
	out := make(cdx.Licenses, 0, len(ls))
	for _, l := range ls {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		kind, err := classifyLicense(l)
		if err != nil {
			return nil, err
		}
		switch kind {
		case licenseID:
			out = append(out, cdx.LicenseChoice{License: &cdx.License{ID: l, Acknowledgement: cdx.LicenseAcknowledgementDeclared}})
		case licenseExpression:
			ack := cdx.LicenseAcknowledgementDeclared
			out = append(out, cdx.LicenseChoice{Expression: l, Acknowledgement: &ack})
		default:
			out = append(out, cdx.LicenseChoice{License: &cdx.License{Name: l, Acknowledgement: cdx.LicenseAcknowledgementDeclared}})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	// The schema allows one expression alone, or licence objects: when an
	// expression meets others, join everything into one expression where
	// possible.
	if len(out) > 1 && slices.ContainsFunc(out, func(c cdx.LicenseChoice) bool { return c.Expression != "" }) {
		var parts []string
		for _, c := range out {
			switch {
			case c.Expression != "":
				parts = append(parts, "("+c.Expression+")")
			case c.License.ID != "":
				parts = append(parts, c.License.ID)
			default:
				// Free text cannot stand in an expression; SPDX's own
				// way to name a licence outside its list is LicenseRef-.
				parts = append(parts, licenseRef(c.License.Name))
			}
		}
		ack := cdx.LicenseAcknowledgementDeclared
		out = cdx.Licenses{{Expression: strings.Join(parts, " AND "), Acknowledgement: &ack}}
	}
	return &out, nil
}

func cycloneDXFile(ref string, f inventory.SourceFile) cdx.Component {
	c := cdx.Component{
		BOMRef: ref,
		Type:   cdx.ComponentTypeFile,
		Name:   f.Path,
		Properties: &[]cdx.Property{
			{Name: propArchive, Value: "no archive"},
			{Name: propExecutable, Value: "non-executable"},
			{Name: propFilename, Value: baseName(f.Path)},
			{Name: propStructured, Value: "structured"},
		},
	}
	if h := (inventory.Hash{Algorithm: "SHA-512", Value: f.SHA512}); validHash(h) {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA512, Value: strings.ToLower(f.SHA512)}}
	}
	return c
}

// organization builds an organizational entity, nil when nothing is known.
func organization(name, url, email string) *cdx.OrganizationalEntity {
	if name == "" && url == "" && email == "" {
		return nil
	}
	o := &cdx.OrganizationalEntity{Name: name}
	if url != "" {
		o.URL = &[]string{url}
	}
	if email != "" {
		o.Contact = &[]cdx.OrganizationalContact{{Email: email}}
	}
	return o
}

// supplierEntity reads inventory's free-form supplier: a URL, an e-mail
// address ("Name <a@b>" or bare), or a name.
func supplierEntity(s string) *cdx.OrganizationalEntity {
	s = strings.TrimSpace(s)
	if isWebURL(s) {
		return organization("", s, "")
	}
	if a, err := mail.ParseAddress(s); err == nil && validEmail(a.Address) {
		return organization(a.Name, "", a.Address)
	}
	return organization(s, "", "")
}

// validEmail reports whether an address parsed by net/mail also passes the
// schemas' idn-email format: net/mail accepts quoted local parts and
// domain literals that the format checkers refuse.
func validEmail(addr string) bool {
	local, domain, ok := strings.Cut(addr, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(addr, "\" []()\\,;:<>") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// sortedNonEmpty returns the distinct non-empty strings of ss, sorted.
func sortedNonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// licenseRef turns a free-text licence into an SPDX LicenseRef- identifier
// (letters, digits, "." and "-" only), so it can join an expression.
func licenseRef(name string) string {
	var b strings.Builder
	b.WriteString("LicenseRef-")
	dash := false
	for _, r := range name {
		ok := r < 128 && (r == '.' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}
