package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
)

// Audit actions of cases. Details name the case, its product and what
// changed (states, stages, times), never titles, descriptions, notes or
// messages.
const (
	ActCaseCreate     = "case.create"
	ActCaseUpdate     = "case.update"
	ActCaseTransition = "case.transition"
	ActCaseExploited  = "case.exploited"
	ActCaseIncident   = "case.incident"
	ActCaseMeasure    = "case.measure"
	ActCaseSubmission = "case.submission"
	ActCaseReply      = "case.reply"
	ActCaseDraft      = "case.draft"
	// NotifyCaseDeadline is the kind of deadline reminder notifications.
	NotifyCaseDeadline = "case.deadline"
)

// Limits of case fields, in bytes.
const (
	maxCaseTitle = 300
	maxCaseText  = 32 << 10
	maxCaseNote  = 8 << 10
	maxCaseID    = 100
	maxCaseList  = 100
)

// caseZone is the time zone of calendar days and months in the Article 14
// clocks. craft serve has no setting for the manufacturer's zone yet, so
// it counts in UTC; hours are absolute either way (docs/cases.md).
func caseZone() *time.Location { return time.UTC }

// caseAllowed says whether the caller holds perm on the case's product.
func caseAllowed(p auth.Principal, perm auth.Permission, productID string) bool {
	return auth.Authorize(p, perm, productID) == nil
}

// loadCase loads the case {ref} if the caller holds perm on its product;
// otherwise 404, so that references of other products are not confirmed.
func (c *caseHandlers) loadCase(r *http.Request, perm auth.Permission) (store.Case, error) {
	ref := r.PathValue("ref")
	if len(ref) > 40 || !strings.HasPrefix(ref, "CASE-") {
		return store.Case{}, notFound()
	}
	cs, err := c.s.store.GetCase(r.Context(), ref)
	if errors.Is(err, store.ErrNotFound) {
		return store.Case{}, notFound()
	}
	if err != nil {
		return store.Case{}, err
	}
	if !caseAllowed(PrincipalFrom(r.Context()), perm, cs.ProductID) {
		return store.Case{}, notFound()
	}
	return cs, nil
}

// cleanID checks an identifier (a CVE, a release version): printable, no
// spaces, at most maxCaseID bytes.
func cleanID(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if len(v) > maxCaseID {
		return "", badRequest("%s is longer than %d bytes", field, maxCaseID)
	}
	for _, r := range v {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return "", badRequest("%s must be printable text without spaces", field)
		}
	}
	return v, nil
}

// cleanIDs checks a list of identifiers, dropping duplicates.
func cleanIDs(field string, vs []string) ([]string, error) {
	if len(vs) > maxCaseList {
		return nil, badRequest("%s has more than %d entries", field, maxCaseList)
	}
	var out []string
	seen := map[string]bool{}
	for i, v := range vs {
		v, err := cleanID(fmt.Sprintf("%s[%d]", field, i), v)
		if err != nil {
			return nil, err
		}
		if v == "" {
			return nil, badRequest("%s[%d] is empty", field, i)
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// cleanCVE checks a CVE ID's shape: CVE-YYYY-NNNN….
func cleanCVE(v string) (string, error) {
	v, err := cleanID("cve", v)
	if err != nil || v == "" {
		return v, err
	}
	parts := strings.Split(v, "-")
	if len(parts) != 3 || parts[0] != "CVE" || len(parts[1]) != 4 || len(parts[2]) < 4 || !digits(parts[1]) || !digits(parts[2]) {
		return "", badRequest("cve must look like CVE-2026-12345")
	}
	return v, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// scoreVectors checks and scores the CVSS vectors; "" clears one.
func scoreVectors(cs *store.Case, v31, v40 *string) error {
	if v31 != nil {
		cs.CVSS31Vector, cs.CVSS31Score = "", 0
		if strings.TrimSpace(*v31) != "" {
			sc, err := cases.ScoreCVSS31(*v31)
			if err != nil {
				return badRequest("cvss_v3_1: %s", err.Error())
			}
			cs.CVSS31Vector, cs.CVSS31Score = sc.Vector, int64(math.Round(sc.Score*10))
		}
	}
	if v40 != nil {
		cs.CVSS40Vector, cs.CVSS40Score = "", 0
		if strings.TrimSpace(*v40) != "" {
			sc, err := cases.ScoreCVSS40(*v40)
			if err != nil {
				return badRequest("cvss_v4_0: %s", err.Error())
			}
			cs.CVSS40Vector, cs.CVSS40Score = sc.Vector, int64(math.Round(sc.Score*10))
		}
	}
	return nil
}

// caseFields are the fields an officer sets by hand, on creation and with
// PATCH; nil leaves a field as it is.
type caseFields struct {
	Title            *string   `json:"title"`
	Description      *string   `json:"description"`
	AffectedReleases *[]string `json:"affected_releases"`
	FixedInRelease   *string   `json:"fixed_in_release"`
	CVSS31           *string   `json:"cvss_v3_1"`
	CVSS40           *string   `json:"cvss_v4_0"`
	CVE              *string   `json:"cve"`
	OtherIDs         *[]string `json:"other_ids"`
	// EmbargoUntil is an RFC 3339 time, "" to clear.
	EmbargoUntil *string `json:"embargo_until"`
}

// apply checks the fields and sets them on cs; it names the first field
// that is wrong.
func (f caseFields) apply(cs *store.Case) error {
	var err error
	if f.Title != nil {
		if cs.Title, err = cleanText("title", *f.Title, maxCaseTitle, true); err != nil {
			return err
		}
		if strings.ContainsAny(cs.Title, "\r\n") {
			return badRequest("title must be one line")
		}
	}
	if f.Description != nil {
		if cs.Description, err = cleanText("description", *f.Description, maxCaseText, false); err != nil {
			return err
		}
	}
	if f.AffectedReleases != nil {
		if cs.AffectedReleases, err = cleanIDs("affected_releases", *f.AffectedReleases); err != nil {
			return err
		}
	}
	if f.FixedInRelease != nil {
		if cs.FixedIn, err = cleanID("fixed_in_release", *f.FixedInRelease); err != nil {
			return err
		}
	}
	if err := scoreVectors(cs, f.CVSS31, f.CVSS40); err != nil {
		return err
	}
	if f.CVE != nil {
		if cs.CVE, err = cleanCVE(*f.CVE); err != nil {
			return err
		}
	}
	if f.OtherIDs != nil {
		if cs.OtherIDs, err = cleanIDs("other_ids", *f.OtherIDs); err != nil {
			return err
		}
	}
	if f.EmbargoUntil != nil {
		cs.EmbargoUntil = time.Time{}
		if v := strings.TrimSpace(*f.EmbargoUntil); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return badRequest("embargo_until: want an RFC 3339 time such as 2027-01-15T00:00:00Z")
			}
			cs.EmbargoUntil = t.UTC()
		}
	}
	return nil
}

// caseCreate is the body of POST /api/v1/cases: exactly one of
// from_report, from_finding or product (a case by hand).
type caseCreate struct {
	FromReport  string      `json:"from_report"`
	FromFinding *findingRef `json:"from_finding"`
	Product     string      `json:"product"`
	caseFields
}

type findingRef struct {
	Product   string `json:"product"`
	Version   string `json:"version"`
	VulnID    string `json:"vuln_id"`
	Component string `json:"component"`
}

// createCase checks and stores a new case with its audit event.
func (c *caseHandlers) createCase(r *http.Request, in caseCreate) (store.Case, error) {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	n := 0
	for _, set := range []bool{in.FromReport != "", in.FromFinding != nil, in.Product != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return store.Case{}, badRequest("send exactly one of from_report, from_finding or product")
	}
	cs := store.Case{CreatedBy: actorOf(r), State: string(cases.StateNew)}
	summary := "created by hand"
	switch {
	case in.FromReport != "":
		rep, err := c.s.store.GetReport(ctx, in.FromReport)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !reportAllowed(p, auth.PermCaseManage, rep)) {
			return store.Case{}, &Error{Status: http.StatusNotFound, Detail: "from_report: no such report"}
		}
		if err != nil {
			return store.Case{}, err
		}
		if rep.ProductID == "" {
			return store.Case{}, badRequest("from_report: the report names no product craft knows; create the case by hand with product")
		}
		cs.ProductID, cs.Source, cs.ReportID = rep.ProductID, store.CaseFromReport, rep.ID
		cs.Title = firstLine(rep.Title, "Report "+rep.Reference)
		cs.Description = rep.Description
		if v, err := cleanID("version", rep.Version); err == nil && v != "" {
			cs.AffectedReleases = []string{v}
		}
		summary = "created from report " + rep.Reference
	case in.FromFinding != nil:
		f := *in.FromFinding
		if f.Product == "" || f.Version == "" || f.VulnID == "" || f.Component == "" {
			return store.Case{}, badRequest("from_finding needs product, version, vuln_id and component")
		}
		if !caseAllowed(p, auth.PermCaseManage, f.Product) {
			return store.Case{}, &Error{Status: http.StatusNotFound, Detail: "from_finding: no such finding"}
		}
		fd, err := c.finding(ctx, f)
		if err != nil {
			return store.Case{}, err
		}
		cs.ProductID, cs.Source = f.Product, store.CaseFromFinding
		cs.FindingRelease, cs.FindingVuln, cs.FindingComponent = f.Version, fd.VulnID, fd.ComponentID
		cs.Title = firstLine(fmt.Sprintf("%s in %s %s", fd.VulnID, fd.ComponentName, fd.ComponentVersion), fd.VulnID)
		cs.AffectedReleases = []string{f.Version}
		for _, id := range append([]string{fd.VulnID}, fd.Aliases...) {
			if strings.HasPrefix(id, "CVE-") && cs.CVE == "" {
				cs.CVE = id
			} else if id != cs.CVE && !containsStr(cs.OtherIDs, id) {
				cs.OtherIDs = append(cs.OtherIDs, id)
			}
		}
		if fd.KEVDateAdded != "" {
			cs.ExploitationNote = "Listed in the CISA Known Exploited Vulnerabilities catalog since " + fd.KEVDateAdded + "."
		}
		summary = "created from finding " + fd.VulnID + " in release " + f.Version
	default:
		if !caseAllowed(p, auth.PermCaseManage, in.Product) {
			return store.Case{}, &Error{Status: http.StatusNotFound, Detail: "product: no such product"}
		}
		cs.ProductID, cs.Source = in.Product, store.CaseManual
		if in.Title == nil {
			return store.Case{}, badRequest("title is required")
		}
	}
	if err := in.caseFields.apply(&cs); err != nil {
		return store.Case{}, err
	}
	// The releases an officer names must exist; the version a reporter
	// gave is kept as reported.
	if in.AffectedReleases != nil {
		if err := c.checkReleases(ctx, cs.ProductID, "affected_releases", cs.AffectedReleases); err != nil {
			return store.Case{}, err
		}
	}
	if in.FixedInRelease != nil {
		if err := c.checkReleases(ctx, cs.ProductID, "fixed_in_release", []string{cs.FixedIn}); err != nil {
			return store.Case{}, err
		}
	}
	var out store.Case
	err := c.s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.CreateCase(ctx, cs, summary); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, c.auditEvent(r, ActCaseCreate, out, map[string]string{"source": cs.Source}))
		return err
	})
	if err != nil {
		return store.Case{}, err
	}
	c.s.m.audit.Inc()
	return c.s.store.GetCase(ctx, out.Reference)
}

// finding looks up a finding of a release by vulnerability (ID or alias)
// and component (ID, name or purl).
func (c *caseHandlers) finding(ctx context.Context, f findingRef) (store.Finding, error) {
	rel, err := c.s.store.GetRelease(ctx, f.Product, f.Version)
	if errors.Is(err, store.ErrNotFound) {
		return store.Finding{}, &Error{Status: http.StatusNotFound, Detail: "from_finding: no such release"}
	}
	if err != nil {
		return store.Finding{}, err
	}
	fs, err := c.s.store.ListReleaseFindings(ctx, rel.ID)
	if err != nil {
		return store.Finding{}, err
	}
	for _, fd := range fs {
		if (fd.VulnID == f.VulnID || containsStr(fd.Aliases, f.VulnID)) &&
			(fd.ComponentID == f.Component || fd.ComponentName == f.Component || fd.ComponentPURL == f.Component) {
			return fd, nil
		}
	}
	return store.Finding{}, &Error{Status: http.StatusNotFound, Detail: "from_finding: the release has no such finding"}
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// firstLine is the first line of s cut to the title limit, or def when s
// is empty.
func firstLine(s, def string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if s == "" {
		return def
	}
	r := []rune(s)
	for len(string(r)) > maxCaseTitle {
		r = r[:len(r)-1]
	}
	return string(r)
}

// auditEvent is the audit event of a change to cs.
func (c *caseHandlers) auditEvent(r *http.Request, action string, cs store.Case, detail map[string]string) store.Event {
	d := map[string]string{"product": cs.ProductID, "request_id": RequestID(r.Context())}
	for k, v := range detail {
		d[k] = v
	}
	return store.Event{At: c.s.now(), Actor: actorOf(r), Action: action, Target: "case:" + cs.Reference,
		SourceIP: ClientIP(r), Detail: d}
}

// update stores cs with a history event and its audit event in one
// transaction.
func (c *caseHandlers) update(r *http.Request, cs store.Case, ev store.CaseEvent, action string, detail map[string]string) (store.Case, error) {
	ctx := r.Context()
	ev.Actor = actorOf(r)
	err := c.s.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := updateCaseAndReport(ctx, tx, cs, ev); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, c.auditEvent(r, action, cs, detail))
		return err
	})
	if err != nil {
		return store.Case{}, err
	}
	c.s.m.audit.Inc()
	return c.s.store.GetCase(ctx, cs.Reference)
}

// transition moves cs to the state to. Confirming a case made from a
// KEV-listed finding in a release in support starts the Article 14 clock
// of an actively exploited vulnerability at the moment of confirmation
// (the manufacturer is aware from then on), unless it already runs.
func (c *caseHandlers) transition(r *http.Request, cs store.Case, to, comment string) (store.Case, error) {
	comment, err := cleanText("comment", comment, maxCaseNote, false)
	if err != nil {
		return store.Case{}, err
	}
	from := cs.State
	if err := cases.CheckTransition(cases.State(from), cases.State(to)); err != nil {
		return store.Case{}, &Error{Status: http.StatusConflict, Type: "invalid-transition", Detail: err.Error()}
	}
	cs.State = to
	detail := map[string]string{"from": from, "to": to}
	summary := "state " + from + " → " + to
	if to == string(cases.StateConfirmed) && !cs.Exploited && cs.Source == store.CaseFromFinding {
		kev, err := c.kevInSupport(r.Context(), cs)
		if err != nil {
			return store.Case{}, err
		}
		if kev {
			cs.Exploited, cs.ExploitedAwareAt = true, c.s.now().UTC()
			detail["exploited"] = "kev"
			summary += "; KEV-listed finding in a supported release: marked actively exploited"
		}
	}
	return c.update(r, cs, store.CaseEvent{Kind: "transition", Summary: summary, Comment: comment}, ActCaseTransition, detail)
}

// kevInSupport says whether the case's finding is KEV-listed and its
// release's product is in its support period.
func (c *caseHandlers) kevInSupport(ctx context.Context, cs store.Case) (bool, error) {
	fd, err := c.finding(ctx, findingRef{Product: cs.ProductID, Version: cs.FindingRelease, VulnID: cs.FindingVuln, Component: cs.FindingComponent})
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return false, nil // the finding is gone (fixed, re-matched): nothing to start
	}
	if err != nil {
		return false, err
	}
	prof, err := c.s.store.GetProductProfile(ctx, cs.ProductID)
	if err != nil {
		return false, err
	}
	return fd.KEVDateAdded != "" && inSupport(supportStatus(prof, c.s.now())), nil
}

// pastTime reads an optional RFC 3339 time that must not be in the
// future; "" is now.
func (c *caseHandlers) pastTime(field, v string) (time.Time, error) {
	now := c.s.now().UTC()
	v = strings.TrimSpace(v)
	if v == "" {
		return now, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badRequest("%s: want an RFC 3339 time such as 2026-12-04T09:30:00Z", field)
	}
	if t.After(now.Add(time.Minute)) {
		return time.Time{}, badRequest("%s is in the future; record it when it has happened", field)
	}
	if t.Before(now.AddDate(-10, 0, 0)) {
		return time.Time{}, badRequest("%s is more than ten years ago", field)
	}
	return t.UTC(), nil
}

type exploitedInput struct {
	AwareAt string `json:"aware_at"`
	Note    string `json:"note"`
}

// markExploited records that the vulnerability is actively exploited and
// when the manufacturer became aware: the start of the 24 h and 72 h
// clocks. Marking again corrects the awareness time (audited with both).
func (c *caseHandlers) markExploited(r *http.Request, cs store.Case, in exploitedInput) (store.Case, error) {
	at, err := c.pastTime("aware_at", in.AwareAt)
	if err != nil {
		return store.Case{}, err
	}
	note, err := cleanText("note", in.Note, maxCaseNote, false)
	if err != nil {
		return store.Case{}, err
	}
	if cases.State(cs.State) == cases.StateNotVulnerability || cases.State(cs.State) == cases.StateDuplicate {
		return store.Case{}, &Error{Status: http.StatusConflict, Detail: "the case is closed as " + cs.State + "; reopen it (transition to triage) first"}
	}
	detail := map[string]string{"aware_at": at.Format(time.RFC3339)}
	if cs.Exploited {
		detail["previous_aware_at"] = cs.ExploitedAwareAt.Format(time.RFC3339)
	}
	cs.Exploited, cs.ExploitedAwareAt = true, at
	if note != "" {
		cs.ExploitationNote = note
	}
	return c.update(r, cs, store.CaseEvent{Kind: "exploited",
		Summary: "marked actively exploited; aware since " + at.Format(time.RFC3339)}, ActCaseExploited, detail)
}

type incidentInput struct {
	AwareAt    string `json:"aware_at"`
	OccurredAt string `json:"occurred_at"`
	// Malicious is "yes", "no" or "" (not assessed yet).
	Malicious string `json:"suspected_malicious"`
}

// markIncident records a severe incident having an impact on the security
// of the product (Art. 14(3)) and when the manufacturer became aware.
func (c *caseHandlers) markIncident(r *http.Request, cs store.Case, in incidentInput) (store.Case, error) {
	at, err := c.pastTime("aware_at", in.AwareAt)
	if err != nil {
		return store.Case{}, err
	}
	var occurred time.Time
	if strings.TrimSpace(in.OccurredAt) != "" {
		if occurred, err = c.pastTime("occurred_at", in.OccurredAt); err != nil {
			return store.Case{}, err
		}
	}
	switch in.Malicious {
	case "", "yes", "no":
	default:
		return store.Case{}, badRequest(`suspected_malicious: want "yes", "no" or "" (not assessed)`)
	}
	cs.Incident, cs.IncidentAwareAt, cs.IncidentOccurred, cs.IncidentMalicious = true, at, occurred, in.Malicious
	return c.update(r, cs, store.CaseEvent{Kind: "incident",
		Summary: "marked severe incident; aware since " + at.Format(time.RFC3339)}, ActCaseIncident,
		map[string]string{"aware_at": at.Format(time.RFC3339)})
}

type measureInput struct {
	AvailableAt    string  `json:"available_at"`
	FixedInRelease *string `json:"fixed_in_release"`
	Note           string  `json:"note"`
}

// recordMeasure records when a corrective or mitigating measure became
// available: the start of the 14-day final report clock.
func (c *caseHandlers) recordMeasure(r *http.Request, cs store.Case, in measureInput) (store.Case, error) {
	if strings.TrimSpace(in.AvailableAt) == "" {
		return store.Case{}, badRequest("available_at is required: when the fix was released or the mitigation published")
	}
	at, err := c.pastTime("available_at", in.AvailableAt)
	if err != nil {
		return store.Case{}, err
	}
	note, err := cleanText("note", in.Note, maxCaseNote, false)
	if err != nil {
		return store.Case{}, err
	}
	if in.FixedInRelease != nil {
		if cs.FixedIn, err = cleanID("fixed_in_release", *in.FixedInRelease); err != nil {
			return store.Case{}, err
		}
		if err := c.checkReleases(r.Context(), cs.ProductID, "fixed_in_release", []string{cs.FixedIn}); err != nil {
			return store.Case{}, err
		}
	}
	cs.MeasureAt, cs.MeasureNote = at, note
	return c.update(r, cs, store.CaseEvent{Kind: "measure",
		Summary: "corrective or mitigating measure available since " + at.Format(time.RFC3339)}, ActCaseMeasure,
		map[string]string{"available_at": at.Format(time.RFC3339), "fixed_in": cs.FixedIn})
}

type submissionInput struct {
	Stage       string `json:"stage"`
	SubmittedAt string `json:"submitted_at"`
	Channel     string `json:"channel"`
	Reference   string `json:"reference"`
}

// recordSubmission records that a report was submitted (by hand, on
// ENISA's platform or another channel). The stage must apply to the case.
func (c *caseHandlers) recordSubmission(r *http.Request, cs store.Case, in submissionInput) (store.CaseSubmission, error) {
	st := cases.Stage(in.Stage)
	if !st.Valid() {
		return store.CaseSubmission{}, badRequest("stage: want one of %v", cases.Stages())
	}
	if st.Incident() && !cs.Incident || !st.Incident() && !cs.Exploited {
		return store.CaseSubmission{}, &Error{Status: http.StatusConflict,
			Detail: "stage " + in.Stage + " does not apply: mark the case actively exploited or a severe incident first"}
	}
	if strings.TrimSpace(in.SubmittedAt) == "" {
		return store.CaseSubmission{}, badRequest("submitted_at is required")
	}
	// The future, like a time before awareness, is the clocks' refusal
	// (422, cases.CheckSubmission below); here only the shape.
	at, err := time.Parse(time.RFC3339, strings.TrimSpace(in.SubmittedAt))
	if err != nil {
		return store.CaseSubmission{}, badRequest("submitted_at: want an RFC 3339 time such as 2026-12-04T09:30:00Z")
	}
	at = at.UTC()
	channel, err := cleanText("channel", in.Channel, 200, true)
	if err != nil {
		return store.CaseSubmission{}, err
	}
	ref, err := cleanText("reference", in.Reference, 200, false)
	if err != nil {
		return store.CaseSubmission{}, err
	}
	if strings.ContainsAny(channel+ref, "\r\n") {
		return store.CaseSubmission{}, badRequest("channel and reference must be one line each")
	}
	ctx := r.Context()
	subs, err := c.s.store.ListCaseSubmissions(ctx, cs.ID)
	if err != nil {
		return store.CaseSubmission{}, err
	}
	if err := cases.CheckSubmission(caseFacts(cs, subs), st, at, c.s.now()); err != nil {
		return store.CaseSubmission{}, &Error{Status: http.StatusUnprocessableEntity, Detail: err.Error(), Err: err}
	}
	sub := store.CaseSubmission{Stage: in.Stage, SubmittedAt: at, Channel: channel, Reference: ref, RecordedBy: actorOf(r)}
	err = c.s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		sub, err = tx.AddCaseSubmission(ctx, cs.ID, sub, store.CaseEvent{Actor: actorOf(r), Kind: "submission",
			Summary: st.Name() + " (" + st.Article() + ") submitted at " + at.Format(time.RFC3339)})
		if errors.Is(err, store.ErrConflict) {
			return &Error{Status: http.StatusConflict, Detail: "stage " + in.Stage + " is already recorded as submitted", Err: err}
		}
		if err != nil {
			return err
		}
		// The channel and the platform's reference are not confidential
		// case contents; they are what an auditor checks.
		_, err = tx.AppendAudit(ctx, c.auditEvent(r, ActCaseSubmission, cs, map[string]string{"stage": in.Stage,
			"submitted_at": at.Format(time.RFC3339), "channel": channel, "reference": ref}))
		return err
	})
	if err != nil {
		return store.CaseSubmission{}, err
	}
	c.s.m.audit.Inc()
	return sub, nil
}

// checkReleases refuses (422) a version that is not a release of the
// product, naming the field and the version; "" is no release.
func (c *caseHandlers) checkReleases(ctx context.Context, productID, field string, versions []string) error {
	for i, v := range versions {
		if v == "" {
			continue
		}
		_, err := c.s.store.GetRelease(ctx, productID, v)
		if errors.Is(err, store.ErrNotFound) {
			name := field
			if len(versions) > 1 || field == "affected_releases" {
				name = fmt.Sprintf("%s[%d]", field, i)
			}
			return &Error{Status: http.StatusUnprocessableEntity,
				Detail: fmt.Sprintf("%s: %q is not a release of the case's product; upload it first", name, v)}
		}
		if err != nil {
			return fmt.Errorf("check release %s: %w", v, err)
		}
	}
	return nil
}

// facts gathers the clock inputs of a case.
func caseFacts(cs store.Case, subs []store.CaseSubmission) cases.Facts {
	f := cases.Facts{MeasureAt: cs.MeasureAt, Submitted: map[cases.Stage]time.Time{},
		Closed: cases.State(cs.State).Dismissed()}
	if cs.Exploited {
		f.ExploitedAwareAt = cs.ExploitedAwareAt
	}
	if cs.Incident {
		f.IncidentAwareAt = cs.IncidentAwareAt
	}
	for _, s := range subs {
		f.Submitted[cases.Stage(s.Stage)] = s.SubmittedAt
	}
	return f
}

// deadlines computes a case's clocks.
func (c *caseHandlers) deadlines(ctx context.Context, cs store.Case) ([]cases.Deadline, []store.CaseSubmission, error) {
	subs, err := c.s.store.ListCaseSubmissions(ctx, cs.ID)
	if err != nil {
		return nil, nil, err
	}
	return cases.Deadlines(caseFacts(cs, subs), caseZone()), subs, nil
}

// draft builds the draft of a stage from the case and its product.
func (c *caseHandlers) draft(ctx context.Context, cs store.Case, stage cases.Stage) (cases.Draft, error) {
	ds, _, err := c.deadlines(ctx, cs)
	if err != nil {
		return cases.Draft{}, err
	}
	var due time.Time
	applies := false
	for _, d := range ds {
		if d.Stage == stage {
			due, applies = d.Due, true
		}
	}
	if !applies {
		return cases.Draft{}, &Error{Status: http.StatusConflict,
			Detail: "stage " + string(stage) + " does not apply: mark the case actively exploited or a severe incident first"}
	}
	prof, err := c.s.store.GetProductProfile(ctx, cs.ProductID)
	if err != nil {
		return cases.Draft{}, err
	}
	info := cases.CaseInfo{Reference: cs.Reference, Title: cs.Title, Description: cs.Description,
		Manufacturer: prof.Manufacturer, Product: cs.ProductName, ProductClass: prof.Class,
		AffectedVersions: cs.AffectedReleases, FixedIn: cs.FixedIn, MemberStates: prof.MemberStates,
		CVE: cs.CVE, OtherIDs: cs.OtherIDs, Exploitation: cs.ExploitationNote,
		MeasureAt: cs.MeasureAt, MeasureNote: cs.MeasureNote,
		IncidentAwareAt: cs.IncidentAwareAt, IncidentOccurredAt: cs.IncidentOccurred, IncidentMalicious: cs.IncidentMalicious}
	if cs.CVSS31Vector != "" {
		if sc, err := cases.ScoreCVSS31(cs.CVSS31Vector); err == nil {
			info.CVSS31 = &sc
		}
	}
	if cs.CVSS40Vector != "" {
		if sc, err := cases.ScoreCVSS40(cs.CVSS40Vector); err == nil {
			info.CVSS40 = &sc
		}
	}
	if cs.Exploited && info.Exploitation == "" {
		info.Exploitation = "Actively exploited; the manufacturer became aware at " + cs.ExploitedAwareAt.UTC().Format(time.RFC3339) + "."
	}
	return cases.NewDraft(stage, info, due, c.s.now())
}

// reply adds an officer's message to the reporter thread of a case made
// from a report.
func (c *caseHandlers) reply(r *http.Request, cs store.Case, body string) error {
	if cs.ReportID == "" {
		return &Error{Status: http.StatusConflict, Detail: "the case was not made from a report: it has no reporter to write to"}
	}
	body, err := cleanText("body", body, maxReportMessage, true)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = c.s.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.AddReportMessage(ctx, cs.ReportID, actorOf(r), body); err != nil {
			return err
		}
		if err := tx.AddCaseEvent(ctx, cs.ID, store.CaseEvent{Actor: actorOf(r), Kind: "reply",
			Summary: "message sent to the reporter of " + cs.ReportReference}); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, c.auditEvent(r, ActCaseReply, cs, map[string]string{"report": cs.ReportReference}))
		return err
	})
	if err != nil {
		return err
	}
	c.s.m.audit.Inc()
	return nil
}
