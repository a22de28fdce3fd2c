package sbom

import (
	"math"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// Field names a BSI TR-03183-2 v2.1 data field (§5.2).
type Field string

// Document-level required fields (§5.2.1).
const (
	FieldCreator   Field = "creator"   // e-mail or URL of the SBOM's creator
	FieldTimestamp Field = "timestamp" // when the SBOM was compiled
)

// Component-level required fields (§5.2.2).
const (
	FieldComponentCreator Field = "component-creator" // e-mail or URL of the component's creator
	FieldName             Field = "name"
	FieldVersion          Field = "version"
	FieldFilename         Field = "filename"
	FieldDependencies     Field = "dependencies" // direct dependencies with a completeness indicator
	FieldLicense          Field = "distribution-licence"
	FieldHash             Field = "sha-512"
	FieldExecutable       Field = "executable"
	FieldArchive          Field = "archive"
	FieldStructured       Field = "structured"
)

// Additional fields (§5.2.3, §5.2.4): MUST where they exist.
const (
	FieldSBOMURI         Field = "sbom-uri"
	FieldSourceURI       Field = "source-uri"
	FieldDeployableURI   Field = "deployable-uri"
	FieldOtherIDs        Field = "other-identifiers"
	FieldDeclaredLicense Field = "declared-licence"
)

// ComponentRequired lists the required per-component fields (§5.2.2), in
// report order.
func ComponentRequired() []Field {
	return []Field{FieldComponentCreator, FieldName, FieldVersion, FieldFilename, FieldDependencies,
		FieldLicense, FieldHash, FieldExecutable, FieldArchive, FieldStructured}
}

// ComponentAdditional lists the additional per-component fields (§5.2.4),
// in report order.
func ComponentAdditional() []Field {
	return []Field{FieldSourceURI, FieldDeployableURI, FieldOtherIDs, FieldDeclaredLicense}
}

// Weights of the summary score, in points of 100.
const (
	WeightDocument   = 20 // FieldCreator and FieldTimestamp, 10 each
	WeightComponents = 70 // the ten required component fields, 7 each
	WeightAdditional = 10 // FieldSBOMURI 2, the four additional component fields 2 each
)

// Completeness is the TR-03183-2 completeness of one document.
type Completeness struct {
	Name        string `json:"name"`
	Format      Format `json:"format"`
	SpecVersion string `json:"specVersion"`
	// Notes are findings about the document as a whole that the score does
	// not count, such as a format version TR-03183-2 v2.1 does not accept.
	Notes []string `json:"notes,omitempty"`
	// MissingDocument lists the required document-level fields that are
	// missing; MissingAdditional the document-level additional ones.
	MissingDocument   []Field `json:"missingDocument"`
	MissingAdditional []Field `json:"missingAdditional"`
	// Components has one entry per component, in document order
	// (nested components flattened).
	Components []ComponentCompleteness `json:"components"`
	// Present counts, per component field, the components that have it.
	Present map[Field]int `json:"present"`
	// Score is the weighted summary, 0–100.
	Score int `json:"score"`
}

// ComponentCompleteness lists what one component lacks.
type ComponentCompleteness struct {
	Ref               string  `json:"ref"`
	Name              string  `json:"name"`
	Version           string  `json:"version,omitempty"`
	Missing           []Field `json:"missing"`
	MissingAdditional []Field `json:"missingAdditional"`
}

// Score measures a decoded document against BSI TR-03183-2 v2.1 (see
// docs/sbom.md for where each field is looked for).
//
// The summary score: each required document-level field present gives 10
// points; each required component-level field gives 7 points times the
// share of components that have it; the SBOM-URI gives 2 points and each
// additional component field 2 points times the share of components that
// have it. A document without components gets no component points.
func Score(doc *Document) *Completeness {
	componentRequired, componentAdditional := ComponentRequired(), ComponentAdditional()
	r := &Completeness{Name: doc.Name, Format: doc.Format, SpecVersion: doc.SpecVersion, Present: map[Field]int{}}
	var docFields map[Field]bool
	switch {
	case doc.CycloneDX != nil:
		docFields = scoreCycloneDX(doc.CycloneDX, r)
	case doc.SPDX != nil:
		docFields = scoreSPDX(doc.SPDX, r)
	default:
		docFields = map[Field]bool{}
	}
	for _, p := range doc.Dropped {
		r.Notes = append(r.Notes, p.String()+" (not scored)")
	}
	for _, f := range []Field{FieldCreator, FieldTimestamp} {
		if !docFields[f] {
			r.MissingDocument = append(r.MissingDocument, f)
		}
	}
	if !docFields[FieldSBOMURI] {
		r.MissingAdditional = append(r.MissingAdditional, FieldSBOMURI)
	}
	for _, f := range componentRequired {
		r.Present[f] += 0
	}
	for _, f := range componentAdditional {
		r.Present[f] += 0
	}
	for _, c := range r.Components {
		for _, f := range componentRequired {
			if !slices.Contains(c.Missing, f) {
				r.Present[f]++
			}
		}
		for _, f := range componentAdditional {
			if !slices.Contains(c.MissingAdditional, f) {
				r.Present[f]++
			}
		}
	}
	score := 10.0 * float64(2-len(r.MissingDocument))
	if docFields[FieldSBOMURI] {
		score += 2
	}
	if n := float64(len(r.Components)); n > 0 {
		for _, f := range componentRequired {
			score += 7 * float64(r.Present[f]) / n
		}
		for _, f := range componentAdditional {
			score += 2 * float64(r.Present[f]) / n
		}
	}
	r.Score = int(math.Floor(score + 1e-9))
	return r
}

// fieldSet collects the fields an element has and lists the missing ones.
type fieldSet map[Field]bool

func (s fieldSet) missing(fields []Field) []Field {
	out := []Field{}
	for _, f := range fields {
		if !s[f] {
			out = append(out, f)
		}
	}
	return out
}

func scoreCycloneDX(bom *cdx.BOM, r *Completeness) map[Field]bool {
	if bom.SpecVersion < cdx.SpecVersion1_6 {
		r.Notes = append(r.Notes, "TR-03183-2 v2.1 requires CycloneDX 1.6 or later; this document is "+bom.SpecVersion.String())
	}
	if bom.Vulnerabilities != nil && len(*bom.Vulnerabilities) > 0 {
		r.Notes = append(r.Notes, "the SBOM carries vulnerability information; TR-03183-2 wants it in CSAF or VEX documents instead")
	}
	doc := map[Field]bool{FieldSBOMURI: bom.SerialNumber != ""}
	if m := bom.Metadata; m != nil {
		doc[FieldTimestamp] = validTimestamp(m.Timestamp)
		doc[FieldCreator] = entityContact(m.Manufacturer) || entityContact(m.Manufacture) ||
			entityContact(m.Supplier) || contactsHaveEmail(m.Authors)
	}
	// Which refs have a dependency entry, and which a completeness.
	hasDeps := map[string]bool{}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			hasDeps[d.Ref] = true
		}
	}
	hasAgg := map[string]bool{}
	if bom.Compositions != nil {
		for _, c := range *bom.Compositions {
			switch c.Aggregate {
			case "", cdx.CompositionAggregateNotSpecified:
				continue
			}
			for _, list := range []*[]cdx.BOMReference{c.Dependencies, c.Assemblies} {
				if list == nil {
					continue
				}
				for _, ref := range *list {
					hasAgg[string(ref)] = true
				}
			}
		}
	}
	var walk func(cs *[]cdx.Component)
	walk = func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for _, c := range *cs {
			r.Components = append(r.Components, scoreCycloneDXComponent(c, hasDeps, hasAgg))
			walk(c.Components)
		}
	}
	walk(bom.Components)
	return doc
}

func scoreCycloneDXComponent(c cdx.Component, hasDeps, hasAgg map[string]bool) ComponentCompleteness {
	s := fieldSet{
		FieldComponentCreator: entityContact(c.Manufacturer) || entityContact(c.Supplier) || contactsHaveEmail(c.Authors),
		FieldName:             c.Name != "",
		FieldVersion:          c.Version != "",
		FieldDependencies:     c.BOMRef != "" && hasDeps[c.BOMRef] && hasAgg[c.BOMRef],
		FieldOtherIDs:         c.PackageURL != "" || c.CPE != "" || c.SWID != nil,
	}
	props := map[string]string{}
	if c.Properties != nil {
		for _, p := range *c.Properties {
			props[p.Name] = p.Value
		}
	}
	s[FieldFilename] = props[propFilename] != ""
	s[FieldExecutable] = props[propExecutable] == "executable" || props[propExecutable] == "non-executable"
	s[FieldArchive] = props[propArchive] == "archive" || props[propArchive] == "no archive"
	s[FieldStructured] = props[propStructured] == "structured" || props[propStructured] == "unstructured"
	s[FieldHash] = hasSHA512(c.Hashes)
	if c.ExternalReferences != nil {
		for _, e := range *c.ExternalReferences {
			switch e.Type {
			case cdx.ERTypeDistribution, cdx.ERTypeDistributionIntake:
				s[FieldDeployableURI] = s[FieldDeployableURI] || e.URL != ""
				s[FieldHash] = s[FieldHash] || hasSHA512(e.Hashes)
			case cdx.ERTypeSourceDistribution, cdx.ERTypeVCS:
				s[FieldSourceURI] = s[FieldSourceURI] || e.URL != ""
			}
		}
	}
	if c.Licenses != nil {
		for _, l := range *c.Licenses {
			ack := licenseAck(l)
			spdxForm := l.Expression != "" || (l.License != nil && l.License.ID != "")
			switch ack {
			case cdx.LicenseAcknowledgementConcluded, "":
				// Before CycloneDX 1.6 there was no acknowledgement: an
				// unqualified licence counts as the distribution licence.
				s[FieldLicense] = s[FieldLicense] || spdxForm
			case cdx.LicenseAcknowledgementDeclared:
				s[FieldDeclaredLicense] = true
			}
		}
	}
	return ComponentCompleteness{
		Ref: c.BOMRef, Name: c.Name, Version: c.Version,
		Missing:           s.missing(ComponentRequired()),
		MissingAdditional: s.missing(ComponentAdditional()),
	}
}

func licenseAck(l cdx.LicenseChoice) cdx.LicenseAcknowledgement {
	if l.License != nil {
		return l.License.Acknowledgement
	}
	if l.Acknowledgement != nil {
		return *l.Acknowledgement
	}
	return ""
}

func hasSHA512(hashes *[]cdx.Hash) bool {
	if hashes == nil {
		return false
	}
	for _, h := range *hashes {
		if h.Algorithm == cdx.HashAlgoSHA512 && validHash(inventoryHash(string(h.Algorithm), h.Value)) {
			return true
		}
	}
	return false
}

// entityContact reports whether an organisation gives a URL or an e-mail
// address, as TR-03183-2 requires of a creator.
func entityContact(e *cdx.OrganizationalEntity) bool {
	if e == nil {
		return false
	}
	if e.URL != nil && slices.ContainsFunc(*e.URL, func(u string) bool { return u != "" }) {
		return true
	}
	return contactsHaveEmail(e.Contact)
}

func contactsHaveEmail(cs *[]cdx.OrganizationalContact) bool {
	return cs != nil && slices.ContainsFunc(*cs, func(c cdx.OrganizationalContact) bool { return c.Email != "" })
}

func validTimestamp(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func scoreSPDX(doc *spdx.Document, r *Completeness) map[Field]bool {
	r.Notes = append(r.Notes, "TR-03183-2 v2.1 no longer accepts SPDX 2.x (it requires SPDX 3.0.1 or later); SPDX 2.3 has no fields for the executable, archive and structured properties")
	out := map[Field]bool{FieldSBOMURI: doc.DocumentNamespace != ""}
	if ci := doc.CreationInfo; ci != nil {
		out[FieldTimestamp] = validTimestamp(ci.Created)
		for _, c := range ci.Creators {
			if (c.CreatorType == "Organization" || c.CreatorType == "Person") && hasEmail(c.Creator) {
				out[FieldCreator] = true
			}
		}
	}
	// Dependencies: a package with a DEPENDS_ON relationship (NONE and
	// NOASSERTION included, which say "complete, none" and "unknown").
	hasDeps := map[common.ElementID]bool{}
	for _, rel := range doc.Relationships {
		if rel == nil {
			continue
		}
		switch strings.ToUpper(rel.Relationship) {
		case "DEPENDS_ON":
			hasDeps[rel.RefA.ElementRefID] = true
		case "DEPENDENCY_OF":
			if rel.RefB.SpecialID == "" {
				hasDeps[rel.RefB.ElementRefID] = true
			}
		}
	}
	product, _ := spdxProduct(doc)
	for _, p := range doc.Packages {
		if p == nil || string(p.PackageSPDXIdentifier) == product {
			continue
		}
		s := fieldSet{
			FieldComponentCreator: (p.PackageSupplier != nil && hasEmail(p.PackageSupplier.Supplier)) ||
				(p.PackageOriginator != nil && hasEmail(p.PackageOriginator.Originator)),
			FieldName:            p.PackageName != "",
			FieldVersion:         p.PackageVersion != "",
			FieldFilename:        p.PackageFileName != "",
			FieldDependencies:    hasDeps[p.PackageSPDXIdentifier],
			FieldLicense:         spdxLicenseKnown(p.PackageLicenseConcluded),
			FieldDeclaredLicense: spdxLicenseKnown(p.PackageLicenseDeclared),
			FieldDeployableURI:   p.PackageDownloadLocation != "" && p.PackageDownloadLocation != noAssertion && p.PackageDownloadLocation != "NONE",
		}
		for _, c := range p.PackageChecksums {
			if c.Algorithm == common.SHA512 {
				s[FieldHash] = true
			}
		}
		for _, e := range p.PackageExternalReferences {
			if e == nil {
				continue
			}
			switch strings.ToLower(e.RefType) {
			case "purl", "cpe22type", "cpe23type", "swid":
				s[FieldOtherIDs] = true
			}
		}
		r.Components = append(r.Components, ComponentCompleteness{
			Ref: string(p.PackageSPDXIdentifier), Name: p.PackageName, Version: p.PackageVersion,
			Missing:           s.missing(ComponentRequired()),
			MissingAdditional: s.missing(ComponentAdditional()),
		})
	}
	return out
}

// hasEmail reports whether an SPDX agent ("Name (a@b)") carries an e-mail.
func hasEmail(agent string) bool {
	open := strings.LastIndexByte(agent, '(')
	return open >= 0 && strings.Contains(agent[open:], "@")
}
