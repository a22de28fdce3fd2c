package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Session is a signed-in browser. ID is a hash of the session token (the
// cookie value); the token itself is never stored, so a copy of the
// database cannot be used to take over sessions.
type Session struct {
	ID                string
	UserID            string
	CreatedAt         time.Time
	LastSeenAt        time.Time
	ExpiresAt         time.Time // idle timeout: moved forward by TouchSession
	AbsoluteExpiresAt time.Time // hard limit: never moved
	IP                string
	UserAgent         string
	MFAPassed         bool
}

const sessionColumns = `id, user_id, created_at, last_seen_at, expires_at, absolute_expires_at, ip, user_agent, mfa_passed`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var (
		x                          Session
		created, seen, exp, absExp int64
		mfa                        int64
	)
	if err := row.Scan(&x.ID, &x.UserID, &created, &seen, &exp, &absExp, &x.IP, &x.UserAgent, &mfa); err != nil {
		return Session{}, notFound(err)
	}
	x.CreatedAt, x.LastSeenAt, x.ExpiresAt, x.AbsoluteExpiresAt = fromDB(created), fromDB(seen), fromDB(exp), fromDB(absExp)
	x.MFAPassed = mfa == 1
	return x, nil
}

func insertSession(ctx context.Context, q querier, x Session) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		x.ID, x.UserID, toDB(x.CreatedAt), toDB(x.LastSeenAt), toDB(x.ExpiresAt), toDB(x.AbsoluteExpiresAt),
		x.IP, x.UserAgent, boolToDB(x.MFAPassed))
	return err
}

func checkSession(x Session) error {
	if x.ID == "" || x.UserID == "" {
		return fmt.Errorf("%w: session needs an id (token hash) and a user", ErrInvalid)
	}
	if x.ExpiresAt.IsZero() || x.AbsoluteExpiresAt.IsZero() {
		return fmt.Errorf("%w: session needs idle and absolute expiry times", ErrInvalid)
	}
	return nil
}

// CreateSession stores a session. Zero CreatedAt and LastSeenAt become now.
func (s *Store) CreateSession(ctx context.Context, x Session) (Session, error) {
	x = defaultSessionTimes(x, s.now())
	if err := checkSession(x); err != nil {
		return Session{}, fmt.Errorf("store: create session: %w", err)
	}
	if err := s.inTx(ctx, "create session", func(tx *sql.Tx) error { return insertSession(ctx, tx, x) }); err != nil {
		return Session{}, err
	}
	return s.GetSession(ctx, x.ID)
}

// RotateSession replaces the session oldID with x in one transaction (at
// login, at MFA, at a privilege change), so the old token stops working at
// the moment the new one starts. A missing old session is ErrNotFound.
func (s *Store) RotateSession(ctx context.Context, oldID string, x Session) (Session, error) {
	x = defaultSessionTimes(x, s.now())
	if err := checkSession(x); err != nil {
		return Session{}, fmt.Errorf("store: rotate session: %w", err)
	}
	err := s.inTx(ctx, "rotate session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, oldID)
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return err
		}
		return insertSession(ctx, tx, x)
	})
	if err != nil {
		return Session{}, err
	}
	return s.GetSession(ctx, x.ID)
}

func defaultSessionTimes(x Session, now time.Time) Session {
	if x.CreatedAt.IsZero() {
		x.CreatedAt = now
	}
	if x.LastSeenAt.IsZero() {
		x.LastSeenAt = x.CreatedAt
	}
	return x
}

// GetSession returns the session with id (a token hash), expired or not:
// the caller compares ExpiresAt and AbsoluteExpiresAt with its clock.
func (s *Store) GetSession(ctx context.Context, id string) (Session, error) {
	x, err := scanSession(s.q().QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	if err != nil {
		return Session{}, fmt.Errorf("store: get session: %w", err)
	}
	return x, nil
}

// GetSessionUser returns a session and its user in one query: what an
// authenticated request needs first.
func (s *Store) GetSessionUser(ctx context.Context, id string) (Session, User, error) {
	var (
		x                          Session
		created, seen, exp, absExp int64
		mfa                        int64
	)
	row := s.q().QueryRowContext(ctx, `SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at,
		s.absolute_expires_at, s.ip, s.user_agent, s.mfa_passed,
		u.id, u.email, u.display_name, u.password_hash, u.role, u.mfa_secret, u.mfa_enabled, u.created_at, u.updated_at, u.disabled_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id)
	u, err := scanUser(prefixScanner{row: row, prefix: []any{&x.ID, &x.UserID, &created, &seen, &exp, &absExp, &x.IP, &x.UserAgent, &mfa}})
	if err != nil {
		return Session{}, User{}, fmt.Errorf("store: get session: %w", err)
	}
	x.CreatedAt, x.LastSeenAt, x.ExpiresAt, x.AbsoluteExpiresAt = fromDB(created), fromDB(seen), fromDB(exp), fromDB(absExp)
	x.MFAPassed = mfa == 1
	return x, u, nil
}

// prefixScanner scans leading columns into prefix before the ones its
// caller asks for, so scanUser can read a joined row.
type prefixScanner struct {
	row    interface{ Scan(...any) error }
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.row.Scan(append(append([]any{}, p.prefix...), dest...)...)
}

// ListSessions lists a user's sessions, newest first.
func (s *Store) ListSessions(ctx context.Context, userID string) ([]Session, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1
		ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list sessions: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return out, nil
}

// TouchSession records activity: LastSeenAt becomes now and ExpiresAt
// becomes expiresAt, but never later than the absolute expiry. It is a
// write: call it when LastSeenAt is older than a minute or so, not on every
// request (on SQLite all writes share one connection).
func (s *Store) TouchSession(ctx context.Context, id string, now, expiresAt time.Time) error {
	return s.inTx(ctx, "touch session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2,
			expires_at = CASE WHEN $3 < absolute_expires_at THEN $3 ELSE absolute_expires_at END
			WHERE id = $1`, id, toDB(now), toDB(expiresAt))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// SetSessionMFAPassed marks a session as having passed the MFA challenge.
func (s *Store) SetSessionMFAPassed(ctx context.Context, id string) error {
	return s.inTx(ctx, "mark session mfa", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET mfa_passed = 1 WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// DeleteSession ends one session (log out).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.inTx(ctx, "delete session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// DeleteUserSessions ends every session of a user except keepID (empty:
// all), for "log out everywhere" and after a password change, and returns
// how many ended.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keepID string) (int, error) {
	var n int64
	err := s.inTx(ctx, "delete user sessions", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// DeleteExpiredSessions removes sessions whose idle or absolute expiry is
// at or before now, and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, "delete expired sessions", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR absolute_expires_at <= $1`, toDB(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
