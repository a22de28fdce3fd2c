package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

type setupStatusResponse struct {
	SetupRequired bool `json:"setup_required"`
}

// setupStatus is GET /api/v1/setup: whether the first administrator is
// still to be created. It says nothing about any token.
func (s *Server) setupStatus(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.CountUsers(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, setupStatusResponse{SetupRequired: n == 0})
}

type setupRequest struct {
	Token       string `json:"token"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

type setupResponse struct {
	User                 userJSON `json:"user"`
	MFAEnrolmentRequired bool     `json:"mfa_enrolment_required"`
}

// setup is POST /api/v1/setup: spends the one-time setup token and creates
// the first administrator. The answer sets a pending session whose only use
// is MFA enrolment (POST /api/v1/auth/mfa/enrol): administrators must have a
// second factor before anything else.
//
// The password is checked (and hashed) before the token is spent, so a
// refused password does not burn the link; once any account exists, setup
// is closed whatever the token.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	var req setupRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return &Error{Status: http.StatusConflict, Type: "setup-done", Detail: "setup is done; sign in instead"}
	}
	u, err := auth.NewAccount(s.auth.Hasher, auth.NewUser{Email: req.Email, DisplayName: req.DisplayName,
		Password: req.Password, Role: auth.RoleAdministrator}, s.now())
	if err != nil {
		return err
	}
	if err := s.auth.Setup.Consume(ctx, req.Token); err != nil {
		if errors.Is(err, auth.ErrUnauthenticated) {
			return &Error{Status: http.StatusUnauthorized, Type: "setup-token", Detail: "the setup link is invalid, used or expired; restart craft serve for a new one, or run craft admin create", Err: err}
		}
		return err
	}
	created, err := s.auth.Users.CreateUser(ctx, u)
	if err != nil {
		return err
	}
	if _, err := s.store.DeleteSetupTokens(ctx); err != nil {
		return err
	}
	if err := s.auditAs(ctx, "setup", ClientIP(r), ActSetup, "user:"+created.ID,
		map[string]string{"role": string(created.Role), "via": "setup link"}); err != nil {
		return err
	}
	ns, err := s.auth.Sessions.Create(ctx, created.ID, ClientIP(r), truncate(r.UserAgent(), 256), false)
	if err != nil {
		return err
	}
	setSessionCookie(w, ns)
	return writeJSON(w, http.StatusCreated, setupResponse{User: userFromAuth(created), MFAEnrolmentRequired: true})
}

// SetupLink is the first-run link printed at start.
type SetupLink struct {
	URL     string
	Expires time.Time
}

// PrepareSetup makes a new one-time setup token when the database has no
// account, replacing any earlier one, and returns the link to print (base is
// the server's origin, e.g. https://127.0.0.1:8443). ok is false when
// accounts exist: then there is nothing to set up.
func (s *Server) PrepareSetup(ctx context.Context, base string) (link SetupLink, ok bool, err error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return SetupLink{}, false, fmt.Errorf("server: setup: %w", err)
	}
	if n > 0 {
		return SetupLink{}, false, nil
	}
	if _, err := s.store.DeleteSetupTokens(ctx); err != nil {
		return SetupLink{}, false, fmt.Errorf("server: setup: %w", err)
	}
	tok, exp, err := s.auth.Setup.Create(ctx)
	if err != nil {
		return SetupLink{}, false, fmt.Errorf("server: setup: %w", err)
	}
	return SetupLink{URL: base + "/setup?token=" + url.QueryEscape(tok), Expires: exp}, true, nil
}
