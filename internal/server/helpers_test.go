package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// testPassword meets the policy and is on no list.
const testPassword = "violet staple ember 42 orbit"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)} }

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

// env is a Server on a real store with a test clock, a cheap password hash
// and its log in a buffer.
type env struct {
	t     testing.TB
	s     *Server
	st    *store.Store
	clock *clock
	log   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func cheapHasher() *auth.PasswordHasher {
	return &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
}

func newEnv(t testing.TB, st *store.Store, cfg Config) *env {
	t.Helper()
	c := newClock()
	key := bytes.Repeat([]byte{7}, auth.SealerKeySize)
	svc, err := NewAuth(st, AuthOptions{Key: key, Hasher: cheapHasher(), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	buf := &syncBuffer{}
	s, err := New(Deps{Store: st, Auth: svc, Logger: slog.New(slog.NewJSONHandler(buf, nil)), Now: c.Now, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, s: s, st: st, clock: c, log: buf}
}

// sqliteEnv is an env on a fresh SQLite store.
func sqliteEnv(t testing.TB) *env { return newEnv(t, storetest.SQLite(t), Config{}) }

// reqOpt changes a test request.
type reqOpt func(*http.Request)

func withCookie(token string) reqOpt {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: token}) }
}

func withBearer(token string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func withIP(ip string) reqOpt { return func(r *http.Request) { r.RemoteAddr = ip + ":40000" } }

// do sends a request to the server's handler. A non-nil body that is not a
// string or []byte is encoded as JSON with Content-Type application/json.
func (e *env) do(method, path string, body any, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	r := httptest.NewRequest(method, "https://127.0.0.1:8443"+path, rd)
	r.RemoteAddr = "192.0.2.10:40000"
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	e.s.Handler().ServeHTTP(w, r)
	return w
}

// user creates an account with a role (MFA not enrolled).
func (e *env) user(email string, role auth.Role) auth.User {
	e.t.Helper()
	u, err := auth.NewAccount(cheapHasher(), auth.NewUser{Email: email, Password: testPassword, Role: role}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	u, err = e.s.auth.Users.CreateUser(context.Background(), u)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// session signs u in with the second factor passed and returns the token.
func (e *env) session(u auth.User) string {
	e.t.Helper()
	ns, err := e.s.auth.Sessions.Create(context.Background(), u.ID, "192.0.2.10", "test", true)
	if err != nil {
		e.t.Fatal(err)
	}
	return ns.Token
}

// token makes an API token for u with the given role and products.
func (e *env) token(u auth.User, role auth.Role, products []string) string {
	e.t.Helper()
	ms, err := e.s.auth.Users.ListMemberships(context.Background(), u.ID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	nt, err := e.s.auth.Tokens.Create(context.Background(), auth.NewUserPrincipal(u, ms),
		auth.TokenRequest{Name: "t", Role: role, Products: products})
	if err != nil {
		e.t.Fatal(err)
	}
	return nt.Token
}

func (e *env) product(name string) store.Product {
	e.t.Helper()
	p, err := e.st.CreateProduct(context.Background(), store.Product{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) member(u auth.User, p store.Product, role store.Role) {
	e.t.Helper()
	if err := e.st.SetMembership(context.Background(), store.Membership{UserID: u.ID, ProductID: p.ID, Role: role}); err != nil {
		e.t.Fatal(err)
	}
}

// decode reads a JSON response body.
func decode[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	return v
}

// sessionCookie returns the session cookie a response set, or nil.
func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == auth.SessionCookieName {
			return c
		}
	}
	return nil
}

// samplePath turns a route pattern into a concrete path.
func samplePath(pattern string) string {
	pattern = strings.ReplaceAll(pattern, "{$}", "") // "/{$}" is exactly "/"
	var b strings.Builder
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			b.WriteString(pattern)
			break
		}
		j := strings.IndexByte(pattern[i:], '}')
		b.WriteString(pattern[:i])
		b.WriteString("x0")
		pattern = pattern[i+j+1:]
	}
	p := b.String()
	if strings.HasSuffix(p, "/") && p != "/" {
		p += "sample.css"
	}
	return p
}

func expectStatus(t testing.TB, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body %s", w.Code, want, w.Body.String())
	}
}
