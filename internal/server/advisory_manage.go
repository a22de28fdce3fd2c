package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
)

// The security officers' advisory pages: /advisories/manage lists the
// advisories of the caller's products (drafts included; /advisories is
// the public list of published ones), /advisories/manage/{id}/view shows
// one draft's CSAF document with the validator's verdict, edits it and
// publishes it. Every change goes through the API's functions
// (applyPatch, publishVersion, draftFromCase). The view's path has the
// extra segment because "/advisories/manage/{id}" would overlap the
// public "/advisories/{name}/openvex.json" in the ServeMux.

// manageRoutes are the officers' advisory pages and the case's advisory
// route. Product isolation is in the handlers (loadAdvisory, loadCase):
// 404 when the caller holds no case permission on the product.
func (a *advisoryFeature) manageRoutes() []Route {
	list := auth.PermProductList
	return []Route{
		{Method: "POST", Pattern: "/api/v1/cases/{ref}/advisory", Perm: list, MaxBody: caseMaxBody, Handler: a.createFromCase},
		{Method: "GET", Pattern: "/advisories/manage", Perm: list, Kind: KindPage, Handler: a.page(a.manageListPage)},
		{Method: "GET", Pattern: "/advisories/manage/{id}/view", Perm: list, Kind: KindPage, Handler: a.page(a.manageViewPage)},
		{Method: "POST", Pattern: "/advisories/manage/{id}/{action}", Perm: list, Kind: KindPage, MaxBody: advisoryMaxBody, Handler: a.page(a.manageSubmit)},
		{Method: "POST", Pattern: "/cases/{ref}/advisory", Perm: list, Kind: KindPage, MaxBody: webFormMaxBody, Handler: a.page(a.caseAdvisorySubmit)},
	}
}

// manageRow is one advisory in the officers' list.
type manageRow struct {
	Advisory store.Advisory
	Case     string
}

type manageListData struct {
	Rows []manageRow
	Next string
}

// manageListPage is GET /advisories/manage: the advisories of the
// products where the caller holds case:read, newest first.
func (a *advisoryFeature) manageListPage(w http.ResponseWriter, r *http.Request) error {
	pr, advs, err := a.readableAdvisories(r)
	if err != nil {
		return err
	}
	rows := make([]manageRow, 0, len(advs))
	for _, adv := range advs {
		ref, err := a.s.store.AdvisoryCase(r.Context(), adv.ID)
		if err != nil {
			return err
		}
		rows = append(rows, manageRow{Advisory: adv, Case: ref})
	}
	pg := newPage(rows, pr.Limit, func(m manageRow) any {
		return advisoryCursor{Created: m.Advisory.CreatedAt.UnixNano(), ID: m.Advisory.ID}
	})
	data := manageListData{Rows: pg.Items}
	if pg.NextCursor != "" {
		data.Next = "/advisories/manage?cursor=" + pg.NextCursor
	}
	return a.s.render(w, r, a.ui, http.StatusOK, "advisory_manage_list",
		page{Title: "Manage advisories", Section: "advisories", Data: data})
}

// manageNote is a document note in the edit form.
type manageNote struct {
	Index    int
	Category string
	Title    string
	Text     string
}

type manageViewData struct {
	Advisory  store.Advisory
	Case      store.Case
	Embargoed bool
	Notes     []manageNote
	Summary   string
	JSON      string
	Result    csaf.Result
	PublicURL string
	CanManage bool
}

// manageViewPage is GET /advisories/manage/{id}/view.
func (a *advisoryFeature) manageViewPage(w http.ResponseWriter, r *http.Request) error {
	adv, canManage, err := a.loadAdvisory(r)
	if err != nil {
		return err
	}
	return a.renderManageView(w, r, http.StatusOK, adv, canManage, "", "")
}

func (a *advisoryFeature) renderManageView(w http.ResponseWriter, r *http.Request, status int, adv store.Advisory,
	canManage bool, notice, msg string) error {
	ctx := r.Context()
	data := manageViewData{Advisory: adv, CanManage: canManage, Result: csaf.Validate(adv.Document)}
	var in csaf.AdvisoryInput
	if err := json.Unmarshal(adv.Input, &in); err != nil {
		return fmt.Errorf("stored advisory input: %w", err)
	}
	data.Summary = in.Summary
	for i, n := range in.Notes {
		data.Notes = append(data.Notes, manageNote{Index: i, Category: n.Category, Title: n.Title, Text: n.Text})
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, adv.Document, "", "  "); err != nil {
		return fmt.Errorf("stored advisory document: %w", err)
	}
	data.JSON = pretty.String()
	ref, err := a.s.store.AdvisoryCase(ctx, adv.ID)
	if err != nil {
		return err
	}
	if ref != "" {
		if data.Case, err = a.s.store.GetCase(ctx, ref); err != nil {
			return err
		}
		data.Embargoed = data.Case.EmbargoUntil.After(a.s.now())
	}
	if !adv.PublishedAt.IsZero() && adv.TLP == csaf.TLPWhite {
		data.PublicURL = "/advisories/" + strings.TrimSuffix(adv.Filename, ".json")
	}
	return a.s.render(w, r, a.ui, status, "advisory_manage_view", page{Title: "Advisory " + adv.TrackingID,
		Section: "advisories", Notice: notice, Error: msg, Data: data})
}

// manageEdit reads the edit form into a PATCH request: title, summary and
// the document notes (an emptied note is removed).
func manageEdit(r *http.Request) patchAdvisoryRequest {
	v := r.PostFormValue
	title, summary := v("title"), v("summary")
	notes := []advisoryNoteJSON{}
	for i := 0; i < advisoryNotesMax; i++ {
		k := strconv.Itoa(i)
		if _, ok := r.PostForm["note_text_"+k]; !ok {
			break
		}
		if strings.TrimSpace(v("note_text_"+k)) == "" {
			continue
		}
		notes = append(notes, advisoryNoteJSON{Category: v("note_category_" + k), Title: v("note_title_" + k), Text: v("note_text_" + k)})
	}
	return patchAdvisoryRequest{Title: &title, Summary: &summary, Notes: &notes}
}

// manageSubmit is POST /advisories/manage/{id}/{action}: edit or publish.
func (a *advisoryFeature) manageSubmit(w http.ResponseWriter, r *http.Request) error {
	adv, canManage, err := a.loadAdvisory(r)
	if err != nil {
		return err
	}
	if !canManage {
		return &Error{Status: http.StatusForbidden, Detail: "changing an advisory needs case:manage on its product"}
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var notice string
	switch r.PathValue("action") {
	case "edit":
		adv, err = a.applyPatch(r, adv, manageEdit(r))
		notice = "The draft was saved."
	case "publish":
		adv, err = a.publishVersion(r, adv, publishRequest{Summary: r.PostFormValue("summary"),
			OverrideEmbargo: r.PostFormValue("override_embargo") == "yes"})
		notice = "The advisory was published."
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
			cur, _, gerr := a.loadAdvisory(r)
			if gerr != nil {
				return gerr
			}
			return a.renderManageView(w, r, e.Status, cur, canManage, "", detail)
		}
		return err
	}
	if notice == "The advisory was published." && adv.TLP == csaf.TLPWhite {
		notice += " It is on the public advisories page and in the CSAF provider; the notification channels tell the product's users."
	}
	return a.renderManageView(w, r, http.StatusOK, adv, canManage, notice, "")
}

// caseAdvisorySubmit is POST /cases/{ref}/advisory: the case page's
// "Create advisory" button. It shows the new draft (201), or the case's
// existing advisory when it has one.
func (a *advisoryFeature) caseAdvisorySubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	adv, err := a.draftFromCase(r)
	var e *Error
	if errors.As(err, &e) && e.Type == "advisory-exists" {
		advs, lerr := a.s.store.ListCaseAdvisories(r.Context(), r.PathValue("ref"))
		if lerr != nil {
			return lerr
		}
		if len(advs) > 0 {
			return a.renderManageView(w, r, http.StatusOK, advs[0], true, "The case already has this advisory.", "")
		}
	}
	if err != nil {
		return err
	}
	return a.renderManageView(w, r, http.StatusCreated, adv, true,
		"A draft advisory was made from the case. Its summary is made from the case's facts; the case's description is shown below for reference, not copied. Review every text before publishing.", "")
}
