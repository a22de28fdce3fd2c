package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

// The web pages' templates and static assets are embedded: craft serve
// needs no files beside the binary and loads nothing from elsewhere (the
// CSP allows only 'self').
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// webUI holds the parsed page templates and the static assets. It is built
// once per Server (in webRoutes) and never changed afterwards.
type webUI struct {
	pages  map[string]*template.Template
	assets map[string]asset
}

// asset is one embedded static file with its content hash, so pages can
// link it with ?v=<hash> and browsers may cache it for good.
type asset struct {
	name    string
	body    []byte
	ctype   string
	version string
	modTime time.Time
}

// pageNames are the page templates; each is parsed together with
// layout.html.
func pageNames() []string {
	return []string{
		"login", "mfa", "enrol", "recovery", "setup", "error",
		"home", "account", "users", "user", "products", "audit", "settings",
		"report", "report_done", "report_status", "securitytxt", "case_list", "case_view",
		"findings_detail",
		"advisory_list", "advisory_page", "advisory_manage_list", "advisory_manage_view",
		"notify_admin", "notify_account",
		"portfolio_dashboard", "portfolio_product", "portfolio_release", "portfolio_components",
	}
}

// newWebUI parses the page templates names (each with layout.html) and
// indexes the static assets. The templates are embedded, so an error here
// is a programming error that TestWebTemplatesParse catches before
// release.
func newWebUI(names ...string) (*webUI, error) {
	ui := &webUI{pages: make(map[string]*template.Template), assets: make(map[string]asset)}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ctype := assetType(path.Ext(name))
		ui.assets[name] = asset{name: name, body: b, ctype: ctype, version: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("server: static assets: %w", err)
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := ui.assets[name]
			if !ok {
				return "", fmt.Errorf("no static asset %q", name)
			}
			return "/static/" + a.name + "?v=" + a.version, nil
		},
		"roleName": roleName,
		"when":     formatTime,
		"join":     strings.Join,
		"short":    shorten,
		"add1":     func(i int) int { return i + 1 },
	}
	for _, name := range names {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("server: template %s: %w", name, err)
		}
		ui.pages[name] = t
	}
	return ui, nil
}

// assetType is the Content-Type of a static file, fixed here rather than
// read from the system's MIME tables so that every machine sends the same.
func assetType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}

// page is what every template gets: the layout's fields and the page's
// own Data.
type page struct {
	Title   string
	Section string // the nav entry marked aria-current
	Narrow  bool   // a single-column form page
	// Insecure shows the --insecure-http banner.
	Insecure bool
	// SignedIn, Admin, Email and Role describe the caller for the header.
	SignedIn bool
	Admin    bool
	Email    string
	Role     auth.Role
	// Notice and Error are the status messages at the top of the page.
	Notice string
	Error  string
	Data   any
}

// render executes the page template name with p into a buffer and writes
// it with status. Nothing is written when the template fails.
func (s *Server) render(w http.ResponseWriter, r *http.Request, ui *webUI, status int, name string, p page) error {
	t, ok := ui.pages[name]
	if !ok {
		return fmt.Errorf("server: no page template %q", name)
	}
	s.fillPage(r, &p)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("server: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// fillPage sets the layout fields that come from the request.
func (s *Server) fillPage(r *http.Request, p *page) {
	p.Insecure = s.cfg.InsecureHTTP
	pr := PrincipalFrom(r.Context())
	if pr.Kind == auth.KindUser && pr.UserID != "" && !pr.MFAPending {
		p.SignedIn = true
		p.Email = pr.Email
		p.Role = pr.Role
		p.Admin = pr.Role == auth.RoleAdministrator
	}
	if p.Notice == "" {
		p.Notice = notice(r.URL.Query().Get("done"))
	}
}

// notice is the fixed message a redirect after a change may ask for with
// ?done=<key>; nothing from the query string is ever shown as is.
func notice(key string) string {
	switch key {
	case "logout":
		return "You are signed out."
	case "everywhere":
		return "Every session of your account has ended, this one included."
	case "password":
		return "Your password was changed. Your other sessions have ended."
	case "session":
		return "The session has ended."
	case "token-revoked":
		return "The API token was revoked."
	case "role":
		return "The role was changed. The user's sessions have ended."
	case "disabled":
		return "The account was disabled. Its sessions and API tokens have ended."
	case "enabled":
		return "The account was enabled."
	case "mfa-reset":
		return "Two-factor authentication was reset. The user sets it up again at the next sign-in."
	case "membership":
		return "The membership was saved."
	case "member-removed":
		return "The membership was removed."
	case "product":
		return "The product was created."
	case "settings":
		return "The settings were saved."
	}
	return ""
}

// roleName is a role as people read it.
func roleName(r auth.Role) string {
	switch r {
	case auth.RoleViewer:
		return "Viewer"
	case auth.RoleContributor:
		return "Contributor"
	case auth.RoleSecurityOfficer:
		return "Security officer"
	case auth.RoleAdministrator:
		return "Administrator"
	}
	return string(r)
}

// formatTime shows a time in UTC to the minute; the zero time is "—".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// serveAsset answers GET /static/<name>: the embedded file, cached for a
// year when the link carries the file's current version (as every page's
// links do); otherwise the middleware's no-store stands.
func (s *Server) serveAsset(ui *webUI, name string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if name == "" {
			name = strings.TrimPrefix(r.URL.Path, "/static/")
		}
		a, ok := ui.assets[name]
		if !ok {
			return notFound()
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", `"`+a.version+`"`)
		if r.URL.Query().Get("v") == a.version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		http.ServeContent(w, r, a.name, a.modTime, bytes.NewReader(a.body))
		return nil
	}
}

// webErrorPage renders the error page; it parses layout and error page
// itself because webError has no webUI at hand (the Server has no field
// for it). Errors are rare; a 429 never gets here (see webError).
func (s *Server) webErrorPage(w http.ResponseWriter, r *http.Request, status int, message string) error {
	ui, err := newWebUI("error")
	if err != nil {
		return err
	}
	return s.render(w, r, ui, status, "error", page{
		Title: http.StatusText(status), Narrow: true,
		Data: errorData{Status: status, Title: http.StatusText(status), Message: message, RequestID: RequestID(r.Context())},
	})
}

// errorData is the error page's Data.
type errorData struct {
	Status    int
	Title     string
	Message   string
	RequestID string
}

// parseForm reads a posted form; a body over the route's limit is 413.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		return badRequest("the form could not be read")
	}
	return nil
}
