package store_test

import (
	"context"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func TestSameFindings(t *testing.T) {
	a := store.Finding{VulnID: "CVE-1", ComponentID: "c1", Aliases: []string{"CVE-1", "GHSA-1"}, SeverityLevel: "high"}
	b := store.Finding{VulnID: "CVE-2", ComponentID: "c1", SeverityLevel: "low"}
	triaged := a
	triaged.Status = "not_affected" // status and times are not the re-match's to compare
	kev := a
	kev.KEVDateAdded = "2025-01-23"
	alias := a
	alias.Aliases = []string{"CVE-1"}
	tests := []struct {
		name          string
		stored, found []store.Finding
		want          bool
	}{
		{name: "both-empty", want: true},
		{name: "same", stored: []store.Finding{a, b}, found: []store.Finding{b, a}, want: true},
		{name: "status-ignored", stored: []store.Finding{triaged}, found: []store.Finding{a}, want: true},
		{name: "duplicate-found-once", stored: []store.Finding{a}, found: []store.Finding{a, a}, want: true},
		{name: "new-finding", stored: []store.Finding{a}, found: []store.Finding{a, b}},
		{name: "gone-finding", stored: []store.Finding{a, b}, found: []store.Finding{a}},
		{name: "kev-listed", stored: []store.Finding{a}, found: []store.Finding{kev}},
		{name: "aliases-changed", stored: []store.Finding{a}, found: []store.Finding{alias}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.SameFindings(tc.stored, tc.found); got != tc.want {
				t.Errorf("SameFindings = %v, want %v", got, tc.want)
			}
		})
	}
}

// ApplyFindingChanges queues the events ReplaceReleaseFindings queues,
// keeps status and first_seen, writes only changed rows, and skips a
// release deleted meanwhile.
func TestApplyFindingChanges(t *testing.T) {
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
		gone, err := s.CreateRelease(ctx, store.Release{ProductID: p.ID, Version: "0.9"})
		if err != nil {
			t.Fatal(err)
		}
		u := store.FindingsUpdate{ReleaseID: r.ID, ProductID: p.ID, ProductName: p.Name, Version: r.Version}
		a := store.Finding{VulnID: "CVE-2024-0001", ComponentID: "pkg:npm/a@1", Aliases: []string{"CVE-2024-0001", "GHSA-x"},
			ComponentName: "a", ComponentVersion: "1", Ecosystem: "npm", SeverityLevel: "medium", SeverityScore: 55}
		b := store.Finding{VulnID: "CVE-2024-0002", ComponentID: "pkg:npm/b@2", ComponentName: "b", ComponentVersion: "2",
			SeverityLevel: "low", SeverityScore: 20}
		d := store.Finding{VulnID: "CVE-2024-0004", ComponentID: "pkg:npm/d@4", ComponentName: "d", ComponentVersion: "4",
			SeverityLevel: "low", SeverityScore: 30}
		u.Findings = []store.Finding{a, b, d}
		ch, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u}})
		if err != nil || ch.Releases != 1 || ch.Inserted != 3 || len(ch.Events) != 3 {
			t.Fatalf("first = %+v, %v", ch, err)
		}
		if _, err := s.Triage(ctx, store.TriageRequest{ProductID: p.ID, ReleaseID: r.ID, Actor: "user:ann",
			Entries: []store.TriageEntry{{VulnID: a.VulnID, ComponentKey: a.Key(), Status: store.TriageAffected,
				ActionStatement: "update a", Comment: "reachable"}}}); err != nil {
			t.Fatal(err)
		}
		before, err := s.ListReleaseFindings(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}

		// a becomes KEV-listed and critical; b disappears; c is new; d
		// stays as it was. The deleted release is skipped.
		a.KEVDateAdded, a.SeverityLevel, a.SeverityScore = "2025-01-23", "critical", 98
		c := store.Finding{VulnID: "CVE-2024-0003", ComponentID: "pkg:npm/c@3", ComponentName: "c", ComponentVersion: "3",
			SeverityLevel: "high", SeverityScore: 75}
		u.Findings = []store.Finding{c, a, d}
		if err := s.DeleteRelease(ctx, p.ID, gone.Version); err != nil {
			t.Fatal(err)
		}
		// What a re-match read before: the stamp says it is current, so
		// the transaction does not read it again.
		read, err := s.FindingsOfReleases(ctx, []string{r.ID})
		if err != nil || read[r.ID] == nil || len(read[r.ID].Findings) != 3 {
			t.Fatalf("findings of releases = %+v, %v", read, err)
		}
		ch, err = s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u, Stored: read[r.ID]},
			{FindingsUpdate: store.FindingsUpdate{ReleaseID: gone.ID, ProductID: p.ID, ProductName: p.Name,
				Version: gone.Version, Findings: []store.Finding{c}}}})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, e := range ch.Events {
			kinds[e.Kind] = e.Subject
		}
		if ch.Releases != 1 || ch.Inserted != 1 || ch.Updated != 1 || ch.Deleted != 1 || len(ch.Events) != 3 ||
			kinds[store.EventFindingNew] != "new finding CVE-2024-0003 in product Router release 1.0" ||
			kinds[store.EventFindingKEV] != "finding CVE-2024-0001 in product Router release 1.0 is now KEV-listed (actively exploited)" ||
			kinds[store.EventFindingSeverity] != "severity of finding CVE-2024-0001 in product Router release 1.0 changed from medium to critical" {
			t.Fatalf("second = %+v", ch)
		}
		got, err := s.ListReleaseFindings(ctx, r.ID)
		if err != nil || len(got) != 3 {
			t.Fatalf("findings = %+v, %v", got, err)
		}
		byID := map[string]store.Finding{}
		for _, f := range got {
			byID[f.VulnID] = f
		}
		old := map[string]store.Finding{}
		for _, f := range before {
			old[f.VulnID] = f
		}
		if f := byID[a.VulnID]; f.Status != "affected" || !f.FirstSeen.Equal(old[a.VulnID].FirstSeen) || f.SeverityScore != 98 {
			t.Errorf("updated finding = %+v", f)
		}
		if f := byID[d.VulnID]; !f.FirstSeen.Equal(old[d.VulnID].FirstSeen) || !f.LastSeen.Equal(old[d.VulnID].LastSeen) {
			t.Errorf("unchanged finding was rewritten: %+v, before %+v", f, old[d.VulnID])
		}
		pending, err := s.ListPendingNotifications(ctx)
		if err != nil || len(pending) != 6 {
			t.Fatalf("notifications = %d, %v", len(pending), err)
		}
	})
}

// Findings read before another writer changed them are read again inside
// the transaction: the events and rows follow what is stored, not the
// stale read.
func TestApplyFindingChangesStaleRead(t *testing.T) {
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
		a := store.Finding{VulnID: "CVE-2024-0001", ComponentID: "a", ComponentName: "a", ComponentVersion: "1",
			SeverityLevel: "medium"}
		b := store.Finding{VulnID: "CVE-2024-0002", ComponentID: "b", ComponentName: "b", ComponentVersion: "2",
			SeverityLevel: "low"}
		u := store.FindingsUpdate{ReleaseID: r.ID, ProductID: p.ID, ProductName: p.Name, Version: r.Version,
			Findings: []store.Finding{a}}
		if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
			t.Fatal(err)
		}
		stale, err := s.FindingsOfReleases(ctx, []string{r.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Meanwhile an upload's re-match adds b.
		u.Findings = []store.Finding{a, b}
		if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
			t.Fatal(err)
		}
		ch, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u, Stored: stale[r.ID]}})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Rows() != 0 || len(ch.Events) != 0 {
			t.Errorf("stale read: %+v, want nothing written (b is stored already)", ch)
		}
		got, err := s.ListReleaseFindings(ctx, r.ID)
		if err != nil || len(got) != 2 {
			t.Fatalf("findings = %+v, %v", got, err)
		}
	})
}
