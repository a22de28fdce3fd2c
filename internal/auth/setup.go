package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SetupTokenLifetime is how long the first-run setup link works.
const SetupTokenLifetime = time.Hour

// SetupTokens makes and spends the one-time token of the first-run setup
// link: 32 random bytes (base64url), stored as SHA-256, usable once, for
// one hour.
type SetupTokens struct {
	Store SetupStore
	Now   func() time.Time
}

// Create makes a setup token and returns it (to print once) with its
// expiry.
func (s *SetupTokens) Create(ctx context.Context) (string, time.Time, error) {
	token, err := newSecret()
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.now().Add(SetupTokenLifetime)
	if err := s.Store.CreateSetupToken(ctx, sha256Hex(token), exp); err != nil {
		return "", time.Time{}, fmt.Errorf("auth: create setup token: %w", err)
	}
	return token, exp, nil
}

// Consume spends the token. A malformed, unknown, used or expired token
// is ErrUnauthenticated, whichever it was.
func (s *SetupTokens) Consume(ctx context.Context, token string) error {
	if !validSecret(token) {
		return ErrUnauthenticated
	}
	err := s.Store.ConsumeSetupToken(ctx, sha256Hex(token), s.now())
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrUnauthenticated
	case err != nil:
		return fmt.Errorf("auth: consume setup token: %w", err)
	}
	return nil
}

func (s *SetupTokens) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
