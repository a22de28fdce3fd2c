package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/craft-cra/craft/internal/auth"
)

// Paths of the sign-in pages that the router redirects page requests to.
// The web pages (web_*.go) own them.
const (
	// LoginPagePath is where an unauthenticated page request is sent,
	// with ?next=<path>.
	LoginPagePath = "/login"
	// MFAPagePath is where a page request of a session that still needs
	// its second factor (or MFA enrolment) is sent.
	MFAPagePath = "/login/mfa"
	// EnrolPagePath is the TOTP enrolment page.
	EnrolPagePath = "/login/mfa/enrol"
	// SetupPagePath is the first-run setup page; craft serve prints
	// SetupPagePath + "?token=<token>" at first start.
	SetupPagePath = "/setup"
)

// webFormMaxBody is the body limit of every form post of the pages: the
// largest form (add a user) is far below it.
const webFormMaxBody int64 = 16 << 10

// webRoutes returns the routes of the web pages (KindPage routes and static
// assets). Every route needs a permission or must be on publicAllowList;
// the router authenticates and authorises before a handler runs, so the
// handlers below never decide access themselves (the one exception,
// addMembership, checks the product's permission on top of the route's).
func (s *Server) webRoutes() []Route {
	ui, err := newWebUI(pageNames()...)
	if err != nil {
		// Cannot happen with the embedded templates (a test parses them);
		// if it does, every page answers 500 and says why in the log.
		s.log.LogAttrs(context.Background(), slog.LevelError, "web pages disabled", slog.String("error", err.Error()))
		ui = nil
	}
	w := &web{s: s, ui: ui}
	h := w.handler
	const (
		pub   = true
		pages = KindPage
	)
	return []Route{
		// Sign-in, second factor, enrolment, setup (on the allow-list).
		{Method: "GET", Pattern: LoginPagePath, Public: pub, Kind: pages, Handler: h(w.loginPage)},
		{Method: "POST", Pattern: LoginPagePath, Public: pub, Kind: pages, Rate: RateAuth, MaxBody: webFormMaxBody, Handler: h(w.loginSubmit)},
		{Method: "GET", Pattern: MFAPagePath, Public: pub, Kind: pages, Handler: h(w.mfaPage)},
		{Method: "POST", Pattern: MFAPagePath, Public: pub, Kind: pages, Rate: RateAuth, MaxBody: webFormMaxBody, Handler: h(w.mfaSubmit)},
		{Method: "GET", Pattern: EnrolPagePath, Public: pub, Kind: pages, Rate: RateAuth, Handler: h(w.enrolPage)},
		{Method: "POST", Pattern: EnrolPagePath, Public: pub, Kind: pages, Rate: RateAuth, MaxBody: webFormMaxBody, Handler: h(w.enrolSubmit)},
		{Method: "POST", Pattern: "/logout", Public: pub, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.logoutSubmit)},
		{Method: "GET", Pattern: SetupPagePath, Public: pub, Kind: pages, Handler: h(w.setupPage)},
		{Method: "POST", Pattern: SetupPagePath, Public: pub, Kind: pages, Rate: RateAuth, MaxBody: webFormMaxBody, Handler: h(w.setupSubmit)},
		{Method: "GET", Pattern: "/static/", Public: pub, Kind: pages, Handler: h(w.static(""))},
		{Method: "GET", Pattern: "/favicon.ico", Public: pub, Kind: pages, Handler: h(w.static("favicon.svg"))},

		// The signed-in account.
		{Method: "GET", Pattern: "/{$}", Perm: auth.PermProductList, Kind: pages, Handler: h(w.homePage)},
		{Method: "GET", Pattern: "/account", Perm: auth.PermAccountManage, Kind: pages, Handler: h(w.accountPage)},
		{Method: "POST", Pattern: "/account/password", Perm: auth.PermAccountManage, Kind: pages, Rate: RateAuth, MaxBody: webFormMaxBody, Handler: h(w.passwordSubmit)},
		{Method: "POST", Pattern: "/account/sessions/{id}/revoke", Perm: auth.PermAccountManage, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.sessionRevoke)},
		{Method: "POST", Pattern: "/account/sessions/revoke-all", Perm: auth.PermAccountManage, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.sessionRevokeAll)},
		{Method: "POST", Pattern: "/account/tokens", Perm: auth.PermTokenCreate, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.tokenCreate)},
		{Method: "POST", Pattern: "/account/tokens/{id}/revoke", Perm: auth.PermAccountManage, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.tokenRevoke)},
		{Method: "POST", Pattern: "/account/recovery-codes", Perm: auth.PermAccountManage, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.recoveryRegenerate)},

		// Administration.
		{Method: "GET", Pattern: "/admin/users", Perm: auth.PermUserAdmin, Kind: pages, Handler: h(w.usersPage)},
		{Method: "POST", Pattern: "/admin/users", Perm: auth.PermUserAdmin, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.userCreate)},
		{Method: "GET", Pattern: "/admin/users/{id}", Perm: auth.PermUserAdmin, Kind: pages, Handler: h(w.userPage)},
		{Method: "POST", Pattern: "/admin/users/{id}/role", Perm: auth.PermUserAdmin, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.userRole)},
		{Method: "POST", Pattern: "/admin/users/{id}/disable", Perm: auth.PermUserAdmin, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.userDisable(true))},
		{Method: "POST", Pattern: "/admin/users/{id}/enable", Perm: auth.PermUserAdmin, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.userDisable(false))},
		{Method: "POST", Pattern: "/admin/users/{id}/mfa-reset", Perm: auth.PermUserAdmin, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.userMFAReset)},
		{Method: "POST", Pattern: "/admin/memberships", Perm: auth.PermUserAdmin, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.membershipSet)},
		{Method: "POST", Pattern: "/admin/products/{product}/members/{user}/remove", Perm: auth.PermMembershipAdmin, ProductParam: "product", Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.membershipRemove)},
		{Method: "GET", Pattern: "/admin/products", Perm: auth.PermProductCreate, Kind: pages, Handler: h(w.productsPage)},
		{Method: "POST", Pattern: "/admin/products", Perm: auth.PermProductCreate, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.productCreate)},
		{Method: "GET", Pattern: "/admin/audit", Perm: auth.PermAuditRead, Kind: pages, Handler: h(w.auditPage)},
		{Method: "GET", Pattern: "/admin/settings", Perm: auth.PermSettingsRead, Kind: pages, Handler: h(w.settingsPage)},
		{Method: "POST", Pattern: "/admin/settings", Perm: auth.PermSettingsWrite, Kind: pages, MaxBody: webFormMaxBody, Handler: h(w.settingsSubmit)},
	}
}

// web is the web pages' handlers: the server and the parsed templates.
type web struct {
	s  *Server
	ui *webUI
}

// handler turns a page handler into a route handler that answers 500 when
// the templates could not be loaded.
func (w *web) handler(f HandlerFunc) HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) error {
		if w.ui == nil {
			return &Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("web pages disabled: templates failed to load")}
		}
		return f(rw, r)
	}
}

// render writes page name with status.
func (w *web) render(rw http.ResponseWriter, r *http.Request, status int, name string, p page) error {
	return w.s.render(rw, r, w.ui, status, name, p)
}

// static serves the embedded asset name, or the one named by the path.
func (w *web) static(name string) HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) error {
		return w.s.serveAsset(w.ui, name)(rw, r)
	}
}

// webError writes the HTML error page of a page route. A 429 gets a fixed
// page without templates (a flood must not cost template work); anything
// else gets the error template, or plain text if even that fails.
func (s *Server) webError(w http.ResponseWriter, r *http.Request, status int, message string) {
	if status != http.StatusTooManyRequests {
		if err := s.webErrorPage(w, r, status, message); err == nil {
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%d %s · craft</title></head>"+
		"<body><main><h1>%d %s</h1><p>Please wait a moment, then <a href=\"/\">try again</a>.</p></main></body></html>\n",
		status, http.StatusText(status), status, http.StatusText(status))
}
