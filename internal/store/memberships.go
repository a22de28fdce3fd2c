package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Membership gives a user a role on one product (least privilege: a user
// sees only the products they are a member of, unless a global admin).
// Role is RoleViewer, RoleContributor or RoleSecurityOfficer.
type Membership struct {
	UserID    string
	ProductID string
	Role      Role
	CreatedAt time.Time
}

// SetMembership adds or changes a user's role on a product. A missing user
// or product is ErrConflict.
func (s *Store) SetMembership(ctx context.Context, m Membership) error {
	if !m.Role.Valid() || m.Role == RoleAdmin {
		return fmt.Errorf("store: set membership: %w: role %q (want viewer, contributor or security_officer)", ErrInvalid, m.Role)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	return s.inTx(ctx, "set membership", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, product_id, role, created_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id, product_id) DO UPDATE SET role = excluded.role`,
			m.UserID, m.ProductID, string(m.Role), toDB(m.CreatedAt))
		return err
	})
}

// GetMembership returns a user's membership of a product, or ErrNotFound
// when they have none (and so no access).
func (s *Store) GetMembership(ctx context.Context, userID, productID string) (Membership, error) {
	var (
		m    Membership
		role string
		at   int64
	)
	err := s.q().QueryRowContext(ctx, `SELECT user_id, product_id, role, created_at FROM memberships
		WHERE user_id = $1 AND product_id = $2`, userID, productID).Scan(&m.UserID, &m.ProductID, &role, &at)
	if err != nil {
		return Membership{}, fmt.Errorf("store: get membership: %w", notFound(err))
	}
	m.Role, m.CreatedAt = Role(role), fromDB(at)
	return m, nil
}

// ListMemberships lists memberships of a user (productID empty), of a
// product (userID empty) or of both, ordered by user then product.
func (s *Store) ListMemberships(ctx context.Context, userID, productID string) ([]Membership, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT user_id, product_id, role, created_at FROM memberships
		WHERE ($1 = '' OR user_id = $1) AND ($2 = '' OR product_id = $2)
		ORDER BY user_id, product_id`, userID, productID)
	if err != nil {
		return nil, fmt.Errorf("store: list memberships: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var (
			m    Membership
			role string
			at   int64
		)
		if err := rows.Scan(&m.UserID, &m.ProductID, &role, &at); err != nil {
			return nil, fmt.Errorf("store: list memberships: %w", err)
		}
		m.Role, m.CreatedAt = Role(role), fromDB(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list memberships: %w", err)
	}
	return out, nil
}

// DeleteMembership removes a user's access to a product.
func (s *Store) DeleteMembership(ctx context.Context, userID, productID string) error {
	return s.inTx(ctx, "delete membership", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE user_id = $1 AND product_id = $2`, userID, productID)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}
