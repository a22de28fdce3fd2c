package server

import (
	"context"
	"net/http"

	"github.com/craft-cra/craft/internal/auth"
)

// ctxKey is the type of this package's context keys.
type ctxKey int

const (
	keyRequest ctxKey = iota
)

// requestInfo is what the middleware learns about a request and hands to
// handlers and logs through the context. It is created once per request by
// the outermost middleware and filled in as the request passes.
type requestInfo struct {
	ID        string
	ClientIP  string
	Route     *Route
	Principal auth.Principal
	// SessionToken is the session cookie's value when the caller signed in
	// with it (never logged).
	SessionToken string
	// Status is the status written, for logs and metrics.
	Status int
	// Err is the internal cause of an error response, for the log line.
	Err error
}

func withInfo(ctx context.Context, ri *requestInfo) context.Context {
	return context.WithValue(ctx, keyRequest, ri)
}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(keyRequest).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

// PrincipalFrom returns the caller of the request: the principal the router
// authenticated before it called the handler. On Public routes it is the
// anonymous principal unless the handler called [Server.Authenticate].
func PrincipalFrom(ctx context.Context) auth.Principal {
	return infoFrom(ctx).Principal
}

// RequestID returns the request's ID (also sent as X-Request-ID and written
// in every log line of the request).
func RequestID(ctx context.Context) string {
	return infoFrom(ctx).ID
}

// ClientIP returns the client address the server determined (the peer, or
// the address a trusted reverse proxy reported).
func ClientIP(r *http.Request) string {
	return infoFrom(r.Context()).ClientIP
}
