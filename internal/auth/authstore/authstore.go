// Package authstore adapts internal/store to the storage interfaces of
// package auth: it converts between the two packages' plain structs and
// maps store.ErrNotFound and store.ErrConflict to auth's errors. It holds
// no logic of its own beyond UseTOTPStep (see there).
package authstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// Store wraps an open *store.Store. It implements auth.UserStore,
// auth.MFAStore, auth.SessionStore, auth.TokenStore, auth.ThrottleStore
// and auth.SetupStore.
type Store struct {
	S *store.Store
	// Now stamps the rows of UseTOTPStep; nil means time.Now.
	Now func() time.Time
}

// New wraps s.
func New(s *store.Store) *Store { return &Store{S: s} }

func (a *Store) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

// Interface checks.
var (
	_ auth.UserStore     = (*Store)(nil)
	_ auth.MFAStore      = (*Store)(nil)
	_ auth.SessionStore  = (*Store)(nil)
	_ auth.TokenStore    = (*Store)(nil)
	_ auth.ThrottleStore = (*Store)(nil)
	_ auth.SetupStore    = (*Store)(nil)
)

// mapErr makes store.ErrNotFound match auth.ErrNotFound and
// store.ErrConflict match auth.ErrConflict, keeping the store's error too.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound) && !errors.Is(err, auth.ErrNotFound):
		return fmt.Errorf("%w: %w", auth.ErrNotFound, err)
	case errors.Is(err, store.ErrConflict) && !errors.Is(err, auth.ErrConflict):
		return fmt.Errorf("%w: %w", auth.ErrConflict, err)
	}
	return err
}

// --- users ---

func toUser(u store.User) auth.User {
	return auth.User{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, PasswordHash: u.PasswordHash,
		Role: auth.Role(u.Role), MFASecret: u.MFASecret, MFAEnabled: u.MFAEnabled,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, DisabledAt: u.DisabledAt}
}

func fromUser(u auth.User) store.User {
	return store.User{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, PasswordHash: u.PasswordHash,
		Role: store.Role(u.Role), MFASecret: u.MFASecret, MFAEnabled: u.MFAEnabled,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, DisabledAt: u.DisabledAt}
}

func (a *Store) GetUser(ctx context.Context, id string) (auth.User, error) {
	u, err := a.S.GetUser(ctx, id)
	return toUser(u), mapErr(err)
}

func (a *Store) GetUserByEmail(ctx context.Context, email string) (auth.User, error) {
	u, err := a.S.GetUserByEmail(ctx, email)
	return toUser(u), mapErr(err)
}

func (a *Store) CreateUser(ctx context.Context, u auth.User) (auth.User, error) {
	x, err := a.S.CreateUser(ctx, fromUser(u))
	return toUser(x), mapErr(err)
}

func (a *Store) UpdateUser(ctx context.Context, u auth.User) (auth.User, error) {
	x, err := a.S.UpdateUser(ctx, fromUser(u))
	return toUser(x), mapErr(err)
}

func (a *Store) CountUsers(ctx context.Context) (int, error) { return a.S.CountUsers(ctx) }

func (a *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	us, err := a.S.ListUsers(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]auth.User, len(us))
	for i, u := range us {
		out[i] = toUser(u)
	}
	return out, nil
}

func (a *Store) ListMemberships(ctx context.Context, userID, productID string) ([]auth.Membership, error) {
	ms, err := a.S.ListMemberships(ctx, userID, productID)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]auth.Membership, len(ms))
	for i, m := range ms {
		out[i] = auth.Membership{UserID: m.UserID, ProductID: m.ProductID, Role: auth.Role(m.Role)}
	}
	return out, nil
}

// --- MFA ---

// UseTOTPStep uses the store's atomic failure counter as a "seen once"
// register: the key totp:<user>:<step> counts 1 on its first use and more
// on any replay, in one transaction on both engines, so a code cannot be
// accepted twice even by two craft serve processes at once. The rows
// matter for 90 seconds (the TOTP window); DeleteStaleLoginAttempts with a
// cut-off older than that removes them safely.
func (a *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	at, err := a.S.RecordLoginFailure(ctx, fmt.Sprintf("totp:%s:%d", userID, step), a.now(), nil)
	if err != nil {
		return false, mapErr(err)
	}
	return at.Failures == 1, nil
}

func (a *Store) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	return mapErr(a.S.SetRecoveryCodes(ctx, userID, hashes))
}

func (a *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	return mapErr(a.S.UseRecoveryCode(ctx, userID, hash, now))
}

func (a *Store) RecoveryCodeHashes(ctx context.Context, userID string) ([]string, error) {
	h, err := a.S.RecoveryCodeHashes(ctx, userID)
	return h, mapErr(err)
}

// --- sessions ---

func toSession(s store.Session) auth.Session { return auth.Session(s) }

func fromSession(s auth.Session) store.Session { return store.Session(s) }

func (a *Store) CreateSession(ctx context.Context, s auth.Session) (auth.Session, error) {
	x, err := a.S.CreateSession(ctx, fromSession(s))
	return toSession(x), mapErr(err)
}

func (a *Store) RotateSession(ctx context.Context, oldID string, s auth.Session) (auth.Session, error) {
	x, err := a.S.RotateSession(ctx, oldID, fromSession(s))
	return toSession(x), mapErr(err)
}

func (a *Store) GetSession(ctx context.Context, id string) (auth.Session, error) {
	x, err := a.S.GetSession(ctx, id)
	return toSession(x), mapErr(err)
}

func (a *Store) ListSessions(ctx context.Context, userID string) ([]auth.Session, error) {
	xs, err := a.S.ListSessions(ctx, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]auth.Session, len(xs))
	for i, x := range xs {
		out[i] = toSession(x)
	}
	return out, nil
}

func (a *Store) TouchSession(ctx context.Context, id string, now, expiresAt time.Time) error {
	return mapErr(a.S.TouchSession(ctx, id, now, expiresAt))
}

func (a *Store) DeleteSession(ctx context.Context, id string) error {
	return mapErr(a.S.DeleteSession(ctx, id))
}

func (a *Store) DeleteUserSessions(ctx context.Context, userID, keepID string) (int, error) {
	n, err := a.S.DeleteUserSessions(ctx, userID, keepID)
	return n, mapErr(err)
}

// --- API tokens ---

func toToken(t store.APIToken) auth.APIToken {
	return auth.APIToken{ID: t.ID, UserID: t.UserID, Name: t.Name, TokenHash: t.TokenHash, Role: auth.Role(t.Role),
		Products: t.Products, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

func (a *Store) CreateAPIToken(ctx context.Context, t auth.APIToken) (auth.APIToken, error) {
	x, err := a.S.CreateAPIToken(ctx, store.APIToken{ID: t.ID, UserID: t.UserID, Name: t.Name, TokenHash: t.TokenHash,
		Role: store.Role(t.Role), Products: t.Products, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt})
	return toToken(x), mapErr(err)
}

func (a *Store) GetAPITokenByHash(ctx context.Context, hash string) (auth.APIToken, error) {
	x, err := a.S.GetAPITokenByHash(ctx, hash)
	return toToken(x), mapErr(err)
}

func (a *Store) ListAPITokens(ctx context.Context, userID string) ([]auth.APIToken, error) {
	xs, err := a.S.ListAPITokens(ctx, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]auth.APIToken, len(xs))
	for i, x := range xs {
		out[i] = toToken(x)
	}
	return out, nil
}

func (a *Store) TouchAPIToken(ctx context.Context, id string, now time.Time) error {
	return mapErr(a.S.TouchAPIToken(ctx, id, now))
}

func (a *Store) RevokeAPIToken(ctx context.Context, userID, id string, now time.Time) error {
	return mapErr(a.S.RevokeAPIToken(ctx, userID, id, now))
}

func (a *Store) RevokeUserAPITokens(ctx context.Context, userID string, now time.Time) (int, error) {
	n, err := a.S.RevokeUserAPITokens(ctx, userID, now)
	return n, mapErr(err)
}

// --- throttling ---

func toAttempt(x store.LoginAttempt) auth.LoginAttempt { return auth.LoginAttempt(x) }

func (a *Store) GetLoginAttempt(ctx context.Context, key string) (auth.LoginAttempt, error) {
	x, err := a.S.GetLoginAttempt(ctx, key)
	return toAttempt(x), mapErr(err)
}

func (a *Store) RecordLoginFailure(ctx context.Context, key string, now time.Time, lockUntil func(int) time.Time) (auth.LoginAttempt, error) {
	x, err := a.S.RecordLoginFailure(ctx, key, now, lockUntil)
	return toAttempt(x), mapErr(err)
}

func (a *Store) ResetLoginAttempts(ctx context.Context, key string) error {
	return mapErr(a.S.ResetLoginAttempts(ctx, key))
}

// --- setup tokens ---

func (a *Store) CreateSetupToken(ctx context.Context, hash string, expiresAt time.Time) error {
	return mapErr(a.S.CreateSetupToken(ctx, hash, expiresAt))
}

func (a *Store) ConsumeSetupToken(ctx context.Context, hash string, now time.Time) error {
	return mapErr(a.S.ConsumeSetupToken(ctx, hash, now))
}
