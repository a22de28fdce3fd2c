package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/store"
)

// End-of-life events (issue 6, item 3): after a monitoring run, every
// component of a release in support whose cycle is past its end of life
// (advisory.Store.EndOfLife, the check craft scan reports) becomes one
// component.eol notification. The eol_events table remembers which were
// raised, so later runs never repeat one.

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

// recordEOL raises the component.eol event of e (once: eol_events
// remembers it) and keeps its end-of-life date for the dashboard (also for
// events raised before the date was kept). It reports whether the event is
// new.
func (s *Server) recordEOL(ctx context.Context, r store.Release, productName string, e advisory.EOLFinding) (bool, error) {
	ok, err := s.store.RecordEOLEvent(ctx, r.ID, e.Component.ID, e.Cycle, store.Notification{
		Kind: KindComponentEOL, ProductID: r.ProductID, Reference: e.Component.ID,
		Subject: eolSubject(e, productName, r.Version)})
	if err != nil {
		return false, err
	}
	if !e.EOL.Date.IsZero() {
		if err := s.store.SetEOLDate(ctx, r.ID, e.Component.ID, e.Cycle, e.EOL.Date.UTC().Format(time.DateOnly)); err != nil {
			return ok, err
		}
	}
	return ok, nil
}

// eolSubject is the event's fixed sentence, e.g. "component openssl 1.1.1
// in product X release 2.0 reached end of life on 2023-09-11".
func eolSubject(e advisory.EOLFinding, productName, version string) string {
	s := fmt.Sprintf("component %s %s in product %s release %s reached end of life", e.Component.Name,
		e.Component.Version, productName, version)
	if !e.EOL.Date.IsZero() {
		s += " on " + e.EOL.Date.UTC().Format(time.DateOnly)
	}
	return s
}
