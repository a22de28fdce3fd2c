package server

import (
	"net/http"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
)

type cvssJSON struct {
	Vector string  `json:"vector"`
	Score  float64 `json:"score"`
	Rating string  `json:"rating"`
}

type caseFindingJSON struct {
	Release   string `json:"release"`
	VulnID    string `json:"vuln_id"`
	Component string `json:"component"`
}

// caseJSON is a case as the API shows it.
type caseJSON struct {
	Reference         string           `json:"reference"`
	ProductID         string           `json:"product_id"`
	Product           string           `json:"product"`
	Title             string           `json:"title"`
	Description       string           `json:"description"`
	State             string           `json:"state"`
	NextStates        []string         `json:"next_states"`
	AffectedReleases  []string         `json:"affected_releases"`
	FixedInRelease    string           `json:"fixed_in_release,omitempty"`
	CVSS31            *cvssJSON        `json:"cvss_v3_1,omitempty"`
	CVSS40            *cvssJSON        `json:"cvss_v4_0,omitempty"`
	CVE               string           `json:"cve,omitempty"`
	OtherIDs          []string         `json:"other_ids"`
	EmbargoUntil      *time.Time       `json:"embargo_until,omitempty"`
	ActivelyExploited bool             `json:"actively_exploited"`
	AwareAt           *time.Time       `json:"aware_at,omitempty"`
	ExploitationNote  string           `json:"exploitation_note,omitempty"`
	SevereIncident    bool             `json:"severe_incident"`
	IncidentAwareAt   *time.Time       `json:"incident_aware_at,omitempty"`
	IncidentOccurred  *time.Time       `json:"incident_occurred_at,omitempty"`
	IncidentMalicious string           `json:"suspected_malicious,omitempty"`
	MeasureAt         *time.Time       `json:"measure_available_at,omitempty"`
	MeasureNote       string           `json:"measure_note,omitempty"`
	Source            string           `json:"source"`
	Report            string           `json:"report,omitempty"`
	Finding           *caseFindingJSON `json:"finding,omitempty"`
	CreatedBy         string           `json:"created_by"`
	CreatedAt         time.Time        `json:"created_at"`
	UpdatedAt         time.Time        `json:"updated_at"`
	Deadlines         []deadlineJSON   `json:"deadlines"`
	History           []caseEventJSON  `json:"history,omitempty"`
}

type caseEventJSON struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Kind    string    `json:"kind"`
	Summary string    `json:"summary"`
	Comment string    `json:"comment,omitempty"`
}

// deadlineJSON is one Article 14 clock.
type deadlineJSON struct {
	Stage   string     `json:"stage"`
	Name    string     `json:"name"`
	Article string     `json:"article"`
	Start   *time.Time `json:"start,omitempty"`
	Due     *time.Time `json:"due,omitempty"`
	Waiting string     `json:"waiting,omitempty"`
	// NotReportable says why the report is not due at all (status
	// not_reportable).
	NotReportable string     `json:"not_reportable,omitempty"`
	Status        string     `json:"status"`
	HoursLeft     *float64   `json:"hours_left,omitempty"`
	Submitted     *time.Time `json:"submitted_at,omitempty"`
	Late          bool       `json:"late,omitempty"`
	CoveredBy     string     `json:"covered_by,omitempty"`
	DraftJSON     string     `json:"draft_json"`
	DraftMD       string     `json:"draft_markdown"`
}

func optTimeJSON(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func toDeadlinesJSON(ref string, ds []cases.Deadline, now time.Time) []deadlineJSON {
	out := make([]deadlineJSON, 0, len(ds))
	for _, d := range ds {
		j := deadlineJSON{Stage: string(d.Stage), Name: d.Stage.Name(), Article: d.Article, Start: optTimeJSON(d.Start),
			Due: optTimeJSON(d.Due), Waiting: d.Waiting, NotReportable: d.NotReportable, Status: string(d.Status(now)), Submitted: optTimeJSON(d.SubmittedAt),
			Late: d.Late(), CoveredBy: string(d.CoveredBy),
			DraftJSON: "/api/v1/cases/" + ref + "/drafts/" + string(d.Stage) + "?format=json",
			DraftMD:   "/api/v1/cases/" + ref + "/drafts/" + string(d.Stage) + "?format=markdown"}
		if d.Pending() {
			h := float64(d.Left(now).Round(time.Minute)) / float64(time.Hour)
			j.HoursLeft = &h
		}
		out = append(out, j)
	}
	return out
}

func toCaseJSON(cs store.Case, ds []cases.Deadline, now time.Time) caseJSON {
	out := caseJSON{Reference: cs.Reference, ProductID: cs.ProductID, Product: cs.ProductName, Title: cs.Title,
		Description: cs.Description, State: cs.State, NextStates: []string{}, AffectedReleases: nonNil(cs.AffectedReleases),
		FixedInRelease: cs.FixedIn, CVE: cs.CVE, OtherIDs: nonNil(cs.OtherIDs), EmbargoUntil: optTimeJSON(cs.EmbargoUntil),
		ActivelyExploited: cs.Exploited, ExploitationNote: cs.ExploitationNote, SevereIncident: cs.Incident,
		IncidentMalicious: cs.IncidentMalicious, MeasureAt: optTimeJSON(cs.MeasureAt), MeasureNote: cs.MeasureNote,
		Source: cs.Source, Report: cs.ReportReference, CreatedBy: cs.CreatedBy, CreatedAt: cs.CreatedAt, UpdatedAt: cs.UpdatedAt,
		Deadlines: toDeadlinesJSON(cs.Reference, ds, now)}
	for _, n := range cases.State(cs.State).Next() {
		out.NextStates = append(out.NextStates, string(n))
	}
	if cs.Exploited {
		out.AwareAt = optTimeJSON(cs.ExploitedAwareAt)
	}
	if cs.Incident {
		out.IncidentAwareAt, out.IncidentOccurred = optTimeJSON(cs.IncidentAwareAt), optTimeJSON(cs.IncidentOccurred)
	}
	if cs.CVSS31Vector != "" {
		if sc, err := cases.ScoreCVSS31(cs.CVSS31Vector); err == nil {
			out.CVSS31 = &cvssJSON{Vector: sc.Vector, Score: sc.Score, Rating: sc.Rating}
		}
	}
	if cs.CVSS40Vector != "" {
		if sc, err := cases.ScoreCVSS40(cs.CVSS40Vector); err == nil {
			out.CVSS40 = &cvssJSON{Vector: sc.Vector, Score: sc.Score, Rating: sc.Rating}
		}
	}
	if cs.Source == store.CaseFromFinding {
		out.Finding = &caseFindingJSON{Release: cs.FindingRelease, VulnID: cs.FindingVuln, Component: cs.FindingComponent}
	}
	return out
}

// caseCursor is the sort key of the list: newest first.
type caseCursor struct {
	At  int64  `json:"t"`
	Ref string `json:"r"`
}

// readableProducts is the list filter of the caller: every product, or
// those where it holds case:read.
func readableProducts(p auth.Principal) store.CaseFilter {
	all, ids := p.ProductFilter()
	f := store.CaseFilter{All: all}
	if !all {
		for _, id := range ids {
			if caseAllowed(p, auth.PermCaseRead, id) {
				f.ProductIDs = append(f.ProductIDs, id)
			}
		}
	}
	return f
}

// apiList is GET /api/v1/cases: the cases of the products where the
// caller holds case:read, newest first, a page at a time.
func (c *caseHandlers) apiList(w http.ResponseWriter, r *http.Request) error {
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	f := readableProducts(PrincipalFrom(r.Context()))
	var cur caseCursor
	more, err := pr.Decode(&cur)
	if err != nil {
		return err
	}
	if more {
		f.BeforeCreated, f.BeforeReference = time.Unix(0, cur.At), cur.Ref
	}
	f.Limit = pr.Limit + 1
	list, err := c.s.store.ListCases(r.Context(), f)
	if err != nil {
		return err
	}
	now := c.s.now()
	rows := make([]caseJSON, 0, len(list))
	for _, cs := range list {
		ds, _, err := c.deadlines(r.Context(), cs)
		if err != nil {
			return err
		}
		rows = append(rows, toCaseJSON(cs, ds, now))
	}
	return writeJSON(w, http.StatusOK, newPage(rows, pr.Limit, func(j caseJSON) any {
		return caseCursor{At: j.CreatedAt.UnixNano(), Ref: j.Reference}
	}))
}

// caseResponse answers a case with its clocks and history.
func (c *caseHandlers) caseResponse(w http.ResponseWriter, r *http.Request, status int, cs store.Case) error {
	ds, _, err := c.deadlines(r.Context(), cs)
	if err != nil {
		return err
	}
	evs, err := c.s.store.ListCaseEvents(r.Context(), cs.ID)
	if err != nil {
		return err
	}
	out := toCaseJSON(cs, ds, c.s.now())
	for _, e := range evs {
		out.History = append(out.History, caseEventJSON{At: e.At, Actor: e.Actor, Kind: e.Kind, Summary: e.Summary, Comment: e.Comment})
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, status, out)
}

// apiCreate is POST /api/v1/cases.
func (c *caseHandlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in caseCreate
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	cs, err := c.createCase(r, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+cs.Reference)
	return c.caseResponse(w, r, http.StatusCreated, cs)
}

// apiGet is GET /api/v1/cases/{ref}.
func (c *caseHandlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseRead)
	if err != nil {
		return err
	}
	return c.caseResponse(w, r, http.StatusOK, cs)
}

// apiPatch is PATCH /api/v1/cases/{ref}: the fields an officer sets by
// hand; those not sent are kept. The state has its own route.
func (c *caseHandlers) apiPatch(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in caseFields
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if cs, err = c.patchCase(r, cs, in); err != nil {
		return err
	}
	return c.caseResponse(w, r, http.StatusOK, cs)
}

type transitionInput struct {
	To      string `json:"to"`
	Comment string `json:"comment"`
}

// apiTransition is POST /api/v1/cases/{ref}/transitions.
func (c *caseHandlers) apiTransition(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in transitionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if cs, err = c.transition(r, cs, in.To, in.Comment); err != nil {
		return err
	}
	return c.caseResponse(w, r, http.StatusOK, cs)
}

// apiExploited is POST /api/v1/cases/{ref}/exploited.
func (c *caseHandlers) apiExploited(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in exploitedInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if cs, err = c.markExploited(r, cs, in); err != nil {
		return err
	}
	return c.caseResponse(w, r, http.StatusOK, cs)
}

// apiIncident is POST /api/v1/cases/{ref}/incident.
func (c *caseHandlers) apiIncident(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in incidentInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if cs, err = c.markIncident(r, cs, in); err != nil {
		return err
	}
	return c.caseResponse(w, r, http.StatusOK, cs)
}

// apiMeasure is POST /api/v1/cases/{ref}/measure.
func (c *caseHandlers) apiMeasure(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in measureInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if cs, err = c.recordMeasure(r, cs, in); err != nil {
		return err
	}
	return c.caseResponse(w, r, http.StatusOK, cs)
}

// apiDeadlines is GET /api/v1/cases/{ref}/deadlines.
func (c *caseHandlers) apiDeadlines(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseRead)
	if err != nil {
		return err
	}
	ds, _, err := c.deadlines(r.Context(), cs)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, map[string]any{"reference": cs.Reference, "zone": caseZone().String(),
		"deadlines": toDeadlinesJSON(cs.Reference, ds, c.s.now())})
}

// apiDraft is GET /api/v1/cases/{ref}/drafts/{stage}?format=json|markdown:
// the report draft, as a download. Drafts hold case contents, so who
// fetched which is audited (without them).
func (c *caseHandlers) apiDraft(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseRead)
	if err != nil {
		return err
	}
	stage := cases.Stage(r.PathValue("stage"))
	if !stage.Valid() {
		return &Error{Status: http.StatusNotFound, Detail: "no such report stage"}
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "markdown" {
		return badRequest(`format: want "json" or "markdown"`)
	}
	d, err := c.draft(r.Context(), cs, stage)
	if err != nil {
		return err
	}
	if err := c.s.audit(r, ActCaseDraft, "case:"+cs.Reference, map[string]string{"product": cs.ProductID,
		"stage": string(stage), "format": format}); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	name := cs.Reference + "-" + string(stage)
	if format == "markdown" {
		h.Set("Content-Type", "text/markdown; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.md"`)
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(d.Markdown())
		return err
	}
	b, err := d.JSON()
	if err != nil {
		return err
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

type submissionJSON struct {
	Stage       string    `json:"stage"`
	SubmittedAt time.Time `json:"submitted_at"`
	Channel     string    `json:"channel"`
	Reference   string    `json:"reference,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// apiSubmission is POST /api/v1/cases/{ref}/submissions.
func (c *caseHandlers) apiSubmission(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in submissionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sub, err := c.recordSubmission(r, cs, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, submissionJSON{Stage: sub.Stage, SubmittedAt: sub.SubmittedAt,
		Channel: sub.Channel, Reference: sub.Reference, RecordedBy: sub.RecordedBy, RecordedAt: sub.RecordedAt})
}

// caseMessages is the thread with the reporter of the case's report
// (empty for other cases).
func (c *caseHandlers) caseMessages(r *http.Request, cs store.Case) (map[string]any, error) {
	out := []messageJSON{}
	if cs.ReportID != "" {
		msgs, err := c.s.store.ListReportMessages(r.Context(), cs.ReportID)
		if err != nil {
			return nil, err
		}
		if m := toReportJSON(store.Report{}, msgs, false).Messages; m != nil {
			out = m
		}
	}
	return map[string]any{"report": cs.ReportReference, "messages": out}, nil
}

// apiMessages is GET /api/v1/cases/{ref}/messages.
func (c *caseHandlers) apiMessages(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseRead)
	if err != nil {
		return err
	}
	out, err := c.caseMessages(r, cs)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// apiReply is POST /api/v1/cases/{ref}/messages: answer the reporter; the
// answer is the thread.
func (c *caseHandlers) apiReply(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in messageInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := c.reply(r, cs, in.Body); err != nil {
		return err
	}
	out, err := c.caseMessages(r, cs)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, out)
}
