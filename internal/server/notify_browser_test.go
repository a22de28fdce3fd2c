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
	"github.com/craft-cra/craft/internal/browsertest"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestNotifyPagesInBrowser: an administrator adds a webhook (a refused
// private address first), sees its secret once, saves e-mail settings and
// their own choices, in chromium, under the strict CSP, without a console
// error.
func TestNotifyPagesInBrowser(t *testing.T) {
	browsertest.NeedChromium(t)
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
	ctx := browsertest.Browser(t, 90*time.Second)
	var console browsertest.Console
	console.Collect(ctx)
	b := &browsertest.Tab{T: t, Ctx: ctx, Base: ts.URL, Shot: t.TempDir()}

	// Sign in; administrators enrol a second factor first.
	b.Open(LoginPagePath)
	b.Fill("#email", "root@example.eu", "#password", browserPassword)
	b.Submit("sign in", "main form button[type=submit]", http.StatusOK)
	b.Fill("#code", totpNow(t, b.Text("#totp-secret"), clk.Now()))
	b.Submit("confirm enrolment", "main form button[type=submit]", http.StatusOK)

	if st := b.Open("/admin/notifications"); st != http.StatusOK {
		t.Fatalf("admin notifications page: %d", st)
	}
	b.Fill("#wh-name", "ops", "#wh-url", "https://10.0.0.1/hook")
	b.Submit("refused webhook", `form[action="/admin/notifications/webhooks"] button`, http.StatusBadRequest)
	if msg := b.Text("main"); !strings.Contains(msg, "private address") {
		t.Fatalf("refusal not shown: %q", msg)
	}
	b.Fill("#wh-url", "https://hooks.example.com/craft")
	b.Step("tick a kind", chromedp.Click(chromedp.CSS(`input[value="finding.kev"]`)))
	b.Submit("add webhook", `form[action="/admin/notifications/webhooks"] button`, http.StatusOK)
	if secret := b.Text("#new-secret"); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret shown: %q", secret)
	}
	b.Screenshot("notify-admin")
	b.Fill("#smtp-host", "smtp.example.eu", "#smtp-from", "craft@example.eu", "#smtp-pw", "relay-pass-1")
	b.Submit("save smtp", `form[action="/admin/notifications/smtp"] button`, http.StatusOK)
	if !strings.Contains(b.Text("main"), "e-mail settings were saved") {
		t.Fatalf("smtp not saved: %q", b.Text("main"))
	}
	if st := b.Open("/account/notifications"); st != http.StatusOK {
		t.Fatalf("account notifications page: %d", st)
	}
	b.Fill("#mode_kev", "digest")
	b.Submit("save choices", `form[action="/account/notifications"] button`, http.StatusOK)
	prefs, err := st.ListNotificationPreferences(context.Background(), u.ID)
	if err != nil || len(prefs) != 1 || prefs[0].Group != "kev" || prefs[0].Mode != "digest" {
		t.Fatalf("prefs = %+v, %v", prefs, err)
	}
	time.Sleep(100 * time.Millisecond) // let the last console events arrive
	for _, m := range console.Problems(ts.URL, browsertest.Expected{Status: "400", Path: "/admin/notifications/webhooks"}) {
		t.Errorf("console: %s", m)
	}
}
