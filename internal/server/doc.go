// Package server is craft serve's HTTP side: the route table, the middleware
// every request passes (security headers, request IDs, recovery, rate
// limits, body limits, CSRF protection, authentication and the one central
// authorisation call), the JSON API under /api/v1, TLS, background jobs and
// metrics.
//
// Every route is declared once in a [Route] with the permission it needs
// (an auth.Permission, or Public for the short allow-list of sign-in, setup
// and health routes), its body limit and its rate-limit class. The router
// authenticates the caller, calls auth.Authorize for the route's permission
// and only then runs the handler; handlers never decide access themselves,
// except that listings narrow what they show with Principal.ProductFilter.
//
// Handlers return errors instead of writing them: [Server.writeError] turns
// them into RFC 9457 application/problem+json (or an HTML page for web
// routes) without internals, and logs the internal cause with the request ID.
//
// The web pages (html/template, embedded assets) live in the web_*.go files,
// templates/ and static/ of this package and plug in through
// [Server.webRoutes].
package server
