package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/match"
	"github.com/craft-cra/craft/internal/scan"
	"github.com/craft-cra/craft/internal/store"
)

// Continuous monitoring (issue 6, item 3): a background job keeps the
// advisory database current (the `craft db update` logic, or an import
// from a folder) and then re-matches every release in support; an SBOM
// upload re-matches its release. Findings and their events live in the
// store (store.ReplaceReleaseFindings).
const (
	// monitorLease names the monitoring job's lease. It is held for the
	// update interval and not released after a run, so that across all
	// craft serve processes the job runs once per interval.
	monitorLease = "advisory-monitor"
)

// advisoryDBPath is the advisory database of this server; "" when none is
// configured.
func (s *Server) advisoryDBPath() string {
	if s.cfg.AdvisoryDB != "" {
		return s.cfg.AdvisoryDB
	}
	if s.cfg.DataDir != "" {
		return filepath.Join(s.cfg.DataDir, "advisories.db")
	}
	return ""
}

// MonitorResult says what one monitoring run did.
type MonitorResult struct {
	Ran       bool // false: another process holds the lease
	Sources   []advisory.SourceResult
	Import    *advisory.ImportResult
	Releases  int // releases re-matched
	Findings  int // current findings of those releases
	Events    int // notifications queued
	Unmatched int // releases that could not be matched (logged)
	// Rewritten is the number of releases whose findings changed and
	// Rows the finding rows written (inserted, updated or deleted); the
	// portfolio re-match leaves unchanged releases alone.
	Rewritten int
	Rows      int
	// Incremental is set when only the releases the update touched were
	// re-matched (monitor_incremental.go).
	Incremental bool
	// Refresh and Rematch are the wall times of the two stages.
	Refresh, Rematch time.Duration
}

// MonitorAdvisories is the monitoring job, if holder gets its lease:
// import AdvisoryImportDir when set, else update from the default sources;
// then re-match every release in support. The job loop calls it once per
// AdvisoryUpdateInterval; tests call it directly.
func (s *Server) MonitorAdvisories(ctx context.Context, holder string) (MonitorResult, error) {
	path := s.advisoryDBPath()
	if path == "" {
		return MonitorResult{}, errors.New("monitor: no advisory database configured")
	}
	ttl := max(s.cfg.AdvisoryUpdateInterval, cleanupLeaseTTL)
	ok, err := s.store.AcquireLease(ctx, monitorLease, holder, ttl)
	if err != nil {
		s.m.jobs.WithLabelValues(monitorLease, "failed").Inc()
		return MonitorResult{}, fmt.Errorf("monitor: lease: %w", err)
	}
	if !ok {
		s.m.jobs.WithLabelValues(monitorLease, "skipped").Inc()
		return MonitorResult{}, nil
	}
	res := MonitorResult{Ran: true}
	start := time.Now()
	if err := s.refreshAdvisories(ctx, path, &res); err != nil {
		s.m.jobs.WithLabelValues(monitorLease, "failed").Inc()
		// What the refresh committed before it failed is re-matched now:
		// the next run's incremental pass would not see it.
		if ch := refreshChanges(&res); ctx.Err() == nil && (len(ch.Packages) > 0 || len(ch.KEV) > 0 || ch.EOL) {
			if rerr := s.rematchAfterRefresh(ctx, ch, &res); rerr != nil {
				s.log.Error("re-match after a failed refresh", slog.String("error", rerr.Error()))
			}
		}
		return res, err
	}
	res.Refresh = time.Since(start)
	start = time.Now()
	if err := s.rematchAfterRefresh(ctx, refreshChanges(&res), &res); err != nil {
		s.m.jobs.WithLabelValues(monitorLease, "failed").Inc()
		return res, err
	}
	// End-of-life events are raised in the same pass
	// (monitor_batch_eol.go), from the components it has read.
	res.Rematch = time.Since(start)
	s.m.jobs.WithLabelValues(monitorLease, "ran").Inc()
	s.log.Info("advisory monitor", slog.Int("releases", res.Releases), slog.Int("findings", res.Findings),
		slog.Int("events", res.Events), slog.Int("unmatched", res.Unmatched), slog.Int("rewritten", res.Rewritten),
		slog.Int("rows", res.Rows), slog.Bool("incremental", res.Incremental), slog.Duration("refresh", res.Refresh), slog.Duration("rematch", res.Rematch))
	return res, nil
}

// refreshAdvisories runs advisory.Store.Import or Update on a read-write
// handle that is closed again before matching.
func (s *Server) refreshAdvisories(ctx context.Context, path string, res *MonitorResult) error {
	db, err := advisory.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	defer db.Close()
	iopts := advisory.ImportOptions{Now: s.now}
	if dir := s.cfg.AdvisoryImportDir; dir != "" {
		r, err := db.Import(ctx, []string{dir}, iopts)
		res.Import = r // with what was committed before a failure
		if err != nil {
			return fmt.Errorf("monitor: import %s: %w", dir, err)
		}
		if len(r.Failed) > 0 || len(r.Rejected) > 0 {
			s.log.Warn("advisory import incomplete", slog.String("dir", dir),
				slog.Int("failed", len(r.Failed)), slog.Int("rejected", len(r.Rejected)))
		}
		return nil
	}
	rs, err := db.Update(ctx, advisory.DefaultSources(nil), advisory.UpdateOptions{
		UserAgent: "craft serve (advisory monitor)", Import: iopts})
	res.Sources = rs
	if err != nil {
		return fmt.Errorf("monitor: update: %w", err)
	}
	for _, r := range rs {
		if r.Err != nil {
			s.log.Warn("advisory source failed; its previous data stays", slog.String("source", r.Source.Name),
				slog.String("error", r.Err.Error()))
		}
	}
	return nil
}

// openAdvisories opens the advisory database read-only for matching; nil
// without error when there is none yet.
func (s *Server) openAdvisories(ctx context.Context) (*advisory.Store, error) {
	path := s.advisoryDBPath()
	if path == "" {
		return nil, nil
	}
	db, err := advisory.OpenReadOnly(ctx, path)
	if errors.Is(err, advisory.ErrNotFound) {
		return nil, nil
	}
	return db, err
}

// inSupport reports whether a release of a product with this profile is
// re-matched: every release unless its product's support period has
// ended (a product without a recorded period is treated as supported, so
// that its findings are not silently missing).
func inSupport(status string) bool { return status != supportEnded }

// matchRelease matches one release's stored components.
func (s *Server) matchRelease(ctx context.Context, db *advisory.Store, r store.Release) ([]store.Finding, error) {
	comps, err := s.store.ListReleaseComponents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	inv := &inventory.Inventory{Root: r.Version, Source: "sbom", Components: make([]inventory.Component, 0, len(comps))}
	for _, c := range comps {
		inv.Components = append(inv.Components, inventory.Component{ID: c.ComponentID, Name: c.Name,
			Version: c.Version, Ecosystem: c.Ecosystem, PURL: c.PURL,
			Relationship: inventory.Relationship(c.Relationship), Licenses: c.Licenses, Supplier: c.Supplier})
	}
	m, err := match.Match(ctx, inv, db, match.Options{KEV: scan.KEVAdapter{Store: db}, Now: s.now()})
	if err != nil {
		return nil, err
	}
	fs := make([]store.Finding, 0, len(m.Findings))
	for _, f := range m.Findings {
		sf := store.Finding{VulnID: f.ID, ComponentID: f.Component.ID, Aliases: f.Aliases,
			ComponentPURL: f.Component.PURL, ComponentName: f.Component.Name, ComponentVersion: f.Component.Version,
			Ecosystem: f.Component.Ecosystem, SeverityLevel: f.Severity.Level,
			SeverityScore: int64(math.Round(f.Severity.Score * 10)), MinimumFix: f.MinimumFix}
		if f.KEV != nil {
			sf.KEVDateAdded = f.KEV.DateAdded.UTC().Format(time.DateOnly)
		}
		fs = append(fs, sf)
	}
	return fs, nil
}

// rematchUploaded re-matches a release after its SBOM was stored (the
// upload has committed; a failure here is logged, not the upload's).
func (s *Server) rematchUploaded(ctx context.Context, prof store.ProductProfile, r store.Release) {
	if !inSupport(supportStatus(prof, s.now())) {
		return
	}
	db, err := s.openAdvisories(ctx)
	if err == nil && db != nil {
		defer db.Close()
		var p store.Product
		if p, err = s.store.GetProduct(ctx, r.ProductID); err == nil {
			err = s.rematchUploadedRelease(ctx, db, p.Name, r)
		}
	}
	if err != nil {
		s.log.Error("re-match uploaded release", slog.String("product", r.ProductID), slog.String("version", r.Version),
			slog.String("error", err.Error()))
	}
}

// rematchUploadedRelease matches an uploaded release and stores its
// findings with the portfolio re-match's batched writes
// (ApplyFindingChanges: multi-row inserts, only changed rows written,
// the findings digest kept), which have ReplaceReleaseFindings'
// semantics: the same events, first_seen and triage decisions kept.
func (s *Server) rematchUploadedRelease(ctx context.Context, db *advisory.Store, productName string, r store.Release) error {
	fs, err := s.matchRelease(ctx, db, r)
	if err != nil {
		return err
	}
	_, err = s.store.ApplyFindingChanges(ctx, []store.FindingsChange{{FindingsUpdate: store.FindingsUpdate{
		ReleaseID: r.ID, ProductID: r.ProductID, ProductName: productName, Version: r.Version, Findings: fs}}})
	return err
}

// monitorTick runs the monitoring job from the job loop when it is enabled
// and this process has not run it for an interval; the lease (held for
// the interval) keeps other processes from running it again meanwhile.
func (s *Server) monitorTick(ctx context.Context, holder string, last *time.Time) {
	every := s.cfg.AdvisoryUpdateInterval
	if every <= 0 || s.advisoryDBPath() == "" {
		return
	}
	now := s.now()
	if !last.IsZero() && now.Sub(*last) < every {
		return
	}
	res, err := s.MonitorAdvisories(ctx, holder)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("advisory monitor job", slog.String("error", err.Error()))
		}
		return
	}
	if res.Ran {
		*last = now
	}
}
