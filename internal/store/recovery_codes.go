package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SetRecoveryCodes replaces all of a user's MFA recovery codes with hashes
// (the auth package hashes the codes; the store never sees them).
func (s *Store) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	return s.inTx(ctx, "set recovery codes", func(tx *sql.Tx) error {
		if err := existsUser(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if h == "" {
				return fmt.Errorf("%w: empty recovery code hash", ErrInvalid)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecoveryCodeHashes lists the hashes of a user's unused recovery codes.
func (s *Store) RecoveryCodeHashes(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY code_hash`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: recovery codes: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("store: recovery codes: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recovery codes: %w", err)
	}
	return out, nil
}

// UseRecoveryCode marks one unused code as used, atomically: of two
// concurrent uses of the same code, one wins and the other gets
// ErrNotFound.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	return s.inTx(ctx, "use recovery code", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $3
			WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash, toDB(now))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

func existsUser(ctx context.Context, q querier, id string) error {
	var one int
	if err := q.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`, id).Scan(&one); err != nil {
		return fmt.Errorf("user %q: %w", id, notFound(err))
	}
	return nil
}
