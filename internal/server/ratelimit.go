package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/craft-cra/craft/internal/auth"
)

// maxBuckets bounds the memory of one limiter: beyond it, buckets that are
// full again (idle keys) are dropped, and if none are, the oldest half.
const maxBuckets = 100_000

// limiters are the server's token buckets: per client address, per
// principal, and the stricter one of sign-in, MFA and setup.
type limiters struct {
	ip, principal, auth *limiter
}

func newLimiters(c RateLimits, now func() time.Time) *limiters {
	return &limiters{
		ip:        newLimiter(c.PerIP, c.Disabled, now),
		principal: newLimiter(c.PerPrincipal, c.Disabled, now),
		auth:      newLimiter(c.Auth, c.Disabled, now),
	}
}

// limiter keeps one token bucket per key (golang.org/x/time/rate) with the
// server's clock.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	limit   rate.Limit
	burst   int
	off     bool
	now     func() time.Time
	// refill is how long an empty bucket takes to fill: a bucket unused
	// that long is full and can be forgotten.
	refill time.Duration
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimiter(b Bucket, off bool, now func() time.Time) *limiter {
	refill := time.Duration(float64(b.Burst) / b.Rate * float64(time.Second))
	return &limiter{buckets: make(map[string]*bucket), limit: rate.Limit(b.Rate), burst: b.Burst, off: off, now: now, refill: refill}
}

// allow takes one token for key. When none is left it reports false and how
// long until one is (for Retry-After); a refused request takes nothing.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.off {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.last = now
	res := b.lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets buckets that have refilled; if that frees nothing, it drops
// the least recently used half. Called with mu held.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) >= l.refill {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < maxBuckets {
		return
	}
	var cut time.Time
	n := 0
	for _, b := range l.buckets {
		if n == 0 || b.last.Before(cut) {
			cut = b.last
		}
		n++
	}
	// Drop everything not used since the midpoint between the oldest use
	// and now: at worst a few keys get a fresh, full bucket.
	mid := cut.Add(now.Sub(cut) / 2)
	for k, b := range l.buckets {
		if b.last.Before(mid) {
			delete(l.buckets, k)
		}
	}
}

// principalKey is the rate-limit key of an authenticated caller: each API
// token counts alone, each user's sessions together.
func principalKey(p auth.Principal) string {
	if p.Token != nil {
		return "token:" + p.Token.ID
	}
	return "user:" + p.UserID
}
