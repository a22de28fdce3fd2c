package store

import (
	"context"
	"database/sql"
	"fmt"
)

// An advisory made from a vulnerability case names the case by its
// reference (advisories.case_reference, migration 00011), so that
// publishing it can respect the case's embargo and record itself in the
// case's history. Advisories made from a release's findings name none.

// LinkAdvisoryCase records that the advisory advisoryID was made from the
// case caseReference. An unknown advisory is ErrNotFound.
func (s *Store) LinkAdvisoryCase(ctx context.Context, advisoryID, caseReference string) error {
	if caseReference == "" {
		return fmt.Errorf("store: link advisory case: %w: empty case reference", ErrInvalid)
	}
	return s.inTx(ctx, "link advisory case", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE advisories SET case_reference = $2 WHERE id = $1`, advisoryID, caseReference)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// AdvisoryCase returns the reference of the case the advisory was made
// from, "" when none. An unknown advisory is ErrNotFound.
func (s *Store) AdvisoryCase(ctx context.Context, advisoryID string) (string, error) {
	var ref sql.NullString
	err := s.q().QueryRowContext(ctx, `SELECT case_reference FROM advisories WHERE id = $1`, advisoryID).Scan(&ref)
	if err != nil {
		return "", fmt.Errorf("store: advisory case: %w", notFound(err))
	}
	return ref.String, nil
}

// ListCaseAdvisories returns the advisories made from the case
// caseReference, newest first.
func (s *Store) ListCaseAdvisories(ctx context.Context, caseReference string) ([]Advisory, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+advisoryColumns+` FROM advisories WHERE case_reference = $1
		ORDER BY created_at DESC, id DESC`, caseReference)
	if err != nil {
		return nil, fmt.Errorf("store: list case advisories: %w", err)
	}
	defer rows.Close()
	var out []Advisory
	for rows.Next() {
		a, err := scanAdvisory(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list case advisories: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list case advisories: %w", err)
	}
	return out, nil
}
