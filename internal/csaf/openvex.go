package csaf

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/craft-cra/craft/internal/vex"
)

// OpenVEX turns the same input Generate reads into OpenVEX statements
// (one per vulnerability and release) for vex.WriteOpenVEX, so the
// OpenVEX document published beside an advisory says exactly what the
// CSAF document says. A release is identified by its purl when it has
// one, else by its CSAF product ID under the publisher's namespace.
func OpenVEX(in AdvisoryInput) (vex.Document, error) {
	pubNS := strings.TrimRight(in.Publisher.Namespace, "/")
	ids := map[[2]string]vex.Component{}
	vendors := map[string]string{}
	for _, p := range in.Products {
		vendor := p.Vendor
		if vendor == "" {
			vendor = in.Publisher.Name
		}
		vendors[p.Name] = vendor
		for _, r := range p.Releases {
			ids[[2]string{p.Name, r.Version}] = genVEXComponent(pubNS, vendor, p.Name, r)
		}
	}
	component := func(product, version string) vex.Component {
		if c, ok := ids[[2]string{product, version}]; ok {
			return c
		}
		return genVEXComponent(pubNS, vendors[product], product, ReleaseInput{Version: version})
	}
	var sts []vex.Statement
	for _, v := range in.Vulnerabilities {
		for _, st := range v.Statuses {
			s := vex.Statement{Vulnerability: v.ID, Aliases: slices.Clone(v.Aliases), Status: st.Status,
				Products: []vex.Product{{Component: component(st.Product, st.Version)}}}
			switch st.Status {
			case vex.StatusNotAffected:
				s.Justification, s.ImpactStatement = st.Justification, st.Impact
			case vex.StatusUnderInvestigation:
				if st.FixedIn != "" {
					s.StatusNotes = fmt.Sprintf("Version %s of %s fixes it.", st.FixedIn, st.Product)
					sts = append(sts, vex.Statement{Vulnerability: v.ID, Aliases: slices.Clone(v.Aliases), Status: vex.StatusFixed,
						Products: []vex.Product{{Component: component(st.Product, st.FixedIn)}}})
				}
			case vex.StatusAffected:
				switch {
				case st.FixedIn != "":
					s.ActionStatement = fmt.Sprintf("Update %s to version %s or later.", st.Product, st.FixedIn)
					sts = append(sts, vex.Statement{Vulnerability: v.ID, Aliases: slices.Clone(v.Aliases), Status: vex.StatusFixed,
						Products: []vex.Product{{Component: component(st.Product, st.FixedIn)}}})
				case st.Action != "":
					s.ActionStatement = st.Action
				default:
					s.ActionStatement = "No fix is available yet; this advisory will be updated when one is."
				}
			}
			sts = append(sts, s)
		}
	}
	if len(sts) == 0 {
		return vex.Document{}, vex.ErrNoStatements
	}
	return vex.Document{
		Author:     in.Publisher.Name,
		Role:       "vendor",
		Timestamp:  in.CurrentReleaseDate,
		Version:    max(1, len(in.Revisions)),
		Tooling:    "craft",
		Namespace:  pubNS + "/vex",
		Statements: sts,
	}, nil
}

// WriteOpenVEX writes the OpenVEX document of in with vex.WriteOpenVEX.
func WriteOpenVEX(w io.Writer, in AdvisoryInput) error {
	doc, err := OpenVEX(in)
	if err != nil {
		return fmt.Errorf("csaf: openvex: %w", err)
	}
	return vex.WriteOpenVEX(w, doc)
}

func genVEXComponent(ns, vendor, product string, r ReleaseInput) vex.Component {
	c := vex.Component{ID: ns + "/products/" + ProductID(vendor, product, r.Version)}
	if r.PURL != "" {
		c = vex.Component{ID: r.PURL}
	}
	if r.CPE != "" {
		c.Identifiers = append(c.Identifiers, r.CPE)
	}
	return c
}
