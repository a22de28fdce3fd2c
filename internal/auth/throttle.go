package auth

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// ThrottlePolicy turns a failure count into a wait: the first FreeFailures
// failures cost nothing, the next one BaseDelay, each further one twice the
// previous, never more than MaxDelay. A counter quiet for ForgetAfter starts
// again from zero. There is no permanent lockout: the longest a real user
// can be kept out by someone else's guessing is MaxDelay.
type ThrottlePolicy struct {
	FreeFailures int
	BaseDelay    time.Duration
	MaxDelay     time.Duration
	ForgetAfter  time.Duration
}

// DefaultAccountThrottle is the per-account policy: 5 free failures, then
// 1 s doubling to 15 minutes, forgotten after a quiet day (OWASP
// Authentication Cheat Sheet).
func DefaultAccountThrottle() ThrottlePolicy {
	return ThrottlePolicy{FreeFailures: 5, BaseDelay: time.Second, MaxDelay: 15 * time.Minute, ForgetAfter: 24 * time.Hour}
}

// DefaultIPThrottle is the per-address policy: like the account's but with
// 20 free failures, since many people may share one address (NAT, proxies).
func DefaultIPThrottle() ThrottlePolicy {
	return ThrottlePolicy{FreeFailures: 20, BaseDelay: time.Second, MaxDelay: 15 * time.Minute, ForgetAfter: 24 * time.Hour}
}

// Delay is the wait after failures failures.
func (p ThrottlePolicy) Delay(failures int) time.Duration {
	over := failures - p.FreeFailures
	if over < 0 || p.BaseDelay <= 0 {
		return 0
	}
	d := p.BaseDelay
	for i := 0; i < over && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// WaitUntil is when the next attempt for this counter is allowed; the zero
// time when it is allowed now.
func (p ThrottlePolicy) WaitUntil(a LoginAttempt, now time.Time) time.Time {
	if a.Failures == 0 || p.forgotten(a, now) {
		return time.Time{}
	}
	d := p.Delay(a.Failures)
	if d == 0 {
		return time.Time{}
	}
	until := a.LastFailureAt.Add(d)
	if !until.After(now) {
		return time.Time{}
	}
	return until
}

func (p ThrottlePolicy) forgotten(a LoginAttempt, now time.Time) bool {
	return p.ForgetAfter > 0 && now.Sub(a.LastFailureAt) >= p.ForgetAfter
}

// ThrottleKey is one counter: an account, an address or an MFA challenge.
type ThrottleKey struct {
	Key    string
	Policy ThrottlePolicy
	// ResetOnSuccess is true for account keys: a successful sign-in resets
	// them. Address keys are not reset, so an attacker cannot clear their
	// address's counter by signing in to an account of their own.
	ResetOnSuccess bool
}

// AccountKey is the counter of an e-mail address, whether or not an
// account has it, so that throttling does not reveal which accounts
// exist. The address is hashed: the table holds no e-mail addresses.
func AccountKey(email string, p ThrottlePolicy) ThrottleKey {
	return ThrottleKey{Key: "user:" + sha256Hex(EmailKey(email))[:32], Policy: p, ResetOnSuccess: true}
}

// IPKey is the counter of a client address. IPv6 addresses count per /64,
// the block one customer usually gets; an unparsable address counts as
// itself.
func IPKey(addr string, p ThrottlePolicy) ThrottleKey {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		addr = ap.Addr().String()
	}
	if a, err := netip.ParseAddr(addr); err == nil {
		a = a.Unmap()
		if a.Is6() {
			pfx, _ := a.Prefix(64)
			addr = pfx.String()
		} else {
			addr = a.String()
		}
	}
	return ThrottleKey{Key: "ip:" + addr, Policy: p}
}

// MFAKey is the counter of second-factor attempts of one account: six
// digits are guessable without it.
func MFAKey(userID string, p ThrottlePolicy) ThrottleKey {
	return ThrottleKey{Key: "mfa:" + userID, Policy: p, ResetOnSuccess: true}
}

// EmailKey is the form of an e-mail address used for lookups: trimmed and
// lower case.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Throttle decides whether an attempt may go ahead and counts the outcome.
type Throttle struct {
	Store ThrottleStore
	Now   func() time.Time
}

// Check returns nil when every key allows an attempt now, else a
// *ThrottledError with the latest time any key allows one. Refused
// attempts are not counted.
func (t *Throttle) Check(ctx context.Context, keys ...ThrottleKey) error {
	now := t.now()
	var until time.Time
	for _, k := range keys {
		a, err := t.Store.GetLoginAttempt(ctx, k.Key)
		if err != nil {
			return fmt.Errorf("auth: throttle %s: %w", k.Key, err)
		}
		if u := k.Policy.WaitUntil(a, now); u.After(until) {
			until = u
		}
	}
	if until.IsZero() {
		return nil
	}
	return &ThrottledError{Until: until, now: now}
}

// Failure counts one failed attempt against every key; a counter quiet for
// its ForgetAfter starts again from one.
func (t *Throttle) Failure(ctx context.Context, keys ...ThrottleKey) error {
	now := t.now()
	for _, k := range keys {
		a, err := t.Store.GetLoginAttempt(ctx, k.Key)
		if err != nil {
			return fmt.Errorf("auth: throttle %s: %w", k.Key, err)
		}
		if a.Failures > 0 && k.Policy.forgotten(a, now) {
			if err := t.Store.ResetLoginAttempts(ctx, k.Key); err != nil {
				return fmt.Errorf("auth: throttle %s: %w", k.Key, err)
			}
		}
		lock := func(failures int) time.Time {
			if d := k.Policy.Delay(failures); d > 0 {
				return now.Add(d)
			}
			return time.Time{}
		}
		if _, err := t.Store.RecordLoginFailure(ctx, k.Key, now, lock); err != nil {
			return fmt.Errorf("auth: throttle %s: %w", k.Key, err)
		}
	}
	return nil
}

// Success resets the keys marked ResetOnSuccess.
func (t *Throttle) Success(ctx context.Context, keys ...ThrottleKey) error {
	for _, k := range keys {
		if !k.ResetOnSuccess {
			continue
		}
		if err := t.Store.ResetLoginAttempts(ctx, k.Key); err != nil {
			return fmt.Errorf("auth: throttle %s: %w", k.Key, err)
		}
	}
	return nil
}

func (t *Throttle) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}
