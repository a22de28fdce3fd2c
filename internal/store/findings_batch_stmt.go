package store

import (
	"context"
	"database/sql"
	"fmt"
)

// findingWrites are the row statements ApplyFindingChanges runs once per
// changed finding (tens of thousands after an advisory update), prepared
// once per transaction instead of parsed for every row.
type findingWrites struct {
	update, delete *sql.Stmt
}

func prepareFindingWrites(ctx context.Context, tx *sql.Tx) (*findingWrites, error) {
	upd, err := tx.PrepareContext(ctx, `UPDATE findings SET aliases = $4, component_purl = $5,
		component_name = $6, component_version = $7, ecosystem = $8, severity_level = $9,
		severity_score = $10, minimum_fix = $11, kev_date_added = $12, last_seen = $13
		WHERE release_id = $1 AND vuln_id = $2 AND component_id = $3`)
	if err != nil {
		return nil, fmt.Errorf("prepare finding update: %w", err)
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM findings WHERE release_id = $1 AND vuln_id = $2
		AND component_id = $3`)
	if err != nil {
		upd.Close()
		return nil, fmt.Errorf("prepare finding delete: %w", err)
	}
	return &findingWrites{update: upd, delete: del}, nil
}

func (w *findingWrites) close() {
	w.update.Close()
	w.delete.Close()
}
