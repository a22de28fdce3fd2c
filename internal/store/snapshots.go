package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A snapshot is one product's open findings of releases in support on one
// UTC day, kept so the dashboard can draw the trend (findings themselves
// hold only the present).

// SnapshotDay is one day of the trend: the sum over the products asked for.
type SnapshotDay struct {
	// Day is "2026-12-04".
	Day string
	SeverityCounts
}

// RecordSnapshots stores today's snapshot (the UTC day of now) of every
// product, counting as [Store.Dashboard] does, and the per-component
// counts the dashboard's widespread list reads (component_stats). A
// product's row of the day is updated in place, so calling this again, or
// from two processes at once, leaves one row per product per day holding
// the latest counts. It returns the number of products counted.
func (s *Store) RecordSnapshots(ctx context.Context, now time.Time) (int, error) {
	day := now.UTC().Format(time.DateOnly)
	month := now.UTC().Format("2006-01")
	// Count outside the write transaction: on SQLite the write lock is
	// then held only for the writes below.
	rows, err := s.q().QueryContext(ctx, `SELECT p.id, f.severity_level, f.kev_date_added <> '', COUNT(f.release_id)
		FROM products p
		LEFT JOIN releases r ON r.product_id = p.id AND `+inSupportSQL+`
		LEFT JOIN findings f ON f.release_id = r.id AND f.status IN `+openStatuses+`
		GROUP BY p.id, f.severity_level, f.kev_date_added <> ''`, month)
	if err != nil {
		return 0, fmt.Errorf("store: record snapshots: %w", err)
	}
	counts := make(map[string]*SeverityCounts)
	var order []string
	for rows.Next() {
		var (
			id    string
			level sql.NullString
			kev   sql.NullBool
			n     int64
		)
		if err := rows.Scan(&id, &level, &kev, &n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: record snapshots: %w", err)
		}
		c, ok := counts[id]
		if !ok {
			c = &SeverityCounts{}
			counts[id] = c
			order = append(order, id)
		}
		if level.Valid {
			c.add(level.String, kev.Bool, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: record snapshots: %w", err)
	}
	err = s.inTx(ctx, "record snapshots", func(tx *sql.Tx) error {
		taken := toDB(now)
		for _, id := range order {
			c := counts[id]
			if _, err := tx.ExecContext(ctx, `INSERT INTO finding_snapshots (day, product_id, critical, high, medium,
				low, other, kev, taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (day, product_id) DO UPDATE SET critical = excluded.critical, high = excluded.high,
				medium = excluded.medium, low = excluded.low, other = excluded.other, kev = excluded.kev,
				taken_at = excluded.taken_at`,
				day, id, c.Critical, c.High, c.Medium, c.Low, c.Other, c.KEV, taken); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM component_stats`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO component_stats (product_id, name, version, releases, open_count, kev)
			SELECT p.id, f.component_name, f.component_version, COUNT(DISTINCT f.release_id), COUNT(*),
			SUM(CASE WHEN f.kev_date_added <> '' THEN 1 ELSE 0 END)
			FROM products p JOIN releases r ON r.product_id = p.id JOIN findings f ON f.release_id = r.id
			WHERE `+inSupportSQL+` AND f.status IN `+openStatuses+`
			GROUP BY p.id, f.component_name, f.component_version
			ON CONFLICT (product_id, name, version) DO UPDATE SET releases = excluded.releases,
			open_count = excluded.open_count, kev = excluded.kev`, month)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM component_stats_all`); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO component_stats_all (name, version, releases, open_count, kev)
			SELECT name, version, SUM(releases), SUM(open_count), SUM(kev) FROM component_stats
			GROUP BY name, version
			ON CONFLICT (name, version) DO UPDATE SET releases = excluded.releases,
			open_count = excluded.open_count, kev = excluded.kev`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: record snapshots: %w", err)
	}
	return len(order), nil
}

// ListSnapshots returns the trend of productIDs from the day from to the
// day to (both "2026-12-04", inclusive): one entry per day that has any
// snapshot of them, oldest first, summed over the products.
func (s *Store) ListSnapshots(ctx context.Context, productIDs []string, from, to string) ([]SnapshotDay, error) {
	if len(productIDs) == 0 {
		return nil, nil
	}
	in, args := idPlaceholders(3, productIDs)
	args = append([]any{from, to}, args...)
	rows, err := s.q().QueryContext(ctx, `SELECT day, CAST(SUM(critical) AS BIGINT), CAST(SUM(high) AS BIGINT),
		CAST(SUM(medium) AS BIGINT), CAST(SUM(low) AS BIGINT), CAST(SUM(other) AS BIGINT), CAST(SUM(kev) AS BIGINT)
		FROM finding_snapshots WHERE day >= $1 AND day <= $2 AND product_id IN `+in+`
		GROUP BY day ORDER BY day`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list snapshots: %w", err)
	}
	defer rows.Close()
	var out []SnapshotDay
	for rows.Next() {
		var d SnapshotDay
		c := &d.SeverityCounts
		if err := rows.Scan(&d.Day, &c.Critical, &c.High, &c.Medium, &c.Low, &c.Other, &c.KEV); err != nil {
			return nil, fmt.Errorf("store: list snapshots: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list snapshots: %w", err)
	}
	return out, nil
}
