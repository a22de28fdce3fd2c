package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/browsertest"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// The browser test drives Debian's chromium through
// github.com/chromedp/chromedp against the real handler of craft serve
// (every middleware, CSP and CSRF protection included) on a fresh SQLite
// store, over TLS: the session cookie is __Host-, so it needs a secure
// context, and httptest.NewTLSServer's certificate is accepted with
// --ignore-certificate-errors.
//
// The harness (chromium, the tab, the console, screenshots) is
// internal/browsertest; it skips without chromium, unless
// CRAFT_TEST_CHROMIUM=1 (set by .ci/run), where a missing browser is a
// failure: CI must never skip it.

// browserPassword meets the password policy.
const browserPassword = "quartz lantern meadow 1987"

// browserClock is the server's clock in the browser test: real time that
// the test can move forward, so a second TOTP code needs no 30-second
// wait, while cookie expiry stays in the browser's real future.
type browserClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *browserClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

func (c *browserClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// browserServer is craft serve's handler on SQLite behind a TLS test
// server.
func browserServer(t *testing.T) (*Server, *httptest.Server, *browserClock) {
	t.Helper()
	clk := &browserClock{}
	st := storetest.SQLite(t)
	key := bytes.Repeat([]byte{9}, auth.SealerKeySize)
	svc, err := NewAuth(st, AuthOptions{Key: key, Now: clk.Now,
		Hasher: &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Store: st, Auth: svc, Now: clk.Now, Logger: slog.New(slog.DiscardHandler),
		Config: Config{Limits: RateLimits{Disabled: true}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Config.ErrorLog = nil
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return s, ts, clk
}

// totpNow is the current code of a secret shown as grouped text.
func totpNow(t *testing.T, grouped string, now time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(strings.ReplaceAll(grouped, " ", ""), now)
	if err != nil {
		t.Fatalf("totp: %v", err)
	}
	return code
}

// TestWebBrowserWalk is the first run as a new user lives it, in a real
// browser: the setup link, the administrator, MFA enrolment with the key
// shown on the page, sign-in with a code, a new user, and that user's
// viewer rights — with no console error or CSP violation on any page.
func TestWebBrowserWalk(t *testing.T) {
	browsertest.NeedChromium(t)
	if _, err := exec.LookPath(browsertest.ChromiumPath); err != nil {
		t.Fatalf("chromium at %s is not executable: %v", browsertest.ChromiumPath, err)
	}
	start := time.Now()
	s, ts, clk := browserServer(t)
	ctx := browsertest.Browser(t, 120*time.Second)
	var console browsertest.Console
	console.Collect(ctx) // starts the browser
	b := &browsertest.Tab{T: t, Ctx: ctx, Base: ts.URL, Shot: t.TempDir()}

	setupToken, _, err := s.auth.Setup.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// 1. The setup link makes the first administrator.
	if st := b.Open(SetupPagePath + "?token=" + setupToken); st != http.StatusOK {
		t.Fatalf("setup page: %d", st)
	}
	b.Fill("#email", "root@example.eu", "#name", "Root Admin", "#password", browserPassword, "#password2", browserPassword)
	b.Submit("setup", "main form button[type=submit]", http.StatusOK)
	// 2. The new administrator goes straight on to MFA enrolment.
	if p := b.Path(); p != EnrolPagePath {
		t.Fatalf("after setup: at %s, want %s", p, EnrolPagePath)
	}
	if b.Count("svg.qr path") != 1 {
		t.Errorf("enrolment page shows no QR code")
	}
	secret := b.Text("#totp-secret")
	b.Screenshot("enrol")
	// A wrong code is refused and the same key is shown again.
	b.Fill("#code", "000000")
	b.Submit("wrong enrolment code", "main form button[type=submit]", http.StatusUnauthorized)
	if got := b.Text("#totp-secret"); got != secret {
		t.Errorf("after a wrong code the key changed: %q → %q", secret, got)
	}
	b.Fill("#code", totpNow(t, secret, clk.Now()))
	b.Submit("confirm enrolment", "main form button[type=submit]", http.StatusOK)
	if n := b.Count("#recovery-codes li"); n != auth.RecoveryCodeCount {
		t.Fatalf("recovery codes shown: %d, want %d", n, auth.RecoveryCodeCount)
	}
	b.Submit("continue", "main a.button", http.StatusOK)
	if !strings.Contains(b.Text("main"), "Administrator") {
		t.Fatalf("overview after enrolment: %q", b.Text("main"))
	}

	// 3. Sign out, and in again with a code (the next time step: the
	// enrolment code cannot be replayed).
	b.Submit("sign out", "header form button", http.StatusOK)
	if !strings.Contains(b.Text("main"), "You are signed out") {
		t.Errorf("no notice after signing out: %q", b.Text("main"))
	}
	b.Screenshot("login")
	clk.Advance(30 * time.Second)
	b.Fill("#email", "root@example.eu", "#password", browserPassword)
	b.Submit("sign in again", "main form button[type=submit]", http.StatusOK)
	if p := b.Path(); p != MFAPagePath {
		t.Fatalf("second sign-in: at %s, want %s", p, MFAPagePath)
	}
	b.Fill("#code", totpNow(t, secret, clk.Now()))
	b.Submit("second factor", "main form button[type=submit]", http.StatusOK)
	if p := b.Path(); p != "/" {
		t.Fatalf("after the second factor: at %s, want /", p)
	}

	// 4. A product and a new user (viewer by default, first password made
	// by craft), made a viewer member of the product.
	b.Open("/admin/products")
	b.Fill("#product-name", "Widget Firmware")
	b.Submit("create product", "main form button[type=submit]", http.StatusOK)
	b.Open("/admin/users")
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#role").selectedOptions[0].textContent`)); err != nil || got != "Viewer" {
		t.Errorf("new-user form preselects %q, want Viewer", got)
	}
	b.Fill("#email", "vera@example.eu", "#name", "Vera Viewer")
	b.Submit("add user", "main form button[type=submit]", http.StatusOK)
	firstPW := b.Text("#temp-password")
	if len(firstPW) < 12 {
		t.Fatalf("first password %q", firstPW)
	}
	b.Submit("open the new user", "main table a[href^='/admin/users/']:not([href$='"+adminLinkSuffix(t, b)+"'])", http.StatusOK)
	b.Submit("add membership", "#memberships ~ form button[type=submit]", http.StatusOK)
	if !strings.Contains(b.Text("main"), "Widget Firmware") {
		t.Errorf("membership not shown: %q", b.Text("main"))
	}

	// The account page: make an API token (shown once) for the screenshot.
	b.Open("/account")
	b.Fill("#token-name", "ci-upload")
	b.Submit("create token", "#tokens ~ form button[type=submit]", http.StatusOK)
	if tok := b.Text("#new-token"); !auth.ValidAPITokenFormat(tok) {
		t.Errorf("new token %q is not a craft token", tok)
	}
	b.Screenshot("account")
	// 200 % zoom of a 1280-pixel window is a 640-pixel viewport: the pages
	// must reflow without a horizontal scroll bar (WCAG 1.4.10).
	b.Step("zoom 200 %", chromedp.EmulateViewport(640, 900))
	for _, p := range []string{"/account", "/admin/users", "/admin/audit"} {
		b.Open(p)
		if over, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth")); err != nil || over {
			t.Errorf("%s at 200 %% zoom scrolls sideways (%v)", p, err)
		}
	}
	b.Screenshot("audit-zoom200")
	b.Step("zoom 100 %", chromedp.ResetViewport())
	if b.Open("/admin/audit?verify=1") != http.StatusOK || !strings.HasPrefix(b.Text("#verify-result"), "Intact") {
		t.Errorf("audit chain not shown intact")
	}
	b.Submit("sign out", "header form button", http.StatusOK)

	// 5. The new user signs in (no MFA required for a viewer) and has
	// viewer rights only.
	b.Fill("#email", "vera@example.eu", "#password", firstPW)
	b.Submit("viewer signs in", "main form button[type=submit]", http.StatusOK)
	if p := b.Path(); p != "/" {
		t.Fatalf("viewer after sign-in: at %s, want /", p)
	}
	b.Screenshot("viewer-overview")
	main := b.Text("main")
	if !strings.Contains(main, "Viewer") || !strings.Contains(main, "Widget Firmware") {
		t.Errorf("viewer's overview: %q", main)
	}
	if n := b.Count("nav.main a[href^='/admin/']"); n != 0 {
		t.Errorf("viewer sees %d administration links", n)
	}
	for _, p := range []string{"/admin/users", "/admin/products", "/admin/audit", "/admin/settings"} {
		if st := b.Open(p); st != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", p, st)
		}
		if n := b.Count("main form"); n != 0 {
			t.Errorf("viewer's %s page has %d forms", p, n)
		}
	}
	b.Open("/")
	if n := b.Count("main form"); n != 0 {
		t.Errorf("viewer's overview has %d forms: nothing to edit", n)
	}

	// No console error, no CSP violation, anywhere.
	time.Sleep(100 * time.Millisecond) // let the last events arrive
	for _, m := range console.Problems(ts.URL,
		browsertest.Expected{Status: "401", Path: EnrolPagePath},
		browsertest.Expected{Status: "403", Path: "/admin/users"},
		browsertest.Expected{Status: "403", Path: "/admin/products"},
		browsertest.Expected{Status: "403", Path: "/admin/audit"},
		browsertest.Expected{Status: "403", Path: "/admin/settings"}) {
		t.Errorf("console: %s", m)
	}
	t.Logf("browser walk took %s; screenshots in %s", time.Since(start).Round(time.Millisecond), b.Shot)
}

// adminLinkSuffix is the id of the signed-in administrator's row link on
// the users page, so the walk can pick the other user.
func adminLinkSuffix(t *testing.T, b *browsertest.Tab) string {
	t.Helper()
	href, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll("main table a")].find(a => a.textContent === "root@example.eu").getAttribute("href")`))
	if err != nil {
		t.Fatalf("admin row: %v", err)
	}
	return strings.TrimPrefix(href, "/admin/users/")
}
