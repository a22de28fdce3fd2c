package server

import (
	"net/http"
	"sort"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

type meResponse struct {
	userJSON
	Memberships       []membershipJSON `json:"memberships"`
	Permissions       []string         `json:"permissions"`
	Via               string           `json:"via"` // "session" or "token"
	InsecureTransport bool             `json:"insecure_transport"`
}

// me is GET /api/v1/me: the caller's account, memberships and global
// permissions. Available to sessions and tokens alike (it needs
// product:list, the least permission every principal has).
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	u, err := s.auth.Users.GetUser(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	resp := meResponse{userJSON: userFromAuth(u), Via: "session", InsecureTransport: s.cfg.InsecureHTTP,
		Memberships: []membershipJSON{}, Permissions: []string{}}
	if p.Token != nil {
		resp.Via = "token"
	}
	for id, role := range p.Memberships {
		resp.Memberships = append(resp.Memberships, membershipJSON{UserID: p.UserID, ProductID: id, Role: string(role)})
	}
	sort.Slice(resp.Memberships, func(i, j int) bool { return resp.Memberships[i].ProductID < resp.Memberships[j].ProductID })
	for _, perm := range auth.Permissions() {
		if !perm.ProductScoped() && auth.Authorize(p, perm, "") == nil {
			resp.Permissions = append(resp.Permissions, string(perm))
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

type passwordRequest struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

// changePassword is POST /api/v1/me/password. Every other session of the
// user ends.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	if err := s.auth.ChangePassword(r.Context(), p, req.Current, req.New, ClientIP(r)); err != nil {
		return err
	}
	if err := s.audit(r, ActPasswordChange, "user:"+p.UserID, nil); err != nil {
		return err
	}
	return noContent(w)
}

// listSessions is GET /api/v1/me/sessions.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	list, err := s.auth.Sessions.List(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	out := make([]sessionJSON, 0, len(list))
	for _, x := range list {
		out = append(out, sessionJSON{ID: x.ID, Current: x.ID == p.SessionID, CreatedAt: x.CreatedAt,
			LastSeenAt: x.LastSeenAt, ExpiresAt: earliest(x.ExpiresAt, x.AbsoluteExpiresAt), IP: x.IP, UserAgent: x.UserAgent})
	}
	return writeJSON(w, http.StatusOK, out)
}

// revokeAllSessions is DELETE /api/v1/me/sessions: log out everywhere,
// this browser included.
func (s *Server) revokeAllSessions(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	n, err := s.auth.Sessions.RevokeAll(r.Context(), p.UserID, "")
	if err != nil {
		return err
	}
	http.SetCookie(w, auth.ClearSessionCookie())
	if err := s.audit(r, ActSessionRevokeAll, "user:"+p.UserID, map[string]string{"ended": itoa(n)}); err != nil {
		return err
	}
	return noContent(w)
}

// revokeSession is DELETE /api/v1/me/sessions/{id}: one of the caller's own
// sessions; another user's session id is 404.
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	id := r.PathValue("id")
	list, err := s.auth.Sessions.List(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	found := false
	for _, x := range list {
		if x.ID == id {
			found = true
			break
		}
	}
	if !found {
		return notFound()
	}
	if err := s.auth.Sessions.RevokeID(r.Context(), id); err != nil {
		return err
	}
	if id == p.SessionID {
		http.SetCookie(w, auth.ClearSessionCookie())
	}
	if err := s.audit(r, ActSessionRevoke, "user:"+p.UserID, nil); err != nil {
		return err
	}
	return noContent(w)
}

// regenerateRecoveryCodes is POST /api/v1/me/mfa/recovery-codes: ten new
// codes (shown once) replace the old ones.
func (s *Server) regenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	u, err := s.auth.Users.GetUser(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	if !u.MFAEnabled {
		return &Error{Status: http.StatusConflict, Detail: "set up multi-factor authentication first"}
	}
	codes, err := s.auth.MFA.RegenerateRecoveryCodes(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	if err := s.audit(r, ActRecoveryCodes, "user:"+p.UserID, nil); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, recoveryCodesResponse{RecoveryCodes: codes})
}

func earliest(a, b time.Time) time.Time {
	if b.IsZero() || (!a.IsZero() && a.Before(b)) {
		return a
	}
	return b
}
