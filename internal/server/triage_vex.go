package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/vex"
)

// vexUploadMaxBody is the body limit of a VEX upload (8 MiB): a release's
// whole triage state with thousands of statements fits many times over.
const vexUploadMaxBody int64 = 8 << 20

// releaseIRI identifies a release in VEX documents. Products carry no purl
// in craft, so it is a stable craft URN from the product ID and version.
func releaseIRI(productID, version string) string {
	return "urn:craft:product:" + url.PathEscape(productID) + ":release:" + url.PathEscape(version)
}

// releaseStatements turns a release's findings into one VEX statement each:
// the release is the product, the component its subcomponent (by
// component key), the status and its justification or action statement
// from the triage decision, the time of that decision (else first seen).
func releaseStatements(rf releaseFindings) []vex.Statement {
	product := releaseIRI(rf.ProductID, rf.Release.Version)
	out := make([]vex.Statement, 0, len(rf.Findings))
	for _, f := range rf.Findings {
		st := vex.Statement{Vulnerability: f.ID, Status: vex.Status(f.Status), Timestamp: f.FirstSeen,
			Products: []vex.Product{{Component: vex.Component{ID: product},
				Subcomponents: []vex.Component{{ID: f.Component.Key}}}}}
		for _, a := range f.Aliases {
			if !strings.EqualFold(a, f.ID) {
				st.Aliases = append(st.Aliases, a)
			}
		}
		if f.Triage != nil {
			st.Justification = vex.Justification(f.Triage.Justification)
			st.ActionStatement = f.Triage.ActionStatement
			st.Timestamp = f.Triage.DecidedAt
		}
		out = append(out, st)
	}
	return out
}

// getVEX is GET .../vex?format=openvex|cyclonedx: the release's triage
// state as a VEX document.
func (s *Server) getVEX(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	switch format {
	case "":
		format = "openvex"
	case "openvex", "cyclonedx":
	default:
		return badRequest("format: %q is not openvex or cyclonedx", shorten(format, 40))
	}
	rf, err := s.loadReleaseFindings(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	author := rf.Profile.Manufacturer
	if strings.TrimSpace(author) == "" {
		author = "craft serve"
	}
	doc := vex.Document{Author: author, Timestamp: s.now(), Tooling: "craft serve", Statements: releaseStatements(rf)}
	var buf bytes.Buffer
	ctype, ext := "application/json", "openvex.json"
	if format == "cyclonedx" {
		ctype, ext = "application/vnd.cyclonedx+json", "cdx.vex.json"
		err = vex.WriteCycloneDXVEX(&buf, doc)
	} else {
		err = vex.WriteOpenVEX(&buf, doc)
	}
	if errors.Is(err, vex.ErrNoStatements) {
		return &Error{Status: http.StatusConflict, Detail: "the release has no findings, so a VEX document would state nothing"}
	}
	if err != nil {
		return fmt.Errorf("vex out: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+safeFileName(rf.Release.Version)+"."+ext+`"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}

// safeFileName keeps letters, digits, dot, dash and underscore.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// vexImportJSON answers a VEX upload.
type vexImportJSON struct {
	Document   string             `json:"document"`
	Author     string             `json:"author"`
	Statements int                `json:"statements"`
	Applied    []triageResultJSON `json:"applied"`
	Unchanged  int                `json:"unchanged"`
	Unmatched  []vexUnmatchedJSON `json:"unmatched"`
	Skipped    []vexUnmatchedJSON `json:"skipped"`
}

// vexUnmatchedJSON is a statement that changed nothing, and why.
type vexUnmatchedJSON struct {
	Vulnerability string `json:"vulnerability"`
	Location      string `json:"location"`
	Reason        string `json:"reason"`
}

// postVEX is POST .../vex: a VEX document merged into the release's triage
// state in one transaction. Each statement that applies (vex.Decide, by
// vulnerability or alias and component) to a finding of the release sets
// that finding's status; statements that apply to none, and those craft
// cannot store (not_affected without one of the five justifications,
// affected without an action statement) or that are older than the
// finding's current decision, are returned, never dropped.
func (s *Server) postVEX(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		return badRequest("the VEX document could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("the request body is empty: send an OpenVEX or CycloneDX VEX JSON document")
	}
	stmts, err := vex.Read("upload", bytes.NewReader(data))
	if err != nil {
		return &Error{Status: http.StatusUnprocessableEntity, Detail: shorten(vexText(err.Error()), 500), Err: err}
	}
	docID, author := vexDocumentMeta(data)
	productID, version := r.PathValue("product"), r.PathValue("version")
	rf, err := s.loadReleaseFindings(r.Context(), productID, version)
	if err != nil {
		return err
	}
	idx := vex.NewIndex(stmts)
	product := releaseIRI(productID, rf.Release.Version)
	subjects := make([]vex.Subject, len(rf.Findings))
	for i, f := range rf.Findings {
		subjects[i] = vex.Subject{VulnIDs: append([]string{f.ID}, f.Aliases...), PURL: f.Component.PURL,
			ComponentID: f.Component.Key, ProductIDs: []string{product}, ProductVersion: rf.Release.Version}
	}
	// decide prefers statements about this release; a statement naming the
	// component under another product (a VEX of another release or
	// supplier) applies too.
	decide := func(x func(vex.Subject) (vex.Decision, bool), sub vex.Subject) (vex.Decision, bool) {
		if d, ok := x(sub); ok {
			return d, true
		}
		sub.ProductIDs = nil
		return x(sub)
	}
	out := vexImportJSON{Document: docID, Author: author, Statements: len(stmts),
		Applied: []triageResultJSON{}, Unmatched: []vexUnmatchedJSON{}, Skipped: []vexUnmatchedJSON{}}
	comment := fmt.Sprintf("imported from VEX %s by %s", docID, author)
	var entries []store.TriageEntry
	skipped := map[string]bool{}
	for i, f := range rf.Findings {
		d, ok := decide(idx.Decide, subjects[i])
		if !ok {
			continue
		}
		st := d.Statement
		e := store.TriageEntry{VulnID: f.ID, ComponentKey: f.Component.Key, Status: string(st.Status), Comment: comment}
		switch st.Status {
		case vex.StatusNotAffected:
			e.Justification = string(st.Justification)
			if st.ImpactStatement != "" {
				e.Comment += "\nimpact statement: " + st.ImpactStatement
			}
		case vex.StatusAffected:
			e.ActionStatement = st.ActionStatement
		}
		if err := store.CheckTriageEntry(e); err != nil {
			if !skipped[st.Location] {
				skipped[st.Location] = true
				msg := strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": ")
				out.Skipped = append(out.Skipped, vexUnmatchedJSON{Vulnerability: st.Vulnerability, Location: st.Location, Reason: msg})
			}
			continue
		}
		if f.Status == e.Status && (f.Triage == nil && e.Status == store.TriageUnderInvestigation ||
			f.Triage != nil && f.Triage.Justification == e.Justification && f.Triage.ActionStatement == e.ActionStatement) {
			out.Unchanged++
			continue
		}
		// The latest statement wins, as in OpenVEX: an older document never
		// overrides a newer decision.
		if f.Triage != nil && !st.Timestamp.IsZero() && !st.Timestamp.After(f.Triage.DecidedAt) {
			out.Skipped = append(out.Skipped, vexUnmatchedJSON{Vulnerability: st.Vulnerability, Location: st.Location,
				Reason: "older than the finding's current decision of " + f.Triage.DecidedAt.UTC().Format(time.RFC3339)})
			continue
		}
		entries = append(entries, e)
	}
	// Findings by each of their IDs, so that each statement is tried only
	// against the findings of its vulnerability (thousands of statements
	// times thousands of findings would take minutes).
	byID := map[string][]int{}
	for i, sub := range subjects {
		for _, id := range sub.VulnIDs {
			byID[strings.ToUpper(id)] = append(byID[strings.ToUpper(id)], i)
		}
	}
	for _, st := range stmts {
		matched := false
		one := []vex.Statement{st}
		for _, id := range append([]string{st.Vulnerability}, st.Aliases...) {
			for _, i := range byID[strings.ToUpper(id)] {
				if _, ok := decide(func(x vex.Subject) (vex.Decision, bool) { return vex.Decide(one, x) }, subjects[i]); ok {
					matched = true
					break
				}
			}
			if matched {
				break
			}
		}
		if !matched {
			out.Unmatched = append(out.Unmatched, vexUnmatchedJSON{Vulnerability: st.Vulnerability, Location: st.Location,
				Reason: "names no finding of this release (vulnerability or alias in one of its components)"})
		}
	}
	if len(entries) > 0 {
		outs, err := s.triage(r, productID, version, store.ScopeRelease, "vex", entries)
		if err != nil {
			return err
		}
		for _, o := range outs {
			out.Applied = append(out.Applied, triageResultJSON{VulnID: o.VulnID, Component: o.ComponentKey,
				Release: o.Version, From: o.From, Status: o.To})
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// vexDocumentMeta reads the document ID and author of an OpenVEX (bare or
// in-toto) or CycloneDX document that vex.Read has accepted, for the
// comment of imported decisions. Missing values read as "(no id)" and
// "(unknown author)".
func vexDocumentMeta(data []byte) (id, author string) {
	type openVEXMeta struct {
		ID     string `json:"@id"`
		Author string `json:"author"`
	}
	var doc struct {
		openVEXMeta
		Predicate    *openVEXMeta `json:"predicate"`
		SerialNumber string       `json:"serialNumber"`
		Metadata     *struct {
			Authors      []struct{ Name string } `json:"authors"`
			Manufacturer *struct{ Name string }  `json:"manufacturer"`
			Supplier     *struct{ Name string }  `json:"supplier"`
		} `json:"metadata"`
	}
	// Errors leave the fields empty: the document was read already.
	_ = json.Unmarshal(data, &doc)
	id, author = doc.ID, doc.Author
	if doc.Predicate != nil {
		id, author = doc.Predicate.ID, doc.Predicate.Author
	}
	if id == "" {
		id = doc.SerialNumber
	}
	if m := doc.Metadata; author == "" && m != nil {
		switch {
		case len(m.Authors) > 0:
			author = m.Authors[0].Name
		case m.Manufacturer != nil:
			author = m.Manufacturer.Name
		case m.Supplier != nil:
			author = m.Supplier.Name
		}
	}
	id, author = shorten(vexText(id), 200), shorten(vexText(author), 200)
	if id == "" {
		id = "(no id)"
	}
	if author == "" {
		author = "(unknown author)"
	}
	return id, author
}

// vexText drops control characters and trims, so that text from an
// upload cannot forge lines in comments or errors.
func vexText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s))
}
