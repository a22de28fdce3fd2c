package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/auth/authtest"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fastHasher keeps tests quick; the real parameters are tested in
// password_hash_test.go.
func fastHasher() *auth.PasswordHasher {
	return &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
}

func testSealer(t testing.TB) *auth.Sealer {
	t.Helper()
	s, err := auth.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type fixture struct {
	store *authtest.Store
	clock *clock
	svc   *auth.Service
	ctx   context.Context
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := authtest.New()
	c := newClock()
	svc, err := auth.NewService(auth.ServiceConfig{
		Users: st, MFAStore: st, Sessions: st, Throttle: st,
		Sealer: testSealer(t), Hasher: fastHasher(), Now: c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: st, clock: c, svc: svc, ctx: context.Background()}
}

const goodPassword = "correct horse battery staple"

func (f *fixture) user(t testing.TB, email string, role auth.Role) auth.User {
	t.Helper()
	u, err := f.svc.CreateUser(f.ctx, auth.NewUser{Email: email, Password: goodPassword, Role: role})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}
