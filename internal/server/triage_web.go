package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// triageWeb serves the finding page and the triage form posts of the
// release page.
type triageWeb struct {
	s  *Server
	ui *webUI
}

// page answers 500 when the templates could not be loaded.
func (tw *triageWeb) page(f HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if tw.ui == nil {
			return &Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("finding pages disabled: templates failed to load")}
		}
		return f(w, r)
	}
}

// releasePagePath is the release page (built by the release pages).
func releasePagePath(productID, version string) string {
	return "/products/" + url.PathEscape(productID) + "/releases/" + url.PathEscape(version)
}

// triageSubmit is POST /products/{product}/releases/{version}/triage: the
// triage form of the release page and of the finding page. Fields:
// finding (repeated, "VULNID|COMPONENTKEY"), status, justification,
// action_statement, comment, scope (release|all_releases).
func (tw *triageWeb) triageSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	refs := r.PostForm["finding"]
	if len(refs) == 0 {
		return badRequest("choose at least one finding to triage")
	}
	if len(refs) > store.MaxTriageEntries {
		return badRequest("%d findings chosen; at most %d at once", len(refs), store.MaxTriageEntries)
	}
	scope := r.PostFormValue("scope")
	switch scope {
	case "", store.ScopeRelease, store.ScopeAllReleases:
	default:
		return badRequest("scope must be release or all_releases")
	}
	entries := make([]store.TriageEntry, len(refs))
	for i, ref := range refs {
		vuln, key, ok := strings.Cut(ref, "|")
		if !ok || vuln == "" || key == "" {
			return badRequest("finding %d is not of the form VULNERABILITY|COMPONENT", i+1)
		}
		entries[i] = store.TriageEntry{VulnID: vuln, ComponentKey: key, Status: r.PostFormValue("status"),
			Justification: r.PostFormValue("justification"), ActionStatement: r.PostFormValue("action_statement"),
			Comment: r.PostFormValue("comment")}
	}
	productID, version := r.PathValue("product"), r.PathValue("version")
	outs, err := tw.s.triage(r, productID, version, scope, "web", entries)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusUnprocessableEntity {
			// The page error names the finding as the form sent it.
			return &Error{Status: http.StatusBadRequest, Detail: webTriageDetail(e.Detail, refs), Err: err}
		}
		return err
	}
	http.Redirect(w, r, releasePagePath(productID, version)+"?triaged="+strconv.Itoa(len(outs)), http.StatusSeeOther)
	return nil
}

// webTriageDetail rewrites "findings[i]: ..." as "finding VULN in COMPONENT: ...".
func webTriageDetail(detail string, refs []string) string {
	rest, ok := strings.CutPrefix(detail, "findings[")
	if !ok {
		return detail
	}
	n, msg, ok := strings.Cut(rest, "]: ")
	i, err := strconv.Atoi(n)
	if !ok || err != nil || i < 0 || i >= len(refs) {
		return detail
	}
	vuln, key, _ := strings.Cut(refs[i], "|")
	return fmt.Sprintf("finding %s in %s: %s", vuln, key, msg)
}

// findingPageData is the finding page's Data.
type findingPageData struct {
	ProductID     string
	Version       string
	ReleasePath   string
	FindingRef    string
	Finding       findingJSON
	History       []triageHistoryJSON
	CanTriage     bool
	Statuses      []string
	Justification []string
	// CurrentJustification and CurrentAction preselect the form with the
	// decision in force (the status comes from Finding.Status).
	CurrentJustification string
	CurrentAction        string
}

// findingPage is GET /products/{product}/releases/{version}/findings/{vuln}?component=KEY.
func (tw *triageWeb) findingPage(w http.ResponseWriter, r *http.Request) error {
	key := r.URL.Query().Get("component")
	if key == "" {
		return badRequest("the link names no component: add ?component= with the component's purl or ecosystem/name@version")
	}
	productID, version, vuln := r.PathValue("product"), r.PathValue("version"), r.PathValue("vuln")
	rf, err := tw.s.loadReleaseFindings(r.Context(), productID, version)
	if err != nil {
		return err
	}
	var f *findingJSON
	for i := range rf.Findings {
		c := &rf.Findings[i]
		if c.Component.Key != key {
			continue
		}
		if strings.EqualFold(c.ID, vuln) {
			f = c
			break
		}
		for _, a := range c.Aliases {
			if strings.EqualFold(a, vuln) {
				f = c
			}
		}
	}
	if f == nil {
		return &Error{Status: http.StatusNotFound, Detail: "this release has no such finding (it may have been fixed by an SBOM change)"}
	}
	h, err := tw.s.loadFindingHistory(r, key)
	if err != nil {
		return err
	}
	var decider string
	if f.Triage != nil {
		decider = f.Triage.DecidedBy
	}
	names, err := tw.s.fillHistoryActors(r.Context(), h, decider)
	if err != nil {
		return err
	}
	if f.Triage != nil {
		f.Triage.DecidedByEmail = names.email(decider)
	}
	d := findingPageData{ProductID: productID, Version: rf.Release.Version, ReleasePath: releasePagePath(productID, rf.Release.Version),
		FindingRef: f.ID + "|" + key, Finding: *f, History: h,
		CanTriage: auth.Authorize(PrincipalFrom(r.Context()), auth.PermFindingTriage, productID) == nil,
		Statuses:  []string{store.TriageUnderInvestigation, store.TriageAffected, store.TriageNotAffected, store.TriageFixed},
		Justification: []string{"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
			"vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"}}
	if f.Triage != nil {
		d.CurrentJustification, d.CurrentAction = f.Triage.Justification, f.Triage.ActionStatement
	}
	return tw.s.render(w, r, tw.ui, http.StatusOK, "findings_detail", page{Title: f.ID + " in " + f.Component.Name, Data: d})
}
