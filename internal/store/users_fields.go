package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Narrow updates of one user field each. Unlike UpdateUser they do not
// need the whole row, so two administrators changing different fields at
// once cannot undo each other's change. Each sets updated_at and returns
// ErrNotFound for a missing user.

// SetUserPasswordHash stores a new password hash.
func (s *Store) SetUserPasswordHash(ctx context.Context, id, hash string) error {
	return s.setUserField(ctx, "set password hash", `password_hash = $2`, id, hash)
}

// SetUserRole changes a user's global role.
func (s *Store) SetUserRole(ctx context.Context, id string, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("store: set user role: %w: unknown role %q", ErrInvalid, role)
	}
	return s.setUserField(ctx, "set user role", `role = $2`, id, string(role))
}

// SetUserMFA stores the sealed TOTP secret and whether MFA is on; a nil
// secret with enabled false turns MFA off and forgets the secret.
func (s *Store) SetUserMFA(ctx context.Context, id string, sealedSecret []byte, enabled bool) error {
	return s.setUserField(ctx, "set user mfa", `mfa_secret = $2, mfa_enabled = $3`, id, sealedSecret, boolToDB(enabled))
}

// SetUserDisabled disables a user at the given time, or enables them again
// when it is zero.
func (s *Store) SetUserDisabled(ctx context.Context, id string, at time.Time) error {
	return s.setUserField(ctx, "set user disabled", `disabled_at = $2`, id, optToDB(at))
}

func (s *Store) setUserField(ctx context.Context, what, set, id string, args ...any) error {
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		n := len(args) + 2
		all := append([]any{id}, args...)
		all = append(all, toDB(s.now()))
		res, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE users SET %s, updated_at = $%d WHERE id = $1`, set, n), all...)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}
