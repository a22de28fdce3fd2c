package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/mail"
	"slices"
	"strings"

	"github.com/google/uuid"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/craft-cra/craft/internal/inventory"
)

const noAssertion = "NOASSERTION"

// encodeSPDX writes SPDX 2.3 JSON. Dependency completeness, which SPDX 2.3
// has no field for, follows the spec's convention (§11.1): a component with
// no dependencies DEPENDS_ON NONE, one whose dependencies are unknown or
// incomplete DEPENDS_ON NOASSERTION (besides the edges that are known).
func encodeSPDX(w io.Writer, g *graph, meta Metadata) error {
	doc, err := spdxDocument(g, meta)
	if err != nil {
		return err
	}
	prefix := "https://spdx.org/spdxdocs/" + spdxIDPart(meta.ProductName+"-"+meta.ProductVersion) + "-"
	if meta.Reproducible {
		doc.DocumentNamespace = prefix
		var buf bytes.Buffer
		if err := spdxjson.Write(doc, &buf); err != nil {
			return err
		}
		doc.DocumentNamespace = prefix + serialFor(buf.Bytes()).String()
	} else {
		doc.DocumentNamespace = prefix + uuid.New().String()
	}
	return spdxjson.Write(doc, w, spdxjson.Indent("  "))
}

func spdxDocument(g *graph, meta Metadata) (*spdx.Document, error) {
	toolName, toolVersion := meta.tool()
	creators := []common.Creator{{CreatorType: "Tool", Creator: toolName + "-" + toolVersion}}
	if org := spdxOrganization(meta.ManufacturerName, meta.ManufacturerURL, meta.ManufacturerEmail); org != "" {
		creators = append([]common.Creator{{CreatorType: "Organization", Creator: org}}, creators...)
	}
	name := meta.ProductName
	if meta.ProductVersion != "" {
		name += "-" + meta.ProductVersion
	}
	doc := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   name,
		CreationInfo: &spdx.CreationInfo{
			Creators: creators,
			Created:  meta.timestamp().Format("2006-01-02T15:04:05Z"),
		},
	}

	ids := map[string]common.ElementID{}
	productID := common.ElementID("Product-" + spdxIDPart(meta.ProductName))
	ids[g.productRef] = productID
	product := &spdx.Package{
		PackageName:             meta.ProductName,
		PackageSPDXIdentifier:   productID,
		PackageVersion:          meta.ProductVersion,
		PackageDownloadLocation: noAssertion,
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  noAssertion,
		PackageCopyrightText:    noAssertion,
		PrimaryPackagePurpose:   "APPLICATION",
	}
	if org := spdxOrganization(meta.ManufacturerName, meta.ManufacturerURL, meta.ManufacturerEmail); org != "" {
		product.PackageSupplier = &common.Supplier{SupplierType: "Organization", Supplier: org}
		product.PackageOriginator = &common.Originator{OriginatorType: "Organization", Originator: org}
	}
	if meta.ProductPURL != "" {
		product.PackageExternalReferences = []*spdx.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: meta.ProductPURL}}
	}
	doc.Packages = append(doc.Packages, product)

	for _, n := range g.components {
		id := common.ElementID("Package-" + spdxIDPart(n.c.Name) + "-" + shortHash(n.ref))
		ids[n.ref] = id
		p, err := spdxPackage(id, n)
		if err != nil {
			return nil, err
		}
		doc.Packages = append(doc.Packages, p)
	}

	rel := func(a common.ElementID, typ string, b common.DocElementID) {
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.DocElementID{ElementRefID: a}, RefB: b, Relationship: typ,
		})
	}
	elem := func(ref string) common.DocElementID { return common.DocElementID{ElementRefID: ids[ref]} }
	rel("DOCUMENT", "DESCRIBES", common.DocElementID{ElementRefID: productID})
	addDeps := func(from common.ElementID, deps []string, agg Aggregate) {
		for _, d := range deps {
			rel(from, "DEPENDS_ON", elem(d))
		}
		switch {
		case agg != AggregateComplete:
			rel(from, "DEPENDS_ON", common.DocElementID{SpecialID: noAssertion})
		case len(deps) == 0:
			rel(from, "DEPENDS_ON", common.DocElementID{SpecialID: "NONE"})
		}
	}
	addDeps(productID, g.productDeps, g.productAgg)
	for _, n := range g.components {
		addDeps(ids[n.ref], n.deps, n.agg)
	}

	for i, f := range g.files {
		id := common.ElementID("File-" + spdxIDPart(baseName(f.Path)) + "-" + shortHash(g.fileRefs[i]))
		file := &spdx.File{
			FileName:           "./" + strings.TrimPrefix(f.Path, "./"),
			FileSPDXIdentifier: id,
			FileTypes:          []string{"TEXT"},
			LicenseConcluded:   noAssertion,
			FileCopyrightText:  noAssertion,
			FileComment:        "an input craft read the components from",
		}
		if h := (inventory.Hash{Algorithm: "SHA-512", Value: f.SHA512}); validHash(h) {
			file.Checksums = []common.Checksum{{Algorithm: common.SHA512, Value: strings.ToLower(f.SHA512)}}
		}
		if len(file.Checksums) == 0 {
			continue // the schema requires a checksum; a file without one proves nothing
		}
		doc.Files = append(doc.Files, file)
		rel(id, "METAFILE_OF", common.DocElementID{ElementRefID: productID})
	}
	return doc, nil
}

func spdxPackage(id common.ElementID, n node) (*spdx.Package, error) {
	c := n.c
	p := &spdx.Package{
		PackageName:             c.Name,
		PackageSPDXIdentifier:   id,
		PackageVersion:          c.Version,
		PackageDownloadLocation: noAssertion,
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  noAssertion,
		PackageCopyrightText:    noAssertion,
		PrimaryPackagePurpose:   "LIBRARY",
	}
	if p.PackageName == "" {
		p.PackageName = n.ref
	}
	if c.Supplier != "" {
		if s := spdxSupplierName(c.Supplier); s != "" {
			p.PackageSupplier = &common.Supplier{SupplierType: "Organization", Supplier: s}
		}
	}
	if c.PURL != "" {
		p.PackageExternalReferences = []*spdx.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: c.PURL}}
	}
	for _, h := range c.Hashes {
		alg, ok := spdxChecksumAlgorithm(h.Algorithm)
		if ok && validHash(h) {
			p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: alg, Value: strings.ToLower(h.Value)})
		}
	}
	slices.SortFunc(p.PackageChecksums, func(a, b common.Checksum) int {
		return strings.Compare(string(a.Algorithm)+a.Value, string(b.Algorithm)+b.Value)
	})
	p.PackageChecksums = slices.Compact(p.PackageChecksums)
	decl, comment, err := spdxLicense(c.Licenses)
	if err != nil {
		return nil, err
	}
	p.PackageLicenseDeclared, p.PackageLicenseComments = decl, comment
	if locs := sortedNonEmpty(c.Locations); len(locs) > 0 {
		p.PackageSourceInfo = "found in " + strings.Join(locs, ", ")
	}
	return p, nil
}

// spdxLicense joins declared licences into one SPDX expression. Free text
// that is no SPDX id or expression cannot be written there; it goes to the
// licence comment and the declared licence stays NOASSERTION.
func spdxLicense(licenses []string) (declared, comment string, err error) {
	ls := slices.Clone(licenses)
	slices.Sort(ls)
	ls = slices.Compact(ls)
	var parts, free []string
	for _, l := range ls {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		kind, err := classifyLicense(l)
		if err != nil {
			return "", "", err
		}
		switch kind {
		case licenseID:
			parts = append(parts, l)
		case licenseExpression:
			parts = append(parts, "("+l+")")
		default:
			free = append(free, l)
		}
	}
	if len(free) > 0 {
		return noAssertion, "declared: " + strings.Join(ls, "; "), nil
	}
	switch len(parts) {
	case 0:
		return noAssertion, "", nil
	case 1:
		return strings.TrimSuffix(strings.TrimPrefix(parts[0], "("), ")"), "", nil
	}
	return strings.Join(parts, " AND "), "", nil
}

func spdxChecksumAlgorithm(alg string) (common.ChecksumAlgorithm, bool) {
	switch alg {
	case "MD5":
		return common.MD5, true
	case "SHA-1":
		return common.SHA1, true
	case "SHA-256":
		return common.SHA256, true
	case "SHA-384":
		return common.SHA384, true
	case "SHA-512":
		return common.SHA512, true
	case "SHA3-256":
		return common.SHA3_256, true
	case "SHA3-384":
		return common.SHA3_384, true
	case "SHA3-512":
		return common.SHA3_512, true
	case "BLAKE2b-256":
		return common.BLAKE2b_256, true
	case "BLAKE2b-384":
		return common.BLAKE2b_384, true
	case "BLAKE2b-512":
		return common.BLAKE2b_512, true
	}
	return "", false
}

// spdxOrganization renders an SPDX creator/supplier organization,
// "Name (email)"; a URL stands in for a missing name.
func spdxOrganization(name, url, email string) string {
	if name == "" {
		name = url
	}
	if name == "" {
		name = email
	}
	if name == "" {
		return ""
	}
	if email != "" && email != name {
		return name + " (" + email + ")"
	}
	return name
}

func spdxSupplierName(s string) string {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil {
		return spdxOrganization(a.Name, "", a.Address)
	}
	return s
}

// spdxIDPart reduces s to the characters an SPDX identifier allows.
func spdxIDPart(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "x"
	}
	return out
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
