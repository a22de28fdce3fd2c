package server

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
)

// The sign-in pages: password, second factor, TOTP enrolment, log-out and
// first-run setup. They are Public routes (on the allow-list) and check
// the session cookie themselves through package auth, which refuses a
// pending session everything but these steps.

// loginData is the sign-in page's Data.
type loginData struct {
	Email string
	Next  string
}

// loginPage is GET /login. A signed-in browser goes on to where it was
// going; a session waiting for its second factor goes to that step.
func (w *web) loginPage(rw http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if p, err := w.s.Authenticate(r); err == nil {
		if p.MFAPending {
			http.Redirect(rw, r, withNext(MFAPagePath, next), http.StatusSeeOther)
			return nil
		}
		http.Redirect(rw, r, next, http.StatusSeeOther)
		return nil
	}
	pg := page{Title: "Sign in", Narrow: true, Data: loginData{Next: next}}
	if n, err := w.s.store.CountUsers(r.Context()); err == nil && n == 0 {
		pg.Error = "This server has no accounts yet. Open the one-time setup link that craft serve printed at its first start."
	}
	return w.render(rw, r, http.StatusOK, "login", pg)
}

// loginSubmit is POST /login: the password step. The session cookie is new
// (any old session ends); a second factor or enrolment follows when due.
func (w *web) loginSubmit(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := safeNext(r.PostFormValue("next"))
	pw := r.PostFormValue("password")
	again := func(status int, msg string) error {
		return w.render(rw, r, status, "login", page{Title: "Sign in", Narrow: true, Error: msg,
			Data: loginData{Email: email, Next: next}})
	}
	if email == "" || pw == "" {
		return again(http.StatusBadRequest, "Enter your e-mail address and your password.")
	}
	s := w.s
	ip := ClientIP(r)
	res, err := s.auth.Login(r.Context(), auth.LoginRequest{
		Email: email, Password: pw, IP: ip,
		UserAgent: truncate(r.UserAgent(), 256), OldSessionToken: sessionToken(r),
	})
	if err != nil {
		err = s.loginFailed(r, email, err)
		if msg, status, ok := formMessage(rw, err); ok {
			return again(status, msg)
		}
		return err
	}
	setSessionCookie(rw, res.Session)
	pending := res.MFARequired || res.MFAEnrolmentRequired
	outcome := "success"
	if pending {
		outcome = "mfa_pending"
	}
	s.m.logins.WithLabelValues(outcome).Inc()
	if err := s.auditAs(r.Context(), "user:"+res.User.ID, ip, ActLoginSuccess, "user:"+res.User.ID,
		map[string]string{"mfa_pending": boolString(pending), "via": "web"}); err != nil {
		return err
	}
	switch {
	case res.MFAEnrolmentRequired:
		http.Redirect(rw, r, withNext(EnrolPagePath, next), http.StatusSeeOther)
	case res.MFARequired:
		http.Redirect(rw, r, withNext(MFAPagePath, next), http.StatusSeeOther)
	default:
		http.Redirect(rw, r, next, http.StatusSeeOther)
	}
	return nil
}

// mfaData is the second-factor page's Data.
type mfaData struct {
	Next string
}

// pendingUser returns the principal and account of the browser's session,
// signed in or waiting for its second factor; ok is false (and the browser
// sent to sign in) when there is no live session.
func (w *web) pendingUser(rw http.ResponseWriter, r *http.Request) (auth.Principal, auth.User, bool, error) {
	token := sessionToken(r)
	p, _, err := w.s.auth.Sessions.Principal(r.Context(), token)
	if errors.Is(err, auth.ErrUnauthenticated) {
		http.Redirect(rw, r, LoginPagePath, http.StatusSeeOther)
		return auth.Principal{}, auth.User{}, false, nil
	}
	if err != nil {
		return auth.Principal{}, auth.User{}, false, err
	}
	u, err := w.s.auth.Users.GetUser(r.Context(), p.UserID)
	if err != nil {
		return auth.Principal{}, auth.User{}, false, fmt.Errorf("server: session user: %w", err)
	}
	if !p.MFAPending {
		// A signed-in user (enrolling by choice): the page header and the
		// request log show who it is, as on every other page.
		infoFrom(r.Context()).Principal = p
	}
	return p, u, true, nil
}

// mfaPage is GET /login/mfa: the code form of a pending session.
func (w *web) mfaPage(rw http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	p, u, ok, err := w.pendingUser(rw, r)
	if !ok {
		return err
	}
	switch {
	case !p.MFAPending:
		http.Redirect(rw, r, next, http.StatusSeeOther)
		return nil
	case !u.MFAEnabled:
		http.Redirect(rw, r, withNext(EnrolPagePath, next), http.StatusSeeOther)
		return nil
	}
	return w.render(rw, r, http.StatusOK, "mfa", page{Title: "Two-factor authentication", Narrow: true, Data: mfaData{Next: next}})
}

// mfaSubmit is POST /login/mfa: a TOTP or recovery code; the session is
// rotated to a signed-in one.
func (w *web) mfaSubmit(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	next := safeNext(r.PostFormValue("next"))
	p, _, ok, err := w.pendingUser(rw, r)
	if !ok {
		return err
	}
	s := w.s
	ns, err := s.auth.VerifyMFA(r.Context(), sessionToken(r), compactCode(r.PostFormValue("code")), ClientIP(r))
	if err != nil {
		if errors.Is(err, auth.ErrInvalidCode) {
			if aerr := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActMFAFailed, "user:"+p.UserID, nil); aerr != nil {
				return aerr
			}
		}
		if msg, status, ok := formMessage(rw, err); ok {
			return w.render(rw, r, status, "mfa", page{Title: "Two-factor authentication", Narrow: true, Error: msg, Data: mfaData{Next: next}})
		}
		return err
	}
	setSessionCookie(rw, ns)
	s.m.logins.WithLabelValues("success").Inc()
	if err := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActMFASuccess, "user:"+p.UserID, map[string]string{"via": "web"}); err != nil {
		return err
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
	return nil
}

// enrolData is the enrolment page's Data.
type enrolData struct {
	Required      bool
	QR            template.HTML
	Secret        string
	SecretGrouped string
	URL           string
	Account       string
	Next          string
}

// enrolPage is GET /login/mfa/enrol: a new TOTP secret as a QR code and as
// text. Each visit makes a new secret (the pending one cannot be read back,
// it is sealed); nothing is active until a code confirms it.
func (w *web) enrolPage(rw http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	p, u, ok, err := w.pendingUser(rw, r)
	if !ok {
		return err
	}
	if u.MFAEnabled {
		target := "/account"
		if p.MFAPending {
			target = withNext(MFAPagePath, next)
		}
		http.Redirect(rw, r, target, http.StatusSeeOther)
		return nil
	}
	e, err := w.s.auth.BeginEnrolment(r.Context(), sessionToken(r))
	if err != nil {
		return err
	}
	return w.renderEnrol(rw, r, http.StatusOK, p, u, e.Secret, e.URL, next, "")
}

func (w *web) renderEnrol(rw http.ResponseWriter, r *http.Request, status int, p auth.Principal, u auth.User, secret, otpURL, next, msg string) error {
	qr, err := qrSVG(otpURL, "QR code of the two-factor authentication key for "+u.Email)
	if err != nil {
		return err
	}
	return w.render(rw, r, status, "enrol", page{Title: "Set up two-factor authentication", Error: msg, Data: enrolData{
		Required: p.MFAPending, QR: qr, Secret: secret, SecretGrouped: groupBy4(secret), URL: otpURL,
		Account: u.Email, Next: next,
	}})
}

// enrolSubmit is POST /login/mfa/enrol: the first code turns MFA on; the
// answer shows the recovery codes, once, and the session is rotated.
func (w *web) enrolSubmit(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	next := safeNext(r.PostFormValue("next"))
	p, u, ok, err := w.pendingUser(rw, r)
	if !ok {
		return err
	}
	s := w.s
	ns, codes, err := s.auth.CompleteEnrolment(r.Context(), sessionToken(r), compactCode(r.PostFormValue("code")), ClientIP(r))
	if err != nil {
		msg, status, ok := formMessage(rw, err)
		if !ok {
			return err
		}
		// Show the same key again (it came back in the form: the user's
		// own, shown to them a moment ago) so the user can retry without
		// scanning anew; the stored pending secret decides either way.
		secret, otpURL := r.PostFormValue("secret"), r.PostFormValue("url")
		if !validEnrolment(secret, otpURL) {
			http.Redirect(rw, r, withNext(EnrolPagePath, next), http.StatusSeeOther)
			return nil
		}
		return w.renderEnrol(rw, r, status, p, u, secret, otpURL, next, msg)
	}
	setSessionCookie(rw, ns)
	if err := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActMFAEnrolled, "user:"+p.UserID, map[string]string{"via": "web"}); err != nil {
		return err
	}
	if !p.MFAPending && next == "/" {
		next = "/account" // enrolled by choice from the account page
	}
	return w.render(rw, r, http.StatusOK, "recovery", page{Title: "Recovery codes", Data: recoveryData{Codes: codes, Continue: next}})
}

// recoveryData is the recovery codes page's Data.
type recoveryData struct {
	Codes    []string
	Continue string
}

// logoutSubmit is POST /logout: ends the session and deletes the cookie.
func (w *web) logoutSubmit(rw http.ResponseWriter, r *http.Request) error {
	s := w.s
	if token := sessionToken(r); token != "" {
		p, _, perr := s.auth.Sessions.Principal(r.Context(), token)
		if err := s.auth.Sessions.Revoke(r.Context(), token); err != nil {
			return err
		}
		if perr == nil {
			if err := s.auditAs(r.Context(), "user:"+p.UserID, ClientIP(r), ActLogout, "user:"+p.UserID, map[string]string{"via": "web"}); err != nil {
				return err
			}
		}
	}
	http.SetCookie(rw, auth.ClearSessionCookie())
	http.Redirect(rw, r, LoginPagePath+"?done=logout", http.StatusSeeOther)
	return nil
}

// setupData is the setup page's Data.
type setupData struct {
	Done  bool
	Token string
	Email string
	Name  string
}

// setupPage is GET /setup?token=…: the first administrator's form. The
// token is checked (and spent) only when the form is sent.
func (w *web) setupPage(rw http.ResponseWriter, r *http.Request) error {
	n, err := w.s.store.CountUsers(r.Context())
	if err != nil {
		return err
	}
	token := r.URL.Query().Get("token")
	if len(token) > 128 {
		token = ""
	}
	return w.render(rw, r, http.StatusOK, "setup", page{Title: "Set up craft", Narrow: true,
		Data: setupData{Done: n > 0, Token: token}})
}

// setupSubmit is POST /setup: checks the account first (address, password
// policy), then spends the one-time token, then stores the administrator
// and signs it in with a pending session that leads to MFA enrolment. A
// refused password therefore does not use up the link.
func (w *web) setupSubmit(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	s := w.s
	ctx := r.Context()
	d := setupData{Token: r.PostFormValue("token"), Email: strings.TrimSpace(r.PostFormValue("email")),
		Name: strings.TrimSpace(r.PostFormValue("name"))}
	again := func(status int, msg string) error {
		return w.render(rw, r, status, "setup", page{Title: "Set up craft", Narrow: true, Error: msg, Data: d})
	}
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		d.Done = true
		return again(http.StatusConflict, "This server already has an administrator.")
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		return again(http.StatusBadRequest, "The two passwords differ.")
	}
	if s.auth.Setup == nil {
		return &Error{Status: http.StatusInternalServerError, Err: errors.New("setup tokens are not configured")}
	}
	u, err := auth.NewAccount(s.auth.Hasher, auth.NewUser{Email: d.Email, DisplayName: d.Name, Password: pw,
		Role: auth.RoleAdministrator}, s.now())
	if err != nil {
		if msg, status, ok := formMessage(rw, err); ok {
			return again(status, msg)
		}
		return err
	}
	if err := s.auth.Setup.Consume(ctx, d.Token); err != nil {
		if errors.Is(err, auth.ErrUnauthenticated) {
			d.Token = ""
			return again(http.StatusUnauthorized, "This setup link is not valid: it was used already, has expired or was mistyped. Restart craft serve to print a new one, or use craft admin create.")
		}
		return err
	}
	u, err = s.auth.Users.CreateUser(ctx, u)
	if err != nil {
		return fmt.Errorf("server: setup: create administrator: %w", err)
	}
	if _, err := s.store.DeleteSetupTokens(ctx); err != nil {
		return err
	}
	if err := s.auditAs(ctx, "setup", ClientIP(r), ActSetup, "user:"+u.ID,
		map[string]string{"role": string(u.Role), "via": "web"}); err != nil {
		return err
	}
	// The new administrator goes straight on to MFA enrolment, with a
	// session that is good for nothing else until then.
	ns, err := s.auth.Sessions.Create(ctx, u.ID, ClientIP(r), truncate(r.UserAgent(), 256), false)
	if err != nil {
		return err
	}
	setSessionCookie(rw, ns)
	http.Redirect(rw, r, EnrolPagePath, http.StatusSeeOther)
	return nil
}

// formMessage turns an error that the user can fix or wait out into the
// words and status of a form page (setting Retry-After for throttling);
// ok is false for anything else, which the caller returns as an error.
func formMessage(rw http.ResponseWriter, err error) (msg string, status int, ok bool) {
	var te *auth.ThrottledError
	var pe *auth.PasswordError
	switch {
	case errors.As(err, &te):
		rw.Header().Set("Retry-After", strconv.Itoa(te.RetryAfter()))
		return fmt.Sprintf("Too many failed attempts. Wait %s, then try again.", waitWords(te.RetryAfter())), http.StatusTooManyRequests, true
	case errors.Is(err, auth.ErrInvalidCredentials):
		return "Wrong e-mail address or password.", http.StatusUnauthorized, true
	case errors.Is(err, auth.ErrInvalidCode):
		return "That code is not valid or was used already. Wait for the next code and try again.", http.StatusUnauthorized, true
	case errors.As(err, &pe):
		return "This password cannot be used: " + pe.Reason + ".", http.StatusBadRequest, true
	case errors.Is(err, auth.ErrConflict):
		return "An account with this e-mail address exists already.", http.StatusConflict, true
	case errors.Is(err, auth.ErrInvalidInput):
		return inputMessage(err), http.StatusBadRequest, true
	case errors.Is(err, auth.ErrForbidden):
		return inputMessage(err), http.StatusForbidden, true
	}
	return "", 0, false
}

// inputMessage is the public part of an auth input error: the text after
// "auth: invalid input: " (auth writes these for people), or a general
// sentence.
func inputMessage(err error) string {
	msg := err.Error()
	for _, prefix := range []string{auth.ErrInvalidInput.Error() + ": ", auth.ErrForbidden.Error() + ": "} {
		if i := strings.Index(msg, prefix); i >= 0 {
			m := msg[i+len(prefix):]
			if m != "" {
				return strings.ToUpper(m[:1]) + m[1:] + "."
			}
		}
	}
	return "The request is not valid."
}

// waitWords says a wait in seconds as people read it.
func waitWords(secs int) string {
	switch {
	case secs < 2:
		return "a second"
	case secs < 120:
		return strconv.Itoa(secs) + " seconds"
	default:
		return strconv.Itoa((secs+59)/60) + " minutes"
	}
}

// safeNext keeps a post-sign-in target only when it is a path on this
// server ("/…", not "//host" or "/\host"); anything else becomes "/".
func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 1024 {
		return "/"
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	if strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// withNext adds ?next= to a sign-in step unless next is the default.
func withNext(path, next string) string {
	if next == "/" || next == "" {
		return path
	}
	return path + "?next=" + url.QueryEscape(next)
}

// compactCode removes the spaces people type into codes ("123 456").
func compactCode(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// groupBy4 writes a base32 secret in groups of four for reading aloud and
// typing.
func groupBy4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// validEnrolment checks the key the enrolment form sent back before it is
// shown again: an otpauth://totp/ URL whose secret is the base32 secret.
func validEnrolment(secret, otpURL string) bool {
	if secret == "" || len(secret) > 128 || len(otpURL) > 1024 {
		return false
	}
	for _, c := range secret {
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	u, err := url.Parse(otpURL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		return false
	}
	return u.Query().Get("secret") == secret
}
