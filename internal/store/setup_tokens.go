package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CreateSetupToken stores the hash of a first-run setup token that is valid
// until expiresAt and can be consumed once.
func (s *Store) CreateSetupToken(ctx context.Context, hash string, expiresAt time.Time) error {
	if hash == "" {
		return fmt.Errorf("store: create setup token: %w: empty hash", ErrInvalid)
	}
	return s.inTx(ctx, "create setup token", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)`,
			hash, toDB(s.now()), toDB(expiresAt))
		return err
	})
}

// ConsumeSetupToken uses the setup token with this hash, atomically: it
// succeeds once, for an unused token that has not expired at now. Every
// other case (unknown, used, expired, or lost a race) is ErrNotFound, so a
// caller cannot tell them apart and neither can an attacker.
func (s *Store) ConsumeSetupToken(ctx context.Context, hash string, now time.Time) error {
	return s.inTx(ctx, "consume setup token", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE setup_tokens SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hash, toDB(now))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// DeleteSetupTokens removes every setup token (after setup, or when a new
// one replaces them) and returns how many.
func (s *Store) DeleteSetupTokens(ctx context.Context) (int, error) {
	var n int64
	err := s.inTx(ctx, "delete setup tokens", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
