package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
)

// The officers' case pages: /cases (list with countdowns, create) and
// /cases/{ref} (one case with its clocks, drafts, submissions and the
// reporter thread). Forms post to /cases/{ref}/{action}; every change goes
// through the same functions as the API.

// page turns a case page handler into a route handler that answers 500
// when the templates could not be loaded.
func (c *caseHandlers) page(f HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if c.ui == nil {
			return &Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("case pages disabled: templates failed to load")}
		}
		return f(w, r)
	}
}

// deadlineView is a clock as the pages show it.
type deadlineView struct {
	cases.Deadline
	Name     string
	Status   string
	Left     string
	Class    string // "deadline overdue", "deadline soon" or "deadline"
	DraftURL string
}

func deadlineViews(ref string, ds []cases.Deadline, now time.Time) []deadlineView {
	out := make([]deadlineView, 0, len(ds))
	for _, d := range ds {
		v := deadlineView{Deadline: d, Name: d.Stage.Name(), Status: string(d.Status(now)), Class: "deadline",
			DraftURL: "/api/v1/cases/" + ref + "/drafts/" + string(d.Stage)}
		if d.Stage.Incident() {
			v.Name += " (severe incident)"
		}
		switch d.Status(now) {
		case cases.StatusOverdue:
			v.Class, v.Left = "deadline overdue", "overdue by "+strings.TrimSuffix(cases.FormatLeft(d.Left(now)), " ago")
		case cases.StatusOpen:
			v.Left = cases.FormatLeft(d.Left(now)) + " left"
			if d.Left(now) < d.Due.Sub(d.Start)/10 {
				v.Class = "deadline soon"
			}
		case cases.StatusSubmitted:
			v.Left = "submitted"
			switch {
			case d.CoveredBy != "" && d.Late():
				// Article 14(2)(a): the early warning is always due; a
				// later report that came after its deadline does not
				// make up for the missed one.
				v.Class, v.Left = "deadline overdue", "missed — covered late by the "+d.CoveredBy.Name()
			case d.CoveredBy != "":
				v.Left = "covered by the " + d.CoveredBy.Name()
			case d.Late():
				v.Left = "submitted late"
			}
		case cases.StatusWaiting:
			v.Left = d.Waiting
		default:
			v.Left = plainStatus(d.Status(now)) // any other status is shown as it is named
			if d.NotReportable != "" {
				v.Left = d.NotReportable
			}
		}
		out = append(out, v)
	}
	return out
}

// plainStatus is a clock status as words: "not_reportable" reads "not
// reportable".
func plainStatus(st cases.Status) string {
	return strings.ReplaceAll(string(st), "_", " ")
}

type caseRow struct {
	Case      store.Case
	Deadlines []deadlineView
}

type caseListData struct {
	Cases    []caseRow
	Products []store.Product
	Next     string
	Form     map[string]string
}

// listPage is GET /cases.
func (c *caseHandlers) listPage(w http.ResponseWriter, r *http.Request) error {
	return c.renderList(w, r, http.StatusOK, "", "", nil)
}

func (c *caseHandlers) renderList(w http.ResponseWriter, r *http.Request, status int, notice, msg string, form map[string]string) error {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	f := readableProducts(p)
	var cur caseCursor
	more, err := pr.Decode(&cur)
	if err != nil {
		return err
	}
	if more {
		f.BeforeCreated, f.BeforeReference = time.Unix(0, cur.At), cur.Ref
	}
	f.Limit = pr.Limit + 1
	list, err := c.s.store.ListCases(ctx, f)
	if err != nil {
		return err
	}
	now := c.s.now()
	data := caseListData{Form: form}
	for _, cs := range list {
		ds, _, err := c.deadlines(ctx, cs)
		if err != nil {
			return err
		}
		data.Cases = append(data.Cases, caseRow{Case: cs, Deadlines: deadlineViews(cs.Reference, ds, now)})
	}
	pg := newPage(data.Cases, pr.Limit, func(row caseRow) any {
		return caseCursor{At: row.Case.CreatedAt.UnixNano(), Ref: row.Case.Reference}
	})
	data.Cases = pg.Items
	if pg.NextCursor != "" {
		data.Next = "/cases?cursor=" + pg.NextCursor
	}
	products, err := c.s.store.ListProducts(ctx)
	if err != nil {
		return err
	}
	for _, prod := range products {
		if caseAllowed(p, auth.PermCaseManage, prod.ID) {
			data.Products = append(data.Products, prod)
		}
	}
	return c.s.render(w, r, c.ui, status, "case_list", page{Title: "Cases", Section: "cases", Notice: notice, Error: msg, Data: data})
}

// createSubmit is POST /cases: a case from a report reference or by hand.
func (c *caseHandlers) createSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := map[string]string{"from_report": r.PostFormValue("from_report"), "product": r.PostFormValue("product"),
		"title": r.PostFormValue("title")}
	in := caseCreate{FromReport: strings.TrimSpace(form["from_report"])}
	if in.FromReport == "" {
		in.Product = form["product"]
		title := form["title"]
		in.Title = &title
	}
	cs, err := c.createCase(r, in)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status < 500 {
			detail := e.Detail
			if detail == "" {
				detail = http.StatusText(e.Status)
			}
			return c.renderList(w, r, e.Status, "", detail, form)
		}
		return err
	}
	return c.renderView(w, r, http.StatusCreated, cs, "Case "+cs.Reference+" was created. Choose its affected releases in the edit form below.", "")
}

type caseViewData struct {
	Case        store.Case
	CVSS31      *cases.Score
	CVSS40      *cases.Score
	Next        []cases.State
	Deadlines   []deadlineView
	Stages      []cases.Stage
	Submissions []store.CaseSubmission
	Events      []store.CaseEvent
	Messages    []store.ReportMessage
	CanManage   bool
	Now         string
	Edit        caseEditForm
}

// viewPage is GET /cases/{ref}.
func (c *caseHandlers) viewPage(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseRead)
	if err != nil {
		return err
	}
	return c.renderView(w, r, http.StatusOK, cs, "", "")
}

func (c *caseHandlers) renderView(w http.ResponseWriter, r *http.Request, status int, cs store.Case, notice, msg string) error {
	return c.renderViewForm(w, r, status, cs, notice, msg, nil)
}

// renderViewForm renders the case page; edit, when not nil, is the edit
// form's content (what was posted), else the form shows the case.
func (c *caseHandlers) renderViewForm(w http.ResponseWriter, r *http.Request, status int, cs store.Case, notice, msg string,
	edit *caseEditForm) error {
	ctx := r.Context()
	ds, subs, err := c.deadlines(ctx, cs)
	if err != nil {
		return err
	}
	evs, err := c.s.store.ListCaseEvents(ctx, cs.ID)
	if err != nil {
		return err
	}
	now := c.s.now()
	data := caseViewData{Case: cs, Next: cases.State(cs.State).Next(), Deadlines: deadlineViews(cs.Reference, ds, now),
		Submissions: subs, Events: evs, CanManage: caseAllowed(PrincipalFrom(ctx), auth.PermCaseManage, cs.ProductID),
		Now: now.UTC().Format("2006-01-02T15:04")}
	if data.CanManage {
		if edit == nil {
			versions, err := c.productVersions(r, cs.ProductID)
			if err != nil {
				return err
			}
			f := editFormOf(cs, versions)
			edit = &f
		}
		data.Edit = *edit
	}
	for _, d := range ds {
		if !d.Done() {
			data.Stages = append(data.Stages, d.Stage)
		}
	}
	if cs.CVSS31Vector != "" {
		if sc, err := cases.ScoreCVSS31(cs.CVSS31Vector); err == nil {
			data.CVSS31 = &sc
		}
	}
	if cs.CVSS40Vector != "" {
		if sc, err := cases.ScoreCVSS40(cs.CVSS40Vector); err == nil {
			data.CVSS40 = &sc
		}
	}
	if cs.ReportID != "" {
		if data.Messages, err = c.s.store.ListReportMessages(ctx, cs.ReportID); err != nil {
			return err
		}
	}
	return c.s.render(w, r, c.ui, status, "case_view", page{Title: "Case " + cs.Reference, Section: "cases",
		Notice: notice, Error: msg, Data: data})
}

// formTime turns a datetime-local value ("2026-12-04T10:30", read as UTC)
// into RFC 3339; other values pass unchanged for the checks to judge.
func formTime(v string) string {
	v = strings.TrimSpace(v)
	if t, err := time.Parse("2006-01-02T15:04", v); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return v
}

// actionSubmit is POST /cases/{ref}/{action}: the forms of the case page.
func (c *caseHandlers) actionSubmit(w http.ResponseWriter, r *http.Request) error {
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	var notice string
	switch r.PathValue("action") {
	case "edit":
		return c.editSubmit(w, r, cs)
	case "transition":
		cs, err = c.transition(r, cs, v("to"), v("comment"))
		notice = "The state was changed."
	case "exploited":
		cs, err = c.markExploited(r, cs, exploitedInput{AwareAt: formTime(v("aware_at")), Note: v("note")})
		notice = "The case is marked actively exploited; the Article 14 clocks run."
	case "incident":
		cs, err = c.markIncident(r, cs, incidentInput{AwareAt: formTime(v("aware_at")), OccurredAt: formTime(v("occurred_at")),
			Malicious: v("suspected_malicious")})
		notice = "The case is marked a severe incident; the Article 14 clocks run."
	case "measure":
		fixed := v("fixed_in_release")
		cs, err = c.recordMeasure(r, cs, measureInput{AvailableAt: formTime(v("available_at")), FixedInRelease: &fixed, Note: v("note")})
		notice = "The measure was recorded; the final report clock runs."
	case "submission":
		_, err = c.recordSubmission(r, cs, submissionInput{Stage: v("stage"), SubmittedAt: formTime(v("submitted_at")),
			Channel: v("channel"), Reference: v("reference")})
		notice = "The submission was recorded."
	case "message":
		err = c.reply(r, cs, v("body"))
		notice = "Your message was sent to the reporter."
	default:
		return notFound()
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status < 500 && e.Status != http.StatusNotFound {
			detail := e.Detail
			if detail == "" {
				detail = http.StatusText(e.Status)
			}
			cur, gerr := c.loadCase(r, auth.PermCaseRead)
			if gerr != nil {
				return gerr
			}
			return c.renderView(w, r, e.Status, cur, "", detail)
		}
		return err
	}
	if cs, err = c.s.store.GetCase(r.Context(), cs.Reference); err != nil {
		return err
	}
	return c.renderView(w, r, http.StatusOK, cs, notice, "")
}
