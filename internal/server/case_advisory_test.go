package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestCaseAdvisoryScenario closes issue 7's loop through the API: report
// → case → actively exploited → fix released → advisory from the case →
// publication refused during the embargo → override → a valid CSAF
// document naming the CVE, the affected and fixed releases and the fix →
// the users' notification (without case contents) → the case's history.
func TestCaseAdvisoryScenario(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ctx := context.Background()
		widget, gadget := e.product("Widget"), e.product("Gadget")
		e.release(widget, "1.2.4")
		if err := st.SetProductProfile(ctx, widget.ID, store.ProductProfile{Manufacturer: "Example Devices GmbH",
			SecurityContact: "psirt@example.eu"}); err != nil {
			t.Fatal(err)
		}
		soW := e.user("so-widget@example.eu", auth.RoleSecurityOfficer)
		e.member(soW, widget, store.RoleSecurityOfficer)
		soG := e.user("so-gadget@example.eu", auth.RoleSecurityOfficer)
		e.member(soG, gadget, store.RoleSecurityOfficer)
		viewer := e.user("viewer@example.eu", auth.RoleViewer)
		e.member(viewer, widget, store.RoleViewer)
		so, other, view := e.session(soW), e.session(soG), e.session(viewer)

		rep := submitTestReport(t, e, widget.ID, secret)
		w := e.do("POST", "/api/v1/cases", map[string]any{"from_report": rep, "cve": "CVE-2026-12345",
			"other_ids":     []string{"GHSA-abcd-efgh-ijkl"},
			"cvss_v3_1":     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			"cvss_v4_0":     "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
			"embargo_until": e.clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}, withCookie(so))
		expectStatus(t, w, http.StatusCreated)
		c := decode[caseJSON](t, w)
		ref := "/api/v1/cases/" + c.Reference
		expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{"note": "seen in the wild"}, withCookie(so)), 200)
		for _, to := range []string{"triage", "confirmed", "fix_in_progress", "fixed"} {
			expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": to}, withCookie(so)), 200)
		}
		expectStatus(t, e.do("POST", ref+"/measure", map[string]any{"available_at": e.clock.Now().UTC().Format(time.RFC3339),
			"fixed_in_release": "1.2.4"}, withCookie(so)), 200)

		// Isolation: another product's officer and the viewer get 404.
		expectStatus(t, e.do("POST", ref+"/advisory", nil, withCookie(other)), http.StatusNotFound)
		expectStatus(t, e.do("POST", ref+"/advisory", nil, withCookie(view)), http.StatusNotFound)
		expectStatus(t, e.do("POST", "/api/v1/cases/CASE-2026-9999/advisory", nil, withCookie(so)), http.StatusNotFound)

		w = e.do("POST", ref+"/advisory", nil, withCookie(so))
		expectStatus(t, w, http.StatusCreated)
		adv := decode[advisoryJSON](t, w)
		if adv.Status != "draft" || adv.Version != "0" || adv.Category != csaf.CategorySecurityAdvisory || adv.ProductID != widget.ID {
			t.Fatalf("draft %+v", adv)
		}
		if strings.Contains(string(adv.Document), secret) {
			t.Errorf("the case's description (the reporter's text) is in the draft")
		}
		for _, want := range []string{"CVE-2026-12345", "GHSA-abcd-efgh-ijkl", "fixed in", "1.2.4", "actively exploited"} {
			if !strings.Contains(string(adv.Document), want) {
				t.Errorf("the draft's summary lacks %q", want)
			}
		}
		expectStatus(t, e.do("POST", ref+"/advisory", nil, withCookie(so)), http.StatusConflict)
		advPath := "/api/v1/advisories/" + adv.ID
		expectStatus(t, e.do("GET", advPath, nil, withCookie(other)), http.StatusNotFound)
		expectStatus(t, e.do("POST", advPath+"/publish", map[string]any{"override_embargo": true}, withCookie(other)), http.StatusNotFound)

		// The officer replaces the reporter's words before publishing.
		expectStatus(t, e.do("PATCH", advPath, map[string]any{"summary": "Update Widget to 1.2.4.",
			"notes": []map[string]string{{"category": "description", "title": "Description", "text": "A crafted header overflows a buffer."}}},
			withCookie(so)), 200)

		// The embargo holds publication back unless overridden.
		w = e.do("POST", advPath+"/publish", nil, withCookie(so))
		expectStatus(t, w, http.StatusConflict)
		if !strings.Contains(w.Body.String(), "embargo") || !strings.Contains(w.Body.String(), "override_embargo") {
			t.Errorf("embargo refusal: %s", w.Body)
		}
		w = e.do("POST", advPath+"/publish", map[string]any{"override_embargo": true}, withCookie(so))
		expectStatus(t, w, http.StatusOK)
		pub := decode[advisoryJSON](t, w)
		if pub.Status != "final" || pub.Version != "1" || pub.PublicURL == "" {
			t.Fatalf("published %+v", pub)
		}

		// The public file passes the same check as `craft advisory
		// validate` (csaf.Validate: schema and 6.1 mandatory tests), read
		// back from a file as the CLI reads it.
		u, err := url.Parse(pub.PublicURL)
		if err != nil {
			t.Fatal(err)
		}
		served := e.do("GET", u.Path, nil)
		expectStatus(t, served, http.StatusOK)
		file := filepath.Join(t.TempDir(), pub.Filename)
		if err := os.WriteFile(file, served.Body.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if res := csaf.Validate(data); !res.Valid() {
			t.Fatalf("published document fails validation: %+v", res.Failures)
		}
		if err := csaf.CheckDocumentSchema(data); err != nil {
			t.Errorf("schema: %v", err)
		}
		if strings.Contains(string(data), secret) {
			t.Error("the reporter's text was published")
		}
		var doc csaf.Document
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Vulnerabilities) != 1 {
			t.Fatalf("vulnerabilities %+v", doc.Vulnerabilities)
		}
		v := doc.Vulnerabilities[0]
		if v.CVE != "CVE-2026-12345" || len(v.IDs) != 1 || v.IDs[0].Text != "GHSA-abcd-efgh-ijkl" {
			t.Errorf("ids: cve %q ids %+v", v.CVE, v.IDs)
		}
		if len(v.ProductStatus.KnownAffected) != 1 || len(v.ProductStatus.Fixed) != 1 {
			t.Errorf("product status %+v", v.ProductStatus)
		}
		fix := slices.ContainsFunc(v.Remediations, func(r csaf.Remediation) bool {
			return r.Category == csaf.RemediationVendorFix && strings.Contains(r.Details, "1.2.4") && slices.Equal(r.ProductIDs, v.ProductStatus.KnownAffected)
		})
		if !fix {
			t.Errorf("no vendor_fix naming 1.2.4: %+v", v.Remediations)
		}
		if len(v.Scores) != 1 || v.Scores[0].CVSSv3 == nil || v.Scores[0].CVSSv3.BaseScore != 9.8 {
			t.Errorf("scores %+v", v.Scores)
		}
		var notes []string
		for _, n := range v.Notes {
			notes = append(notes, n.Title)
		}
		if !slices.Contains(notes, "CVSS v4.0") || !slices.Contains(notes, "Exploitation") {
			t.Errorf("vulnerability notes %v", notes)
		}

		// Users are informed: one notification, no case contents.
		pend, err := st.ListPendingNotifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var informed []store.Notification
		for _, n := range pend {
			if n.Kind == NotifyAdvisoryPublished {
				informed = append(informed, n)
			}
		}
		if len(informed) != 1 || informed[0].Subject != "security advisory "+pub.TrackingID+" published for product Widget" ||
			informed[0].ProductID != widget.ID || !strings.HasSuffix(informed[0].Reference, "/advisories/"+strings.TrimSuffix(pub.Filename, ".json")) {
			t.Fatalf("notifications %+v", informed)
		}
		if strings.Contains(informed[0].Subject, secret) || strings.Contains(informed[0].Subject, "Overflow") {
			t.Errorf("notification holds case contents: %q", informed[0].Subject)
		}

		// The case records the publication and is disclosed.
		got := decode[caseJSON](t, e.do("GET", ref, nil, withCookie(so)))
		if got.State != "disclosed" {
			t.Errorf("case state %s, want disclosed", got.State)
		}
		if !slices.ContainsFunc(got.History, func(h caseEventJSON) bool {
			return strings.Contains(h.Summary, "advisory published "+pub.TrackingID+" version 1")
		}) {
			t.Errorf("history lacks the publication: %+v", got.History)
		}

		// The override is audited; no event holds case contents.
		events, err := st.ListAudit(ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var overridden bool
		for _, ev := range events {
			overridden = overridden || ev.Action == ActAdvisoryEmbargoOverride
			b, _ := json.Marshal(ev)
			if strings.Contains(string(b), secret) {
				t.Errorf("audit event holds case contents: %s", b)
			}
		}
		if !overridden {
			t.Error("no audit event for the embargo override")
		}
	})
}

// TestCaseAdvisoryRefusals: cases an advisory cannot be made from.
func TestCaseAdvisoryRefusals(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		p := e.product("Widget")
		e.release(p, "1.0")
		u := e.user("so@example.eu", auth.RoleSecurityOfficer)
		e.member(u, p, store.RoleSecurityOfficer)
		so := e.session(u)
		for _, tc := range []struct {
			name   string
			create map[string]any
			moves  []string
			want   int
		}{
			{"no affected release", map[string]any{"product": p.ID, "title": "By hand"}, nil, http.StatusUnprocessableEntity},
			{"not a vulnerability", map[string]any{"product": p.ID, "title": "Noise", "affected_releases": []string{"1.0"}},
				[]string{"not_vulnerability"}, http.StatusConflict},
			{"without any ID", map[string]any{"product": p.ID, "title": "No CVE yet", "affected_releases": []string{"1.0"}},
				nil, http.StatusCreated},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := e.do("POST", "/api/v1/cases", tc.create, withCookie(so))
				expectStatus(t, w, http.StatusCreated)
				ref := "/api/v1/cases/" + decode[caseJSON](t, w).Reference
				for _, to := range tc.moves {
					expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": to}, withCookie(so)), 200)
				}
				w = e.do("POST", ref+"/advisory", nil, withCookie(so))
				expectStatus(t, w, tc.want)
				if tc.want == http.StatusCreated {
					adv := decode[advisoryJSON](t, w)
					if res := csaf.Validate(adv.Document); !res.Valid() {
						t.Errorf("draft without IDs fails validation: %+v", res.Failures)
					}
				}
			})
		}
	})
}
