package store

import (
	"context"
	"errors"
	"testing"
)

func TestInTx(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u := mustUser(t, s, "a@example.org", RoleViewer)

		// A role change and its audit event commit together.
		err := s.InTx(ctx, func(tx *Store) error {
			u.Role = RoleContributor
			if _, err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
			got, err := tx.GetUser(ctx, u.ID) // reads see the transaction
			if err != nil || got.Role != RoleContributor {
				t.Errorf("read inside the transaction = %+v, %v", got, err)
			}
			if _, err := tx.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
			// Nested InTx joins the transaction.
			return tx.InTx(ctx, func(tx *Store) error {
				_, err := tx.AppendAudit(ctx, Event{Actor: "user:admin", Action: "role.change", Target: "user:" + u.ID})
				return err
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetUser(ctx, u.ID); got.Role != RoleContributor {
			t.Errorf("role after commit = %s", got.Role)
		}
		if r := mustVerify(t, s); !r.OK || r.Count != 1 {
			t.Errorf("audit after commit = %+v", r)
		}

		// A failure after the first change rolls everything back.
		boom := errors.New("boom")
		err = s.InTx(ctx, func(tx *Store) error {
			u.Role = RoleAdmin
			if _, err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
			if _, err := tx.AppendAudit(ctx, Event{Actor: "user:admin", Action: "role.change"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if got, _ := s.GetUser(ctx, u.ID); got.Role != RoleContributor {
			t.Errorf("role after rollback = %s, want contributor", got.Role)
		}
		if r := mustVerify(t, s); !r.OK || r.Count != 1 || r.HeadSeq != 1 {
			t.Errorf("audit after rollback = %+v", r)
		}

		// A failed operation whose error the caller ignores still rolls
		// back the transaction.
		p, err := s.CreateProduct(ctx, Product{Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		err = s.InTx(ctx, func(tx *Store) error {
			if _, err := tx.CreateProduct(ctx, Product{Name: "Q"}); err != nil {
				return err
			}
			tx.CreateAPIToken(ctx, APIToken{UserID: u.ID, Name: "t", TokenHash: "h", Role: RoleViewer, Products: []string{p.ID, "missing"}})
			return nil
		})
		if err == nil {
			t.Error("InTx committed after a failed operation")
		}
		if ps, _ := s.ListProducts(ctx); len(ps) != 1 {
			t.Errorf("products after the rolled-back transaction = %+v", ps)
		}
		if _, err := s.GetAPITokenByHash(ctx, "h"); !errors.Is(err, ErrNotFound) {
			t.Errorf("half-created token survived: %v", err)
		}

		// ErrNotFound inside a transaction changes nothing and does not
		// doom it.
		err = s.InTx(ctx, func(tx *Store) error {
			if err := tx.DeleteSession(ctx, "none"); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v", err)
			}
			return tx.SetSetting(ctx, "k", "v")
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := s.GetSetting(ctx, "k"); v != "v" {
			t.Errorf("setting = %q", v)
		}
	})
}
