package server

import (
	"context"
	"fmt"
	"strconv"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/store"
)

// End-of-life events in the portfolio pass: the components the re-match
// has read for a chunk of releases are checked in one EndOfLife call
// instead of reading every release's components again and checking them
// release by release (releaseEOLEvents, monitor_eol.go, which raises the
// same events: one per release, component and cycle, once ever).

// chunkEOLEvents raises the new end-of-life events of a chunk of
// releases, whose components are comps, and returns how many it raised.
func (s *Server) chunkEOLEvents(ctx context.Context, db *advisory.Store, chunk []supportedRelease,
	comps map[string][]store.ReleaseComponent) (int, error) {
	type ref struct {
		rel  *supportedRelease
		comp *store.ReleaseComponent
	}
	var (
		refs []ref
		inv  []inventory.Component
	)
	for i := range chunk {
		cs := comps[chunk[i].release.ID]
		for j := range cs {
			c := &cs[j]
			if c.PURL == "" || c.Version == "" {
				continue // EndOfLife checks components with a purl and a version only
			}
			// The ID is the index, so findings come back by component.
			inv = append(inv, inventory.Component{ID: strconv.Itoa(len(refs)), Name: c.Name, Version: c.Version,
				Ecosystem: c.Ecosystem, PURL: c.PURL})
			refs = append(refs, ref{rel: &chunk[i], comp: c})
		}
	}
	if len(inv) == 0 {
		return 0, nil
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
		i, err := strconv.Atoi(e.Component.ID)
		if err != nil || i < 0 || i >= len(refs) {
			return added, fmt.Errorf("end of life returned an unknown component %q", e.Component.ID)
		}
		r, c := refs[i].rel, refs[i].comp
		e.Component.ID = c.ComponentID
		ok, err := s.recordEOL(ctx, r.release, r.productName, e)
		if err != nil {
			return added, err
		}
		if ok {
			added++
		}
	}
	return added, nil
}
