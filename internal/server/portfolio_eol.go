package server

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/craft-cra/craft/internal/store"
)

// The dashboard's end-of-life section: components of releases in support
// whose cycle reached its end of life (store.DashboardEOL, from the
// monitoring run's eol_events).

// eolSummary is the end-of-life section of the dashboard.
type eolSummary struct {
	store.EOLSummary
	Items []eolItem
	// More is set when Total exceeds the items listed.
	More bool
}

// eolItem is one listed component with the link to its release page.
type eolItem struct {
	store.EOLComponent
	ReleaseURL string
}

// dashboardEOL reads the end-of-life section of productIDs (the products
// the caller may read).
func (s *Server) dashboardEOL(ctx context.Context, productIDs []string, now time.Time) (eolSummary, error) {
	sum, err := s.store.DashboardEOL(ctx, productIDs, now, store.DashboardListLimit)
	if err != nil {
		return eolSummary{}, fmt.Errorf("server: dashboard: %w", err)
	}
	out := eolSummary{EOLSummary: sum, More: sum.Total > int64(len(sum.Items))}
	for _, c := range sum.Items {
		out.Items = append(out.Items, eolItem{EOLComponent: c,
			ReleaseURL: "/products/" + url.PathEscape(c.ProductID) + "/releases/" + url.PathEscape(c.Release)})
	}
	return out, nil
}
