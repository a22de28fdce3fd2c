package server

import (
	"net/http"

	"github.com/craft-cra/craft/internal/auth"
)

// HandlerFunc is a route's handler. It writes a successful response itself
// and returns an error for anything else; the router turns the error into
// the response (problem+json for the API, an HTML page for web routes).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// RouteKind says how a route answers errors and unauthenticated callers.
type RouteKind int

const (
	// KindAPI routes answer JSON and errors as application/problem+json;
	// an unauthenticated call gets 401.
	KindAPI RouteKind = iota
	// KindPage routes answer HTML; an unauthenticated call is redirected
	// to the sign-in page and errors are rendered by [Server.webError].
	KindPage
)

// RateClass picks the per-address rate limit a route counts against.
type RateClass int

const (
	// RateDefault is the general limit of every route.
	RateDefault RateClass = iota
	// RateAuth is the stricter limit of sign-in, MFA and setup routes,
	// counted in addition to the general one.
	RateAuth
)

// DefaultMaxBody is the request body limit of a route that sets none
// (100 KiB, enough for any JSON request of the API).
const DefaultMaxBody int64 = 100 << 10

// Route is one entry of the route table. Every route names the permission it
// needs; only the allow-list in publicAllowList (health, security.txt,
// sign-in, setup, MFA challenge and static assets) may be Public instead.
type Route struct {
	// Method is the HTTP method ("GET", "POST", "PUT", "PATCH", "DELETE").
	// GET routes answer HEAD too.
	Method string
	// Pattern is the net/http ServeMux path pattern, e.g.
	// "/api/v1/products/{id}".
	Pattern string
	// Perm is what auth.Authorize checks before the handler runs. It must
	// be set unless Public.
	Perm auth.Permission
	// ProductParam names the path wildcard holding the product ID, for
	// product permissions (auth.Permission.ProductScoped).
	ProductParam string
	// Public puts the route on the allow-list: it runs without
	// authentication (the handler may still call Server.Authenticate or use
	// the session cookie, as the MFA step does).
	Public bool
	// Kind is KindAPI (the default) or KindPage.
	Kind RouteKind
	// MaxBody is the request body limit in bytes; 0 means DefaultMaxBody.
	// Larger bodies are refused with 413.
	MaxBody int64
	// Rate is the rate-limit class.
	Rate RateClass
	// Handler serves the request.
	Handler HandlerFunc
}

// pattern is the ServeMux pattern "METHOD /path".
func (rt *Route) pattern() string {
	return rt.Method + " " + rt.Pattern
}

// maxBody is the route's body limit.
func (rt *Route) maxBody() int64 {
	if rt.MaxBody > 0 {
		return rt.MaxBody
	}
	return DefaultMaxBody
}

// Routes returns the whole route table: the API, the public routes and the
// web pages. Tests walk it.
func (s *Server) Routes() []Route {
	var all []Route
	all = append(all, s.publicRoutes()...)
	all = append(all, s.apiRoutes()...)
	all = append(all, s.webRoutes()...)
	all = append(all, s.disclosureRoutes()...)
	all = append(all, s.triageRoutes()...)
	all = append(all, s.notifyRoutes()...)
	all = append(all, s.portfolioRoutes()...)
	all = append(all, s.caseRoutes()...)
	all = append(all, s.advisoryRoutes()...)
	all = append(all, s.openAPIRoutes()...)
	return all
}
