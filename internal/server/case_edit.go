package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/store"
)

// Editing a case's fields: PATCH /api/v1/cases/{ref} and the case page's
// edit form (POST /cases/{ref}/edit) both go through patchCase, so the
// checks, the history event and the audit event are the same.

// patchCase checks in, sets it on cs and stores it with its history and
// audit events (case.update).
func (c *caseHandlers) patchCase(r *http.Request, cs store.Case, in caseFields) (store.Case, error) {
	if err := in.apply(&cs); err != nil {
		return store.Case{}, err
	}
	if in.AffectedReleases != nil {
		if err := c.checkReleases(r.Context(), cs.ProductID, "affected_releases", cs.AffectedReleases); err != nil {
			return store.Case{}, err
		}
	}
	if in.FixedInRelease != nil {
		if err := c.checkReleases(r.Context(), cs.ProductID, "fixed_in_release", []string{cs.FixedIn}); err != nil {
			return store.Case{}, err
		}
	}
	return c.update(r, cs, store.CaseEvent{Kind: "update", Summary: "fields changed"}, ActCaseUpdate, nil)
}

// formMinute is the datetime-local form of t (UTC), "" for the zero time.
func formMinute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04")
}

// releaseOption is one release in the edit form's checkboxes and select.
type releaseOption struct {
	Version  string
	Affected bool
	Fixed    bool
}

// caseEditForm is the edit form's content: the case's fields, or what was
// posted when the change was refused.
type caseEditForm struct {
	Title, Description, CVSS31, CVSS40, CVE, OtherIDs, Embargo string
	Releases                                                   []releaseOption
}

// editFormOf fills the form from cs; the product's releases come first,
// then any release the case names that the product does not list.
func editFormOf(cs store.Case, versions []string) caseEditForm {
	f := caseEditForm{Title: cs.Title, Description: cs.Description, CVSS31: cs.CVSS31Vector, CVSS40: cs.CVSS40Vector,
		CVE: cs.CVE, OtherIDs: strings.Join(cs.OtherIDs, ", "), Embargo: formMinute(cs.EmbargoUntil)}
	f.Releases = releaseOptions(versions, cs.AffectedReleases, cs.FixedIn)
	return f
}

func releaseOptions(versions, affected []string, fixed string) []releaseOption {
	all := append([]string(nil), versions...)
	for _, v := range append(append([]string(nil), affected...), fixed) {
		if v != "" && !containsStr(all, v) {
			all = append(all, v)
		}
	}
	out := make([]releaseOption, 0, len(all))
	for _, v := range all {
		out = append(out, releaseOption{Version: v, Affected: containsStr(affected, v), Fixed: v == fixed})
	}
	return out
}

// splitIDs reads a list of IDs typed with commas, spaces or new lines.
func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// productVersions lists the versions of the product's releases.
func (c *caseHandlers) productVersions(r *http.Request, productID string) ([]string, error) {
	rels, err := c.s.store.ListReleases(r.Context(), productID)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rels))
	for _, rel := range rels {
		out = append(out, rel.Version)
	}
	return out, nil
}

// editSubmit is POST /cases/{ref}/edit. Every field of the form is sent,
// so every field is set, except an embargo shown unchanged (the form has
// minutes only; the stored time is kept). A refused change shows the form
// again with what was typed and the reason.
func (c *caseHandlers) editSubmit(w http.ResponseWriter, r *http.Request, cs store.Case) error {
	v := r.PostFormValue
	affected := []string{} // no box checked: none affected
	for _, a := range r.PostForm["affected_releases"] {
		if a != "" {
			affected = append(affected, a)
		}
	}
	f := caseEditForm{Title: v("title"), Description: v("description"), CVSS31: v("cvss_v3_1"), CVSS40: v("cvss_v4_0"),
		CVE: v("cve"), OtherIDs: v("other_ids"), Embargo: v("embargo_until")}
	fixed, others := v("fixed_in_release"), splitIDs(f.OtherIDs)
	in := caseFields{Title: &f.Title, Description: &f.Description, CVSS31: &f.CVSS31, CVSS40: &f.CVSS40, CVE: &f.CVE,
		OtherIDs: &others, AffectedReleases: &affected, FixedInRelease: &fixed}
	if strings.TrimSpace(f.Embargo) != formMinute(cs.EmbargoUntil) {
		embargo := formTime(f.Embargo)
		in.EmbargoUntil = &embargo
	}
	out, err := c.patchCase(r, cs, in)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status < 500 && e.Status != http.StatusNotFound {
			detail := e.Detail
			if detail == "" {
				detail = http.StatusText(e.Status)
			}
			versions, verr := c.productVersions(r, cs.ProductID)
			if verr != nil {
				return verr
			}
			f.Releases = releaseOptions(versions, affected, fixed)
			return c.renderViewForm(w, r, e.Status, cs, "", detail, &f)
		}
		return err
	}
	return c.renderView(w, r, http.StatusOK, out, "The case was saved.", "")
}
