package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// firstRun walks the first-run flow through the API: setup link → first
// administrator → MFA enrolment → signed in. It returns the session token,
// the TOTP secret and every secret the flow showed (for the no-secrets
// checks).
func firstRun(t *testing.T, e *env) (session, secret string, secrets []string) {
	t.Helper()
	link, ok, err := e.s.PrepareSetup(t.Context(), "https://127.0.0.1:8443")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	tok := setupToken(t, link.URL)
	w := e.do("POST", "/api/v1/setup", map[string]string{"token": tok, "email": "root@example.eu", "display_name": "Root", "password": testPassword})
	expectStatus(t, w, 201)
	pending := sessionCookie(w).Value
	w = e.do("POST", "/api/v1/auth/mfa/enrol", nil, withCookie(pending))
	expectStatus(t, w, 200)
	en := decode[enrolmentResponse](t, w)
	if !strings.HasPrefix(en.OTPAuthURL, "otpauth://totp/") {
		t.Fatalf("enrolment %+v", en)
	}
	code, err := totp.GenerateCode(en.Secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	w = e.do("POST", "/api/v1/auth/mfa/enrol/confirm", map[string]string{"code": code}, withCookie(pending))
	expectStatus(t, w, 200)
	rc := decode[recoveryCodesResponse](t, w)
	if len(rc.RecoveryCodes) != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(rc.RecoveryCodes))
	}
	session = sessionCookie(w).Value
	if session == pending {
		t.Fatal("session not rotated after enrolment")
	}
	expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(pending)), 401)
	secrets = append([]string{tok, pending, session, en.Secret, code, testPassword}, rc.RecoveryCodes...)
	return session, en.Secret, secrets
}

// TestFirstRunAndAdministration: setup with MFA, then a new user who is a
// viewer with nothing more, then a membership, a token and its use, sign-in
// with the second factor, and the audit trail of all of it, which verifies
// and holds no secret; neither does the log.
func TestFirstRunAndAdministration(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		admin, secret, secrets := firstRun(t, e)
		me := decode[meResponse](t, e.do("GET", "/api/v1/me", nil, withCookie(admin)))
		if me.Role != "admin" || !me.MFAEnabled {
			t.Fatalf("admin %+v", me)
		}

		// A new account is a viewer and can do nothing of an admin.
		w := e.do("POST", "/api/v1/users", map[string]string{"email": "vic@example.eu", "password": "another long phrase 77", "role": "admin"}, withCookie(admin))
		expectStatus(t, w, 400) // no role field: new accounts are viewers
		w = e.do("POST", "/api/v1/users", map[string]string{"email": "vic@example.eu", "password": "another long phrase 77"}, withCookie(admin))
		expectStatus(t, w, 201)
		vic := decode[userJSON](t, w)
		if vic.Role != "viewer" {
			t.Fatalf("new user role %q", vic.Role)
		}
		w = e.do("POST", "/api/v1/auth/login", map[string]string{"email": "vic@example.eu", "password": "another long phrase 77"})
		expectStatus(t, w, 200)
		vs := sessionCookie(w).Value
		secrets = append(secrets, vs, "another long phrase 77")
		expectStatus(t, e.do("GET", "/api/v1/users", nil, withCookie(vs)), 403)
		expectStatus(t, e.do("POST", "/api/v1/products", map[string]string{"name": "x"}, withCookie(vs)), 403)

		// Products and memberships.
		w = e.do("POST", "/api/v1/products", map[string]string{"name": "widget"}, withCookie(admin))
		expectStatus(t, w, 201)
		p := decode[productJSON](t, w)
		expectStatus(t, e.do("GET", "/api/v1/products/"+p.ID, nil, withCookie(vs)), 403)
		expectStatus(t, e.do("PUT", "/api/v1/products/"+p.ID+"/members/"+vic.ID, map[string]string{"role": "contributor"}, withCookie(admin)), 204)
		expectStatus(t, e.do("GET", "/api/v1/products/"+p.ID, nil, withCookie(vs)), 200)
		w = e.do("PATCH", "/api/v1/users/"+vic.ID, map[string]any{"role": "contributor"}, withCookie(admin))
		expectStatus(t, w, 200)
		// A role change ends the user's sessions.
		expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(vs)), 401)

		// Tokens: shown once, used, audited at most once a minute.
		w = e.do("POST", "/api/v1/me/tokens", map[string]any{"name": "ci", "role": "viewer", "expires_in_days": 30}, withCookie(admin))
		expectStatus(t, w, 201)
		tc := decode[tokenCreated](t, w)
		if !auth.ValidAPITokenFormat(tc.Token) {
			t.Fatalf("token %q", tc.Token)
		}
		secrets = append(secrets, tc.Token)
		for i := 0; i < 3; i++ {
			expectStatus(t, e.do("GET", "/api/v1/products", nil, withBearer(tc.Token)), 200)
		}
		e.clock.Advance(61 * time.Second)
		expectStatus(t, e.do("GET", "/api/v1/products", nil, withBearer(tc.Token)), 200)
		uses, err := st.ListAudit(t.Context(), store.AuditFilter{Action: ActTokenUse})
		if err != nil || len(uses) != 2 || uses[0].SourceIP == "" {
			t.Fatalf("token.use events %+v (%v), want 2 with a source", uses, err)
		}
		list := decode[[]tokenJSON](t, e.do("GET", "/api/v1/me/tokens", nil, withCookie(admin)))
		if len(list) != 1 || list[0].LastUsedAt == nil || strings.Contains(e.do("GET", "/api/v1/me/tokens", nil, withCookie(admin)).Body.String(), tc.Token) {
			t.Fatalf("token list %+v", list)
		}
		expectStatus(t, e.do("DELETE", "/api/v1/me/tokens/"+tc.ID, nil, withCookie(admin)), 204)
		expectStatus(t, e.do("GET", "/api/v1/products", nil, withBearer(tc.Token)), 401)

		// Sign-in with the second factor; a wrong code is refused and audited.
		e.clock.Advance(time.Minute)
		w = e.do("POST", "/api/v1/auth/login", map[string]string{"email": "root@example.eu", "password": testPassword})
		expectStatus(t, w, 200)
		if lr := decode[loginResponse](t, w); !lr.MFARequired {
			t.Fatalf("admin login without MFA: %+v", lr)
		}
		pend := sessionCookie(w).Value
		expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(pend)), 401)
		expectStatus(t, e.do("POST", "/api/v1/auth/mfa", map[string]string{"code": "000000"}, withCookie(pend)), 401)
		code, _ := totp.GenerateCode(secret, e.clock.Now())
		w = e.do("POST", "/api/v1/auth/mfa", map[string]string{"code": code}, withCookie(pend))
		expectStatus(t, w, 204)
		full := sessionCookie(w).Value
		secrets = append(secrets, pend, full, code)
		expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(full)), 200)
		// A wrong password, audited against the account.
		expectStatus(t, e.do("POST", "/api/v1/auth/login", map[string]string{"email": "root@example.eu", "password": "not the password at all"}), 401)
		secrets = append(secrets, "not the password at all")

		// Sessions: list and log out everywhere.
		ss := decode[[]sessionJSON](t, e.do("GET", "/api/v1/me/sessions", nil, withCookie(full)))
		if len(ss) < 2 {
			t.Fatalf("sessions %+v", ss)
		}
		expectStatus(t, e.do("DELETE", "/api/v1/me/sessions", nil, withCookie(full)), 204)
		expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(admin)), 401)

		// The audit trail: every step recorded, the chain verifies, no
		// secret in it, and the export matches.
		events, err := st.ListAudit(t.Context(), store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ev := range events {
			seen[ev.Action] = true
			if bad := store.FindSecretLike(ev); len(bad) > 0 {
				t.Errorf("event %d %s looks secret at %v", ev.Seq, ev.Action, bad)
			}
			assertNoSecrets(t, "audit "+ev.Action, auditText(ev), secrets)
		}
		for _, a := range []string{ActSetup, ActMFAEnrolled, ActUserCreate, ActLoginSuccess, ActLoginFailed, ActProductCreate,
			ActMembershipSet, ActRoleChange, ActTokenCreate, ActTokenUse, ActTokenRevoke, ActMFAFailed, ActMFASuccess, ActSessionRevokeAll} {
			if !seen[a] {
				t.Errorf("no %s event", a)
			}
		}
		res, err := st.VerifyAudit(t.Context())
		if err != nil || !res.OK {
			t.Fatalf("verify %+v %v", res, err)
		}
		assertNoSecrets(t, "log", e.log.String(), secrets)
		if !strings.Contains(e.log.String(), `"route":"POST /api/v1/auth/login"`) {
			t.Error("activity log missing")
		}
	})
}

func auditText(ev store.Event) string {
	var b strings.Builder
	b.WriteString(ev.Actor + " " + ev.Target + " " + ev.SourceIP)
	for k, v := range ev.Detail {
		b.WriteString(" " + k + "=" + v)
	}
	return b.String()
}

func assertNoSecrets(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret %q…", where, s[:min(6, len(s))])
		}
	}
}

// TestAuditAPI: admins list, page, export and verify; the export is itself
// audited.
func TestAuditAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		u := e.user("root@example.eu", auth.RoleAdministrator)
		tok := e.session(u)
		for i := 0; i < 5; i++ {
			if err := e.s.auditAs(context.Background(), "system", "", "test.event", "x", nil); err != nil {
				t.Fatal(err)
			}
		}
		page := decode[auditPage](t, e.do("GET", "/api/v1/audit?limit=3&action=test.event", nil, withCookie(tok)))
		if len(page.Events) != 3 || page.NextAfter != page.Events[2].Seq {
			t.Fatalf("page %+v", page)
		}
		page2 := decode[auditPage](t, e.do("GET", "/api/v1/audit?limit=3&action=test.event&after="+itoa(int(page.NextAfter)), nil, withCookie(tok)))
		if len(page2.Events) != 2 {
			t.Fatalf("page2 %+v", page2)
		}
		expectStatus(t, e.do("GET", "/api/v1/audit?limit=0", nil, withCookie(tok)), 400)
		expectStatus(t, e.do("GET", "/api/v1/audit?since=yesterday", nil, withCookie(tok)), 400)
		w := e.do("GET", "/api/v1/audit/export", nil, withCookie(tok))
		expectStatus(t, w, 200)
		lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
		if len(lines) != 6 || !strings.Contains(lines[5], ActAuditExport) {
			t.Fatalf("export %d lines: %s", len(lines), w.Body.String())
		}
		v := decode[verifyResponse](t, e.do("GET", "/api/v1/audit/verify", nil, withCookie(tok)))
		if !v.OK || v.Count != 6 {
			t.Fatalf("verify %+v", v)
		}
	})
}

// TestActivityLogSwitch: the operator can turn the per-request activity
// log off (audited); the audit chain keeps recording.
func TestActivityLogSwitch(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	u := e.user("root@example.eu", auth.RoleAdministrator)
	tok := e.session(u)
	expectStatus(t, e.do("PATCH", "/api/v1/settings", map[string]bool{"activity_log": false}, withCookie(tok)), 200)
	before := e.log.String()
	expectStatus(t, e.do("GET", "/api/v1/me", nil, withCookie(tok)), 200)
	expectStatus(t, e.do("POST", "/api/v1/auth/login", map[string]string{"email": "root@example.eu", "password": "wrong wrong wrong"}), 401)
	if e.log.String() != before {
		t.Fatalf("activity logged while off: %s", strings.TrimPrefix(e.log.String(), before))
	}
	evs, _ := e.st.ListAudit(t.Context(), store.AuditFilter{})
	var acts []string
	for _, ev := range evs {
		acts = append(acts, ev.Action)
	}
	if strings.Join(acts, ",") != ActSettingChange+","+ActLoginFailed {
		t.Fatalf("audit %v", acts)
	}
	// A new server on the same database reads the setting.
	e2 := newEnv(t, e.st, Config{})
	if err := e2.s.LoadSettings(t.Context()); err != nil || e2.s.activityLog.Load() {
		t.Fatalf("setting not loaded: %v", err)
	}
}
