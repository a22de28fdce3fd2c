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

// TestTriageDeciders: the finding page preselects the decision in force,
// and the finding page, the release page and the API name the user who
// decided by e-mail address; tokens and deleted users stay as the actor.
func TestTriageDeciders(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		te := newTriageEnv(t, st)
		ctx := context.Background()
		olivia, err := st.GetUserByEmail(ctx, "olivia@example.eu")
		if err != nil {
			t.Fatal(err)
		}
		page := "/products/" + te.p.ID + "/releases/1.0"
		expectStatus(t, te.post(page+"/triage", url.Values{"finding": {"CVE-2023-44487|" + xnetKey}, "status": {"affected"},
			"action_statement": {"upgrade x/net to 0.17.0"}, "comment": {"HTTP/2 is on"}}, withCookie(te.officer)), http.StatusSeeOther)
		token := te.token(auth.User{ID: olivia.ID, Email: olivia.Email, Role: auth.RoleSecurityOfficer},
			auth.RoleSecurityOfficer, []string{te.p.ID})
		expectStatus(t, te.do("POST", te.url("1.0", "/triage"), map[string]any{
			"findings": []map[string]string{{"vuln_id": "CVE-2020-11023", "component": jqKey}},
			"status":   "not_affected", "justification": "vulnerable_code_not_present", "comment": "no $.htmlPrefilter",
		}, withBearer(token)), http.StatusOK)

		findingPage := func(vuln, key string) *html.Node {
			t.Helper()
			body := expectHTML(t, te.do("GET", page+"/findings/"+vuln+"?component="+url.QueryEscape(key), nil, withCookie(te.viewer)), http.StatusOK)
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			return doc
		}
		officerPage := func(vuln, key string) *html.Node {
			t.Helper()
			body := expectHTML(t, te.do("GET", page+"/findings/"+vuln+"?component="+url.QueryEscape(key), nil, withCookie(te.officer)), http.StatusOK)
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			return doc
		}
		selected := func(doc *html.Node, name string) string {
			for _, sel := range findAll(doc, func(n *html.Node) bool { return n.Data == "select" && attr(n, "name") == name }) {
				for _, o := range findAll(sel, func(n *html.Node) bool { return n.Data == "option" }) {
					if slices.ContainsFunc(o.Attr, func(a html.Attribute) bool { return a.Key == "selected" }) {
						return attr(o, "value")
					}
				}
			}
			return ""
		}
		for _, tc := range []struct {
			name, vuln, key                   string
			status, justification, action, by string
		}{
			{"affected by a user", "CVE-2023-44487", xnetKey, "affected", "", "upgrade x/net to 0.17.0", "olivia@example.eu"},
			{"not_affected by a token", "CVE-2020-11023", jqKey, "not_affected", "vulnerable_code_not_present", "", "token:"},
			{"untriaged", "CVE-2024-9999", lpKey, "under_investigation", "", "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				doc := officerPage(tc.vuln, tc.key)
				if got := selected(doc, "status"); got != tc.status {
					t.Errorf("status preselected %q, want %q", got, tc.status)
				}
				if got := selected(doc, "justification"); got != tc.justification {
					t.Errorf("justification preselected %q, want %q", got, tc.justification)
				}
				if got := textOf(byID(doc, "action_statement")); got != tc.action {
					t.Errorf("action statement %q, want %q", got, tc.action)
				}
				got := textOf(byID(findingPage(tc.vuln, tc.key), "decided-by"))
				if tc.by == "" && got != "" || !strings.HasPrefix(got, tc.by) {
					t.Errorf("decided by %q, want %q", got, tc.by)
				}
			})
		}
		hist := textOf(findingPage("CVE-2023-44487", xnetKey))
		if !strings.Contains(hist, "olivia@example.eu") || strings.Contains(hist, "user:") {
			t.Errorf("history does not name olivia by address: %s", hist)
		}

		// The release page names the decider of each finding.
		releaseRows := func() string {
			t.Helper()
			body := expectHTML(t, te.do("GET", page, nil, withCookie(te.viewer)), http.StatusOK)
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			return textOf(byID(doc, "findings"))
		}
		if rows := releaseRows(); !strings.Contains(rows, "olivia@example.eu") || !strings.Contains(rows, "token:") || strings.Contains(rows, "user:") {
			t.Errorf("release page findings: %s", rows)
		}

		// The API keeps the actor and adds the address.
		h := decode[struct{ History []triageHistoryJSON }](t, te.do("GET",
			te.url("1.0", "/findings/CVE-2023-44487/history?component="+url.QueryEscape(xnetKey)), nil, withCookie(te.viewer)))
		if len(h.History) != 1 || h.History[0].Actor != "user:"+olivia.ID || h.History[0].ActorEmail != olivia.Email {
			t.Errorf("history %+v", h.History)
		}
		fs := decode[findingsJSON](t, te.do("GET", te.url("1.0", "/findings"), nil, withCookie(te.viewer)))
		for _, f := range fs.Items {
			want := map[string]string{"CVE-2023-44487": olivia.Email}[f.ID]
			if f.Triage != nil && f.Triage.DecidedByEmail != want {
				t.Errorf("%s decided_by_email %q, want %q", f.ID, f.Triage.DecidedByEmail, want)
			}
		}

		// A deleted user stays as the actor.
		if err := st.DeleteUser(ctx, olivia.ID); err != nil {
			t.Fatal(err)
		}
		if got := textOf(byID(findingPage("CVE-2023-44487", xnetKey), "decided-by")); !strings.HasPrefix(got, "user:"+olivia.ID) {
			t.Errorf("deleted user's decision by %q", got)
		}
		if rows := releaseRows(); !strings.Contains(rows, "user:"+olivia.ID) {
			t.Errorf("release page after deletion: %s", rows)
		}
	})
}
