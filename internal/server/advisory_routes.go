package server

// CSAF 2.0 and OpenVEX advisories and CSAF provider publication (issue 7, item 4).

// advisoryRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) advisoryRoutes() []Route {
	return nil
}
