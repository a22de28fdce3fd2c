package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestUsers(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers on a new store = %d, %v", n, err)
		}
		u, err := s.CreateUser(ctx, User{Email: "  Alice@Example.org ", DisplayName: "Alice", PasswordHash: "$argon2id$v=19$...", CreatedAt: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == "" || u.Role != RoleViewer || u.Email != "Alice@Example.org" || !u.CreatedAt.Equal(fixedNow) || u.CreatedAt.Location() != time.UTC {
			t.Errorf("created user = %+v (want generated ID, viewer role, trimmed e-mail, nanosecond time in UTC)", u)
		}
		if _, err := s.CreateUser(ctx, User{Email: "alice@EXAMPLE.org"}); !errors.Is(err, ErrConflict) {
			t.Errorf("second user with the same e-mail in other case: err = %v, want ErrConflict", err)
		}
		if _, err := s.CreateUser(ctx, User{Email: "x@example.org", Role: "root"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("unknown role: err = %v, want ErrInvalid", err)
		}
		got, err := s.GetUserByEmail(ctx, "ALICE@example.org")
		if err != nil || got.ID != u.ID {
			t.Fatalf("GetUserByEmail = %+v, %v", got, err)
		}
		if _, err := s.GetUser(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetUser(nope): err = %v, want ErrNotFound", err)
		}

		u.Role = RoleAdmin
		u.MFASecret = []byte{0, 1, 2, 0xff, 'x'}
		u.MFAEnabled = true
		u.DisabledAt = fixedNow.Add(time.Hour)
		u2, err := s.UpdateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if u2.Role != RoleAdmin || !bytes.Equal(u2.MFASecret, u.MFASecret) || !u2.MFAEnabled || !u2.DisabledAt.Equal(u.DisabledAt) {
			t.Errorf("updated user = %+v", u2)
		}
		if _, err := s.UpdateUser(ctx, User{ID: "nope", Email: "n@example.org", Role: RoleViewer}); !errors.Is(err, ErrNotFound) {
			t.Errorf("UpdateUser(nope): err = %v, want ErrNotFound", err)
		}
		b := mustUser(t, s, "bob@example.org", RoleContributor)
		b.Email = "ALICE@example.org"
		if _, err := s.UpdateUser(ctx, b); !errors.Is(err, ErrConflict) {
			t.Errorf("UpdateUser to a taken e-mail: err = %v, want ErrConflict", err)
		}
		list, err := s.ListUsers(ctx)
		if err != nil || len(list) != 2 || list[0].ID != u.ID || list[1].Email != "bob@example.org" {
			t.Errorf("ListUsers = %+v, %v", list, err)
		}
		if n, _ := s.CountUsers(ctx); n != 2 {
			t.Errorf("CountUsers = %d, want 2", n)
		}
		if err := s.DeleteUser(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, b.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: err = %v, want ErrNotFound", err)
		}
	})
}

func TestRecoveryCodes(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.org", RoleAdmin)
		if err := s.SetRecoveryCodes(ctx, u.ID, []string{"h2", "h1", "h3"}); err != nil {
			t.Fatal(err)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, "h2", fixedNow); err != nil {
			t.Fatal(err)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, "h2", fixedNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("reusing a recovery code: err = %v, want ErrNotFound", err)
		}
		got, err := s.RecoveryCodeHashes(ctx, u.ID)
		if err != nil || len(got) != 2 || got[0] != "h1" || got[1] != "h3" {
			t.Errorf("unused codes = %v, %v", got, err)
		}
		// A failing replacement (an empty hash) leaves the old codes.
		if err := s.SetRecoveryCodes(ctx, u.ID, []string{"n1", ""}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
		if got, _ := s.RecoveryCodeHashes(ctx, u.ID); len(got) != 2 || got[0] != "h1" {
			t.Errorf("after a failed replacement: %v, want the old h1, h3", got)
		}
		if err := s.SetRecoveryCodes(ctx, "nope", []string{"x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("codes for a missing user: err = %v, want ErrNotFound", err)
		}
	})
}

func TestProductsAndMemberships(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, err := s.CreateProduct(ctx, Product{Name: "Alpha"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateProduct(ctx, Product{Name: "Beta"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateProduct(ctx, Product{Name: "Alpha"}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate product name: err = %v, want ErrConflict", err)
		}
		u := mustUser(t, s, "c@example.org", RoleContributor)
		if err := s.SetMembership(ctx, Membership{UserID: u.ID, ProductID: a.ID, Role: RoleContributor}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, Membership{UserID: u.ID, ProductID: a.ID, Role: RoleAdmin}); !errors.Is(err, ErrInvalid) {
			t.Errorf("admin membership: err = %v, want ErrInvalid", err)
		}
		if err := s.SetMembership(ctx, Membership{UserID: u.ID, ProductID: "nope", Role: RoleViewer}); !errors.Is(err, ErrConflict) {
			t.Errorf("membership of a missing product: err = %v, want ErrConflict", err)
		}
		// Least privilege: a member of Alpha sees Alpha only.
		ps, err := s.ListProductsForUser(ctx, u.ID)
		if err != nil || len(ps) != 1 || ps[0].ID != a.ID {
			t.Errorf("products for user = %+v, %v; want Alpha only", ps, err)
		}
		if _, err := s.GetMembership(ctx, u.ID, b.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("membership of Beta: err = %v, want ErrNotFound", err)
		}
		if err := s.SetMembership(ctx, Membership{UserID: u.ID, ProductID: a.ID, Role: RoleViewer}); err != nil {
			t.Fatal(err)
		}
		m, err := s.GetMembership(ctx, u.ID, a.ID)
		if err != nil || m.Role != RoleViewer {
			t.Errorf("membership after change = %+v, %v", m, err)
		}
		all, err := s.ListProducts(ctx)
		if err != nil || len(all) != 2 || all[0].Name != "Alpha" {
			t.Errorf("ListProducts = %+v, %v", all, err)
		}
		if ms, err := s.ListMemberships(ctx, "", a.ID); err != nil || len(ms) != 1 {
			t.Errorf("members of Alpha = %+v, %v", ms, err)
		}
		if err := s.DeleteProduct(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if ms, err := s.ListMemberships(ctx, u.ID, ""); err != nil || len(ms) != 0 {
			t.Errorf("memberships after product deletion = %+v, %v", ms, err)
		}
		if err := s.DeleteMembership(ctx, u.ID, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestUserFieldUpdates(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.org", RoleViewer)
		steps := []error{
			s.SetUserPasswordHash(ctx, u.ID, "new-hash"),
			s.SetUserRole(ctx, u.ID, RoleSecurityOfficer),
			s.SetUserMFA(ctx, u.ID, []byte("sealed"), true),
			s.SetUserDisabled(ctx, u.ID, fixedNow),
			s.Ping(ctx),
		}
		if err := errors.Join(steps...); err != nil {
			t.Fatal(err)
		}
		got, _ := s.GetUser(ctx, u.ID)
		if got.PasswordHash != "new-hash" || got.Role != RoleSecurityOfficer || string(got.MFASecret) != "sealed" || !got.MFAEnabled || !got.DisabledAt.Equal(fixedNow) {
			t.Errorf("user after field updates = %+v", got)
		}
		if err := errors.Join(s.SetUserMFA(ctx, u.ID, nil, false), s.SetUserDisabled(ctx, u.ID, time.Time{})); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetUser(ctx, u.ID)
		if got.MFASecret != nil || got.MFAEnabled || !got.DisabledAt.IsZero() {
			t.Errorf("user after MFA off and enable = %+v", got)
		}
		if err := s.SetUserRole(ctx, u.ID, "root"); !errors.Is(err, ErrInvalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
		if err := s.SetUserRole(ctx, "nope", RoleViewer); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}
