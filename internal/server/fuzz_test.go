package server

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/store/storetest"
)

var jsonSeeds = []string{
	`{"email":"a@example.eu","password":"violet staple ember 42"}`,
	`{"email":"a@example.eu","password":"x","extra":1}`,
	`{"email":"a@example.eu"}{"x":1}`,
	`{"email":5}`,
	`{"email":"\u0000","password":"\ud800"}`,
	`[]`, `null`, `""`, `{`, `{"email":"a","email":"b"}`,
	`{"email":"` + strings.Repeat("a", 1000) + `"}`,
	"\xef\xbb\xbf{}",
}

// FuzzDecodeJSON: the strict decoder never panics, and every refusal is a
// 4xx *Error whose detail does not echo the input.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v loginRequest
		err := decodeStrict(strings.NewReader(string(body)), &v)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 {
			t.Fatalf("error %v is not a 4xx *Error", err)
		}
		if len(body) >= 12 && strings.Contains(e.Detail, string(body)) {
			t.Fatalf("detail echoes the input: %q", e.Detail)
		}
	})
}

// FuzzLogin sends arbitrary bodies to the sign-in route of a real server:
// never a 5xx, always problem+json on refusal, the security headers always.
func FuzzLogin(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s, "application/json")
	}
	f.Add(`email=a&password=b`, "application/x-www-form-urlencoded")
	f.Add(`{}`, "application/json; charset=utf-16")
	e := newEnv(f, storetest.SQLite(f), Config{Limits: RateLimits{Disabled: true}})
	e.user("a@example.eu", "viewer")
	f.Fuzz(func(t *testing.T, body, ct string) {
		ee := *e
		ee.t = t
		w := ee.do("POST", "/api/v1/auth/login", body, withHeader("Content-Type", ct))
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body.String())
		}
		if w.Code >= 400 && w.Code != http.StatusTooManyRequests && w.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("status %d with Content-Type %q", w.Code, w.Header().Get("Content-Type"))
		}
		if w.Header().Get("Content-Security-Policy") == "" {
			t.Fatal("no CSP")
		}
	})
}
