package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// reportCreated is the answer to a new report: the reference and the
// secret status token (shown this once).
type reportCreated struct {
	Reference   string `json:"reference"`
	StatusToken string `json:"status_token"`
	StatusURL   string `json:"status_url"`
}

// reportJSON is a report with its thread.
type reportJSON struct {
	Reference   string `json:"reference"`
	ProductID   string `json:"product_id,omitempty"`
	Product     string `json:"product,omitempty"`
	Version     string `json:"version,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description"`
	Contact     string `json:"contact,omitempty"`
	State       string `json:"state"`
	// AdvisoryURL is the public advisory of the case made from the report
	// (reporter's view only, once published as TLP:WHITE).
	AdvisoryURL string        `json:"advisory_url,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Messages    []messageJSON `json:"messages,omitempty"`
}

type messageJSON struct {
	From      string    `json:"from"` // "reporter" or "security team"; user IDs only for officers
	Author    string    `json:"author,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type messageInput struct {
	Body string `json:"body"`
}

// toReportJSON converts; forReporter hides who of the team answered and
// the reporter's own contact (they know it).
func toReportJSON(rep store.Report, msgs []store.ReportMessage, forReporter bool) reportJSON {
	out := reportJSON{Reference: rep.Reference, ProductID: rep.ProductID, Product: rep.ProductName, Version: rep.Version,
		Title: rep.Title, Description: rep.Description, Contact: rep.Contact, State: rep.State,
		CreatedAt: rep.CreatedAt, UpdatedAt: rep.UpdatedAt}
	for _, m := range msgs {
		mj := messageJSON{From: "security team", Body: m.Body, CreatedAt: m.CreatedAt}
		if m.Author == store.ReportAuthorReporter {
			mj.From = "reporter"
		} else if !forReporter {
			mj.Author = m.Author
		}
		out.Messages = append(out.Messages, mj)
	}
	if forReporter {
		out.ProductID = ""
	}
	return out
}

// apiFormToken is GET /api/v1/reports/form-token: a timestamp token to
// send with the report no sooner than a few seconds later.
func (d *disclosure) apiFormToken(w http.ResponseWriter, r *http.Request) error {
	tok, err := d.s.newFormToken(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, map[string]any{"form_token": tok, "min_wait_seconds": int(reportMinFill / time.Second)})
}

// apiSubmit is POST /api/v1/reports (no account).
func (d *disclosure) apiSubmit(w http.ResponseWriter, r *http.Request) error {
	var in reportInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep, token, err := d.s.submitReport(r, in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, reportCreated{Reference: rep.Reference, StatusToken: token,
		StatusURL: "/report/status/" + token})
}

// apiStatus is GET /api/v1/reports/status/{token}: the reporter's view.
func (d *disclosure) apiStatus(w http.ResponseWriter, r *http.Request) error {
	rep, err := d.s.reportByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	msgs, err := d.s.store.ListReportMessages(r.Context(), rep.ID)
	if err != nil {
		return err
	}
	out := toReportJSON(rep, msgs, true)
	if out.AdvisoryURL, err = d.s.reportAdvisoryURL(r.Context(), rep); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// apiStatusMessage is POST /api/v1/reports/status/{token}/messages.
func (d *disclosure) apiStatusMessage(w http.ResponseWriter, r *http.Request) error {
	rep, err := d.s.reportByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	var in messageInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := d.s.addReporterMessage(r, rep, in.Body); err != nil {
		return err
	}
	return d.apiStatus(w, r)
}

// reportCursor is the cursor of GET /api/v1/reports: the sort key of the
// last report (created_at in Unix nanoseconds, as stored).
type reportCursor struct {
	CreatedAt int64  `json:"c"`
	Reference string `json:"r"`
}

// apiList is GET /api/v1/reports: one page (?limit=, ?cursor=) of the
// reports of the products where the caller holds case:read (all of them,
// and those without a known product, for administrators), newest first.
// A page may hold fewer than limit reports when some are not the
// caller's; only a missing next_cursor ends the list.
func (d *disclosure) apiList(w http.ResponseWriter, r *http.Request) error {
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	var c reportCursor
	more, err := pr.Decode(&c)
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	all, ids := p.ProductFilter()
	f := store.ReportPage{All: all, Limit: pr.Limit}
	if more {
		f.After = &store.ReportKey{CreatedAt: time.Unix(0, c.CreatedAt).UTC(), Reference: c.Reference}
	}
	if !all {
		for _, id := range ids {
			if reportAllowed(p, auth.PermCaseRead, store.Report{ProductID: id}) {
				f.ProductIDs = append(f.ProductIDs, id)
			}
		}
	}
	reps, err := d.s.store.ListReportsPage(r.Context(), f)
	if err != nil {
		return err
	}
	page := newPage(reps, pr.Limit, func(rep store.Report) any {
		return reportCursor{CreatedAt: rep.CreatedAt.UnixNano(), Reference: rep.Reference}
	})
	out := Page[reportJSON]{Items: []reportJSON{}, NextCursor: page.NextCursor}
	for _, rep := range page.Items {
		if reportAllowed(p, auth.PermCaseRead, rep) {
			out.Items = append(out.Items, toReportJSON(rep, nil, false))
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// officerReport loads the report {ref} if the caller holds perm on it;
// otherwise 404, so that references of other products are not confirmed.
func (d *disclosure) officerReport(r *http.Request, perm auth.Permission) (store.Report, error) {
	ref := r.PathValue("ref")
	if len(ref) > 40 || !strings.HasPrefix(ref, "CRAFT-") {
		return store.Report{}, notFound()
	}
	rep, err := d.s.store.GetReport(r.Context(), ref)
	if errors.Is(err, store.ErrNotFound) {
		return store.Report{}, notFound()
	}
	if err != nil {
		return store.Report{}, err
	}
	if !reportAllowed(PrincipalFrom(r.Context()), perm, rep) {
		return store.Report{}, notFound()
	}
	return rep, nil
}

// apiGet is GET /api/v1/reports/{ref}.
func (d *disclosure) apiGet(w http.ResponseWriter, r *http.Request) error {
	rep, err := d.officerReport(r, auth.PermCaseRead)
	if err != nil {
		return err
	}
	msgs, err := d.s.store.ListReportMessages(r.Context(), rep.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toReportJSON(rep, msgs, false))
}

// apiReply is POST /api/v1/reports/{ref}/messages: an officer's answer,
// which the reporter sees on the status page. Audited without the text.
func (d *disclosure) apiReply(w http.ResponseWriter, r *http.Request) error {
	rep, err := d.officerReport(r, auth.PermCaseManage)
	if err != nil {
		return err
	}
	var in messageInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	body, err := cleanText("body", in.Body, maxReportMessage, true)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = d.s.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.AddReportMessage(ctx, rep.ID, actorOf(r), body); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, store.Event{At: d.s.now(), Actor: actorOf(r), Action: ActReportReply,
			Target: "report:" + rep.Reference, SourceIP: ClientIP(r),
			Detail: map[string]string{"product": rep.ProductID, "request_id": RequestID(ctx)}})
		return err
	})
	if err != nil {
		return err
	}
	d.s.m.audit.Inc()
	return d.apiGet(w, r)
}
