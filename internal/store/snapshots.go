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

// SnapshotRun says what one snapshot call did.
type SnapshotRun struct {
	// Products is the number of products counted (0 when skipped).
	Products int
	// Skipped is set when nothing changed since the last snapshot.
	Skipped bool
	// Transactions, RowsWritten and LongestTx describe the writes: the
	// longest transaction is the longest the SQLite write lock was held.
	Transactions int
	RowsWritten  int
	LongestTx    time.Duration
}

// RefreshSnapshots is the snapshot job's tick: it records today's snapshot
// (see [Store.RecordSnapshots]) unless nothing it depends on changed since
// the last one: same UTC day, no findings or triage write (the findings
// counter), same products and support periods, same number of releases.
// Then it only reads a few rows.
func (s *Store) RefreshSnapshots(ctx context.Context, now time.Time) (SnapshotRun, error) {
	products, fp, err := s.snapshotInputs(ctx, now)
	if err != nil {
		return SnapshotRun{}, err
	}
	last, err := s.lastSnapshotFingerprint(ctx)
	if err != nil {
		return SnapshotRun{}, err
	}
	if last == fp {
		return SnapshotRun{Skipped: true}, nil
	}
	return s.recordSnapshots(ctx, now, products, fp)
}

// RecordSnapshots stores today's snapshot (the UTC day of now) of every
// product, counting as [Store.Dashboard] does, and the per-component
// counts the dashboard's widespread list reads (component_stats), whether
// or not anything changed. A product's row of the day is updated in place,
// so calling this again, or from two processes at once, leaves one row per
// product per day holding the latest counts. It returns the number of
// products counted.
func (s *Store) RecordSnapshots(ctx context.Context, now time.Time) (int, error) {
	products, fp, err := s.snapshotInputs(ctx, now)
	if err != nil {
		return 0, err
	}
	run, err := s.recordSnapshots(ctx, now, products, fp)
	return run.Products, err
}

// recordSnapshots counts outside any write transaction and writes only
// what changed, in transactions of at most snapshotBatchRows rows (see
// snapshotWriter); the fingerprint is stored with the last of them.
func (s *Store) recordSnapshots(ctx context.Context, now time.Time, products []snapshotProduct, fp string) (SnapshotRun, error) {
	run := SnapshotRun{}
	counts, err := s.snapshotCounts(ctx, now)
	if err != nil {
		return run, err
	}
	w := &snapshotWriter{s: s, run: &run}
	day, taken := now.UTC().Format(time.DateOnly), toDB(now)
	for _, p := range products {
		c := counts[p.id]
		if err := w.add(ctx, sqlPart{`INSERT INTO finding_snapshots (day, product_id, critical, high, medium,
			low, other, kev, taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (day, product_id) DO UPDATE SET critical = excluded.critical, high = excluded.high,
			medium = excluded.medium, low = excluded.low, other = excluded.other, kev = excluded.kev,
			taken_at = excluded.taken_at`,
			[]any{day, p.id, c.Critical, c.High, c.Medium, c.Low, c.Other, c.KEV, taken}}, 1); err != nil {
			return run, fmt.Errorf("store: record snapshots: %w", err)
		}
	}
	for _, p := range products {
		old, want, err := s.productStats(ctx, p)
		if err != nil {
			return run, fmt.Errorf("store: record snapshots: component stats of %s: %w", p.id, err)
		}
		if err := w.syncStats(ctx, p.id, old, want); err != nil {
			return run, fmt.Errorf("store: record snapshots: %w", err)
		}
	}
	// component_stats_all sums what was just written.
	if err := w.flush(ctx, nil); err != nil {
		return run, fmt.Errorf("store: record snapshots: %w", err)
	}
	old, want, err := s.allStats(ctx)
	if err != nil {
		return run, fmt.Errorf("store: record snapshots: all component stats: %w", err)
	}
	if err := w.syncStats(ctx, "", old, want); err != nil {
		return run, fmt.Errorf("store: record snapshots: %w", err)
	}
	if err := w.flush(ctx, func(tx *sql.Tx) error { return saveSnapshotFingerprint(ctx, tx, fp, now) }); err != nil {
		return run, fmt.Errorf("store: record snapshots: %w", err)
	}
	run.Products = len(products)
	return run, nil
}

// snapshotCounts counts the open findings of releases in support by
// product (products without any are absent).
func (s *Store) snapshotCounts(ctx context.Context, now time.Time) (map[string]SeverityCounts, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT p.id, f.severity_level, f.kev_date_added <> '', COUNT(*)
		FROM products p JOIN releases r ON r.product_id = p.id JOIN findings f ON f.release_id = r.id
		WHERE `+inSupportSQL+` AND f.status IN `+openStatuses+`
		GROUP BY p.id, f.severity_level, f.kev_date_added <> ''`, now.UTC().Format("2006-01"))
	if err != nil {
		return nil, fmt.Errorf("store: record snapshots: %w", err)
	}
	return scanGroupedCounts(rows, "record snapshots")
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
