package notify

import (
	"math/rand/v2"
	"time"
)

// RetrySchedule is the wait before each retry of a failed webhook
// delivery: attempt 1 is immediate, attempt 2 one minute after the first
// failure, and so on; after the last wait's attempt fails the delivery is
// given up (six attempts over about 15 hours, long enough to ride out a
// receiver's night-time maintenance).
var RetrySchedule = [...]time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}

// MaxAttempts is the number of attempts before a delivery fails for good.
const MaxAttempts = len(RetrySchedule) + 1

// jitterFraction spreads retries by ±20 % so that many deliveries failed
// by one outage do not all return at the same instant.
const jitterFraction = 0.2

// NextAttempt is when to try again after the given number of failed
// attempts (1 after the first failure); ok is false when the delivery has
// had its last attempt. rnd returns a number in [0, 1); nil means
// math/rand/v2 (tests pass a fixed one).
func NextAttempt(failed int, now time.Time, rnd func() float64) (time.Time, bool) {
	if failed < 1 || failed > len(RetrySchedule) {
		return time.Time{}, false
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	base := RetrySchedule[failed-1]
	j := time.Duration((rnd()*2 - 1) * jitterFraction * float64(base))
	return now.Add(base + j), true
}
