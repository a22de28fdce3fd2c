package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// The dashboard's end-of-life list: the eol_events rows (one per release,
// component and cycle past its end of life, written after each monitoring
// run) of the releases in support of some products.

// EOLComponent is a component of a release in support whose cycle reached
// its end of life.
type EOLComponent struct {
	ProductID   string
	ProductName string
	// Release is the release's version.
	Release string
	// Name and Version name the component as the release's SBOM does;
	// Name is the component ID when the SBOM no longer lists it.
	Name    string
	Version string
	Cycle   string
	// EOLDate is the cycle's end of life, "2023-09-11"; "" when unknown.
	EOLDate string
	// Since is when the monitoring run noticed it.
	Since time.Time
}

// EOLSummary is the dashboard's end-of-life section.
type EOLSummary struct {
	// Total counts the components past end of life; Releases the releases
	// shipping at least one.
	Total    int64
	Releases int64
	// Items are the first of them (at most the limit asked for), the
	// longest past end of life first, unknown dates last.
	Items []EOLComponent
}

// DashboardEOL returns the end-of-life components of the releases in
// support (at now) of productIDs, at most limit of them listed.
func (s *Store) DashboardEOL(ctx context.Context, productIDs []string, now time.Time, limit int) (EOLSummary, error) {
	var out EOLSummary
	if len(productIDs) == 0 {
		return out, nil
	}
	productIDs = slices.Compact(slices.Sorted(slices.Values(productIDs)))
	in, args := idPlaceholders(2, productIDs)
	args = append([]any{now.UTC().Format("2006-01")}, args...)
	from := ` FROM products p JOIN releases r ON r.product_id = p.id JOIN eol_events e ON e.release_id = r.id
		WHERE p.id IN ` + in + ` AND ` + inSupportSQL
	if err := s.q().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT r.id)`+from, args...).
		Scan(&out.Total, &out.Releases); err != nil {
		return out, fmt.Errorf("store: dashboard end of life: %w", err)
	}
	if out.Total == 0 || limit <= 0 {
		return out, nil
	}
	// The component's name is looked up for the listed rows only.
	order := `CASE WHEN x.eol_date = '' THEN 1 ELSE 0 END, x.eol_date, x.product_name, x.version, x.component_id, x.cycle`
	rows, err := s.q().QueryContext(ctx, `SELECT x.product_id, x.product_name, x.version, x.component_id, x.cycle,
		x.eol_date, x.created_at,
		COALESCE((SELECT c.name FROM release_components c WHERE c.release_id = x.release_id
			AND c.component_id = x.component_id ORDER BY c.seq LIMIT 1), ''),
		COALESCE((SELECT c.version FROM release_components c WHERE c.release_id = x.release_id
			AND c.component_id = x.component_id ORDER BY c.seq LIMIT 1), '')
		FROM (SELECT p.id AS product_id, p.name AS product_name, r.version, e.release_id, e.component_id, e.cycle,
			e.eol_date, e.created_at`+from+`
			ORDER BY CASE WHEN e.eol_date = '' THEN 1 ELSE 0 END, e.eol_date, p.name, r.version, e.component_id, e.cycle
			LIMIT `+fmt.Sprint(limit)+`) x
		ORDER BY `+order, args...)
	if err != nil {
		return out, fmt.Errorf("store: dashboard end of life: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c     EOLComponent
			since int64
			id    string
		)
		if err := rows.Scan(&c.ProductID, &c.ProductName, &c.Release, &id, &c.Cycle, &c.EOLDate, &since,
			&c.Name, &c.Version); err != nil {
			return out, fmt.Errorf("store: dashboard end of life: %w", err)
		}
		if c.Name == "" {
			c.Name = id
		}
		c.Since = fromDB(since)
		out.Items = append(out.Items, c)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("store: dashboard end of life: %w", err)
	}
	return out, nil
}

// SetEOLDate records the end-of-life date ("2023-09-11") of an
// end-of-life event, writing only when it differs. The monitoring run
// calls it for every past-EOL component, so events raised before the date
// was kept get it on the next run.
func (s *Store) SetEOLDate(ctx context.Context, releaseID, componentID, cycle, date string) error {
	return s.inTx(ctx, "set end-of-life date", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE eol_events SET eol_date = $4 WHERE release_id = $1
			AND component_id = $2 AND cycle = $3 AND eol_date <> $4`, releaseID, componentID, cycle, date)
		return err
	})
}
