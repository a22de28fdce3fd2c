package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// API token lifetimes: an expiry is required, 90 days unless asked, at
// most one year.
const (
	DefaultTokenLifetime = 90 * 24 * time.Hour
	MaxTokenLifetime     = 365 * 24 * time.Hour
	// tokenTouchEvery bounds writes: the last-used time moves at most
	// once a minute.
	tokenTouchEvery = time.Minute
	maxTokenNameLen = 100
)

// Tokens creates and checks API tokens.
type Tokens struct {
	Store TokenStore
	Users UserStore
	Now   func() time.Time
}

// TokenRequest asks for a new token.
type TokenRequest struct {
	Name string
	// Role is the token's role; it must not be higher than the creator's.
	Role Role
	// Products, when not empty, limits the token to these products, each
	// of which the creator must be able to read.
	Products []string
	// Lifetime is how long the token lives: 0 means 90 days; more than a
	// year is refused.
	Lifetime time.Duration
}

// NewAPIToken is a token just made: Token is shown once and never again.
type NewAPIToken struct {
	Token  string
	Stored APIToken
}

// Create makes a token for the signed-in creator. Tokens cannot create
// tokens (PermTokenCreate is never granted to one), and a token is never
// wider than its creator: role no higher, products only among those the
// creator can read.
func (t *Tokens) Create(ctx context.Context, creator Principal, req TokenRequest) (NewAPIToken, error) {
	if err := Authorize(creator, PermTokenCreate, ""); err != nil {
		return NewAPIToken{}, err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || len(name) > maxTokenNameLen {
		return NewAPIToken{}, fmt.Errorf("%w: a token needs a name of 1 to %d characters", ErrInvalidInput, maxTokenNameLen)
	}
	if !req.Role.Valid() {
		return NewAPIToken{}, fmt.Errorf("%w: unknown role %q", ErrInvalidInput, req.Role)
	}
	if !creator.Role.AtLeast(req.Role) {
		return NewAPIToken{}, fmt.Errorf("%w: a token's role cannot be higher than yours (%s)", ErrForbidden, creator.Role)
	}
	life := req.Lifetime
	switch {
	case life == 0:
		life = DefaultTokenLifetime
	case life < 0 || life > MaxTokenLifetime:
		return NewAPIToken{}, fmt.Errorf("%w: a token lives at most %d days", ErrInvalidInput, MaxTokenLifetime/(24*time.Hour))
	}
	var products []string
	if len(req.Products) > 0 {
		products = slices.Clone(req.Products)
		slices.Sort(products)
		products = slices.Compact(products)
		for _, p := range products {
			if !creator.CanSeeProduct(p) {
				return NewAPIToken{}, fmt.Errorf("%w: no access to product %s", ErrForbidden, p)
			}
		}
	}
	body, err := newSecret()
	if err != nil {
		return NewAPIToken{}, err
	}
	token := formatAPIToken(body)
	now := t.now()
	stored, err := t.Store.CreateAPIToken(ctx, APIToken{
		UserID: creator.UserID, Name: name, TokenHash: APITokenHash(token), Role: req.Role,
		Products: products, CreatedAt: now, ExpiresAt: now.Add(life),
	})
	if err != nil {
		return NewAPIToken{}, fmt.Errorf("auth: create api token: %w", err)
	}
	return NewAPIToken{Token: token, Stored: stored}, nil
}

// Authenticate turns a bearer token into a principal: the token must have
// the right format, exist, be neither revoked nor expired, and belong to
// an enabled account. Its rights are the lower of its own and its
// creator's current ones. The last-used time is updated at most once a
// minute. Every failure is ErrUnauthenticated.
func (t *Tokens) Authenticate(ctx context.Context, token string) (Principal, error) {
	if !ValidAPITokenFormat(token) {
		return Principal{}, ErrUnauthenticated
	}
	st, err := t.Store.GetAPITokenByHash(ctx, APITokenHash(token))
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: api token: %w", err)
	}
	now := t.now()
	if !st.RevokedAt.IsZero() || st.ExpiresAt.IsZero() || !now.Before(st.ExpiresAt) {
		return Principal{}, ErrUnauthenticated
	}
	u, err := t.Users.GetUser(ctx, st.UserID)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: api token owner: %w", err)
	}
	if u.Disabled() {
		return Principal{}, ErrUnauthenticated
	}
	ms, err := t.Users.ListMemberships(ctx, u.ID, "")
	if err != nil {
		return Principal{}, fmt.Errorf("auth: memberships: %w", err)
	}
	if st.LastUsedAt.IsZero() || now.Sub(st.LastUsedAt) >= tokenTouchEvery {
		if err := t.Store.TouchAPIToken(ctx, st.ID, now); err != nil {
			return Principal{}, fmt.Errorf("auth: api token last use: %w", err)
		}
	}
	p := NewUserPrincipal(u, ms)
	p.Kind = KindToken
	p.Token = &TokenScope{ID: st.ID, Role: st.Role, Scoped: st.Products != nil, Products: st.Products}
	return p, nil
}

// Revoke revokes one of the user's tokens.
func (t *Tokens) Revoke(ctx context.Context, userID, tokenID string) error {
	if err := t.Store.RevokeAPIToken(ctx, userID, tokenID, t.now()); err != nil {
		return fmt.Errorf("auth: revoke api token: %w", err)
	}
	return nil
}

// RevokeAll revokes every token of the user (account disabled, log out
// everywhere).
func (t *Tokens) RevokeAll(ctx context.Context, userID string) (int, error) {
	n, err := t.Store.RevokeUserAPITokens(ctx, userID, t.now())
	if err != nil {
		return 0, fmt.Errorf("auth: revoke api tokens: %w", err)
	}
	return n, nil
}

// List returns the user's tokens (hashes only) for the account page.
func (t *Tokens) List(ctx context.Context, userID string) ([]APIToken, error) {
	l, err := t.Store.ListAPITokens(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list api tokens: %w", err)
	}
	return l, nil
}

func (t *Tokens) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}
