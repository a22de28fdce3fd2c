package server

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boombuler/barcode/qr"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// formBody is a form body and its Content-Type.
func formBody(v url.Values) (string, reqOpt) {
	return v.Encode(), withHeader("Content-Type", "application/x-www-form-urlencoded")
}

// post sends a form to the server.
func (e *env) post(path string, v url.Values, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	body, ct := formBody(v)
	return e.do("POST", path, body, append(opts, ct)...)
}

// expectHTML checks a page answer: status, HTML, the page's landmarks.
func expectHTML(t testing.TB, w *httptest.ResponseRecorder, status int, contains ...string) string {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	body := w.Body.String()
	for _, must := range append([]string{`<html lang="en">`, `<main id="main"`, `<title>`}, contains...) {
		if !strings.Contains(body, must) {
			t.Errorf("page lacks %q", must)
		}
	}
	return body
}

// TestWebTemplatesParse: every page template parses with the layout, and
// every template file is a page.
func TestWebTemplatesParse(t *testing.T) {
	ui, err := newWebUI(pageNames()...)
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(ui.pages)+1 {
		t.Errorf("%d template files, %d pages + layout", len(files), len(ui.pages))
	}
	for _, name := range []string{"craft.css", "favicon.svg"} {
		if _, ok := ui.assets[name]; !ok {
			t.Errorf("asset %s missing", name)
		}
	}
}

// TestWebNoInlineCodeOrExternalSources: the CSP forbids inline script and
// style; the templates have none, no event handler attributes, no
// javascript: URLs and nothing loaded from elsewhere.
func TestWebNoInlineCodeOrExternalSources(t *testing.T) {
	bad := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|javascript:|https?://|//[a-z0-9.-]+\.[a-z]{2,}/`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range bad.FindAllString(string(b), -1) {
			t.Errorf("%s: %q", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	css, err := staticFS.ReadFile("static/craft.css")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?i)@import|url\(\s*["']?https?:`).Match(css) {
		t.Error("craft.css loads something from elsewhere")
	}
}

// TestWebPagesRender: every page of a signed-in administrator renders, on
// both engines.
func TestWebPagesRender(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		admin := e.user("root@example.eu", auth.RoleAdministrator)
		viewer := e.user("vera@example.eu", auth.RoleViewer)
		p := e.product("Widget")
		e.member(viewer, p, store.RoleViewer)
		c := withCookie(e.session(admin))
		for path, want := range map[string]string{
			"/":                         "Overview",
			"/account":                  "Your account",
			"/admin/users":              "vera@example.eu",
			"/admin/users/" + viewer.ID: "Widget",
			"/admin/products":           "Widget",
			"/admin/audit":              "Audit log",
			"/admin/audit?verify=1":     "Intact",
			"/admin/settings":           "Activity log",
			"/admin/audit?page=9223372036854775807&since=2026-01-01&until=2099-12-31": "only the newest 10,000",
			"/admin/audit?page=-3&since=yesterday":                                    "not a date",
		} {
			expectHTML(t, e.do("GET", path, nil, c), http.StatusOK, want)
		}
		expectHTML(t, e.do("GET", "/admin/users/nosuchuser", nil, c), http.StatusNotFound)
		// The security.txt settings are reachable from the settings page.
		expectHTML(t, e.do("GET", "/admin/settings", nil, c), http.StatusOK, `href="/admin/security-txt"`)
	})
}

// TestWebViewerHasViewerRightsOnly: a viewer's pages offer nothing to
// administer, and every administration page and form answers 403 with the
// HTML error page.
func TestWebViewerHasViewerRightsOnly(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	admin := e.user("root@example.eu", auth.RoleAdministrator)
	viewer := e.user("vera@example.eu", auth.RoleViewer)
	p := e.product("Widget")
	e.member(viewer, p, store.RoleViewer)
	c := withCookie(e.session(viewer))
	home := expectHTML(t, e.do("GET", "/", nil, c), http.StatusOK, "Viewer", "Widget")
	if strings.Contains(home, `href="/admin/`) {
		t.Error("a viewer's overview links to administration pages")
	}
	if !strings.Contains(home, "list the products you can see") || strings.Contains(home, "administer accounts") {
		t.Error("a viewer's overview lists the wrong permissions")
	}
	for _, rt := range e.s.webRoutes() {
		if rt.Public || !strings.HasPrefix(rt.Pattern, "/admin/") {
			continue
		}
		path := strings.NewReplacer("{id}", admin.ID, "{user}", admin.ID, "{product}", p.ID).Replace(rt.Pattern)
		var w *httptest.ResponseRecorder
		if rt.Method == "GET" {
			w = e.do("GET", path, nil, c)
		} else {
			w = e.post(path, url.Values{"role": {"admin"}, "user": {viewer.ID}, "product": {p.ID}, "name": {"x"}, "email": {"x@example.eu"}}, c)
		}
		expectHTML(t, w, http.StatusForbidden, "403")
	}
	u, err := e.s.auth.Users.GetUser(context.Background(), viewer.ID)
	if err != nil || u.Role != auth.RoleViewer {
		t.Fatalf("viewer's role after the attempts: %v %v", u.Role, err)
	}
}

// TestWebSetup: the setup link makes the first administrator once; a
// refused password does not use the link up.
func TestWebSetup(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	tok, _, err := e.s.auth.Setup.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	body := expectHTML(t, e.do("GET", "/setup?token="+tok, nil), http.StatusOK, `name="token"`)
	if !strings.Contains(body, tok) {
		t.Fatal("setup form does not carry the token")
	}
	form := url.Values{"token": {tok}, "email": {"root@example.eu"}, "password": {"password1234"}, "password2": {"password1234"}}
	expectHTML(t, e.post("/setup", form), http.StatusBadRequest, "cannot be used")
	form.Set("password2", "something else entirely")
	expectHTML(t, e.post("/setup", form), http.StatusBadRequest, "differ")
	form.Set("password", testPassword)
	form.Set("password2", testPassword)
	w := e.post("/setup", form)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != EnrolPagePath || sessionCookie(w) == nil {
		t.Fatalf("setup: %d %q %s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	u, err := e.s.auth.Users.GetUserByEmail(context.Background(), "root@example.eu")
	if err != nil || u.Role != auth.RoleAdministrator {
		t.Fatalf("administrator: %+v %v", u, err)
	}
	expectHTML(t, e.post("/setup", form), http.StatusConflict, "already has an administrator")
	expectHTML(t, e.do("GET", "/setup?token="+tok, nil), http.StatusOK, "already has an administrator")
	events, err := e.st.ListAudit(context.Background(), store.AuditFilter{Action: ActSetup})
	if err != nil || len(events) != 1 || events[0].Target != "user:"+u.ID {
		t.Fatalf("setup audit: %+v %v", events, err)
	}
}

// TestWebSetupTokenSingleUse: a used or wrong token is refused.
func TestWebSetupTokenSingleUse(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	form := url.Values{"token": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "email": {"root@example.eu"},
		"password": {testPassword}, "password2": {testPassword}}
	expectHTML(t, e.post("/setup", form), http.StatusUnauthorized, "not valid")
	if n, err := e.st.CountUsers(context.Background()); err != nil || n != 0 {
		t.Fatalf("users after a wrong token: %d %v", n, err)
	}
}

// TestWebLogin: the password step, the second factor redirect, wrong
// passwords (one answer, audited) and the next parameter kept on this
// server.
func TestWebLogin(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	e.user("vera@example.eu", auth.RoleViewer)
	e.user("root@example.eu", auth.RoleAdministrator)
	for _, email := range []string{"vera@example.eu", "nobody@example.eu"} {
		w := e.post("/login", url.Values{"email": {email}, "password": {"wrong password 123"}})
		expectHTML(t, w, http.StatusUnauthorized, "Wrong e-mail address or password")
		if sessionCookie(w) != nil {
			t.Error("a failed sign-in set a cookie")
		}
	}
	w := e.post("/login", url.Values{"email": {"vera@example.eu"}, "password": {testPassword}, "next": {"/account"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account" || sessionCookie(w) == nil {
		t.Fatalf("viewer sign-in: %d %q", w.Code, w.Header().Get("Location"))
	}
	w = e.post("/login", url.Values{"email": {"vera@example.eu"}, "password": {testPassword}, "next": {"//evil.example/"}})
	if w.Header().Get("Location") != "/" {
		t.Errorf("next //evil.example/ led to %q", w.Header().Get("Location"))
	}
	w = e.post("/login", url.Values{"email": {"root@example.eu"}, "password": {testPassword}})
	if w.Header().Get("Location") != EnrolPagePath {
		t.Fatalf("administrator without MFA: sent to %q", w.Header().Get("Location"))
	}
	pending := withCookie(sessionCookie(w).Value)
	// A pending session reaches only the MFA pages.
	if w := e.do("GET", "/account", nil, pending); w.Code != http.StatusSeeOther || w.Header().Get("Location") != MFAPagePath {
		t.Errorf("pending session on /account: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := e.do("GET", MFAPagePath, nil, pending); w.Header().Get("Location") != EnrolPagePath {
		t.Errorf("pending session without MFA on %s: sent to %q", MFAPagePath, w.Header().Get("Location"))
	}
	expectHTML(t, e.do("GET", EnrolPagePath, nil, pending), http.StatusOK, `<svg`, `id="totp-secret"`)
	failed, err := e.st.ListAudit(context.Background(), store.AuditFilter{Action: ActLoginFailed})
	if err != nil || len(failed) != 2 {
		t.Fatalf("failed sign-ins audited: %d %v", len(failed), err)
	}
}

// TestWebSafeNext: only paths of this server survive as sign-in targets.
func TestWebSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/",
		"/account":              "/account",
		"/admin/audit?page=2":   "/admin/audit?page=2",
		"//evil.example":        "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"javascript:alert(1)":   "/",
		"/ok\r\nSet-Cookie: x":  "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWebInsecureBanner: --insecure-http shows a warning on every page.
func TestWebInsecureBanner(t *testing.T) {
	const words = "runs without TLS"
	e := newEnv(t, storetest.SQLite(t), Config{InsecureHTTP: true, Limits: RateLimits{Disabled: true}})
	expectHTML(t, e.do("GET", "/login", nil), http.StatusOK, words)
	e2 := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	if strings.Contains(e2.do("GET", "/login", nil).Body.String(), words) {
		t.Error("banner shown with TLS")
	}
}

// TestWebAccountAndAdminActions: the forms change what they say, audit
// it, and leave no secret in the audit log.
func TestWebAccountAndAdminActions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ctx := context.Background()
		admin := e.user("root@example.eu", auth.RoleAdministrator)
		c := withCookie(e.session(admin))

		// A new user: viewer by default, first password shown once.
		body := expectHTML(t, e.post("/admin/users", url.Values{"email": {"new@example.eu"}}, c), http.StatusOK, `id="temp-password"`)
		u, err := e.s.auth.Users.GetUserByEmail(ctx, "new@example.eu")
		if err != nil || u.Role != auth.RoleViewer {
			t.Fatalf("new user: %+v %v", u, err)
		}
		pw := regexp.MustCompile(`id="temp-password">([^<]+)<`).FindStringSubmatch(body)
		if pw == nil {
			t.Fatal("no first password shown")
		}
		if w := e.post("/login", url.Values{"email": {"new@example.eu"}, "password": {pw[1]}}); w.Code != http.StatusSeeOther {
			t.Fatalf("the first password does not sign in: %d", w.Code)
		}
		expectHTML(t, e.post("/admin/users", url.Values{"email": {"new@example.eu"}}, c), http.StatusConflict, "exists already")

		// Product, membership, role, disable, enable.
		expectStatus(t, e.post("/admin/products", url.Values{"name": {"Widget"}}, c), http.StatusSeeOther)
		products, err := e.st.ListProducts(ctx)
		if err != nil || len(products) != 1 {
			t.Fatalf("products: %v %v", products, err)
		}
		pid := products[0].ID
		expectStatus(t, e.post("/admin/memberships", url.Values{"user": {u.ID}, "product": {pid}, "role": {"contributor"}}, c), http.StatusSeeOther)
		if m, err := e.st.GetMembership(ctx, u.ID, pid); err != nil || m.Role != store.RoleContributor {
			t.Fatalf("membership: %+v %v", m, err)
		}
		expectHTML(t, e.post("/admin/memberships", url.Values{"user": {u.ID}, "product": {pid}, "role": {"admin"}}, c), http.StatusBadRequest)
		expectStatus(t, e.post("/admin/users/"+u.ID+"/role", url.Values{"role": {"security_officer"}}, c), http.StatusSeeOther)
		expectStatus(t, e.post("/admin/users/"+u.ID+"/disable", nil, c), http.StatusSeeOther)
		expectStatus(t, e.post("/admin/users/"+u.ID+"/enable", nil, c), http.StatusSeeOther)
		expectStatus(t, e.post("/admin/products/"+pid+"/members/"+u.ID+"/remove", nil, c), http.StatusSeeOther)
		if _, err := e.st.GetMembership(ctx, u.ID, pid); err == nil {
			t.Error("membership still there")
		}
		// The last administrator cannot demote itself.
		expectHTML(t, e.post("/admin/users/"+admin.ID+"/role", url.Values{"role": {"viewer"}}, c), http.StatusBadRequest, "last enabled administrator")

		// Account: a token shown once, then revoked; password change.
		body = expectHTML(t, e.post("/account/tokens", url.Values{"name": {"ci"}, "role": {"viewer"}, "days": {"30"}}, c), http.StatusOK, `id="new-token"`)
		tok := regexp.MustCompile(`craft_pat_[A-Za-z0-9_-]{49}`).FindString(body)
		if tok == "" {
			t.Fatal("token not shown")
		}
		if strings.Contains(e.do("GET", "/account", nil, c).Body.String(), tok) {
			t.Error("the token is shown twice")
		}
		tokens, err := e.s.auth.Tokens.List(ctx, admin.ID)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("tokens: %v %v", tokens, err)
		}
		expectStatus(t, e.post("/account/tokens/"+tokens[0].ID+"/revoke", nil, c), http.StatusSeeOther)
		expectHTML(t, e.post("/account/password", url.Values{"current": {"wrong wrong wrong"}, "new": {"a brand new passphrase"}, "new2": {"a brand new passphrase"}}, c),
			http.StatusUnauthorized, "current password is wrong")
		expectStatus(t, e.post("/account/password", url.Values{"current": {testPassword}, "new": {"a brand new passphrase"}, "new2": {"a brand new passphrase"}}, c), http.StatusSeeOther)

		// The activity-log switch.
		expectStatus(t, e.post("/admin/settings", url.Values{}, c), http.StatusSeeOther)
		if e.s.activityLog.Load() {
			t.Error("activity log still on")
		}
		expectStatus(t, e.post("/admin/settings", url.Values{"activity_log": {"on"}}, c), http.StatusSeeOther)
		if v, err := e.st.GetSetting(ctx, SettingActivityLog); err != nil || v != "true" || !e.s.activityLog.Load() {
			t.Errorf("activity log setting %q %v", v, err)
		}

		// Everything audited, nothing secret in it.
		events, err := e.st.ListAudit(ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ev := range events {
			seen[ev.Action] = true
			if bad := store.FindSecretLike(ev); len(bad) > 0 {
				t.Errorf("audit event %s holds secret-like %v: %+v", ev.Action, bad, ev)
			}
			for _, v := range ev.Detail {
				if strings.Contains(v, pw[1]) || strings.Contains(v, tok) {
					t.Errorf("audit event %s holds a secret", ev.Action)
				}
			}
		}
		for _, a := range []string{ActUserCreate, ActProductCreate, ActMembershipSet, ActRoleChange, ActUserDisable,
			ActUserEnable, ActMembershipDelete, ActTokenCreate, ActTokenRevoke, ActPasswordChange, ActSettingChange} {
			if !seen[a] {
				t.Errorf("no %s event", a)
			}
		}

		// Log out everywhere ends this session too.
		c2 := withCookie(e.session(admin))
		expectStatus(t, e.post("/account/sessions/revoke-all", nil, c2), http.StatusSeeOther)
		if w := e.do("GET", "/account", nil, c2); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), LoginPagePath) {
			t.Errorf("after log out everywhere: %d %q", w.Code, w.Header().Get("Location"))
		}
	})
}

// TestWebCrossOriginFormRefused: a form posted from another site is
// refused (by the core's CrossOriginProtection, before routing, so the
// answer is problem+json even for a page).
func TestWebCrossOriginFormRefused(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	admin := e.user("root@example.eu", auth.RoleAdministrator)
	w := e.post("/admin/users", url.Values{"email": {"mallory@example.eu"}}, withCookie(e.session(admin)),
		withHeader("Sec-Fetch-Site", "cross-site"), withHeader("Origin", "https://evil.example"))
	expectStatus(t, w, http.StatusForbidden)
	if _, err := e.s.auth.Users.GetUserByEmail(context.Background(), "mallory@example.eu"); err == nil {
		t.Fatal("a cross-site form created a user")
	}
}

// TestWebStaticAssets: assets by version are cached for good, others not;
// unknown ones are 404.
func TestWebStaticAssets(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	ui, err := newWebUI()
	if err != nil {
		t.Fatal(err)
	}
	w := e.do("GET", "/static/craft.css?v="+ui.assets["craft.css"].version, nil)
	expectStatus(t, w, http.StatusOK)
	if w.Header().Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("css: %q %q", w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
	}
	if w := e.do("GET", "/static/craft.css", nil); w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("unversioned css: Cache-Control %q", w.Header().Get("Cache-Control"))
	}
	expectStatus(t, e.do("GET", "/static/nope.js", nil), http.StatusNotFound)
	expectStatus(t, e.do("GET", "/static/", nil), http.StatusNotFound)
	if w := e.do("GET", "/favicon.ico", nil); w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}

// TestQRSVG: the SVG has one square per dark module of the QR code, a
// quiet zone, and an escaped accessible name.
func TestQRSVG(t *testing.T) {
	const content = "otpauth://totp/craft:root@example.eu?algorithm=SHA1&digits=6&issuer=craft&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	svg, err := qrSVG(content, `key for <a&b>`)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := code.Bounds().Dx()
	if !strings.Contains(s, `viewBox="0 0 `+strconv.Itoa(n+2*qrQuietZone)+" "+strconv.Itoa(n+2*qrQuietZone)+`"`) {
		t.Errorf("viewBox wrong for %d modules: %.120s", n, s)
	}
	if !strings.Contains(s, `aria-label="key for &lt;a&amp;b&gt;"`) || strings.Contains(s, "<a&b>") {
		t.Errorf("label not escaped: %.300s", s)
	}
	// Count the dark modules the path paints against the code.
	dark := 0
	for y := range n {
		for x := range n {
			r, _, _, _ := code.At(x, y).RGBA()
			if r < 0x8000 {
				dark++
			}
		}
	}
	painted := 0
	for _, m := range regexp.MustCompile(`h(\d+)v1`).FindAllStringSubmatch(s, -1) {
		k, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		painted += k
	}
	if painted != dark {
		t.Errorf("path paints %d modules, the code has %d dark", painted, dark)
	}
}

// TestWebAuditPaging: newest first, 50 a page, older pages by link, the
// filter kept, the export link carrying the filter as RFC 3339 times.
func TestWebAuditPaging(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	admin := e.user("root@example.eu", auth.RoleAdministrator)
	c := withCookie(e.session(admin))
	for i := range 120 {
		if _, err := e.st.AppendAudit(context.Background(), store.Event{At: time.Date(2026, 12, 4, 12, 0, i, 0, time.UTC), Actor: "system", Action: "test.event",
			Target: "n:" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	rows := regexp.MustCompile(`<tr>\s*<td>(\d+)</td>`)
	seqs := func(body string) []int {
		var out []int
		for _, m := range rows.FindAllStringSubmatch(body, -1) {
			n, err := strconv.Atoi(m[1])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}
	body := expectHTML(t, e.do("GET", "/admin/audit?action=test.event&until=2026-12-04", nil, c), http.StatusOK, "Older events")
	got := seqs(body)
	if len(got) != 50 || got[0] != 120 || got[49] != 71 {
		t.Fatalf("page 0: %d rows %v", len(got), got)
	}
	if !strings.Contains(body, `href="/api/v1/audit/export?action=test.event&amp;until=2026-12-05T00%3A00%3A00Z"`) {
		t.Errorf("export link lacks the filter: %s", regexp.MustCompile(`href="/api/v1/audit/export[^"]*"`).FindString(body))
	}
	got = seqs(e.do("GET", "/admin/audit?action=test.event&until=2026-12-04&page=2", nil, c).Body.String())
	if len(got) != 20 || got[0] != 20 || got[19] != 1 {
		t.Fatalf("page 2: %d rows %v", len(got), got)
	}
}

// TestWebMFAEnrolAndRecoveryCode: the enrolment page's key turns MFA on,
// the recovery codes are shown once, and a recovery code signs in once.
func TestWebMFAEnrolAndRecoveryCode(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	e.user("root@example.eu", auth.RoleAdministrator)
	signIn := func() reqOpt {
		t.Helper()
		w := e.post("/login", url.Values{"email": {"root@example.eu"}, "password": {testPassword}})
		if w.Code != http.StatusSeeOther || sessionCookie(w) == nil {
			t.Fatalf("sign-in: %d", w.Code)
		}
		return withCookie(sessionCookie(w).Value)
	}
	pending := signIn()
	body := expectHTML(t, e.do("GET", EnrolPagePath, nil, pending), http.StatusOK)
	key := regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)<`).FindStringSubmatch(body)
	otpURL := regexp.MustCompile(`name="url" value="([^"]+)"`).FindStringSubmatch(body)
	if key == nil || otpURL == nil {
		t.Fatal("no key on the enrolment page")
	}
	secret := strings.ReplaceAll(key[1], " ", "")
	code := totpNow(t, secret, e.clock.Now())
	w := e.post(EnrolPagePath, url.Values{"code": {code[:3] + " " + code[3:]}, "secret": {secret},
		"url": {strings.ReplaceAll(otpURL[1], "&amp;", "&")}}, pending)
	body = expectHTML(t, w, http.StatusOK, `id="recovery-codes"`)
	codes := regexp.MustCompile(`<li>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</li>`).FindAllStringSubmatch(body, -1)
	if len(codes) != auth.RecoveryCodeCount || sessionCookie(w) == nil {
		t.Fatalf("%d recovery codes, cookie %v", len(codes), sessionCookie(w))
	}
	// The old pending cookie stopped working when the session rotated.
	if w := e.do("GET", "/", nil, pending); w.Code != http.StatusSeeOther {
		t.Errorf("the pending cookie still works: %d", w.Code)
	}
	expectHTML(t, e.do("GET", "/account", nil, withCookie(sessionCookie(w).Value)), http.StatusOK, "10 of 10 recovery codes left")

	// Sign in with a recovery code (lower case, without dashes: people
	// type them so), once.
	rc := strings.ToLower(strings.ReplaceAll(codes[0][1], "-", ""))
	pending = signIn()
	w = e.post(MFAPagePath, url.Values{"code": {rc}, "next": {"/account"}}, pending)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account" {
		t.Fatalf("recovery code: %d %q %s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	pending = signIn()
	expectHTML(t, e.post(MFAPagePath, url.Values{"code": {rc}}, pending), http.StatusUnauthorized, "not valid or was used already")
	failed, err := e.st.ListAudit(context.Background(), store.AuditFilter{Action: ActMFAFailed})
	if err != nil || len(failed) != 1 {
		t.Fatalf("mfa.failed events: %d %v", len(failed), err)
	}
}

// TestWebVoluntaryEnrolment: a viewer (MFA not required) may turn MFA on
// from the account page; the page keeps the signed-in header.
func TestWebVoluntaryEnrolment(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	v := e.user("vera@example.eu", auth.RoleViewer)
	c := withCookie(e.session(v))
	expectHTML(t, e.do("GET", "/account", nil, c), http.StatusOK, `href="/login/mfa/enrol"`)
	body := expectHTML(t, e.do("GET", EnrolPagePath, nil, c), http.StatusOK, "Signed in as", "Back to your account")
	if strings.Contains(body, "Required:") {
		t.Error("enrolment shown as required for a viewer")
	}
}
