package auth_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

// countVerify counts argon2id runs of the service.
func countVerify(f *fixture) *int {
	n := new(int)
	auth.WrapVerify(f.svc, func(real func(string, string) (bool, error)) func(string, string) (bool, error) {
		return func(enc, pw string) (bool, error) {
			*n++
			return real(enc, pw)
		}
	})
	return n
}

func TestLoginSameAnswerAndSameWorkForUnknownAccounts(t *testing.T) {
	f := newFixture(t)
	f.user(t, "ada@example.eu", auth.RoleViewer)
	off := f.user(t, "off@example.eu", auth.RoleViewer)
	off.DisabledAt = f.clock.Now()
	if _, err := f.store.UpdateUser(f.ctx, off); err != nil {
		t.Fatal(err)
	}
	runs := countVerify(f)
	tests := []struct{ name, email, pw string }{
		{"wrong password", "ada@example.eu", "not the password at all"},
		{"unknown account", "nobody@example.eu", "not the password at all"},
		{"disabled account, right password", "off@example.eu", goodPassword},
		{"oversized password", "ada@example.eu", strings.Repeat("x", 5000)},
	}
	var msgs []string
	for i, tc := range tests {
		before := *runs
		_, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: tc.email, Password: tc.pw, IP: "198.51.100." + string(rune('1'+i))})
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("%s: %v, want ErrInvalidCredentials", tc.name, err)
		}
		if *runs-before != 1 {
			t.Fatalf("%s: %d argon2id runs, want exactly 1", tc.name, *runs-before)
		}
		if auth.HTTPStatus(err) != http.StatusUnauthorized {
			t.Fatalf("%s: status %d", tc.name, auth.HTTPStatus(err))
		}
		msgs = append(msgs, err.Error())
	}
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Fatalf("different messages reveal accounts: %q vs %q", msgs[0], m)
		}
	}
	before := *runs
	if _, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: "ada@example.eu", Password: goodPassword, IP: "198.51.100.9"}); err != nil {
		t.Fatal(err)
	}
	if *runs-before != 1 {
		t.Fatalf("success: %d argon2id runs", *runs-before)
	}
}

func TestLoginThrottling(t *testing.T) {
	f := newFixture(t)
	f.user(t, "ada@example.eu", auth.RoleViewer)
	req := auth.LoginRequest{Email: "ada@example.eu", Password: "wrong wrong wrong", IP: "203.0.113.7"}
	for i := range 5 {
		if _, err := f.svc.Login(f.ctx, req); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	runs := countVerify(f)
	good := req
	good.Password = goodPassword
	_, err := f.svc.Login(f.ctx, good)
	var te *auth.ThrottledError
	if !errors.As(err, &te) || te.RetryAfter() != 1 {
		t.Fatalf("after 5 failures the right password got %v, want a 1 s wait", err)
	}
	if *runs != 0 {
		t.Fatal("a throttled attempt still ran the hash")
	}
	// Throttling is per account, not per address only: another address is
	// refused too.
	other := good
	other.IP = "192.0.2.44"
	if _, err := f.svc.Login(f.ctx, other); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("another address: %v", err)
	}
	f.clock.Advance(time.Second)
	if _, err := f.svc.Login(f.ctx, good); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	// The success reset the account counter: five more failures are free.
	for i := range 4 {
		if _, err := f.svc.Login(f.ctx, req); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("after reset, attempt %d: %v", i+1, err)
		}
	}
}

func TestLoginThrottlesAnAddressAcrossAccounts(t *testing.T) {
	f := newFixture(t)
	for i := range 20 {
		email := "user" + string(rune('a'+i)) + "@example.eu"
		_, _ = f.svc.Login(f.ctx, auth.LoginRequest{Email: email, Password: "guess guess guess", IP: "203.0.113.7"})
	}
	_, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: "another@example.eu", Password: "guess guess guess", IP: "203.0.113.7"})
	if !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("21st account from one address: %v, want throttled", err)
	}
}

func TestLoginRotatesAndRequiresMFA(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "root@example.eu", auth.RoleAdministrator)
	viewer := f.user(t, "view@example.eu", auth.RoleViewer)

	// A viewer without MFA is signed in at once.
	r, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: viewer.Email, Password: goodPassword})
	if err != nil || r.MFARequired || r.MFAEnrolmentRequired {
		t.Fatalf("viewer login: %+v %v", r, err)
	}
	p, _, err := f.svc.Sessions.Principal(f.ctx, r.Session.Token)
	if err != nil || auth.Authorize(p, auth.PermProductList, "") != nil {
		t.Fatalf("viewer principal: %+v %v", p, err)
	}
	// Signing in again ends the session the browser came with.
	r2, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: viewer.Email, Password: goodPassword, OldSessionToken: r.Session.Token})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Session.Token == r.Session.Token {
		t.Fatal("login reused the session token")
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, r.Session.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("the pre-login session still works: %v", err)
	}

	// An administrator must enrol MFA before the session is of any use.
	r, err = f.svc.Login(f.ctx, auth.LoginRequest{Email: admin.Email, Password: goodPassword})
	if err != nil || !r.MFAEnrolmentRequired {
		t.Fatalf("admin login: %+v %v", r, err)
	}
	p, _, err = f.svc.Sessions.Principal(f.ctx, r.Session.Token)
	if err != nil || !p.MFAPending {
		t.Fatalf("admin principal before MFA: %+v %v", p, err)
	}
	if err := auth.Authorize(p, auth.PermUserAdmin, ""); !errors.Is(err, auth.ErrMFARequired) || !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("pending admin authorised: %v", err)
	}
	e, err := f.svc.BeginEnrolment(f.ctx, r.Session.Token)
	if err != nil {
		t.Fatal(err)
	}
	ns, codes, err := f.svc.CompleteEnrolment(f.ctx, r.Session.Token, code(t, e.Secret, f.clock.Now()), "")
	if err != nil || len(codes) != 10 {
		t.Fatalf("complete enrolment: %v", err)
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, r.Session.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatal("the pending token survived the privilege change")
	}
	p, _, err = f.svc.Sessions.Principal(f.ctx, ns.Token)
	if err != nil || p.MFAPending || auth.Authorize(p, auth.PermUserAdmin, "") != nil {
		t.Fatalf("admin after enrolment: %+v %v", p, err)
	}

	// Next sign-in: the challenge.
	f.clock.Advance(time.Minute)
	r, err = f.svc.Login(f.ctx, auth.LoginRequest{Email: admin.Email, Password: goodPassword})
	if err != nil || !r.MFARequired || r.MFAEnrolmentRequired {
		t.Fatalf("admin second login: %+v %v", r, err)
	}
	if _, err := f.svc.BeginEnrolment(f.ctx, r.Session.Token); err == nil {
		t.Fatal("a pending session could replace the second factor it has not passed")
	}
	ns, err = f.svc.VerifyMFA(f.ctx, r.Session.Token, code(t, e.Secret, f.clock.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, r.Session.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatal("the pending token survived MFA")
	}
	if p, _, err := f.svc.Sessions.Principal(f.ctx, ns.Token); err != nil || p.MFAPending {
		t.Fatalf("after MFA: %+v %v", p, err)
	}
}

func TestVerifyMFAThrottled(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "ada@example.eu", auth.RoleAdministrator)
	secret, _ := enrol(t, f, u)
	r, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := f.svc.VerifyMFA(f.ctx, r.Session.Token, "000000", ""); !errors.Is(err, auth.ErrInvalidCode) {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	if _, err := f.svc.VerifyMFA(f.ctx, r.Session.Token, code(t, secret, f.clock.Now()), ""); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("sixth try: %v, want throttled", err)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "ada@example.eu", auth.RoleViewer)
	a, _ := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: goodPassword})
	b, _ := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: goodPassword})
	p, _, err := f.svc.Sessions.Principal(f.ctx, a.Session.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ChangePassword(f.ctx, p, "wrong wrong wrong", "a brand new passphrase", ""); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := f.svc.ChangePassword(f.ctx, p, goodPassword, "short", ""); !errors.Is(err, auth.ErrPasswordPolicy) {
		t.Fatalf("weak new password: %v", err)
	}
	if err := f.svc.ChangePassword(f.ctx, p, goodPassword, "a brand new passphrase", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, a.Session.Token); err != nil {
		t.Fatalf("the session that changed the password ended: %v", err)
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, b.Session.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatal("another session survived the password change")
	}
	if _, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: goodPassword}); err == nil {
		t.Fatal("the old password still works")
	}
	if _, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: "a brand new passphrase"}); err != nil {
		t.Fatal(err)
	}
}

func TestLoginRehashesWeakHashes(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "ada@example.eu", auth.RoleViewer)
	weak := &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	h, _ := weak.Hash(goodPassword)
	u.PasswordHash = h
	if _, err := f.store.UpdateUser(f.ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	if got := mustUser(t, f, u.ID).PasswordHash; got == h || !strings.HasPrefix(got, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash not upgraded: %q", got)
	}
}

func TestCreateUser(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "new@example.eu", "")
	if u.Role != auth.RoleViewer {
		t.Fatalf("new account role %q, want viewer", u.Role)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") || strings.Contains(u.PasswordHash, goodPassword) {
		t.Fatalf("stored password %q", u.PasswordHash)
	}
	if _, err := f.svc.CreateUser(f.ctx, auth.NewUser{Email: "NEW@example.eu", Password: goodPassword}); !errors.Is(err, auth.ErrConflict) || auth.HTTPStatus(err) != http.StatusConflict {
		t.Fatalf("a taken address: %v, want 409", err)
	}
	for _, n := range []auth.NewUser{
		{Email: "not-an-address", Password: goodPassword},
		{Email: "x@example.eu", Password: "short"},
		{Email: "y@example.eu", Password: goodPassword, Role: "root"},
	} {
		if _, err := f.svc.CreateUser(f.ctx, n); err == nil || auth.HTTPStatus(err) != http.StatusBadRequest {
			t.Errorf("CreateUser(%+v) = %v, want a 400 error", n, err)
		}
	}
}
