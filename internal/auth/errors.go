package auth

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

var (
	// ErrUnauthenticated means the caller has not proved who it is (no
	// session, an expired or revoked session or token, a malformed token).
	// The server answers 401.
	ErrUnauthenticated = errors.New("auth: not authenticated")
	// ErrMFARequired means a session passed the password step but not yet
	// the second factor. It wraps ErrUnauthenticated: until the second
	// factor is passed, the session is not authenticated for anything.
	ErrMFARequired = fmt.Errorf("%w: multi-factor authentication required", ErrUnauthenticated)
	// ErrForbidden means the caller is authenticated but lacks the
	// permission, the product membership or the token scope. The server
	// answers 403.
	ErrForbidden = errors.New("auth: forbidden")
	// ErrInvalidCredentials is the one error for a wrong password, an
	// unknown e-mail address and a disabled account, so that the answer
	// does not reveal which accounts exist.
	ErrInvalidCredentials = errors.New("auth: invalid e-mail address or password")
	// ErrInvalidCode means a TOTP or recovery code was wrong, already
	// used, or replayed within its time window.
	ErrInvalidCode = errors.New("auth: invalid or already used code")
	// ErrThrottled is matched by a *ThrottledError.
	ErrThrottled = errors.New("auth: too many failed attempts")
	// ErrNotFound is what storage returns for a missing row; adapters map
	// their own not-found error to it.
	ErrNotFound = errors.New("auth: not found")
	// ErrConflict is what storage returns when a write clashes with
	// existing data (an e-mail address in use, a missing product); the
	// server answers 409.
	ErrConflict = errors.New("auth: conflict")
	// ErrInvalidInput means an argument broke a rule (an unknown role, an
	// expiry beyond the maximum, a token scope wider than its creator).
	ErrInvalidInput = errors.New("auth: invalid input")
)

// ThrottledError says that attempts for an account or an address are
// refused until Until. The server answers 429 with a Retry-After header of
// RetryAfter seconds.
type ThrottledError struct {
	Until time.Time
	// now is when the decision was taken, for RetryAfter.
	now time.Time
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed attempts: retry after %s", e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// RetryAfter is the whole number of seconds to wait, at least 1, for the
// Retry-After header.
func (e *ThrottledError) RetryAfter() int {
	d := e.Until.Sub(e.now)
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		return 1
	}
	return s
}

// HTTPStatus maps an error from this package to the status the server
// answers with: 401, 403, 429, 400 for bad input, 409 for a conflict, 500 for
// anything else (a storage failure). A nil error is 200.
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrThrottled):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrUnauthenticated), errors.Is(err, ErrInvalidCredentials), errors.Is(err, ErrInvalidCode):
		return http.StatusUnauthorized
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrInvalidInput), errors.Is(err, ErrPasswordPolicy):
		return http.StatusBadRequest
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}
