package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestAdvisoryManagePages: the officers' pages list only the caller's
// products' advisories, answer 404 for another product's, 403 for a
// reader's changes, and edit and publish through the API's code (the
// embargo included).
func TestAdvisoryManagePages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		widget, gadget := e.product("Widget"), e.product("Gadget")
		e.release(widget, "2.0")
		soW := e.user("so-widget@example.eu", auth.RoleSecurityOfficer)
		e.member(soW, widget, store.RoleSecurityOfficer)
		soG := e.user("so-gadget@example.eu", auth.RoleSecurityOfficer)
		e.member(soG, gadget, store.RoleSecurityOfficer)
		so, other := e.session(soW), e.session(soG)

		w := e.do("POST", "/api/v1/cases", map[string]any{"product": widget.ID, "title": "Overflow in the parser",
			"description": secret, "affected_releases": []string{"2.0"}, "cve": "CVE-2026-4242",
			"embargo_until": e.clock.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}, withCookie(so))
		expectStatus(t, w, http.StatusCreated)
		caseRef := decode[caseJSON](t, w).Reference

		// The case page's button makes the draft; a second press shows it.
		expectStatus(t, e.post("/cases/"+caseRef+"/advisory", url.Values{}, withCookie(other)), http.StatusNotFound)
		w = e.post("/cases/"+caseRef+"/advisory", url.Values{}, withCookie(so))
		expectStatus(t, w, http.StatusCreated)
		if !strings.Contains(w.Body.String(), "passes the CSAF 2.0 schema") {
			t.Errorf("draft page lacks the validator's verdict")
		}
		// The reporter's text is beside the draft for reference, not in it.
		if body := w.Body.String(); !strings.Contains(body, `id="case-description"`) || !strings.Contains(body, secret) ||
			strings.Contains(body[strings.Index(body, `id="csaf-json"`):], secret) {
			t.Errorf("draft page: the case description must be shown beside the draft and kept out of the document")
		}
		expectStatus(t, e.post("/cases/"+caseRef+"/advisory", url.Values{}, withCookie(so)), http.StatusOK)
		advs, err := st.ListCaseAdvisories(t.Context(), caseRef)
		if err != nil || len(advs) != 1 {
			t.Fatalf("case advisories %v %v", advs, err)
		}
		adv := advs[0]
		view := "/advisories/manage/" + adv.ID + "/view"

		for _, tc := range []struct {
			name, cookie, path string
			want               int
			has, lacks         string
		}{
			{"own list", so, "/advisories/manage", 200, adv.TrackingID, ""},
			{"other list", other, "/advisories/manage", 200, "No advisories yet", adv.TrackingID},
			{"own view", so, view, 200, "CVE-2026-4242", ""},
			{"other view", other, view, 404, "", adv.TrackingID},
			{"unknown", so, "/advisories/manage/nope/view", 404, "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := e.do("GET", tc.path, nil, withCookie(tc.cookie))
				expectStatus(t, w, tc.want)
				if tc.has != "" && !strings.Contains(w.Body.String(), tc.has) {
					t.Errorf("lacks %q", tc.has)
				}
				if tc.lacks != "" && strings.Contains(w.Body.String(), tc.lacks) {
					t.Errorf("shows %q", tc.lacks)
				}
			})
		}
		// The public list stays public and without drafts.
		if w := e.do("GET", "/advisories", nil); w.Code != 200 || strings.Contains(w.Body.String(), adv.TrackingID) {
			t.Errorf("public list: %d", w.Code)
		}

		// Edit: the reporter's words replaced, as PATCH does.
		expectStatus(t, e.post("/advisories/manage/"+adv.ID+"/edit", url.Values{"title": {"T"}}, withCookie(other)), http.StatusNotFound)
		w = e.post("/advisories/manage/"+adv.ID+"/edit", url.Values{"title": {"Widget 2.0: parser overflow"}, "summary": {"Update."},
			"note_category_0": {"description"}, "note_title_0": {"Description"}, "note_text_0": {"A crafted header overflows a buffer."}},
			withCookie(so))
		expectStatus(t, w, http.StatusOK)
		if body := w.Body.String(); !strings.Contains(body, "A crafted header overflows") {
			t.Errorf("edit did not replace the note")
		}
		expectStatus(t, e.post("/advisories/manage/"+adv.ID+"/edit", url.Values{"title": {" "}}, withCookie(so)), http.StatusBadRequest)
		expectStatus(t, e.post("/advisories/manage/"+adv.ID+"/nope", url.Values{}, withCookie(so)), http.StatusNotFound)

		// Publish: the embargo holds, the override box publishes.
		w = e.post("/advisories/manage/"+adv.ID+"/publish", url.Values{}, withCookie(so))
		expectStatus(t, w, http.StatusConflict)
		if !strings.Contains(w.Body.String(), "under embargo") {
			t.Errorf("embargo not explained")
		}
		w = e.post("/advisories/manage/"+adv.ID+"/publish", url.Values{"override_embargo": {"yes"}}, withCookie(so))
		expectStatus(t, w, http.StatusOK)
		if !strings.Contains(w.Body.String(), "was published") {
			t.Errorf("publish page lacks the notice")
		}
		if w := e.do("GET", "/advisories", nil); !strings.Contains(w.Body.String(), adv.TrackingID) {
			t.Errorf("published advisory not on the public list")
		}
	})
}
