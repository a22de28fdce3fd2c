package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AcquireLease takes the lease name for holder for ttl, and reports whether
// holder has it now. It succeeds when nobody holds the lease, when the
// holder's lease has expired, or when holder already holds it (which
// extends it). Several craft serve processes on one PostgreSQL call this
// before a background job, so the job runs in one of them only.
//
// Expiry uses the store's clock (Config.Now): across machines, keep ttl
// well above the clock skew between them.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, fmt.Errorf("store: acquire lease: %w: needs a name, a holder and a positive ttl", ErrInvalid)
	}
	now := s.now()
	var got bool
	err := s.inTx(ctx, "acquire lease", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
			WHERE leases.expires_at <= $3 OR leases.holder = excluded.holder`,
			name, holder, toDB(now), toDB(now.Add(ttl)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// RenewLease extends holder's unexpired lease to now+ttl and reports
// whether holder still has it; false means another process may have taken
// it over and the job must stop.
func (s *Store) RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("store: renew lease: %w: ttl must be positive", ErrInvalid)
	}
	now := s.now()
	var got bool
	err := s.inTx(ctx, "renew lease", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = $4
			WHERE name = $1 AND holder = $2 AND expires_at > $3`, name, holder, toDB(now), toDB(now.Add(ttl)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// ReleaseLease gives up holder's lease so another process can take it at
// once. Releasing a lease one does not hold does nothing.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.inTx(ctx, "release lease", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder)
		return err
	})
}
