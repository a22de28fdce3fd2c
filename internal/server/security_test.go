package server

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// Security tests: one per item of DESIGN.md's "Security of craft itself"
// and issue 5 item 8. Each fails if its property breaks.

// wantHeaders are sent with every response, whatever the route or status.
var wantHeaders = map[string]string{
	"Content-Security-Policy":      ContentSecurityPolicy,
	"X-Content-Type-Options":       "nosniff",
	"Referrer-Policy":              "no-referrer",
	"Permissions-Policy":           PermissionsPolicy,
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Strict-Transport-Security":    "max-age=63072000; includeSubDomains",
	"X-Frame-Options":              "DENY",
	"Cross-Origin-Resource-Policy": "same-origin",
}

func checkHeaders(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	for k, v := range wantHeaders {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s (%d): %s = %q, want %q", what, w.Code, k, got, v)
		}
	}
	if w.Header().Get("X-Request-ID") == "" {
		t.Errorf("%s: no X-Request-ID", what)
	}
	// No CORS: no other origin may read craft's answers.
	for k := range w.Header() {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			t.Errorf("%s: CORS header %s", what, k)
		}
	}
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		if got := w.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s (%d): Cache-Control = %q, want no-store", what, w.Code, got)
		}
	}
}

// TestCSPIsStrict: no unsafe-inline, no unsafe-eval, no external source,
// framing refused.
func TestCSPIsStrict(t *testing.T) {
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
		if strings.Contains(ContentSecurityPolicy, bad) {
			t.Errorf("CSP contains %q", bad)
		}
	}
	for _, must := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(ContentSecurityPolicy, must) {
			t.Errorf("CSP lacks %q", must)
		}
	}
}

// TestSecurityHeadersOnEveryRoute walks the whole route table, signed in and
// not, and checks the headers on every answer (200s, 401s, 404s, 405s).
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	admin := e.user("root@example.eu", auth.RoleAdministrator)
	tok := e.session(admin)
	for _, rt := range e.s.Routes() {
		path := samplePath(rt.Pattern)
		checkHeaders(t, "anonymous "+rt.pattern(), e.do(rt.Method, path, nil))
		checkHeaders(t, "admin "+rt.pattern(), e.do(rt.Method, path, nil, withCookie(tok)))
	}
	checkHeaders(t, "404", e.do("GET", "/no/such/path", nil))
	checkHeaders(t, "405", e.do("PUT", "/health", nil))
	// And over plain HTTP: no HSTS, but the insecure-transport flag.
	e2 := newEnv(t, storetest.SQLite(t), Config{InsecureHTTP: true})
	w := e2.do("GET", "/health", nil)
	if w.Header().Get("Strict-Transport-Security") != "" || w.Header().Get(InsecureTransportHeader) != "1" {
		t.Errorf("insecure HTTP: HSTS %q, flag %q", w.Header().Get("Strict-Transport-Security"), w.Header().Get(InsecureTransportHeader))
	}
}

// TestHealthMinimal: /health says exactly {"status":"ok"}.
func TestHealthMinimal(t *testing.T) {
	e := sqliteEnv(t)
	w := e.do("GET", "/health", nil)
	expectStatus(t, w, 200)
	if w.Body.String() != `{"status":"ok"}` {
		t.Fatalf("health body %q", w.Body.String())
	}
	if w.Header().Get("Server") != "" {
		t.Errorf("Server header %q", w.Header().Get("Server"))
	}
}

// TestRouteTablePermissions: every route names a known permission, or is
// public and on the allow-list; the allow-list has nothing else; New
// refuses a route table that breaks the rule.
func TestRouteTablePermissions(t *testing.T) {
	e := sqliteEnv(t)
	for _, rt := range e.s.Routes() {
		if rt.Public {
			if !publicAllowList[rt.pattern()] {
				t.Errorf("%s is public but not on the allow-list", rt.pattern())
			}
			continue
		}
		if !rt.Perm.Known() {
			t.Errorf("%s has no known permission (%q)", rt.pattern(), rt.Perm)
		}
		if rt.Perm.ProductScoped() && rt.ProductParam == "" {
			t.Errorf("%s: product permission without product", rt.pattern())
		}
	}
	for _, bad := range []Route{
		{Method: "GET", Pattern: "/api/v1/oops", Handler: e.s.health},
		{Method: "GET", Pattern: "/api/v1/oops", Public: true, Handler: e.s.health},
		{Method: "GET", Pattern: "/api/v1/products/{id}/x", Perm: auth.PermProductRead, Handler: e.s.health},
		{Method: "GET", Pattern: "/api/v1/oops", Perm: "made:up", Handler: e.s.health},
	} {
		if err := checkRoute(&bad); err == nil {
			t.Errorf("checkRoute accepted %+v", bad.pattern())
		}
	}
}

// TestEveryAPIRouteNeedsAuthentication: without a session or token every
// non-public route answers 401; with a session still waiting for its second
// factor, too; with a bad token, too.
func TestEveryAPIRouteNeedsAuthentication(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		admin := e.user("root@example.eu", auth.RoleAdministrator)
		pending, err := e.s.auth.Sessions.Create(t.Context(), admin.ID, "192.0.2.1", "t", false)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range e.s.Routes() {
			if rt.Public {
				continue
			}
			path := samplePath(rt.Pattern)
			for name, opts := range map[string][]reqOpt{
				"none":        nil,
				"pending mfa": {withCookie(pending.Token)},
				"bad cookie":  {withCookie("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")},
				"bad token":   {withBearer("craft_pat_" + strings.Repeat("A", 49))},
				"basic auth":  {withHeader("Authorization", "Basic cm9vdDpyb290")},
			} {
				w := e.do(rt.Method, path, nil, opts...)
				want := http.StatusUnauthorized
				if rt.Kind == KindPage && rt.Method == "GET" {
					want = http.StatusSeeOther
				}
				if w.Code != want {
					t.Errorf("%s %s with %s: %d, want %d", rt.Method, path, name, w.Code, want)
				}
			}
		}
	})
}

// adminOnly reports whether only administrators hold perm.
func adminOnly(perm auth.Permission) bool {
	for _, p := range auth.RolePermissions(auth.RoleSecurityOfficer) {
		if p == perm {
			return false
		}
	}
	return true
}

// TestAdminRoutesNeedAdmin: every route whose permission only
// administrators hold answers 403 to a security officer, a contributor and a
// viewer, even ones that are members of the product in the path.
func TestAdminRoutesNeedAdmin(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		p := e.product("widget")
		n := 0
		for _, role := range []auth.Role{auth.RoleViewer, auth.RoleContributor, auth.RoleSecurityOfficer} {
			u := e.user(string(role)+"@example.eu", role)
			if role != auth.RoleViewer {
				e.member(u, p, store.Role(role))
			} else {
				e.member(u, p, store.RoleViewer)
			}
			tok := e.session(u)
			for _, rt := range e.s.Routes() {
				if rt.Public || !adminOnly(rt.Perm) {
					continue
				}
				n++
				path := strings.ReplaceAll(samplePath(rt.Pattern), "/x0", "/"+p.ID)
				if w := e.do(rt.Method, path, nil, withCookie(tok)); w.Code != http.StatusForbidden {
					t.Errorf("%s %s as %s: %d, want 403", rt.Method, path, role, w.Code)
				}
			}
		}
		if n == 0 {
			t.Fatal("no admin routes found")
		}
	})
}

// TestProductIsolation: a contributor on product A sees A and nothing of B,
// in listings and by ID; a token scoped to A cannot reach B even when its
// owner is an administrator.
func TestProductIsolation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{})
		a, b := e.product("alpha"), e.product("beta")
		u := e.user("carol@example.eu", auth.RoleContributor)
		e.member(u, a, store.RoleContributor)
		tok := e.session(u)
		expectStatus(t, e.do("GET", "/api/v1/products/"+a.ID, nil, withCookie(tok)), 200)
		expectStatus(t, e.do("GET", "/api/v1/products/"+b.ID, nil, withCookie(tok)), 403)
		expectStatus(t, e.do("GET", "/api/v1/products/no-such-product", nil, withCookie(tok)), 403)
		list := decode[Page[productJSON]](t, e.do("GET", "/api/v1/products", nil, withCookie(tok))).Items
		if len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("contributor sees %+v", list)
		}
		expectStatus(t, e.do("PUT", "/api/v1/products/"+b.ID+"/members/"+u.ID, map[string]string{"role": "contributor"}, withCookie(tok)), 403)

		admin := e.user("root@example.eu", auth.RoleAdministrator)
		scoped := e.token(admin, auth.RoleAdministrator, []string{a.ID})
		expectStatus(t, e.do("GET", "/api/v1/products/"+a.ID, nil, withBearer(scoped)), 200)
		expectStatus(t, e.do("GET", "/api/v1/products/"+b.ID, nil, withBearer(scoped)), 403)
		list = decode[Page[productJSON]](t, e.do("GET", "/api/v1/products", nil, withBearer(scoped))).Items
		if len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("scoped token sees %+v", list)
		}
		// Tokens cannot administer users or mint tokens.
		expectStatus(t, e.do("GET", "/api/v1/users", nil, withBearer(scoped)), 403)
		expectStatus(t, e.do("POST", "/api/v1/me/tokens", map[string]string{"name": "x"}, withBearer(e.token(admin, auth.RoleAdministrator, nil))), 403)
	})
}

// TestBindsLocalhostByDefault: the default listener is loopback only.
func TestBindsLocalhostByDefault(t *testing.T) {
	host, port, err := net.SplitHostPort(DefaultConfig().Listen)
	if err != nil {
		t.Fatal(err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() || port != "8443" {
		t.Fatalf("default listen %q is not loopback:8443", DefaultConfig().Listen)
	}
	e := newEnv(t, storetest.SQLite(t), Config{})
	if h, _, _ := net.SplitHostPort(e.s.Config().Listen); !net.ParseIP(h).IsLoopback() {
		t.Fatalf("zero Config listens on %q", e.s.Config().Listen)
	}
}

// TestNoDefaultCredentials: a fresh database has no account, common
// credentials do not work, and the only way in is the setup token: single
// use, expiring after an hour, closed once an account exists.
func TestNoDefaultCredentials(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		if n, err := st.CountUsers(t.Context()); err != nil || n != 0 {
			t.Fatalf("fresh store has %d users (%v)", n, err)
		}
		for _, c := range [][2]string{{"admin", "admin"}, {"admin@localhost", "admin"}, {"root", "root"}, {"craft", "craft"}} {
			w := e.do("POST", "/api/v1/auth/login", map[string]string{"email": c[0], "password": c[1]})
			if w.Code != http.StatusUnauthorized {
				t.Errorf("login %s/%s: %d", c[0], c[1], w.Code)
			}
		}
		if !decode[setupStatusResponse](t, e.do("GET", "/api/v1/setup", nil)).SetupRequired {
			t.Fatal("setup not required on a fresh store")
		}
		// An expired link does not work.
		old, ok, err := e.s.PrepareSetup(t.Context(), "https://127.0.0.1:8443")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		e.clock.Advance(61 * time.Minute)
		body := map[string]string{"token": setupToken(t, old.URL), "email": "root@example.eu", "password": testPassword}
		expectStatus(t, e.do("POST", "/api/v1/setup", body), 401)
		// A fresh one works once.
		link, ok, err := e.s.PrepareSetup(t.Context(), "https://127.0.0.1:8443")
		if err != nil || !ok || !strings.HasPrefix(link.URL, "https://127.0.0.1:8443/setup?token=") {
			t.Fatal(link, ok, err)
		}
		if d := link.Expires.Sub(e.clock.Now()); d != time.Hour {
			t.Errorf("setup link valid for %v", d)
		}
		body["token"] = setupToken(t, link.URL)
		body["password"] = "password1234" // refused: the token survives
		expectStatus(t, e.do("POST", "/api/v1/setup", body), 400)
		body["password"] = testPassword
		w := e.do("POST", "/api/v1/setup", body)
		expectStatus(t, w, 201)
		res := decode[setupResponse](t, w)
		if res.User.Role != "admin" || !res.MFAEnrolmentRequired {
			t.Fatalf("setup result %+v", res)
		}
		// The setup session is good for MFA enrolment only.
		c := sessionCookie(w)
		expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(c.Value)), 401)
		// Single use, and closed now that an account exists.
		body["email"] = "second@example.eu"
		expectStatus(t, e.do("POST", "/api/v1/setup", body), 409)
		if _, ok, _ := e.s.PrepareSetup(t.Context(), "https://x"); ok {
			t.Fatal("PrepareSetup made a link although an account exists")
		}
	})
}

func setupToken(t *testing.T, link string) string {
	t.Helper()
	_, tok, ok := strings.Cut(link, "?token=")
	if !ok {
		t.Fatalf("link %q", link)
	}
	return tok
}

// TestSessionCookieAttributes: __Host- prefix, Secure, HttpOnly,
// SameSite=Strict, Path=/, no Domain; a new cookie at every sign-in.
func TestSessionCookieAttributes(t *testing.T) {
	e := sqliteEnv(t)
	e.user("ann@example.eu", auth.RoleViewer)
	login := map[string]string{"email": "ann@example.eu", "password": testPassword}
	w := e.do("POST", "/api/v1/auth/login", login)
	expectStatus(t, w, 200)
	c := sessionCookie(w)
	if c == nil || !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || !c.HttpOnly ||
		c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie %+v", c)
	}
	w2 := e.do("POST", "/api/v1/auth/login", login, withCookie(c.Value))
	c2 := sessionCookie(w2)
	if c2 == nil || c2.Value == c.Value {
		t.Fatal("session not rotated at sign-in")
	}
	expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(c.Value)), 401)
	expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(c2.Value)), 200)
	// Log-out ends the session and deletes the cookie.
	w3 := e.do("POST", "/api/v1/auth/logout", nil, withCookie(c2.Value))
	expectStatus(t, w3, 204)
	if dc := sessionCookie(w3); dc == nil || dc.MaxAge >= 0 {
		t.Fatalf("logout cookie %+v", dc)
	}
	expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(c2.Value)), 401)
}

// TestCSRFRejectsCrossOrigin: a state-changing request from another origin
// is refused before any handler runs, whether the browser says so with
// Sec-Fetch-Site or only with Origin; same-origin and non-browser clients
// pass.
func TestCSRFRejectsCrossOrigin(t *testing.T) {
	e := sqliteEnv(t)
	u := e.user("ann@example.eu", auth.RoleAdministrator)
	tok := e.session(u)
	body := map[string]string{"name": "widget"}
	w := e.do("POST", "/api/v1/products", body, withCookie(tok), withHeader("Sec-Fetch-Site", "cross-site"))
	expectStatus(t, w, 403)
	if !strings.Contains(w.Body.String(), "cross-origin") {
		t.Errorf("body %s", w.Body.String())
	}
	expectStatus(t, e.do("POST", "/api/v1/products", body, withCookie(tok), withHeader("Origin", "https://evil.example")), 403)
	expectStatus(t, e.do("POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.eu", "password": testPassword},
		withHeader("Sec-Fetch-Site", "cross-site")), 403)
	expectStatus(t, e.do("POST", "/api/v1/products", body, withCookie(tok), withHeader("Sec-Fetch-Site", "same-origin")), 201)
	body["name"] = "gadget"
	expectStatus(t, e.do("POST", "/api/v1/products", body, withCookie(tok)), 201)
	ps, _ := e.st.ListProducts(t.Context())
	if len(ps) != 2 {
		t.Fatalf("%d products", len(ps))
	}
}

// TestJSONOnlyAndBodyLimit: JSON bodies need Content-Type application/json
// (415), may not exceed 100 KiB (413), and are decoded strictly (400 for
// unknown fields, trailing data, several values).
func TestJSONOnlyAndBodyLimit(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	u := e.user("root@example.eu", auth.RoleAdministrator)
	tok := e.session(u)
	ok := `{"name":"widget"}`
	for _, c := range []struct {
		name, ct, body string
		want           int
	}{
		{"form", "application/x-www-form-urlencoded", "name=widget", 415},
		{"text", "text/plain", ok, 415},
		{"none", "", ok, 415},
		{"latin1", "application/json; charset=latin1", ok, 415},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", 101<<10) + `"}`, 413},
		{"unknown field", "application/json", `{"name":"w","admin":true}`, 400},
		{"trailing", "application/json", ok + `{"name":"x"}`, 400},
		{"trailing garbage", "application/json", ok + ` x`, 400},
		{"wrong type", "application/json", `{"name":5}`, 400},
		{"empty", "application/json", ``, 400},
		{"malformed", "application/json", `{"name":`, 400},
		{"good", "application/json; charset=utf-8", ok, 201},
	} {
		w := e.do("POST", "/api/v1/products", c.body, withCookie(tok), withHeader("Content-Type", c.ct))
		if w.Code != c.want {
			t.Errorf("%s: %d, want %d (%s)", c.name, w.Code, c.want, w.Body.String())
		}
		if w.Code >= 400 && w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: error Content-Type %q", c.name, w.Header().Get("Content-Type"))
		}
	}
	// The limit holds without Content-Length too (chunked bodies).
	r := httptest.NewRequest("POST", "https://127.0.0.1:8443/api/v1/products", strings.NewReader(`{"name":"`+strings.Repeat("b", 200<<10)+`"}`))
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: tok})
	w := httptest.NewRecorder()
	e.s.Handler().ServeHTTP(w, r)
	expectStatus(t, w, 413)
}

// TestStrictJSONUnknownField: the sign-in request with an extra field is
// refused with 400 and a problem that names the field.
func TestStrictJSONUnknownField(t *testing.T) {
	e := sqliteEnv(t)
	w := e.do("POST", "/api/v1/auth/login", `{"email":"a@example.eu","password":"x","role":"admin"}`,
		withHeader("Content-Type", "application/json"))
	expectStatus(t, w, 400)
	p := decode[Problem](t, w)
	if !strings.Contains(p.Detail, `"role"`) || p.Status != 400 {
		t.Fatalf("problem %+v", p)
	}
}

// TestRateLimits: per address (every route), per principal, and the
// stricter sign-in class, each answering 429 with Retry-After.
func TestRateLimits(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{
		PerIP:        Bucket{Rate: 1, Burst: 5},
		PerPrincipal: Bucket{Rate: 1, Burst: 3},
		Auth:         Bucket{Rate: 0.1, Burst: 2},
	}})
	got429 := func(what string, f func() *httptest.ResponseRecorder, allowed int) {
		t.Helper()
		for i := 0; i < allowed; i++ {
			if w := f(); w.Code == http.StatusTooManyRequests {
				t.Fatalf("%s: 429 after %d requests, want %d allowed", what, i, allowed)
			}
		}
		w := f()
		expectStatus(t, w, http.StatusTooManyRequests)
		ra, err := strconv.Atoi(w.Header().Get("Retry-After"))
		if err != nil || ra < 1 {
			t.Fatalf("%s: Retry-After %q", what, w.Header().Get("Retry-After"))
		}
	}
	got429("per IP", func() *httptest.ResponseRecorder { return e.do("GET", "/health", nil, withIP("198.51.100.1")) }, 5)
	// Another address is not affected; time refills the bucket.
	expectStatus(t, e.do("GET", "/health", nil, withIP("198.51.100.2")), 200)
	e.clock.Advance(2 * time.Second)
	expectStatus(t, e.do("GET", "/health", nil, withIP("198.51.100.1")), 200)

	login := map[string]string{"email": "x@example.eu", "password": "wrong wrong wrong"}
	got429("sign-in", func() *httptest.ResponseRecorder {
		return e.do("POST", "/api/v1/auth/login", login, withIP("198.51.100.3"))
	}, 2)

	u := e.user("ann@example.eu", auth.RoleViewer)
	tok := e.token(u, auth.RoleViewer, nil)
	n := 0
	got429("per token", func() *httptest.ResponseRecorder {
		n++ // a new address each time: only the token's bucket counts
		return e.do("GET", "/api/v1/me", nil, withBearer(tok), withIP("203.0.113."+strconv.Itoa(n)))
	}, 3)
}

// TestPanicsBecome500WithoutInternals: a panicking handler answers a bare
// 500 problem; the panic value is logged, not sent.
func TestPanicsBecome500WithoutInternals(t *testing.T) {
	e := sqliteEnv(t)
	h := e.s.chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal state: db password hunter2")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	expectStatus(t, w, 500)
	if strings.Contains(w.Body.String(), "hunter2") || strings.Contains(w.Body.String(), "goroutine") {
		t.Fatalf("500 body leaks: %s", w.Body.String())
	}
	p := decode[Problem](t, w)
	if p.Detail != "" || p.RequestID == "" {
		t.Fatalf("problem %+v", p)
	}
	if !strings.Contains(e.log.String(), "hunter2") {
		t.Error("panic not logged")
	}
}

// TestNoDebugEndpoints: pprof, expvar and metrics are not on the main
// listener.
func TestNoDebugEndpoints(t *testing.T) {
	e := sqliteEnv(t)
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/vars", "/metrics", "/api/v1/metrics"} {
		if w := e.do("GET", p, nil); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, w.Code)
		}
	}
}

// TestOwnSessionsAndTokensOnly: a user cannot end another user's session or
// revoke another user's token (404, nothing changes).
func TestOwnSessionsAndTokensOnly(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		a, b := e.user("a@example.eu", auth.RoleViewer), e.user("b@example.eu", auth.RoleViewer)
		sa, sb := e.session(a), e.session(b)
		ta := e.token(a, auth.RoleViewer, nil)
		toks := decode[[]tokenJSON](t, e.do("GET", "/api/v1/me/tokens", nil, withCookie(sa)))
		expectStatus(t, e.do("DELETE", "/api/v1/me/tokens/"+toks[0].ID, nil, withCookie(sb)), 404)
		expectStatus(t, e.do("DELETE", "/api/v1/me/sessions/"+auth.SessionID(sa), nil, withCookie(sb)), 404)
		expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(sa)), 200)
		expectStatus(t, e.do("GET", "/api/v1/me", nil, withBearer(ta)), 200)
		if list := decode[[]sessionJSON](t, e.do("GET", "/api/v1/me/sessions", nil, withCookie(sb))); len(list) != 1 || !list[0].Current {
			t.Fatalf("b sees sessions %+v", list)
		}
	})
}
