package vex

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Document is what the writers publish. The caller supplies the time so
// that output is reproducible.
type Document struct {
	Author    string    // required: who makes the statements
	Role      string    // optional: the author's role
	Timestamp time.Time // required: when the document is issued
	Version   int       // document version; 0 means 1
	Tooling   string    // optional: e.g. "craft 0.1.0"
	// Namespace is the IRI under which the document @id is made
	// (<Namespace>/vex-<content hash>), e.g. "https://vendor.example/vex";
	// empty means OpenVEX's public namespace, https://openvex.dev/docs/public.
	Namespace  string
	Statements []Statement
}

// Build returns the statements to publish for findings: one per subject,
// carrying the decision that known statements give for it (Decide) or
// under_investigation at ts when none applies. The subject's first VulnID
// names the vulnerability and the rest are aliases. The product is the
// subject's purl (else ComponentID); when the subject names its product
// (ProductIDs[0]), the statement is about that product with the component
// as a subcomponent. Duplicate subjects give one statement, subjects without
// a vulnerability ID or a component are skipped, and the result is
// sorted by vulnerability and product.
func Build(subjects []Subject, known []Statement, ts time.Time) []Statement {
	seen := map[string]bool{}
	var out []Statement
	for _, s := range subjects {
		ids := nonEmpty(s.VulnIDs...)
		comp := nonEmpty(s.PURL, s.ComponentID)
		if len(ids) == 0 || len(comp) == 0 {
			continue
		}
		st := Statement{Status: StatusUnderInvestigation, Timestamp: ts}
		if d, ok := Decide(known, s); ok {
			st = d.Statement
			st.Source, st.Location = "", ""
			st.Products, st.Versions, st.VersionRanges = nil, nil, nil
			if st.Timestamp.IsZero() {
				st.Timestamp = ts
			}
		}
		st.Vulnerability = ids[0]
		st.Aliases = nil
		for _, a := range ids[1:] {
			if !strings.EqualFold(a, ids[0]) && !slices.ContainsFunc(st.Aliases, func(x string) bool { return strings.EqualFold(x, a) }) {
				st.Aliases = append(st.Aliases, a)
			}
		}
		p := Product{Component: Component{ID: comp[0]}}
		if len(s.ProductIDs) > 0 && s.ProductIDs[0] != "" && s.ProductIDs[0] != comp[0] {
			p = Product{Component: Component{ID: s.ProductIDs[0]}, Subcomponents: []Component{{ID: comp[0]}}}
		}
		st.Products = []Product{p}
		key := strings.ToUpper(st.Vulnerability) + "\x00" + productKey(p)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, st)
	}
	sortStatements(out)
	return out
}

func productKey(p Product) string {
	k := p.ID
	for _, sc := range p.Subcomponents {
		k += "\x00" + sc.ID
	}
	return k
}

// sortStatements orders statements by vulnerability, product, time.
func sortStatements(sts []Statement) {
	slices.SortStableFunc(sts, func(a, b Statement) int {
		if c := cmp.Compare(a.Vulnerability, b.Vulnerability); c != 0 {
			return c
		}
		if c := cmp.Compare(firstProductKey(a), firstProductKey(b)); c != 0 {
			return c
		}
		return a.Timestamp.Compare(b.Timestamp)
	})
}

func firstProductKey(st Statement) string {
	if len(st.Products) == 0 {
		return ""
	}
	return productKey(st.Products[0])
}
