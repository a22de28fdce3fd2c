package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/checks"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// secret is a report description the tests look for in logs and the audit
// log, where it must never appear.
const secret = "SECRET-overflow-in-parse_header-7f3a"

func formToken(t *testing.T, e *env) string {
	t.Helper()
	w := e.do("GET", "/api/v1/reports/form-token", nil)
	expectStatus(t, w, 200)
	return decode[map[string]any](t, w)["form_token"].(string)
}

func reportFormBody(v map[string]string) string {
	f := url.Values{}
	for k, x := range v {
		f.Set(k, x)
	}
	return f.Encode()
}

var formCT = withHeader("Content-Type", "application/x-www-form-urlencoded")

// TestSecurityTxtGenerated: 404 without a contact; once configured, the
// file passes craft check's validator with no problem at all, Canonical is
// the server's own URL, and Expires is renewed to under a year ahead.
func TestSecurityTxtGenerated(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		expectStatus(t, e.do("GET", "/.well-known/security.txt", nil), 404)

		admin := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
		officer := e.session(e.user("so@example.eu", auth.RoleSecurityOfficer))
		settings := map[string]any{
			"contact":             []string{"mailto:security@example.eu", "https://craft.example.eu/report"},
			"policy":              "https://example.eu/disclosure-policy",
			"preferred_languages": []string{"en", "de"},
			"base_url":            "https://craft.example.eu",
			"csaf":                "https://example.eu/.well-known/csaf/provider-metadata.json",
		}
		expectStatus(t, e.do("PUT", "/api/v1/settings/security-txt", settings, withCookie(officer)), 403)
		expectStatus(t, e.do("PUT", "/api/v1/settings/security-txt", settings, withCookie(admin)), 200)

		for _, days := range []int{0, 200, 400} {
			e.clock.Advance(time.Duration(days) * 24 * time.Hour)
			now := e.clock.Now()
			w := e.do("GET", "/.well-known/security.txt", nil)
			expectStatus(t, w, 200)
			if ct := w.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			body := w.Body.Bytes()
			if probs := checks.ValidateSecurityTxt(body, now); len(probs) != 0 {
				t.Fatalf("generated file has problems %v:\n%s", probs, body)
			}
			st, _ := checks.ParseSecurityTxt(body, now)
			if len(st.Contact) != 2 || len(st.Canonical) != 1 || st.Canonical[0] != "https://craft.example.eu/.well-known/security.txt" ||
				len(st.CSAF) != 1 || len(st.Policy) != 1 || len(st.PreferredLanguages) != 2 {
				t.Errorf("fields: %+v", st)
			}
			if ahead := st.Expires.Sub(now); ahead < 300*24*time.Hour || ahead >= 365*24*time.Hour {
				t.Errorf("Expires %s is %s ahead, want under a year and renewed", st.Expires, ahead)
			}
		}

		// Settings that would give an invalid file, or inject a line, are
		// refused; strict JSON.
		admin = e.session(e.user("admin2@example.eu", auth.RoleAdministrator))
		for _, bad := range []map[string]any{
			{"contact": []string{}},
			{"contact": []string{"security@example.eu"}},
			{"contact": []string{"http://example.eu/security"}},
			{"contact": []string{"mailto:a@example.eu\nHiring: https://evil.example"}},
			{"contact": []string{"mailto:a@example.eu"}, "csaf": "https://example.eu/csaf.json"},
			{"contact": []string{"mailto:a@example.eu"}, "base_url": "http://craft.example.eu"},
			{"contact": []string{"mailto:a@example.eu"}, "preferred_languages": []string{"not a tag"}},
			{"contact": []string{"mailto:a@example.eu"}, "unknown": "x"},
		} {
			if w := e.do("PUT", "/api/v1/settings/security-txt", bad, withCookie(admin)); w.Code != 400 {
				t.Errorf("%v: %d, want 400", bad, w.Code)
			}
		}
		w := e.do("GET", "/api/v1/settings/security-txt", nil, withCookie(admin))
		expectStatus(t, w, 200)
		if got := decode[securityTxtSettings](t, w); got.BaseURL != "https://craft.example.eu" || len(got.Contact) != 2 {
			t.Errorf("settings after refused changes: %+v", got)
		}
		evs, err := st.ListAudit(context.Background(), store.AuditFilter{Action: ActSettingChange, Target: "setting:" + SettingSecurityTxt})
		if err != nil || len(evs) != 1 {
			t.Errorf("audit events of the change: %d, %v", len(evs), err)
		}
	})
}

// TestReportFlow: a report sent through the form and one through the
// API, each with its reference and status link; the officer of the product
// sees and answers it, the officer of another product does not; the
// reporter sees the answer; nothing of the report reaches the logs, the
// audit log or the notification.
func TestReportFlow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ctx := context.Background()
		widget, gadget := e.product("Widget"), e.product("Gadget")
		soW := e.user("so-widget@example.eu", auth.RoleSecurityOfficer)
		e.member(soW, widget, store.RoleSecurityOfficer)
		soG := e.user("so-gadget@example.eu", auth.RoleSecurityOfficer)
		e.member(soG, gadget, store.RoleSecurityOfficer)
		viewer := e.user("viewer@example.eu", auth.RoleViewer)
		e.member(viewer, widget, store.RoleViewer)
		admin := e.user("admin@example.eu", auth.RoleAdministrator)

		// The form: no cookie is set for the anonymous reporter.
		w := e.do("GET", "/report", nil)
		expectStatus(t, w, 200)
		if len(w.Result().Cookies()) != 0 {
			t.Errorf("the report page sets cookies: %v", w.Result().Cookies())
		}
		m := regexp.MustCompile(`name="form_token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
		if m == nil || !strings.Contains(w.Body.String(), ">Widget</option>") {
			t.Fatalf("form lacks token or products:\n%s", w.Body.String())
		}
		e.clock.Advance(5 * time.Second)
		w = e.do("POST", "/report", reportFormBody(map[string]string{"form_token": m[1], "product_id": widget.ID, "version": "1.2.3",
			"description": secret + " <script>alert(1)</script>", "contact": "mailto:r@example.org"}), formCT)
		expectStatus(t, w, 201)
		if len(w.Result().Cookies()) != 0 {
			t.Errorf("the report answer sets cookies")
		}
		ref := regexp.MustCompile(`CRAFT-2026-\d{4}`).FindString(w.Body.String())
		link := regexp.MustCompile(`/report/status/[A-Za-z0-9_-]{43}`).FindString(w.Body.String())
		if ref != "CRAFT-2026-0001" || link == "" {
			t.Fatalf("reference %q, link %q in:\n%s", ref, link, w.Body.String())
		}

		// The API, with a free-text product that matches a known one.
		tok := formToken(t, e)
		e.clock.Advance(4 * time.Second)
		w = e.do("POST", "/api/v1/reports", map[string]string{"form_token": tok, "product": "gadget", "description": secret})
		expectStatus(t, w, 201)
		created := decode[reportCreated](t, w)
		if created.Reference != "CRAFT-2026-0002" || len(created.StatusToken) != 43 {
			t.Fatalf("created %+v", created)
		}
		// Free text that matches nothing stays free text (admins only).
		tok = formToken(t, e)
		e.clock.Advance(4 * time.Second)
		w = e.do("POST", "/api/v1/reports", map[string]string{"form_token": tok, "product": "Unknown thing", "description": secret})
		expectStatus(t, w, 201)

		// The status link works; a wrong token is 404.
		w = e.do("GET", link, nil)
		expectStatus(t, w, 200)
		if !strings.Contains(w.Body.String(), "&lt;script&gt;") || strings.Contains(w.Body.String(), "<script>alert") {
			t.Errorf("status page does not escape the report")
		}
		expectStatus(t, e.do("GET", "/report/status/"+strings.Repeat("A", 43), nil), 404)
		expectStatus(t, e.do("GET", "/report/status/short", nil), 404)
		expectStatus(t, e.do("GET", "/api/v1/reports/status/"+strings.Repeat("A", 43), nil), 404)
		w = e.do("GET", "/api/v1/reports/status/"+created.StatusToken, nil)
		expectStatus(t, w, 200)
		if got := decode[reportJSON](t, w); got.Reference != created.Reference || got.Description != secret || got.ProductID != "" {
			t.Errorf("reporter's view %+v", got)
		}

		// Product isolation: each officer sees the reports of their product.
		list := func(u auth.User) []reportJSON {
			w := e.do("GET", "/api/v1/reports", nil, withCookie(e.session(u)))
			expectStatus(t, w, 200)
			return decode[Page[reportJSON]](t, w).Items
		}
		if got := list(soW); len(got) != 1 || got[0].Reference != "CRAFT-2026-0001" || got[0].Description == "" {
			t.Errorf("widget officer sees %+v", got)
		}
		if got := list(soG); len(got) != 1 || got[0].Reference != "CRAFT-2026-0002" {
			t.Errorf("gadget officer sees %+v", got)
		}
		if got := list(viewer); len(got) != 0 {
			t.Errorf("viewer sees %+v", got)
		}
		if got := list(admin); len(got) != 3 {
			t.Errorf("admin sees %d reports", len(got))
		}
		expectStatus(t, e.do("GET", "/api/v1/reports/CRAFT-2026-0001", nil, withCookie(e.session(soG))), 404)
		expectStatus(t, e.do("GET", "/api/v1/reports/CRAFT-2026-0003", nil, withCookie(e.session(soW))), 404)
		expectStatus(t, e.do("POST", "/api/v1/reports/CRAFT-2026-0001/messages", map[string]string{"body": "hi"},
			withCookie(e.session(soG))), 404)
		expectStatus(t, e.do("POST", "/api/v1/reports/CRAFT-2026-0001/messages", map[string]string{"body": "hi"},
			withCookie(e.session(viewer))), 404)
		expectStatus(t, e.do("GET", "/api/v1/reports", nil), 401)

		// The officer answers; the reporter sees it and answers back.
		w = e.do("POST", "/api/v1/reports/CRAFT-2026-0001/messages", map[string]string{"body": "Thanks, SECRET-reply-1 confirmed"},
			withCookie(e.session(soW)))
		expectStatus(t, w, 200)
		w = e.do("GET", link, nil)
		if !strings.Contains(w.Body.String(), "SECRET-reply-1") || !strings.Contains(w.Body.String(), "Security team") {
			t.Errorf("status page lacks the reply")
		}
		w = e.do("POST", link, reportFormBody(map[string]string{"body": "SECRET-answer-2"}), formCT)
		expectStatus(t, w, 200)
		w = e.do("GET", "/api/v1/reports/CRAFT-2026-0001", nil, withCookie(e.session(soW)))
		expectStatus(t, w, 200)
		if got := decode[reportJSON](t, w); len(got.Messages) != 2 || got.Messages[1].From != "reporter" || got.Messages[1].Body != "SECRET-answer-2" {
			t.Errorf("officer's view %+v", got)
		}
		w = e.do("POST", "/api/v1/reports/status/"+created.StatusToken+"/messages", map[string]string{"body": "SECRET-api-msg"})
		expectStatus(t, w, 200)

		// Notifications say only "new report <ref> on product <id>".
		ns, err := st.ListPendingNotifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var newReports int
		for _, n := range ns {
			if n.Kind == NotifyReportNew {
				newReports++
				if !strings.HasPrefix(n.Subject, "new report CRAFT-2026-000") {
					t.Errorf("notification subject %q", n.Subject)
				}
			}
		}
		if newReports != 3 {
			t.Errorf("%d new-report notifications, want 3", newReports)
		}

		// Nothing of the reports in logs, audit or notifications.
		evs, err := st.ListAudit(ctx, store.AuditFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		var created3 int
		for _, ev := range evs {
			if ev.Action == ActReportCreate {
				created3++
			}
			all := ev.Actor + ev.Action + ev.Target + ev.SourceIP
			for k, v := range ev.Detail {
				all += k + v
			}
			assertNoReportText(t, "audit event "+ev.Action, all)
		}
		if created3 != 3 {
			t.Errorf("%d report.create events, want 3", created3)
		}
		for _, n := range ns {
			assertNoReportText(t, "notification", n.Subject+n.Reference)
		}
		assertNoReportText(t, "log", e.log.String())
		for _, tk := range []string{created.StatusToken, strings.TrimPrefix(link, "/report/status/")} {
			if strings.Contains(e.log.String(), tk) {
				t.Errorf("the log holds a status token")
			}
		}
	})
}

func assertNoReportText(t *testing.T, where, s string) {
	t.Helper()
	for _, bad := range []string{"SECRET", "r@example.org", "1.2.3", "Unknown thing", "<script>"} {
		if strings.Contains(s, bad) {
			t.Errorf("%s holds report content %q", where, bad)
		}
	}
}

// TestReportAbuse: honeypot, too fast, forged or stale form token, missing
// description, oversize body (413), and the strict rate limit (429).
func TestReportAbuse(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		tok := formToken(t, e)

		// Too fast.
		w := e.do("POST", "/api/v1/reports", map[string]string{"form_token": tok, "description": "x"})
		expectStatus(t, w, 400)
		if !strings.Contains(w.Body.String(), "report-too-fast") {
			t.Errorf("too fast: %s", w.Body.String())
		}
		e.clock.Advance(5 * time.Second)
		for name, in := range map[string]map[string]string{
			"honeypot":        {"form_token": tok, "description": "x", "website": "http://spam.example"},
			"forged token":    {"form_token": "1.AAAA", "description": "x"},
			"no token":        {"description": "x"},
			"no description":  {"form_token": tok, "description": "  "},
			"unknown product": {"form_token": tok, "description": "x", "product_id": "nope"},
			"bad utf-8":       {"form_token": tok, "description": "x\x00y"},
		} {
			if w := e.do("POST", "/api/v1/reports", in); w.Code != 400 {
				t.Errorf("%s: %d, want 400", name, w.Code)
			}
		}
		// The form: a honeypot shows the form again with 400, too fast too.
		w = e.do("POST", "/report", reportFormBody(map[string]string{"form_token": tok, "description": "x", "website": "spam"}), formCT)
		expectStatus(t, w, 400)
		fresh := regexp.MustCompile(`name="form_token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
		if fresh == nil {
			t.Fatal("refused form is not shown again")
		}
		w = e.do("POST", "/report", reportFormBody(map[string]string{"form_token": fresh[1], "description": "x"}), formCT)
		expectStatus(t, w, 400)
		if !strings.Contains(w.Body.String(), "too quickly") {
			t.Errorf("too fast form: no message")
		}
		// Stale tokens are refused too.
		e.clock.Advance(25 * time.Hour)
		expectStatus(t, e.do("POST", "/api/v1/reports", map[string]string{"form_token": tok, "description": "x"}), 400)

		// Oversize: 413 before anything is read.
		tok = formToken(t, e)
		e.clock.Advance(5 * time.Second)
		big := strings.Repeat("A", int(reportMaxBody)+1)
		expectStatus(t, e.do("POST", "/api/v1/reports", map[string]string{"form_token": tok, "description": big}), 413)
		expectStatus(t, e.do("POST", "/report", reportFormBody(map[string]string{"form_token": tok, "description": big}), formCT), 413)

		reps, err := st.ListReports(context.Background(), store.ReportFilter{All: true})
		if err != nil || len(reps) != 0 {
			t.Errorf("refused reports were stored: %d, %v", len(reps), err)
		}
	})
}

// TestReportRateLimit: the strict class applies per address; another
// address is not affected.
func TestReportRateLimit(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{})
	var limited bool
	for i := range 30 {
		w := e.do("POST", "/api/v1/reports", map[string]string{"description": "x"}, withIP("198.51.100.7"))
		if w.Code == http.StatusTooManyRequests {
			limited = true
			if w.Header().Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			break
		}
		if i > 20 {
			break
		}
	}
	if !limited {
		t.Fatal("no 429 after 20 reports from one address")
	}
	if w := e.do("POST", "/api/v1/reports", map[string]string{"description": "x"}, withIP("198.51.100.8")); w.Code == http.StatusTooManyRequests {
		t.Error("another address is limited too")
	}
}

// TestSecurityTxtPage: the administrators' page saves valid settings,
// shows refused ones again with the reason, and is closed to others.
func TestSecurityTxtPage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	admin := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
	officer := e.session(e.user("so@example.eu", auth.RoleSecurityOfficer))
	expectStatus(t, e.do("GET", "/admin/security-txt", nil, withCookie(officer)), 403)
	w := e.do("GET", "/admin/security-txt", nil, withCookie(admin))
	expectStatus(t, w, 200)
	if !strings.Contains(w.Body.String(), `action="/admin/security-txt"`) {
		t.Fatal("no form")
	}
	w = e.do("POST", "/admin/security-txt", reportFormBody(map[string]string{"contact": "security@example.eu"}), formCT, withCookie(admin))
	expectStatus(t, w, 400)
	if !strings.Contains(w.Body.String(), "mailto:") {
		t.Errorf("refusal does not say why")
	}
	expectStatus(t, e.do("GET", "/.well-known/security.txt", nil), 404)
	w = e.do("POST", "/admin/security-txt", reportFormBody(map[string]string{
		"contact": "mailto:security@example.eu\r\nhttps://craft.example.eu/report", "preferred_languages": "en, fr",
		"base_url": "https://craft.example.eu"}), formCT, withCookie(admin))
	expectStatus(t, w, 200)
	w = e.do("GET", "/.well-known/security.txt", nil)
	expectStatus(t, w, 200)
	if probs := checks.ValidateSecurityTxt(w.Body.Bytes(), e.clock.Now()); len(probs) != 0 || !strings.Contains(w.Body.String(), "Preferred-Languages: en, fr\n") {
		t.Errorf("problems %v in\n%s", probs, w.Body.String())
	}
	expectStatus(t, e.do("POST", "/admin/security-txt", reportFormBody(map[string]string{"contact": "mailto:x@example.eu"}), formCT, withCookie(officer)), 403)
}

// TestReportMarkupInert: markup in every field is shown as text on the
// status page, and odd Unicode comes back exactly as sent.
func TestReportMarkupInert(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	tok := formToken(t, e)
	e.clock.Advance(5 * time.Second)
	const odd = "e\u0301 \u202eevil\u202c 🐛 ﷽ \u200b"
	in := map[string]string{"form_token": tok, "product": `<img src=x onerror=alert(1)>`, "version": `<b>1</b>`,
		"title": `"><script>alert(2)</script>`, "description": `<iframe src=//evil.example></iframe> ` + odd,
		"contact": `javascript:alert(3)`}
	w := e.do("POST", "/api/v1/reports", in)
	expectStatus(t, w, 201)
	created := decode[reportCreated](t, w)
	w = e.do("GET", created.StatusURL, nil)
	expectStatus(t, w, 200)
	body := w.Body.String()
	for _, raw := range []string{"<img", "<b>1", "<script>alert", "<iframe", `href="javascript`} {
		if strings.Contains(body, raw) {
			t.Errorf("status page holds raw %q", raw)
		}
	}
	w = e.do("GET", "/api/v1/reports/status/"+created.StatusToken, nil)
	if got := decode[reportJSON](t, w); !strings.HasSuffix(got.Description, odd) || got.Title != in["title"] {
		t.Errorf("round trip changed the text: %+v", got)
	}
}
