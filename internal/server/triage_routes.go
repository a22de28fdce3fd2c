package server

// Triage of findings with VEX statuses (issue 6, item 4).

// triageRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) triageRoutes() []Route {
	return nil
}
