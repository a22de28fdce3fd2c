package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// portfolioFixture is two products: "Alpha" in support with releases 1.0
// and 2.0, and "Beta" whose support ended, with release 0.9. Alpha 1.0 and
// Beta 0.9 ship log4j-core 2.14.1 (a Maven name with its group); Alpha 2.0
// ships 2.17.1.
type portfolioFixture struct {
	alpha, beta           Product
	a1, a2, b1            Release
	now                   time.Time
	alphaIDs, allProducts []string
}

func newPortfolioFixture(t *testing.T, s *Store) portfolioFixture {
	t.Helper()
	ctx := context.Background()
	f := portfolioFixture{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	var err error
	if f.alpha, err = s.CreateProduct(ctx, Product{Name: "Alpha"}); err != nil {
		t.Fatal(err)
	}
	if f.beta, err = s.CreateProduct(ctx, Product{Name: "Beta"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProductProfile(ctx, f.alpha.ID, ProductProfile{SupportStart: "2024-01", SupportEnd: "2027-03",
		SupportJustification: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProductProfile(ctx, f.beta.ID, ProductProfile{SupportStart: "2020-01", SupportEnd: "2025-12"}); err != nil {
		t.Fatal(err)
	}
	log4j := func(v string) ReleaseComponent {
		return ReleaseComponent{ComponentID: "pkg:maven/org.apache.logging.log4j/log4j-core@" + v,
			Name: "org.apache.logging.log4j:log4j-core", Version: v, Ecosystem: "Maven",
			PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@" + v, Relationship: "direct"}
	}
	other := ReleaseComponent{ComponentID: "pkg:npm/left-pad@1.3.0", Name: "left-pad", Version: "1.3.0",
		Ecosystem: "npm", PURL: "pkg:npm/left-pad@1.3.0", Relationship: "transitive"}
	put := func(p Product, version string, comps ...ReleaseComponent) Release {
		r, _, err := s.PutReleaseSBOM(ctx, SBOMUpload{ProductID: p.ID, Version: version, Data: []byte("{}"),
			Info: SBOMInfo{ContentType: "application/json", Format: "cyclonedx"}, Components: comps})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	f.a1 = put(f.alpha, "1.0", log4j("2.14.1"), other)
	f.a2 = put(f.alpha, "2.0", log4j("2.17.1"))
	f.b1 = put(f.beta, "0.9", log4j("2.14.1"))
	finding := func(vuln, level, kev string, c ReleaseComponent) Finding {
		return Finding{VulnID: vuln, ComponentID: c.ComponentID, ComponentName: c.Name, ComponentVersion: c.Version,
			ComponentPURL: c.PURL, Ecosystem: c.Ecosystem, SeverityLevel: level, KEVDateAdded: kev}
	}
	set := func(p Product, r Release, fs ...Finding) {
		if _, err := s.ReplaceReleaseFindings(ctx, FindingsUpdate{ReleaseID: r.ID, ProductID: p.ID,
			ProductName: p.Name, Version: r.Version, Findings: fs}); err != nil {
			t.Fatal(err)
		}
	}
	set(f.alpha, f.a1, finding("CVE-2021-44228", "critical", "2021-12-10", log4j("2.14.1")),
		finding("CVE-2021-45046", "critical", "2023-05-01", log4j("2.14.1")),
		finding("CVE-2021-44832", "medium", "", log4j("2.14.1")),
		finding("CVE-2020-0001", "low", "", other))
	set(f.alpha, f.a2, finding("CVE-2021-44832", "medium", "", log4j("2.17.1")))
	set(f.beta, f.b1, finding("CVE-2021-44228", "critical", "2021-12-10", log4j("2.14.1")))
	// Triaged: not open any more.
	rawExec(t, s, `UPDATE findings SET status = 'not_affected' WHERE release_id = $1 AND vuln_id = 'CVE-2020-0001'`, f.a1.ID)
	f.alphaIDs = []string{f.alpha.ID}
	f.allProducts = []string{f.alpha.ID, f.beta.ID}
	return f
}

// TestDashboard: the same dashboard whether counted live (no snapshot of
// today yet), from today's snapshot, or with one product snapshotted and
// the other live.
func TestDashboard(t *testing.T) {
	for _, mode := range []string{"live", "snapshot", "mixed"} {
		t.Run(mode, func(t *testing.T) { testDashboard(t, mode) })
	}
}

func testDashboard(t *testing.T, mode string) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newPortfolioFixture(t, s)
		switch mode {
		case "snapshot":
			if _, err := s.RecordSnapshots(ctx, f.now); err != nil {
				t.Fatal(err)
			}
		case "mixed":
			if _, err := s.RecordSnapshots(ctx, f.now); err != nil {
				t.Fatal(err)
			}
			rawExec(t, s, `DELETE FROM finding_snapshots WHERE product_id = $1`, f.beta.ID)
			rawExec(t, s, `DELETE FROM component_stats WHERE product_id = $1`, f.beta.ID)
		}
		d, err := s.Dashboard(ctx, DashboardQuery{ProductIDs: f.allProducts, Now: f.now, EndingWithinMonths: 6})
		d0 := d
		if err != nil {
			t.Fatal(err)
		}
		// Beta's support ended: only Alpha's open findings count.
		want := SeverityCounts{Critical: 2, Medium: 2, KEV: 2}
		if d.Open != want {
			t.Errorf("open = %+v, want %+v", d.Open, want)
		}
		// Alpha ends 2027-03 (within six months): its two releases; Beta's
		// ended: its one release, listed first.
		got := ""
		for _, e := range d.Ending {
			got += fmt.Sprintf("%s %s %s %d;", e.ProductName, e.Version, e.SupportEnd, e.Open)
		}
		if want := "Beta 0.9 2025-12 1;Alpha 1.0 2027-03 3;Alpha 2.0 2027-03 1;"; got != want {
			t.Errorf("ending = %q, want %q", got, want)
		}
		got = ""
		for _, c := range d.Widespread {
			got += fmt.Sprintf("%s@%s %d %d %d;", c.Name, c.Version, c.Releases, c.Open, c.KEV)
		}
		if want := "org.apache.logging.log4j:log4j-core@2.14.1 1 3 2;org.apache.logging.log4j:log4j-core@2.17.1 1 1 0;"; got != want {
			t.Errorf("widespread = %q, want %q", got, want)
		}
		// Nothing outside the products asked for.
		d, err = s.Dashboard(ctx, DashboardQuery{ProductIDs: []string{f.beta.ID}, Now: f.now, EndingWithinMonths: 6})
		if err != nil || d.Open.Total() != 0 || len(d.Widespread) != 0 || len(d.Ending) != 1 {
			t.Errorf("beta only: %+v, %v", d, err)
		}
		d, err = s.Dashboard(ctx, DashboardQuery{Now: f.now})
		if err != nil || d.Open.Total() != 0 || d.Ending != nil {
			t.Errorf("no products: %+v, %v", d, err)
		}
		counts, err := s.ReleaseFindingCounts(ctx, f.alpha.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c := d0.ByProduct[f.alpha.ID]; c != d0.Open {
			t.Errorf("by product %+v", d0.ByProduct)
		}
		if c := counts[f.a1.ID]; c != (SeverityCounts{Critical: 2, Medium: 1, KEV: 2}) {
			t.Errorf("release 1.0 counts %+v", c)
		}
		if _, ok := counts[f.b1.ID]; ok {
			t.Error("counts hold another product's release")
		}
	})
}

// TestSnapshotsIdempotent: two processes recording the same day at once,
// and a later tick that day, leave one row per product per day.
func TestSnapshotsIdempotent(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newPortfolioFixture(t, s)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if n, err := s.RecordSnapshots(ctx, f.now); err != nil || n != 2 {
					t.Errorf("record: %d, %v", n, err)
				}
			})
		}
		wg.Wait()
		// A later tick the same day, after a triage, updates the row.
		rawExec(t, s, `UPDATE findings SET status = 'fixed' WHERE release_id = $1 AND vuln_id = 'CVE-2021-44832'`, f.a2.ID)
		if n, err := s.RecordSnapshots(ctx, f.now.Add(time.Hour)); err != nil || n != 2 {
			t.Errorf("second tick counted %d, %v", n, err)
		}
		d, err := s.Dashboard(ctx, DashboardQuery{ProductIDs: f.alphaIDs, Now: f.now})
		if err != nil || d.Open != (SeverityCounts{Critical: 2, Medium: 1, KEV: 2}) || d.AsOf != f.now.Add(time.Hour) {
			t.Errorf("after the second tick: %+v as of %v, %v", d.Open, d.AsOf, err)
		}
		rawExec(t, s, `UPDATE findings SET status = 'affected' WHERE release_id = $1 AND vuln_id = 'CVE-2021-44832'`, f.a2.ID)
		if _, err := s.RecordSnapshots(ctx, f.now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := s.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM finding_snapshots`).Scan(&rows); err != nil || rows != 2 {
			t.Errorf("%d rows, %v", rows, err)
		}
		if _, err := s.RecordSnapshots(ctx, f.now.AddDate(0, 0, 1)); err != nil {
			t.Fatal(err)
		}
		days, err := s.ListSnapshots(ctx, f.alphaIDs, "2026-12-01", "2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 2 || days[0].Day != "2026-12-04" || days[1].Day != "2026-12-05" ||
			days[0].SeverityCounts != (SeverityCounts{Critical: 2, Medium: 2, KEV: 2}) {
			t.Errorf("alpha trend %+v", days)
		}
		// Beta (support ended) has snapshots of zero open findings.
		days, err = s.ListSnapshots(ctx, []string{f.beta.ID}, "2026-12-01", "2026-12-31")
		if err != nil || len(days) != 2 || days[0].Total() != 0 {
			t.Errorf("beta trend %+v, %v", days, err)
		}
	})
}

func TestSearchComponents(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newPortfolioFixture(t, s)
		hits := func(q ComponentQuery) string {
			t.Helper()
			if q.Limit == 0 {
				q.Limit = 100
			}
			if q.ProductIDs == nil {
				q.ProductIDs = f.allProducts
			}
			hs, err := s.SearchComponents(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			out := ""
			for _, h := range hs {
				out += fmt.Sprintf("%s %s %s@%s;", h.ProductName, h.Release, h.Name, h.Version)
			}
			return out
		}
		const l4 = "org.apache.logging.log4j:log4j-core"
		for _, tc := range []struct {
			name string
			q    ComponentQuery
			want string
		}{
			{"artifact name and version", ComponentQuery{Name: "log4j-core", Version: "2.14.1"},
				"Alpha 1.0 " + l4 + "@2.14.1;Beta 0.9 " + l4 + "@2.14.1;"},
			{"full name, every version", ComponentQuery{Name: l4},
				"Alpha 1.0 " + l4 + "@2.14.1;Alpha 2.0 " + l4 + "@2.17.1;Beta 0.9 " + l4 + "@2.14.1;"},
			{"readable products only", ComponentQuery{Name: "log4j-core", Version: "2.14.1", ProductIDs: []string{f.alpha.ID}},
				"Alpha 1.0 " + l4 + "@2.14.1;"},
			{"exact is not a substring", ComponentQuery{Name: "log4j"}, ""},
			{"exact is case-sensitive", ComponentQuery{Name: "LOG4J-CORE"}, ""},
			{"contains ignores case", ComponentQuery{Name: "PAD", Match: MatchContains}, "Alpha 1.0 left-pad@1.3.0;"},
			{"contains escapes wildcards", ComponentQuery{Name: "%", Match: MatchContains}, ""},
			{"purl with version", ComponentQuery{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"},
				"Alpha 2.0 " + l4 + "@2.17.1;"},
			{"purl without version", ComponentQuery{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core", ProductIDs: []string{f.alpha.ID}},
				"Alpha 1.0 " + l4 + "@2.14.1;Alpha 2.0 " + l4 + "@2.17.1;"},
			{"hostile name", ComponentQuery{Name: "x' OR '1'='1"}, ""},
			{"no products", ComponentQuery{Name: "left-pad", ProductIDs: []string{}}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := hits(tc.q); got != tc.want {
					t.Errorf("got  %q\nwant %q", got, tc.want)
				}
			})
		}
		// Paging: one hit a page, each page after the last hit of the one before.
		var (
			after *ComponentCursor
			pages []string
		)
		for range 5 {
			hs, err := s.SearchComponents(ctx, ComponentQuery{ProductIDs: f.allProducts, Name: "log4j-core", Limit: 1, After: after})
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) == 0 {
				break
			}
			pages = append(pages, hs[0].ProductName+" "+hs[0].Release)
			c := hs[0].Cursor()
			after = &c
		}
		if fmt.Sprint(pages) != "[Alpha 1.0 Alpha 2.0 Beta 0.9]" {
			t.Errorf("pages %v", pages)
		}
		if _, err := s.SearchComponents(ctx, ComponentQuery{ProductIDs: f.allProducts, Limit: 1}); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty query: %v", err)
		}
		if _, err := s.SearchComponents(ctx, ComponentQuery{ProductIDs: f.allProducts, Name: "x", Match: "regex", Limit: 1}); !errors.Is(err, ErrInvalid) {
			t.Errorf("unknown match: %v", err)
		}
	})
}
