package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
)

// The administrators' page for the security.txt settings: the same rules as
// PUT /api/v1/settings/security-txt.

type securityTxtPageData struct {
	Settings securityTxtSettings
	CanWrite bool
}

// securityTxtPage is GET /admin/security-txt.
func (d *disclosure) securityTxtPage(w http.ResponseWriter, r *http.Request) error {
	c, err := d.s.loadSecurityTxt(r.Context())
	if err != nil {
		return err
	}
	return d.renderSecurityTxt(w, r, http.StatusOK, c, "", "")
}

func (d *disclosure) renderSecurityTxt(w http.ResponseWriter, r *http.Request, status int, c securityTxtSettings, notice, msg string) error {
	canWrite := auth.Authorize(PrincipalFrom(r.Context()), auth.PermSettingsWrite, "") == nil
	return d.s.render(w, r, d.ui, status, "securitytxt", page{Title: "security.txt", Section: "settings", Notice: notice, Error: msg,
		Data: securityTxtPageData{Settings: c, CanWrite: canWrite}})
}

// securityTxtSubmit is POST /admin/security-txt. Refused settings show the
// form again with the reason and what was typed.
func (d *disclosure) securityTxtSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	c := securityTxtSettings{
		Contact:            strings.Split(strings.ReplaceAll(r.PostFormValue("contact"), "\r\n", "\n"), "\n"),
		PreferredLanguages: strings.Split(r.PostFormValue("preferred_languages"), ","),
		Policy:             r.PostFormValue("policy"),
		BaseURL:            r.PostFormValue("base_url"),
		CSAF:               r.PostFormValue("csaf"),
		Encryption:         r.PostFormValue("encryption"),
		Acknowledgments:    r.PostFormValue("acknowledgments"),
	}
	c.normalise()
	if err := c.validate(d.s.now()); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			return d.renderSecurityTxt(w, r, http.StatusBadRequest, c, "", e.Detail)
		}
		return err
	}
	if err := d.s.saveSecurityTxt(r, c); err != nil {
		return err
	}
	return d.renderSecurityTxt(w, r, http.StatusOK, c, "security.txt was saved.", "")
}
