package vex

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	govex "github.com/openvex/go-vex/pkg/vex"
)

// readOpenVEX decodes an OpenVEX document whose @context is ctx.
func readOpenVEX(name, ctx string, data []byte) ([]Statement, error) {
	version := strings.TrimPrefix(strings.TrimPrefix(ctx, openVEXContext), "/")
	var doc *govex.VEX
	var err error
	switch version {
	case "", "v0.0.1":
		// The first OpenVEX shape: vulnerability and products are plain
		// strings. Documents under the unversioned context written by
		// newer tools use the current shape; accept both.
		doc, err = parseOpenVEX001(data)
		if err != nil {
			if cur, curErr := govex.Parse(data); curErr == nil {
				doc, err = cur, nil
			}
		}
	case "v0.2.0":
		doc, err = govex.Parse(data)
	default:
		return nil, fmt.Errorf("vex: %s: unsupported OpenVEX version %q (craft reads v0.0.1 and v0.2.0)", name, version)
	}
	if err != nil {
		return nil, fmt.Errorf("vex: %s: OpenVEX %s: %s", name, versionLabel(version), jsonErr(data, err))
	}
	return fromOpenVEX(name, doc)
}

func versionLabel(v string) string {
	if v == "" {
		return "v0.0.1"
	}
	return v
}

// fromOpenVEX converts a decoded OpenVEX document into statements, checking
// each the way the OpenVEX specification requires.
func fromOpenVEX(name string, doc *govex.VEX) ([]Statement, error) {
	if len(doc.Statements) == 0 {
		return nil, fmt.Errorf("vex: %s: OpenVEX document has no statements", name)
	}
	var docTime time.Time
	if doc.Timestamp != nil {
		docTime = *doc.Timestamp
	}
	out := make([]Statement, 0, len(doc.Statements))
	for i := range doc.Statements {
		gs := &doc.Statements[i]
		loc := fmt.Sprintf("statements[%d]", i)
		vuln := string(gs.Vulnerability.Name)
		if vuln == "" {
			vuln = gs.Vulnerability.ID
		}
		if vuln == "" {
			return nil, fmt.Errorf("vex: %s: %s: statement names no vulnerability", name, loc)
		}
		where := fmt.Sprintf("vex: %s: %s (%s)", name, loc, vuln)
		st := Statement{
			Vulnerability:   vuln,
			Status:          Status(gs.Status),
			Justification:   Justification(gs.Justification),
			ImpactStatement: gs.ImpactStatement,
			ActionStatement: gs.ActionStatement,
			StatusNotes:     gs.StatusNotes,
			Timestamp:       docTime,
			Source:          name,
			Location:        loc,
		}
		if gs.Timestamp != nil && !gs.Timestamp.IsZero() {
			st.Timestamp = *gs.Timestamp
		}
		for _, a := range gs.Vulnerability.Aliases {
			st.Aliases = appendUnique(st.Aliases, string(a), vuln)
		}
		if gs.Vulnerability.ID != "" && gs.Vulnerability.Name != "" {
			st.Aliases = appendUnique(st.Aliases, gs.Vulnerability.ID, vuln)
		}
		for j := range gs.Products {
			p, ok := productFromOpenVEX(&gs.Products[j])
			if !ok {
				return nil, fmt.Errorf("%s: products[%d] has no @id, identifiers or hashes", where, j)
			}
			st.Products = append(st.Products, p)
		}
		if err := checkStatement(&st); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// checkStatement applies the rules a statement must meet to be acted on.
func checkStatement(st *Statement) error {
	if !st.Status.Valid() {
		return fmt.Errorf("unknown status %q (want not_affected, affected, fixed or under_investigation)", st.Status)
	}
	if st.Justification != "" && !st.Justification.Valid() {
		return fmt.Errorf("unknown justification %q", st.Justification)
	}
	if st.Status == StatusNotAffected && st.Justification == "" && strings.TrimSpace(st.ImpactStatement) == "" {
		return fmt.Errorf("status not_affected needs a justification or an impact_statement")
	}
	return nil
}

func productFromOpenVEX(p *govex.Product) (Product, bool) {
	c, ok := componentFromOpenVEX(&p.Component)
	if !ok {
		return Product{}, false
	}
	out := Product{Component: c}
	for i := range p.Subcomponents {
		sc, ok := componentFromOpenVEX(&p.Subcomponents[i].Component)
		if ok {
			out.Subcomponents = append(out.Subcomponents, sc)
		}
	}
	return out, true
}

func componentFromOpenVEX(c *govex.Component) (Component, bool) {
	var ids []string
	for _, t := range []govex.IdentifierType{govex.PURL, govex.CPE23, govex.CPE22} {
		if v := c.Identifiers[t]; v != "" {
			ids = append(ids, v)
		}
	}
	hashes := make([]string, 0, len(c.Hashes))
	for _, h := range c.Hashes {
		if h != "" {
			hashes = append(hashes, string(h))
		}
	}
	slices.Sort(hashes)
	ids = append(ids, hashes...)
	out := Component{ID: c.ID}
	if rest, ok := strings.CutPrefix(out.ID, refIRIPrefix); ok {
		if id, err := url.PathUnescape(rest); err == nil && id != "" {
			out.ID = id
		}
	}
	if out.ID == "" {
		if len(ids) == 0 {
			return Component{}, false
		}
		out.ID, ids = ids[0], ids[1:]
	}
	for _, id := range ids {
		out.Identifiers = appendUnique(out.Identifiers, id, out.ID)
	}
	return out, true
}

// appendUnique appends s unless it is empty, equal to except, or present.
func appendUnique(list []string, s, except string) []string {
	if s == "" || s == except || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// OpenVEX v0.0.1 (https://openvex.dev/ns and …/ns/v0.0.1): the shape
// go-vex reads in compatibility mode only from a file path, so it is
// decoded here into go-vex's current types.
type openVEX001 struct {
	Context    string          `json:"@context"`
	ID         string          `json:"@id"`
	Author     string          `json:"author"`
	Role       string          `json:"role"`
	Timestamp  *time.Time      `json:"timestamp"`
	Version    json.RawMessage `json:"version"`
	Tooling    string          `json:"tooling"`
	Statements []struct {
		Vulnerability   string     `json:"vulnerability"`
		VulnDescription string     `json:"vuln_description"`
		Timestamp       *time.Time `json:"timestamp"`
		Products        []string   `json:"products"`
		Subcomponents   []string   `json:"subcomponents"`
		Status          string     `json:"status"`
		StatusNotes     string     `json:"status_notes"`
		Justification   string     `json:"justification"`
		ImpactStatement string     `json:"impact_statement"`
		ActionStatement string     `json:"action_statement"`
	} `json:"statements"`
}

func parseOpenVEX001(data []byte) (*govex.VEX, error) {
	var old openVEX001
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, err
	}
	doc := &govex.VEX{Metadata: govex.Metadata{
		Context:    old.Context,
		ID:         old.ID,
		Author:     old.Author,
		AuthorRole: old.Role,
		Timestamp:  old.Timestamp,
		Tooling:    old.Tooling,
	}}
	if v, err := strconv.Atoi(strings.Trim(string(old.Version), `"`)); err == nil {
		doc.Version = v
	}
	for _, os := range old.Statements {
		ns := govex.Statement{
			Vulnerability:   govex.Vulnerability{Name: govex.VulnerabilityID(os.Vulnerability), Description: os.VulnDescription},
			Timestamp:       os.Timestamp,
			Status:          govex.Status(os.Status),
			StatusNotes:     os.StatusNotes,
			Justification:   govex.Justification(os.Justification),
			ImpactStatement: os.ImpactStatement,
			ActionStatement: os.ActionStatement,
		}
		for _, id := range os.Products {
			p := govex.Product{Component: govex.Component{ID: id}}
			for _, sc := range os.Subcomponents {
				if sc != "" {
					p.Subcomponents = append(p.Subcomponents, govex.Subcomponent{Component: govex.Component{ID: sc}})
				}
			}
			ns.Products = append(ns.Products, p)
		}
		doc.Statements = append(doc.Statements, ns)
	}
	return doc, nil
}
