package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestSelfSignedCertificate: ECDSA P-256, the loopback SANs, a 0600 key,
// reused at the next start, TLS 1.2 minimum.
func TestSelfSignedCertificate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	now := time.Now()
	c, err := LoadOrCreateSelfSigned(dir, []string{"127.0.0.1", "craft.internal"}, now)
	if err != nil || !c.Generated {
		t.Fatal(c.Generated, err)
	}
	leaf, err := x509.ParseCertificate(c.TLS.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if pk, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pk.Curve != elliptic.P256() {
		t.Fatalf("key %T", leaf.PublicKey)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "craft.internal"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("SAN %s: %v", h, err)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, SelfSignedKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v %v", fi.Mode(), err)
	}
	if len(c.Fingerprint) != 95 {
		t.Fatalf("fingerprint %q", c.Fingerprint)
	}
	again, err := LoadOrCreateSelfSigned(dir, []string{"127.0.0.1"}, now)
	if err != nil || again.Generated || again.Fingerprint != c.Fingerprint {
		t.Fatalf("not reused: %v %v", again.Generated, err)
	}
	// Close to expiry it is replaced.
	renewed, err := LoadOrCreateSelfSigned(dir, nil, now.Add(selfSignedLifetime-10*24*time.Hour))
	if err != nil || !renewed.Generated {
		t.Fatalf("not renewed: %v", err)
	}
	// A key readable by others is refused.
	if err := os.Chmod(filepath.Join(dir, SelfSignedKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSelfSigned(dir, nil, now); err == nil {
		t.Fatal("world-readable key accepted")
	}
	if cfg := TLSConfig(c.TLS); cfg.MinVersion != tls.VersionTLS12 {
		t.Fatalf("MinVersion %x", cfg.MinVersion)
	}
}

// TestClientIP: the peer unless it is a trusted proxy; a forged
// X-Forwarded-For from anyone else is ignored.
func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct {
		remote, xff, want string
		trusted           []netip.Prefix
	}{
		{"192.0.2.1:1234", "", "192.0.2.1", nil},
		{"192.0.2.1:1234", "203.0.113.9", "192.0.2.1", nil},
		{"192.0.2.1:1234", "203.0.113.9", "192.0.2.1", trusted},
		{"10.1.1.1:1234", "203.0.113.9", "203.0.113.9", trusted},
		{"10.1.1.1:1234", "198.51.100.7, 203.0.113.9, 10.2.2.2", "203.0.113.9", trusted},
		{"10.1.1.1:1234", "garbage", "10.1.1.1", trusted},
		{"[::ffff:192.0.2.5]:1", "", "192.0.2.5", nil},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientIP(r, c.trusted); got != c.want {
			t.Errorf("%s xff %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

// TestCleanupTakesLease: the clean-up job runs in one process at a time,
// deletes expired sessions and stale login counters, and keeps recent
// counters (TOTP replay records need 90 s).
func TestCleanupTakesLease(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{})
		ctx := t.Context()
		u := e.user("ann@example.eu", "viewer")
		e.session(u)
		if _, err := st.RecordLoginFailure(ctx, "ip:192.0.2.1", e.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.AcquireLease(ctx, cleanupLease, "other:1", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if res, err := e.s.Cleanup(ctx, "me:2"); err != nil || res.Ran {
			t.Fatalf("ran while another holds the lease: %+v %v", res, err)
		}
		if err := st.ReleaseLease(ctx, cleanupLease, "other:1"); err != nil {
			t.Fatal(err)
		}
		if res, err := e.s.Cleanup(ctx, "me:2"); err != nil || !res.Ran || res.Sessions != 0 || res.LoginAttempts != 0 {
			t.Fatalf("early run %+v %v", res, err)
		}
		e.clock.Advance(25 * time.Hour)
		res, err := e.s.Cleanup(ctx, "me:2")
		if err != nil || !res.Ran || res.Sessions != 1 || res.LoginAttempts != 1 {
			t.Fatalf("late run %+v %v", res, err)
		}
	})
}

// TestMetricsListenerOnly: metrics are served by MetricsHandler, never by
// the main handler, and pprof only in binaries built with the tag.
func TestMetricsListenerOnly(t *testing.T) {
	e := sqliteEnv(t)
	e.do("GET", "/health", nil)
	w := httptest.NewRecorder()
	e.s.MetricsHandler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `craft_http_requests_total{code="200",route="GET /health"} 1`) {
		t.Fatalf("metrics %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	e.s.MetricsHandler().ServeHTTP(w, httptest.NewRequest("GET", "/debug/pprof/", nil))
	if (w.Code == 200) != DebugEnabled {
		t.Fatalf("pprof %d with DebugEnabled %v", w.Code, DebugEnabled)
	}
	expectStatus(t, e.do("GET", "/metrics", nil), 404)
}

// TestServerTimeouts: the main server has header, read, write and idle
// timeouts and a header size limit (slow-loris and oversized headers).
func TestServerTimeouts(t *testing.T) {
	e := sqliteEnv(t)
	hs := e.s.httpServer(nil)
	if hs.ReadHeaderTimeout <= 0 || hs.ReadHeaderTimeout > 10*time.Second || hs.ReadTimeout <= 0 ||
		hs.WriteTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 64<<10 {
		t.Fatalf("timeouts %v %v %v %v, max header %d", hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout, hs.MaxHeaderBytes)
	}
	if err := e.s.Run(t.Context(), Listeners{}); err == nil {
		t.Fatal("Run without TLS and without InsecureHTTP accepted")
	}
}

// TestProblemMapping: errors from handlers map to the right status without
// internals; a body read past the limit anywhere (forms too) is 413.
func TestProblemMapping(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{&http.MaxBytesError{Limit: 10}, 413},
		{fmt.Errorf("parse form: %w", &http.MaxBytesError{Limit: 10}), 413},
		{fmt.Errorf("x: %w", store.ErrNotFound), 404},
		{fmt.Errorf("x: %w", store.ErrConflict), 409},
		{auth.ErrForbidden, 403},
		{auth.ErrMFARequired, 401},
		{errors.New("database is on fire"), 500},
	} {
		_, p := problemFor(c.err)
		if p.Status != c.want {
			t.Errorf("%v: %d, want %d", c.err, p.Status, c.want)
		}
		if p.Status == 500 && p.Detail != "" {
			t.Errorf("500 with detail %q", p.Detail)
		}
	}
}
