package store

import (
	"context"
	"testing"
)

// TestDashboardEOL: the end-of-life events of the releases in support of
// the products asked for, named from the SBOM, longest past first.
func TestDashboardEOL(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newPortfolioFixture(t, s)
		const log4j = "pkg:maven/org.apache.logging.log4j/log4j-core@"
		for _, e := range []struct{ rel, comp, cycle, date string }{
			{f.a1.ID, log4j + "2.14.1", "2.14", "2021-12-31"},
			{f.a1.ID, "pkg:npm/left-pad@1.3.0", "1", ""},
			{f.a2.ID, log4j + "2.17.1", "2.17", "2024-06-30"},
			{f.b1.ID, log4j + "2.14.1", "2.14", "2021-12-31"}, // beta: support ended
		} {
			if _, err := s.RecordEOLEvent(ctx, e.rel, e.comp, e.cycle, Notification{Kind: "component.eol", Subject: "eol"}); err != nil {
				t.Fatal(err)
			}
			if e.date != "" {
				if err := s.SetEOLDate(ctx, e.rel, e.comp, e.cycle, e.date); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tc := range []struct {
			name      string
			ids       []string
			limit     int
			total     int64
			releases  int64
			wantItems []string
		}{
			{"alpha", f.alphaIDs, 20, 3, 2, []string{
				"Alpha 1.0 org.apache.logging.log4j:log4j-core 2.14.1 2.14 2021-12-31",
				"Alpha 2.0 org.apache.logging.log4j:log4j-core 2.17.1 2.17 2024-06-30",
				"Alpha 1.0 left-pad 1.3.0 1 "}},
			{"limited", f.alphaIDs, 1, 3, 2, []string{
				"Alpha 1.0 org.apache.logging.log4j:log4j-core 2.14.1 2.14 2021-12-31"}},
			{"beta out of support", []string{f.beta.ID}, 20, 0, 0, nil},
			{"none", nil, 20, 0, 0, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.DashboardEOL(ctx, tc.ids, f.now, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != tc.total || got.Releases != tc.releases || len(got.Items) != len(tc.wantItems) {
					t.Fatalf("%d in %d releases, %d items, want %d in %d, %d", got.Total, got.Releases,
						len(got.Items), tc.total, tc.releases, len(tc.wantItems))
				}
				for i, c := range got.Items {
					line := c.ProductName + " " + c.Release + " " + c.Name + " " + c.Version + " " + c.Cycle + " " + c.EOLDate
					if line != tc.wantItems[i] {
						t.Errorf("item %d: %q, want %q", i, line, tc.wantItems[i])
					}
					if c.ProductID != f.alpha.ID || c.Since.IsZero() {
						t.Errorf("item %d: %+v", i, c)
					}
				}
			})
		}
	})
}
