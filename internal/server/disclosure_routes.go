package server

import (
	"context"
	"log/slog"

	"github.com/craft-cra/craft/internal/auth"
)

// Coordinated disclosure intake (issue 7, item 1): the public report page
// and API, the reporter's secret status link, the officers' view of the
// reports, and the settings of /.well-known/security.txt.

// reportMaxBody is the body limit of a report and of a message: 64 KiB.
const reportMaxBody int64 = 64 << 10

// disclosureRoutes are the routes of disclosure intake. The public ones are
// on publicAllowList; every one that takes a report or a message counts
// against the strict (RateAuth) class.
func (s *Server) disclosureRoutes() []Route {
	ui, err := newWebUI("report", "report_done", "report_status", "securitytxt")
	if err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelError, "report pages disabled", slog.String("error", err.Error()))
		ui = nil
	}
	d := &disclosure{s: s, ui: ui}
	const v1 = "/api/v1"
	return []Route{
		// Public: no account, no cookie.
		{Method: "GET", Pattern: "/report", Public: true, Kind: KindPage, Handler: d.page(d.reportPage)},
		{Method: "POST", Pattern: "/report", Public: true, Kind: KindPage, Rate: RateAuth, MaxBody: reportMaxBody, Handler: d.page(d.reportSubmit)},
		{Method: "GET", Pattern: "/report/status/{token}", Public: true, Kind: KindPage, Rate: RateAuth, Handler: d.page(d.statusPage)},
		{Method: "POST", Pattern: "/report/status/{token}", Public: true, Kind: KindPage, Rate: RateAuth, MaxBody: reportMaxBody, Handler: d.page(d.statusMessage)},
		{Method: "GET", Pattern: v1 + "/reports/form-token", Public: true, Handler: d.apiFormToken},
		{Method: "POST", Pattern: v1 + "/reports", Public: true, Rate: RateAuth, MaxBody: reportMaxBody, Handler: d.apiSubmit},
		{Method: "GET", Pattern: v1 + "/reports/status/{token}", Public: true, Rate: RateAuth, Handler: d.apiStatus},
		{Method: "POST", Pattern: v1 + "/reports/status/{token}/messages", Public: true, Rate: RateAuth, MaxBody: reportMaxBody, Handler: d.apiStatusMessage},

		// Security officers and administrators. The report's product is
		// not in the path, so the handlers check case:read / case:manage
		// on it with auth.Authorize (and answer 404 when it fails).
		{Method: "GET", Pattern: v1 + "/reports", Perm: auth.PermProductList, Handler: d.apiList},
		{Method: "GET", Pattern: v1 + "/reports/{ref}", Perm: auth.PermProductList, Handler: d.apiGet},
		{Method: "POST", Pattern: v1 + "/reports/{ref}/messages", Perm: auth.PermProductList, MaxBody: reportMaxBody, Handler: d.apiReply},

		// security.txt settings.
		{Method: "GET", Pattern: v1 + "/settings/security-txt", Perm: auth.PermSettingsRead, Handler: s.getSecurityTxtSettings},
		{Method: "PUT", Pattern: v1 + "/settings/security-txt", Perm: auth.PermSettingsWrite, Handler: s.putSecurityTxtSettings},
		{Method: "GET", Pattern: "/admin/security-txt", Perm: auth.PermSettingsRead, Kind: KindPage, Handler: d.page(d.securityTxtPage)},
		{Method: "POST", Pattern: "/admin/security-txt", Perm: auth.PermSettingsWrite, Kind: KindPage, MaxBody: webFormMaxBody, Handler: d.page(d.securityTxtSubmit)},
	}
}
