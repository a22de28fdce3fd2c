package auth_test

import (
	"bytes"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/pquerna/otp/totp"
)

func code(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol runs the whole enrolment for u and returns the secret and the
// recovery codes.
func enrol(t testing.TB, f *fixture, u auth.User) (string, []string) {
	t.Helper()
	e, err := f.svc.MFA.BeginEnrolment(f.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := f.svc.MFA.ConfirmEnrolment(f.ctx, u.ID, code(t, e.Secret, f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30 * time.Second)
	return e.Secret, codes
}

func TestEnrolment(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "ada@example.eu", auth.RoleAdministrator)
	e, err := f.svc.MFA.BeginEnrolment(f.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Secret) != 32 { // 20 bytes in base32
		t.Errorf("secret %q is not 160 bits", e.Secret)
	}
	url, err := url.Parse(e.URL)
	if err != nil || url.Scheme != "otpauth" || url.Host != "totp" || url.Query().Get("secret") != e.Secret ||
		url.Query().Get("issuer") != "craft" || url.Query().Get("digits") != "6" || url.Query().Get("period") != "30" {
		t.Errorf("otpauth URL %q", e.URL)
	}
	stored, _ := f.store.GetUser(f.ctx, u.ID)
	if stored.MFAEnabled {
		t.Fatal("MFA enabled before the first code was confirmed")
	}
	if bytes.Contains(stored.MFASecret, []byte(e.Secret)) || len(stored.MFASecret) == 0 {
		t.Fatal("the stored secret is not sealed")
	}
	if _, err := f.svc.MFA.ConfirmEnrolment(f.ctx, u.ID, "000000"); !errors.Is(err, auth.ErrInvalidCode) {
		t.Fatalf("wrong confirmation code: %v", err)
	}
	c := code(t, e.Secret, f.clock.Now())
	codes, err := f.svc.MFA.ConfirmEnrolment(f.ctx, u.ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes, want %d", len(codes), auth.RecoveryCodeCount)
	}
	hashes, _ := f.store.RecoveryCodeHashes(f.ctx, u.ID)
	for _, rc := range codes {
		for _, h := range hashes {
			if h == rc {
				t.Fatal("a recovery code is stored in clear")
			}
		}
	}
	if err := f.svc.MFA.Verify(f.ctx, u.ID, c); !errors.Is(err, auth.ErrInvalidCode) {
		t.Fatalf("the enrolment code was accepted again: %v", err)
	}
	if _, err := f.svc.MFA.BeginEnrolment(f.ctx, mustUser(t, f, u.ID)); err == nil {
		t.Fatal("enrolment restarted while MFA is enabled")
	}
}

func mustUser(t testing.TB, f *fixture, id string) auth.User {
	t.Helper()
	u, err := f.store.GetUser(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTOTPWindowAndReplay(t *testing.T) {
	tests := []struct {
		name   string
		offset time.Duration
		ok     bool
	}{
		{"current step", 0, true},
		{"one step behind", -30 * time.Second, true},
		{"one step ahead", 30 * time.Second, true},
		{"two steps behind", -60 * time.Second, false},
		{"two steps ahead", 60 * time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			u := f.user(t, "ada@example.eu", auth.RoleViewer)
			secret, _ := enrol(t, f, u)
			f.clock.Advance(5 * time.Minute)
			c := code(t, secret, f.clock.Now().Add(tc.offset))
			err := f.svc.MFA.Verify(f.ctx, u.ID, c)
			if (err == nil) != tc.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok {
				return
			}
			// Replay: the same code within its window is refused.
			for _, later := range []time.Duration{0, 10 * time.Second, 29 * time.Second} {
				f.clock.Advance(later)
				if err := f.svc.MFA.Verify(f.ctx, u.ID, c); !errors.Is(err, auth.ErrInvalidCode) {
					t.Fatalf("replayed code accepted after %v: %v", later, err)
				}
			}
		})
	}
}

func TestTOTPSecretBoundToUser(t *testing.T) {
	f := newFixture(t)
	a := f.user(t, "ada@example.eu", auth.RoleViewer)
	b := f.user(t, "bob@example.eu", auth.RoleViewer)
	secretA, _ := enrol(t, f, a)
	enrol(t, f, b)
	// An attacker with write access to the database copies A's sealed
	// secret into B's row: it must not open for B.
	ua, ub := mustUser(t, f, a.ID), mustUser(t, f, b.ID)
	ub.MFASecret = ua.MFASecret
	if _, err := f.store.UpdateUser(f.ctx, ub); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MFA.Verify(f.ctx, b.ID, code(t, secretA, f.clock.Now())); err == nil || errors.Is(err, auth.ErrInvalidCode) {
		t.Fatalf("a secret moved between users: err = %v, want an unseal error", err)
	}
}

func TestRecoveryCodes(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "ada@example.eu", auth.RoleViewer)
	_, codes := enrol(t, f, u)
	seen := map[string]bool{}
	for _, c := range codes {
		if _, ok := auth.NormalizeRecoveryCode(c); !ok || seen[c] {
			t.Fatalf("bad or duplicate recovery code %q", c)
		}
		seen[c] = true
	}
	if err := f.svc.MFA.Verify(f.ctx, u.ID, codes[0]); err != nil {
		t.Fatalf("recovery code refused: %v", err)
	}
	if err := f.svc.MFA.Verify(f.ctx, u.ID, codes[0]); !errors.Is(err, auth.ErrInvalidCode) {
		t.Fatalf("recovery code accepted twice: %v", err)
	}
	// Typed loosely: lower case, spaces instead of dashes.
	loose := []byte(codes[1])
	for i := range loose {
		if loose[i] == '-' {
			loose[i] = ' '
		}
	}
	if err := f.svc.MFA.Verify(f.ctx, u.ID, string(bytes.ToLower(loose))); err != nil {
		t.Fatalf("loosely typed recovery code refused: %v", err)
	}
	if n, _ := f.svc.MFA.RecoveryCodesLeft(f.ctx, u.ID); n != auth.RecoveryCodeCount-2 {
		t.Fatalf("%d codes left, want %d", n, auth.RecoveryCodeCount-2)
	}
	fresh, err := f.svc.MFA.RegenerateRecoveryCodes(f.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MFA.Verify(f.ctx, u.ID, codes[2]); !errors.Is(err, auth.ErrInvalidCode) {
		t.Fatal("an old recovery code still works after regeneration")
	}
	if err := f.svc.MFA.Verify(f.ctx, u.ID, fresh[0]); err != nil {
		t.Fatal(err)
	}
}

func TestMFAPolicy(t *testing.T) {
	tests := []struct {
		role    auth.Role
		enabled bool
		all     bool
		want    bool
	}{
		{auth.RoleAdministrator, false, false, true},
		{auth.RoleSecurityOfficer, false, false, false},
		{auth.RoleViewer, false, false, false},
		{auth.RoleViewer, true, false, true},
		{auth.RoleViewer, false, true, true},
		{auth.RoleContributor, false, true, true},
	}
	for _, tc := range tests {
		got := auth.MFAPolicy{RequireForAll: tc.all}.Required(auth.User{Role: tc.role, MFAEnabled: tc.enabled})
		if got != tc.want {
			t.Errorf("%+v: Required = %v", tc, got)
		}
	}
}
