package server

import (
	"net/http"
)

// Paths of the sign-in pages that the router redirects page requests to.
// The web pages (web_*.go) own them.
const (
	// LoginPagePath is where an unauthenticated page request is sent,
	// with ?next=<path>.
	LoginPagePath = "/login"
	// MFAPagePath is where a page request of a session that still needs
	// its second factor (or MFA enrolment) is sent.
	MFAPagePath = "/login/mfa"
)

// webRoutes returns the routes of the web pages (KindPage routes and static
// assets). Filled in by the web pages; every route needs a permission or
// must be on publicAllowList.
func (s *Server) webRoutes() []Route {
	return nil
}

// webError writes the HTML error page of a page route. The web pages replace
// this plain version with a template.
func (s *Server) webError(w http.ResponseWriter, r *http.Request, status int, message string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(http.StatusText(status) + ": " + message + "\n"))
}
