package vex

import (
	"fmt"
	"slices"
	"strings"

	govex "github.com/openvex/go-vex/pkg/vex"
	"github.com/package-url/packageurl-go"
)

// Decide returns the statement that applies to s and whether one does.
//
// A statement applies when its vulnerability or one of its aliases equals
// one of s.VulnIDs (ignoring case) and one of its products matches:
//   - a product without subcomponents matches the component (s.PURL or
//     s.ComponentID) or the product being scanned (s.ProductIDs);
//   - a product with subcomponents matches when a subcomponent matches the
//     component and the product matches s.ProductIDs (any product when
//     s.ProductIDs is empty).
//
// Purls match as OpenVEX does: type, namespace and name must be equal; a
// statement purl with a version matches that version only, one without a
// version matches every version; qualifiers in the statement purl must be
// present with the same value in the subject's purl, extra subject
// qualifiers are ignored. Other identifiers must be equal.
//
// When several statements apply the one with the latest timestamp wins;
// on equal timestamps the later one in stmts wins, so callers pass the
// statements of several files in the order the files were given.
func Decide(stmts []Statement, s Subject) (Decision, bool) {
	best := -1
	for i := range stmts {
		best = better(stmts, best, i, &s)
	}
	return decision(stmts, best)
}

// better returns i when statement i applies to s and beats best.
func better(stmts []Statement, best, i int, s *Subject) int {
	if !applies(&stmts[i], s) {
		return best
	}
	if best < 0 || !stmts[i].Timestamp.Before(stmts[best].Timestamp) {
		return i
	}
	return best
}

func decision(stmts []Statement, best int) (Decision, bool) {
	if best < 0 {
		return Decision{}, false
	}
	st := stmts[best]
	return Decision{Statement: st, Suppress: st.Status == StatusNotAffected, Reason: reason(&st)}, true
}

// Index holds statements by vulnerability ID, for deciding many findings
// against many statements. Its Decide gives the same answer as Decide.
type Index struct {
	stmts []Statement
	byID  map[string][]int // upper-cased vulnerability ID or alias → positions
}

// NewIndex indexes stmts; it keeps the slice, which must not be changed.
func NewIndex(stmts []Statement) *Index {
	x := &Index{stmts: stmts, byID: map[string][]int{}}
	for i := range stmts {
		seen := map[string]bool{}
		for _, id := range append([]string{stmts[i].Vulnerability}, stmts[i].Aliases...) {
			k := strings.ToUpper(strings.TrimSpace(id))
			if k != "" && !seen[k] {
				seen[k] = true
				x.byID[k] = append(x.byID[k], i)
			}
		}
	}
	return x
}

// Decide returns the statement that applies to s, as the function Decide.
func (x *Index) Decide(s Subject) (Decision, bool) {
	var cand []int
	for _, id := range s.VulnIDs {
		cand = append(cand, x.byID[strings.ToUpper(strings.TrimSpace(id))]...)
	}
	slices.Sort(cand) // input order decides ties
	cand = slices.Compact(cand)
	best := -1
	for _, i := range cand {
		best = better(x.stmts, best, i, &s)
	}
	return decision(x.stmts, best)
}

// reason is the one-line explanation of a decision.
func reason(st *Statement) string {
	var b strings.Builder
	b.WriteString(string(st.Status))
	if st.Justification != "" {
		b.WriteString(": " + string(st.Justification))
	}
	var text string
	switch st.Status {
	case StatusNotAffected:
		text = st.ImpactStatement
	case StatusAffected:
		text = st.ActionStatement
	}
	if text == "" {
		text = st.StatusNotes
	}
	if text = strings.Join(strings.Fields(text), " "); text != "" {
		b.WriteString(": " + text)
	}
	if st.Source != "" {
		fmt.Fprintf(&b, " (VEX %s", st.Source)
		if st.Location != "" {
			b.WriteString(" " + st.Location)
		}
		b.WriteString(")")
	}
	return b.String()
}

func applies(st *Statement, s *Subject) bool {
	if !vulnMatches(st, s.VulnIDs) {
		return false
	}
	comp := nonEmpty(s.PURL, s.ComponentID)
	for i := range st.Products {
		p := &st.Products[i]
		if len(p.Subcomponents) == 0 {
			if m, ok := componentMatches(&p.Component, comp); ok && versionAllowed(st, m, "") {
				return true
			}
			if m, ok := componentMatches(&p.Component, s.ProductIDs); ok && versionAllowed(st, m, s.ProductVersion) {
				return true
			}
			continue
		}
		if len(s.ProductIDs) > 0 {
			if _, ok := componentMatches(&p.Component, s.ProductIDs); !ok {
				continue
			}
		}
		for j := range p.Subcomponents {
			if m, ok := componentMatches(&p.Subcomponents[j], comp); ok && versionAllowed(st, m, "") {
				return true
			}
		}
	}
	return false
}

func nonEmpty(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func vulnMatches(st *Statement, ids []string) bool {
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if strings.EqualFold(st.Vulnerability, id) {
			return true
		}
		for _, a := range st.Aliases {
			if strings.EqualFold(a, id) {
				return true
			}
		}
	}
	return false
}

// componentMatches returns the candidate that one of c's identifiers
// matches.
func componentMatches(c *Component, candidates []string) (string, bool) {
	for _, cand := range candidates {
		if idMatches(c.ID, cand) {
			return cand, true
		}
		for _, id := range c.Identifiers {
			if idMatches(id, cand) {
				return cand, true
			}
		}
	}
	return "", false
}

func idMatches(stmtID, cand string) bool {
	if stmtID == "" || cand == "" {
		return false
	}
	if stmtID == cand {
		return true
	}
	if strings.HasPrefix(stmtID, "pkg:") && strings.HasPrefix(cand, "pkg:") {
		return govex.PurlMatches(stmtID, cand)
	}
	return false
}

// versionAllowed applies a statement's CycloneDX version limits to the
// matched identifier: its purl version (or, for a product matched by a
// non-purl identifier, productVersion) must be listed or lie in one of the
// vers ranges. A range that cannot be evaluated does not match.
func versionAllowed(st *Statement, matched, productVersion string) bool {
	if len(st.Versions) == 0 && len(st.VersionRanges) == 0 {
		return true
	}
	version := productVersion
	if pu, err := packageurl.FromString(matched); err == nil {
		version = pu.Version
	}
	if version == "" {
		return false
	}
	if slices.Contains(st.Versions, version) {
		return true
	}
	for _, r := range st.VersionRanges {
		if in, ok := versContains(r, version); ok && in {
			return true
		}
	}
	return false
}
