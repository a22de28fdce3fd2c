package authstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/auth/authstore"
	"github.com/craft-cra/craft/internal/store"
	"github.com/pquerna/otp/totp"
)

// engines opens a fresh SQLite file, and a fresh PostgreSQL schema when
// CRAFT_TEST_POSTGRES names a database (as .ci/run sets it).
func engines(t *testing.T) map[string]*store.Store {
	t.Helper()
	ctx := context.Background()
	out := map[string]*store.Store{}
	s, err := store.Open(ctx, store.Config{Driver: store.DriverSQLite, Path: filepath.Join(t.TempDir(), "craft.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	out["sqlite"] = s
	base := os.Getenv("CRAFT_TEST_POSTGRES")
	if base == "" {
		return out
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "craft_auth_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	dsn := base + " search_path=" + schema
	if strings.Contains(base, "://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("CRAFT_TEST_POSTGRES: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	pg, err := store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: dsn})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { pg.Close() })
	out["postgres"] = pg
	return out
}

// TestFlowOnTheRealStore runs sign-in, MFA enrolment and challenge,
// replay, recovery codes, tokens, throttling and setup tokens through the
// adapter on the real store, so the two packages agree on shapes and on
// not-found errors.
func TestFlowOnTheRealStore(t *testing.T) {
	for name, st := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			a := &authstore.Store{S: st, Now: clock}
			sealer, err := auth.NewSealer(make([]byte, 32))
			if err != nil {
				t.Fatal(err)
			}
			svc, err := auth.NewService(auth.ServiceConfig{Users: a, MFAStore: a, Sessions: a, Throttle: a, Sealer: sealer,
				Hasher: &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
				Now:    clock})
			if err != nil {
				t.Fatal(err)
			}
			const pw = "correct horse battery staple"
			admin, err := svc.CreateUser(ctx, auth.NewUser{Email: "Root@Example.eu", Password: pw, Role: auth.RoleAdministrator})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateUser(ctx, auth.NewUser{Email: "root@example.eu", Password: pw}); !errors.Is(err, auth.ErrConflict) {
				t.Fatalf("taken address: %v, want ErrConflict", err)
			}
			if _, err := a.GetUser(ctx, "no-such-id"); !errors.Is(err, auth.ErrNotFound) {
				t.Fatalf("missing user: %v, want ErrNotFound", err)
			}
			if _, err := svc.Login(ctx, auth.LoginRequest{Email: "nobody@example.eu", Password: pw}); !errors.Is(err, auth.ErrInvalidCredentials) {
				t.Fatalf("unknown user: %v", err)
			}
			r, err := svc.Login(ctx, auth.LoginRequest{Email: "root@example.eu", Password: pw, IP: "127.0.0.1"})
			if err != nil || !r.MFAEnrolmentRequired {
				t.Fatalf("login: %+v %v", r, err)
			}
			e, err := svc.BeginEnrolment(ctx, r.Session.Token)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := totp.GenerateCode(e.Secret, now)
			ns, codes, err := svc.CompleteEnrolment(ctx, r.Session.Token, c, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Sessions.Validate(ctx, r.Session.Token); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("pending session after rotation: %v", err)
			}
			if err := svc.MFA.Verify(ctx, admin.ID, c); !errors.Is(err, auth.ErrInvalidCode) {
				t.Fatalf("replayed TOTP code: %v", err)
			}
			if err := svc.MFA.Verify(ctx, admin.ID, codes[0]); err != nil {
				t.Fatalf("recovery code: %v", err)
			}
			if err := svc.MFA.Verify(ctx, admin.ID, codes[0]); !errors.Is(err, auth.ErrInvalidCode) {
				t.Fatalf("recovery code twice: %v", err)
			}
			p, _, err := svc.Sessions.Principal(ctx, ns.Token)
			if err != nil || p.MFAPending || auth.Authorize(p, auth.PermUserAdmin, "") != nil {
				t.Fatalf("admin principal: %+v %v", p, err)
			}

			// Product membership and a scoped token.
			prod, err := st.CreateProduct(ctx, store.Product{Name: "router"})
			if err != nil {
				t.Fatal(err)
			}
			other, _ := st.CreateProduct(ctx, store.Product{Name: "camera"})
			dev, err := svc.CreateUser(ctx, auth.NewUser{Email: "dev@example.eu", Password: pw, Role: auth.RoleContributor})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.SetMembership(ctx, store.Membership{UserID: dev.ID, ProductID: prod.ID, Role: store.RoleContributor}); err != nil {
				t.Fatal(err)
			}
			dr, err := svc.Login(ctx, auth.LoginRequest{Email: dev.Email, Password: pw})
			if err != nil {
				t.Fatal(err)
			}
			dp, _, err := svc.Sessions.Principal(ctx, dr.Session.Token)
			if err != nil {
				t.Fatal(err)
			}
			if auth.Authorize(dp, auth.PermProductWrite, prod.ID) != nil || auth.Authorize(dp, auth.PermProductRead, other.ID) == nil {
				t.Fatal("membership not applied")
			}
			tokens := &auth.Tokens{Store: a, Users: a, Now: clock}
			nt, err := tokens.Create(ctx, dp, auth.TokenRequest{Name: "ci", Role: auth.RoleContributor, Products: []string{prod.ID}})
			if err != nil {
				t.Fatal(err)
			}
			tp, err := tokens.Authenticate(ctx, nt.Token)
			if err != nil || auth.Authorize(tp, auth.PermProductWrite, prod.ID) != nil {
				t.Fatalf("token: %+v %v", tp, err)
			}
			if err := tokens.Revoke(ctx, dev.ID, nt.Stored.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := tokens.Authenticate(ctx, nt.Token); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("revoked token: %v", err)
			}

			// Throttling persists in the database.
			for range 5 {
				_, _ = svc.Login(ctx, auth.LoginRequest{Email: dev.Email, Password: "wrong wrong wrong"})
			}
			if _, err := svc.Login(ctx, auth.LoginRequest{Email: dev.Email, Password: pw}); !errors.Is(err, auth.ErrThrottled) {
				t.Fatalf("throttle: %v", err)
			}

			// Setup tokens are single use.
			setup := &auth.SetupTokens{Store: a, Now: clock}
			tok, _, err := setup.Create(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := setup.Consume(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if err := setup.Consume(ctx, tok); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("setup token twice: %v", err)
			}

			// Log out everywhere.
			if _, err := svc.Sessions.RevokeAll(ctx, admin.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Sessions.Validate(ctx, ns.Token); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatal("session survived log out everywhere")
			}
		})
	}
}

// TestSingleUseUnderConcurrency: of many parallel uses of one TOTP step or
// one recovery code, exactly one wins, on every engine.
func TestSingleUseUnderConcurrency(t *testing.T) {
	for name, st := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := authstore.New(st)
			u, err := a.CreateUser(ctx, auth.User{Email: "race@example.eu", Role: auth.RoleViewer})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SetRecoveryCodes(ctx, u.ID, []string{"h1"}); err != nil {
				t.Fatal(err)
			}
			const n = 8
			var wg sync.WaitGroup
			var mu sync.Mutex
			steps, codes := 0, 0
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					first, err := a.UseTOTPStep(ctx, u.ID, 12345)
					rerr := a.UseRecoveryCode(ctx, u.ID, "h1", time.Now())
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("UseTOTPStep: %v", err)
					}
					if first {
						steps++
					}
					if rerr == nil {
						codes++
					} else if !errors.Is(rerr, auth.ErrNotFound) {
						t.Errorf("UseRecoveryCode: %v", rerr)
					}
				}()
			}
			wg.Wait()
			if steps != 1 || codes != 1 {
				t.Fatalf("%d TOTP uses and %d recovery uses won, want 1 and 1", steps, codes)
			}
			if ok, _ := a.UseTOTPStep(ctx, u.ID, 12346); !ok {
				t.Fatal("the next step was refused")
			}
		})
	}
}
