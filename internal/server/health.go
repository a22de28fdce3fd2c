package server

import (
	"net/http"
)

// publicRoutes are the routes outside the API and the pages: health and
// security.txt (securitytxt_settings.go).
func (s *Server) publicRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/health", Public: true, Handler: s.health},
		{Method: "GET", Pattern: "/.well-known/security.txt", Public: true, Handler: s.securityTxtFile},
	}
}

// health answers {"status":"ok"} and nothing else: no version, no database
// state, nothing an attacker could use.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
	return nil
}
