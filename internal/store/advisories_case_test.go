package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestAdvisoryCaseLink: an advisory names the case it was made from;
// others name none.
func TestAdvisoryCaseLink(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(n string) store.Advisory {
			a, err := s.CreateAdvisory(ctx, store.Advisory{TrackingID: "CRAFT-ADV-2026-000" + n, Filename: "craft-adv-2026-000" + n + ".json",
				ProductID: p.ID, Category: "csaf_security_advisory", Title: "T", Status: "draft", Version: "0", TLP: "WHITE",
				Input: []byte(`{}`), Document: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		linked, plain := mk("1"), mk("2")
		if err := s.LinkAdvisoryCase(ctx, linked.ID, "CASE-2026-0001"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, id, want string
			err            error
		}{
			{"linked", linked.ID, "CASE-2026-0001", nil},
			{"from a release", plain.ID, "", nil},
			{"unknown", "nope", "", store.ErrNotFound},
		} {
			got, err := s.AdvisoryCase(ctx, tc.id)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Errorf("%s: %q %v, want %q %v", tc.name, got, err, tc.want, tc.err)
			}
		}
		if err := s.LinkAdvisoryCase(ctx, "nope", "CASE-2026-0001"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("link unknown advisory: %v", err)
		}
		if err := s.LinkAdvisoryCase(ctx, plain.ID, ""); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("link empty case: %v", err)
		}
		list, err := s.ListCaseAdvisories(ctx, "CASE-2026-0001")
		if err != nil || len(list) != 1 || list[0].ID != linked.ID {
			t.Errorf("case advisories: %+v %v", list, err)
		}
		if list, err := s.ListCaseAdvisories(ctx, "CASE-2026-0002"); err != nil || len(list) != 0 {
			t.Errorf("other case: %+v %v", list, err)
		}
	})
}
