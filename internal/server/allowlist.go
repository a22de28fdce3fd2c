package server

// publicAllowList is every route that may be served without authentication
// ("METHOD /pattern"). Nothing else may be Public: New refuses a route table
// that breaks this, and TestRouteTablePermissions walks the table.
//
// Each entry is here for a reason a reviewer can check: health for probes,
// security.txt for researchers (RFC 9116), the sign-in, MFA challenge and
// first-run setup steps (which cannot need a signed-in user), log-out
// (harmless without a session) and the static assets the sign-in pages use.
// The MFA step and enrolment run without Authorize because a session waiting
// for its second factor is refused everything else; auth checks that
// session itself.
var publicAllowList = map[string]bool{
	"GET /health":                         true,
	"GET /.well-known/security.txt":       true,
	"POST /api/v1/auth/login":             true,
	"POST /api/v1/auth/mfa":               true,
	"POST /api/v1/auth/mfa/enrol":         true,
	"POST /api/v1/auth/mfa/enrol/confirm": true,
	"POST /api/v1/auth/logout":            true,
	"GET /api/v1/setup":                   true,
	"POST /api/v1/setup":                  true,

	// The OpenAPI document (openapi_routes.go): it describes the API and
	// reveals no data.
	"GET /api/v1/openapi.json": true,

	// Web pages (web_*.go): sign-in, MFA challenge and enrolment, setup,
	// log-out and static assets.
	"GET /login":            true,
	"POST /login":           true,
	"GET /login/mfa":        true,
	"POST /login/mfa":       true,
	"GET /login/mfa/enrol":  true,
	"POST /login/mfa/enrol": true,
	"POST /logout":          true,
	"GET /setup":            true,
	"POST /setup":           true,
	"GET /static/":          true,
	"GET /favicon.ico":      true,

	// Coordinated disclosure intake (disclosure_*.go): researchers report
	// vulnerabilities without an account (CRA Annex I Part II) and follow
	// their report with the secret status token in the path.
	"GET /report":                                  true,
	"POST /report":                                 true,
	"GET /report/status/{token}":                   true,
	"POST /report/status/{token}":                  true,
	"GET /api/v1/reports/form-token":               true,
	"POST /api/v1/reports":                         true,
	"GET /api/v1/reports/status/{token}":           true,
	"POST /api/v1/reports/status/{token}/messages": true,

	// CSAF provider, advisory pages and feed (advisory_*.go): published
	// TLP:WHITE advisories must be freely accessible (CSAF 2.0 section
	// 7.1.4; CRA Art. 14(8), Annex I Part II (4)). Read-only; drafts and
	// other labels are never served here.
	"GET /.well-known/csaf/provider-metadata.json": true,
	"GET /.well-known/csaf/white/{$}":              true,
	"GET /.well-known/csaf/white/index.txt":        true,
	"GET /.well-known/csaf/white/changes.csv":      true,
	"GET /.well-known/csaf/white/{year}/{$}":       true,
	"GET /.well-known/csaf/white/{year}/{file}":    true,
	"GET /.well-known/csaf/openpgp/{file}":         true,
	"GET /advisories":                              true,
	"GET /advisories/feed.atom":                    true,
	"GET /advisories/{name}":                       true,
	"GET /advisories/{name}/openvex.json":          true,
}

// onAllowList reports whether rt may be Public.
func onAllowList(rt *Route) bool {
	return publicAllowList[rt.pattern()]
}
