package auth_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/auth/authtest"
)

func newSessions(st *authtest.Store, c *clock) *auth.Sessions {
	return &auth.Sessions{Store: st, Users: st, Now: c.Now}
}

func TestSessionTokenIsRandomAndOnlyItsHashIsStored(t *testing.T) {
	st, c := authtest.New(), newClock()
	m := newSessions(st, c)
	a, err := m.Create(t.Context(), "u1", "", "", true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.Create(t.Context(), "u1", "", "", true)
	raw, err := base64.RawURLEncoding.DecodeString(a.Token)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q is not 32 bytes of base64url", a.Token)
	}
	if a.Token == b.Token {
		t.Fatal("two sessions got one token")
	}
	if a.Session.ID == a.Token || a.Session.ID != auth.SessionID(a.Token) || len(a.Session.ID) != 64 {
		t.Fatalf("stored id %q is not SHA-256(token)", a.Session.ID)
	}
	if _, err := st.GetSession(t.Context(), a.Token); !errors.Is(err, auth.ErrNotFound) {
		t.Fatal("the token itself is a key in the store")
	}
}

func TestSessionTimeouts(t *testing.T) {
	tests := []struct {
		name   string
		steps  []time.Duration // activity after each step
		final  time.Duration
		expect bool
	}{
		{"fresh", nil, 0, true},
		{"idle 29 minutes", nil, 29 * time.Minute, true},
		{"idle 30 minutes", nil, 30 * time.Minute, false},
		{"active every 20 minutes for 11 hours", repeat(20*time.Minute, 33), 0, true},
		{"active every 20 minutes past 12 hours", repeat(20*time.Minute, 36), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, c := authtest.New(), newClock()
			m := newSessions(st, c)
			ns, err := m.Create(t.Context(), "u1", "", "", true)
			if err != nil {
				t.Fatal(err)
			}
			alive := true
			for _, d := range tc.steps {
				c.Advance(d)
				if _, err := m.Validate(t.Context(), ns.Token); err != nil {
					alive = false
					break
				}
			}
			if alive {
				c.Advance(tc.final)
				_, err = m.Validate(t.Context(), ns.Token)
				alive = err == nil
			}
			if alive != tc.expect {
				t.Fatalf("alive = %v, want %v", alive, tc.expect)
			}
			if !alive {
				if _, err := st.GetSession(t.Context(), ns.Session.ID); !errors.Is(err, auth.ErrNotFound) {
					t.Fatal("an expired session was left in the store")
				}
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestSessionConfigurableTimeouts(t *testing.T) {
	st, c := authtest.New(), newClock()
	m := &auth.Sessions{Store: st, Users: st, Now: c.Now, IdleTimeout: 5 * time.Minute, AbsoluteTimeout: time.Hour}
	ns, _ := m.Create(t.Context(), "u1", "", "", true)
	c.Advance(5 * time.Minute)
	if _, err := m.Validate(t.Context(), ns.Token); err == nil {
		t.Fatal("idle timeout of 5 minutes not applied")
	}
	// Shortening the policy applies to sessions made under the old one.
	long := newSessions(st, c)
	ns, _ = long.Create(t.Context(), "u1", "", "", true)
	c.Advance(10 * time.Minute)
	if _, err := m.Validate(t.Context(), ns.Token); err == nil {
		t.Fatal("a shortened idle timeout did not apply to an older session")
	}
}

func TestSessionTouchAtMostOnceAMinute(t *testing.T) {
	st, c := authtest.New(), newClock()
	m := newSessions(st, c)
	ns, _ := m.Create(t.Context(), "u1", "", "", true)
	for range 30 {
		c.Advance(time.Second)
		if _, err := m.Validate(t.Context(), ns.Token); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.CallCount("TouchSession"); n != 0 {
		t.Fatalf("%d writes in 30 s", n)
	}
	c.Advance(31 * time.Second)
	_, _ = m.Validate(t.Context(), ns.Token)
	if n := st.CallCount("TouchSession"); n != 1 {
		t.Fatalf("%d writes after a minute, want 1", n)
	}
}

func TestSessionRevocation(t *testing.T) {
	st, c := authtest.New(), newClock()
	m := newSessions(st, c)
	ctx := t.Context()
	a, _ := m.Create(ctx, "u1", "", "", true)
	b, _ := m.Create(ctx, "u1", "", "", true)
	other, _ := m.Create(ctx, "u2", "", "", true)
	if err := m.Revoke(ctx, a.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Validate(ctx, a.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatal("revoked session still works")
	}
	if _, err := m.Validate(ctx, b.Token); err != nil {
		t.Fatal("revoking one session ended another")
	}
	c2, _ := m.Create(ctx, "u1", "", "", true)
	if n, err := m.RevokeAll(ctx, "u1", ""); err != nil || n != 2 {
		t.Fatalf("log out everywhere ended %d, %v", n, err)
	}
	for _, tok := range []string{b.Token, c2.Token} {
		if _, err := m.Validate(ctx, tok); err == nil {
			t.Fatal("a session survived log out everywhere")
		}
	}
	if _, err := m.Validate(ctx, other.Token); err != nil {
		t.Fatal("log out everywhere ended another user's session")
	}
	// Rotation: the old token stops working; the absolute deadline stays.
	r, _ := m.Create(ctx, "u1", "", "", false)
	c.Advance(2 * time.Minute)
	rot, err := m.Rotate(ctx, r.Token, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Validate(ctx, r.Token); err == nil {
		t.Fatal("the rotated-away token still works")
	}
	if !rot.Session.MFAPassed || !rot.Session.AbsoluteExpiresAt.Equal(r.Session.AbsoluteExpiresAt) {
		t.Fatalf("rotated session %+v", rot.Session)
	}
}

func TestSessionRejectsMalformedTokens(t *testing.T) {
	st, c := authtest.New(), newClock()
	m := newSessions(st, c)
	for _, tok := range []string{"", "abc", "craft_pat_x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", string(make([]byte, 43))} {
		if _, err := m.Validate(t.Context(), tok); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("Validate(%q) = %v", tok, err)
		}
	}
}

func TestPrincipalOfDisabledUserIsUnauthenticated(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "ada@example.eu", auth.RoleViewer)
	r, _ := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: goodPassword})
	u = mustUser(t, f, u.ID)
	u.DisabledAt = f.clock.Now()
	_, _ = f.store.UpdateUser(f.ctx, u)
	if _, _, err := f.svc.Sessions.Principal(f.ctx, r.Session.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("disabled user's session: %v", err)
	}
}

func TestSessionCookie(t *testing.T) {
	c := auth.SessionCookie("tok", time.Time{})
	if c.Name != "__Host-craft_session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie %+v", c)
	}
	if err := c.Valid(); err != nil {
		t.Fatal(err)
	}
	clear := auth.ClearSessionCookie()
	if clear.Name != c.Name || clear.MaxAge >= 0 || !clear.Secure || clear.Path != "/" || clear.Value != "" {
		t.Fatalf("clear cookie %+v", clear)
	}
}
