package server

import (
	"context"
	"fmt"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/store"
)

// End-of-life events (issue 6, item 3): after a monitoring run, every
// component of a release in support whose cycle is past its end of life
// (advisory.Store.EndOfLife, the check craft scan reports) becomes one
// component.eol notification. The eol_events table remembers which were
// raised, so later runs never repeat one.

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
