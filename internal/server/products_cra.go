package server

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/craft-cra/craft/internal/store"
)

// The CRA classes of a product (Art. 7, Annex III and IV), as the API
// spells them.
const (
	classDefault     = "default"
	classImportantI  = "important-i"
	classImportantII = "important-ii"
	classCritical    = "critical"
)

// conformityJSON is the conformity-assessment route a class implies
// (Art. 32; /work/shared/CRA.md §8).
type conformityJSON struct {
	// Routes are the procedures the manufacturer may use: "module-a"
	// (internal control), "module-b+c" (EU-type examination plus internal
	// production control), "module-h" (full quality assurance), "eucc"
	// (a European cybersecurity certification scheme).
	Routes []string `json:"routes"`
	// NotifiedBody says whether a notified body must take part.
	NotifiedBody string `json:"notified_body"`
	Summary      string `json:"summary"`
}

// conformityFor is the conformity assessment of a class.
func conformityFor(class string) conformityJSON {
	switch class {
	case classImportantI:
		return conformityJSON{Routes: []string{"module-a", "module-b+c", "module-h", "eucc"}, NotifiedBody: "unless-harmonised-standards",
			Summary: "Important product, class I (Annex III): Module A only if harmonised standards, common specifications or an EU certification scheme at level 'substantial' or higher were fully applied; otherwise a notified body through Module B+C or H (Art. 32(2))."}
	case classImportantII:
		return conformityJSON{Routes: []string{"module-b+c", "module-h", "eucc"}, NotifiedBody: "required",
			Summary: "Important product, class II (Annex III): Module B+C or H, or an EU cybersecurity certification scheme at level 'substantial' or higher; Module A is not available (Art. 32(3))."}
	case classCritical:
		return conformityJSON{Routes: []string{"eucc", "module-b+c", "module-h"}, NotifiedBody: "required",
			Summary: "Critical product (Annex IV): a European cybersecurity certificate at level 'substantial' or higher where a delegated act under Art. 8(1) requires it; otherwise the class II procedures (Art. 32(4))."}
	}
	return conformityJSON{Routes: []string{"module-a", "module-b+c", "module-h", "eucc"}, NotifiedBody: "not-required",
		Summary: "Default category: any route of Art. 32(1), including Module A (internal control, Annex VIII Part I)."}
}

// euMemberStates are the ISO 3166-1 alpha-2 codes of the 27 EU Member
// States (Greece is GR in ISO 3166, EL only in EU usage).
var euMemberStates = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
}

// minSupportMonths is the shortest support period without a justification
// (Art. 13(8): at least five years).
const minSupportMonths = 60

// parseMonth reads "2026-12".
func parseMonth(s string) (time.Time, bool) {
	if len(s) != 7 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01", s)
	return t, err == nil
}

// supportMonths is the length of a support period from the first day of
// month a to the last day of month b: both months count, so 2026-01 to
// 2030-12 is 60 months, exactly five years.
func supportMonths(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month()) + 1
}

// textField checks a free-text field: valid UTF-8, no control characters
// but newlines and tabs, at most max characters.
func textField(name, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		return "", badRequest("%s must be UTF-8 text of at most %d characters", name, max)
	}
	for _, r := range v {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return "", badRequest("%s contains a control character", name)
		}
	}
	return v, nil
}

// validateProfile checks and normalises the CRA fields of a product.
func validateProfile(p *store.ProductProfile) error {
	var err error
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"manufacturer", &p.Manufacturer, 200},
		{"description", &p.Description, 4000},
		{"intended_purpose", &p.IntendedPurpose, 4000},
		{"support_period.justification", &p.SupportJustification, 2000},
		{"security_contact", &p.SecurityContact, 320},
	} {
		if *f.v, err = textField(f.name, *f.v, f.max); err != nil {
			return err
		}
	}
	switch p.Class {
	case "":
		p.Class = classDefault
	case classDefault, classImportantI, classImportantII, classCritical:
	default:
		return badRequest("cra_class must be default, important-i, important-ii or critical")
	}
	if err := validateSupport(p); err != nil {
		return err
	}
	if p.SecurityContact != "" && !validContact(p.SecurityContact) {
		return badRequest("security_contact must be an e-mail address or an https:// URL")
	}
	seen := map[string]bool{}
	var states []string
	for _, c := range p.MemberStates {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "EL" {
			return badRequest("member_states: use GR, the ISO 3166-1 code of Greece, not EL")
		}
		if !euMemberStates[c] {
			return badRequest("member_states: %q is not the ISO 3166-1 alpha-2 code of an EU Member State", truncate(c, 8))
		}
		if !seen[c] {
			seen[c] = true
			states = append(states, c)
		}
	}
	slices.Sort(states)
	p.MemberStates = states
	return nil
}

func validateSupport(p *store.ProductProfile) error {
	if p.SupportStart == "" && p.SupportEnd == "" {
		return nil
	}
	start, ok1 := parseMonth(p.SupportStart)
	end, ok2 := parseMonth(p.SupportEnd)
	if !ok1 || !ok2 {
		return badRequest("support_period needs start and end as year and month, e.g. \"2026-12\"")
	}
	n := supportMonths(start, end)
	if n < 1 {
		return badRequest("support_period ends before it starts")
	}
	if n < minSupportMonths && p.SupportJustification == "" {
		return badRequest("support_period is shorter than five years (%d months); record a justification (Art. 13(8): only when the product is expected to be in use for less time)", n)
	}
	return nil
}

func validContact(s string) bool {
	if strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		return err == nil && u.Host != "" && u.User == nil
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// supportPeriodJSON is a support period; Display says it as month and year.
type supportPeriodJSON struct {
	Start         string `json:"start"`
	End           string `json:"end"`
	Justification string `json:"justification,omitempty"`
	Display       string `json:"display"`
	Months        int    `json:"months"`
}

// supportPeriodInput is a support period as clients send it.
type supportPeriodInput struct {
	Start         string `json:"start"`
	End           string `json:"end"`
	Justification string `json:"justification"`
}

func supportPeriodFrom(p store.ProductProfile) *supportPeriodJSON {
	start, ok1 := parseMonth(p.SupportStart)
	end, ok2 := parseMonth(p.SupportEnd)
	if !ok1 || !ok2 {
		return nil
	}
	return &supportPeriodJSON{Start: p.SupportStart, End: p.SupportEnd, Justification: p.SupportJustification,
		Display: start.Format("January 2006") + " – " + end.Format("January 2006"), Months: supportMonths(start, end)}
}

// Support statuses of a release, derived from its product's support period.
const (
	supportUnknown    = "unknown"     // the product has no support period
	supportNotStarted = "not-started" // before the first month
	supportSupported  = "supported"
	supportEnded      = "ended" // after the last month
)

// supportStatus is where now falls in the product's support period; the
// end month is supported to its last day (UTC).
func supportStatus(p store.ProductProfile, now time.Time) string {
	start, ok1 := parseMonth(p.SupportStart)
	end, ok2 := parseMonth(p.SupportEnd)
	if !ok1 || !ok2 {
		return supportUnknown
	}
	now = now.UTC()
	switch {
	case now.Before(start):
		return supportNotStarted
	case !now.Before(end.AddDate(0, 1, 0)):
		return supportEnded
	}
	return supportSupported
}

// productDetailJSON is a product with its CRA fields.
type productDetailJSON struct {
	productJSON
	Manufacturer         string             `json:"manufacturer"`
	Description          string             `json:"description"`
	IntendedPurpose      string             `json:"intended_purpose"`
	CRAClass             string             `json:"cra_class"`
	ConformityAssessment conformityJSON     `json:"conformity_assessment"`
	SupportPeriod        *supportPeriodJSON `json:"support_period"`
	SupportStatus        string             `json:"support_status"`
	SecurityContact      string             `json:"security_contact"`
	MemberStates         []string           `json:"member_states"`
	UpdatedAt            *time.Time         `json:"updated_at,omitempty"`
}

func productDetail(p store.Product, prof store.ProductProfile, now time.Time) productDetailJSON {
	out := productDetailJSON{
		productJSON: productFromStore(p), Manufacturer: prof.Manufacturer, Description: prof.Description,
		IntendedPurpose: prof.IntendedPurpose, CRAClass: prof.Class, ConformityAssessment: conformityFor(prof.Class),
		SupportPeriod: supportPeriodFrom(prof), SupportStatus: supportStatus(prof, now),
		SecurityContact: prof.SecurityContact, MemberStates: prof.MemberStates,
	}
	if out.MemberStates == nil {
		out.MemberStates = []string{}
	}
	if !prof.UpdatedAt.IsZero() {
		at := prof.UpdatedAt
		out.UpdatedAt = &at
	}
	return out
}

// profileInput is the CRA fields as clients send them; nil means "not
// given" (unchanged on PATCH, empty on create).
type profileInput struct {
	Manufacturer    *string             `json:"manufacturer"`
	Description     *string             `json:"description"`
	IntendedPurpose *string             `json:"intended_purpose"`
	CRAClass        *string             `json:"cra_class"`
	SupportPeriod   *supportPeriodInput `json:"support_period"`
	SecurityContact *string             `json:"security_contact"`
	MemberStates    *[]string           `json:"member_states"`
}

// apply writes the given fields into p and returns their names.
func (in *profileInput) apply(p *store.ProductProfile) []string {
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil {
			*dst = *v
			changed = append(changed, name)
		}
	}
	set("manufacturer", &p.Manufacturer, in.Manufacturer)
	set("description", &p.Description, in.Description)
	set("intended_purpose", &p.IntendedPurpose, in.IntendedPurpose)
	set("cra_class", &p.Class, in.CRAClass)
	set("security_contact", &p.SecurityContact, in.SecurityContact)
	if in.SupportPeriod != nil {
		p.SupportStart, p.SupportEnd = in.SupportPeriod.Start, in.SupportPeriod.End
		p.SupportJustification = in.SupportPeriod.Justification
		changed = append(changed, "support_period")
	}
	if in.MemberStates != nil {
		p.MemberStates = *in.MemberStates
		changed = append(changed, "member_states")
	}
	return changed
}

// describeProfile is the audit detail of a profile change.
func describeProfile(p store.ProductProfile, changed []string) map[string]string {
	d := map[string]string{"fields": strings.Join(changed, ",")}
	for _, f := range changed {
		switch f {
		case "cra_class":
			d["cra_class"] = p.Class
		case "support_period":
			d["support_period"] = fmt.Sprintf("%s..%s", p.SupportStart, p.SupportEnd)
			if p.SupportJustification != "" {
				d["support_justification"] = truncate(p.SupportJustification, 200)
			}
		case "member_states":
			d["member_states"] = strings.Join(p.MemberStates, ",")
		case "security_contact":
			d["security_contact"] = p.SecurityContact
		}
	}
	return d
}
