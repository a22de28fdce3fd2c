package vex

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"
)

// readCycloneDX reads the VEX statements of a CycloneDX JSON BOM: one per
// vulnerability that has analysis.state (one per affects entry when the
// entries list versions).
func readCycloneDX(name string, data []byte) ([]Statement, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("vex: %s: CycloneDX: %s", name, jsonErr(data, err))
	}
	if bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) == 0 {
		return nil, fmt.Errorf("vex: %s: CycloneDX BOM has no vulnerabilities, so no VEX data", name)
	}
	refs := map[string]Component{}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		indexComponent(refs, bom.Metadata.Component)
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			indexComponent(refs, &(*bom.Components)[i])
		}
	}
	var docTime time.Time
	if bom.Metadata != nil && bom.Metadata.Timestamp != "" {
		t, err := time.Parse(time.RFC3339, bom.Metadata.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("vex: %s: metadata.timestamp %q is not an RFC 3339 date-time", name, bom.Metadata.Timestamp)
		}
		docTime = t
	}

	var out []Statement
	for i := range *bom.Vulnerabilities {
		v := &(*bom.Vulnerabilities)[i]
		if v.Analysis == nil || v.Analysis.State == "" {
			continue // a vulnerability without analysis states nothing
		}
		sts, err := statementsFromCycloneDX(name, i, v, &bom, refs, docTime)
		if err != nil {
			return nil, err
		}
		out = append(out, sts...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("vex: %s: no CycloneDX vulnerability has analysis.state, so no VEX data", name)
	}
	return out, nil
}

// indexComponent records c and its nested components by bom-ref.
func indexComponent(refs map[string]Component, c *cdx.Component) {
	if c.BOMRef != "" {
		comp := Component{ID: c.BOMRef}
		if c.PackageURL != "" {
			comp = Component{ID: c.PackageURL, Identifiers: appendUnique(nil, c.BOMRef, c.PackageURL)}
		}
		comp.Identifiers = appendUnique(comp.Identifiers, c.CPE, comp.ID)
		refs[c.BOMRef] = comp
	}
	if c.Components != nil {
		for i := range *c.Components {
			indexComponent(refs, &(*c.Components)[i])
		}
	}
}

// resolveRef turns an affects[].ref into a component: a bom-ref of this BOM
// becomes the component's purl when it has one; a BOM-Link to this BOM is
// resolved the same way; a BOM-Link to another BOM whose element is a purl
// becomes that purl; anything else stays as written.
func resolveRef(ref string, bom *cdx.BOM, refs map[string]Component) Component {
	if c, ok := refs[ref]; ok {
		return c
	}
	if cdx.IsBOMLink(ref) {
		link, err := cdx.ParseBOMLink(ref)
		if err == nil && link.Reference() != "" {
			if link.SerialNumber() == bom.SerialNumber {
				if c, ok := refs[link.Reference()]; ok {
					c.Identifiers = appendUnique(c.Identifiers, ref, c.ID)
					return c
				}
			}
			if strings.HasPrefix(link.Reference(), "pkg:") {
				return Component{ID: link.Reference(), Identifiers: []string{ref}}
			}
		}
	}
	return Component{ID: ref}
}

func statementsFromCycloneDX(name string, i int, v *cdx.Vulnerability, bom *cdx.BOM, refs map[string]Component, docTime time.Time) ([]Statement, error) {
	loc := fmt.Sprintf("vulnerabilities[%d]", i)
	if strings.TrimSpace(v.ID) == "" {
		return nil, fmt.Errorf("vex: %s: %s: vulnerability has no id", name, loc)
	}
	where := fmt.Sprintf("vex: %s: %s (%s)", name, loc, v.ID)
	a := v.Analysis
	status, ok := statusFromCycloneDX(a.State)
	if !ok {
		return nil, fmt.Errorf("%s: unknown analysis.state %q", where, a.State)
	}
	base := Statement{Vulnerability: v.ID, Status: status, Source: name, Location: loc}
	if v.References != nil {
		for _, r := range *v.References {
			base.Aliases = appendUnique(base.Aliases, r.ID, v.ID)
		}
	}
	if a.Justification != "" {
		j, ok := justificationFromCycloneDX(a.Justification)
		if !ok {
			return nil, fmt.Errorf("%s: unknown analysis.justification %q", where, a.Justification)
		}
		base.Justification = j
	}
	if v.Properties != nil {
		for _, p := range *v.Properties {
			if p.Name == justificationProperty && Justification(p.Value).Valid() {
				base.Justification = Justification(p.Value)
			}
		}
	}
	detail := strings.TrimSpace(a.Detail)
	switch status {
	case StatusNotAffected:
		base.ImpactStatement = detail
		if a.State == cdx.IASFalsePositive && detail == "" {
			base.ImpactStatement = "false positive: the vulnerability does not apply to this component (CycloneDX analysis.state false_positive)"
		}
	case StatusAffected:
		base.ActionStatement = detail
		if base.ActionStatement == "" {
			base.ActionStatement = strings.TrimSpace(v.Recommendation)
		}
		if a.Response != nil && len(*a.Response) > 0 {
			rs := make([]string, 0, len(*a.Response))
			for _, r := range *a.Response {
				rs = append(rs, string(r))
			}
			base.StatusNotes = "response: " + strings.Join(rs, ", ")
		}
	default:
		base.StatusNotes = detail
	}
	if status != StatusNotAffected {
		base.Justification = "" // a justification only qualifies not_affected
	}
	if err := checkStatement(&base); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}

	ts, err := cdxTime(a.LastUpdated, a.FirstIssued, v.Updated, v.Published)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	base.Timestamp = docTime
	if !ts.IsZero() {
		base.Timestamp = ts
	}

	if v.Affects == nil || len(*v.Affects) == 0 {
		return []Statement{base}, nil // names no product, so applies to none
	}
	withVersions := false
	for _, af := range *v.Affects {
		if af.Range != nil && len(*af.Range) > 0 {
			withVersions = true
		}
	}
	if !withVersions {
		st := base
		for _, af := range *v.Affects {
			if af.Ref == "" {
				continue
			}
			st.Products = append(st.Products, Product{Component: resolveRef(af.Ref, bom, refs)})
		}
		return []Statement{st}, nil
	}
	var out []Statement
	for k, af := range *v.Affects {
		if af.Ref == "" {
			continue
		}
		st := base
		st.Location = fmt.Sprintf("%s.affects[%d]", loc, k)
		c := resolveRef(af.Ref, bom, refs)
		var versions, ranges []string
		if af.Range != nil {
			for _, av := range *af.Range {
				if contradicts(status, av.Status) {
					continue // e.g. an "affected" version under not_affected
				}
				if av.Version != "" {
					versions = appendUnique(versions, av.Version, "")
				}
				if av.Range != "" {
					ranges = appendUnique(ranges, av.Range, "")
				}
			}
		}
		if af.Range != nil && len(*af.Range) > 0 && len(versions) == 0 && len(ranges) == 0 {
			// Every listed version contradicts the analysis (or is
			// empty): the statement speaks for none of them, and must not
			// become a statement about all versions.
			continue
		}
		// A versionless purl with exact versions folds into one purl per
		// version, which Decide matches like any other purl.
		if pu, err := packageurl.FromString(c.ID); err == nil && pu.Version == "" && len(versions) > 0 && len(ranges) == 0 {
			for _, ver := range versions {
				pv := pu
				pv.Version = ver
				st.Products = append(st.Products, Product{Component: Component{ID: pv.ToString()}})
			}
		} else {
			st.Products = []Product{{Component: c}}
			st.Versions, st.VersionRanges = versions, ranges
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		return []Statement{base}, nil // names no product, so applies to none
	}
	return out, nil
}

// cdxTime returns the first non-empty of the given CycloneDX date-times.
func cdxTime(values ...string) (time.Time, error) {
	for _, s := range values {
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("date-time %q is not RFC 3339", s)
		}
		return t, nil
	}
	return time.Time{}, nil
}

// contradicts reports whether a version's own status in affects[].versions
// disagrees with the statement's status; such versions are left out so
// that the statement never speaks for them.
func contradicts(st Status, vs cdx.VulnerabilityStatus) bool {
	switch vs {
	case cdx.VulnerabilityStatusAffected:
		return st == StatusNotAffected || st == StatusFixed
	case cdx.VulnerabilityStatusNotAffected:
		return st == StatusAffected
	}
	return false
}
