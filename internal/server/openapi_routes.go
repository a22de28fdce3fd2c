package server

import (
	_ "embed"
	"net/http"
)

// The OpenAPI 3.1 description of the API (issue 6, item 6).

// openAPIDocument is openapi.json: the hand-written OpenAPI 3.1 document of
// every /api/v1 route. TestOpenAPIMatchesRouteTable checks it against the
// route table; docs/api.md says how to add a route to it.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPIRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) openAPIRoutes() []Route {
	return []Route{
		// Public: it describes the API and reveals no data.
		{Method: "GET", Pattern: "/api/v1/openapi.json", Public: true, Handler: s.openAPI},
	}
}

// openAPI is GET /api/v1/openapi.json: the document byte for byte.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(openAPIDocument)
	}
	return nil
}
