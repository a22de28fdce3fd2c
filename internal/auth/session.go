package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Session defaults (OWASP Session Management Cheat Sheet: idle 15–30
// minutes, absolute 4–8 hours for most applications; craft allows a
// working day).
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	// sessionTouchEvery bounds writes: activity moves the idle deadline
	// at most once a minute.
	sessionTouchEvery = time.Minute
)

// Sessions creates, checks, rotates and ends browser sessions. A session
// token is 32 random bytes (base64url) that only the browser holds; the
// store keeps SHA-256(token) as the session id.
type Sessions struct {
	Store SessionStore
	Users UserStore
	// IdleTimeout and AbsoluteTimeout: zero means the defaults.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	MFA             MFAPolicy
	Now             func() time.Time
}

// NewSession is a session just made: Token goes into the cookie, once.
type NewSession struct {
	Token   string
	Session Session
}

// SessionID is the stored id of a session token.
func SessionID(token string) string { return sha256Hex(token) }

// Create starts a session for a user who just passed the password step.
// mfaPassed is false when a second factor is still to come.
func (m *Sessions) Create(ctx context.Context, userID, ip, userAgent string, mfaPassed bool) (NewSession, error) {
	token, err := newSecret()
	if err != nil {
		return NewSession{}, err
	}
	now := m.now()
	s := Session{
		ID: SessionID(token), UserID: userID, CreatedAt: now, LastSeenAt: now,
		AbsoluteExpiresAt: now.Add(m.absolute()), IP: ip, UserAgent: userAgent, MFAPassed: mfaPassed,
	}
	s.ExpiresAt = earliest(now.Add(m.idle()), s.AbsoluteExpiresAt)
	stored, err := m.Store.CreateSession(ctx, s)
	if err != nil {
		return NewSession{}, fmt.Errorf("auth: create session: %w", err)
	}
	return NewSession{Token: token, Session: stored}, nil
}

// Rotate replaces the session of oldToken with a new token, at a change of
// privilege (MFA passed, role changed): the old token stops working at
// once. The absolute deadline stays the one set at sign-in.
func (m *Sessions) Rotate(ctx context.Context, oldToken string, mfaPassed bool) (NewSession, error) {
	old, err := m.Validate(ctx, oldToken)
	if err != nil {
		return NewSession{}, err
	}
	token, err := newSecret()
	if err != nil {
		return NewSession{}, err
	}
	now := m.now()
	s := old
	s.ID, s.LastSeenAt, s.MFAPassed = SessionID(token), now, mfaPassed
	s.ExpiresAt = earliest(now.Add(m.idle()), s.AbsoluteExpiresAt)
	stored, err := m.Store.RotateSession(ctx, old.ID, s)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return NewSession{}, ErrUnauthenticated
		}
		return NewSession{}, fmt.Errorf("auth: rotate session: %w", err)
	}
	return NewSession{Token: token, Session: stored}, nil
}

// Validate returns the live session of token and records the activity
// (moving the idle deadline, at most once a minute). A malformed, unknown,
// idle-expired or absolutely expired token is ErrUnauthenticated; an
// expired session is deleted.
func (m *Sessions) Validate(ctx context.Context, token string) (Session, error) {
	if !validSecret(token) {
		return Session{}, ErrUnauthenticated
	}
	s, err := m.Store.GetSession(ctx, SessionID(token))
	if errors.Is(err, ErrNotFound) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, fmt.Errorf("auth: session: %w", err)
	}
	now := m.now()
	// Deadlines are checked against the policy now in force as well as the
	// stored ones, so shortening a timeout applies to live sessions.
	idleEnd := earliest(s.ExpiresAt, s.LastSeenAt.Add(m.idle()))
	absEnd := earliest(s.AbsoluteExpiresAt, s.CreatedAt.Add(m.absolute()))
	if !now.Before(idleEnd) || !now.Before(absEnd) {
		if err := m.Store.DeleteSession(ctx, s.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return Session{}, fmt.Errorf("auth: end expired session: %w", err)
		}
		return Session{}, ErrUnauthenticated
	}
	if now.Sub(s.LastSeenAt) >= sessionTouchEvery {
		exp := earliest(now.Add(m.idle()), s.AbsoluteExpiresAt)
		if err := m.Store.TouchSession(ctx, s.ID, now, exp); err != nil {
			if errors.Is(err, ErrNotFound) {
				return Session{}, ErrUnauthenticated
			}
			return Session{}, fmt.Errorf("auth: touch session: %w", err)
		}
		s.LastSeenAt, s.ExpiresAt = now, exp
	}
	return s, nil
}

// Principal authenticates a request by its session token: the user must
// exist and be enabled. A session still waiting for its second factor (or
// whose user must enrol one) gives a principal with MFAPending set.
func (m *Sessions) Principal(ctx context.Context, token string) (Principal, Session, error) {
	s, err := m.Validate(ctx, token)
	if err != nil {
		return Principal{}, Session{}, err
	}
	u, err := m.Users.GetUser(ctx, s.UserID)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, Session{}, fmt.Errorf("auth: session user: %w", err)
	}
	if u.Disabled() {
		return Principal{}, Session{}, ErrUnauthenticated
	}
	ms, err := m.Users.ListMemberships(ctx, u.ID, "")
	if err != nil {
		return Principal{}, Session{}, fmt.Errorf("auth: memberships: %w", err)
	}
	p := NewUserPrincipal(u, ms)
	p.SessionID = s.ID
	p.MFAPending = !s.MFAPassed && m.MFA.Required(u)
	return p, s, nil
}

// Revoke ends the session of token (log out). An unknown token is not an
// error: the result is the same.
func (m *Sessions) Revoke(ctx context.Context, token string) error {
	if !validSecret(token) {
		return nil
	}
	return m.RevokeID(ctx, SessionID(token))
}

// RevokeID ends one session by its id (from the account page's list; the
// caller checks that the session is the user's own).
func (m *Sessions) RevokeID(ctx context.Context, id string) error {
	if err := m.Store.DeleteSession(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("auth: revoke session: %w", err)
	}
	return nil
}

// RevokeAll ends every session of the user except keepID ("" for all):
// "log out everywhere", and after a password change.
func (m *Sessions) RevokeAll(ctx context.Context, userID, keepID string) (int, error) {
	n, err := m.Store.DeleteUserSessions(ctx, userID, keepID)
	if err != nil {
		return 0, fmt.Errorf("auth: revoke sessions: %w", err)
	}
	return n, nil
}

// List returns the user's sessions for the account page.
func (m *Sessions) List(ctx context.Context, userID string) ([]Session, error) {
	s, err := m.Store.ListSessions(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	return s, nil
}

func (m *Sessions) idle() time.Duration {
	if m.IdleTimeout > 0 {
		return m.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (m *Sessions) absolute() time.Duration {
	if m.AbsoluteTimeout > 0 {
		return m.AbsoluteTimeout
	}
	return DefaultAbsoluteTimeout
}

func (m *Sessions) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
