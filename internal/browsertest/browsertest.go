// Package browsertest is the chromedp harness of craft's browser tests: it
// starts Debian's headless chromium with a fresh profile, drives one tab
// (navigation, clicks, fills, form submissions with an expected status),
// collects the console (script errors, CSP violations, network errors) and
// saves screenshots to the test's folder and $CRAFT_TEST_SCREENSHOTS.
//
// It is imported only by _test files (internal/server and internal/cli
// both walk the real handler in a browser, and test helpers cannot be
// shared across packages otherwise). It takes testing.TB; sign-in flows
// and other helpers that need a package's internals stay in that package.
//
// The tests skip without chromium, unless CRAFT_TEST_CHROMIUM=1 (set by
// .ci/run), where a missing browser is a failure: CI must never skip them.
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's chromium.
const ChromiumPath = "/usr/bin/chromium"

// EnvRequired, set to 1, makes a missing chromium a test failure.
const EnvRequired = "CRAFT_TEST_CHROMIUM"

// EnvScreenshots, when set, is a folder that also receives the screenshots
// (they always go to the tab's Shot folder).
const EnvScreenshots = "CRAFT_TEST_SCREENSHOTS"

// actionTimeout bounds each step of a walk.
const actionTimeout = 20 * time.Second

// NeedChromium skips or fails t when chromium is missing.
func NeedChromium(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err == nil {
		return
	}
	if os.Getenv(EnvRequired) == "1" {
		t.Fatalf("%s=1 but %s is missing: apt-get install chromium", EnvRequired, ChromiumPath)
	}
	t.Skip("chromium not installed: apt-get install chromium")
}

// Browser starts one headless chromium for the test with a fresh profile
// and returns its tab's context; the whole walk must end within limit. The
// certificate of httptest.NewTLSServer is accepted: craft's session cookie
// is __Host-, so the walks need a secure context.
func Browser(t testing.TB, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
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

// Console collects what the pages write to the console (calls,
// exceptions, browser log entries such as CSP violations).
type Console struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// Collect starts collecting the console of the tab of ctx (and so starts
// the browser).
func (c *Console) Collect(ctx context.Context) {
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

// Expected is a network error a walk causes on purpose: a status for a
// path of the server.
type Expected struct {
	Status string
	Path   string
}

// Problems are the messages other than the network errors the walk causes
// on purpose, each with its source and URL; base is the server's URL.
func (c *Console) Problems(base string, expected ...Expected) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
next:
	for _, m := range c.msgs {
		if m.Source == "network" {
			for _, e := range expected {
				if strings.Contains(m.Text, "status of "+e.Status) && m.URL == base+e.Path {
					continue next
				}
			}
		}
		out = append(out, m.String()+" ("+m.Source+" "+m.URL+")")
	}
	return out
}

// Tab is the test's handle on the browser tab. Screenshots are written as
// Prefix+name+".png" to Shot and, when $CRAFT_TEST_SCREENSHOTS is set, to
// its sub-folder Sub (the folder itself when Sub is empty).
type Tab struct {
	T      testing.TB
	Ctx    context.Context
	Base   string // the server's URL
	Shot   string // folder for screenshots
	Prefix string // of the screenshots' names
	Sub    string // sub-folder of $CRAFT_TEST_SCREENSHOTS
}

// Step runs actions that do not navigate.
func (b *Tab) Step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.T.Fatalf("%s: %v", what, err)
	}
}

// Load runs actions that end in a navigation (a link, a form) and returns
// the status of the new page.
func (b *Tab) Load(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.T.Fatalf("%s: %v", what, err)
	}
	return resp.Status
}

// Open navigates to a path of the server and returns the status.
func (b *Tab) Open(path string) int64 {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.Base+path))
	if err != nil {
		b.T.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// Submit clicks a form's button (or a link) and expects status.
func (b *Tab) Submit(what, button string, want int64) {
	b.T.Helper()
	if got := b.Load(what, chromedp.Click(chromedp.CSS(button))); got != want {
		b.T.Fatalf("%s: status %d, want %d; page: %s", what, got, want, b.Text("main"))
	}
}

// Fill sets the values of fields given as pairs of CSS selector and value.
func (b *Tab) Fill(fields ...string) {
	b.T.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(fields); i += 2 {
		acts = append(acts, chromedp.SetValue(chromedp.CSS(fields[i]), fields[i+1]))
	}
	b.Step("fill "+strings.Join(fields, " "), acts...)
}

// Text is the visible text of the first element matching sel.
func (b *Tab) Text(sel string) string {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.T.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Path is the path of the page shown.
func (b *Tab) Path() string {
	b.T.Helper()
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.T.Fatalf("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.Base)
}

// Count is the number of elements matching sel.
func (b *Tab) Count(sel string) int {
	b.T.Helper()
	n, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int]("document.querySelectorAll("+JSString(sel)+").length"))
	if err != nil {
		b.T.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// FetchLink fetches the href of the link in main with this text, with the
// browser's session, and returns the body.
func (b *Tab) FetchLink(text string) string {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const a = [...document.querySelectorAll("main a")].find(a => a.textContent === `+JSString(text)+`);
		if (!a) return Promise.reject(new Error("no such link"));
		return fetch(a.href).then(r => r.ok ? r.text() : Promise.reject(new Error(r.status + " " + r.statusText)));
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("fetch the %q link: %v", text, err)
	}
	return body
}

// Screenshot saves the page as Prefix+name+".png".
func (b *Tab) Screenshot(name string) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.T.Fatalf("screenshot %s: %v", name, err)
	}
	dirs := []string{b.Shot}
	if env := os.Getenv(EnvScreenshots); env != "" {
		dir := filepath.Join(env, b.Sub)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.T.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, b.Prefix+name+".png"), png, 0o600); err != nil {
			b.T.Fatal(err)
		}
	}
}

// JSString quotes s for JavaScript (a Go quoted ASCII string is a
// JavaScript string literal).
func JSString(s string) string { return strconv.QuoteToASCII(s) }
