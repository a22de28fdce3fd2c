package store

import (
	"context"
	"testing"
	"time"
)

// TestRefreshSnapshotsSkipsWhenUnchanged: the job's tick rebuilds only
// after a findings or triage write, a support-period change, a new release
// or a new day, and a rebuild writes only the rows that changed.
func TestRefreshSnapshotsSkipsWhenUnchanged(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newPortfolioFixture(t, s)
		at := f.now
		tick := func(step string, wantSkip bool) SnapshotRun {
			t.Helper()
			at = at.Add(5 * time.Minute)
			run, err := s.RefreshSnapshots(ctx, at)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if run.Skipped != wantSkip {
				t.Errorf("%s: skipped %v, want %v (%+v)", step, run.Skipped, wantSkip, run)
			}
			if !wantSkip && (run.Products != 2 || run.Transactions == 0) {
				t.Errorf("%s: %+v", step, run)
			}
			return run
		}
		open := func() int64 {
			t.Helper()
			d, err := s.Dashboard(ctx, DashboardQuery{ProductIDs: f.alphaIDs, Now: at})
			if err != nil || d.AsOf.IsZero() {
				t.Fatalf("dashboard %+v, %v", d, err)
			}
			return d.Open.Total()
		}
		tick("first", false)
		tick("nothing changed", true)
		if n := open(); n != 4 {
			t.Errorf("open %d, want 4", n)
		}
		// A triage decision bumps the counter in its transaction.
		if _, err := s.Triage(ctx, TriageRequest{ProductID: f.alpha.ID, ReleaseID: f.a2.ID, Actor: "user:u",
			Entries: []TriageEntry{{VulnID: "CVE-2021-44832", ComponentKey: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
				Status: TriageFixed, Comment: "upgraded"}}}); err != nil {
			t.Fatal(err)
		}
		run := tick("after a triage", false)
		if n := open(); n != 3 {
			t.Errorf("open after the triage %d, want 3", n)
		}
		// Only what changed is written: two snapshot rows, one component
		// row of alpha deleted, one of component_stats_all.
		if run.RowsWritten > 6 {
			t.Errorf("after a triage wrote %d rows", run.RowsWritten)
		}
		tick("after the rebuild", true)
		// A re-match bumps it too, even when it finds the same.
		if _, err := s.ReplaceReleaseFindings(ctx, FindingsUpdate{ReleaseID: f.b1.ID, ProductID: f.beta.ID,
			ProductName: f.beta.Name, Version: f.b1.Version}); err != nil {
			t.Fatal(err)
		}
		tick("after a re-match", false)
		tick("after the re-match's rebuild", true)
		// The monitoring job's batch path: a change bumps the counter, a
		// pass that changes nothing does not.
		if _, err := s.ApplyFindingChanges(ctx, []FindingsChange{{FindingsUpdate: FindingsUpdate{ReleaseID: f.b1.ID,
			ProductID: f.beta.ID, ProductName: f.beta.Name, Version: f.b1.Version}}}); err != nil {
			t.Fatal(err)
		}
		tick("after a batch pass that changed nothing", true)
		if _, err := s.ApplyFindingChanges(ctx, []FindingsChange{{FindingsUpdate: FindingsUpdate{ReleaseID: f.b1.ID,
			ProductID: f.beta.ID, ProductName: f.beta.Name, Version: f.b1.Version,
			Findings: []Finding{{VulnID: "CVE-2099-0001", ComponentID: "x", ComponentName: "x", ComponentVersion: "1",
				SeverityLevel: "high", SeverityScore: 75}}}}}); err != nil {
			t.Fatal(err)
		}
		tick("after a batch pass that changed findings", false)
		if err := s.SetProductProfile(ctx, f.beta.ID, ProductProfile{SupportStart: "2020-01", SupportEnd: "2030-12"}); err != nil {
			t.Fatal(err)
		}
		tick("after a support period changed", false)
		if _, err := s.CreateRelease(ctx, Release{ProductID: f.alpha.ID, Version: "3.0"}); err != nil {
			t.Fatal(err)
		}
		tick("after a new release", false)
		tick("unchanged again", true)
		at = at.AddDate(0, 0, 1)
		tick("the next day", false)
		days, err := s.ListSnapshots(ctx, f.alphaIDs, "2026-12-01", "2026-12-31")
		if err != nil || len(days) != 2 {
			t.Errorf("trend %+v, %v", days, err)
		}
	})
}
