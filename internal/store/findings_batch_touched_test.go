package store_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// The incremental re-match finds the releases an update touched by
// package (as stored) and by a finding's ID or alias.
func TestReleasesTouched(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
		if err != nil {
			t.Fatal(err)
		}
		put := func(version string, comps ...store.ReleaseComponent) store.Release {
			r, _, err := s.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: version,
				Info: store.SBOMInfo{ContentType: "application/vnd.cyclonedx+json", Format: "cyclonedx"},
				Data: []byte("{}"), Components: comps})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		c := func(id, eco, name string) store.ReleaseComponent {
			return store.ReleaseComponent{ComponentID: id, Ecosystem: eco, Name: name, Version: "1.0"}
		}
		r1 := put("1", c("a", "npm", "left-pad"), c("b", "PyPI", "Django"))
		r2 := put("2", c("a", "npm", "left-pad"))
		r3 := put("3", c("c", "PyPI", "django"))
		pkgs, err := s.ComponentPackages(ctx)
		if err != nil || len(pkgs) != 3 {
			t.Fatalf("packages = %v, %v", pkgs, err)
		}
		got, err := s.ReleasesWithPackages(ctx, []store.PackageName{{Ecosystem: "PyPI", Name: "Django"}})
		if err != nil || !maps.Equal(got, map[string]bool{r1.ID: true}) {
			t.Errorf("with Django = %v, %v; want %s", got, err, r1.ID)
		}
		got, err = s.ReleasesWithPackages(ctx, pkgs)
		if err != nil || len(got) != 3 {
			t.Errorf("with all = %v, %v", got, err)
		}
		f := store.Finding{VulnID: "GHSA-1", ComponentID: "a", Aliases: []string{"CVE-2024-1", "GHSA-1"},
			ComponentName: "left-pad", ComponentVersion: "1.0", Ecosystem: "npm", SeverityLevel: "low"}
		g := store.Finding{VulnID: "CVE-2024-2", ComponentID: "c", Aliases: []string{"CVE-2024-2"},
			ComponentName: "django", ComponentVersion: "1.0", Ecosystem: "PyPI", SeverityLevel: "low"}
		if _, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{
			{FindingsUpdate: store.FindingsUpdate{ReleaseID: r2.ID, ProductID: p.ID, ProductName: p.Name, Version: "2", Findings: []store.Finding{f}}},
			{FindingsUpdate: store.FindingsUpdate{ReleaseID: r3.ID, ProductID: p.ID, ProductName: p.Name, Version: "3", Findings: []store.Finding{g}}},
		}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			ids  []string
			want []string
		}{
			{[]string{"CVE-2024-1"}, []string{r2.ID}},
			{[]string{"CVE-2024-2", "CVE-2024-9"}, []string{r3.ID}},
			{[]string{"CVE-2024-9"}, nil},
		} {
			ids := map[string]struct{}{}
			for _, id := range tc.ids {
				ids[id] = struct{}{}
			}
			got, err := s.ReleasesWithVulns(ctx, ids)
			if err != nil || !slices.Equal(slices.Sorted(maps.Keys(got)), tc.want) {
				t.Errorf("with %v = %v, %v; want %v", tc.ids, got, err, tc.want)
			}
		}
	})
}
