package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// The notification pages: /admin/notifications (webhooks, their delivery
// log, e-mail settings) and /account/notifications (the caller's recent
// notifications and their choices for all products). They apply the API's
// rules through the same functions; per-product choices are API-only.

// notifyPages holds the parsed notify_* templates.
type notifyPages struct {
	s  *Server
	ui *webUI
}

// notifyPageRoutes are the page routes of this feature.
func (s *Server) notifyPageRoutes() []Route {
	ui, err := newWebUI("notify_admin", "notify_account")
	if err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelError, "notification pages disabled", slog.String("error", err.Error()))
		ui = nil
	}
	n := &notifyPages{s: s, ui: ui}
	h := n.handler
	return []Route{
		{Method: "GET", Pattern: "/admin/notifications", Perm: auth.PermSettingsRead, Kind: KindPage, Handler: h(n.adminPage)},
		{Method: "POST", Pattern: "/admin/notifications/webhooks", Perm: auth.PermSettingsWrite, Kind: KindPage, MaxBody: webFormMaxBody, Handler: h(n.webhookCreate)},
		{Method: "POST", Pattern: "/admin/notifications/webhooks/{id}/delete", Perm: auth.PermSettingsWrite, Kind: KindPage, MaxBody: webFormMaxBody, Handler: h(n.webhookDelete)},
		{Method: "POST", Pattern: "/admin/notifications/smtp", Perm: auth.PermSettingsWrite, Kind: KindPage, MaxBody: webFormMaxBody, Handler: h(n.smtpSubmit)},
		{Method: "GET", Pattern: "/account/notifications", Perm: auth.PermAccountManage, Kind: KindPage, Handler: h(n.accountPage)},
		{Method: "POST", Pattern: "/account/notifications", Perm: auth.PermAccountManage, Kind: KindPage, MaxBody: webFormMaxBody, Handler: h(n.accountSubmit)},
	}
}

func (n *notifyPages) handler(f HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if n.ui == nil {
			return &Error{Status: http.StatusInternalServerError, Err: errors.New("notification pages disabled: templates failed to load")}
		}
		return f(w, r)
	}
}

// webhookRow is one webhook with its latest deliveries.
type webhookRow struct {
	Hook       webhookJSON
	Deliveries []deliveryJSON
}

type notifyAdminData struct {
	CanWrite  bool
	Webhooks  []webhookRow
	Kinds     []string
	SMTP      smtpJSON
	NewSecret string
	// Form keeps what was typed into a refused webhook form.
	FormName, FormURL string
}

// adminDeliveriesShown is how many deliveries per webhook the page lists.
const adminDeliveriesShown = 10

func (n *notifyPages) renderAdmin(w http.ResponseWriter, r *http.Request, status int, d notifyAdminData, notice, msg string) error {
	ctx := r.Context()
	d.CanWrite = auth.Authorize(PrincipalFrom(ctx), auth.PermSettingsWrite, "") == nil
	d.Kinds = notifyKinds
	hooks, err := n.s.store.ListWebhooks(ctx)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		ds, err := n.s.store.ListWebhookDeliveries(ctx, h.ID, adminDeliveriesShown)
		if err != nil {
			return err
		}
		row := webhookRow{Hook: toWebhookJSON(h)}
		for _, x := range ds {
			row.Deliveries = append(row.Deliveries, toDeliveryJSON(x))
		}
		d.Webhooks = append(d.Webhooks, row)
	}
	c, err := n.s.loadNotifySettings(ctx)
	if err != nil {
		return err
	}
	d.SMTP = smtpJSONOf(c)
	return n.s.render(w, r, n.ui, status, "notify_admin", page{Title: "Notifications", Section: "notifications",
		Notice: notice, Error: msg, Data: d})
}

func (n *notifyPages) adminPage(w http.ResponseWriter, r *http.Request) error {
	return n.renderAdmin(w, r, http.StatusOK, notifyAdminData{}, "", "")
}

// formProblem is the detail of a 400 to show on the page, or ok=false for
// any other error (which the router answers).
func formProblem(err error) (string, bool) {
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusBadRequest {
		return e.Detail, true
	}
	return "", false
}

func (n *notifyPages) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	name, u, secret := r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("url")), strings.TrimSpace(r.PostFormValue("secret"))
	kinds := r.PostForm["kinds"]
	req := webhookRequest{Name: &name, URL: &u, Kinds: &kinds}
	if secret != "" {
		req.Secret = &secret
	}
	out, err := n.s.addWebhook(r, req)
	if msg, ok := formProblem(err); ok {
		return n.renderAdmin(w, r, http.StatusBadRequest, notifyAdminData{FormName: name, FormURL: u}, "", msg)
	}
	if err != nil {
		return err
	}
	return n.renderAdmin(w, r, http.StatusOK, notifyAdminData{NewSecret: out.Secret}, "The webhook was added.", "")
}

func (n *notifyPages) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := n.s.removeWebhook(r, r.PathValue("id")); err != nil {
		return err
	}
	return n.renderAdmin(w, r, http.StatusOK, notifyAdminData{}, "The webhook was deleted.", "")
}

func (n *notifyPages) smtpSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostFormValue
	port := 0
	if v := strings.TrimSpace(f("port")); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return n.renderAdmin(w, r, http.StatusBadRequest, notifyAdminData{}, "", "port: want a number from 1 to 65535")
		}
		port = p
	}
	hour, err := strconv.Atoi(strings.TrimSpace(f("digest_hour_utc")))
	if err != nil {
		return n.renderAdmin(w, r, http.StatusBadRequest, notifyAdminData{}, "", "digest_hour_utc: want a number from 0 to 23")
	}
	req := smtpJSON{Host: f("host"), Port: port, Username: f("username"), From: f("from"),
		DisableStartTLS: f("disable_starttls") == "on", DigestHourUTC: &hour, BaseURL: f("base_url")}
	// An empty password field keeps the stored password; the checkbox
	// removes it.
	if pw := f("password"); pw != "" {
		req.Password = &pw
	} else if f("clear_password") == "on" {
		empty := ""
		req.Password = &empty
	}
	_, err = n.s.saveSMTPSettings(r, req)
	if msg, ok := formProblem(err); ok {
		return n.renderAdmin(w, r, http.StatusBadRequest, notifyAdminData{}, "", msg)
	}
	if err != nil {
		return err
	}
	return n.renderAdmin(w, r, http.StatusOK, notifyAdminData{}, "The e-mail settings were saved.", "")
}

// prefRow is one group's choice for all products on the account page.
type prefRow struct {
	Group, Label, Mode string // Mode "" means the role's default
}

type productModes struct {
	Name  string
	Modes map[string]string
}

type notifyAccountData struct {
	Rows          []prefRow
	Products      []productModes
	Notifications []notificationJSON
	ProductNames  map[string]string
}

var groupLabels = map[string]string{
	store.GroupFindings: "New findings and severity changes",
	store.GroupKEV:      "Findings listed as actively exploited (KEV)",
	store.GroupEOL:      "Components past their end of life",
	store.GroupReports:  "Vulnerability reports and messages",
}

// accountRecentShown is how many notifications the account page lists.
const accountRecentShown = 50

func (n *notifyPages) renderAccount(w http.ResponseWriter, r *http.Request, status int, notice, msg string) error {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	prefs, err := n.s.store.ListNotificationPreferences(ctx, p.UserID)
	if err != nil {
		return err
	}
	var d notifyAccountData
	for _, g := range prefGroups {
		row := prefRow{Group: g, Label: groupLabels[g]}
		for _, x := range prefs {
			if x.ProductID == "" && x.Group == g {
				row.Mode = x.Mode
			}
		}
		d.Rows = append(d.Rows, row)
	}
	products, err := n.s.store.ListProducts(ctx)
	if err != nil {
		return err
	}
	d.ProductNames = map[string]string{}
	for _, prod := range products {
		if auth.Authorize(p, auth.PermProductRead, prod.ID) != nil {
			continue
		}
		d.ProductNames[prod.ID] = prod.Name
		pm := productModes{Name: prod.Name, Modes: map[string]string{}}
		for _, g := range prefGroups {
			pm.Modes[g] = store.ModeOff
			if mayHear(p, g, prod.ID) {
				pm.Modes[g] = modeFor(p, prefs, g, prod.ID)
			}
		}
		d.Products = append(d.Products, pm)
	}
	all, ids := p.ProductFilter()
	ns, err := n.s.store.ListNotifications(ctx, store.NotificationFilter{All: all, Products: ids,
		WithoutProduct: mayHear(p, store.GroupReports, "")}, nil, accountRecentShown)
	if err != nil {
		return err
	}
	for _, x := range ns {
		if mayHear(p, groupOf(x.Kind), x.ProductID) {
			d.Notifications = append(d.Notifications, notificationJSON{ID: x.ID, Kind: x.Kind, ProductID: x.ProductID,
				Subject: x.Subject, CreatedAt: x.CreatedAt})
		}
	}
	return n.s.render(w, r, n.ui, status, "notify_account", page{Title: "Notifications", Section: "account",
		Notice: notice, Error: msg, Data: d})
}

func (n *notifyPages) accountPage(w http.ResponseWriter, r *http.Request) error {
	return n.renderAccount(w, r, http.StatusOK, "", "")
}

// accountSubmit replaces the choices for all products; per-product
// choices made through the API are kept.
func (n *notifyPages) accountSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	prefs, err := n.s.store.ListNotificationPreferences(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	var next []preferenceJSON
	for _, x := range prefs {
		if x.ProductID != "" {
			next = append(next, preferenceJSON(x))
		}
	}
	for _, g := range prefGroups {
		switch m := r.PostFormValue("mode_" + g); m {
		case "", "default":
		case store.ModeImmediate, store.ModeDigest, store.ModeOff:
			next = append(next, preferenceJSON{Group: g, Mode: m})
		default:
			return n.renderAccount(w, r, http.StatusBadRequest, "", "mode_"+g+": choose default, immediate, digest or off")
		}
	}
	err = n.s.savePreferences(r, next)
	if msg, ok := formProblem(err); ok {
		return n.renderAccount(w, r, http.StatusBadRequest, "", msg)
	}
	if err != nil {
		return err
	}
	return n.renderAccount(w, r, http.StatusOK, "Your notification choices were saved.", "")
}
