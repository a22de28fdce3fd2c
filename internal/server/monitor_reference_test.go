package server

// The release-by-release paths that the monitoring job's portfolio pass
// (monitor_batch.go, monitor_batch_eol.go) replaced: kept here, beside the
// tests, as the plain reference those tests compare the portfolio pass
// against, so that production code has one path.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/store"
)

// rematchAll re-matches every release in support that has an SBOM, each in
// its own transaction: the release-by-release path that rematchPortfolio
// (monitor_batch.go) replaced in the job; tests compare the two.
func (s *Server) rematchAll(ctx context.Context, res *MonitorResult) error {
	db, err := s.openAdvisories(ctx)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if db == nil {
		return nil
	}
	defer db.Close()
	products, err := s.store.ListProducts(ctx)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	for _, p := range products {
		prof, err := s.store.GetProductProfile(ctx, p.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		if !inSupport(supportStatus(prof, s.now())) {
			continue
		}
		rels, err := s.store.ListReleases(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		for _, r := range rels {
			if r.SBOM == nil {
				continue
			}
			n, events, err := s.rematchRelease(ctx, db, p.Name, r)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				res.Unmatched++
				s.log.Error("re-match release", slog.String("product", p.ID), slog.String("version", r.Version),
					slog.String("error", err.Error()))
				continue
			}
			res.Releases++
			res.Findings += n
			res.Events += events
		}
	}
	return nil
}

// rematchRelease matches one release's stored components and stores its
// findings; it returns the number of findings and of events.
func (s *Server) rematchRelease(ctx context.Context, db *advisory.Store, productName string, r store.Release) (int, int, error) {
	fs, err := s.matchRelease(ctx, db, r)
	if err != nil {
		return 0, 0, err
	}
	events, err := s.store.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: r.ID, ProductID: r.ProductID,
		ProductName: productName, Version: r.Version, Findings: fs})
	if err != nil {
		return 0, 0, err
	}
	return len(fs), len(events), nil
}

// checkEOL checks every release in support with an SBOM, release by
// release, and adds the number of new events to res.Events; a release that
// cannot be checked is logged and skipped. The monitoring job does this
// inside its portfolio pass (monitor_batch_eol.go), from the components it
// has read already; checkEOL is the plain reference the tests compare that
// pass against.
func (s *Server) checkEOL(ctx context.Context, res *MonitorResult) error {
	db, err := s.openAdvisories(ctx)
	if err != nil {
		return fmt.Errorf("monitor: end of life: %w", err)
	}
	if db == nil {
		return nil
	}
	defer db.Close()
	products, err := s.store.ListProducts(ctx)
	if err != nil {
		return fmt.Errorf("monitor: end of life: %w", err)
	}
	for _, p := range products {
		prof, err := s.store.GetProductProfile(ctx, p.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("monitor: end of life: %w", err)
		}
		if !inSupport(supportStatus(prof, s.now())) {
			continue
		}
		rels, err := s.store.ListReleases(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("monitor: end of life: %w", err)
		}
		for _, r := range rels {
			if r.SBOM == nil {
				continue
			}
			n, err := s.releaseEOLEvents(ctx, db, p.Name, r)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.log.Error("end-of-life check", slog.String("product", p.ID), slog.String("version", r.Version),
					slog.String("error", err.Error()))
				continue
			}
			res.Events += n
		}
	}
	return nil
}

// releaseEOLEvents raises the new end-of-life events of one release.
func (s *Server) releaseEOLEvents(ctx context.Context, db *advisory.Store, productName string, r store.Release) (int, error) {
	comps, err := s.store.ListReleaseComponents(ctx, r.ID)
	if err != nil {
		return 0, err
	}
	inv := make([]inventory.Component, 0, len(comps))
	for _, c := range comps {
		inv = append(inv, inventory.Component{ID: c.ComponentID, Name: c.Name, Version: c.Version,
			Ecosystem: c.Ecosystem, PURL: c.PURL})
	}
	eol, err := db.EndOfLife(ctx, inv, s.now())
	if err != nil {
		return 0, err
	}
	added := 0
	for _, e := range eol {
		if !e.PastEOL {
			continue
		}
		ok, err := s.recordEOL(ctx, r, productName, e)
		if err != nil {
			return added, err
		}
		if ok {
			added++
		}
	}
	return added, nil
}
