package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// APIToken is a token for the JSON API. TokenHash is a hash of the token,
// which is shown once and never stored. A token acts with at most Role and,
// when Products is non-nil, only on those products (an empty non-nil list:
// on none). The caller also caps both by the owner's own rights.
type APIToken struct {
	ID         string
	UserID     string
	Name       string
	TokenHash  string
	Role       Role
	Products   []string // nil: not product-scoped
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: no expiry
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: not revoked
}

const tokenColumns = `id, user_id, name, token_hash, role, product_scoped, created_at, expires_at, last_used_at, revoked_at`

// CreateAPIToken stores a token and its product scope in one transaction;
// an empty ID is generated. A scope naming a missing product is
// ErrConflict and stores nothing.
func (s *Store) CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error) {
	if t.UserID == "" || t.TokenHash == "" || strings.TrimSpace(t.Name) == "" {
		return APIToken{}, fmt.Errorf("store: create api token: %w: needs a user, a name and a token hash", ErrInvalid)
	}
	if !t.Role.Valid() {
		return APIToken{}, fmt.Errorf("store: create api token: %w: unknown role %q", ErrInvalid, t.Role)
	}
	if t.ID == "" {
		id, err := newID()
		if err != nil {
			return APIToken{}, fmt.Errorf("store: create api token: %w", err)
		}
		t.ID = id
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	err := s.inTx(ctx, "create api token", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			t.ID, t.UserID, strings.TrimSpace(t.Name), t.TokenHash, string(t.Role), boolToDB(t.Products != nil),
			toDB(t.CreatedAt), optToDB(t.ExpiresAt), optToDB(t.LastUsedAt), optToDB(t.RevokedAt))
		if err != nil {
			return err
		}
		for _, p := range t.Products {
			if _, err := tx.ExecContext(ctx, `INSERT INTO api_token_products (token_id, product_id) VALUES ($1, $2)`, t.ID, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return APIToken{}, err
	}
	return s.GetAPIToken(ctx, t.ID)
}

// GetAPIToken returns a token by ID, or ErrNotFound.
func (s *Store) GetAPIToken(ctx context.Context, id string) (APIToken, error) {
	return s.getToken(ctx, "get api token", `id = $1`, id)
}

// GetAPITokenByHash finds the token whose hash is hash, revoked and expired
// ones included: the caller checks RevokedAt and ExpiresAt.
func (s *Store) GetAPITokenByHash(ctx context.Context, hash string) (APIToken, error) {
	return s.getToken(ctx, "get api token", `token_hash = $1`, hash)
}

func (s *Store) getToken(ctx context.Context, what, where string, arg string) (APIToken, error) {
	ts, err := s.listTokens(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE `+where, arg)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: %s: %w", what, err)
	}
	if len(ts) == 0 {
		return APIToken{}, fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return ts[0], nil
}

// ListAPITokens lists a user's tokens, newest first, revoked ones included.
func (s *Store) ListAPITokens(ctx context.Context, userID string) ([]APIToken, error) {
	ts, err := s.listTokens(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list api tokens: %w", err)
	}
	return ts, nil
}

func (s *Store) listTokens(ctx context.Context, query string, args ...any) ([]APIToken, error) {
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out    []APIToken
		scoped []bool
	)
	for rows.Next() {
		var (
			t                      APIToken
			role                   string
			sc, created            int64
			expires, used, revoked sql.NullInt64
		)
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &role, &sc, &created, &expires, &used, &revoked); err != nil {
			return nil, err
		}
		t.Role = Role(role)
		t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromDB(created), optFromDB(expires), optFromDB(used), optFromDB(revoked)
		out = append(out, t)
		scoped = append(scoped, sc == 1)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if !scoped[i] {
			continue
		}
		ps, err := s.tokenProducts(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Products = ps
	}
	return out, nil
}

func (s *Store) tokenProducts(ctx context.Context, tokenID string) ([]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT product_id FROM api_token_products WHERE token_id = $1 ORDER BY product_id`, tokenID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out, rows.Err()
}

// TouchAPIToken records a use of the token at now.
func (s *Store) TouchAPIToken(ctx context.Context, id string, now time.Time) error {
	return s.inTx(ctx, "touch api token", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, toDB(now))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// RevokeAPIToken revokes a token of userID at now. The row stays (for the
// account page and the audit trail); revoking twice keeps the first time.
// A token of another user is ErrNotFound.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id string, now time.Time) error {
	return s.inTx(ctx, "revoke api token", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3)
			WHERE id = $1 AND user_id = $2`, id, userID, toDB(now))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// RevokeUserAPITokens revokes every token of a user (account disabled,
// "log out everywhere") and returns how many were newly revoked.
func (s *Store) RevokeUserAPITokens(ctx context.Context, userID string, now time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, "revoke user api tokens", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, toDB(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
