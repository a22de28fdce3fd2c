package server

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
)

// The dashboard's Article 14 countdowns: the open cases with clocks
// (actively exploited or severe incident) of the products where the caller
// holds case:read, each with its next due report. The clocks are the case
// pages' (cases.Deadlines through caseFacts, shown through deadlineViews).

// countdownListLimit caps the countdowns listed (the tiles count all).
const countdownListLimit = 50

// dashboardCountdown is one case's next due report.
type dashboardCountdown struct {
	Reference   string
	Title       string
	ProductName string
	// Next is the report due next: the earliest due time among those not
	// submitted, or one still waiting for its due time.
	Next deadlineView
}

// countdownSummary is the countdown section of the dashboard.
type countdownSummary struct {
	// Shown is false when the caller may read no product's cases: the
	// section is left out.
	Shown bool
	// Total counts the cases with a report due; Overdue and Soon those
	// whose next report is overdue or nearly due.
	Total, Overdue, Soon int
	Items                []dashboardCountdown
}

// dashboardCountdowns lists the clocks of the cases p may read.
func (s *Server) dashboardCountdowns(ctx context.Context, p auth.Principal, now time.Time) (countdownSummary, error) {
	f := readableProducts(p)
	out := countdownSummary{Shown: f.All || len(f.ProductIDs) > 0}
	if !out.Shown {
		return out, nil
	}
	f.ClockOnly, f.Limit = true, 500
	var all []dashboardCountdown
	for {
		list, err := s.store.ListCases(ctx, f)
		if err != nil {
			return out, fmt.Errorf("server: dashboard countdowns: %w", err)
		}
		for _, cs := range list {
			if !caseAllowed(p, auth.PermCaseRead, cs.ProductID) {
				continue
			}
			st := cases.State(cs.State)
			if st == cases.StateNotVulnerability || st == cases.StateDuplicate {
				continue
			}
			subs, err := s.store.ListCaseSubmissions(ctx, cs.ID)
			if err != nil {
				return out, fmt.Errorf("server: dashboard countdowns: %s: %w", cs.Reference, err)
			}
			ds := cases.Deadlines(caseFacts(cs, subs), caseZone())
			next, ok := nextDeadline(deadlineViews(cs.Reference, ds, now))
			if !ok {
				continue
			}
			all = append(all, dashboardCountdown{Reference: cs.Reference, Title: cs.Title, ProductName: cs.ProductName, Next: next})
		}
		if len(list) < f.Limit {
			break
		}
		last := list[len(list)-1]
		f.BeforeCreated, f.BeforeReference = last.CreatedAt, last.Reference
	}
	// Overdue first (the longest overdue first), then the soonest due;
	// those still waiting for a due time last.
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i].Next.Due, all[j].Next.Due
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		if !a.Equal(b) {
			return a.Before(b)
		}
		return all[i].Reference < all[j].Reference
	})
	out.Total = len(all)
	for _, c := range all {
		switch c.Next.Status {
		case string(cases.StatusOverdue):
			out.Overdue++
		case string(cases.StatusOpen):
			if c.Next.Class == "deadline soon" {
				out.Soon++
			}
		}
	}
	out.Items = all[:min(len(all), countdownListLimit)]
	return out, nil
}

// nextDeadline picks the report due next among a case's clocks: of those
// not submitted, the earliest due; else one still waiting. ok is false
// when every report is submitted, not reportable (awareness before Article
// 14 applied) or closed with its case.
func nextDeadline(vs []deadlineView) (deadlineView, bool) {
	var (
		best  deadlineView
		found bool
	)
	for _, v := range vs {
		if v.Done() || v.NotReportable != "" || v.Closed {
			continue
		}
		switch {
		case !found:
			best, found = v, true
		case best.Due.IsZero() && !v.Due.IsZero():
			best = v
		case !v.Due.IsZero() && v.Due.Before(best.Due):
			best = v
		}
	}
	return best, found
}
