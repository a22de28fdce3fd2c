package store

import (
	"context"
	"fmt"
)

// ListUsersPage returns up to limit+1 users ordered by EmailKey of their
// address, starting after afterKey (an EmailKey; "" for the first page).
func (s *Store) ListUsersPage(ctx context.Context, afterKey string, limit int) ([]User, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE email_key > $1
		ORDER BY email_key LIMIT $2`, afterKey, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: users page: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users page: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: users page: %w", err)
	}
	return out, nil
}
