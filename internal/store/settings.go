package store

import (
	"context"
	"database/sql"
	"fmt"
)

// GetSetting returns the value of a setting, or ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, name string) (string, error) {
	var v string
	if err := s.q().QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v); err != nil {
		return "", fmt.Errorf("store: get setting %q: %w", name, notFound(err))
	}
	return v, nil
}

// SetSetting creates or replaces a setting.
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	if name == "" {
		return fmt.Errorf("store: set setting: %w: empty name", ErrInvalid)
	}
	return s.inTx(ctx, "set setting", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			name, value, toDB(s.now()))
		return err
	})
}

// ListSettings returns every setting.
func (s *Store) ListSettings(ctx context.Context) (map[string]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("store: list settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: list settings: %w", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list settings: %w", err)
	}
	return out, nil
}

// DeleteSetting removes a setting; a missing one is ErrNotFound.
func (s *Store) DeleteSetting(ctx context.Context, name string) error {
	return s.inTx(ctx, "delete setting", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE name = $1`, name)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}
