package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The snapshot job writes what changed in short transactions: at most
// snapshotBatchRows rows each, so that on SQLite no single transaction
// holds the write lock for long, whatever the portfolio's size. Every
// aggregate is read before, outside any write transaction.

// snapshotBatchRows caps the rows one snapshot write transaction writes.
const snapshotBatchRows = 500

// statementRows caps the rows of one multi-row INSERT (6 columns: 1,200
// parameters, far below both engines' limits).
const statementRows = 200

// compKey is a component version; compCounts are its component_stats.
type (
	compKey    struct{ name, version string }
	compCounts struct{ releases, open, kev int64 }
)

// snapshotWriter queues statements and runs them in transactions of at
// most snapshotBatchRows rows, recording each transaction in run.
type snapshotWriter struct {
	s       *Store
	pending []sqlPart
	rows    int
	run     *SnapshotRun
}

// add queues p, which writes rows rows, and flushes a full batch.
func (w *snapshotWriter) add(ctx context.Context, p sqlPart, rows int) error {
	w.pending = append(w.pending, p)
	w.rows += rows
	if w.rows >= snapshotBatchRows {
		return w.flush(ctx, nil)
	}
	return nil
}

// flush runs the queued statements, then last (when not nil), in one
// transaction.
func (w *snapshotWriter) flush(ctx context.Context, last func(tx *sql.Tx) error) error {
	if len(w.pending) == 0 && last == nil {
		return nil
	}
	start := time.Now()
	err := w.s.inTx(ctx, "record snapshots", func(tx *sql.Tx) error {
		for _, p := range w.pending {
			if _, err := tx.ExecContext(ctx, p.query, p.args...); err != nil {
				return err
			}
		}
		if last != nil {
			return last(tx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	w.run.Transactions++
	w.run.RowsWritten += w.rows
	w.run.LongestTx = max(w.run.LongestTx, took)
	w.pending, w.rows = w.pending[:0], 0
	return nil
}

// syncStats queues the writes that turn the rows old into the rows want:
// upserts of new and changed counts, deletes of the rest. productID ""
// means component_stats_all, else that product's component_stats rows.
func (w *snapshotWriter) syncStats(ctx context.Context, productID string, old, want map[compKey]compCounts) error {
	var changed []compKey
	for k, c := range want {
		if o, ok := old[k]; !ok || o != c {
			changed = append(changed, k)
		}
	}
	for len(changed) > 0 {
		n := min(len(changed), statementRows)
		if err := w.add(ctx, upsertStats(productID, changed[:n], want), n); err != nil {
			return err
		}
		changed = changed[n:]
	}
	for k := range old {
		if _, ok := want[k]; ok {
			continue
		}
		p := sqlPart{`DELETE FROM component_stats_all WHERE name = $1 AND version = $2`, []any{k.name, k.version}}
		if productID != "" {
			p = sqlPart{`DELETE FROM component_stats WHERE product_id = $1 AND name = $2 AND version = $3`,
				[]any{productID, k.name, k.version}}
		}
		if err := w.add(ctx, p, 1); err != nil {
			return err
		}
	}
	return nil
}

// upsertStats is one INSERT … ON CONFLICT of the counts of keys.
func upsertStats(productID string, keys []compKey, counts map[compKey]compCounts) sqlPart {
	var (
		b    strings.Builder
		args []any
	)
	if productID == "" {
		b.WriteString(`INSERT INTO component_stats_all (name, version, releases, open_count, kev) VALUES `)
	} else {
		b.WriteString(`INSERT INTO component_stats (product_id, name, version, releases, open_count, kev) VALUES `)
	}
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		c := counts[k]
		row := []any{k.name, k.version, c.releases, c.open, c.kev}
		if productID != "" {
			row = append([]any{productID}, row...)
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			fmt.Fprintf(&b, "$%d", len(args))
		}
		b.WriteByte(')')
	}
	if productID == "" {
		b.WriteString(` ON CONFLICT (name, version) DO UPDATE`)
	} else {
		b.WriteString(` ON CONFLICT (product_id, name, version) DO UPDATE`)
	}
	b.WriteString(` SET releases = excluded.releases, open_count = excluded.open_count, kev = excluded.kev`)
	return sqlPart{b.String(), args}
}

// readStats runs a query of (name, version, releases, open, kev) rows.
func (s *Store) readStats(ctx context.Context, query string, args ...any) (map[compKey]compCounts, error) {
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[compKey]compCounts)
	for rows.Next() {
		var (
			k compKey
			c compCounts
		)
		if err := rows.Scan(&k.name, &k.version, &c.releases, &c.open, &c.kev); err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, rows.Err()
}

// productStats returns the component_stats a product should have (none
// when its support ended) and those it has.
func (s *Store) productStats(ctx context.Context, p snapshotProduct) (old, want map[compKey]compCounts, err error) {
	old, err = s.readStats(ctx, `SELECT name, version, releases, open_count, kev FROM component_stats
		WHERE product_id = $1`, p.id)
	if err != nil {
		return nil, nil, err
	}
	if !p.inSupport {
		return old, map[compKey]compCounts{}, nil
	}
	want, err = s.readStats(ctx, `SELECT f.component_name, f.component_version, COUNT(DISTINCT f.release_id), COUNT(*),
		SUM(CASE WHEN f.kev_date_added <> '' THEN 1 ELSE 0 END)
		FROM releases r JOIN findings f ON f.release_id = r.id
		WHERE r.product_id = $1 AND f.status IN `+openStatuses+`
		GROUP BY f.component_name, f.component_version`, p.id)
	return old, want, err
}

// allStats returns the component_stats_all rows component_stats sums to,
// and those stored.
func (s *Store) allStats(ctx context.Context) (old, want map[compKey]compCounts, err error) {
	old, err = s.readStats(ctx, `SELECT name, version, releases, open_count, kev FROM component_stats_all`)
	if err != nil {
		return nil, nil, err
	}
	want, err = s.readStats(ctx, `SELECT name, version, CAST(SUM(releases) AS BIGINT), CAST(SUM(open_count) AS BIGINT),
		CAST(SUM(kev) AS BIGINT) FROM component_stats GROUP BY name, version`)
	return old, want, err
}
