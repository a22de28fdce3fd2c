package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func TestReplaceReleaseFindings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.CreateRelease(ctx, store.Release{ProductID: p.ID, Version: "1.0"})
		if err != nil {
			t.Fatal(err)
		}
		u := store.FindingsUpdate{ReleaseID: r.ID, ProductID: p.ID, ProductName: p.Name, Version: r.Version}
		a := store.Finding{VulnID: "CVE-2024-0001", ComponentID: "pkg:npm/a@1", Aliases: []string{"CVE-2024-0001", "GHSA-x"},
			ComponentName: "a", ComponentVersion: "1", Ecosystem: "npm", SeverityLevel: "medium", SeverityScore: 55}
		b := store.Finding{VulnID: "CVE-2024-0002", ComponentID: "pkg:npm/b@2", ComponentName: "b", ComponentVersion: "2",
			SeverityLevel: "low", SeverityScore: 20}
		u.Findings = []store.Finding{a, b}
		evs, err := s.ReplaceReleaseFindings(ctx, u)
		if err != nil || len(evs) != 2 || evs[0].Kind != store.EventFindingNew {
			t.Fatalf("first = %+v, %v", evs, err)
		}
		// a becomes KEV-listed and critical; b disappears; c is new.
		a.KEVDateAdded, a.SeverityLevel, a.SeverityScore = "2025-01-23", "critical", 98
		c := store.Finding{VulnID: "CVE-2024-0003", ComponentID: "pkg:npm/c@3", ComponentName: "c", ComponentVersion: "3",
			SeverityLevel: "high", SeverityScore: 75}
		u.Findings = []store.Finding{c, a}
		evs, err = s.ReplaceReleaseFindings(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, e := range evs {
			kinds[e.Kind] = e.Subject
		}
		if len(evs) != 3 ||
			kinds[store.EventFindingNew] != "new finding CVE-2024-0003 in product Router release 1.0" ||
			kinds[store.EventFindingKEV] != "finding CVE-2024-0001 in product Router release 1.0 is now KEV-listed (actively exploited)" ||
			kinds[store.EventFindingSeverity] != "severity of finding CVE-2024-0001 in product Router release 1.0 changed from medium to critical" {
			t.Fatalf("second = %+v", evs)
		}
		got, err := s.ListReleaseFindings(ctx, r.ID)
		if err != nil || len(got) != 2 || got[0].VulnID != "CVE-2024-0001" || got[1].VulnID != "CVE-2024-0003" ||
			got[0].Status != "under_investigation" || len(got[0].Aliases) != 2 || got[0].SeverityScore != 98 {
			t.Fatalf("findings = %+v, %v", got, err)
		}
		pending, err := s.ListPendingNotifications(ctx)
		if err != nil || len(pending) != 5 {
			t.Fatalf("notifications = %d, %v", len(pending), err)
		}
		// Same input again: no events.
		if evs, err := s.ReplaceReleaseFindings(ctx, u); err != nil || len(evs) != 0 {
			t.Fatalf("unchanged = %+v, %v", evs, err)
		}
		// A deleted release: ErrNotFound, nothing stored.
		if err := s.DeleteRelease(ctx, p.ID, "1.0"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplaceReleaseFindings(ctx, u); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted release: %v", err)
		}
		if got, err := s.ListReleaseFindings(ctx, r.ID); err != nil || len(got) != 0 {
			t.Fatalf("findings of a deleted release = %+v, %v", got, err)
		}
	})
}
