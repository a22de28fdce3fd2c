package server

import (
	"net/http"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
)

// Authenticate finds the caller of r: an API token in
// "Authorization: Bearer craft_pat_…", else the session cookie. It records
// the principal in the request context (PrincipalFrom) and returns it. A
// request with neither, or with an invalid one, gets an error matching
// auth.ErrUnauthenticated. The router calls it for every non-public route;
// public handlers may call it to learn who is signed in.
func (s *Server) Authenticate(r *http.Request) (auth.Principal, error) {
	ri := infoFrom(r.Context())
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || s.auth.Tokens == nil {
			return auth.Principal{}, auth.ErrUnauthenticated
		}
		ctx := withAuditSource(r.Context(), ri.ClientIP)
		p, err := s.auth.Tokens.Authenticate(ctx, strings.TrimSpace(tok))
		if err != nil {
			return auth.Principal{}, err
		}
		ri.Principal = p
		return p, nil
	}
	token := sessionToken(r)
	if token == "" {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	p, _, err := s.auth.Sessions.Principal(r.Context(), token)
	if err != nil {
		return auth.Principal{}, err
	}
	ri.Principal = p
	ri.SessionToken = token
	return p, nil
}

// sessionToken is the value of the session cookie, "" when there is none.
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(auth.SessionCookieName)
	if err != nil {
		return ""
	}
	return c.Value
}
