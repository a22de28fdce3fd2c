package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Role is a global or per-product role, lowest first.
type Role string

// Roles, from least to most privilege. Memberships use all but RoleAdmin.
const (
	RoleViewer          Role = "viewer"
	RoleContributor     Role = "contributor"
	RoleSecurityOfficer Role = "security_officer"
	RoleAdmin           Role = "admin"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleViewer, RoleContributor, RoleSecurityOfficer, RoleAdmin:
		return true
	}
	return false
}

// User is an account. PasswordHash is the encoded argon2id hash and
// MFASecret the sealed TOTP secret, both as the auth package gives them.
type User struct {
	ID           string
	Email        string
	DisplayName  string
	PasswordHash string
	Role         Role
	MFASecret    []byte
	MFAEnabled   bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DisabledAt   time.Time // zero: enabled
}

// EmailKey is the form in which e-mail addresses are compared: trimmed and
// lower-cased, so that Alice@Example.org and alice@example.org are one user.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

const userColumns = `id, email, display_name, password_hash, role, mfa_secret, mfa_enabled, created_at, updated_at, disabled_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var (
		u                User
		role             string
		mfa              int64
		created, updated int64
		disabled         sql.NullInt64
	)
	if err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &role, &u.MFASecret, &mfa, &created, &updated, &disabled); err != nil {
		return User{}, notFound(err)
	}
	u.Role = Role(role)
	u.MFAEnabled = mfa == 1
	u.CreatedAt, u.UpdatedAt, u.DisabledAt = fromDB(created), fromDB(updated), optFromDB(disabled)
	return u, nil
}

func checkUser(u User) error {
	if EmailKey(u.Email) == "" {
		return fmt.Errorf("%w: empty e-mail address", ErrInvalid)
	}
	if !u.Role.Valid() {
		return fmt.Errorf("%w: unknown role %q", ErrInvalid, u.Role)
	}
	return nil
}

// CreateUser stores a new user. An empty ID is generated, an empty Role
// becomes RoleViewer and zero CreatedAt/UpdatedAt become now. A taken
// e-mail address is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	if u.Role == "" {
		u.Role = RoleViewer
	}
	if err := checkUser(u); err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	if u.ID == "" {
		id, err := newID()
		if err != nil {
			return User{}, fmt.Errorf("store: create user: %w", err)
		}
		u.ID = id
	}
	now := s.now().UTC()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	err := s.inTx(ctx, "create user", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`, email_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			u.ID, strings.TrimSpace(u.Email), u.DisplayName, u.PasswordHash, string(u.Role), u.MFASecret,
			boolToDB(u.MFAEnabled), toDB(u.CreatedAt), toDB(u.UpdatedAt), optToDB(u.DisabledAt), EmailKey(u.Email))
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, u.ID)
}

// GetUser returns the user with id, or ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id string) (User, error) {
	u, err := scanUser(s.q().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return User{}, fmt.Errorf("store: get user: %w", err)
	}
	return u, nil
}

// GetUserByEmail finds a user by e-mail address, compared by EmailKey.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.q().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email_key = $1`, EmailKey(email)))
	if err != nil {
		return User{}, fmt.Errorf("store: get user by e-mail: %w", err)
	}
	return u, nil
}

// ListUsers returns every user ordered by e-mail address.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email_key`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, nil
}

// CountUsers counts all users, disabled ones included (craft serve offers
// first-run setup only while it is 0).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// UpdateUser writes every field of u except ID and CreatedAt; UpdatedAt
// becomes now. ErrNotFound when no such user, ErrConflict when the new
// e-mail address is taken.
func (s *Store) UpdateUser(ctx context.Context, u User) (User, error) {
	if err := checkUser(u); err != nil {
		return User{}, fmt.Errorf("store: update user: %w", err)
	}
	err := s.inTx(ctx, "update user", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET email = $2, email_key = $3, display_name = $4,
			password_hash = $5, role = $6, mfa_secret = $7, mfa_enabled = $8, updated_at = $9, disabled_at = $10
			WHERE id = $1`,
			u.ID, strings.TrimSpace(u.Email), EmailKey(u.Email), u.DisplayName, u.PasswordHash, string(u.Role),
			u.MFASecret, boolToDB(u.MFAEnabled), toDB(s.now()), optToDB(u.DisabledAt))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, u.ID)
}

// DeleteUser removes a user with their sessions, tokens, memberships and
// recovery codes. Audit events that name the user stay.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.inTx(ctx, "delete user", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}
