package store_test

import (
	"context"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// The digest does not depend on order, differs on any written column, and
// is not the unknown (empty) digest for no findings.
func TestFindingsDigest(t *testing.T) {
	a := store.Finding{VulnID: "CVE-2024-0001", ComponentID: "c1", Aliases: []string{"CVE-2024-0001", "GHSA-x"},
		ComponentName: "a", ComponentVersion: "1", Ecosystem: "npm", SeverityLevel: "medium", SeverityScore: 55}
	b := store.Finding{VulnID: "CVE-2024-0002", ComponentID: "c2", ComponentName: "b", ComponentVersion: "2",
		SeverityLevel: "low", SeverityScore: 20}
	digest := func(fs ...store.Finding) string {
		var d store.FindingsDigest
		for i := range fs {
			d.Add(&fs[i])
		}
		return d.String()
	}
	if digest(a, b) != digest(b, a) {
		t.Error("digest depends on order")
	}
	var none store.FindingsDigest
	if none.String() == "" || none.String() == digest(a) {
		t.Errorf("digest of none = %q", none.String())
	}
	changes := map[string]func(f *store.Finding){
		"aliases":     func(f *store.Finding) { f.Aliases = []string{"CVE-2024-0001"} },
		"alias-split": func(f *store.Finding) { f.Aliases = []string{"CVE-2024-0001GHSA-x"} },
		"purl":        func(f *store.Finding) { f.ComponentPURL = "pkg:npm/a@1" },
		"name":        func(f *store.Finding) { f.ComponentName = "aa" },
		"version":     func(f *store.Finding) { f.ComponentVersion = "1.1" },
		"eco":         func(f *store.Finding) { f.Ecosystem = "" },
		"level":       func(f *store.Finding) { f.SeverityLevel = "high" },
		"score":       func(f *store.Finding) { f.SeverityScore = 56 },
		"fix":         func(f *store.Finding) { f.MinimumFix = "1.2" },
		"kev":         func(f *store.Finding) { f.KEVDateAdded = "2025-01-23" },
		"vuln":        func(f *store.Finding) { f.VulnID = "CVE-2024-0009" },
		"component":   func(f *store.Finding) { f.ComponentID = "c9" },
	}
	for name, change := range changes {
		c := a
		change(&c)
		if digest(c, b) == digest(a, b) {
			t.Errorf("%s: same digest", name)
		}
	}
	if digest(a, a, b) == digest(a, b) {
		t.Error("a duplicate does not change the digest")
	}
}

// ApplyFindingChanges stores the digest of the rows it leaves (a
// duplicate pair once); ReplaceReleaseFindings, which does not keep it,
// clears it.
func TestFindingsDigestStored(t *testing.T) {
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
		a := store.Finding{VulnID: "CVE-2024-0001", ComponentID: "c1", Aliases: []string{"CVE-2024-0001", "GHSA-x"},
			ComponentName: "a", ComponentVersion: "1", SeverityLevel: "medium", SeverityScore: 55}
		b := store.Finding{VulnID: "CVE-2024-0002", ComponentID: "c2", ComponentName: "b", ComponentVersion: "2",
			SeverityLevel: "low", SeverityScore: 20}
		var want store.FindingsDigest
		want.Add(&b)
		want.Add(&a)
		u := store.FindingsUpdate{ReleaseID: r.ID, ProductID: p.ID, ProductName: p.Name, Version: r.Version,
			Findings: []store.Finding{a, b, a}}
		got, err := s.FindingsDigests(ctx, []string{r.ID})
		if err != nil || len(got) != 0 {
			t.Fatalf("before any write = %v, %v", got, err)
		}
		if _, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u}}); err != nil {
			t.Fatal(err)
		}
		if got, err = s.FindingsDigests(ctx, []string{r.ID}); err != nil || got[r.ID] != want.String() {
			t.Fatalf("after ApplyFindingChanges = %v, %v; want %s", got, err, want.String())
		}
		// Nothing to write: the digest is still stored.
		if _, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u}}); err != nil {
			t.Fatal(err)
		}
		if got, err = s.FindingsDigests(ctx, []string{r.ID}); err != nil || got[r.ID] != want.String() {
			t.Fatalf("after an unchanged write = %v, %v", got, err)
		}
		u.Findings = []store.Finding{a}
		if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got, err = s.FindingsDigests(ctx, []string{r.ID}); err != nil || len(got) != 0 {
			t.Fatalf("after ReplaceReleaseFindings = %v, %v", got, err)
		}
	})
}

// Findings read with their digest are trusted while the digest stays;
// after another batched write (a new digest) they are read again, and
// the digest stored matches the rows left.
func TestApplyFindingChangesStaleDigest(t *testing.T) {
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
		if _, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u}}); err != nil {
			t.Fatal(err)
		}
		stale, err := s.FindingsOfReleases(ctx, []string{r.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Meanwhile another batched write adds b, at the same clock
		// reading (the stamp alone could not tell).
		u.Findings = []store.Finding{a, b}
		if _, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u}}); err != nil {
			t.Fatal(err)
		}
		ch, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u, Stored: stale[r.ID]}})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Rows() != 0 || len(ch.Events) != 0 {
			t.Errorf("stale read: %+v, want nothing written (b is stored already)", ch)
		}
		// Current rows and digest: the read is trusted, b goes.
		cur, err := s.FindingsOfReleases(ctx, []string{r.ID})
		if err != nil {
			t.Fatal(err)
		}
		u.Findings = []store.Finding{a}
		if ch, err = s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u, Stored: cur[r.ID]}}); err != nil || ch.Deleted != 1 {
			t.Fatalf("current read: %+v, %v", ch, err)
		}
		var want store.FindingsDigest
		want.Add(&a)
		if d, err := s.FindingsDigests(ctx, []string{r.ID}); err != nil || d[r.ID] != want.String() {
			t.Errorf("digest = %v, %v, want %s", d, err, want.String())
		}
		if got, err := s.ListReleaseFindings(ctx, r.ID); err != nil || len(got) != 1 {
			t.Fatalf("findings = %+v, %v", got, err)
		}
	})
}
