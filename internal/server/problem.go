package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// Error is an error with the status and the public words a handler wants
// the client to see. Err is the internal cause: logged, never sent.
type Error struct {
	Status int
	// Type is a short problem type name ("mfa-required"); it becomes
	// "urn:craft:problem:<Type>". Empty means about:blank.
	Type string
	// Detail is shown to the client; keep internals out of it.
	Detail string
	// RetryAfter, when set, becomes the Retry-After header (seconds).
	RetryAfter int
	// Err is the internal cause.
	Err error
}

func (e *Error) Error() string {
	msg := http.StatusText(e.Status)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// badRequest is a 400 with a public detail.
func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Detail: fmt.Sprintf(format, args...)}
}

// notFound is a 404.
func notFound() *Error { return &Error{Status: http.StatusNotFound} }

// errRateLimited is a 429 with Retry-After.
func errRateLimited(wait time.Duration) *Error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &Error{Status: http.StatusTooManyRequests, Type: "rate-limited",
		Detail: "too many requests; try again later", RetryAfter: secs}
}

// errTooLarge is a 413.
func errTooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("the request body is larger than %d bytes", limit)}
}

// Problem is an RFC 9457 problem details object as craft sends it.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// problemFor turns any error into the public status and problem: an *Error
// keeps its status and detail; auth's errors get auth.HTTPStatus and fixed
// words; everything else is a 500 with no detail.
func problemFor(err error) (*Error, Problem) {
	var e *Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &mbe):
		// A form or upload read past the route's limit.
		e = errTooLarge(mbe.Limit)
	default:
		e = fromAuthError(err)
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status}
	if e.Type != "" {
		p.Type = "urn:craft:problem:" + e.Type
	}
	if status < 500 {
		p.Detail = e.Detail
	}
	return e, p
}

// fromAuthError maps an error of package auth (or anything else) to an
// *Error with words fit for the client.
func fromAuthError(err error) *Error {
	status := auth.HTTPStatus(err)
	e := &Error{Status: status, Err: err}
	var te *auth.ThrottledError
	var pe *auth.PasswordError
	switch {
	case errors.As(err, &te):
		e.Type, e.Detail, e.RetryAfter = "throttled", "too many failed attempts; try again later", te.RetryAfter()
	case errors.Is(err, auth.ErrMFARequired):
		e.Type, e.Detail = "mfa-required", "multi-factor authentication is required"
	case errors.Is(err, auth.ErrInvalidCredentials):
		e.Type, e.Detail = "invalid-credentials", "invalid e-mail address or password"
	case errors.Is(err, auth.ErrInvalidCode):
		e.Type, e.Detail = "invalid-code", "invalid or already used code"
	case errors.Is(err, auth.ErrUnauthenticated):
		e.Type, e.Detail = "unauthenticated", "sign in or send a valid API token"
	case errors.Is(err, auth.ErrForbidden):
		e.Detail = "you do not have permission for this"
	case errors.As(err, &pe):
		e.Type, e.Detail = "password-policy", pe.Reason
	case errors.Is(err, auth.ErrConflict):
		e.Detail = "this conflicts with existing data"
	case errors.Is(err, auth.ErrInvalidInput):
		e.Detail = "the request is not valid"
	case errors.Is(err, auth.ErrNotFound), errors.Is(err, store.ErrNotFound):
		e.Status = http.StatusNotFound
	case errors.Is(err, store.ErrConflict):
		e.Status, e.Detail = http.StatusConflict, "this conflicts with existing data"
	case errors.Is(err, store.ErrInvalid):
		e.Status, e.Detail = http.StatusBadRequest, "the request is not valid"
	}
	return e
}

// writeError answers err: problem+json for API routes, the error page (or a
// redirect to sign-in) for page routes. Server errors are logged with their
// internal cause; the client sees only the status and the request ID.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ri := infoFrom(r.Context())
	e, p := problemFor(err)
	ri.Err = err
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if p.Status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", ri.ID), slog.String("error", err.Error()))
	}
	if ri.Route != nil && ri.Route.Kind == KindPage {
		if p.Status == http.StatusUnauthorized && r.Method == http.MethodGet {
			target := LoginPagePath + "?next=" + url.QueryEscape(r.URL.RequestURI())
			if errors.Is(err, auth.ErrMFARequired) {
				target = MFAPagePath
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		s.webError(w, r, p.Status, p.Detail)
		return
	}
	p.Instance = r.URL.Path
	p.RequestID = ri.ID
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Del("Content-Length")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
