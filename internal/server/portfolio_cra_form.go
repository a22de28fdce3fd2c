package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/craft-cra/craft/internal/store"
)

// The product page's form for the CRA fields. It posts to
// POST /products/{product}/cra, which hands the changed fields to
// applyProductUpdate, the same code as PATCH /api/v1/products/{id}.

// craClassOption is one choice of the CRA class select.
type craClassOption struct{ Value, Label string }

// craClassOptions are the four CRA classes in the order of the regulation.
func craClassOptions() []craClassOption {
	out := make([]craClassOption, 0, 4)
	for _, c := range []string{classDefault, classImportantI, classImportantII, classCritical} {
		out = append(out, craClassOption{Value: c, Label: className(c)})
	}
	return out
}

// memberStateOption is one checkbox of the Member States fieldset.
type memberStateOption struct{ Code, Name string }

// memberStateOptions are the 27 EU Member States by code (euMemberStates).
func memberStateOptions() []memberStateOption {
	names := map[string]string{
		"AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czechia",
		"DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "GR": "Greece",
		"HU": "Hungary", "IE": "Ireland", "IT": "Italy", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg",
		"MT": "Malta", "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia",
		"SI": "Slovenia", "ES": "Spain", "SE": "Sweden",
	}
	out := make([]memberStateOption, 0, len(euMemberStates))
	for c := range euMemberStates {
		out = append(out, memberStateOption{Code: c, Name: names[c]})
	}
	slices.SortFunc(out, func(a, b memberStateOption) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// craForm is the form's values: the stored profile, or the user's input
// when it is shown again with an error.
type craForm struct {
	Manufacturer, Description, IntendedPurpose, Class string
	SupportStart, SupportEnd, SupportJustification    string
	SecurityContact                                   string
	States                                            map[string]bool
	// Open shows the form unfolded (after an error).
	Open bool
}

func craFormFrom(p store.ProductProfile) craForm {
	f := craForm{Manufacturer: p.Manufacturer, Description: p.Description, IntendedPurpose: p.IntendedPurpose,
		Class: p.Class, SupportStart: p.SupportStart, SupportEnd: p.SupportEnd,
		SupportJustification: p.SupportJustification, SecurityContact: p.SecurityContact, States: map[string]bool{}}
	if f.Class == "" {
		f.Class = classDefault
	}
	for _, c := range p.MemberStates {
		f.States[c] = true
	}
	return f
}

func craFormFromRequest(r *http.Request) craForm {
	v := r.PostFormValue
	f := craForm{Manufacturer: v("manufacturer"), Description: v("description"), IntendedPurpose: v("intended_purpose"),
		Class: v("cra_class"), SupportStart: v("support_start"), SupportEnd: v("support_end"),
		SupportJustification: v("support_justification"), SecurityContact: v("security_contact"),
		States: map[string]bool{}, Open: true}
	for _, c := range r.PostForm["member_states"] {
		f.States[c] = true
	}
	return f
}

// states are the checked Member States, sorted.
func (f craForm) states() []string {
	out := make([]string, 0, len(f.States))
	for c := range f.States {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// changes is the form as a PATCH: only the fields that differ from cur,
// so the audit event names what the user changed.
func (f craForm) changes(cur store.ProductProfile) profileInput {
	var in profileInput
	text := func(dst **string, v, old string) {
		if strings.TrimSpace(v) != old {
			*dst = &v
		}
	}
	text(&in.Manufacturer, f.Manufacturer, cur.Manufacturer)
	text(&in.Description, f.Description, cur.Description)
	text(&in.IntendedPurpose, f.IntendedPurpose, cur.IntendedPurpose)
	text(&in.SecurityContact, f.SecurityContact, cur.SecurityContact)
	oldClass := cur.Class
	if oldClass == "" {
		oldClass = classDefault
	}
	if f.Class != oldClass {
		c := f.Class
		in.CRAClass = &c
	}
	if f.SupportStart != cur.SupportStart || f.SupportEnd != cur.SupportEnd ||
		strings.TrimSpace(f.SupportJustification) != cur.SupportJustification {
		in.SupportPeriod = &supportPeriodInput{Start: f.SupportStart, End: f.SupportEnd, Justification: f.SupportJustification}
	}
	if states := f.states(); !slices.Equal(states, cur.MemberStates) && (len(states) > 0 || len(cur.MemberStates) > 0) {
		in.MemberStates = &states
	}
	return in
}

// productCRASubmit is POST /products/{product}/cra: the product page's CRA
// form. Invalid input shows the page again with the message and the
// input; success redirects to the product page.
func (w *web) productCRASubmit(rw http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("product")
	cur, err := w.s.store.GetProductProfile(r.Context(), id)
	if err != nil {
		return err
	}
	form := craFormFromRequest(r)
	next := "/products/" + url.PathEscape(id)
	in := form.changes(cur)
	if in == (profileInput{}) {
		http.Redirect(rw, r, next+"?cra=unchanged", http.StatusSeeOther)
		return nil
	}
	if _, _, err := w.s.applyProductUpdate(r, id, in); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			return w.renderProduct(rw, r, http.StatusBadRequest, page{Error: e.Detail}, &form)
		}
		return err
	}
	http.Redirect(rw, r, next+"?cra=saved", http.StatusSeeOther)
	return nil
}
