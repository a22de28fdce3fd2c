package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SetReportState sets the reporter-facing state of the report with the ID
// reportID (ErrNotFound when there is none). The server derives the state
// from the state of the case made from the report. Setting the state it
// has changes nothing (updated_at included).
func (s *Store) SetReportState(ctx context.Context, reportID, state string) error {
	return s.inTx(ctx, "set report state", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE reports SET state = $1, updated_at = $2 WHERE id = $3 AND state <> $1`,
			state, toDB(s.now()), reportID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n > 0 {
			return err
		}
		var one int // unchanged: the same state, or no such report
		return notFound(tx.QueryRowContext(ctx, `SELECT 1 FROM reports WHERE id = $1`, reportID).Scan(&one))
	})
}

// ReportCaseReference is the reference of the case made from the report
// with the ID reportID, "" when there is none (the oldest when several).
func (s *Store) ReportCaseReference(ctx context.Context, reportID string) (string, error) {
	var ref string
	err := s.q().QueryRowContext(ctx, `SELECT reference FROM cases WHERE report_id = $1 ORDER BY created_at, reference LIMIT 1`,
		reportID).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: case of report: %w", err)
	}
	return ref, nil
}
