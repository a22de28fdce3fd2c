package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestProductCRAFields: a product is created with its CRA fields, shown
// with the conformity assessment its class implies and its support period
// as month and year, and changed field by field, each change audited.
func TestProductCRAFields(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
		w := e.do("POST", "/api/v1/products", map[string]any{
			"name": "Edge Router", "manufacturer": "ACME GmbH", "description": "A router.",
			"intended_purpose": "Connect small offices to the internet.", "cra_class": "important-ii",
			"support_period":   map[string]string{"start": "2026-01", "end": "2031-01"},
			"security_contact": "security@acme.example", "member_states": []string{"fr", "DE", "DE"},
		}, withCookie(admin))
		expectStatus(t, w, http.StatusCreated)
		p := decode[productDetailJSON](t, w)
		if p.CRAClass != "important-ii" || p.ConformityAssessment.NotifiedBody != "required" ||
			strings.Join(p.ConformityAssessment.Routes, ",") != "module-b+c,module-h,eucc" {
			t.Errorf("class: %+v", p)
		}
		if p.SupportPeriod == nil || p.SupportPeriod.Display != "January 2026 – January 2031" || p.SupportPeriod.Months != 61 {
			t.Errorf("support period %+v", p.SupportPeriod)
		}
		if strings.Join(p.MemberStates, ",") != "DE,FR" || p.SupportStatus != "supported" {
			t.Errorf("member states %v, status %s", p.MemberStates, p.SupportStatus)
		}
		got := decode[productDetailJSON](t, e.do("GET", "/api/v1/products/"+p.ID, nil, withCookie(admin)))
		if got.Manufacturer != "ACME GmbH" || got.IntendedPurpose != "Connect small offices to the internet." || got.SecurityContact != "security@acme.example" {
			t.Errorf("get %+v", got)
		}

		for _, bad := range []string{"", "  ", "a\x00b", "two\nlines", strings.Repeat("n", 201)} {
			expectStatus(t, e.do("POST", "/api/v1/products", map[string]any{"name": bad}, withCookie(admin)), http.StatusBadRequest)
		}
		// A name alone still makes a default-class product.
		w = e.do("POST", "/api/v1/products", map[string]any{"name": "Plain"}, withCookie(admin))
		expectStatus(t, w, http.StatusCreated)
		plain := decode[productDetailJSON](t, w)
		if plain.CRAClass != "default" || plain.SupportPeriod != nil || plain.SupportStatus != "unknown" ||
			!strings.Contains(plain.ConformityAssessment.Summary, "Module A") {
			t.Errorf("plain %+v", plain)
		}

		for name, body := range map[string]map[string]any{
			"short period":   {"support_period": map[string]string{"start": "2026-01", "end": "2028-01"}},
			"end first":      {"support_period": map[string]string{"start": "2026-01", "end": "2025-01"}},
			"day not month":  {"support_period": map[string]string{"start": "2026-01-01", "end": "2031-01-01"}},
			"half period":    {"support_period": map[string]string{"start": "2026-01"}},
			"EL":             {"member_states": []string{"EL"}},
			"non-EU":         {"member_states": []string{"US"}},
			"bad class":      {"cra_class": "important"},
			"bad contact":    {"security_contact": "call us"},
			"http contact":   {"security_contact": "http://acme.example/security"},
			"unknown field":  {"colour": "red"},
			"control char":   {"manufacturer": "ACME\x00"},
			"empty":          {},
			"display is out": {"support_period": map[string]string{"start": "2026-01", "end": "2031-01", "display": "x"}},
		} {
			w := e.do("PATCH", "/api/v1/products/"+p.ID, body, withCookie(admin))
			if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s", name, w.Code, w.Body)
			}
		}
		if w := e.do("PATCH", "/api/v1/products/"+p.ID, map[string]any{"support_period": map[string]string{"start": "2026-01", "end": "2028-01"}}, withCookie(admin)); !strings.Contains(w.Body.String(), "Art. 13(8)") {
			t.Errorf("short period detail: %s", w.Body)
		}

		// A contributor of the product may change it; the change is audited.
		u := e.user("carol@example.eu", auth.RoleContributor)
		e.member(u, store.Product{ID: p.ID}, store.RoleContributor)
		carol := e.session(u)
		w = e.do("PATCH", "/api/v1/products/"+p.ID, map[string]any{
			"support_period": map[string]string{"start": "2026-01", "end": "2027-06", "justification": "A trade-fair demonstrator, in use for 18 months."},
			"cra_class":      "critical",
		}, withCookie(carol))
		expectStatus(t, w, http.StatusOK)
		changed := decode[productDetailJSON](t, w)
		if changed.CRAClass != "critical" || changed.SupportPeriod.Justification == "" || changed.Manufacturer != "ACME GmbH" || changed.UpdatedAt == nil {
			t.Errorf("patched %+v", changed)
		}
		events, err := st.ListAudit(t.Context(), store.AuditFilter{Action: ActProductUpdate})
		if err != nil || len(events) != 1 || events[0].Actor != "user:"+u.ID || events[0].Detail["cra_class"] != "critical" ||
			events[0].Detail["support_period"] != "2026-01..2027-06" {
			t.Errorf("audit %+v (%v)", events, err)
		}

		// A viewer may read but not change; nobody else sees it at all.
		v := e.user("victor@example.eu", auth.RoleViewer)
		e.member(v, store.Product{ID: p.ID}, store.RoleViewer)
		vt := e.session(v)
		expectStatus(t, e.do("GET", "/api/v1/products/"+p.ID, nil, withCookie(vt)), http.StatusOK)
		expectStatus(t, e.do("PATCH", "/api/v1/products/"+p.ID, map[string]any{"cra_class": "default"}, withCookie(vt)), http.StatusForbidden)
		other := e.user("olga@example.eu", auth.RoleContributor)
		e.member(other, store.Product{ID: plain.ID}, store.RoleContributor)
		ot := e.session(other)
		expectStatus(t, e.do("GET", "/api/v1/products/"+p.ID, nil, withCookie(ot)), http.StatusForbidden)
		expectStatus(t, e.do("PATCH", "/api/v1/products/"+p.ID, map[string]any{"cra_class": "default"}, withCookie(ot)), http.StatusForbidden)
	})
}

func TestSupportStatus(t *testing.T) {
	prof := store.ProductProfile{SupportStart: "2026-01", SupportEnd: "2031-01"}
	for _, c := range []struct {
		now  string
		want string
	}{
		{"2025-12-31T23:59:59Z", supportNotStarted},
		{"2026-01-01T00:00:00Z", supportSupported},
		{"2031-01-31T23:59:59Z", supportSupported},
		{"2031-02-01T00:00:00Z", supportEnded},
	} {
		now, err := parseRFC3339(c.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := supportStatus(prof, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.now, got, c.want)
		}
	}
	if got := supportStatus(store.ProductProfile{}, newClock().Now()); got != supportUnknown {
		t.Errorf("no period: %s", got)
	}
}

func parseRFC3339(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

// TestSupportMonths: both the first and the last month count, so January
// 2026 to December 2030 is exactly five years and needs no justification.
func TestSupportMonths(t *testing.T) {
	for _, tc := range []struct {
		start, end string
		months     int
		wantErr    bool
	}{
		{"2026-01", "2030-12", 60, false},
		{"2026-01", "2030-11", 59, true},
		{"2026-01", "2026-01", 1, true},
		{"2026-02", "2026-01", 0, true},
	} {
		s, _ := parseMonth(tc.start)
		e, _ := parseMonth(tc.end)
		if got := supportMonths(s, e); got != tc.months {
			t.Errorf("%s–%s: %d months, want %d", tc.start, tc.end, got, tc.months)
		}
		err := validateSupport(&store.ProductProfile{SupportStart: tc.start, SupportEnd: tc.end})
		if (err != nil) != tc.wantErr {
			t.Errorf("%s–%s: error %v, want error %v", tc.start, tc.end, err, tc.wantErr)
		}
	}
}
