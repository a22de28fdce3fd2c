package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/match"
	"github.com/craft-cra/craft/internal/store"
)

// The incremental re-match (issue 6, item 8): after an advisory update
// the job re-matches only the releases the update can have changed — those
// with a component of a package named by a record that was imported,
// updated or withdrawn (old and new versions), and those with a finding
// of a CVE whose KEV entry changed — each with all its components, so
// their findings and events are exactly what the full pass gives them.
// The full pass still runs when the job cannot tell (first run, a day
// since the last full pass, end-of-life data changed, too many packages
// touched, or a chunk failed). Releases uploaded since are matched at
// upload (rematchUploaded).
const (
	// fullPassLease is held for fullPassEvery from each full pass; while
	// another run holds it, the job may go incremental. It is not the
	// job's own lease (monitorLease): the holder is the pass, not the
	// process.
	fullPassLease = "advisory-monitor-full"
	// fullPassEvery bounds how stale the incremental path can leave
	// anything it cannot see: end-of-life milestones passing with time,
	// an advisory database changed by another program (craft db update).
	fullPassEvery = 24 * time.Hour
	// incrementalMaxPercent: when more of the portfolio's packages (and
	// more than incrementalMinPackages) were touched, the full pass is
	// not slower and is the plain one.
	incrementalMaxPercent  = 20
	incrementalMinPackages = 100
)

// refreshChanges is what the advisory refresh changed for matching.
func refreshChanges(res *MonitorResult) advisory.Changes {
	var ch advisory.Changes
	if res.Import != nil {
		ch.Merge(&res.Import.Changes)
	}
	for _, sr := range res.Sources {
		// Only committed units report changes, so a failed source
		// (rolled back) adds none.
		if sr.Import != nil {
			ch.Merge(&sr.Import.Changes)
		}
	}
	return ch
}

// rematchAfterRefresh re-matches what the refresh changed, or the whole
// portfolio when the job cannot tell.
func (s *Server) rematchAfterRefresh(ctx context.Context, ch advisory.Changes, res *MonitorResult) error {
	// A new holder each run: the same holder would renew the lease.
	holder := "full pass " + s.now().UTC().Format(time.RFC3339) + " " + rand.Text()
	due, err := s.store.AcquireLease(ctx, fullPassLease, holder, fullPassEvery)
	if err != nil {
		return fmt.Errorf("monitor: full pass lease: %w", err)
	}
	if !due && !ch.EOL && !s.cfg.AdvisoryFullRematch {
		done, err := s.rematchIncremental(ctx, ch, res)
		if err != nil {
			return err
		}
		if done && res.Unmatched == 0 {
			return nil
		}
		// Too many packages touched, or a chunk failed: the full pass
		// re-matches what this run could not.
		*res = MonitorResult{Ran: res.Ran, Sources: res.Sources, Import: res.Import, Refresh: res.Refresh}
	}
	if err := s.rematchPortfolio(ctx, res); err != nil {
		return err
	}
	if due && res.Unmatched > 0 {
		// The next run retries the failed chunks with a full pass.
		if err := s.store.ReleaseLease(ctx, fullPassLease, holder); err != nil {
			s.log.Error("release full pass lease", slog.String("error", err.Error()))
		}
	}
	return nil
}

// rematchIncremental re-matches the releases ch touched; false when too
// much was touched for it to pay.
func (s *Server) rematchIncremental(ctx context.Context, ch advisory.Changes, res *MonitorResult) (bool, error) {
	res.Incremental = true
	if len(ch.Packages) == 0 && len(ch.KEV) == 0 {
		return true, nil
	}
	ids := map[string]bool{}
	if len(ch.Packages) > 0 {
		pkgs, err := s.store.ComponentPackages(ctx)
		if err != nil {
			return false, fmt.Errorf("monitor: %w", err)
		}
		touched := touchedPackages(pkgs, ch.Packages)
		if len(touched) > incrementalMinPackages && len(touched)*100 > len(pkgs)*incrementalMaxPercent {
			res.Incremental = false
			return false, nil
		}
		if ids, err = s.store.ReleasesWithPackages(ctx, touched); err != nil {
			return false, fmt.Errorf("monitor: %w", err)
		}
	}
	kev, err := s.store.ReleasesWithVulns(ctx, ch.KEV)
	if err != nil {
		return false, fmt.Errorf("monitor: %w", err)
	}
	for id := range kev {
		ids[id] = true
	}
	if len(ids) == 0 {
		return true, nil
	}
	// End-of-life data did not change (else the full pass runs), so the
	// end-of-life events stay as the last pass raised them.
	return true, s.rematchReleases(ctx, res, func(id string) bool { return ids[id] }, false)
}

// touchedPackages are the packages of pkgs whose lookup key (as Match
// looks them up) is in keys.
func touchedPackages(pkgs []store.PackageName, keys map[int64]struct{}) []store.PackageName {
	var out []store.PackageName
	for _, p := range pkgs {
		base, names := match.LookupNames(p.Ecosystem, p.Name)
		for _, n := range names {
			if _, ok := keys[advisory.PackageKey(base, n)]; ok {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
