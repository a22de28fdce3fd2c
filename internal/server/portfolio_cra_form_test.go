package server

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// craFormValues is a complete, valid post of the product page's CRA form.
func craFormValues() url.Values {
	return url.Values{"manufacturer": {"Alpha GmbH"}, "description": {"A router"}, "intended_purpose": {"Home networks"},
		"cra_class": {"important-ii"}, "support_start": {"2026-01"}, "support_end": {"2030-11"},
		"support_justification": {"expected use of four years"}, "security_contact": {"https://alpha.example/security"},
		"member_states": {"IT", "AT", "GR"}}
}

func (e *portfolioEnv) productUpdates(t *testing.T) []store.Event {
	t.Helper()
	evs, err := e.st.ListAudit(context.Background(), store.AuditFilter{Action: ActProductUpdate})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestPortfolioCRAForm(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newPortfolioEnv(t, st)
		ctx := context.Background()
		carlUser := e.user("carl@example.eu", auth.RoleContributor)
		e.member(carlUser, e.alpha, store.RoleContributor)
		carl := e.session(carlUser)
		path := "/products/" + e.alpha.ID + "/cra"

		// A viewer sees no form and may not post; nor may a contributor of
		// Alpha post to Bravo.
		doc, _ := e.page("/products/"+e.alpha.ID, e.vera, http.StatusOK)
		if byID(doc, "cra-form") != nil {
			t.Error("a viewer gets the CRA form")
		}
		expectHTML(t, e.post(path, craFormValues(), withCookie(e.vera)), http.StatusForbidden)
		if w := e.post("/products/"+e.bravo.ID+"/cra", craFormValues(), withCookie(carl)); w.Code != http.StatusNotFound && w.Code != http.StatusForbidden {
			t.Errorf("post to another product: %d", w.Code)
		}

		// The form shows the stored values.
		doc, _ = e.page("/products/"+e.alpha.ID, carl, http.StatusOK)
		form := byID(doc, "cra-form")
		if form == nil {
			t.Fatal("no CRA form for a contributor")
		}
		if attr(form, "method") != "post" || attr(form, "action") != path {
			t.Errorf("form posts %s to %s", attr(form, "method"), attr(form, "action"))
		}
		checked := func(doc *html.Node) []string {
			var out []string
			for _, n := range findAll(doc, func(n *html.Node) bool { return attr(n, "name") == "member_states" }) {
				if slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "checked" }) {
					out = append(out, attr(n, "value"))
				}
			}
			return out
		}
		if got := checked(doc); !slices.Equal(got, []string{"DE", "FR"}) {
			t.Errorf("checked Member States %q", got)
		}
		if n := len(findAll(form, func(n *html.Node) bool { return attr(n, "name") == "member_states" })); n != 27 {
			t.Errorf("%d Member State checkboxes, want 27", n)
		}
		if sel := findAll(form, func(n *html.Node) bool { return n.Data == "option" && attr(n, "value") == "important-i" }); len(sel) != 1 ||
			!slices.ContainsFunc(sel[0].Attr, func(a html.Attribute) bool { return a.Key == "selected" }) {
			t.Error("the stored class is not selected")
		}
		if got := attr(byID(doc, "cra-start"), "value"); got != "2022-04" {
			t.Errorf("support start %q", got)
		}

		// Invalid input: the page again with the API's message and the input.
		for _, tc := range []struct {
			name, field, value, want string
		}{
			{"short period without justification", "support_justification", "", "shorter than five years"},
			{"end before start", "support_end", "2025-01", "ends before it starts"},
			{"contact", "security_contact", "not a contact", "security_contact must be"},
			{"class", "cra_class", "nope", "cra_class must be"},
			{"member state", "member_states", "EL", "use GR"},
			{"control character", "manufacturer", "a\x01b", "control character"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v := craFormValues()
				v.Set(tc.field, tc.value)
				body := expectHTML(t, e.post(path, v, withCookie(carl)), http.StatusBadRequest, tc.want)
				doc, err := html.Parse(strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if got := attr(byID(doc, "cra-manufacturer"), "value"); tc.field != "manufacturer" && got != "Alpha GmbH" {
					t.Errorf("manufacturer not kept: %q", got)
				}
				if got := attr(byID(doc, "cra-end"), "value"); got != v.Get("support_end") {
					t.Errorf("support end not kept: %q", got)
				}
				if d := byID(doc, "cra-edit"); d == nil || !slices.ContainsFunc(d.Attr, func(a html.Attribute) bool { return a.Key == "open" }) {
					t.Error("the form is folded after an error")
				}
			})
		}
		if evs := e.productUpdates(t); len(evs) != 0 {
			t.Fatalf("refused posts wrote %d audit events", len(evs))
		}

		// Success: the product changes, one audit event, a confirmation.
		w := e.post(path, craFormValues(), withCookie(carl))
		expectStatus(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/products/"+e.alpha.ID+"?cra=saved" {
			t.Fatalf("Location %q", loc)
		}
		prof, err := st.GetProductProfile(ctx, e.alpha.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prof.Manufacturer != "Alpha GmbH" || prof.Class != "important-ii" || prof.SupportEnd != "2030-11" ||
			prof.SecurityContact != "https://alpha.example/security" || !slices.Equal(prof.MemberStates, []string{"AT", "GR", "IT"}) {
			t.Errorf("profile after the form: %+v", prof)
		}
		evs := e.productUpdates(t)
		if len(evs) != 1 {
			t.Fatalf("%d audit events, want 1", len(evs))
		}
		if ev := evs[0]; ev.Actor != "user:"+carlUser.ID || ev.Target != "product:"+e.alpha.ID ||
			ev.Detail["fields"] != "manufacturer,description,intended_purpose,cra_class,security_contact,support_period,member_states" {
			t.Errorf("audit event %+v", ev)
		}
		doc, _ = e.page("/products/"+e.alpha.ID+"?cra=saved", carl, http.StatusOK)
		if got := textOf(doc); !strings.Contains(got, "CRA information saved.") || !strings.Contains(got, "AT, GR, IT") {
			t.Errorf("page after saving lacks the confirmation or the states")
		}

		// The same values again change nothing and log nothing.
		w = e.post(path, craFormValues(), withCookie(carl))
		if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || !strings.HasSuffix(loc, "?cra=unchanged") {
			t.Errorf("unchanged post: %d %q", w.Code, loc)
		}
		if evs := e.productUpdates(t); len(evs) != 1 {
			t.Errorf("unchanged post wrote an audit event (%d)", len(evs))
		}
	})
}
