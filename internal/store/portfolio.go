package store

import (
	"context"
	"fmt"
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

// Dashboard computes the dashboard of q.ProductIDs with three aggregate
// queries.
func (s *Store) Dashboard(ctx context.Context, q DashboardQuery) (Dashboard, error) {
	d := Dashboard{ByProduct: map[string]SeverityCounts{}}
	if len(q.ProductIDs) == 0 {
		return d, nil
	}
	month := q.Now.UTC().Format("2006-01")
	in, args := inList(2, q.ProductIDs)
	args = append([]any{month}, args...)

	rows, err := s.q().QueryContext(ctx, `SELECT p.id, f.severity_level, f.kev_date_added <> '', COUNT(*)
		FROM products p JOIN releases r ON r.product_id = p.id JOIN findings f ON f.release_id = r.id
		WHERE p.id IN `+in+` AND `+inSupportSQL+` AND f.status IN `+openStatuses+`
		GROUP BY p.id, f.severity_level, f.kev_date_added <> ''`, args...)
	if err != nil {
		return d, fmt.Errorf("store: dashboard counts: %w", err)
	}
	for rows.Next() {
		var (
			id, level string
			kev       bool
			n         int64
		)
		if err := rows.Scan(&id, &level, &kev, &n); err != nil {
			rows.Close()
			return d, fmt.Errorf("store: dashboard counts: %w", err)
		}
		d.Open.add(level, kev, n)
		c := d.ByProduct[id]
		c.add(level, kev, n)
		d.ByProduct[id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("store: dashboard counts: %w", err)
	}

	horizon := q.Now.UTC().AddDate(0, q.EndingWithinMonths, 0).Format("2006-01")
	endArgs := append([]any{horizon}, args[1:]...)
	rows, err = s.q().QueryContext(ctx, `SELECT p.id, p.name, r.version, p.support_end,
		(SELECT COUNT(*) FROM findings f WHERE f.release_id = r.id AND f.status IN `+openStatuses+`)
		FROM products p JOIN releases r ON r.product_id = p.id
		WHERE p.id IN `+in+` AND p.support_start <> '' AND p.support_end <> '' AND p.support_end < $1
		ORDER BY p.support_end, p.name, r.version LIMIT `+fmt.Sprint(DashboardListLimit), endArgs...)
	if err != nil {
		return d, fmt.Errorf("store: dashboard support ending: %w", err)
	}
	for rows.Next() {
		var e SupportEnding
		if err := rows.Scan(&e.ProductID, &e.ProductName, &e.Version, &e.SupportEnd, &e.Open); err != nil {
			rows.Close()
			return d, fmt.Errorf("store: dashboard support ending: %w", err)
		}
		d.Ending = append(d.Ending, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("store: dashboard support ending: %w", err)
	}

	rows, err = s.q().QueryContext(ctx, `SELECT f.component_name, f.component_version,
		COUNT(DISTINCT f.release_id) AS releases, COUNT(*) AS open,
		SUM(CASE WHEN f.kev_date_added <> '' THEN 1 ELSE 0 END)
		FROM products p JOIN releases r ON r.product_id = p.id JOIN findings f ON f.release_id = r.id
		WHERE p.id IN `+in+` AND `+inSupportSQL+` AND f.status IN `+openStatuses+`
		GROUP BY f.component_name, f.component_version
		ORDER BY releases DESC, open DESC, f.component_name, f.component_version
		LIMIT `+fmt.Sprint(DashboardListLimit), args...)
	if err != nil {
		return d, fmt.Errorf("store: dashboard widespread components: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c WidespreadComponent
		if err := rows.Scan(&c.Name, &c.Version, &c.Releases, &c.Open, &c.KEV); err != nil {
			return d, fmt.Errorf("store: dashboard widespread components: %w", err)
		}
		d.Widespread = append(d.Widespread, c)
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("store: dashboard widespread components: %w", err)
	}
	return d, nil
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
	defer rows.Close()
	out := make(map[string]SeverityCounts)
	for rows.Next() {
		var (
			rel, level string
			kev        bool
			n          int64
		)
		if err := rows.Scan(&rel, &level, &kev, &n); err != nil {
			return nil, fmt.Errorf("store: release finding counts: %w", err)
		}
		c := out[rel]
		c.add(level, kev, n)
		out[rel] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: release finding counts: %w", err)
	}
	return out, nil
}

// inList is "($first, $first+1, …)" for ids and the ids as arguments.
func inList(first int, ids []string) (string, []any) {
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
