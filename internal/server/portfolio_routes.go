package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

// Portfolio web pages: dashboard, product, release, component search (issue 6, item 5).

// Paths of the portfolio pages.
const (
	// DashboardPagePath is the portfolio dashboard, first in the nav.
	DashboardPagePath = "/dashboard"
	// ComponentSearchPagePath is the portfolio-wide component search.
	ComponentSearchPagePath = "/components"
)

// snapshotLease names the lease under which one process records the daily
// findings snapshot; snapshotLeaseTTL outlasts one snapshot by far.
const (
	snapshotLease    = "finding-snapshot"
	snapshotLeaseTTL = 10 * time.Minute
)

// portfolioRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) portfolioRoutes() []Route {
	ui, err := newWebUI(portfolioPageNames()...)
	if err != nil {
		// Cannot happen with the embedded templates (TestWebTemplatesParse
		// parses them); if it does, the pages answer 500 and the log says why.
		s.log.LogAttrs(context.Background(), slog.LevelError, "portfolio pages disabled", slog.String("error", err.Error()))
		ui = nil
	}
	w := &web{s: s, ui: ui}
	h := w.handler
	return []Route{
		{Method: "GET", Pattern: DashboardPagePath, Perm: auth.PermProductList, Kind: KindPage, Handler: h(w.dashboardPage)},
		{Method: "GET", Pattern: ComponentSearchPagePath, Perm: auth.PermProductList, Kind: KindPage, Handler: h(w.componentSearchPage)},
		{Method: "GET", Pattern: "/products/{product}", Perm: auth.PermProductRead, ProductParam: "product", Kind: KindPage, Handler: h(w.productPage)},
		{Method: "POST", Pattern: "/products/{product}/cra", Perm: auth.PermProductWrite, ProductParam: "product", Kind: KindPage, MaxBody: webFormMaxBody, Handler: h(w.productCRASubmit)},
		{Method: "GET", Pattern: "/products/{product}/releases/{version}", Perm: auth.PermProductRead, ProductParam: "product", Kind: KindPage, Handler: h(w.releasePage)},
		{Method: "GET", Pattern: "/api/v1/components", Perm: auth.PermProductList, Handler: s.searchComponents},
	}
}

// portfolioPageNames are the page templates of the portfolio pages.
func portfolioPageNames() []string {
	return []string{"portfolio_dashboard", "portfolio_product", "portfolio_release", "portfolio_components"}
}

// snapshotTick refreshes the daily findings snapshot from the job loop: the
// process holding the lease updates today's row of every product (one row
// per product per day however many processes tick), and only when
// findings, triage, products or releases changed since the last tick or
// the day turned (store.RefreshSnapshots).
func (s *Server) snapshotTick(ctx context.Context, holder string) {
	ok, err := s.store.AcquireLease(ctx, snapshotLease, holder, snapshotLeaseTTL)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("snapshot job: lease", slog.String("error", err.Error()))
		}
		return
	}
	if !ok {
		return
	}
	defer func() {
		if err := s.store.ReleaseLease(context.WithoutCancel(ctx), snapshotLease, holder); err != nil {
			s.log.Warn("snapshot job: release lease", slog.String("error", err.Error()))
		}
	}()
	run, err := s.store.RefreshSnapshots(ctx, s.now())
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("snapshot job", slog.String("error", err.Error()))
		}
		return
	}
	if !run.Skipped {
		s.log.Info("snapshot job: recorded", slog.Int("products", run.Products),
			slog.Int("transactions", run.Transactions), slog.Int("rows", run.RowsWritten),
			slog.Duration("longest_tx", run.LongestTx))
	}
}
