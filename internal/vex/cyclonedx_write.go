package vex

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"
	"github.com/package-url/packageurl-go"
)

// WriteCycloneDXVEX writes doc as a CycloneDX 1.6 JSON BOM carrying only
// VEX data: a component per product and subcomponent, and a vulnerability
// per statement whose analysis.state, justification and detail are mapped
// from the statement (docs/vex.md). affects[] names the subcomponents of
// a product, or the product itself when it has none. The serial number is
// a name-based UUID of the OpenVEX form of the same document, so equal
// input gives equal bytes; the exact OpenVEX justification is kept in the
// property craft:vex:justification.
func WriteCycloneDXVEX(w io.Writer, doc Document) error {
	v, err := toOpenVEX(doc) // validates and normalises the statements
	if err != nil {
		return err
	}
	ts := doc.Timestamp.UTC().Truncate(time.Second)
	bom := cdx.NewBOM()
	bom.SerialNumber = uuid.NewSHA1(uuid.NameSpaceURL, []byte(v.ID)).URN()
	bom.Version = max(doc.Version, 1)
	bom.Metadata = &cdx.Metadata{
		Timestamp: ts.Format(time.RFC3339),
		Authors:   &[]cdx.OrganizationalContact{{Name: doc.Author}},
	}
	if doc.Tooling != "" {
		bom.Metadata.Tools = &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: doc.Tooling}}}
	}

	sts := slices.Clone(doc.Statements)
	sortStatements(sts)
	var comps []cdx.Component
	compIndex := map[string]bool{}
	addComp := func(c Component, typ cdx.ComponentType) string {
		if !compIndex[c.ID] {
			compIndex[c.ID] = true
			comps = append(comps, cdxComponent(c, typ))
		}
		return c.ID
	}
	deps := map[string][]string{}
	var vulns []cdx.Vulnerability
	for i := range sts {
		st := &sts[i]
		var refs []string
		for _, p := range st.Products {
			if p.ID == "" {
				continue
			}
			if len(p.Subcomponents) == 0 {
				refs = appendUnique(refs, addComp(p.Component, cdx.ComponentTypeLibrary), "")
				continue
			}
			pid := addComp(p.Component, cdx.ComponentTypeApplication)
			for _, sc := range p.Subcomponents {
				if sc.ID == "" {
					continue
				}
				ref := addComp(sc, cdx.ComponentTypeLibrary)
				refs = appendUnique(refs, ref, "")
				deps[pid] = appendUnique(deps[pid], ref, pid)
			}
		}
		vulns = append(vulns, cdxVulnerability(i, st, refs, ts))
	}
	if len(comps) > 0 {
		bom.Components = &comps
	}
	if len(deps) > 0 {
		var ds []cdx.Dependency
		for _, c := range comps {
			if on, ok := deps[c.BOMRef]; ok {
				ds = append(ds, cdx.Dependency{Ref: c.BOMRef, Dependencies: &on})
			}
		}
		bom.Dependencies = &ds
	}
	bom.Vulnerabilities = &vulns

	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("vex: writing CycloneDX VEX: %w", err)
	}
	return nil
}

func cdxComponent(c Component, typ cdx.ComponentType) cdx.Component {
	out := cdx.Component{BOMRef: c.ID, Type: typ, Name: c.ID}
	purl := ""
	if strings.HasPrefix(c.ID, "pkg:") {
		purl = c.ID
	}
	for _, id := range c.Identifiers {
		switch {
		case purl == "" && strings.HasPrefix(id, "pkg:"):
			purl = id
		case out.CPE == "" && strings.HasPrefix(id, "cpe:"):
			out.CPE = id
		}
	}
	if purl != "" {
		if pu, err := packageurl.FromString(purl); err == nil {
			out.PackageURL = purl
			out.Group, out.Name, out.Version = pu.Namespace, pu.Name, pu.Version
		}
	}
	return out
}

func cdxVulnerability(i int, st *Statement, refs []string, ts time.Time) cdx.Vulnerability {
	v := cdx.Vulnerability{
		BOMRef: fmt.Sprintf("vex-%d-%s", i+1, st.Vulnerability),
		ID:     st.Vulnerability,
		Source: vulnSource(st.Vulnerability),
	}
	var aliases []cdx.VulnerabilityReference
	for _, a := range st.Aliases {
		if a != "" && a != st.Vulnerability && !slices.ContainsFunc(aliases, func(r cdx.VulnerabilityReference) bool { return r.ID == a }) {
			aliases = append(aliases, cdx.VulnerabilityReference{ID: a, Source: vulnSource(a)})
		}
	}
	if len(aliases) > 0 {
		v.References = &aliases
	}
	stTime := ts
	if !st.Timestamp.IsZero() {
		stTime = st.Timestamp.UTC()
	}
	a := &cdx.VulnerabilityAnalysis{
		State:       statusToCycloneDX(st.Status),
		LastUpdated: stTime.Format(time.RFC3339Nano),
	}
	var detail []string
	switch st.Status {
	case StatusNotAffected:
		a.Justification = justificationToCycloneDX(st.Justification)
		detail = append(detail, st.ImpactStatement)
		if st.Justification != "" {
			v.Properties = &[]cdx.Property{{Name: justificationProperty, Value: string(st.Justification)}}
		}
	case StatusAffected:
		detail = append(detail, st.ActionStatement)
	}
	detail = append(detail, st.StatusNotes)
	for _, d := range detail {
		if d = strings.TrimSpace(d); d != "" && !strings.Contains(a.Detail, d) {
			a.Detail = strings.TrimSpace(a.Detail + "\n" + d)
		}
	}
	v.Analysis = a
	if len(refs) > 0 {
		affects := make([]cdx.Affects, 0, len(refs))
		for _, r := range refs {
			af := cdx.Affects{Ref: r}
			if len(st.Versions) > 0 || len(st.VersionRanges) > 0 {
				var vs []cdx.AffectedVersions
				for _, ver := range st.Versions {
					vs = append(vs, cdx.AffectedVersions{Version: ver, Status: versionStatusToCycloneDX(st.Status)})
				}
				for _, rg := range st.VersionRanges {
					vs = append(vs, cdx.AffectedVersions{Range: rg, Status: versionStatusToCycloneDX(st.Status)})
				}
				af.Range = &vs
			}
			affects = append(affects, af)
		}
		v.Affects = &affects
	}
	return v
}

// vulnSource names the database that publishes a vulnerability ID and
// links its record there; IDs of other databases link their OSV record.
func vulnSource(id string) *cdx.Source {
	esc := url.PathEscape(id)
	switch up := strings.ToUpper(id); {
	case strings.HasPrefix(up, "CVE-"):
		return &cdx.Source{Name: "NVD", URL: "https://nvd.nist.gov/vuln/detail/" + esc}
	case strings.HasPrefix(up, "GHSA-"):
		return &cdx.Source{Name: "GitHub", URL: "https://github.com/advisories/" + esc}
	case strings.HasPrefix(up, "GO-"):
		return &cdx.Source{Name: "Go Vulnerability Database", URL: "https://pkg.go.dev/vuln/" + esc}
	}
	return &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + esc}
}
