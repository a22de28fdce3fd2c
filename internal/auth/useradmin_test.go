package auth_test

import (
	"errors"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
)

func signIn(t *testing.T, f *fixture, u auth.User) (auth.Principal, string) {
	t.Helper()
	r, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: u.Email, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := f.svc.Sessions.Principal(f.ctx, r.Session.Token)
	if err != nil {
		t.Fatal(err)
	}
	return p, r.Session.Token
}

func TestUserAdministration(t *testing.T) {
	f := newFixture(t)
	f.svc.Tokens = &auth.Tokens{Store: f.store, Users: f.store, Now: f.clock.Now}
	root := f.user(t, "root@example.eu", auth.RoleAdministrator)
	dev := f.user(t, "dev@example.eu", auth.RoleContributor)
	// The administrator acts through a principal built directly: MFA is
	// exercised in login_test.go.
	admin := auth.NewUserPrincipal(root, nil)
	devP, devTok := signIn(t, f, dev)

	// Only administrators administer.
	if _, err := f.svc.SetRole(f.ctx, devP, dev.ID, auth.RoleAdministrator); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("contributor promoted themself: %v", err)
	}
	if _, err := f.svc.SetDisabled(f.ctx, devP, root.ID, true); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("contributor disabled the admin: %v", err)
	}
	// The last administrator stays.
	if _, err := f.svc.SetRole(f.ctx, admin, root.ID, auth.RoleViewer); !errors.Is(err, auth.ErrInvalidInput) {
		t.Fatalf("last administrator demoted: %v", err)
	}
	if _, err := f.svc.SetDisabled(f.ctx, admin, root.ID, true); !errors.Is(err, auth.ErrInvalidInput) {
		t.Fatalf("last administrator disabled: %v", err)
	}
	// A role change ends the target's sessions; promotion to administrator
	// then demands MFA enrolment at the next sign-in.
	if _, err := f.svc.SetRole(f.ctx, admin, dev.ID, auth.RoleAdministrator); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, devTok); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatal("a session survived its user's role change")
	}
	r, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: dev.Email, Password: goodPassword})
	if err != nil || !r.MFAEnrolmentRequired {
		t.Fatalf("promoted user signs in without MFA: %+v %v", r, err)
	}
	// With two administrators, one may be demoted.
	if _, err := f.svc.SetRole(f.ctx, admin, root.ID, auth.RoleSecurityOfficer); err != nil {
		t.Fatal(err)
	}
	// Disabling ends sessions and revokes tokens; enabling restores sign-in.
	viewer := f.user(t, "v@example.eu", auth.RoleViewer)
	vp, vtok := signIn(t, f, viewer)
	nt, err := f.svc.Tokens.Create(f.ctx, vp, auth.TokenRequest{Name: "t", Role: auth.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	admin2 := auth.NewUserPrincipal(mustUser(t, f, dev.ID), nil)
	if _, err := f.svc.SetDisabled(f.ctx, admin2, viewer.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, vtok); err == nil {
		t.Fatal("a disabled user's session survived")
	}
	if toks, _ := f.store.ListAPITokens(f.ctx, viewer.ID); len(toks) != 1 || toks[0].RevokedAt.IsZero() {
		t.Fatalf("a disabled user's token was not revoked: %+v", toks)
	}
	if _, err := f.svc.Tokens.Authenticate(f.ctx, nt.Token); err == nil {
		t.Fatal("a disabled user's token works")
	}
	if _, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: viewer.Email, Password: goodPassword}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("disabled user signs in: %v", err)
	}
	if _, err := f.svc.SetDisabled(f.ctx, admin2, viewer.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(f.ctx, auth.LoginRequest{Email: viewer.Email, Password: goodPassword}); err != nil {
		t.Fatalf("enabled again, cannot sign in: %v", err)
	}
}

func TestResetMFA(t *testing.T) {
	f := newFixture(t)
	root := f.user(t, "root@example.eu", auth.RoleAdministrator)
	u := f.user(t, "lost@example.eu", auth.RoleViewer)
	enrol(t, f, u)
	_, tok := signIn(t, f, u)
	if err := f.svc.ResetMFA(f.ctx, auth.NewUserPrincipal(u, nil), u.ID); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("a viewer reset MFA: %v", err)
	}
	if err := f.svc.ResetMFA(f.ctx, auth.NewUserPrincipal(root, nil), u.ID); err != nil {
		t.Fatal(err)
	}
	if got := mustUser(t, f, u.ID); got.MFAEnabled || got.MFASecret != nil {
		t.Fatalf("MFA still set: %+v", got)
	}
	if n, _ := f.svc.MFA.RecoveryCodesLeft(f.ctx, u.ID); n != 0 {
		t.Fatalf("%d recovery codes left", n)
	}
	if _, err := f.svc.Sessions.Validate(f.ctx, tok); err == nil {
		t.Fatal("session survived the MFA reset")
	}
}
