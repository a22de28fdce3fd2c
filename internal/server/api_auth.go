package server

import (
	"errors"
	"net/http"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	User                 userJSON `json:"user"`
	MFARequired          bool     `json:"mfa_required"`
	MFAEnrolmentRequired bool     `json:"mfa_enrolment_required"`
}

// login is POST /api/v1/auth/login: the password step. It sets a new
// session cookie (the old one, if any, ends); when a second factor or MFA
// enrolment is still due the session is pending and the answer says so.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Email == "" || req.Password == "" {
		return badRequest("email and password are required")
	}
	ip := ClientIP(r)
	res, err := s.auth.Login(r.Context(), auth.LoginRequest{
		Email: req.Email, Password: req.Password, IP: ip,
		UserAgent: truncate(r.UserAgent(), 256), OldSessionToken: sessionToken(r),
	})
	if err != nil {
		return s.loginFailed(r, req.Email, err)
	}
	setSessionCookie(w, res.Session)
	outcome := "success"
	if res.MFARequired || res.MFAEnrolmentRequired {
		outcome = "mfa_pending"
	}
	s.m.logins.WithLabelValues(outcome).Inc()
	detail := map[string]string{"mfa_pending": boolString(res.MFARequired || res.MFAEnrolmentRequired)}
	if err := s.auditAs(r.Context(), "user:"+res.User.ID, ip, ActLoginSuccess, "user:"+res.User.ID, detail); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, loginResponse{User: userFromAuth(res.User),
		MFARequired: res.MFARequired, MFAEnrolmentRequired: res.MFAEnrolmentRequired})
}

// loginFailed records a refused sign-in and returns the answer. A wrong
// password is audited against the account when one has the address; the
// typed address itself is never stored (it may be a password typed in the
// wrong field). Throttled attempts are counted in metrics and the log, not
// the audit chain, so a flood cannot grow the chain.
func (s *Server) loginFailed(r *http.Request, email string, err error) error {
	if errors.Is(err, auth.ErrThrottled) {
		s.m.logins.WithLabelValues("throttled").Inc()
		return err
	}
	if !errors.Is(err, auth.ErrInvalidCredentials) {
		return err
	}
	s.m.logins.WithLabelValues("failed").Inc()
	target, detail := "", map[string]string{"reason": "unknown account"}
	if u, lerr := s.store.GetUserByEmail(r.Context(), email); lerr == nil {
		target, detail = "user:"+u.ID, map[string]string{"reason": "wrong password or disabled account"}
	} else if !errors.Is(lerr, store.ErrNotFound) {
		return lerr
	}
	if aerr := s.auditAs(r.Context(), "anonymous", ClientIP(r), ActLoginFailed, target, detail); aerr != nil {
		return aerr
	}
	return err
}

type codeRequest struct {
	Code string `json:"code"`
}

// mfaVerify is POST /api/v1/auth/mfa: the second factor (a TOTP code or a
// recovery code) of a pending session, which is then rotated.
func (s *Server) mfaVerify(w http.ResponseWriter, r *http.Request) error {
	var req codeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	token := sessionToken(r)
	p, _, err := s.auth.Sessions.Principal(r.Context(), token)
	if err != nil {
		return err
	}
	ns, err := s.auth.VerifyMFA(r.Context(), token, req.Code, ClientIP(r))
	if err != nil {
		if errors.Is(err, auth.ErrInvalidCode) {
			if aerr := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActMFAFailed, "user:"+p.UserID, nil); aerr != nil {
				return aerr
			}
		}
		return err
	}
	setSessionCookie(w, ns)
	s.m.logins.WithLabelValues("success").Inc()
	if err := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActMFASuccess, "user:"+p.UserID, nil); err != nil {
		return err
	}
	return noContent(w)
}

type enrolmentResponse struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// mfaEnrolBegin is POST /api/v1/auth/mfa/enrol: a new TOTP secret for the
// session's user (a pending session that must enrol, or a signed-in user
// without MFA). The secret is shown here once; it is not active until
// confirmed.
func (s *Server) mfaEnrolBegin(w http.ResponseWriter, r *http.Request) error {
	e, err := s.auth.BeginEnrolment(r.Context(), sessionToken(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, enrolmentResponse{Secret: e.Secret, OTPAuthURL: e.URL})
}

type recoveryCodesResponse struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// mfaEnrolConfirm is POST /api/v1/auth/mfa/enrol/confirm: the first code
// from the app turns MFA on; the answer holds the recovery codes (shown
// once) and the session is rotated to a fully signed-in one.
func (s *Server) mfaEnrolConfirm(w http.ResponseWriter, r *http.Request) error {
	var req codeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	token := sessionToken(r)
	p, _, err := s.auth.Sessions.Principal(r.Context(), token)
	if err != nil {
		return err
	}
	ns, codes, err := s.auth.CompleteEnrolment(r.Context(), token, req.Code, ClientIP(r))
	if err != nil {
		return err
	}
	setSessionCookie(w, ns)
	if err := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActMFAEnrolled, "user:"+p.UserID, nil); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, recoveryCodesResponse{RecoveryCodes: codes})
}

// logout is POST /api/v1/auth/logout: ends the session of the cookie and
// deletes the cookie. Without a session it does nothing and still answers
// 204.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	token := sessionToken(r)
	if token != "" {
		p, _, perr := s.auth.Sessions.Principal(r.Context(), token)
		if err := s.auth.Sessions.Revoke(r.Context(), token); err != nil {
			return err
		}
		if perr == nil {
			if err := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActLogout, "user:"+p.UserID, nil); err != nil {
				return err
			}
		}
	}
	http.SetCookie(w, auth.ClearSessionCookie())
	return noContent(w)
}

// setSessionCookie sends the session token of ns.
func setSessionCookie(w http.ResponseWriter, ns auth.NewSession) {
	http.SetCookie(w, auth.SessionCookie(ns.Token, ns.Session.AbsoluteExpiresAt))
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
