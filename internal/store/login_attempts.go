package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LoginAttempt counts failed sign-ins for one key: "user:<id>" or
// "ip:<address>". The throttling policy (how long a lock lasts) belongs to
// the caller; the store counts atomically.
type LoginAttempt struct {
	Key           string
	Failures      int
	LastFailureAt time.Time
	LockedUntil   time.Time // zero: not locked
}

// GetLoginAttempt returns the counter for key; a key with no failures
// recorded is a zero LoginAttempt with that Key, not an error.
func (s *Store) GetLoginAttempt(ctx context.Context, key string) (LoginAttempt, error) {
	a, err := getLoginAttempt(ctx, s.q(), key)
	if err != nil {
		return LoginAttempt{}, fmt.Errorf("store: get login attempt: %w", err)
	}
	return a, nil
}

func getLoginAttempt(ctx context.Context, q querier, key string) (LoginAttempt, error) {
	var (
		last   int64
		locked sql.NullInt64
	)
	a := LoginAttempt{Key: key}
	err := q.QueryRowContext(ctx, `SELECT failures, last_failure_at, locked_until FROM login_attempts WHERE attempt_key = $1`, key).
		Scan(&a.Failures, &last, &locked)
	if err == sql.ErrNoRows {
		return a, nil
	}
	if err != nil {
		return LoginAttempt{}, err
	}
	a.LastFailureAt, a.LockedUntil = fromDB(last), optFromDB(locked)
	return a, nil
}

// RecordLoginFailure adds one failure for key at now and, when lockUntil is
// not nil, sets LockedUntil to lockUntil(failures) (the new count; a zero
// time means no lock), all in one transaction, and returns the new state.
func (s *Store) RecordLoginFailure(ctx context.Context, key string, now time.Time, lockUntil func(failures int) time.Time) (LoginAttempt, error) {
	if key == "" {
		return LoginAttempt{}, fmt.Errorf("store: record login failure: %w: empty key", ErrInvalid)
	}
	var a LoginAttempt
	err := s.inTx(ctx, "record login failure", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (attempt_key, failures, last_failure_at) VALUES ($1, 1, $2)
			ON CONFLICT (attempt_key) DO UPDATE SET failures = login_attempts.failures + 1, last_failure_at = excluded.last_failure_at`,
			key, toDB(now))
		if err != nil {
			return err
		}
		a, err = getLoginAttempt(ctx, tx, key)
		if err != nil {
			return err
		}
		if lockUntil != nil {
			a.LockedUntil = lockUntil(a.Failures)
			_, err = tx.ExecContext(ctx, `UPDATE login_attempts SET locked_until = $2 WHERE attempt_key = $1`, key, optToDB(a.LockedUntil))
		}
		return err
	})
	if err != nil {
		return LoginAttempt{}, err
	}
	return a, nil
}

// ResetLoginAttempts forgets the failures of key (after a good sign-in).
func (s *Store) ResetLoginAttempts(ctx context.Context, key string) error {
	return s.inTx(ctx, "reset login attempts", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE attempt_key = $1`, key)
		return err
	})
}

// DeleteStaleLoginAttempts forgets counters whose last failure is before
// before and that are not locked past it, and returns how many.
func (s *Store) DeleteStaleLoginAttempts(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, "delete stale login attempts", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE last_failure_at < $1
			AND (locked_until IS NULL OR locked_until < $1)`, toDB(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
