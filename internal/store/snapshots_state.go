package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// The snapshot job's refresh rule: a tick rebuilds the snapshot rows and
// component_stats only when their inputs changed since the last snapshot.
// The inputs are the UTC day, the findings counter (bumped with every
// findings or triage write), the products and their support periods, and
// the number of releases (a deleted release takes its findings with it).

// findingsCounter names the change_counters row of findings writes.
const findingsCounter = "findings"

// snapshotStateName names the snapshot_state row of the daily snapshot.
const snapshotStateName = "finding-snapshot"

// bumpFindingsVersion records, in the caller's transaction, that findings
// or their triage status changed, so the next snapshot tick rebuilds. Every
// writer of findings rows calls it last in its transaction (on PostgreSQL
// the counter row stays locked until commit, so late is short).
func bumpFindingsVersion(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE change_counters SET value = value + 1 WHERE name = $1`,
		findingsCounter); err != nil {
		return fmt.Errorf("bump findings version: %w", err)
	}
	return nil
}

// FindingsVersion returns the findings change counter.
func (s *Store) FindingsVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.q().QueryRowContext(ctx, `SELECT value FROM change_counters WHERE name = $1`, findingsCounter).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: findings version: %w", err)
	}
	return v, nil
}

// snapshotProduct is a product as the snapshot job sees it.
type snapshotProduct struct {
	id        string
	inSupport bool
}

// snapshotInputs reads the products and the fingerprint of everything a
// snapshot of now depends on. The counter is read first: a write that
// lands while the snapshot counts changes it again, so the next tick
// rebuilds.
func (s *Store) snapshotInputs(ctx context.Context, now time.Time) ([]snapshotProduct, string, error) {
	version, err := s.FindingsVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	month := now.UTC().Format("2006-01")
	h := sha256.New()
	fmt.Fprintf(h, "day %s\nfindings %d\n", now.UTC().Format(time.DateOnly), version)
	rows, err := s.q().QueryContext(ctx, `SELECT id, support_start, support_end FROM products ORDER BY id`)
	if err != nil {
		return nil, "", fmt.Errorf("store: snapshot inputs: %w", err)
	}
	defer rows.Close()
	var out []snapshotProduct
	for rows.Next() {
		var id, start, end string
		if err := rows.Scan(&id, &start, &end); err != nil {
			return nil, "", fmt.Errorf("store: snapshot inputs: %w", err)
		}
		// inSupportSQL, in Go.
		out = append(out, snapshotProduct{id: id, inSupport: start == "" || end == "" || end >= month})
		fmt.Fprintf(h, "product %q %q %q\n", id, start, end)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: snapshot inputs: %w", err)
	}
	var releases int64
	if err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM releases`).Scan(&releases); err != nil {
		return nil, "", fmt.Errorf("store: snapshot inputs: %w", err)
	}
	fmt.Fprintf(h, "releases %d\n", releases)
	return out, hex.EncodeToString(h.Sum(nil)), nil
}

// lastSnapshotFingerprint is the fingerprint the last snapshot stored, ""
// when none did.
func (s *Store) lastSnapshotFingerprint(ctx context.Context) (string, error) {
	var fp string
	err := s.q().QueryRowContext(ctx, `SELECT fingerprint FROM snapshot_state WHERE name = $1`, snapshotStateName).Scan(&fp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: snapshot state: %w", err)
	}
	return fp, nil
}

// saveSnapshotFingerprint stores fp as the last snapshot's fingerprint.
func saveSnapshotFingerprint(ctx context.Context, tx *sql.Tx, fp string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO snapshot_state (name, fingerprint, taken_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET fingerprint = excluded.fingerprint, taken_at = excluded.taken_at`,
		snapshotStateName, fp, toDB(at))
	return err
}
