package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestNotifyPagesInBrowser: an administrator adds a webhook (a refused
// private address first), sees its secret once, saves e-mail settings and
// their own choices, in chromium, under the strict CSP, without a console
// error.
func TestNotifyPagesInBrowser(t *testing.T) {
	needChromium(t)
	clk := &browserClock{}
	st := storetest.SQLite(t)
	hasher := &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	key := bytes.Repeat([]byte{9}, auth.SealerKeySize)
	svc, err := NewAuth(st, AuthOptions{Key: key, Now: clk.Now, Hasher: hasher})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Store: st, Auth: svc, Now: clk.Now, Logger: slog.New(slog.DiscardHandler),
		Config: Config{Limits: RateLimits{Disabled: true}, SealKey: key}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Config.ErrorLog = nil
	ts.StartTLS()
	t.Cleanup(ts.Close)
	u, err := auth.NewAccount(hasher, auth.NewUser{Email: "root@example.eu", Password: browserPassword, Role: auth.RoleAdministrator}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if u, err = s.auth.Users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 90*time.Second)
	var console consoleLog
	console.collect(ctx)
	b := &tab{t: t, ctx: ctx, base: ts.URL, shot: t.TempDir()}

	// Sign in; administrators enrol a second factor first.
	b.open(LoginPagePath)
	b.fill("#email", "root@example.eu", "#password", browserPassword)
	b.submit("sign in", "main form button[type=submit]", http.StatusOK)
	b.fill("#code", totpNow(t, b.text("#totp-secret"), clk.Now()))
	b.submit("confirm enrolment", "main form button[type=submit]", http.StatusOK)

	if st := b.open("/admin/notifications"); st != http.StatusOK {
		t.Fatalf("admin notifications page: %d", st)
	}
	b.fill("#wh-name", "ops", "#wh-url", "https://10.0.0.1/hook")
	b.submit("refused webhook", `form[action="/admin/notifications/webhooks"] button`, http.StatusBadRequest)
	if msg := b.text("main"); !strings.Contains(msg, "private address") {
		t.Fatalf("refusal not shown: %q", msg)
	}
	b.fill("#wh-url", "https://hooks.example.com/craft")
	b.step("tick a kind", chromedp.Click(chromedp.CSS(`input[value="finding.kev"]`)))
	b.submit("add webhook", `form[action="/admin/notifications/webhooks"] button`, http.StatusOK)
	if secret := b.text("#new-secret"); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret shown: %q", secret)
	}
	b.screenshot("notify-admin")
	b.fill("#smtp-host", "smtp.example.eu", "#smtp-from", "craft@example.eu", "#smtp-pw", "relay-pass-1")
	b.submit("save smtp", `form[action="/admin/notifications/smtp"] button`, http.StatusOK)
	if !strings.Contains(b.text("main"), "e-mail settings were saved") {
		t.Fatalf("smtp not saved: %q", b.text("main"))
	}
	if st := b.open("/account/notifications"); st != http.StatusOK {
		t.Fatalf("account notifications page: %d", st)
	}
	b.fill("#mode_kev", "digest")
	b.submit("save choices", `form[action="/account/notifications"] button`, http.StatusOK)
	prefs, err := st.ListNotificationPreferences(context.Background(), u.ID)
	if err != nil || len(prefs) != 1 || prefs[0].Group != "kev" || prefs[0].Mode != "digest" {
		t.Fatalf("prefs = %+v, %v", prefs, err)
	}
	time.Sleep(100 * time.Millisecond) // let the last console events arrive
	for _, m := range console.problems(ts.URL, expectedError{"400", "/admin/notifications/webhooks"}) {
		t.Errorf("console: %s", m)
	}
}
