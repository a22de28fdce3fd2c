package server

import (
	"net/http"
)

// publicRoutes are the routes outside the API and the pages: health and
// security.txt.
func (s *Server) publicRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/health", Public: true, Handler: s.health},
		{Method: "GET", Pattern: "/.well-known/security.txt", Public: true, Handler: s.securityTxt},
	}
}

// health answers {"status":"ok"} and nothing else: no version, no database
// state, nothing an attacker could use.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
	return nil
}

// securityTxt is RFC 9116's file; craft has no contact configured yet, so
// it is 404 until a later issue adds the setting.
func (s *Server) securityTxt(_ http.ResponseWriter, _ *http.Request) error {
	return notFound()
}
