package server

// The OpenAPI 3.1 description of the API (issue 6, item 6).

// openAPIRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) openAPIRoutes() []Route {
	return nil
}
