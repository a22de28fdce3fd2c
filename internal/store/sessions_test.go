package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.org", RoleViewer)
		mk := func(id string) Session {
			return Session{ID: id, UserID: u.ID, CreatedAt: fixedNow, ExpiresAt: fixedNow.Add(30 * time.Minute),
				AbsoluteExpiresAt: fixedNow.Add(12 * time.Hour), IP: "192.0.2.1", UserAgent: "test"}
		}
		x, err := s.CreateSession(ctx, mk("hash1"))
		if err != nil {
			t.Fatal(err)
		}
		if !x.LastSeenAt.Equal(fixedNow) || x.MFAPassed {
			t.Errorf("created session = %+v", x)
		}
		if _, err := s.CreateSession(ctx, mk("hash1")); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate session id: err = %v, want ErrConflict", err)
		}
		if _, err := s.CreateSession(ctx, Session{ID: "h", UserID: "nope", ExpiresAt: fixedNow, AbsoluteExpiresAt: fixedNow}); !errors.Is(err, ErrConflict) {
			t.Errorf("session of a missing user: err = %v, want ErrConflict", err)
		}
		// Touch moves the idle expiry but never past the absolute one.
		later := fixedNow.Add(time.Hour)
		if err := s.TouchSession(ctx, "hash1", later, later.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		x, _ = s.GetSession(ctx, "hash1")
		if !x.LastSeenAt.Equal(later) || !x.ExpiresAt.Equal(x.AbsoluteExpiresAt) {
			t.Errorf("touched session = %+v", x)
		}
		if err := s.SetSessionMFAPassed(ctx, "hash1"); err != nil {
			t.Fatal(err)
		}
		sx, su, err := s.GetSessionUser(ctx, "hash1")
		if err != nil || sx.ID != "hash1" || !sx.MFAPassed || !sx.LastSeenAt.Equal(later) || su.ID != u.ID || su.Email != u.Email {
			t.Errorf("GetSessionUser = %+v, %+v, %v", sx, su, err)
		}
		if _, _, err := s.GetSessionUser(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetSessionUser(nope): err = %v", err)
		}
		// Rotation: the old id is gone, the new one exists.
		y, err := s.RotateSession(ctx, "hash1", mk("hash2"))
		if err != nil || y.ID != "hash2" {
			t.Fatalf("rotate = %+v, %v", y, err)
		}
		if _, err := s.GetSession(ctx, "hash1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("old session after rotation: err = %v", err)
		}
		if _, err := s.RotateSession(ctx, "hash1", mk("hash3")); !errors.Is(err, ErrNotFound) {
			t.Errorf("rotating a missing session: err = %v", err)
		}
		if _, err := s.GetSession(ctx, "hash3"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a failed rotation left the new session behind: err = %v", err)
		}
		for _, id := range []string{"hash4", "hash5"} {
			if _, err := s.CreateSession(ctx, mk(id)); err != nil {
				t.Fatal(err)
			}
		}
		if l, err := s.ListSessions(ctx, u.ID); err != nil || len(l) != 3 {
			t.Errorf("ListSessions = %d, %v", len(l), err)
		}
		n, err := s.DeleteUserSessions(ctx, u.ID, "hash5")
		if err != nil || n != 2 {
			t.Errorf("DeleteUserSessions = %d, %v; want 2", n, err)
		}
		if _, err := s.GetSession(ctx, "hash5"); err != nil {
			t.Errorf("kept session: %v", err)
		}
		if n, err := s.DeleteExpiredSessions(ctx, fixedNow.Add(31*time.Minute)); err != nil || n != 1 {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
		}
		if err := s.DeleteSession(ctx, "hash5"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleting an expired-and-removed session: err = %v", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.org", RoleContributor)
		other := mustUser(t, s, "b@example.org", RoleContributor)
		p, err := s.CreateProduct(ctx, Product{Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.CreateAPIToken(ctx, APIToken{UserID: u.ID, Name: "ci", TokenHash: "th1", Role: RoleViewer, ExpiresAt: fixedNow.Add(time.Hour), CreatedAt: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		if all.Products != nil || !all.ExpiresAt.Equal(fixedNow.Add(time.Hour)) || !all.LastUsedAt.IsZero() {
			t.Errorf("unscoped token = %+v", all)
		}
		scoped, err := s.CreateAPIToken(ctx, APIToken{UserID: u.ID, Name: "one", TokenHash: "th2", Role: RoleContributor, Products: []string{p.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(scoped.Products) != 1 || scoped.Products[0] != p.ID {
			t.Errorf("scoped token products = %v", scoped.Products)
		}
		none, err := s.CreateAPIToken(ctx, APIToken{UserID: u.ID, Name: "none", TokenHash: "th3", Role: RoleViewer, Products: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		if none.Products == nil || len(none.Products) != 0 {
			t.Errorf("empty scope came back as %#v, want an empty non-nil list", none.Products)
		}
		// A scope naming a missing product stores nothing.
		if _, err := s.CreateAPIToken(ctx, APIToken{UserID: u.ID, Name: "bad", TokenHash: "th4", Role: RoleViewer, Products: []string{p.ID, "nope"}}); !errors.Is(err, ErrConflict) {
			t.Errorf("scope with a missing product: err = %v, want ErrConflict", err)
		}
		if _, err := s.GetAPITokenByHash(ctx, "th4"); !errors.Is(err, ErrNotFound) {
			t.Errorf("failed token creation left a token: %v", err)
		}
		if _, err := s.CreateAPIToken(ctx, APIToken{UserID: u.ID, Name: "dup", TokenHash: "th1", Role: RoleViewer}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate hash: err = %v, want ErrConflict", err)
		}
		got, err := s.GetAPITokenByHash(ctx, "th2")
		if err != nil || got.ID != scoped.ID {
			t.Fatalf("GetAPITokenByHash = %+v, %v", got, err)
		}
		if err := s.TouchAPIToken(ctx, got.ID, fixedNow); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIToken(ctx, other.ID, got.ID, fixedNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoking another user's token: err = %v, want ErrNotFound", err)
		}
		if err := s.RevokeAPIToken(ctx, u.ID, got.ID, fixedNow); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIToken(ctx, u.ID, got.ID, fixedNow.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetAPIToken(ctx, got.ID)
		if !got.LastUsedAt.Equal(fixedNow) || !got.RevokedAt.Equal(fixedNow) {
			t.Errorf("token after use and two revocations = %+v", got)
		}
		if n, err := s.RevokeUserAPITokens(ctx, u.ID, fixedNow); err != nil || n != 2 {
			t.Errorf("RevokeUserAPITokens = %d, %v; want 2", n, err)
		}
		l, err := s.ListAPITokens(ctx, u.ID)
		if err != nil || len(l) != 3 {
			t.Errorf("ListAPITokens = %d, %v", len(l), err)
		}
		// Deleting the product leaves the token scoped to nothing, never to everything.
		if err := s.DeleteProduct(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetAPIToken(ctx, scoped.ID)
		if got.Products == nil || len(got.Products) != 0 {
			t.Errorf("scope after product deletion = %#v, want empty non-nil", got.Products)
		}
	})
}
