package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// addDashboardSections gives both products of the portfolio env an
// end-of-life component and an actively exploited case: Alpha's early
// warning is six hours overdue, Bravo's due in 20 hours. It returns the
// cases' references.
func (e *portfolioEnv) addDashboardSections(t *testing.T, st *store.Store) (alphaRef, bravoRef string) {
	t.Helper()
	ctx := context.Background()
	now := e.s.now()
	for _, ev := range []struct {
		p             store.Product
		comp, cycle   string
		date, subject string
	}{
		{e.alpha, "c1", "2.14", "2021-12-31", "alpha eol"},
		{e.bravo, "c9", "7", "2025-01-01", "bravo eol"},
	} {
		rels, err := st.ListReleases(ctx, ev.p.ID)
		if err != nil || len(rels) != 1 {
			t.Fatalf("releases of %s: %d, %v", ev.p.Name, len(rels), err)
		}
		if _, err := st.RecordEOLEvent(ctx, rels[0].ID, ev.comp, ev.cycle, store.Notification{Kind: KindComponentEOL,
			ProductID: ev.p.ID, Subject: ev.subject}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetEOLDate(ctx, rels[0].ID, ev.comp, ev.cycle, ev.date); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(p store.Product, title string, aware time.Time) string {
		c, err := st.CreateCase(ctx, store.Case{ProductID: p.ID, Title: title, CreatedBy: "user:test",
			Exploited: true, ExploitedAwareAt: aware}, "created")
		if err != nil {
			t.Fatal(err)
		}
		return c.Reference
	}
	alphaRef = mk(e.alpha, "Alpha log4shell exploited", now.Add(-30*time.Hour))
	bravoRef = mk(e.bravo, "Bravo secret case", now.Add(-4*time.Hour))
	// A case without a clock is not listed.
	if _, err := st.CreateCase(ctx, store.Case{ProductID: e.alpha.ID, Title: "Alpha no clock", CreatedBy: "user:test"}, "created"); err != nil {
		t.Fatal(err)
	}
	return alphaRef, bravoRef
}

// TestDashboardSections: the end-of-life list and the Article 14
// countdowns hold only what the caller may read: a viewer of Alpha sees
// Alpha's end-of-life component and no countdowns (no case:read), a
// security officer of Alpha Alpha's overdue case only, an administrator
// both products.
func TestDashboardSections(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newPortfolioEnv(t, st)
		alphaRef, bravoRef := e.addDashboardSections(t, st)
		for _, tc := range []struct {
			name, session  string
			eolCounts      string
			eolHas, eolNot []string
			// countdownCounts "" means the section is absent.
			countdownCounts  string
			casesHas, caseNo []string
		}{
			{name: "viewer of alpha", session: e.vera,
				eolCounts: "1 components past end of life 1 releases shipping them",
				eolHas:    []string{"org.apache.logging.log4j:log4j-core 2.14.1 2.14 2021-12-31 Alpha 1.0"},
				eolNot:    []string{"bravo-secret-lib", "Bravo"}},
			{name: "security officer of alpha", session: e.sam,
				eolCounts:       "1 components past end of life 1 releases shipping them",
				eolHas:          []string{"Alpha 1.0"},
				eolNot:          []string{"Bravo"},
				countdownCounts: "1 cases with a clock 1 overdue 0 due soon",
				casesHas:        []string{alphaRef + " Alpha Alpha log4shell exploited early warning 2026-12-04 04:00 UTC overdue by 6 h"},
				caseNo:          []string{bravoRef, "Bravo", "no clock"}},
			{name: "administrator", session: e.root,
				eolCounts:       "2 components past end of life 2 releases shipping them",
				eolHas:          []string{"Alpha 1.0", "bravo-secret-lib 7.7.7 7 2025-01-01 Bravo 9.9"},
				countdownCounts: "2 cases with a clock 1 overdue 0 due soon",
				casesHas:        []string{alphaRef, bravoRef, "early warning 2026-12-05 06:00 UTC 20 h left"},
				caseNo:          []string{"no clock"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				doc, body := e.page("/dashboard", tc.session, http.StatusOK)
				if got := textOf(byID(doc, "eol-counts")); got != tc.eolCounts {
					t.Errorf("eol counts %q, want %q", got, tc.eolCounts)
				}
				eol := textOf(byID(doc, "eol"))
				for _, s := range tc.eolHas {
					if !strings.Contains(eol, s) {
						t.Errorf("eol table %q lacks %q", eol, s)
					}
				}
				for _, s := range tc.eolNot {
					if strings.Contains(eol, s) {
						t.Errorf("eol table %q holds %q", eol, s)
					}
				}
				if tc.countdownCounts == "" {
					if byID(doc, "countdowns-h") != nil || strings.Contains(body, "CASE-") {
						t.Error("countdowns shown without case:read")
					}
					return
				}
				if got := textOf(byID(doc, "countdown-counts")); got != tc.countdownCounts {
					t.Errorf("countdown counts %q, want %q", got, tc.countdownCounts)
				}
				table := textOf(byID(doc, "countdowns"))
				for _, s := range tc.casesHas {
					if !strings.Contains(table, s) {
						t.Errorf("countdowns %q lack %q", table, s)
					}
				}
				for _, s := range tc.caseNo {
					if strings.Contains(table, s) {
						t.Errorf("countdowns %q hold %q", table, s)
					}
				}
				links := findAll(doc, func(n *html.Node) bool { return attr(n, "href") == "/cases/"+alphaRef })
				if len(links) != 1 {
					t.Errorf("%d links to /cases/%s", len(links), alphaRef)
				}
				overdue := findAll(doc, func(n *html.Node) bool { return attr(n, "class") == "deadline overdue" })
				if len(overdue) != 1 || !strings.HasPrefix(textOf(overdue[0]), "overdue by") {
					t.Errorf("overdue highlights: %d", len(overdue))
				}
			})
		}
	})
}
