package server

import (
	"context"
	"log/slog"

	"github.com/craft-cra/craft/internal/auth"
)

// caseTick sends Article 14 deadline reminders from the job loop.
func (s *Server) caseTick(ctx context.Context, holder string) {
	if _, err := s.SendCaseReminders(ctx, holder); err != nil && ctx.Err() == nil {
		s.log.Error("case reminders job", slog.String("error", err.Error()))
	}
}

// Vulnerability cases and Article 14 clocks (issue 7, items 2-3). The
// rules (states, clocks, drafts) are in package cases; this file wires the
// routes, case_api.go answers the API, case_pages.go the officers' pages,
// case_tick.go sends the deadline reminders.

// caseMaxBody is the body limit of case requests: a description or a
// message of up to 32 KiB, escaped, fits.
const caseMaxBody int64 = 256 << 10

// caseRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes]. A case's product is not in the
// path, so the routes ask for product:list and the handlers check
// case:read or case:manage on the case's product with auth.Authorize,
// answering 404 when it fails (as the report routes do).
func (s *Server) caseRoutes() []Route {
	ui, err := newWebUI("case_list", "case_view")
	if err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelError, "case pages disabled", slog.String("error", err.Error()))
		ui = nil
	}
	c := &caseHandlers{s: s, ui: ui}
	const v1 = "/api/v1/cases"
	list := auth.PermProductList
	return []Route{
		{Method: "GET", Pattern: v1, Perm: list, Handler: c.apiList},
		{Method: "POST", Pattern: v1, Perm: list, MaxBody: caseMaxBody, Handler: c.apiCreate},
		{Method: "GET", Pattern: v1 + "/{ref}", Perm: list, Handler: c.apiGet},
		{Method: "PATCH", Pattern: v1 + "/{ref}", Perm: list, MaxBody: caseMaxBody, Handler: c.apiPatch},
		{Method: "POST", Pattern: v1 + "/{ref}/transitions", Perm: list, MaxBody: caseMaxBody, Handler: c.apiTransition},
		{Method: "POST", Pattern: v1 + "/{ref}/exploited", Perm: list, MaxBody: caseMaxBody, Handler: c.apiExploited},
		{Method: "POST", Pattern: v1 + "/{ref}/incident", Perm: list, MaxBody: caseMaxBody, Handler: c.apiIncident},
		{Method: "POST", Pattern: v1 + "/{ref}/measure", Perm: list, MaxBody: caseMaxBody, Handler: c.apiMeasure},
		{Method: "GET", Pattern: v1 + "/{ref}/deadlines", Perm: list, Handler: c.apiDeadlines},
		{Method: "GET", Pattern: v1 + "/{ref}/drafts/{stage}", Perm: list, Handler: c.apiDraft},
		{Method: "POST", Pattern: v1 + "/{ref}/submissions", Perm: list, MaxBody: caseMaxBody, Handler: c.apiSubmission},
		{Method: "GET", Pattern: v1 + "/{ref}/messages", Perm: list, Handler: c.apiMessages},
		{Method: "POST", Pattern: v1 + "/{ref}/messages", Perm: list, MaxBody: reportMaxBody, Handler: c.apiReply},

		{Method: "GET", Pattern: "/cases", Perm: list, Kind: KindPage, Handler: c.page(c.listPage)},
		{Method: "POST", Pattern: "/cases", Perm: list, Kind: KindPage, MaxBody: webFormMaxBody, Handler: c.page(c.createSubmit)},
		{Method: "GET", Pattern: "/cases/{ref}", Perm: list, Kind: KindPage, Handler: c.page(c.viewPage)},
		{Method: "POST", Pattern: "/cases/{ref}/{action}", Perm: list, Kind: KindPage, MaxBody: caseMaxBody, Handler: c.page(c.actionSubmit)},
	}
}

// caseHandlers holds the case pages' templates.
type caseHandlers struct {
	s  *Server
	ui *webUI
}
