package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// benchFindings is n findings in n components of one release.
func benchFindings(n int) ([]store.ReleaseComponent, []store.Finding) {
	comps := make([]store.ReleaseComponent, n)
	fs := make([]store.Finding, n)
	for i := range n {
		purl := fmt.Sprintf("pkg:npm/c%d@1.0.0", i)
		comps[i] = store.ReleaseComponent{ComponentID: fmt.Sprint(i), Name: fmt.Sprintf("c%d", i), Version: "1.0.0", Ecosystem: "npm", PURL: purl}
		fs[i] = store.Finding{VulnID: fmt.Sprintf("CVE-2024-%05d", i), ComponentID: fmt.Sprint(i), Aliases: []string{fmt.Sprintf("GHSA-%05d", i)},
			ComponentPURL: purl, ComponentName: comps[i].Name, ComponentVersion: "1.0.0", Ecosystem: "npm", SeverityLevel: "high"}
	}
	return comps, fs
}

// BenchmarkTriage: one bulk request deciding 1,000 of a release's 2,000
// findings (history, findings.status), then a re-match of the release that
// re-applies the decisions.
//
//	go test -run XXX -bench Triage -benchtime 3x ./internal/store
func BenchmarkTriage(b *testing.B) {
	ctx := context.Background()
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var s *store.Store
			if engine == "sqlite" {
				s = storetest.SQLite(b)
			} else {
				s = storetest.Postgres(b)
			}
			p, err := s.CreateProduct(ctx, store.Product{Name: "p"})
			if err != nil {
				b.Fatal(err)
			}
			comps, fs := benchFindings(2000)
			rel, _, err := s.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: "1", Data: []byte("{}"),
				Info: store.SBOMInfo{ContentType: "application/json", Format: "CycloneDX"}, Components: comps})
			if err != nil {
				b.Fatal(err)
			}
			u := store.FindingsUpdate{ReleaseID: rel.ID, ProductID: p.ID, ProductName: "p", Version: "1", Findings: fs}
			if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
				b.Fatal(err)
			}
			entries := make([]store.TriageEntry, 1000)
			for i := range entries {
				entries[i] = store.TriageEntry{VulnID: fs[i].VulnID, ComponentKey: fs[i].ComponentPURL, Status: store.TriageFixed, Comment: "bench"}
			}
			b.Run("rematch-2000-undecided", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("bulk-1000", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Triage(ctx, store.TriageRequest{ProductID: p.ID, ReleaseID: rel.ID, Actor: "user:b", Entries: entries}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("rematch-2000", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
