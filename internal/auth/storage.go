package auth

import (
	"context"
	"time"
)

// User is an account as storage keeps it.
type User struct {
	ID          string
	Email       string
	DisplayName string
	// PasswordHash is an argon2id PHC string, "" when no password is set.
	PasswordHash string
	Role         Role
	// MFASecret is the TOTP secret sealed by a [Sealer]; MFAEnabled is set
	// once the user confirmed enrolment with a valid code.
	MFASecret  []byte
	MFAEnabled bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// DisabledAt, when set, means the account cannot sign in.
	DisabledAt time.Time
}

// Disabled reports whether the account is switched off.
func (u User) Disabled() bool { return !u.DisabledAt.IsZero() }

// Membership gives a user a role on one product.
type Membership struct {
	UserID    string
	ProductID string
	Role      Role
}

// Session is a signed-in browser. ID is the SHA-256 of the session token
// (hex); the token itself is never stored.
type Session struct {
	ID                string
	UserID            string
	CreatedAt         time.Time
	LastSeenAt        time.Time
	ExpiresAt         time.Time // idle deadline, moved on by activity
	AbsoluteExpiresAt time.Time // hard deadline from sign-in
	IP                string
	UserAgent         string
	MFAPassed         bool
}

// APIToken is a stored API token. TokenHash is the SHA-256 of the token
// (hex); the token itself is never stored.
type APIToken struct {
	ID        string
	UserID    string
	Name      string
	TokenHash string
	Role      Role
	// Products, when not nil, is the only products the token may touch.
	Products   []string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: not revoked
}

// LoginAttempt counts failures for one key ("user:…", "ip:…", "mfa:…").
type LoginAttempt struct {
	Key           string
	Failures      int
	LastFailureAt time.Time
	LockedUntil   time.Time // informational: the wait the policy set
}

// The storage interfaces below have the method names and shapes of
// internal/store, so that internal/auth/authstore only converts structs.
// A missing row is an error matching ErrNotFound.

// UserStore reads and changes accounts.
type UserStore interface {
	GetUser(ctx context.Context, id string) (User, error)
	// GetUserByEmail compares addresses by [EmailKey].
	GetUserByEmail(ctx context.Context, email string) (User, error)
	// CreateUser stores u (an empty ID is generated) and returns it.
	CreateUser(ctx context.Context, u User) (User, error)
	// UpdateUser writes every field of u except ID and CreatedAt.
	UpdateUser(ctx context.Context, u User) (User, error)
	CountUsers(ctx context.Context) (int, error)
	// ListUsers lists every account.
	ListUsers(ctx context.Context) ([]User, error)
	// ListMemberships lists a user's memberships (productID "") or one.
	ListMemberships(ctx context.Context, userID, productID string) ([]Membership, error)
}

// MFAStore keeps what TOTP and recovery codes need besides the user row.
type MFAStore interface {
	// UseTOTPStep records, atomically, that the user's code of this time
	// step was accepted, and reports whether it was the first time. false
	// means the code is being replayed (RFC 6238 §5.2).
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	// SetRecoveryCodes replaces the user's recovery code hashes.
	SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error
	// UseRecoveryCode marks the unused code with this hash as used,
	// atomically; ErrNotFound when there is none.
	UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error
	// RecoveryCodeHashes lists the hashes of unused codes.
	RecoveryCodeHashes(ctx context.Context, userID string) ([]string, error)
}

// SessionStore keeps sessions by the hash of their token.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) (Session, error)
	// RotateSession replaces oldID with s in one transaction; ErrNotFound
	// when oldID is gone.
	RotateSession(ctx context.Context, oldID string, s Session) (Session, error)
	GetSession(ctx context.Context, id string) (Session, error)
	ListSessions(ctx context.Context, userID string) ([]Session, error)
	// TouchSession sets LastSeenAt to now and ExpiresAt to expiresAt
	// (never past AbsoluteExpiresAt).
	TouchSession(ctx context.Context, id string, now, expiresAt time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions ends every session of the user except keepID
	// ("" for all) and returns how many ended.
	DeleteUserSessions(ctx context.Context, userID, keepID string) (int, error)
}

// TokenStore keeps API tokens by the hash of the token.
type TokenStore interface {
	CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error)
	GetAPITokenByHash(ctx context.Context, hash string) (APIToken, error)
	ListAPITokens(ctx context.Context, userID string) ([]APIToken, error)
	TouchAPIToken(ctx context.Context, id string, now time.Time) error
	// RevokeAPIToken revokes a token of userID; another user's token is
	// ErrNotFound.
	RevokeAPIToken(ctx context.Context, userID, id string, now time.Time) error
	RevokeUserAPITokens(ctx context.Context, userID string, now time.Time) (int, error)
}

// ThrottleStore counts failed attempts per key, atomically, so that
// parallel requests (and several craft serve processes) all count.
type ThrottleStore interface {
	// GetLoginAttempt returns the counter; a key never seen is a zero
	// LoginAttempt and no error.
	GetLoginAttempt(ctx context.Context, key string) (LoginAttempt, error)
	// RecordLoginFailure adds one failure at now and, when lockUntil is
	// not nil, sets LockedUntil to lockUntil(new count), in one
	// transaction.
	RecordLoginFailure(ctx context.Context, key string, now time.Time, lockUntil func(failures int) time.Time) (LoginAttempt, error)
	ResetLoginAttempts(ctx context.Context, key string) error
}

// SetupStore keeps one-time setup tokens by hash.
type SetupStore interface {
	CreateSetupToken(ctx context.Context, hash string, expiresAt time.Time) error
	// ConsumeSetupToken uses an unused, unexpired token once; every
	// other case is ErrNotFound.
	ConsumeSetupToken(ctx context.Context, hash string, now time.Time) error
}
