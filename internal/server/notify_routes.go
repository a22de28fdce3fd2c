package server

import "context"

// Notification channels: webhooks, e-mail, preferences (issue 6, item 3).

// notifyRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) notifyRoutes() []Route {
	return nil
}

// notifyTick delivers pending notifications from the job loop.
func (s *Server) notifyTick(ctx context.Context, holder string) {}
