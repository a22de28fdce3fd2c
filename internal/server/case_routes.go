package server

import "context"

// Vulnerability cases and Article 14 clocks (issue 7, items 2-3).

// caseRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) caseRoutes() []Route {
	return nil
}

// caseTick sends Article 14 deadline reminders from the job loop.
func (s *Server) caseTick(ctx context.Context, holder string) {}
