// Package authtest holds an in-memory implementation of every storage
// interface of package auth, for tests of auth and of the server. It
// behaves like internal/store where auth relies on it: missing rows are
// auth.ErrNotFound, single-use operations are atomic, e-mail addresses
// compare by auth.EmailKey.
package authtest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

// Store is an in-memory store, safe for concurrent use. The zero value is
// not usable; call New.
type Store struct {
	mu          sync.Mutex
	nextID      int
	users       map[string]auth.User
	memberships map[string]map[string]auth.Role // user → product → role
	totpSteps   map[string]bool                 // userID/step
	recovery    map[string]map[string]bool      // user → hash → used
	sessions    map[string]auth.Session
	tokens      map[string]auth.APIToken // by id
	attempts    map[string]auth.LoginAttempt
	setup       map[string]setupToken

	// Calls counts calls by method name, for tests that assert on writes.
	Calls map[string]int
}

type setupToken struct {
	expires time.Time
	used    bool
}

// New returns an empty store.
func New() *Store {
	return &Store{
		users:       map[string]auth.User{},
		memberships: map[string]map[string]auth.Role{},
		totpSteps:   map[string]bool{},
		recovery:    map[string]map[string]bool{},
		sessions:    map[string]auth.Session{},
		tokens:      map[string]auth.APIToken{},
		attempts:    map[string]auth.LoginAttempt{},
		setup:       map[string]setupToken{},
		Calls:       map[string]int{},
	}
}

// CallCount is the number of calls to method so far.
func (s *Store) CallCount(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Calls[method]
}

func (s *Store) call(name string) { s.Calls[name]++ }

func (s *Store) id(prefix string) string {
	s.nextID++
	return fmt.Sprintf("%s%04d", prefix, s.nextID)
}

func notFound(what, key string) error { return fmt.Errorf("%s %q: %w", what, key, auth.ErrNotFound) }

// --- users ---

func (s *Store) GetUser(ctx context.Context, id string) (auth.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("GetUser")
	u, ok := s.users[id]
	if !ok {
		return auth.User{}, notFound("user", id)
	}
	return cloneUser(u), nil
}

func (s *Store) GetUserByEmail(ctx context.Context, email string) (auth.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("GetUserByEmail")
	for _, u := range s.users {
		if auth.EmailKey(u.Email) == auth.EmailKey(email) {
			return cloneUser(u), nil
		}
	}
	return auth.User{}, notFound("user", email)
}

func (s *Store) CreateUser(ctx context.Context, u auth.User) (auth.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("CreateUser")
	for _, x := range s.users {
		if auth.EmailKey(x.Email) == auth.EmailKey(u.Email) {
			return auth.User{}, fmt.Errorf("e-mail address taken: %w", auth.ErrConflict)
		}
	}
	if u.ID == "" {
		u.ID = s.id("u")
	}
	if u.Role == "" {
		u.Role = auth.RoleViewer
	}
	s.users[u.ID] = cloneUser(u)
	return cloneUser(u), nil
}

func (s *Store) UpdateUser(ctx context.Context, u auth.User) (auth.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("UpdateUser")
	old, ok := s.users[u.ID]
	if !ok {
		return auth.User{}, notFound("user", u.ID)
	}
	u.CreatedAt = old.CreatedAt
	s.users[u.ID] = cloneUser(u)
	return cloneUser(u), nil
}

func (s *Store) CountUsers(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users), nil
}

func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]auth.User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, cloneUser(u))
	}
	sort.Slice(out, func(i, j int) bool { return auth.EmailKey(out[i].Email) < auth.EmailKey(out[j].Email) })
	return out, nil
}

// SetMembership gives a user a role on a product (a test helper; the
// server uses internal/store for it).
func (s *Store) SetMembership(userID, productID string, r auth.Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.memberships[userID] == nil {
		s.memberships[userID] = map[string]auth.Role{}
	}
	s.memberships[userID][productID] = r
}

func (s *Store) ListMemberships(ctx context.Context, userID, productID string) ([]auth.Membership, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []auth.Membership
	for p, r := range s.memberships[userID] {
		if productID == "" || p == productID {
			out = append(out, auth.Membership{UserID: userID, ProductID: p, Role: r})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProductID < out[j].ProductID })
	return out, nil
}

func cloneUser(u auth.User) auth.User {
	u.MFASecret = slices.Clone(u.MFASecret)
	return u
}

// --- MFA ---

func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := fmt.Sprintf("%s/%d", userID, step)
	if s.totpSteps[k] {
		return false, nil
	}
	s.totpSteps[k] = true
	return true, nil
}

func (s *Store) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]bool{}
	for _, h := range hashes {
		m[h] = false
	}
	s.recovery[userID] = m
	return nil
}

func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	used, ok := s.recovery[userID][hash]
	if !ok || used {
		return notFound("recovery code", "")
	}
	s.recovery[userID][hash] = true
	return nil
}

func (s *Store) RecoveryCodeHashes(ctx context.Context, userID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for h, used := range s.recovery[userID] {
		if !used {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out, nil
}

// --- sessions ---

func (s *Store) CreateSession(ctx context.Context, x auth.Session) (auth.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("CreateSession")
	if _, dup := s.sessions[x.ID]; dup || x.ID == "" {
		return auth.Session{}, fmt.Errorf("session id: %w", auth.ErrConflict)
	}
	s.sessions[x.ID] = x
	return x, nil
}

func (s *Store) RotateSession(ctx context.Context, oldID string, x auth.Session) (auth.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("RotateSession")
	if _, ok := s.sessions[oldID]; !ok {
		return auth.Session{}, notFound("session", oldID)
	}
	delete(s.sessions, oldID)
	s.sessions[x.ID] = x
	return x, nil
}

func (s *Store) GetSession(ctx context.Context, id string) (auth.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.sessions[id]
	if !ok {
		return auth.Session{}, notFound("session", id)
	}
	return x, nil
}

func (s *Store) ListSessions(ctx context.Context, userID string) ([]auth.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []auth.Session
	for _, x := range s.sessions {
		if x.UserID == userID {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

func (s *Store) TouchSession(ctx context.Context, id string, now, expiresAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("TouchSession")
	x, ok := s.sessions[id]
	if !ok {
		return notFound("session", id)
	}
	x.LastSeenAt = now
	x.ExpiresAt = expiresAt
	if x.ExpiresAt.After(x.AbsoluteExpiresAt) {
		x.ExpiresAt = x.AbsoluteExpiresAt
	}
	s.sessions[id] = x
	return nil
}

func (s *Store) DeleteSession(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[id]; !ok {
		return notFound("session", id)
	}
	delete(s.sessions, id)
	return nil
}

func (s *Store) DeleteUserSessions(ctx context.Context, userID, keepID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, x := range s.sessions {
		if x.UserID == userID && id != keepID {
			delete(s.sessions, id)
			n++
		}
	}
	return n, nil
}

// --- API tokens ---

func (s *Store) CreateAPIToken(ctx context.Context, t auth.APIToken) (auth.APIToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.tokens {
		if x.TokenHash == t.TokenHash {
			return auth.APIToken{}, fmt.Errorf("token hash: %w", auth.ErrConflict)
		}
	}
	if t.ID == "" {
		t.ID = s.id("t")
	}
	t.Products = slices.Clone(t.Products)
	s.tokens[t.ID] = t
	return t, nil
}

func (s *Store) GetAPITokenByHash(ctx context.Context, hash string) (auth.APIToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.TokenHash == hash {
			t.Products = slices.Clone(t.Products)
			return t, nil
		}
	}
	return auth.APIToken{}, notFound("api token", "")
}

func (s *Store) ListAPITokens(ctx context.Context, userID string) ([]auth.APIToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []auth.APIToken
	for _, t := range s.tokens {
		if t.UserID == userID {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *Store) TouchAPIToken(ctx context.Context, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.call("TouchAPIToken")
	t, ok := s.tokens[id]
	if !ok {
		return notFound("api token", id)
	}
	t.LastUsedAt = now
	s.tokens[id] = t
	return nil
}

func (s *Store) RevokeAPIToken(ctx context.Context, userID, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || t.UserID != userID {
		return notFound("api token", id)
	}
	if t.RevokedAt.IsZero() {
		t.RevokedAt = now
	}
	s.tokens[id] = t
	return nil
}

func (s *Store) RevokeUserAPITokens(ctx context.Context, userID string, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, t := range s.tokens {
		if t.UserID == userID && t.RevokedAt.IsZero() {
			t.RevokedAt = now
			s.tokens[id] = t
			n++
		}
	}
	return n, nil
}

// --- throttling ---

func (s *Store) GetLoginAttempt(ctx context.Context, key string) (auth.LoginAttempt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.attempts[key]
	if !ok {
		return auth.LoginAttempt{Key: key}, nil
	}
	return a, nil
}

func (s *Store) RecordLoginFailure(ctx context.Context, key string, now time.Time, lockUntil func(int) time.Time) (auth.LoginAttempt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.attempts[key]
	a.Key = key
	a.Failures++
	a.LastFailureAt = now
	if lockUntil != nil {
		a.LockedUntil = lockUntil(a.Failures)
	}
	s.attempts[key] = a
	return a, nil
}

func (s *Store) ResetLoginAttempts(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.attempts, key)
	return nil
}

// --- setup tokens ---

func (s *Store) CreateSetupToken(ctx context.Context, hash string, expiresAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setup[hash] = setupToken{expires: expiresAt}
	return nil
}

func (s *Store) ConsumeSetupToken(ctx context.Context, hash string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.setup[hash]
	if !ok || t.used || !now.Before(t.expires) {
		return notFound("setup token", "")
	}
	t.used = true
	s.setup[hash] = t
	return nil
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
