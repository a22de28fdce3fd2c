package auth_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/auth/authtest"
)

func TestThrottleDelay(t *testing.T) {
	p := auth.DefaultAccountThrottle()
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {4, 0}, {5, time.Second}, {6, 2 * time.Second}, {7, 4 * time.Second},
		{14, 512 * time.Second}, {15, 15 * time.Minute}, {40, 15 * time.Minute}, {1 << 30, 15 * time.Minute},
	}
	for _, tc := range tests {
		if got := p.Delay(tc.failures); got != tc.want {
			t.Errorf("Delay(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

func TestThrottleGrowsAndNeverLocksForever(t *testing.T) {
	st := authtest.New()
	c := newClock()
	th := &auth.Throttle{Store: st, Now: c.Now}
	ctx := t.Context()
	key := auth.AccountKey("ada@example.eu", auth.DefaultAccountThrottle())
	for i := 1; i <= 4; i++ {
		if err := th.Failure(ctx, key); err != nil {
			t.Fatal(err)
		}
		if err := th.Check(ctx, key); err != nil {
			t.Fatalf("refused after %d failures: %v", i, err)
		}
	}
	var last time.Duration
	for i := 5; i <= 30; i++ {
		if err := th.Failure(ctx, key); err != nil {
			t.Fatal(err)
		}
		err := th.Check(ctx, key)
		var te *auth.ThrottledError
		if !errors.As(err, &te) || !errors.Is(err, auth.ErrThrottled) {
			t.Fatalf("after %d failures: %v, want ThrottledError", i, err)
		}
		wait := te.Until.Sub(c.Now())
		if wait < last || wait > 15*time.Minute {
			t.Fatalf("after %d failures wait %v (previous %v): want growing, ≤ 15m", i, wait, last)
		}
		if te.RetryAfter() != int(wait/time.Second) {
			t.Fatalf("RetryAfter %d for wait %v", te.RetryAfter(), wait)
		}
		if auth.HTTPStatus(err) != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", auth.HTTPStatus(err))
		}
		last = wait
		c.Advance(wait) // the wait always ends
		if err := th.Check(ctx, key); err != nil {
			t.Fatalf("still refused after waiting %v: %v", wait, err)
		}
	}
	if last != 15*time.Minute {
		t.Fatalf("longest wait %v, want the 15-minute cap", last)
	}
}

func TestThrottleSuccessResetsAccountNotAddress(t *testing.T) {
	st := authtest.New()
	c := newClock()
	th := &auth.Throttle{Store: st, Now: c.Now}
	ctx := t.Context()
	acct := auth.AccountKey("ada@example.eu", auth.DefaultAccountThrottle())
	ip := auth.IPKey("203.0.113.9", auth.ThrottlePolicy{FreeFailures: 5, BaseDelay: time.Second, MaxDelay: time.Minute})
	for range 6 {
		if err := th.Failure(ctx, acct, ip); err != nil {
			t.Fatal(err)
		}
	}
	if err := th.Success(ctx, acct, ip); err != nil {
		t.Fatal(err)
	}
	if err := th.Check(ctx, acct); err != nil {
		t.Fatalf("account still throttled after a success: %v", err)
	}
	if err := th.Check(ctx, ip); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("a success reset the address counter: %v", err)
	}
}

func TestThrottleForgetsQuietCounters(t *testing.T) {
	st := authtest.New()
	c := newClock()
	th := &auth.Throttle{Store: st, Now: c.Now}
	ctx := t.Context()
	key := auth.AccountKey("ada@example.eu", auth.DefaultAccountThrottle())
	for range 10 {
		_ = th.Failure(ctx, key)
	}
	c.Advance(25 * time.Hour)
	if err := th.Failure(ctx, key); err != nil {
		t.Fatal(err)
	}
	if a, _ := st.GetLoginAttempt(ctx, key.Key); a.Failures != 1 {
		t.Fatalf("counter is %d after a quiet day, want 1", a.Failures)
	}
}

func TestThrottleKeys(t *testing.T) {
	p := auth.DefaultIPThrottle()
	tests := []struct{ a, b string }{
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::2"}, // one /64
		{"203.0.113.9:51234", "203.0.113.9"},             // port dropped
		{"::ffff:203.0.113.9", "203.0.113.9"},            // mapped IPv4
	}
	for _, tc := range tests {
		if ka, kb := auth.IPKey(tc.a, p).Key, auth.IPKey(tc.b, p).Key; ka != kb {
			t.Errorf("IPKey(%q)=%q, IPKey(%q)=%q: want one counter", tc.a, ka, tc.b, kb)
		}
	}
	if auth.IPKey("2001:db8:1:2::1", p).Key == auth.IPKey("2001:db8:1:3::1", p).Key {
		t.Error("two /64 networks share a counter")
	}
	if auth.AccountKey("Ada@Example.EU ", auth.DefaultAccountThrottle()).Key != auth.AccountKey("ada@example.eu", auth.DefaultAccountThrottle()).Key {
		t.Error("account key depends on case or spaces")
	}
	if k := auth.AccountKey("ada@example.eu", auth.DefaultAccountThrottle()).Key; len(k) > 40 || containsAt(k) {
		t.Errorf("account key %q holds the e-mail address", k)
	}
}

func containsAt(s string) bool {
	for _, r := range s {
		if r == '@' {
			return true
		}
	}
	return false
}
