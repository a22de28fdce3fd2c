package server

import (
	"context"
	"log/slog"

	"github.com/craft-cra/craft/internal/auth"
)

// Triage of findings with VEX statuses (issue 6, item 4): decisions on
// findings with their history, VEX out and VEX in. docs/triage.md
// describes the statuses, scopes and routes.

// triageMaxBody is the body limit of a bulk triage, JSON or form: up to
// store.MaxTriageEntries findings whose component keys are package URLs of
// a hundred bytes or more (a Maven purl often is) fit with room to spare.
const triageMaxBody int64 = 1 << 20

// triageRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) triageRoutes() []Route {
	ui, err := newWebUI("findings_detail")
	if err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelError, "finding pages disabled", slog.String("error", err.Error()))
		ui = nil
	}
	tw := &triageWeb{s: s, ui: ui}
	const rel = "/api/v1/products/{product}/releases/{version}"
	const page = "/products/{product}/releases/{version}"
	return []Route{
		{Method: "GET", Pattern: rel + "/findings/{vuln}/history", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.findingHistory},
		{Method: "POST", Pattern: rel + "/triage", Perm: auth.PermFindingTriage, ProductParam: "product", MaxBody: triageMaxBody, Handler: s.postTriage},
		{Method: "GET", Pattern: rel + "/vex", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.getVEX},
		{Method: "POST", Pattern: rel + "/vex", Perm: auth.PermFindingTriage, ProductParam: "product", MaxBody: vexUploadMaxBody, Handler: s.postVEX},

		{Method: "POST", Pattern: page + "/triage", Perm: auth.PermFindingTriage, ProductParam: "product", Kind: KindPage, MaxBody: triageMaxBody, Handler: tw.page(tw.triageSubmit)},
		{Method: "GET", Pattern: page + "/findings/{vuln}", Perm: auth.PermProductRead, ProductParam: "product", Kind: KindPage, Handler: tw.page(tw.findingPage)},
	}
}
