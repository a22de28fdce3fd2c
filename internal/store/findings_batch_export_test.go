package store

import (
	"context"
	"database/sql"
)

// SetFindingStatusForTest sets a finding's triage status directly, so that
// the batch tests can check that a re-match keeps it (the triage API is
// another package's work).
func (s *Store) SetFindingStatusForTest(ctx context.Context, releaseID, vulnID, componentID, status string) error {
	return s.inTx(ctx, "set finding status", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE findings SET status = $4 WHERE release_id = $1 AND vuln_id = $2
			AND component_id = $3`, releaseID, vulnID, componentID, status)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}
