package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkPortfolio measures the dashboard aggregates and the component
// search at the scale: 20 products × 50 releases = 1,000
// releases, each with 1,000 components and 1,000 findings (1,000,000 rows
// of each), 80 % of the findings open. With -v it logs each query plan
// (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL). The PostgreSQL
// half runs when CRAFT_TEST_POSTGRES is set:
//
//	go test ./internal/store -run XXX -bench Portfolio -benchtime 20x -v
//
// The snapshot benchmarks: "snapshot" is a forced rebuild, nothing having
// changed; "snapshot-unchanged" the job's skipped tick; "snapshot-changed"
// a tick after one release's findings changed, reporting the longest
// write transaction (the time SQLite's write lock was held) as max-tx-ms.
func BenchmarkPortfolio(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		s, err := Open(context.Background(), Config{Driver: DriverSQLite, Path: filepath.Join(b.TempDir(), SQLiteFile)})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchPortfolio(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		base := os.Getenv("CRAFT_TEST_POSTGRES")
		if base == "" {
			b.Skip("CRAFT_TEST_POSTGRES not set: set it to a PostgreSQL DSN to benchmark PostgreSQL")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		schema := fmt.Sprintf("craft_bench_%d", time.Now().UnixNano())
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			b.Fatal(err)
		}
		defer admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		s, err := Open(context.Background(), Config{Driver: DriverPostgres, DSN: u.String()})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchPortfolio(b, s)
	})
}

const (
	benchProducts    = 20
	benchReleases    = 50 // per product
	benchRowsPerRel  = 1000
	benchSearchName  = "lib-123"
	benchSearchVer   = "1.3"
	benchSearchGroup = "org.example.g123:lib-123"
)

func benchPortfolio(b *testing.B, s *Store) {
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	start := time.Now()
	var ids []string
	for p := range benchProducts {
		pr, err := s.CreateProduct(ctx, Product{Name: fmt.Sprintf("product-%02d", p)})
		if err != nil {
			b.Fatal(err)
		}
		end := "2030-12"
		if p%4 == 0 {
			end = "2027-02" // within six months
		}
		if err := s.SetProductProfile(ctx, pr.ID, ProductProfile{SupportStart: "2025-01", SupportEnd: end, SupportJustification: "bench"}); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, pr.ID)
		for r := range benchReleases {
			if _, err := s.CreateRelease(ctx, Release{ProductID: pr.ID, Version: fmt.Sprintf("%d.%d", r/10, r%10)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	// One statement per table: every release gets rows 0..999; the
	// component version follows the release's minor version, so
	// lib-123@1.3 is in 100 releases.
	seq := `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ` + fmt.Sprint(benchRowsPerRel-1) + `)`
	exec := func(q string) {
		if _, err := s.write.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO release_components (release_id, seq, component_id, name, version, ecosystem, purl, relationship, licenses, supplier) ` +
		seq + ` SELECT r.id, n.i, 'c' || CAST(n.i AS TEXT),
		'org.example.g' || CAST(n.i AS TEXT) || ':lib-' || CAST(n.i AS TEXT),
		'1.' || substr(r.version, length(r.version), 1), 'Maven',
		'pkg:maven/org.example.g' || CAST(n.i AS TEXT) || '/lib-' || CAST(n.i AS TEXT) || '@1.' || substr(r.version, length(r.version), 1),
		CASE WHEN n.i % 10 = 0 THEN 'direct' ELSE 'transitive' END, 'Apache-2.0', ''
		FROM releases r CROSS JOIN n`)
	exec(`INSERT INTO findings (release_id, vuln_id, component_id, component_name, component_version, ecosystem,
		severity_level, kev_date_added, first_seen, last_seen, status) ` +
		seq + ` SELECT r.id, 'CVE-2026-' || CAST(n.i AS TEXT), 'c' || CAST(n.i AS TEXT),
		'org.example.g' || CAST(n.i AS TEXT) || ':lib-' || CAST(n.i AS TEXT), '1.' || substr(r.version, length(r.version), 1), 'Maven',
		CASE n.i % 5 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' WHEN 3 THEN 'low' ELSE 'unknown' END,
		CASE WHEN n.i % 50 = 0 THEN '2026-01-01' ELSE '' END, 1, 1,
		CASE WHEN n.i % 5 = 4 THEN 'fixed' ELSE 'affected' END
		FROM releases r CROSS JOIN n`)
	// 50 end-of-life components per release (50,000 events), a tenth of
	// them without a known date.
	exec(`INSERT INTO eol_events (release_id, component_id, cycle, created_at, eol_date) ` + seq + `
		SELECT r.id, 'c' || CAST(n.i AS TEXT), '1', 1, CASE WHEN n.i % 200 = 0 THEN '' ELSE '2025-01-01' END
		FROM releases r CROSS JOIN n WHERE n.i % 20 = 0`)
	exec(`ANALYZE`)
	b.Logf("seeded %d releases × %d components and findings in %s", benchProducts*benchReleases, benchRowsPerRel, time.Since(start).Round(time.Millisecond))

	dq := DashboardQuery{ProductIDs: ids, Now: now, EndingWithinMonths: 6}
	if testing.Verbose() {
		month := now.Format("2006-01")
		in, args := idPlaceholders(2, ids)
		args = append([]any{month}, args...)
		logPlan(b, s, `SELECT p.id, f.severity_level, f.kev_date_added <> '', COUNT(*)
			FROM products p JOIN releases r ON r.product_id = p.id JOIN findings f ON f.release_id = r.id
			WHERE p.id IN `+in+` AND `+inSupportSQL+` AND f.status IN `+openStatuses+`
			GROUP BY p.id, f.severity_level, f.kev_date_added <> ''`, args...)
		logPlan(b, s, `SELECT c.name FROM release_components c JOIN releases r ON r.id = c.release_id
			JOIN products p ON p.id = r.product_id WHERE c.version = $1 AND (c.name = $2 OR (length(c.name) > 7
			AND substr(c.name, length(c.name) - 7) IN (':' || $2, '/' || $2)))`, benchSearchVer, benchSearchName)
	}
	// The dashboard reads the snapshot job's aggregates of today.
	t0 := time.Now()
	first, err := s.RefreshSnapshots(ctx, now)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first snapshot (counts and component_stats) in %s: %d transactions, %d rows, longest transaction %s",
		time.Since(t0).Round(time.Millisecond), first.Transactions, first.RowsWritten, first.LongestTx.Round(time.Millisecond))
	b.Run("dashboard", func(b *testing.B) {
		for b.Loop() {
			d, err := s.Dashboard(ctx, dq)
			if err != nil || d.Open.Total() != int64(benchProducts*benchReleases*benchRowsPerRel*4/5) {
				b.Fatalf("%+v, %v", d.Open, err)
			}
		}
	})
	b.Run("dashboard-eol", func(b *testing.B) {
		for b.Loop() {
			e, err := s.DashboardEOL(ctx, ids, now, DashboardListLimit)
			// Every fourth product's support ends in 2027: all in support.
			if err != nil || e.Total != benchProducts*benchReleases*50 || len(e.Items) != DashboardListLimit {
				b.Fatalf("%d, %d items, %v", e.Total, len(e.Items), err)
			}
		}
	})
	for _, tc := range []struct {
		name string
		q    ComponentQuery
		want int
	}{
		{"search-name-version", ComponentQuery{Name: benchSearchName, Version: benchSearchVer}, 100},
		{"search-full-name", ComponentQuery{Name: benchSearchGroup}, 1000},
		{"search-name", ComponentQuery{Name: benchSearchName}, 1000},
		{"search-purl", ComponentQuery{PURL: "pkg:maven/org.example.g123/lib-123@1.3"}, 100},
		{"search-contains", ComponentQuery{Name: "LIB-123", Match: MatchContains, Version: benchSearchVer}, 100},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := tc.q
			q.ProductIDs, q.Limit = ids, 1001
			for b.Loop() {
				hs, err := s.SearchComponents(ctx, q)
				if err != nil || len(hs) != min(tc.want, 1001) {
					b.Fatalf("%d hits, %v", len(hs), err)
				}
			}
		})
	}
	b.Run("snapshot", func(b *testing.B) {
		day := now
		for b.Loop() {
			day = day.Add(time.Minute)
			if n, err := s.RecordSnapshots(ctx, day); err != nil || n != benchProducts {
				b.Fatalf("%d, %v", n, err)
			}
		}
	})
	// The job's tick when nothing changed: a few reads, no write.
	b.Run("snapshot-unchanged", func(b *testing.B) {
		day := now
		for b.Loop() {
			day = day.Add(time.Minute)
			if run, err := s.RefreshSnapshots(ctx, day); err != nil || !run.Skipped {
				b.Fatalf("%+v, %v", run, err)
			}
		}
	})
	// The job's tick after a change of one release's 1,000 findings (all
	// fixed, then all open again): its product's component rows change.
	b.Run("snapshot-changed", func(b *testing.B) {
		var rel string
		if err := s.reads.QueryRowContext(ctx, `SELECT id FROM releases ORDER BY id LIMIT 1`).Scan(&rel); err != nil {
			b.Fatal(err)
		}
		day, status := now, "fixed"
		var longest time.Duration
		for b.Loop() {
			b.StopTimer()
			bumpStatuses(b, s, rel, status)
			status = map[string]string{"fixed": "affected", "affected": "fixed"}[status]
			day = day.Add(time.Minute)
			b.StartTimer()
			run, err := s.RefreshSnapshots(ctx, day)
			if err != nil || run.Skipped || run.Products != benchProducts {
				b.Fatalf("%+v, %v", run, err)
			}
			longest = max(longest, run.LongestTx)
		}
		b.ReportMetric(float64(longest.Microseconds())/1000, "max-tx-ms")
	})
}

// bumpStatuses sets the status of every finding of rel as a findings
// writer would: with the findings counter bumped in the same transaction.
func bumpStatuses(b *testing.B, s *Store, rel, status string) {
	b.Helper()
	err := s.inTx(context.Background(), "bench", func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE findings SET status = $2 WHERE release_id = $1`, rel, status); err != nil {
			return err
		}
		return bumpFindingsVersion(context.Background(), tx)
	})
	if err != nil {
		b.Fatal(err)
	}
}

func logPlan(b *testing.B, s *Store, query string, args ...any) {
	b.Helper()
	explain := "EXPLAIN QUERY PLAN "
	if s.driver == DriverPostgres {
		explain = "EXPLAIN "
	}
	rows, err := s.reads.QueryContext(context.Background(), explain+query, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	b.Logf("plan (%s):\n%s", s.driver, strings.Join(lines, "\n"))
}
