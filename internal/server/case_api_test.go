package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// submitReport files a report through the public API and returns its
// reference.
func submitTestReport(t *testing.T, e *env, productID, description string) string {
	t.Helper()
	tok := formToken(t, e)
	e.clock.Advance(5 * time.Second)
	w := e.do("POST", "/api/v1/reports", map[string]any{"form_token": tok, "product_id": productID, "version": "1.2.3",
		"title": "Overflow in header parser", "description": description, "contact": "mailto:r@example.org"})
	expectStatus(t, w, 201)
	return decode[reportCreated](t, w).Reference
}

func deadlineOf(t *testing.T, ds []deadlineJSON, stage cases.Stage) deadlineJSON {
	t.Helper()
	for _, d := range ds {
		if d.Stage == string(stage) {
			return d
		}
	}
	t.Fatalf("no deadline %s in %+v", stage, ds)
	return deadlineJSON{}
}

// TestCaseScenario: report → case → exploited → deadlines → drafts →
// submission → measure → final-report deadline → reminders; isolation
// between products; nothing confidential in the audit log, the logs or
// notifications.
func TestCaseScenario(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ctx := context.Background()
		widget, gadget := e.product("Widget"), e.product("Gadget")
		e.release(widget, "1.2.4")
		if err := st.SetProductProfile(ctx, widget.ID, store.ProductProfile{Manufacturer: "Example Devices GmbH",
			Class: "important-i", MemberStates: []string{"AT", "DE", "FR"}}); err != nil {
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

		// Create from the report: the officer of another product gets 404,
		// as for a report that does not exist.
		expectStatus(t, e.do("POST", "/api/v1/cases", map[string]any{"from_report": rep}, withCookie(other)), 404)
		expectStatus(t, e.do("POST", "/api/v1/cases", map[string]any{"from_report": "CRAFT-2026-9999"}, withCookie(so)), 404)
		expectStatus(t, e.do("POST", "/api/v1/cases", map[string]any{"from_report": rep}, withCookie(view)), 404)
		w := e.do("POST", "/api/v1/cases", map[string]any{"from_report": rep,
			"cvss_v3_1": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "cve": "CVE-2026-12345"}, withCookie(so))
		expectStatus(t, w, 201)
		c := decode[caseJSON](t, w)
		if c.Reference != "CASE-2026-0001" || c.Report != rep || c.State != "new" || c.CVSS31 == nil || c.CVSS31.Score != 9.8 ||
			len(c.AffectedReleases) != 1 || c.AffectedReleases[0] != "1.2.3" || len(c.Deadlines) != 0 {
			t.Fatalf("created case %+v", c)
		}
		ref := "/api/v1/cases/" + c.Reference

		// Isolation: read, list, every change.
		expectStatus(t, e.do("GET", ref, nil, withCookie(other)), 404)
		expectStatus(t, e.do("GET", ref+"/deadlines", nil, withCookie(other)), 404)
		expectStatus(t, e.do("GET", ref+"/messages", nil, withCookie(other)), 404)
		expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{}, withCookie(other)), 404)
		expectStatus(t, e.do("GET", ref, nil, withCookie(view)), 404) // viewers hold no case:read
		expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{}, withCookie(view)), 404)
		if l := decode[Page[caseJSON]](t, e.do("GET", "/api/v1/cases", nil, withCookie(other))); len(l.Items) != 0 {
			t.Fatalf("other product's officer lists %d cases", len(l.Items))
		}
		if l := decode[Page[caseJSON]](t, e.do("GET", "/api/v1/cases", nil, withCookie(so))); len(l.Items) != 1 {
			t.Fatalf("officer lists %d cases", len(l.Items))
		}

		// Transitions.
		expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": "fixed"}, withCookie(so)), 409)
		expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": "triage", "comment": "looking"}, withCookie(so)), 200)
		expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": "confirmed"}, withCookie(so)), 200)

		// Marked actively exploited one hour ago; never in the future.
		now := e.clock.Now()
		expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{"aware_at": now.Add(2 * time.Hour).Format(time.RFC3339)}, withCookie(so)), 400)
		aware := now.Add(-time.Hour).UTC().Truncate(time.Second)
		w = e.do("POST", ref+"/exploited", map[string]any{"aware_at": aware.Format(time.RFC3339)}, withCookie(so))
		expectStatus(t, w, 200)
		c = decode[caseJSON](t, w)
		if len(c.Deadlines) != 3 {
			t.Fatalf("deadlines %+v", c.Deadlines)
		}
		ew, n, fin := deadlineOf(t, c.Deadlines, cases.StageVulnEarlyWarning), deadlineOf(t, c.Deadlines, cases.StageVulnNotification),
			deadlineOf(t, c.Deadlines, cases.StageVulnFinal)
		if !ew.Due.Equal(aware.Add(24*time.Hour)) || !n.Due.Equal(aware.Add(72*time.Hour)) || fin.Due != nil || fin.Waiting == "" ||
			ew.Status != "open" || *ew.HoursLeft != 23 {
			t.Fatalf("deadlines: ew %+v n %+v final %+v", ew, n, fin)
		}

		// Drafts.
		w = e.do("GET", ref+"/drafts/"+string(cases.StageVulnEarlyWarning)+"?format=json", nil, withCookie(so))
		expectStatus(t, w, 200)
		var d cases.Draft
		if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		vals := map[string]string{}
		for _, f := range d.Fields {
			vals[f.ID] = f.Value
		}
		if d.Schema != cases.DraftSchema || vals["7"] != "Example Devices GmbH" || vals["11"] != "AT, DE, FR" ||
			vals["8"] != "Widget (affected versions: 1.2.3)" || vals["v13"] != "CVE-2026-12345" || len(d.ToComplete) != 0 {
			t.Fatalf("early warning draft %+v", d)
		}
		w = e.do("GET", ref+"/drafts/"+string(cases.StageVulnNotification)+"?format=markdown", nil, withCookie(so))
		expectStatus(t, w, 200)
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") ||
			!strings.Contains(w.Body.String(), "## To complete") {
			t.Fatalf("markdown draft %s:\n%s", ct, w.Body.String())
		}
		expectStatus(t, e.do("GET", ref+"/drafts/"+string(cases.StageIncidentFinal), nil, withCookie(so)), 409)
		expectStatus(t, e.do("GET", ref+"/drafts/bogus", nil, withCookie(so)), 404)
		expectStatus(t, e.do("GET", ref+"/drafts/"+string(cases.StageVulnFinal)+"?format=pdf", nil, withCookie(so)), 400)
		expectStatus(t, e.do("GET", ref+"/drafts/"+string(cases.StageVulnFinal), nil, withCookie(other)), 404)

		// Reminders: at 50 % of the early warning window, once.
		e.clock.Advance(11*time.Hour + time.Minute)
		so, other = e.session(soW), e.session(soG) // sessions idle out over hours
		if sent, err := e.s.SendCaseReminders(ctx, "test"); err != nil || sent != 1 {
			t.Fatalf("reminders at 50 %%: %d, %v", sent, err)
		}
		if sent, err := e.s.SendCaseReminders(ctx, "test"); err != nil || sent != 0 {
			t.Fatalf("reminders again: %d, %v", sent, err)
		}
		pend, err := st.ListPendingNotifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, p := range pend {
			if p.Kind == NotifyCaseDeadline {
				subjects = append(subjects, p.Subject)
			}
		}
		if len(subjects) != 1 || subjects[0] != "Article 14 early warning for CASE-2026-0001 due in 12 h" {
			t.Fatalf("deadline notifications %q", subjects)
		}

		// Submission of the early warning, recorded by hand; not twice.
		sub := map[string]any{"stage": string(cases.StageVulnEarlyWarning), "submitted_at": e.clock.Now().UTC().Format(time.RFC3339),
			"channel": "ENISA single reporting platform", "reference": "SRP-2026-000123"}
		expectStatus(t, e.do("POST", ref+"/submissions", sub, withCookie(other)), 404)
		expectStatus(t, e.do("POST", ref+"/submissions", sub, withCookie(so)), 201)
		expectStatus(t, e.do("POST", ref+"/submissions", sub, withCookie(so)), 409)
		bad := map[string]any{"stage": string(cases.StageIncidentEarlyWarning), "submitted_at": sub["submitted_at"], "channel": "x"}
		expectStatus(t, e.do("POST", ref+"/submissions", bad, withCookie(so)), 409)

		// The fix, before the 72 h notification: the final report is due
		// 14 days after it, the notification stays at A+72h.
		e.clock.Advance(time.Hour)
		so = e.session(soW)
		fixAt := e.clock.Now().UTC().Truncate(time.Second)
		expectStatus(t, e.do("POST", ref+"/measure", map[string]any{"available_at": fixAt.Format(time.RFC3339),
			"fixed_in_release": "1.2.4", "note": "Bounds check."}, withCookie(so)), 200)
		w = e.do("GET", ref+"/deadlines", nil, withCookie(so))
		expectStatus(t, w, 200)
		dl := decode[struct {
			Deadlines []deadlineJSON `json:"deadlines"`
		}](t, w).Deadlines
		ew, n, fin = deadlineOf(t, dl, cases.StageVulnEarlyWarning), deadlineOf(t, dl, cases.StageVulnNotification),
			deadlineOf(t, dl, cases.StageVulnFinal)
		if ew.Status != "submitted" || !n.Due.Equal(aware.Add(72*time.Hour)) || fin.Due == nil ||
			!fin.Due.Equal(fixAt.AddDate(0, 0, 14)) || fin.Status != "open" {
			t.Fatalf("after the measure: ew %+v n %+v final %+v", ew, n, fin)
		}

		// Overdue notification: one reminder, the 90 % one passed over.
		e.clock.Advance(72 * time.Hour)
		so = e.session(soW)
		if sent, err := e.s.SendCaseReminders(ctx, "test"); err != nil || sent != 1 {
			t.Fatalf("overdue reminders: %d, %v", sent, err)
		}

		// The thread with the reporter, from the case.
		expectStatus(t, e.do("POST", ref+"/messages", map[string]any{"body": "Thanks, confirmed."}, withCookie(so)), 201)
		msgs := decode[map[string]any](t, e.do("GET", ref+"/messages", nil, withCookie(so)))
		if m := msgs["messages"].([]any); len(m) != 1 {
			t.Fatalf("thread %+v", msgs)
		}

		// Nothing confidential left craft's tables.
		events, err := st.ListAudit(ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, ev := range events {
			actions[ev.Action] = true
			b, _ := json.Marshal(ev)
			if strings.Contains(string(b), secret) || strings.Contains(string(b), "Bounds check") || strings.Contains(string(b), "Thanks, confirmed") {
				t.Errorf("audit event holds case contents: %s", b)
			}
			if bad := store.FindSecretLike(ev); len(bad) > 0 {
				t.Errorf("audit event %s looks secret: %v", ev.Action, bad)
			}
		}
		for _, a := range []string{ActCaseCreate, ActCaseTransition, ActCaseExploited, ActCaseDraft, ActCaseSubmission, ActCaseMeasure, ActCaseReply} {
			if !actions[a] {
				t.Errorf("no audit event %s", a)
			}
		}
		pend, _ = st.ListPendingNotifications(ctx)
		for _, p := range pend {
			if strings.Contains(p.Subject, secret) || strings.Contains(p.Subject, "Overflow") {
				t.Errorf("notification holds case contents: %q", p.Subject)
			}
		}
		if strings.Contains(e.log.String(), secret) {
			t.Error("the log holds the report text")
		}
	})
}

// TestCaseExploitedAfterFix: a case marked exploited after the measure:
// the final report is due 14 days after awareness; and a KEV finding
// confirmed in a supported release starts the clock by itself.
func TestCaseExploitedAfterFix(t *testing.T) {
	e := sqliteEnv(t)
	widget := e.product("Widget")
	so := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
	w := e.do("POST", "/api/v1/cases", map[string]any{"product": widget.ID, "title": "Manual"}, withCookie(so))
	expectStatus(t, w, 201)
	ref := "/api/v1/cases/" + decode[caseJSON](t, w).Reference
	fix := e.clock.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	expectStatus(t, e.do("POST", ref+"/measure", map[string]any{"available_at": fix.Format(time.RFC3339)}, withCookie(so)), 200)
	w = e.do("POST", ref+"/exploited", map[string]any{}, withCookie(so))
	expectStatus(t, w, 200)
	c := decode[caseJSON](t, w)
	fin := deadlineOf(t, c.Deadlines, cases.StageVulnFinal)
	if !fin.Due.Equal(c.AwareAt.AddDate(0, 0, 14)) {
		t.Fatalf("final report due %v, want awareness %v + 14 days", fin.Due, c.AwareAt)
	}
}

// TestCaseHostileInput: malformed, truncated, huge and hostile bodies get
// a 4xx naming the field, and the case stays as it was.
func TestCaseHostileInput(t *testing.T) {
	e := sqliteEnv(t)
	widget := e.product("Widget")
	so := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
	hostile := "<script>alert(1)</script>\u202e\u200b🚀 \"'&"
	w := e.do("POST", "/api/v1/cases", map[string]any{"product": widget.ID, "title": hostile, "description": hostile}, withCookie(so))
	expectStatus(t, w, 201)
	c := decode[caseJSON](t, w)
	ref := "/api/v1/cases/" + c.Reference
	if c.Title != hostile || c.Description != hostile {
		t.Fatalf("odd Unicode did not round-trip: %q", c.Title)
	}
	tests := []struct {
		name, method, path string
		body               any
		status             int
		detail             string
	}{
		{"truncated_json", "POST", "/api/v1/cases", `{"product": "`, 400, ""},
		{"unknown_field", "PATCH", ref, map[string]any{"state": "fixed"}, 400, "state"},
		{"two_sources", "POST", "/api/v1/cases", map[string]any{"product": widget.ID, "from_report": "CRAFT-2026-0001"}, 400, "exactly one"},
		{"bad_cvss31", "PATCH", ref, map[string]any{"cvss_v3_1": "CVSS:3.1/AV:N"}, 400, "cvss_v3_1"},
		{"cvss_markup", "PATCH", ref, map[string]any{"cvss_v4_0": "<b>"}, 400, "cvss_v4_0"},
		{"bad_cve", "PATCH", ref, map[string]any{"cve": "CVE-26-1"}, 400, "cve"},
		{"nul_title", "PATCH", ref, map[string]any{"title": "a\x00b"}, 400, "title"},
		{"multiline_title", "PATCH", ref, map[string]any{"title": "a\nb"}, 400, "title"},
		{"huge_description", "PATCH", ref, map[string]any{"description": strings.Repeat("x", maxCaseText+1)}, 400, "description"},
		{"too_many_ids", "PATCH", ref, map[string]any{"other_ids": make([]string, maxCaseList+1)}, 400, "other_ids"},
		{"space_in_release", "PATCH", ref, map[string]any{"affected_releases": []string{"1 2"}}, 400, "affected_releases[0]"},
		{"bad_embargo", "PATCH", ref, map[string]any{"embargo_until": "tomorrow"}, 400, "embargo_until"},
		{"bad_state", "POST", ref + "/transitions", map[string]any{"to": "<script>"}, 409, "unknown state"},
		{"future_measure", "POST", ref + "/measure", map[string]any{"available_at": "2999-01-01T00:00:00Z"}, 400, "available_at"},
		{"no_measure_time", "POST", ref + "/measure", map[string]any{}, 400, "available_at"},
		{"bad_malicious", "POST", ref + "/incident", map[string]any{"suspected_malicious": "maybe"}, 400, "suspected_malicious"},
		{"bad_stage", "POST", ref + "/submissions", map[string]any{"stage": "x", "submitted_at": "2026-12-04T09:00:00Z", "channel": "c"}, 400, "stage"},
		{"reply_without_report", "POST", ref + "/messages", map[string]any{"body": "hi"}, 409, "reporter"},
		{"huge_body", "PATCH", ref, `{"description":"` + strings.Repeat("a", int(caseMaxBody)) + `"}`, 413, ""},
		{"bad_ref", "GET", "/api/v1/cases/CASE-" + strings.Repeat("9", 50), nil, 404, ""},
		{"bad_cursor", "GET", "/api/v1/cases?cursor=!!!", nil, 400, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []reqOpt{withCookie(so)}
			if _, ok := tt.body.(string); ok {
				opts = append(opts, withHeader("Content-Type", "application/json"))
			}
			w := e.do(tt.method, tt.path, tt.body, opts...)
			expectStatus(t, w, tt.status)
			if tt.detail != "" && !strings.Contains(w.Body.String(), tt.detail) {
				t.Errorf("detail does not name %q: %s", tt.detail, w.Body.String())
			}
		})
	}
	after := decode[caseJSON](t, e.do("GET", ref, nil, withCookie(so)))
	if after.Title != hostile || after.State != "new" || after.CVSS31 != nil || after.MeasureAt != nil {
		t.Fatalf("refused input changed the case: %+v", after)
	}
	// The page renders the markup inert.
	w = e.do("GET", "/cases/"+c.Reference, nil, withCookie(so))
	expectStatus(t, w, 200)
	if strings.Contains(w.Body.String(), "<script>alert") || !strings.Contains(w.Body.String(), "&lt;script&gt;") {
		t.Fatal("the case page does not escape the title")
	}
	w = e.do("GET", "/cases", nil, withCookie(so))
	expectStatus(t, w, 200)
	if strings.Contains(w.Body.String(), "<script>alert") {
		t.Fatal("the case list does not escape the title")
	}
}

// TestCaseFromFinding: a case from a KEV-listed finding; confirming it
// in a supported release marks it actively exploited.
func TestCaseFromFinding(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ctx := context.Background()
		widget := e.product("Widget")
		if err := st.SetProductProfile(ctx, widget.ID, store.ProductProfile{SupportStart: "2026-01", SupportEnd: "2031-01"}); err != nil {
			t.Fatal(err)
		}
		rel, _, err := st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: widget.ID, Version: "2.0.0", Data: []byte("{}"),
			Info: store.SBOMInfo{ContentType: "application/json", Format: "cyclonedx-json"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: rel.ID, ProductID: widget.ID, ProductName: "Widget",
			Version: "2.0.0", Findings: []store.Finding{{VulnID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2021-44228"},
				ComponentID: "c1", ComponentName: "log4j-core", ComponentVersion: "2.14.1", SeverityLevel: "critical",
				SeverityScore: 100, KEVDateAdded: "2021-12-10"}}}); err != nil {
			t.Fatal(err)
		}
		so := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
		ff := map[string]any{"product": widget.ID, "version": "2.0.0", "vuln_id": "CVE-2021-44228", "component": "log4j-core"}
		expectStatus(t, e.do("POST", "/api/v1/cases", map[string]any{"from_finding": map[string]any{"product": widget.ID,
			"version": "2.0.0", "vuln_id": "CVE-0000-0000", "component": "log4j-core"}}, withCookie(so)), 404)
		w := e.do("POST", "/api/v1/cases", map[string]any{"from_finding": ff}, withCookie(so))
		expectStatus(t, w, 201)
		c := decode[caseJSON](t, w)
		if c.CVE != "CVE-2021-44228" || c.Finding == nil || c.Finding.Component != "c1" || c.ActivelyExploited {
			t.Fatalf("case from finding %+v", c)
		}
		// The finding now names its case, so the release page and the API
		// lead from an actively exploited finding to its Article 14 clock.
		fw := e.do("GET", "/api/v1/products/"+widget.ID+"/releases/2.0.0/findings", nil, withCookie(so))
		expectStatus(t, fw, 200)
		if fs := decode[struct {
			Items []struct {
				ID   string `json:"id"`
				Case string `json:"case"`
			} `json:"items"`
		}](t, fw); len(fs.Items) != 1 || fs.Items[0].Case != c.Reference {
			t.Fatalf("finding after the case was opened: %+v, want case %s", fs, c.Reference)
		}
		ref := "/api/v1/cases/" + c.Reference
		expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": "triage"}, withCookie(so)), 200)
		w = e.do("POST", ref+"/transitions", map[string]any{"to": "confirmed"}, withCookie(so))
		expectStatus(t, w, 200)
		c = decode[caseJSON](t, w)
		if !c.ActivelyExploited || c.AwareAt == nil || !c.AwareAt.Equal(e.clock.Now().UTC()) || len(c.Deadlines) != 3 {
			t.Fatalf("confirmed KEV finding: %+v", c)
		}
	})
}

// TestCaseListPaging: cursor pagination over cases.
func TestCaseListPaging(t *testing.T) {
	e := sqliteEnv(t)
	widget := e.product("Widget")
	so := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
	for i := 0; i < 5; i++ {
		expectStatus(t, e.do("POST", "/api/v1/cases", map[string]any{"product": widget.ID, "title": fmt.Sprintf("case %d", i)}, withCookie(so)), 201)
	}
	seen := map[string]bool{}
	next := ""
	for pages := 0; pages < 5; pages++ {
		p := decode[Page[caseJSON]](t, e.do("GET", "/api/v1/cases?limit=2&cursor="+next, nil, withCookie(so)))
		for _, c := range p.Items {
			if seen[c.Reference] {
				t.Fatalf("%s twice", c.Reference)
			}
			seen[c.Reference] = true
		}
		if next = p.NextCursor; next == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged through %d cases, want 5", len(seen))
	}
}

// TestCaseIncidentClock: a severe incident's final report is due one
// calendar month after the incident notification is recorded as
// submitted, and not before.
func TestCaseIncidentClock(t *testing.T) {
	e := sqliteEnv(t)
	widget := e.product("Widget")
	so := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
	w := e.do("POST", "/api/v1/cases", map[string]any{"product": widget.ID, "title": "Intrusion"}, withCookie(so))
	expectStatus(t, w, 201)
	ref := "/api/v1/cases/" + decode[caseJSON](t, w).Reference
	aware := e.clock.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	w = e.do("POST", ref+"/incident", map[string]any{"aware_at": aware.Format(time.RFC3339), "suspected_malicious": "yes"}, withCookie(so))
	expectStatus(t, w, 200)
	c := decode[caseJSON](t, w)
	if fin := deadlineOf(t, c.Deadlines, cases.StageIncidentFinal); fin.Due != nil || fin.Status != "waiting" {
		t.Fatalf("incident final before the notification: %+v", fin)
	}
	if ew := deadlineOf(t, c.Deadlines, cases.StageIncidentEarlyWarning); ew.Status != "overdue" {
		t.Fatalf("incident early warning 48 h after awareness: %+v", ew)
	}
	submitted := aware.Add(70 * time.Hour)
	if submitted.After(e.clock.Now()) {
		submitted = e.clock.Now().UTC().Truncate(time.Second)
	}
	expectStatus(t, e.do("POST", ref+"/submissions", map[string]any{"stage": string(cases.StageIncidentNotification),
		"submitted_at": submitted.Format(time.RFC3339), "channel": "ENISA SRP"}, withCookie(so)), 201)
	c = decode[caseJSON](t, e.do("GET", ref, nil, withCookie(so)))
	fin := deadlineOf(t, c.Deadlines, cases.StageIncidentFinal)
	if fin.Due == nil || !fin.Due.Equal(cases.AddMonths(submitted, 1, time.UTC)) {
		t.Fatalf("incident final %+v, want one month after %v", fin, submitted)
	}
	if ew := deadlineOf(t, c.Deadlines, cases.StageIncidentEarlyWarning); ew.CoveredBy != string(cases.StageIncidentNotification) {
		t.Fatalf("early warning not covered by the notification: %+v", ew)
	}
	w = e.do("GET", ref+"/drafts/"+string(cases.StageIncidentEarlyWarning), nil, withCookie(so))
	expectStatus(t, w, 200)
	if !strings.Contains(w.Body.String(), `"value": "yes"`) {
		t.Fatalf("incident early warning draft lacks the malicious flag:\n%s", w.Body.String())
	}
}
