package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// The browser test drives Debian's chromium through
// github.com/chromedp/chromedp against the real handler of craft serve
// (every middleware, CSP and CSRF protection included) on a fresh SQLite
// store, over TLS: the session cookie is __Host-, so it needs a secure
// context, and httptest.NewTLSServer's certificate is accepted with
// --ignore-certificate-errors.
//
// It skips without chromium, unless CRAFT_TEST_CHROMIUM=1 (set by .ci/run),
// where a missing browser is a failure: CI must never skip it.

// chromiumPath is Debian's chromium.
const chromiumPath = "/usr/bin/chromium"

// envBrowserRequired makes a missing chromium a test failure.
const envBrowserRequired = "CRAFT_TEST_CHROMIUM"

// envScreenshots, when set, is a folder that also receives the screenshots
// (they always go to t.TempDir()).
const envScreenshots = "CRAFT_TEST_SCREENSHOTS"

// browserPassword meets the password policy.
const browserPassword = "quartz lantern meadow 1987"

// needChromium skips or fails t when chromium is missing.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err == nil {
		return
	}
	if os.Getenv(envBrowserRequired) == "1" {
		t.Fatalf("%s=1 but %s is missing: apt-get install chromium", envBrowserRequired, chromiumPath)
	}
	t.Skip("chromium not installed: apt-get install chromium")
}

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

// browser starts one headless chromium for the test with a fresh profile
// and returns its tab's context; the whole walk must end within limit.
func browser(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	parent, cancelParent := context.WithTimeout(context.Background(), limit)
	alloc, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelParent()
	})
	return ctx
}

// consoleLog collects what the pages write to the console (calls,
// exceptions, browser log entries such as CSP violations).
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func (c *consoleLog) collect(ctx context.Context) {
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
}

// expectedError is a network error the walk causes on purpose: a status
// for a path.
type expectedError struct {
	status string
	path   string
}

// problems are the messages other than the network errors the walk causes
// on purpose (a wrong code, the viewer's visits of administration pages).
func (c *consoleLog) problems(base string, expected ...expectedError) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
next:
	for _, m := range c.msgs {
		if m.Source == "network" {
			for _, e := range expected {
				if strings.Contains(m.Text, "status of "+e.status) && m.URL == base+e.path {
					continue next
				}
			}
		}
		out = append(out, m.String()+" ("+m.Source+" "+m.URL+")")
	}
	return out
}

// tab is the test's handle on the browser tab.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string // folder for screenshots
}

// step runs actions that do not navigate.
func (b *tab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// load runs actions that end in a navigation (a link, a form) and returns
// the status of the new page.
func (b *tab) load(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return resp.Status
}

// open navigates to a path of the server and returns the status.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit clicks a form's button and expects status.
func (b *tab) submit(what, button string, want int64) {
	b.t.Helper()
	if got := b.load(what, chromedp.Click(chromedp.CSS(button))); got != want {
		b.t.Fatalf("%s: status %d, want %d; page: %s", what, got, want, b.text("main"))
	}
}

// fill sets the values of fields by CSS selector.
func (b *tab) fill(fields ...string) {
	b.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(fields); i += 2 {
		acts = append(acts, chromedp.SetValue(chromedp.CSS(fields[i]), fields[i+1]))
	}
	b.step("fill "+strings.Join(fields, " "), acts...)
}

// text is the visible text of the first element matching sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// path is the path of the page shown.
func (b *tab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// count is the number of elements matching sel.
func (b *tab) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("document.querySelectorAll("+jsString(sel)+").length"))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// screenshot saves the page as name.png.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	for _, dir := range []string{b.shot, os.Getenv(envScreenshots)} {
		if dir == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
			b.t.Fatal(err)
		}
	}
}

// jsString quotes s for JavaScript (a Go quoted ASCII string is a JavaScript
// string literal).
func jsString(s string) string { return strconv.QuoteToASCII(s) }

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
	needChromium(t)
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Fatalf("chromium at %s is not executable: %v", chromiumPath, err)
	}
	start := time.Now()
	s, ts, clk := browserServer(t)
	ctx := browser(t, 120*time.Second)
	var console consoleLog
	console.collect(ctx) // starts the browser
	b := &tab{t: t, ctx: ctx, base: ts.URL, shot: t.TempDir()}

	setupToken, _, err := s.auth.Setup.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// 1. The setup link makes the first administrator.
	if st := b.open(SetupPagePath + "?token=" + setupToken); st != http.StatusOK {
		t.Fatalf("setup page: %d", st)
	}
	b.fill("#email", "root@example.eu", "#name", "Root Admin", "#password", browserPassword, "#password2", browserPassword)
	b.submit("setup", "main form button[type=submit]", http.StatusOK)
	// 2. The new administrator goes straight on to MFA enrolment.
	if p := b.path(); p != EnrolPagePath {
		t.Fatalf("after setup: at %s, want %s", p, EnrolPagePath)
	}
	if b.count("svg.qr path") != 1 {
		t.Errorf("enrolment page shows no QR code")
	}
	secret := b.text("#totp-secret")
	b.screenshot("enrol")
	// A wrong code is refused and the same key is shown again.
	b.fill("#code", "000000")
	b.submit("wrong enrolment code", "main form button[type=submit]", http.StatusUnauthorized)
	if got := b.text("#totp-secret"); got != secret {
		t.Errorf("after a wrong code the key changed: %q → %q", secret, got)
	}
	b.fill("#code", totpNow(t, secret, clk.Now()))
	b.submit("confirm enrolment", "main form button[type=submit]", http.StatusOK)
	if n := b.count("#recovery-codes li"); n != auth.RecoveryCodeCount {
		t.Fatalf("recovery codes shown: %d, want %d", n, auth.RecoveryCodeCount)
	}
	b.submit("continue", "main a.button", http.StatusOK)
	if !strings.Contains(b.text("main"), "Administrator") {
		t.Fatalf("overview after enrolment: %q", b.text("main"))
	}

	// 3. Sign out, and in again with a code (the next time step: the
	// enrolment code cannot be replayed).
	b.submit("sign out", "header form button", http.StatusOK)
	if !strings.Contains(b.text("main"), "You are signed out") {
		t.Errorf("no notice after signing out: %q", b.text("main"))
	}
	b.screenshot("login")
	clk.Advance(30 * time.Second)
	b.fill("#email", "root@example.eu", "#password", browserPassword)
	b.submit("sign in again", "main form button[type=submit]", http.StatusOK)
	if p := b.path(); p != MFAPagePath {
		t.Fatalf("second sign-in: at %s, want %s", p, MFAPagePath)
	}
	b.fill("#code", totpNow(t, secret, clk.Now()))
	b.submit("second factor", "main form button[type=submit]", http.StatusOK)
	if p := b.path(); p != "/" {
		t.Fatalf("after the second factor: at %s, want /", p)
	}

	// 4. A product and a new user (viewer by default, first password made
	// by craft), made a viewer member of the product.
	b.open("/admin/products")
	b.fill("#product-name", "Widget Firmware")
	b.submit("create product", "main form button[type=submit]", http.StatusOK)
	b.open("/admin/users")
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#role").selectedOptions[0].textContent`)); err != nil || got != "Viewer" {
		t.Errorf("new-user form preselects %q, want Viewer", got)
	}
	b.fill("#email", "vera@example.eu", "#name", "Vera Viewer")
	b.submit("add user", "main form button[type=submit]", http.StatusOK)
	firstPW := b.text("#temp-password")
	if len(firstPW) < 12 {
		t.Fatalf("first password %q", firstPW)
	}
	b.submit("open the new user", "main table a[href^='/admin/users/']:not([href$='"+adminLinkSuffix(t, b)+"'])", http.StatusOK)
	b.submit("add membership", "#memberships ~ form button[type=submit]", http.StatusOK)
	if !strings.Contains(b.text("main"), "Widget Firmware") {
		t.Errorf("membership not shown: %q", b.text("main"))
	}

	// The account page: make an API token (shown once) for the screenshot.
	b.open("/account")
	b.fill("#token-name", "ci-upload")
	b.submit("create token", "#tokens ~ form button[type=submit]", http.StatusOK)
	if tok := b.text("#new-token"); !auth.ValidAPITokenFormat(tok) {
		t.Errorf("new token %q is not a craft token", tok)
	}
	b.screenshot("account")
	// 200 % zoom of a 1280-pixel window is a 640-pixel viewport: the pages
	// must reflow without a horizontal scroll bar (WCAG 1.4.10).
	b.step("zoom 200 %", chromedp.EmulateViewport(640, 900))
	for _, p := range []string{"/account", "/admin/users", "/admin/audit"} {
		b.open(p)
		if over, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth")); err != nil || over {
			t.Errorf("%s at 200 %% zoom scrolls sideways (%v)", p, err)
		}
	}
	b.screenshot("audit-zoom200")
	b.step("zoom 100 %", chromedp.ResetViewport())
	if b.open("/admin/audit?verify=1") != http.StatusOK || !strings.HasPrefix(b.text("#verify-result"), "Intact") {
		t.Errorf("audit chain not shown intact")
	}
	b.submit("sign out", "header form button", http.StatusOK)

	// 5. The new user signs in (no MFA required for a viewer) and has
	// viewer rights only.
	b.fill("#email", "vera@example.eu", "#password", firstPW)
	b.submit("viewer signs in", "main form button[type=submit]", http.StatusOK)
	if p := b.path(); p != "/" {
		t.Fatalf("viewer after sign-in: at %s, want /", p)
	}
	b.screenshot("viewer-overview")
	main := b.text("main")
	if !strings.Contains(main, "Viewer") || !strings.Contains(main, "Widget Firmware") {
		t.Errorf("viewer's overview: %q", main)
	}
	if n := b.count("nav.main a[href^='/admin/']"); n != 0 {
		t.Errorf("viewer sees %d administration links", n)
	}
	for _, p := range []string{"/admin/users", "/admin/products", "/admin/audit", "/admin/settings"} {
		if st := b.open(p); st != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", p, st)
		}
		if n := b.count("main form"); n != 0 {
			t.Errorf("viewer's %s page has %d forms", p, n)
		}
	}
	b.open("/")
	if n := b.count("main form"); n != 0 {
		t.Errorf("viewer's overview has %d forms: nothing to edit", n)
	}

	// No console error, no CSP violation, anywhere.
	time.Sleep(100 * time.Millisecond) // let the last events arrive
	for _, m := range console.problems(ts.URL,
		expectedError{"401", EnrolPagePath},
		expectedError{"403", "/admin/users"}, expectedError{"403", "/admin/products"}, expectedError{"403", "/admin/audit"}, expectedError{"403", "/admin/settings"}) {
		t.Errorf("console: %s", m)
	}
	t.Logf("browser walk took %s; screenshots in %s", time.Since(start).Round(time.Millisecond), b.shot)
}

// adminLinkSuffix is the id of the signed-in administrator's row link on
// the users page, so the walk can pick the other user.
func adminLinkSuffix(t *testing.T, b *tab) string {
	t.Helper()
	href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll("main table a")].find(a => a.textContent === "root@example.eu").getAttribute("href")`))
	if err != nil {
		t.Fatalf("admin row: %v", err)
	}
	return strings.TrimPrefix(href, "/admin/users/")
}
