package server

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// The signed-in user's pages: the overview and the account page
// (password, two-factor authentication, sessions, API tokens).

// homeProduct is one product on the overview.
type homeProduct struct {
	Name string
	Role auth.Role
}

// homeData is the overview's Data.
type homeData struct {
	MFA         bool
	Products    []homeProduct
	Permissions []permissionRow
}

// homePage is GET /: who the user is, which products they see and with
// which role, and what their role allows.
func (w *web) homePage(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	u, err := w.s.auth.Users.GetUser(ctx, p.UserID)
	if err != nil {
		return fmt.Errorf("server: overview: %w", err)
	}
	all, ids := p.ProductFilter()
	var products []store.Product
	if all {
		products, err = w.s.store.ListProducts(ctx)
		if err != nil {
			return err
		}
	} else {
		for _, id := range ids {
			pr, err := w.s.store.GetProduct(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			products = append(products, pr)
		}
	}
	d := homeData{MFA: u.MFAEnabled}
	for _, perm := range auth.RolePermissions(p.Role) {
		d.Permissions = append(d.Permissions, permissionRow{Code: perm, Words: permissionWords(perm)})
	}
	for _, pr := range products {
		role := p.Role
		if role != auth.RoleAdministrator {
			role = lowerRole(role, p.Memberships[pr.ID])
		}
		d.Products = append(d.Products, homeProduct{Name: pr.Name, Role: role})
	}
	sort.Slice(d.Products, func(i, j int) bool { return d.Products[i].Name < d.Products[j].Name })
	return w.render(rw, r, http.StatusOK, "home", page{Title: "Overview", Section: "home", Data: d})
}

// permissionWords says what a permission allows, for the overview.
func permissionWords(p auth.Permission) string {
	switch p {
	case auth.PermProductRead:
		return "see your products, their releases, SBOMs and findings"
	case auth.PermProductWrite:
		return "change your products, add releases and upload SBOMs"
	case auth.PermFindingTriage:
		return "decide findings (VEX statements)"
	case auth.PermCaseRead:
		return "read vulnerability reports and cases"
	case auth.PermCaseManage:
		return "handle cases, Article 14 notifications and advisories"
	case auth.PermMembershipAdmin:
		return "decide who is a member of a product"
	case auth.PermProductList:
		return "list the products you can see"
	case auth.PermProductCreate:
		return "create products"
	case auth.PermAccountManage:
		return "manage your own password, two-factor authentication and sessions"
	case auth.PermTokenCreate:
		return "create API tokens no stronger than yourself"
	case auth.PermUserAdmin:
		return "administer accounts and roles"
	case auth.PermAuditRead:
		return "read and export the audit log"
	case auth.PermSettingsRead:
		return "see the server settings"
	case auth.PermSettingsWrite:
		return "change the server settings"
	}
	return string(p)
}

// permissionRow is one line of "What you may do".
type permissionRow struct {
	Code  auth.Permission
	Words string
}

// lowerRole is the lower of two roles (the effective role on a product).
func lowerRole(a, b auth.Role) auth.Role {
	if a.AtLeast(b) {
		return b
	}
	return a
}

// sessionRow is one session on the account page.
type sessionRow struct {
	auth.Session
	Ref     string
	Current bool
}

// tokenRow is one API token on the account page.
type tokenRow struct {
	auth.APIToken
	State string
}

// accountData is the account page's Data.
type accountData struct {
	User         auth.User
	RecoveryLeft int
	Sessions     []sessionRow
	Tokens       []tokenRow
	TokenRoles   []auth.Role
	NewToken     string
}

// accountPage is GET /account.
func (w *web) accountPage(rw http.ResponseWriter, r *http.Request) error {
	return w.renderAccount(rw, r, http.StatusOK, page{}, "")
}

// renderAccount renders the account page with a message or a token just
// made (shown once).
func (w *web) renderAccount(rw http.ResponseWriter, r *http.Request, status int, pg page, newToken string) error {
	ctx := r.Context()
	s := w.s
	p := PrincipalFrom(ctx)
	u, err := s.auth.Users.GetUser(ctx, p.UserID)
	if err != nil {
		return fmt.Errorf("server: account: %w", err)
	}
	d := accountData{User: u, NewToken: newToken}
	if u.MFAEnabled {
		if d.RecoveryLeft, err = s.auth.MFA.RecoveryCodesLeft(ctx, u.ID); err != nil {
			return err
		}
	}
	sessions, err := s.auth.Sessions.List(ctx, u.ID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, x := range sessions {
		if !now.Before(x.ExpiresAt) || !now.Before(x.AbsoluteExpiresAt) {
			continue
		}
		d.Sessions = append(d.Sessions, sessionRow{Session: x, Ref: x.ID, Current: x.ID == p.SessionID})
	}
	sort.Slice(d.Sessions, func(i, j int) bool { return d.Sessions[i].LastSeenAt.After(d.Sessions[j].LastSeenAt) })
	if s.auth.Tokens != nil {
		tokens, err := s.auth.Tokens.List(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			state := "active"
			switch {
			case !t.RevokedAt.IsZero():
				state = "revoked"
			case !now.Before(t.ExpiresAt):
				state = "expired"
			}
			d.Tokens = append(d.Tokens, tokenRow{APIToken: t, State: state})
		}
		sort.SliceStable(d.Tokens, func(i, j int) bool { return d.Tokens[i].CreatedAt.After(d.Tokens[j].CreatedAt) })
	}
	for _, role := range auth.Roles() {
		if p.Role.AtLeast(role) {
			d.TokenRoles = append(d.TokenRoles, role)
		}
	}
	pg.Title, pg.Section, pg.Data = "Account", "account", d
	return w.render(rw, r, status, "account", pg)
}

// passwordSubmit is POST /account/password: the current password, then the
// new one twice. Every other session of the user ends.
func (w *web) passwordSubmit(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	s := w.s
	p := PrincipalFrom(r.Context())
	next := r.PostFormValue("new")
	if next != r.PostFormValue("new2") {
		return w.renderAccount(rw, r, http.StatusBadRequest, page{Error: "The two new passwords differ."}, "")
	}
	if err := s.auth.ChangePassword(r.Context(), p, r.PostFormValue("current"), next, ClientIP(r)); err != nil {
		msg, status, ok := formMessage(rw, err)
		if !ok {
			return err
		}
		if errors.Is(err, auth.ErrInvalidCredentials) {
			msg = "The current password is wrong."
		}
		return w.renderAccount(rw, r, status, page{Error: msg}, "")
	}
	if err := s.audit(r, ActPasswordChange, "user:"+p.UserID, map[string]string{"via": "web"}); err != nil {
		return err
	}
	http.Redirect(rw, r, "/account?done=password", http.StatusSeeOther)
	return nil
}

// sessionRevoke is POST /account/sessions/{id}/revoke: ends one of the
// user's own sessions (another user's session id is 404).
func (w *web) sessionRevoke(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := w.s
	p := PrincipalFrom(ctx)
	id := r.PathValue("id")
	sessions, err := s.auth.Sessions.List(ctx, p.UserID)
	if err != nil {
		return err
	}
	found := false
	for _, x := range sessions {
		if x.ID == id {
			found = true
			break
		}
	}
	if !found {
		return notFound()
	}
	if err := s.auth.Sessions.RevokeID(ctx, id); err != nil {
		return err
	}
	if err := s.audit(r, ActSessionRevoke, "user:"+p.UserID, map[string]string{"current": boolString(id == p.SessionID), "via": "web"}); err != nil {
		return err
	}
	if id == p.SessionID {
		http.SetCookie(rw, auth.ClearSessionCookie())
		http.Redirect(rw, r, LoginPagePath+"?done=logout", http.StatusSeeOther)
		return nil
	}
	http.Redirect(rw, r, "/account?done=session#sessions", http.StatusSeeOther)
	return nil
}

// sessionRevokeAll is POST /account/sessions/revoke-all: "log out
// everywhere", this browser included.
func (w *web) sessionRevokeAll(rw http.ResponseWriter, r *http.Request) error {
	s := w.s
	p := PrincipalFrom(r.Context())
	n, err := s.auth.Sessions.RevokeAll(r.Context(), p.UserID, "")
	if err != nil {
		return err
	}
	if err := s.audit(r, ActSessionRevokeAll, "user:"+p.UserID, map[string]string{"sessions": strconv.Itoa(n), "via": "web"}); err != nil {
		return err
	}
	http.SetCookie(rw, auth.ClearSessionCookie())
	http.Redirect(rw, r, LoginPagePath+"?done=everywhere", http.StatusSeeOther)
	return nil
}

// tokenCreate is POST /account/tokens: a new API token, shown once on the
// page this request answers with.
func (w *web) tokenCreate(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	s := w.s
	p := PrincipalFrom(r.Context())
	if s.auth.Tokens == nil {
		return &Error{Status: http.StatusNotImplemented, Detail: "API tokens are not available"}
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil || days < 1 || days > int(auth.MaxTokenLifetime/(24*time.Hour)) {
		return w.renderAccount(rw, r, http.StatusBadRequest, page{Error: "A token lives from 1 to 365 days."}, "")
	}
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil {
		return w.renderAccount(rw, r, http.StatusBadRequest, page{Error: "Choose a role for the token."}, "")
	}
	nt, err := s.auth.Tokens.Create(r.Context(), p, auth.TokenRequest{
		Name: r.PostFormValue("name"), Role: role, Lifetime: time.Duration(days) * 24 * time.Hour,
	})
	if err != nil {
		if msg, status, ok := formMessage(rw, err); ok {
			return w.renderAccount(rw, r, status, page{Error: msg}, "")
		}
		return err
	}
	if err := s.audit(r, ActTokenCreate, "token:"+nt.Stored.ID, map[string]string{
		"name": nt.Stored.Name, "role": string(nt.Stored.Role),
		"expires": nt.Stored.ExpiresAt.UTC().Format(time.RFC3339), "via": "web",
	}); err != nil {
		return err
	}
	return w.renderAccount(rw, r, http.StatusOK, page{}, nt.Token)
}

// tokenRevoke is POST /account/tokens/{id}/revoke (only the user's own:
// another user's token is 404).
func (w *web) tokenRevoke(rw http.ResponseWriter, r *http.Request) error {
	s := w.s
	p := PrincipalFrom(r.Context())
	if s.auth.Tokens == nil {
		return notFound()
	}
	id := r.PathValue("id")
	if err := s.auth.Tokens.Revoke(r.Context(), p.UserID, id); err != nil {
		if errors.Is(err, auth.ErrNotFound) {
			return notFound()
		}
		return err
	}
	if err := s.audit(r, ActTokenRevoke, "token:"+id, map[string]string{"via": "web"}); err != nil {
		return err
	}
	http.Redirect(rw, r, "/account?done=token-revoked#tokens", http.StatusSeeOther)
	return nil
}

// recoveryRegenerate is POST /account/recovery-codes: new recovery codes,
// shown once; the old ones stop working.
func (w *web) recoveryRegenerate(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := w.s
	p := PrincipalFrom(ctx)
	u, err := s.auth.Users.GetUser(ctx, p.UserID)
	if err != nil {
		return fmt.Errorf("server: recovery codes: %w", err)
	}
	if !u.MFAEnabled {
		return badRequest("two-factor authentication is off; set it up first")
	}
	codes, err := s.auth.MFA.RegenerateRecoveryCodes(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := s.audit(r, ActRecoveryCodes, "user:"+u.ID, map[string]string{"via": "web"}); err != nil {
		return err
	}
	return w.render(rw, r, http.StatusOK, "recovery", page{Title: "Recovery codes", Section: "account",
		Data: recoveryData{Codes: codes, Continue: "/account"}})
}
