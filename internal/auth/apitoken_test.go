package auth_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

// The documented scanner pattern (docs/auth.md).
var tokenRE = regexp.MustCompile(`^craft_pat_[A-Za-z0-9_-]{49}$`)

type tokenFixture struct {
	*fixture
	tokens *auth.Tokens
}

func newTokenFixture(t *testing.T) *tokenFixture {
	f := newFixture(t)
	return &tokenFixture{fixture: f, tokens: &auth.Tokens{Store: f.store, Users: f.store, Now: f.clock.Now}}
}

func (f *tokenFixture) principal(t *testing.T, u auth.User) auth.Principal {
	t.Helper()
	ms, _ := f.store.ListMemberships(f.ctx, u.ID, "")
	return auth.NewUserPrincipal(mustUser(t, f.fixture, u.ID), ms)
}

func TestAPITokenFormat(t *testing.T) {
	f := newTokenFixture(t)
	u := f.user(t, "ci@example.eu", auth.RoleContributor)
	nt, err := f.tokens.Create(f.ctx, f.principal(t, u), auth.TokenRequest{Name: "ci", Role: auth.RoleContributor})
	if err != nil {
		t.Fatal(err)
	}
	tok := nt.Token
	if !tokenRE.MatchString(tok) || len(tok) != auth.APITokenLength || !auth.ValidAPITokenFormat(tok) {
		t.Fatalf("token %q does not have the documented format", tok)
	}
	if nt.Stored.TokenHash != auth.APITokenHash(tok) || strings.Contains(nt.Stored.TokenHash, tok[10:]) {
		t.Fatal("the store holds more than SHA-256(token)")
	}
	// Any single-character change is caught by the checksum or the
	// alphabet.
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := len(auth.APITokenPrefix); i < len(tok); i++ {
		for _, r := range alphabet {
			if byte(r) == tok[i] {
				continue
			}
			mut := tok[:i] + string(r) + tok[i+1:]
			if auth.ValidAPITokenFormat(mut) {
				// CRC-32 catches every single-character change of the body;
				// the last checksum character carries 2 unused bits.
				if i < len(tok)-1 {
					t.Fatalf("changed character %d: %q still valid", i, mut)
				}
			}
		}
	}
	for _, bad := range []string{"", "craft_pat_", "ghp_" + tok[10:], "CRAFT_PAT_" + tok[10:], tok + "A", tok[:len(tok)-1]} {
		if auth.ValidAPITokenFormat(bad) {
			t.Errorf("ValidAPITokenFormat(%q) = true", bad)
		}
	}
}

func FuzzValidAPITokenFormat(f *testing.F) {
	f.Add("craft_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("craft_pat_")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if auth.ValidAPITokenFormat(s) && !tokenRE.MatchString(s) {
			t.Fatalf("%q accepted but does not match the documented pattern", s)
		}
	})
}

func TestAPITokenCreateRules(t *testing.T) {
	f := newTokenFixture(t)
	contrib := f.user(t, "c@example.eu", auth.RoleContributor)
	f.store.SetMembership(contrib.ID, "A", auth.RoleContributor)
	p := f.principal(t, contrib)
	tests := []struct {
		name string
		req  auth.TokenRequest
		want error
	}{
		{"default", auth.TokenRequest{Name: "x", Role: auth.RoleViewer}, nil},
		{"own role", auth.TokenRequest{Name: "x", Role: auth.RoleContributor}, nil},
		{"higher role", auth.TokenRequest{Name: "x", Role: auth.RoleSecurityOfficer}, auth.ErrForbidden},
		{"admin role", auth.TokenRequest{Name: "x", Role: auth.RoleAdministrator}, auth.ErrForbidden},
		{"unknown role", auth.TokenRequest{Name: "x", Role: "root"}, auth.ErrInvalidInput},
		{"no name", auth.TokenRequest{Role: auth.RoleViewer}, auth.ErrInvalidInput},
		{"one year", auth.TokenRequest{Name: "x", Role: auth.RoleViewer, Lifetime: 365 * 24 * time.Hour}, nil},
		{"over a year", auth.TokenRequest{Name: "x", Role: auth.RoleViewer, Lifetime: 366 * 24 * time.Hour}, auth.ErrInvalidInput},
		{"negative", auth.TokenRequest{Name: "x", Role: auth.RoleViewer, Lifetime: -time.Hour}, auth.ErrInvalidInput},
		{"own product", auth.TokenRequest{Name: "x", Role: auth.RoleViewer, Products: []string{"A"}}, nil},
		{"foreign product", auth.TokenRequest{Name: "x", Role: auth.RoleViewer, Products: []string{"A", "B"}}, auth.ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nt, err := f.tokens.Create(f.ctx, p, tc.req)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Create = %v, want %v", err, tc.want)
			}
			if err == nil && tc.req.Lifetime == 0 && !nt.Stored.ExpiresAt.Equal(f.clock.Now().Add(90*24*time.Hour)) {
				t.Fatalf("default expiry %v", nt.Stored.ExpiresAt)
			}
		})
	}
	// A token cannot mint tokens.
	nt, _ := f.tokens.Create(f.ctx, p, auth.TokenRequest{Name: "x", Role: auth.RoleContributor})
	tp, err := f.tokens.Authenticate(f.ctx, nt.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.tokens.Create(f.ctx, tp, auth.TokenRequest{Name: "y", Role: auth.RoleViewer}); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("a token created a token: %v", err)
	}
}

func TestAPITokenAuthenticate(t *testing.T) {
	f := newTokenFixture(t)
	u := f.user(t, "so@example.eu", auth.RoleSecurityOfficer)
	f.store.SetMembership(u.ID, "A", auth.RoleSecurityOfficer)
	f.store.SetMembership(u.ID, "B", auth.RoleSecurityOfficer)
	p := f.principal(t, u)
	nt, err := f.tokens.Create(f.ctx, p, auth.TokenRequest{Name: "ci", Role: auth.RoleContributor, Products: []string{"A"}, Lifetime: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := f.tokens.Authenticate(f.ctx, nt.Token)
	if err != nil {
		t.Fatal(err)
	}
	if tp.Kind != auth.KindToken || tp.UserID != u.ID {
		t.Fatalf("principal %+v", tp)
	}
	check := func(perm auth.Permission, product string, ok bool) {
		t.Helper()
		if err := auth.Authorize(tp, perm, product); (err == nil) != ok {
			t.Errorf("Authorize(%s, %q) = %v, want ok=%v", perm, product, err, ok)
		}
	}
	check(auth.PermProductWrite, "A", true)
	check(auth.PermFindingTriage, "A", false) // token role caps the user's
	check(auth.PermProductRead, "B", false)   // outside the token's scope
	check(auth.PermAccountManage, "", false)  // never through a token

	// Last use is written at most once a minute.
	before := f.store.CallCount("TouchAPIToken")
	for range 10 {
		f.clock.Advance(time.Second)
		_, _ = f.tokens.Authenticate(f.ctx, nt.Token)
	}
	if n := f.store.CallCount("TouchAPIToken") - before; n != 0 {
		t.Fatalf("%d last-used writes within a minute of the first use", n)
	}
	f.clock.Advance(time.Minute)
	_, _ = f.tokens.Authenticate(f.ctx, nt.Token)
	if n := f.store.CallCount("TouchAPIToken") - before; n != 1 {
		t.Fatalf("%d last-used writes after a minute, want 1", n)
	}

	// Demoting the owner lowers the token.
	uu := mustUser(t, f.fixture, u.ID)
	uu.Role = auth.RoleViewer
	_, _ = f.store.UpdateUser(f.ctx, uu)
	tp, _ = f.tokens.Authenticate(f.ctx, nt.Token)
	check(auth.PermProductWrite, "A", false)
	check(auth.PermProductRead, "A", true)

	// Revoked, expired, disabled owner, unknown, malformed: all 401.
	other, _ := f.tokens.Create(f.ctx, p, auth.TokenRequest{Name: "other", Role: auth.RoleViewer})
	if err := f.tokens.Revoke(f.ctx, u.ID, other.Stored.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tokens.Authenticate(f.ctx, other.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	f.clock.Advance(24 * time.Hour)
	if _, err := f.tokens.Authenticate(f.ctx, nt.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("expired token: %v", err)
	}
	fresh, _ := f.tokens.Create(f.ctx, p, auth.TokenRequest{Name: "fresh", Role: auth.RoleViewer})
	uu = mustUser(t, f.fixture, u.ID)
	uu.DisabledAt = f.clock.Now()
	_, _ = f.store.UpdateUser(f.ctx, uu)
	if _, err := f.tokens.Authenticate(f.ctx, fresh.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("token of a disabled account: %v", err)
	}
	body := fresh.Token[10:53]
	forged := "craft_pat_" + strings.Repeat("A", 43) + fresh.Token[53:]
	for _, tok := range []string{"", "craft_pat_" + body, forged} {
		if _, err := f.tokens.Authenticate(f.ctx, tok); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q) = %v", tok, err)
		}
	}
}

func TestSetupTokens(t *testing.T) {
	f := newFixture(t)
	s := &auth.SetupTokens{Store: f.store, Now: f.clock.Now}
	tok, exp, err := s.Create(f.ctx)
	if err != nil || !exp.Equal(f.clock.Now().Add(time.Hour)) {
		t.Fatalf("Create: %v %v", exp, err)
	}
	if err := s.Consume(f.ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.Consume(f.ctx, tok); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("second use: %v", err)
	}
	late, _, _ := s.Create(f.ctx)
	f.clock.Advance(time.Hour)
	if err := s.Consume(f.ctx, late); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("expired: %v", err)
	}
	if err := s.Consume(f.ctx, "garbage"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("garbage: %v", err)
	}
}
