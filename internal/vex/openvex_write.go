package vex

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	govex "github.com/openvex/go-vex/pkg/vex"
)

// WriteOpenVEX writes doc as an OpenVEX v0.2.0 JSON document. Its @id is
// derived from the content (go-vex's canonical hash), so the same statements,
// author and time always give the same bytes. Times are written in UTC, the
// document timestamp to the second. Statements without a timestamp take
// the document's. A statement that OpenVEX would reject (not_affected
// without justification or impact statement, unknown status) is an error;
// an affected statement without action statement gets go-vex's "No action
// statement provided", and text that a status does not allow (an impact
// statement on fixed, say) moves to status_notes.
func WriteOpenVEX(w io.Writer, doc Document) error {
	v, err := toOpenVEX(doc)
	if err != nil {
		return err
	}
	if err := v.ToJSON(w); err != nil {
		return fmt.Errorf("vex: writing OpenVEX: %w", err)
	}
	return nil
}

func checkDocument(doc *Document) error {
	if strings.TrimSpace(doc.Author) == "" {
		return errors.New("vex: document author is required")
	}
	if doc.Timestamp.IsZero() {
		return errors.New("vex: document timestamp is required")
	}
	if len(doc.Statements) == 0 {
		return ErrNoStatements
	}
	if doc.Version < 0 {
		return fmt.Errorf("vex: document version %d is negative", doc.Version)
	}
	return nil
}

func toOpenVEX(doc Document) (*govex.VEX, error) {
	if err := checkDocument(&doc); err != nil {
		return nil, err
	}
	ts := doc.Timestamp.UTC().Truncate(time.Second)
	version := max(doc.Version, 1)
	v := &govex.VEX{Metadata: govex.Metadata{
		Context:    govex.ContextLocator(),
		Author:     doc.Author,
		AuthorRole: doc.Role,
		Timestamp:  &ts,
		Version:    version,
		Tooling:    doc.Tooling,
	}}
	sts := slices.Clone(doc.Statements)
	sortStatements(sts)
	seen := map[string]bool{}
	for i := range sts {
		gs, err := statementToOpenVEX(&sts[i], ts)
		if err != nil {
			return nil, fmt.Errorf("vex: statement %d (%s): %w", i, sts[i].Vulnerability, err)
		}
		b, err := json.Marshal(gs)
		if err != nil {
			return nil, fmt.Errorf("vex: statement %d (%s): %w", i, sts[i].Vulnerability, err)
		}
		key := string(b)
		if seen[key] {
			continue
		}
		seen[key] = true
		v.Statements = append(v.Statements, *gs)
	}
	hash, err := canonicalHash(v)
	if err != nil {
		return nil, fmt.Errorf("vex: deriving the OpenVEX document id: %w", err)
	}
	ns := strings.TrimRight(doc.Namespace, "/")
	if ns == "" {
		ns = govex.PublicNamespace + "/public"
	}
	v.ID = ns + "/vex-" + hash
	return v, nil
}

func statementToOpenVEX(st *Statement, docTime time.Time) (*govex.Statement, error) {
	if strings.TrimSpace(st.Vulnerability) == "" {
		return nil, errors.New("no vulnerability")
	}
	if err := checkStatement(st); err != nil {
		return nil, err
	}
	ts := docTime
	if !st.Timestamp.IsZero() {
		ts = st.Timestamp.UTC()
	}
	gs := &govex.Statement{
		Vulnerability: govex.Vulnerability{Name: govex.VulnerabilityID(st.Vulnerability)},
		Timestamp:     &ts,
		Status:        govex.Status(st.Status),
		StatusNotes:   st.StatusNotes,
	}
	for _, a := range st.Aliases {
		if a != "" && a != st.Vulnerability && !slices.Contains(gs.Vulnerability.Aliases, govex.VulnerabilityID(a)) {
			gs.Vulnerability.Aliases = append(gs.Vulnerability.Aliases, govex.VulnerabilityID(a))
		}
	}
	var notes []string
	switch st.Status {
	case StatusNotAffected:
		gs.Justification = govex.Justification(st.Justification)
		gs.ImpactStatement = st.ImpactStatement
		notes = append(notes, st.ActionStatement)
	case StatusAffected:
		gs.ActionStatement = st.ActionStatement
		if strings.TrimSpace(gs.ActionStatement) == "" {
			gs.ActionStatement = govex.NoActionStatementMsg
		}
		notes = append(notes, st.ImpactStatement)
	default:
		notes = append(notes, st.ImpactStatement, st.ActionStatement)
	}
	for _, n := range notes {
		if n = strings.TrimSpace(n); n != "" && !strings.Contains(gs.StatusNotes, n) {
			gs.StatusNotes = strings.TrimSpace(gs.StatusNotes + "\n" + n)
		}
	}
	seen := map[string]bool{}
	for _, p := range st.Products {
		gp := govex.Product{Component: componentToOpenVEX(p.Component)}
		scSeen := map[string]bool{}
		for _, sc := range p.Subcomponents {
			if sc.ID != "" && !scSeen[sc.ID] {
				scSeen[sc.ID] = true
				gp.Subcomponents = append(gp.Subcomponents, govex.Subcomponent{Component: componentToOpenVEX(sc)})
			}
		}
		if p.ID == "" || seen[productKey(p)] {
			continue
		}
		seen[productKey(p)] = true
		gs.Products = append(gs.Products, gp)
	}
	if err := gs.Validate(); err != nil {
		return nil, err
	}
	return gs, nil
}

// componentToOpenVEX writes a component's ID as @id and those of its other
// identifiers that OpenVEX can type (purl, cpe) as identifiers.
func componentToOpenVEX(c Component) govex.Component {
	out := govex.Component{ID: iriFor(c.ID)}
	for _, id := range c.Identifiers {
		var t govex.IdentifierType
		switch {
		case strings.HasPrefix(id, "pkg:"):
			t = govex.PURL
		case strings.HasPrefix(id, "cpe:2.3:"):
			t = govex.CPE23
		case strings.HasPrefix(id, "cpe:/"):
			t = govex.CPE22
		default:
			continue
		}
		if out.Identifiers == nil {
			out.Identifiers = map[govex.IdentifierType]string{}
		}
		if _, ok := out.Identifiers[t]; !ok {
			out.Identifiers[t] = id
		}
	}
	return out
}

// refIRIPrefix turns an identifier that is not an absolute IRI (a bom-ref,
// a plain name) into one, as OpenVEX requires for @id; Read turns it back.
const refIRIPrefix = "urn:craft:ref:"

// iriFor returns id when it is an absolute IRI, else id escaped under
// refIRIPrefix.
func iriFor(id string) string {
	if u, err := url.Parse(id); err == nil && u.IsAbs() && !strings.ContainsAny(id, " \t\n\\") {
		return id
	}
	return refIRIPrefix + url.PathEscape(id)
}
