package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// triageFixture is a product with two releases shipping lib a@1 (purl) and
// lib b without a purl; release 1.0 has findings in both.
type triageFixture struct {
	p        store.Product
	r1, r2   store.Release
	fa, fb   store.Finding
	update1  store.FindingsUpdate
	otherRel store.Release
}

func newTriageFixture(t *testing.T, s *store.Store) triageFixture {
	t.Helper()
	ctx := context.Background()
	var fx triageFixture
	var err error
	if fx.p, err = s.CreateProduct(ctx, store.Product{Name: "Router"}); err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateProduct(ctx, store.Product{Name: "Camera"})
	if err != nil {
		t.Fatal(err)
	}
	comps := []store.ReleaseComponent{
		{ComponentID: "a", Name: "a", Version: "1", Ecosystem: "npm", PURL: "pkg:npm/a@1"},
		{ComponentID: "b", Name: "b", Version: "2", Ecosystem: "PyPI"},
	}
	put := func(productID, version string) store.Release {
		rel, _, err := s.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: productID, Version: version, Data: []byte("{}"),
			Info: store.SBOMInfo{ContentType: "application/json", Format: "CycloneDX", SpecVersion: "1.5"}, Components: comps})
		if err != nil {
			t.Fatal(err)
		}
		return rel
	}
	fx.r1, fx.r2, fx.otherRel = put(fx.p.ID, "1.0"), put(fx.p.ID, "2.0"), put(other.ID, "1.0")
	fx.fa = store.Finding{VulnID: "CVE-2024-0001", ComponentID: "a", Aliases: []string{"CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"},
		ComponentPURL: "pkg:npm/a@1", ComponentName: "a", ComponentVersion: "1", Ecosystem: "npm", SeverityLevel: "high"}
	fx.fb = store.Finding{VulnID: "PYSEC-2024-2", ComponentID: "b", ComponentName: "b", ComponentVersion: "2",
		Ecosystem: "PyPI", SeverityLevel: "low"}
	fx.update1 = store.FindingsUpdate{ReleaseID: fx.r1.ID, ProductID: fx.p.ID, ProductName: fx.p.Name, Version: "1.0",
		Findings: []store.Finding{fx.fa, fx.fb}}
	if _, err := s.ReplaceReleaseFindings(ctx, fx.update1); err != nil {
		t.Fatal(err)
	}
	return fx
}

func statuses(t *testing.T, s *store.Store, releaseID string) map[string]string {
	t.Helper()
	fs, err := s.ListReleaseFindings(context.Background(), releaseID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range fs {
		out[f.VulnID] = f.Status
	}
	return out
}

func TestComponentKey(t *testing.T) {
	for _, tc := range []struct{ purl, eco, name, version, want string }{
		{"pkg:npm/a@1", "npm", "a", "1", "pkg:npm/a@1"},
		{"", "PyPI", "b", "2", "PyPI/b@2"},
		{"", "", "c", "", "/c@"},
	} {
		if got := store.ComponentKey(tc.purl, tc.eco, tc.name, tc.version); got != tc.want {
			t.Errorf("ComponentKey(%q, %q, %q, %q) = %q, want %q", tc.purl, tc.eco, tc.name, tc.version, got, tc.want)
		}
	}
}

func TestTriageSurvivesRematch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newTriageFixture(t, s)
		out, err := s.Triage(ctx, store.TriageRequest{ProductID: fx.p.ID, ReleaseID: fx.r1.ID, Actor: "user:ann",
			Entries: []store.TriageEntry{{VulnID: "CVE-2024-0001", ComponentKey: "pkg:npm/a@1", Status: store.TriageNotAffected,
				Justification: "vulnerable_code_not_in_execute_path", Comment: "only the parser is linked"}}})
		if err != nil || len(out) != 1 || out[0].From != "under_investigation" || out[0].To != "not_affected" {
			t.Fatalf("triage = %+v, %v", out, err)
		}
		if got := statuses(t, s, fx.r1.ID); got["CVE-2024-0001"] != "not_affected" || got["PYSEC-2024-2"] != "under_investigation" {
			t.Fatalf("statuses = %v", got)
		}
		// A re-match with the same findings keeps the status.
		if _, err := s.ReplaceReleaseFindings(ctx, fx.update1); err != nil {
			t.Fatal(err)
		}
		if got := statuses(t, s, fx.r1.ID); got["CVE-2024-0001"] != "not_affected" {
			t.Fatalf("after re-match = %v", got)
		}
		// The finding disappears, then reappears: the decision applies again.
		u := fx.update1
		u.Findings = []store.Finding{fx.fb}
		if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got := statuses(t, s, fx.r1.ID); len(got) != 1 {
			t.Fatalf("after disappearance = %v", got)
		}
		if _, err := s.ReplaceReleaseFindings(ctx, fx.update1); err != nil {
			t.Fatal(err)
		}
		if got := statuses(t, s, fx.r1.ID); got["CVE-2024-0001"] != "not_affected" {
			t.Fatalf("after reappearance = %v", got)
		}
	})
}

func TestTriageHistoryAndAlias(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newTriageFixture(t, s)
		steps := []store.TriageEntry{
			{VulnID: "GHSA-aaaa-bbbb-cccc", ComponentKey: "pkg:npm/a@1", Status: store.TriageAffected,
				ActionStatement: "upgrade to 2.0", Comment: "reachable"},
			{VulnID: "CVE-2024-0001", ComponentKey: "pkg:npm/a@1", Status: store.TriageFixed, Comment: "patched in 1.0.1"},
		}
		for _, e := range steps {
			if _, err := s.Triage(ctx, store.TriageRequest{ProductID: fx.p.ID, ReleaseID: fx.r1.ID, Actor: "user:ann",
				Entries: []store.TriageEntry{e}}); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.TriageHistory(ctx, fx.r1.ID, "CVE-2024-0001", "pkg:npm/a@1")
		if err != nil || len(h) != 2 || h[0].From != "under_investigation" || h[0].To != "affected" ||
			h[0].ActionStatement != "upgrade to 2.0" || h[1].From != "affected" || h[1].To != "fixed" || h[1].Comment != "patched in 1.0.1" {
			t.Fatalf("history = %+v, %v", h, err)
		}
		// A decision stored under an alias applies to a finding whose
		// preferred ID differs (an advisory merge changed it).
		ds, err := s.ListTriageDecisions(ctx, fx.r1.ID)
		if err != nil || len(ds) != 1 {
			t.Fatalf("decisions = %+v, %v", ds, err)
		}
		alias := fx.fa
		alias.VulnID = "GHSA-aaaa-bbbb-cccc"
		if d, ok := store.DecisionFor([]store.TriageDecision{{VulnID: "cve-2024-0001", ComponentKey: "pkg:npm/a@1",
			Status: "fixed"}}, alias); !ok || d.Status != "fixed" {
			t.Errorf("alias decision = %+v, %v", d, ok)
		}
		u := fx.update1
		u.Findings = []store.Finding{alias}
		if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got := statuses(t, s, fx.r1.ID); got["GHSA-aaaa-bbbb-cccc"] != "fixed" {
			t.Fatalf("alias finding status = %v", got)
		}
	})
}

func TestTriageAllReleasesAndIsolation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newTriageFixture(t, s)
		out, err := s.Triage(ctx, store.TriageRequest{ProductID: fx.p.ID, ReleaseID: fx.r1.ID, Actor: "user:ann",
			Scope: store.ScopeAllReleases, Entries: []store.TriageEntry{{VulnID: "PYSEC-2024-2", ComponentKey: "PyPI/b@2",
				Status: store.TriageFixed, Comment: "backported"}}})
		if err != nil || len(out) != 2 || out[1].Version != "2.0" {
			t.Fatalf("all_releases = %+v, %v", out, err)
		}
		// Release 2.0 has no finding yet: the decision waits for it.
		u := store.FindingsUpdate{ReleaseID: fx.r2.ID, ProductID: fx.p.ID, ProductName: fx.p.Name, Version: "2.0",
			Findings: []store.Finding{fx.fb}}
		if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got := statuses(t, s, fx.r2.ID); got["PYSEC-2024-2"] != "fixed" {
			t.Fatalf("release 2.0 = %v", got)
		}
		// The other product ships the same component but is not touched.
		u = store.FindingsUpdate{ReleaseID: fx.otherRel.ID, ProductID: fx.otherRel.ProductID, ProductName: "Camera",
			Version: "1.0", Findings: []store.Finding{fx.fb}}
		if _, err := s.ReplaceReleaseFindings(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got := statuses(t, s, fx.otherRel.ID); got["PYSEC-2024-2"] != "under_investigation" {
			t.Fatalf("other product = %v", got)
		}
		// A release of another product cannot be triaged through this one.
		_, err = s.Triage(ctx, store.TriageRequest{ProductID: fx.p.ID, ReleaseID: fx.otherRel.ID, Actor: "user:ann",
			Entries: []store.TriageEntry{{VulnID: "PYSEC-2024-2", ComponentKey: "PyPI/b@2", Status: store.TriageFixed, Comment: "x"}}})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cross-product triage = %v", err)
		}
	})
}

func TestTriageBulkAtomic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newTriageFixture(t, s)
		good := store.TriageEntry{VulnID: "CVE-2024-0001", ComponentKey: "pkg:npm/a@1", Status: store.TriageFixed, Comment: "ok"}
		for _, tc := range []struct {
			name  string
			bad   store.TriageEntry
			index int
			is    error
		}{
			{"no-comment", store.TriageEntry{VulnID: "PYSEC-2024-2", ComponentKey: "PyPI/b@2", Status: store.TriageFixed}, 1, store.ErrInvalid},
			{"affected-without-action", store.TriageEntry{VulnID: "PYSEC-2024-2", ComponentKey: "PyPI/b@2", Status: store.TriageAffected, Comment: "x"}, 1, store.ErrInvalid},
			{"bad-justification", store.TriageEntry{VulnID: "PYSEC-2024-2", ComponentKey: "PyPI/b@2", Status: store.TriageNotAffected, Justification: "trust_me", Comment: "x"}, 1, store.ErrInvalid},
			{"unknown-status", store.TriageEntry{VulnID: "PYSEC-2024-2", ComponentKey: "PyPI/b@2", Status: "wontfix", Comment: "x"}, 1, store.ErrInvalid},
			{"unknown-finding", store.TriageEntry{VulnID: "CVE-1999-0001", ComponentKey: "PyPI/b@2", Status: store.TriageFixed, Comment: "x"}, 1, store.ErrNotFound},
			{"wrong-component", store.TriageEntry{VulnID: "PYSEC-2024-2", ComponentKey: "pkg:npm/a@1", Status: store.TriageFixed, Comment: "x"}, 1, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.Triage(ctx, store.TriageRequest{ProductID: fx.p.ID, ReleaseID: fx.r1.ID, Actor: "user:ann",
					Entries: []store.TriageEntry{good, tc.bad}})
				var te *store.TriageEntryError
				if !errors.As(err, &te) || te.Index != tc.index || !errors.Is(err, tc.is) {
					t.Fatalf("err = %v", err)
				}
				if got := statuses(t, s, fx.r1.ID); got["CVE-2024-0001"] != "under_investigation" {
					t.Fatalf("the good entry was stored: %v", got)
				}
				if ds, err := s.ListTriageDecisions(ctx, fx.r1.ID); err != nil || len(ds) != 0 {
					t.Fatalf("decisions = %+v, %v", ds, err)
				}
			})
		}
	})
}

// TestTriageAppliesOnPortfolioRematch: the monitoring job's batch path
// (ApplyFindingChanges) applies stored decisions to rows it inserts, as
// ReplaceReleaseFindings does, so a finding that comes back is not reset to
// under investigation.
func TestTriageAppliesOnPortfolioRematch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newTriageFixture(t, s)
		if _, err := s.Triage(ctx, store.TriageRequest{ProductID: fx.p.ID, ReleaseID: fx.r1.ID, Actor: "user:ann",
			Scope: store.ScopeAllReleases,
			Entries: []store.TriageEntry{{VulnID: "CVE-2024-0001", ComponentKey: "pkg:npm/a@1", Status: store.TriageNotAffected,
				Justification: "vulnerable_code_not_present", Comment: "patched fork"}}}); err != nil {
			t.Fatal(err)
		}
		u := fx.update1
		u.Findings = []store.Finding{fx.fb}
		if _, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: u}}); err != nil {
			t.Fatal(err)
		}
		// Back on release 1.0, and new on release 2.0 (decided for all releases).
		u2 := store.FindingsUpdate{ReleaseID: fx.r2.ID, ProductID: fx.p.ID, ProductName: fx.p.Name, Version: "2.0",
			Findings: []store.Finding{fx.fa, fx.fb}}
		if _, err := s.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: fx.update1}, {FindingsUpdate: u2}}); err != nil {
			t.Fatal(err)
		}
		for _, rel := range []store.Release{fx.r1, fx.r2} {
			if got := statuses(t, s, rel.ID); got["CVE-2024-0001"] != "not_affected" || got["PYSEC-2024-2"] != "under_investigation" {
				t.Errorf("release %s after the portfolio re-match: %v", rel.Version, got)
			}
		}
	})
}

// TestTriageRefusesDuplicateEntries: one finding named twice in a request
// (also through an alias) is refused, naming the entry, and nothing is
// stored.
func TestTriageRefusesDuplicateEntries(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newTriageFixture(t, s)
		_, err := s.Triage(ctx, store.TriageRequest{ProductID: fx.p.ID, ReleaseID: fx.r1.ID, Actor: "user:ann",
			Entries: []store.TriageEntry{
				{VulnID: "CVE-2024-0001", ComponentKey: "pkg:npm/a@1", Status: store.TriageFixed, Comment: "c"},
				{VulnID: "PYSEC-2024-2", ComponentKey: "PyPI/b@2", Status: store.TriageFixed, Comment: "c"},
				{VulnID: "GHSA-aaaa-bbbb-cccc", ComponentKey: "pkg:npm/a@1", Status: store.TriageFixed, Comment: "c"},
			}})
		var ee *store.TriageEntryError
		if !errors.As(err, &ee) || ee.Index != 2 || !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("err = %v, want entry 2 refused as a duplicate", err)
		}
		if got := statuses(t, s, fx.r1.ID); got["CVE-2024-0001"] != "under_investigation" || got["PYSEC-2024-2"] != "under_investigation" {
			t.Errorf("statuses after the refused request: %v", got)
		}
	})
}
