package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestReporterState: every case state maps to a reporter state, and the
// labels read as words.
func TestReporterState(t *testing.T) {
	for _, tc := range []struct {
		st   cases.State
		want string
	}{
		{cases.StateNew, "new"}, {cases.StateTriage, "triaged"}, {cases.StateConfirmed, "confirmed"},
		{cases.StateFixInProgress, "fix_in_progress"}, {cases.StateFixed, "fixed"}, {cases.StateDisclosed, "disclosed"},
		{cases.StateNotVulnerability, "not_a_vulnerability"}, {cases.StateDuplicate, "duplicate"}, {"unknown", ""},
	} {
		if got := reporterState(tc.st); got != tc.want {
			t.Errorf("reporterState(%s) = %q, want %q", tc.st, got, tc.want)
		}
	}
	for in, want := range map[string]string{"new": "received", "fix_in_progress": "fix in progress", "not_a_vulnerability": "not a vulnerability"} {
		if got := reporterStateLabel(in); got != want {
			t.Errorf("reporterStateLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReportFollowsCase: report → case → transitions: the reporter's
// status API and page show the mapped state, then the public advisory's
// link, and never the case's internals.
func TestReportFollowsCase(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		widget := e.product("Widget")
		soW := e.user("so-widget@example.eu", auth.RoleSecurityOfficer)
		e.member(soW, widget, store.RoleSecurityOfficer)
		so := e.session(soW)

		tok := formToken(t, e)
		e.clock.Advance(5 * time.Second)
		w := e.do("POST", "/api/v1/reports", map[string]any{"form_token": tok, "product_id": widget.ID, "version": "1.2.3",
			"title": "Overflow in header parser", "description": secret, "contact": "mailto:r@example.org"})
		expectStatus(t, w, 201)
		created := decode[reportCreated](t, w)
		statusAPI := "/api/v1/reports/status/" + created.StatusToken
		reporter := func(t *testing.T) (reportJSON, string) {
			t.Helper()
			w := e.do("GET", statusAPI, nil)
			expectStatus(t, w, http.StatusOK)
			p := e.do("GET", created.StatusURL, nil)
			expectStatus(t, p, http.StatusOK)
			return decode[reportJSON](t, w), p.Body.String()
		}

		const vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
		const note = "OFFICER-NOTE-seen-at-customer-x"
		w = e.do("POST", "/api/v1/cases", map[string]any{"from_report": created.Reference, "cvss_v3_1": vector,
			"cve": "CVE-2026-12345"}, withCookie(so))
		expectStatus(t, w, http.StatusCreated)
		ref := "/api/v1/cases/" + decode[caseJSON](t, w).Reference
		if rep, page := reporter(t); rep.State != "new" || !strings.Contains(page, `id="report-state">received<`) {
			t.Errorf("after creation: %q; page shows received: %v", rep.State, strings.Contains(page, ">received<"))
		}
		expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{"note": note}, withCookie(so)), http.StatusOK)

		for _, tc := range []struct{ to, api, page string }{
			{"triage", "triaged", "triaged"},
			{"not_vulnerability", "not_a_vulnerability", "not a vulnerability"},
			{"triage", "triaged", "triaged"}, // reopened
			{"confirmed", "confirmed", "confirmed"},
			{"fix_in_progress", "fix_in_progress", "fix in progress"},
			{"fixed", "fixed", "fixed"},
			{"fix_in_progress", "fix_in_progress", "fix in progress"}, // the fix did not hold
			{"fixed", "fixed", "fixed"},
		} {
			t.Run(tc.to, func(t *testing.T) {
				expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": tc.to, "comment": note}, withCookie(so)), http.StatusOK)
				rep, page := reporter(t)
				if rep.State != tc.api || !strings.Contains(page, `id="report-state">`+tc.page+`<`) {
					t.Errorf("state %q, want %q (page shows %q)", rep.State, tc.api, tc.page)
				}
				for _, s := range []string{vector, note, "9.8", "CVE-2026-12345", "so-widget"} {
					if strings.Contains(page, s) || strings.Contains(e.do("GET", statusAPI, nil).Body.String(), s) {
						t.Errorf("the reporter sees the case's %q", s)
					}
				}
				if rep.AdvisoryURL != "" {
					t.Errorf("advisory link before publication: %q", rep.AdvisoryURL)
				}
			})
		}

		// The advisory: a draft is not linked, the published one is. The
		// fixed release must exist (case_logic.go's release checks).
		e.release(widget, "1.2.4")
		expectStatus(t, e.do("PATCH", ref, map[string]any{"fixed_in_release": "1.2.4"}, withCookie(so)), http.StatusOK)
		w = e.do("POST", ref+"/advisory", nil, withCookie(so))
		expectStatus(t, w, http.StatusCreated)
		adv := decode[advisoryJSON](t, w)
		if rep, page := reporter(t); rep.AdvisoryURL != "" || strings.Contains(page, "report-advisory") {
			t.Errorf("draft advisory linked: %q", rep.AdvisoryURL)
		}
		// Publishing moves the fixed case to disclosed: the report follows.
		w = e.do("POST", "/api/v1/advisories/"+adv.ID+"/publish", nil, withCookie(so))
		expectStatus(t, w, http.StatusOK)
		rep, page := reporter(t)
		if rep.State != "disclosed" || !strings.HasPrefix(rep.AdvisoryURL, "/advisories/") ||
			!strings.Contains(page, `href="`+rep.AdvisoryURL+`" id="report-advisory"`) {
			t.Fatalf("after publication: state %q, link %q", rep.State, rep.AdvisoryURL)
		}
		expectStatus(t, e.do("GET", rep.AdvisoryURL, nil), http.StatusOK)
	})
}
