package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// The portfolio aggregates of the dashboard and the product page. Each is
// one SQL aggregate over findings joined to releases and products, so the
// database counts and only a few rows cross to Go (the dashboard target is
// 300 ms at 1,000,000 findings; docs/server-ui.md has the figures).
//
// "Open" is a finding whose status is under_investigation or affected.
// "In support" is a release whose product's support period has not ended:
// no period recorded, not yet started, or ending this month or later (the
// server's supportStatus rule: the end month is supported to its last day).

// openStatuses is the SQL list of the triage states that count as open.
const openStatuses = `('under_investigation', 'affected')`

// inSupportSQL is true for a product (alias p) whose support period has not
// ended by the month given as parameter $1 ("2026-12").
const inSupportSQL = `(p.support_start = '' OR p.support_end = '' OR p.support_end >= $1)`

// SeverityCounts counts findings by severity level.
type SeverityCounts struct {
	Critical int64
	High     int64
	Medium   int64
	Low      int64
	// Other is severity none or unknown.
	Other int64
	// KEV counts the KEV-listed ones among them, whatever their severity.
	KEV int64
}

// merge adds the counts of o.
func (c *SeverityCounts) merge(o SeverityCounts) {
	c.Critical += o.Critical
	c.High += o.High
	c.Medium += o.Medium
	c.Low += o.Low
	c.Other += o.Other
	c.KEV += o.KEV
}

// Total is the number of findings counted.
func (c SeverityCounts) Total() int64 { return c.Critical + c.High + c.Medium + c.Low + c.Other }

func (c *SeverityCounts) add(level string, kev bool, n int64) {
	switch level {
	case "critical":
		c.Critical += n
	case "high":
		c.High += n
	case "medium":
		c.Medium += n
	case "low":
		c.Low += n
	default:
		c.Other += n
	}
	if kev {
		c.KEV += n
	}
}

// SupportEnding is a release whose product's support period ends within the
// horizon the caller asked for, or has ended.
type SupportEnding struct {
	ProductID   string
	ProductName string
	Version     string
	// SupportEnd is the last supported month, "2027-03".
	SupportEnd string
	// Open counts the release's open findings.
	Open int64
}

// WidespreadComponent is a vulnerable component version and how far it
// spreads through the releases in support.
type WidespreadComponent struct {
	Name    string
	Version string
	// Releases counts the releases in support that ship it with an open
	// finding.
	Releases int64
	// Open counts its open findings in those releases.
	Open int64
	// KEV counts the KEV-listed ones among them.
	KEV int64
}

// Dashboard is what the portfolio dashboard shows of some products.
type Dashboard struct {
	// Open counts open findings of releases in support.
	Open SeverityCounts
	// ByProduct is Open per product ID (products without open findings
	// are absent).
	ByProduct map[string]SeverityCounts
	// Ending are releases whose support ends within the horizon or has
	// ended, soonest first (at most DashboardListLimit).
	Ending []SupportEnding
	// AsOf is when the oldest snapshot used was taken; zero when every
	// count is live.
	AsOf time.Time
	// Widespread are the vulnerable components shipped by the most
	// releases in support (at most DashboardListLimit).
	Widespread []WidespreadComponent
}

// DashboardListLimit caps the dashboard's lists.
const DashboardListLimit = 20

// DashboardQuery says which products a dashboard covers and when it is.
type DashboardQuery struct {
	// ProductIDs are the products to count; none means an empty dashboard
	// (callers pass every product an administrator sees explicitly).
	ProductIDs []string
	Now        time.Time
	// EndingWithin is the horizon of Ending: releases whose support ends
	// before Now plus this many months are listed.
	EndingWithinMonths int
}

// Dashboard computes the dashboard of q.ProductIDs. The open counts and
// the widespread components come from the snapshot job's aggregates of
// today (finding_snapshots and component_stats, at most one job interval
// old) so that a page view reads a few rows, not every finding; a product
// without a snapshot of today yet is counted live. The support list is
// always live (it reads releases, not findings).
func (s *Store) Dashboard(ctx context.Context, q DashboardQuery) (Dashboard, error) {
	d := Dashboard{ByProduct: map[string]SeverityCounts{}}
	if len(q.ProductIDs) == 0 {
		return d, nil
	}
	q.ProductIDs = slices.Compact(slices.Sorted(slices.Values(q.ProductIDs)))
	snapped, asOf, err := s.todaysSnapshots(ctx, q.ProductIDs, q.Now)
	if err != nil {
		return d, err
	}
	d.AsOf = asOf
	var missing, have []string
	for _, id := range q.ProductIDs {
		c, ok := snapped[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		have = append(have, id)
		d.Open.add("critical", false, c.Critical)
		d.Open.add("high", false, c.High)
		d.Open.add("medium", false, c.Medium)
		d.Open.add("low", false, c.Low)
		d.Open.add("", false, c.Other)
		d.Open.KEV += c.KEV
		if c.Total() > 0 {
			d.ByProduct[id] = c
		}
	}
	// Exact top list: when both sources are merged, neither may be cut.
	limit := DashboardListLimit
	if len(missing) > 0 && len(have) > 0 {
		limit = 0
	}
	var wide []WidespreadComponent
	if len(missing) > 0 {
		lq := q
		lq.ProductIDs = missing
		parts := dashboardParts(lq, limit)
		if err := s.liveCounts(ctx, parts[0], &d); err != nil {
			return d, err
		}
		if wide, err = s.widespread(ctx, parts[2]); err != nil {
			return d, err
		}
	}
	all, err := s.coversAllProducts(ctx, have)
	if err != nil {
		return d, err
	}
	switch {
	case all && len(missing) == 0:
		// Every product, every one snapshotted: the precomputed ranking.
		if wide, err = s.widespread(ctx, sqlPart{`SELECT name, version, releases, open_count, kev
			FROM component_stats_all ORDER BY releases DESC, open_count DESC, name, version
			LIMIT ` + fmt.Sprint(DashboardListLimit), nil}); err != nil {
			return d, err
		}
	case len(have) > 0:
		in, args := idPlaceholders(1, have)
		query := `SELECT name, version, CAST(SUM(releases) AS BIGINT) AS rels, CAST(SUM(open_count) AS BIGINT) AS open_n,
			CAST(SUM(kev) AS BIGINT) FROM component_stats WHERE product_id IN ` + in + `
			GROUP BY name, version ORDER BY rels DESC, open_n DESC, name, version`
		if limit > 0 {
			query += ` LIMIT ` + fmt.Sprint(limit)
		}
		more, err := s.widespread(ctx, sqlPart{query, args})
		if err != nil {
			return d, err
		}
		wide = mergeWidespread(wide, more)
	}
	d.Widespread = wide

	parts := dashboardParts(q, DashboardListLimit)
	rows, err := s.q().QueryContext(ctx, parts[1].query, parts[1].args...)
	if err != nil {
		return d, fmt.Errorf("store: dashboard support ending: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e SupportEnding
		if err := rows.Scan(&e.ProductID, &e.ProductName, &e.Version, &e.SupportEnd, &e.Open); err != nil {
			return d, fmt.Errorf("store: dashboard support ending: %w", err)
		}
		d.Ending = append(d.Ending, e)
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("store: dashboard support ending: %w", err)
	}
	return d, nil
}

// coversAllProducts reports whether ids (distinct) are every product.
func (s *Store) coversAllProducts(ctx context.Context, ids []string) (bool, error) {
	if len(ids) == 0 {
		return false, nil
	}
	var n int
	if err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM products`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: dashboard: %w", err)
	}
	return n == len(ids), nil
}

// todaysSnapshots returns the snapshot rows of today (the UTC day of now)
// of ids, and the oldest time one of them was taken.
func (s *Store) todaysSnapshots(ctx context.Context, ids []string, now time.Time) (map[string]SeverityCounts, time.Time, error) {
	in, args := idPlaceholders(2, ids)
	args = append([]any{now.UTC().Format(time.DateOnly)}, args...)
	rows, err := s.q().QueryContext(ctx, `SELECT product_id, critical, high, medium, low, other, kev, taken_at
		FROM finding_snapshots WHERE day = $1 AND product_id IN `+in, args...)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: dashboard snapshots: %w", err)
	}
	defer rows.Close()
	out := make(map[string]SeverityCounts)
	var oldest int64
	for rows.Next() {
		var (
			id    string
			c     SeverityCounts
			taken int64
		)
		if err := rows.Scan(&id, &c.Critical, &c.High, &c.Medium, &c.Low, &c.Other, &c.KEV, &taken); err != nil {
			return nil, time.Time{}, fmt.Errorf("store: dashboard snapshots: %w", err)
		}
		out[id] = c
		if oldest == 0 || taken < oldest {
			oldest = taken
		}
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, fmt.Errorf("store: dashboard snapshots: %w", err)
	}
	var asOf time.Time
	if oldest != 0 {
		asOf = fromDB(oldest)
	}
	return out, asOf, nil
}

// liveCounts adds the open findings counted by part (the first of
// dashboardParts) to d.
func (s *Store) liveCounts(ctx context.Context, part sqlPart, d *Dashboard) error {
	rows, err := s.q().QueryContext(ctx, part.query, part.args...)
	if err != nil {
		return fmt.Errorf("store: dashboard counts: %w", err)
	}
	counts, err := scanGroupedCounts(rows, "dashboard counts")
	if err != nil {
		return err
	}
	for id, c := range counts {
		d.Open.merge(c)
		pc := d.ByProduct[id]
		pc.merge(c)
		d.ByProduct[id] = pc
	}
	return nil
}

func (s *Store) widespread(ctx context.Context, part sqlPart) ([]WidespreadComponent, error) {
	rows, err := s.q().QueryContext(ctx, part.query, part.args...)
	if err != nil {
		return nil, fmt.Errorf("store: dashboard widespread components: %w", err)
	}
	defer rows.Close()
	var out []WidespreadComponent
	for rows.Next() {
		var c WidespreadComponent
		if err := rows.Scan(&c.Name, &c.Version, &c.Releases, &c.Open, &c.KEV); err != nil {
			return nil, fmt.Errorf("store: dashboard widespread components: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: dashboard widespread components: %w", err)
	}
	return out, nil
}

// mergeWidespread sums two lists by component version and keeps the top
// DashboardListLimit in the dashboard's order.
func mergeWidespread(a, b []WidespreadComponent) []WidespreadComponent {
	if len(a) == 0 {
		return b
	}
	at := make(map[[2]string]int)
	var out []WidespreadComponent
	for _, list := range [][]WidespreadComponent{a, b} {
		for _, c := range list {
			k := [2]string{c.Name, c.Version}
			if i, ok := at[k]; ok {
				out[i].Releases += c.Releases
				out[i].Open += c.Open
				out[i].KEV += c.KEV
				continue
			}
			at[k] = len(out)
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Releases != y.Releases {
			return x.Releases > y.Releases
		}
		if x.Open != y.Open {
			return x.Open > y.Open
		}
		if x.Name != y.Name {
			return x.Name < y.Name
		}
		return x.Version < y.Version
	})
	return out[:min(len(out), DashboardListLimit)]
}

// sqlPart is one query with its arguments.
type sqlPart struct {
	query string
	args  []any
}

// dashboardParts are the dashboard's three queries: open findings by
// product, severity and KEV; releases whose support ends soon; the most
// widespread vulnerable components.
// widespreadLimit 0 leaves the widespread list uncut.
func dashboardParts(q DashboardQuery, widespreadLimit int) [3]sqlPart {
	month := q.Now.UTC().Format("2006-01")
	in, args := idPlaceholders(2, q.ProductIDs)
	args = append([]any{month}, args...)
	horizon := q.Now.UTC().AddDate(0, q.EndingWithinMonths, 0).Format("2006-01")
	endArgs := append([]any{horizon}, args[1:]...)
	return [3]sqlPart{
		{`SELECT p.id, f.severity_level, f.kev_date_added <> '', COUNT(*)
		FROM products p JOIN releases r ON r.product_id = p.id JOIN findings f ON f.release_id = r.id
		WHERE p.id IN ` + in + ` AND ` + inSupportSQL + ` AND f.status IN ` + openStatuses + `
		GROUP BY p.id, f.severity_level, f.kev_date_added <> ''`, args},
		{`SELECT p.id, p.name, r.version, p.support_end,
		(SELECT COUNT(*) FROM findings f WHERE f.release_id = r.id AND f.status IN ` + openStatuses + `)
		FROM products p JOIN releases r ON r.product_id = p.id
		WHERE p.id IN ` + in + ` AND p.support_start <> '' AND p.support_end <> '' AND p.support_end < $1
		ORDER BY p.support_end, p.name, r.version LIMIT ` + fmt.Sprint(DashboardListLimit), endArgs},
		{`SELECT f.component_name, f.component_version,
		COUNT(DISTINCT f.release_id) AS releases, COUNT(*) AS open,
		SUM(CASE WHEN f.kev_date_added <> '' THEN 1 ELSE 0 END)
		FROM products p JOIN releases r ON r.product_id = p.id JOIN findings f ON f.release_id = r.id
		WHERE p.id IN ` + in + ` AND ` + inSupportSQL + ` AND f.status IN ` + openStatuses + `
		GROUP BY f.component_name, f.component_version
		ORDER BY releases DESC, open DESC, f.component_name, f.component_version` + limitSQL(widespreadLimit), args},
	}
}

func limitSQL(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + fmt.Sprint(n)
}

// ReleaseFindingCounts counts the open findings of each release of a
// product, by release ID (releases without open findings are absent).
func (s *Store) ReleaseFindingCounts(ctx context.Context, productID string) (map[string]SeverityCounts, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT f.release_id, f.severity_level, f.kev_date_added <> '', COUNT(*)
		FROM releases r JOIN findings f ON f.release_id = r.id
		WHERE r.product_id = $1 AND f.status IN `+openStatuses+`
		GROUP BY f.release_id, f.severity_level, f.kev_date_added <> ''`, productID)
	if err != nil {
		return nil, fmt.Errorf("store: release finding counts: %w", err)
	}
	return scanGroupedCounts(rows, "release finding counts")
}

// scanGroupedCounts reads rows of (key, severity level, KEV-listed, count),
// as the open-findings aggregates group them, into counts per key. It
// closes rows.
func scanGroupedCounts(rows *sql.Rows, what string) (map[string]SeverityCounts, error) {
	defer rows.Close()
	out := make(map[string]SeverityCounts)
	for rows.Next() {
		var (
			key, level string
			kev        bool
			n          int64
		)
		if err := rows.Scan(&key, &level, &kev, &n); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		c := out[key]
		c.add(level, kev, n)
		out[key] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// idPlaceholders is "($first, $first+1, …)" for ids and the ids as arguments.
func idPlaceholders(first int, ids []string) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	b.WriteByte('(')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
		args[i] = id
	}
	b.WriteByte(')')
	return b.String(), args
}
