package server

import (
	"net/http/httptest"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// BenchmarkMe is one authenticated GET /api/v1/me through the whole
// handler (middleware, session lookup, authorisation), without TLS.
//
//	go test ./internal/server -run XXX -bench Me -benchmem
func BenchmarkMe(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b), Config{Limits: RateLimits{Disabled: true}})
	u := e.user("ann@example.eu", auth.RoleViewer)
	tok := e.session(u)
	h := e.s.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("GET", "https://127.0.0.1:8443/api/v1/me", nil)
			withCookie(tok)(r)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
