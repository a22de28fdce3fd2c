package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// The administration pages: users, product memberships, products and the
// audit log. Every route needs user:admin, membership:admin,
// product:create or audit:read (administrators only), checked by the
// router before these run.

// userForm is what the add-a-user form keeps after a refused submit.
type userForm struct {
	Email string
	Name  string
	Role  auth.Role
}

// usersData is the users page's Data.
type usersData struct {
	Users        []auth.User
	Roles        []auth.Role
	Form         userForm
	Created      *auth.User
	TempPassword string
}

// usersPage is GET /admin/users.
func (w *web) usersPage(rw http.ResponseWriter, r *http.Request) error {
	return w.renderUsers(rw, r, http.StatusOK, page{}, usersData{Form: userForm{Role: auth.RoleViewer}})
}

func (w *web) renderUsers(rw http.ResponseWriter, r *http.Request, status int, pg page, d usersData) error {
	users, err := w.s.auth.Users.ListUsers(r.Context())
	if err != nil {
		return fmt.Errorf("server: users: %w", err)
	}
	sort.Slice(users, func(i, j int) bool { return strings.ToLower(users[i].Email) < strings.ToLower(users[j].Email) })
	d.Users, d.Roles = users, auth.Roles()
	pg.Title, pg.Section, pg.Data = "Users", "users", d
	return w.render(rw, r, status, "users", pg)
}

// userCreate is POST /admin/users: a new account, viewer unless another
// role is chosen. Without a password, craft makes one and shows it once.
func (w *web) userCreate(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	s := w.s
	f := userForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")), Role: auth.RoleViewer}
	if v := r.PostFormValue("role"); v != "" {
		role, err := auth.ParseRole(v)
		if err != nil {
			return w.renderUsers(rw, r, http.StatusBadRequest, page{Error: "Choose one of the four roles."}, usersData{Form: f})
		}
		f.Role = role
	}
	pw, generated := r.PostFormValue("password"), false
	if pw == "" {
		var err error
		if pw, err = firstPassword(f.Email); err != nil {
			return err
		}
		generated = true
	}
	u, err := s.auth.CreateUser(r.Context(), auth.NewUser{Email: f.Email, DisplayName: f.Name, Password: pw, Role: f.Role})
	if err != nil {
		if msg, status, ok := formMessage(rw, err); ok {
			return w.renderUsers(rw, r, status, page{Error: msg}, usersData{Form: f})
		}
		return err
	}
	if err := s.audit(r, ActUserCreate, "user:"+u.ID, map[string]string{
		"role": string(u.Role), "generated_first_credential": boolString(generated), "via": "web",
	}); err != nil {
		return err
	}
	d := usersData{Form: userForm{Role: auth.RoleViewer}, Created: &u}
	if generated {
		d.TempPassword = pw
	}
	return w.renderUsers(rw, r, http.StatusOK, page{}, d)
}

// firstPassword makes a first password for a new account: 20 random
// characters of a lower-case alphabet without look-alikes, in groups of
// five (about 100 bits), that meets the password policy.
func firstPassword(email string) (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // 31 characters
	for range 10 {
		var b [20]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("server: first password: %w", err)
		}
		var sb strings.Builder
		for i, x := range b {
			if i > 0 && i%5 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(alphabet[int(x)%len(alphabet)])
		}
		if pw := sb.String(); auth.CheckPassword(pw, email) == nil {
			return pw, nil
		}
	}
	return "", errors.New("server: first password: no candidate met the password policy")
}

// membershipRow is one membership on a user's page.
type membershipRow struct {
	ProductID   string
	ProductName string
	Role        auth.Role
	Effective   auth.Role
}

// userData is a user's page's Data.
type userData struct {
	User        auth.User
	Roles       []auth.Role
	MemberRoles []auth.Role
	Memberships []membershipRow
	Products    []store.Product
}

// userPage is GET /admin/users/{id}.
func (w *web) userPage(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := w.s
	u, err := s.auth.Users.GetUser(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	products, err := s.store.ListProducts(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(products))
	for _, p := range products {
		names[p.ID] = p.Name
	}
	ms, err := s.store.ListMemberships(ctx, u.ID, "")
	if err != nil {
		return err
	}
	d := userData{User: u, Roles: auth.Roles(), Products: products,
		MemberRoles: []auth.Role{auth.RoleViewer, auth.RoleContributor, auth.RoleSecurityOfficer}}
	for _, m := range ms {
		eff := auth.Role(m.Role)
		if u.Role == auth.RoleAdministrator {
			eff = auth.RoleAdministrator
		} else {
			eff = lowerRole(u.Role, eff)
		}
		d.Memberships = append(d.Memberships, membershipRow{ProductID: m.ProductID, ProductName: names[m.ProductID],
			Role: auth.Role(m.Role), Effective: eff})
	}
	sort.Slice(d.Memberships, func(i, j int) bool { return d.Memberships[i].ProductName < d.Memberships[j].ProductName })
	return w.render(rw, r, http.StatusOK, "user", page{Title: u.Email, Section: "users", Data: d})
}

// afterUserChange redirects to the user's page, or to sign-in when the
// administrator changed their own account (their sessions just ended).
func (w *web) afterUserChange(rw http.ResponseWriter, r *http.Request, userID, done string) {
	if userID == PrincipalFrom(r.Context()).UserID {
		http.SetCookie(rw, auth.ClearSessionCookie())
		http.Redirect(rw, r, LoginPagePath, http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, "/admin/users/"+url.PathEscape(userID)+"?done="+done, http.StatusSeeOther)
}

// userRole is POST /admin/users/{id}/role.
func (w *web) userRole(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	s := w.s
	id := r.PathValue("id")
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil {
		return badRequest("choose one of the four roles")
	}
	before, err := s.auth.Users.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if before.Role == role {
		http.Redirect(rw, r, "/admin/users/"+url.PathEscape(id), http.StatusSeeOther)
		return nil
	}
	if _, err := s.auth.SetRole(ctx, PrincipalFrom(ctx), id, role); err != nil {
		return w.userActionError(rw, r, err)
	}
	if err := s.audit(r, ActRoleChange, "user:"+id, map[string]string{"from": string(before.Role), "to": string(role), "via": "web"}); err != nil {
		return err
	}
	w.afterUserChange(rw, r, id, "role")
	return nil
}

// userActionError answers a refused change (the last administrator, an
// unknown user) with the error page's words.
func (w *web) userActionError(rw http.ResponseWriter, r *http.Request, err error) error {
	if msg, status, ok := formMessage(rw, err); ok {
		return &Error{Status: status, Detail: msg, Err: err}
	}
	return err
}

// userDisable is POST /admin/users/{id}/disable and …/enable.
func (w *web) userDisable(disable bool) HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		s := w.s
		id := r.PathValue("id")
		if _, err := s.auth.SetDisabled(ctx, PrincipalFrom(ctx), id, disable); err != nil {
			return w.userActionError(rw, r, err)
		}
		action, done := ActUserEnable, "enabled"
		if disable {
			action, done = ActUserDisable, "disabled"
		}
		if err := s.audit(r, action, "user:"+id, map[string]string{"via": "web"}); err != nil {
			return err
		}
		if disable {
			w.afterUserChange(rw, r, id, done)
			return nil
		}
		http.Redirect(rw, r, "/admin/users/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

// userMFAReset is POST /admin/users/{id}/mfa-reset.
func (w *web) userMFAReset(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := w.s
	id := r.PathValue("id")
	if _, err := s.auth.Users.GetUser(ctx, id); err != nil {
		return err
	}
	if err := s.auth.ResetMFA(ctx, PrincipalFrom(ctx), id); err != nil {
		return w.userActionError(rw, r, err)
	}
	if err := s.audit(r, ActMFAReset, "user:"+id, map[string]string{"via": "web"}); err != nil {
		return err
	}
	w.afterUserChange(rw, r, id, "mfa-reset")
	return nil
}

// membershipSet is POST /admin/memberships (user, product and role in the
// form, since a form cannot put its choice in the path). The route needs
// user:admin; membership:admin on the chosen product is checked here too,
// through the same auth.Authorize.
func (w *web) membershipSet(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	s := w.s
	userID, productID := r.PostFormValue("user"), r.PostFormValue("product")
	if err := auth.Authorize(PrincipalFrom(ctx), auth.PermMembershipAdmin, productID); err != nil {
		return err
	}
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil || role == auth.RoleAdministrator {
		return badRequest("a membership role is viewer, contributor or security officer")
	}
	if _, err := s.auth.Users.GetUser(ctx, userID); err != nil {
		return err
	}
	if _, err := s.store.GetProduct(ctx, productID); err != nil {
		return storeError(err)
	}
	if err := s.store.SetMembership(ctx, store.Membership{UserID: userID, ProductID: productID, Role: store.Role(role)}); err != nil {
		return storeError(err)
	}
	if err := s.audit(r, ActMembershipSet, "user:"+userID, map[string]string{"product": productID, "role": string(role), "via": "web"}); err != nil {
		return err
	}
	http.Redirect(rw, r, "/admin/users/"+url.PathEscape(userID)+"?done=membership#memberships", http.StatusSeeOther)
	return nil
}

// membershipRemove is POST /admin/products/{product}/members/{user}/remove.
func (w *web) membershipRemove(rw http.ResponseWriter, r *http.Request) error {
	s := w.s
	userID, productID := r.PathValue("user"), r.PathValue("product")
	if err := s.store.DeleteMembership(r.Context(), userID, productID); err != nil {
		return storeError(err)
	}
	if err := s.audit(r, ActMembershipDelete, "user:"+userID, map[string]string{"product": productID, "via": "web"}); err != nil {
		return err
	}
	http.Redirect(rw, r, "/admin/users/"+url.PathEscape(userID)+"?done=member-removed#memberships", http.StatusSeeOther)
	return nil
}

// storeError maps the store's not-found and conflict errors to 404 and
// 409; anything else stays a 500.
func storeError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Detail: "this conflicts with existing data", Err: err}
	case errors.Is(err, store.ErrInvalid):
		return &Error{Status: http.StatusBadRequest, Detail: "the request is not valid", Err: err}
	}
	return err
}

// productRow is one product on the products page.
type productRow struct {
	store.Product
	Members int
}

// productsPage is GET /admin/products.
func (w *web) productsPage(rw http.ResponseWriter, r *http.Request) error {
	return w.renderProducts(rw, r, http.StatusOK, page{})
}

func (w *web) renderProducts(rw http.ResponseWriter, r *http.Request, status int, pg page) error {
	ctx := r.Context()
	products, err := w.s.store.ListProducts(ctx)
	if err != nil {
		return err
	}
	ms, err := w.s.store.ListMemberships(ctx, "", "")
	if err != nil {
		return err
	}
	count := make(map[string]int)
	for _, m := range ms {
		count[m.ProductID]++
	}
	rows := make([]productRow, 0, len(products))
	for _, p := range products {
		rows = append(rows, productRow{Product: p, Members: count[p.ID]})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	pg.Title, pg.Section, pg.Data = "Products", "products", struct{ Products []productRow }{rows}
	return w.render(rw, r, status, "products", pg)
}

// productCreate is POST /admin/products.
func (w *web) productCreate(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 200 {
		return w.renderProducts(rw, r, http.StatusBadRequest, page{Error: "A product needs a name of 1 to 200 characters."})
	}
	p, err := w.s.store.CreateProduct(r.Context(), store.Product{Name: name})
	if errors.Is(err, store.ErrConflict) {
		return w.renderProducts(rw, r, http.StatusConflict, page{Error: "A product with this name exists already."})
	}
	if err != nil {
		return err
	}
	if err := w.s.audit(r, ActProductCreate, "product:"+p.ID, map[string]string{"name": p.Name, "via": "web"}); err != nil {
		return err
	}
	http.Redirect(rw, r, "/admin/products?done=product", http.StatusSeeOther)
	return nil
}

// auditPageSize is the number of events on one audit page.
const auditPageSize = 50

// auditFilterForm is the audit page's filter as the form sends it.
type auditFilterForm struct {
	Actor, Action, Target, Since, Until string
}

// auditData is the audit page's Data.
type auditData struct {
	Filter    auditFilterForm
	Events    []auditRow
	Page      int
	NewerURL  string
	OlderURL  string
	ExportURL string
	VerifyURL string
	Verified  *store.VerifyResult
	TooDeep   bool
}

// auditRow is one event as the page shows it.
type auditRow struct {
	store.Event
	DetailText string
}

// auditPage is GET /admin/audit: newest events first, filtered by actor,
// action, target and date range, 50 a page; ?verify=1 also walks the
// whole hash chain and shows the result.
func (w *web) auditPage(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := auditFilterForm{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Target: strings.TrimSpace(q.Get("target")), Since: q.Get("since"), Until: q.Get("until")}
	filter := store.AuditFilter{Actor: f.Actor, Action: f.Action, Target: f.Target, Newest: true}
	var pg page
	var err error
	if filter.Since, err = parseDay(f.Since); err != nil {
		pg.Error, f.Since = "The start date is not a date (YYYY-MM-DD).", ""
	}
	if filter.Until, err = parseDay(f.Until); err != nil {
		pg.Error, f.Until = "The end date is not a date (YYYY-MM-DD).", ""
	} else if !filter.Until.IsZero() {
		filter.Until = filter.Until.Add(24 * time.Hour) // the whole end day
	}
	// The store pages forward by sequence number; newest first is read as
	// the newest (n+1)·50 events and cut to the last 50. ListAudit stops
	// at 10,000 events, so deeper pages ask for a narrower filter.
	const maxEvents = 10000
	const lastPage = maxEvents/auditPageSize - 1
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 0 {
		n = 0
	}
	d := auditData{Filter: f}
	if n > lastPage {
		d.TooDeep, n = true, lastPage
	}
	d.Page = n
	filter.Limit = (n + 1) * auditPageSize
	events, err := w.s.store.ListAudit(ctx, filter)
	if err != nil {
		return err
	}
	if len(events) > n*auditPageSize {
		for _, e := range events[n*auditPageSize:] {
			d.Events = append(d.Events, auditRow{Event: e, DetailText: detailText(e.Detail)})
		}
	}
	base := url.Values{}
	for k, v := range map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target, "since": f.Since, "until": f.Until} {
		if v != "" {
			base.Set(k, v)
		}
	}
	at := func(pageNo int) string {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		if pageNo > 0 {
			v.Set("page", strconv.Itoa(pageNo))
		}
		if len(v) == 0 {
			return "/admin/audit"
		}
		return "/admin/audit?" + v.Encode()
	}
	if n > 0 {
		d.NewerURL = at(n - 1)
	}
	if len(events) == filter.Limit && (n+2)*auditPageSize <= maxEvents {
		d.OlderURL = at(n + 1)
	}
	d.ExportURL = exportURL(f, filter)
	v := url.Values{}
	for k, x := range base {
		v[k] = x
	}
	v.Set("verify", "1")
	d.VerifyURL = "/admin/audit?" + v.Encode()
	if q.Get("verify") == "1" {
		res, err := w.s.store.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		d.Verified = &res
	}
	pg.Title, pg.Section, pg.Data = "Audit log", "audit", d
	return w.render(rw, r, http.StatusOK, "audit", pg)
}

// parseDay reads a YYYY-MM-DD date as midnight UTC; "" is the zero time.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", s)
}

// detailText writes an event's detail as "key=value" pairs in key order.
func detailText(d map[string]string) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+d[k])
	}
	return strings.Join(parts, " ")
}

// exportURL links the API's export (GET /api/v1/audit/export, JSON Lines)
// with the page's filter; the API takes RFC 3339 times.
func exportURL(f auditFilterForm, filter store.AuditFilter) string {
	v := url.Values{}
	for k, x := range map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if !filter.Since.IsZero() {
		v.Set("since", filter.Since.UTC().Format(time.RFC3339))
	}
	if !filter.Until.IsZero() {
		v.Set("until", filter.Until.UTC().Format(time.RFC3339))
	}
	if len(v) == 0 {
		return "/api/v1/audit/export"
	}
	return "/api/v1/audit/export?" + v.Encode()
}

// settingsData is the settings page's Data.
type settingsData struct {
	ActivityLog bool
	CanWrite    bool
}

// settingsPage is GET /admin/settings: the operator's switches (today the
// optional activity log; the audit chain has no switch).
func (w *web) settingsPage(rw http.ResponseWriter, r *http.Request) error {
	canWrite := auth.Authorize(PrincipalFrom(r.Context()), auth.PermSettingsWrite, "") == nil
	return w.render(rw, r, http.StatusOK, "settings", page{Title: "Settings", Section: "settings",
		Data: settingsData{ActivityLog: w.s.activityLog.Load(), CanWrite: canWrite}})
}

// settingsSubmit is POST /admin/settings: the activity-log switch, stored
// and audited in one transaction as PATCH /api/v1/settings does.
func (w *web) settingsSubmit(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	s := w.s
	on := r.PostFormValue("activity_log") == "on"
	if on != s.activityLog.Load() {
		v := boolString(on)
		err := s.store.InTx(r.Context(), func(tx *store.Store) error {
			if err := tx.SetSetting(r.Context(), SettingActivityLog, v); err != nil {
				return err
			}
			_, err := tx.AppendAudit(r.Context(), store.Event{At: s.now(), Actor: actorOf(r), Action: ActSettingChange,
				Target: "setting:" + SettingActivityLog, SourceIP: ClientIP(r),
				Detail: map[string]string{"value": v, "request_id": RequestID(r.Context()), "via": "web"}})
			return err
		})
		if err != nil {
			return err
		}
		s.m.audit.Inc()
		s.activityLog.Store(on)
	}
	http.Redirect(rw, r, "/admin/settings?done=settings", http.StatusSeeOther)
	return nil
}
