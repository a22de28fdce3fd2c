package server

import (
	"context"
	"log/slog"

	"github.com/craft-cra/craft/internal/auth"
)

// CSAF 2.0 and OpenVEX advisories and CSAF provider publication (issue 7,
// item 4): drafts generated from a release's findings, edited and
// published by security officers (case:manage), and the public CSAF
// provider (CSAF 2.0 section 7.1) with HTML pages and an Atom feed for
// the people who use the products (CRA Art. 14(8), Annex I Part II (4)).

// advisoryMaxBody bounds the JSON bodies of the advisory API (notes and
// summaries of an advisory).
const advisoryMaxBody int64 = 256 << 10

// advisoryFeature holds the advisory routes' parsed pages.
type advisoryFeature struct {
	s  *Server
	ui *webUI
}

// advisoryRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
//
// The advisory ID is not a product path parameter, so the handlers of
// /api/v1/advisories/{id} check case:read or case:manage on the
// advisory's product with auth.Authorize and answer 404 when it fails, as
// the report routes do. Every public route is read-only and serves only
// published TLP:WHITE versions (advisory_versions), never a draft.
func (s *Server) advisoryRoutes() []Route {
	ui, err := newWebUI("advisory_list", "advisory_page", "advisory_manage_list", "advisory_manage_view")
	if err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelError, "advisory pages disabled", slog.String("error", err.Error()))
		ui = nil
	}
	a := &advisoryFeature{s: s, ui: ui}
	const v1 = "/api/v1"
	const wk = "/.well-known/csaf"
	return append(a.manageRoutes(), []Route{
		{Method: "POST", Pattern: v1 + "/products/{product}/releases/{version}/advisories", Perm: auth.PermCaseManage, ProductParam: "product", MaxBody: advisoryMaxBody, Handler: a.createFromRelease},
		{Method: "GET", Pattern: v1 + "/advisories", Perm: auth.PermProductList, Handler: a.list},
		{Method: "GET", Pattern: v1 + "/advisories/{id}", Perm: auth.PermProductList, Handler: a.get},
		{Method: "GET", Pattern: v1 + "/advisories/{id}/openvex", Perm: auth.PermProductList, Handler: a.openVEX},
		{Method: "GET", Pattern: v1 + "/advisories/{id}/versions/{version}", Perm: auth.PermProductList, Handler: a.version},
		{Method: "PATCH", Pattern: v1 + "/advisories/{id}", Perm: auth.PermProductList, MaxBody: advisoryMaxBody, Handler: a.patch},
		{Method: "POST", Pattern: v1 + "/advisories/{id}/publish", Perm: auth.PermProductList, MaxBody: advisoryMaxBody, Handler: a.publish},

		// The CSAF provider (public, read-only).
		{Method: "GET", Pattern: wk + "/provider-metadata.json", Public: true, Handler: a.providerMetadata},
		{Method: "GET", Pattern: wk + "/white/{$}", Public: true, Handler: a.listing},
		{Method: "GET", Pattern: wk + "/white/index.txt", Public: true, Handler: a.indexTxt},
		{Method: "GET", Pattern: wk + "/white/changes.csv", Public: true, Handler: a.changesCSV},
		{Method: "GET", Pattern: wk + "/white/{year}/{$}", Public: true, Handler: a.listing},
		{Method: "GET", Pattern: wk + "/white/{year}/{file}", Public: true, Handler: a.file},
		{Method: "GET", Pattern: wk + "/openpgp/{file}", Public: true, Handler: a.publicKey},

		// Pages and feed for people (public, read-only).
		{Method: "GET", Pattern: "/advisories", Public: true, Kind: KindPage, Handler: a.page(a.listPage)},
		{Method: "GET", Pattern: "/advisories/feed.atom", Public: true, Handler: a.feed},
		{Method: "GET", Pattern: "/advisories/{name}", Public: true, Kind: KindPage, Handler: a.page(a.advisoryPage)},
		{Method: "GET", Pattern: "/advisories/{name}/openvex.json", Public: true, Handler: a.publicOpenVEX},
	}...)
}
