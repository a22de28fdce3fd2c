package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/match"
	"github.com/craft-cra/craft/internal/scan"
	"github.com/craft-cra/craft/internal/store"
)

// The portfolio re-match (issue 6, performance: 1,000 releases of 1,000
// components in under 30 s on SQLite). Releases of one product share most
// components and products share popular packages, so the portfolio has
// far fewer distinct (ecosystem, name, version) triples than component
// instances: each triple is matched once and its findings are fanned out
// to every release that has it. Releases are read, compared and written
// in chunks, so memory stays bounded by a chunk plus the per-triple cache,
// and a release whose findings did not change is not written at all.

// rematchChunk is how many releases are read, compared and written
// together: about rematchChunk × components rows in memory at once, and
// one write transaction per chunk (short enough that an SBOM upload
// waiting for SQLite's write lock is not held up for long).
const rematchChunk = 50

// keyChunk is how many releases' distinct component keys one query
// collects (well under both engines' limits on bound parameters).
const keyChunk = 200

// matchBatch is about how many distinct components one match.Match call
// takes (whole packages: a package's versions are never split).
const matchBatch = 5000

// packageKey is what a component's match depends on.
type packageKey = store.PackageKey

// keyFinding is one finding of a packageKey, without the component.
type keyFinding struct {
	vulnID   string
	aliases  []string
	level    string
	score    int64
	minFix   string
	kevAdded string
}

// supportedRelease is a release to re-match with its product's name.
type supportedRelease struct {
	productName string
	release     store.Release
}

// portfolioMatcher matches component keys once per run and remembers the
// result.
type portfolioMatcher struct {
	db    *advisory.Store
	now   time.Time
	cache map[packageKey][]keyFinding
	// dig and scratch are reused by digest.
	dig     store.FindingsDigest
	scratch store.Finding
}

// rematchPortfolio re-matches every release in support that has an SBOM,
// rematchChunk releases at a time, and records in res what it did.
func (s *Server) rematchPortfolio(ctx context.Context, res *MonitorResult) error {
	return s.rematchReleases(ctx, res, nil, true)
}

// rematchReleases re-matches the releases in support that have an SBOM
// and for which keep is true (every one when keep is nil), each with all
// its components, rematchChunk releases at a time; with eol it raises
// their end-of-life events too.
func (s *Server) rematchReleases(ctx context.Context, res *MonitorResult, keep func(releaseID string) bool, eol bool) error {
	db, err := s.openAdvisories(ctx)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if db == nil {
		return nil
	}
	defer db.Close()
	rels, err := s.releasesInSupport(ctx)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if keep != nil {
		rels = slices.DeleteFunc(rels, func(r supportedRelease) bool { return !keep(r.release.ID) })
	}
	pm := &portfolioMatcher{db: db, now: s.now(), cache: make(map[packageKey][]keyFinding)}
	// Match every distinct component of the portfolio first, so that each
	// package's advisories are read and decoded once.
	var keys []packageKey
	for start := 0; start < len(rels); start += keyChunk {
		chunk := rels[start:min(start+keyChunk, len(rels))]
		ids := make([]string, len(chunk))
		for i, r := range chunk {
			ids[i] = r.release.ID
		}
		ks, err := s.store.ComponentKeysOfReleases(ctx, ids)
		if err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		keys = append(keys, ks...)
	}
	// In batches of whole packages: each package's advisories are still
	// decoded once, and a batch's match result (findings with their
	// evidence and references) stays small.
	slices.SortFunc(keys, func(a, b packageKey) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	for start := 0; start < len(keys); {
		end := min(start+matchBatch, len(keys))
		for end < len(keys) && keys[end].Ecosystem == keys[end-1].Ecosystem && keys[end].Name == keys[end-1].Name {
			end++
		}
		if err := pm.match(ctx, keys[start:end]); err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		start = end
	}
	keys = nil
	for start := 0; start < len(rels); start += rematchChunk {
		chunk := rels[start:min(start+rematchChunk, len(rels))]
		if err := s.rematchChunk(ctx, pm, chunk, eol, res); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// One failed chunk (a release deleted meanwhile, a write
			// conflict) does not stop the others; the next run retries.
			res.Unmatched += len(chunk)
			s.log.Error("re-match releases", slog.Int("releases", len(chunk)), slog.String("error", err.Error()))
		}
	}
	return nil
}

// releasesInSupport lists the releases with an SBOM of every product whose
// support period has not ended.
func (s *Server) releasesInSupport(ctx context.Context) ([]supportedRelease, error) {
	products, err := s.store.ListProducts(ctx)
	if err != nil {
		return nil, err
	}
	var out []supportedRelease
	for _, p := range products {
		prof, err := s.store.GetProductProfile(ctx, p.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		if !inSupport(supportStatus(prof, s.now())) {
			continue
		}
		rels, err := s.store.ListReleases(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if r.SBOM != nil {
				out = append(out, supportedRelease{productName: p.Name, release: r})
			}
		}
	}
	return out, nil
}

// rematchChunk matches a chunk of releases, writes the findings that
// changed and, with eol, raises their new end-of-life events.
func (s *Server) rematchChunk(ctx context.Context, pm *portfolioMatcher, chunk []supportedRelease, eol bool, res *MonitorResult) error {
	ids := make([]string, len(chunk))
	for i, r := range chunk {
		ids[i] = r.release.ID
	}
	comps, err := s.store.ComponentsOfReleases(ctx, ids)
	if err != nil {
		return err
	}
	ferr := s.rematchFindings(ctx, pm, chunk, ids, comps, res)
	if !eol {
		return ferr
	}
	// Whether or not the findings were written: a failure is logged, and
	// the next run raises what this one missed.
	n, err := s.chunkEOLEvents(ctx, pm.db, chunk, comps)
	res.Events += n
	if err != nil && ctx.Err() == nil {
		s.log.Error("end-of-life events", slog.Int("releases", len(chunk)), slog.String("error", err.Error()))
	}
	return ferr
}

// rematchFindings compares the chunk's new findings with the stored ones
// and writes those that changed in one transaction.
func (s *Server) rematchFindings(ctx context.Context, pm *portfolioMatcher, chunk []supportedRelease, ids []string,
	comps map[string][]store.ReleaseComponent, res *MonitorResult) error {
	if err := pm.matchNew(ctx, comps); err != nil { // keys added since they were collected
		return err
	}
	// A release whose stored digest is that of its new findings has not
	// changed: its findings are neither built nor read.
	digests, err := s.store.FindingsDigests(ctx, ids)
	if err != nil {
		return err
	}
	pending := make([]string, 0, len(ids))
	for _, r := range chunk {
		d, n := pm.digest(comps[r.release.ID])
		res.Releases++
		res.Findings += n
		if sd, ok := digests[r.release.ID]; !ok || sd != d {
			pending = append(pending, r.release.ID)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	stored, err := s.store.FindingsOfReleases(ctx, pending)
	if err != nil {
		return err
	}
	var changed []store.FindingsChange
	for _, r := range chunk {
		if !slices.Contains(pending, r.release.ID) {
			continue
		}
		fs := pm.findings(comps[r.release.ID])
		sf := stored[r.release.ID]
		// Unchanged findings whose digest was unknown (first run since
		// migration 00010, or written by the per-release path) go through
		// too: the write changes no row and stores the digest.
		changed = append(changed, store.FindingsChange{Stored: sf, FindingsUpdate: store.FindingsUpdate{
			ReleaseID: r.release.ID, ProductID: r.release.ProductID, ProductName: r.productName,
			Version: r.release.Version, Findings: fs}})
	}
	if len(changed) == 0 {
		return nil
	}
	ch, err := s.store.ApplyFindingChanges(ctx, changed)
	if err != nil {
		return err
	}
	res.Rewritten += ch.Releases
	res.Rows += ch.Rows()
	res.Events += len(ch.Events)
	return nil
}

// matchNew matches the keys of comps that were not matched before in
// this run: components of an SBOM uploaded since the keys were collected.
func (pm *portfolioMatcher) matchNew(ctx context.Context, comps map[string][]store.ReleaseComponent) error {
	var keys []packageKey
	for _, cs := range comps {
		for _, c := range cs {
			k := packageKey{Ecosystem: c.Ecosystem, Name: c.Name, Version: c.Version}
			if _, ok := pm.cache[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	return pm.match(ctx, keys)
}

// match matches the keys not matched before in this run, all in one
// match.Match call (one advisory lookup per ecosystem), and caches their
// findings.
func (pm *portfolioMatcher) match(ctx context.Context, keys []packageKey) error {
	inv := &inventory.Inventory{Root: "portfolio", Source: "sbom"}
	for _, k := range keys {
		if _, ok := pm.cache[k]; ok {
			continue
		}
		pm.cache[k] = nil // no finding until the match says otherwise
		// The component ID is the key's index, so findings come back by key.
		inv.Components = append(inv.Components, inventory.Component{ID: strconv.Itoa(len(inv.Components)),
			Name: k.Name, Version: k.Version, Ecosystem: k.Ecosystem})
	}
	if len(inv.Components) == 0 {
		return nil
	}
	m, err := match.Match(ctx, inv, pm.db, match.Options{KEV: scan.KEVAdapter{Store: pm.db}, Now: pm.now})
	if err != nil {
		return err
	}
	for _, f := range m.Findings {
		i, err := strconv.Atoi(f.Component.ID)
		if err != nil || i < 0 || i >= len(inv.Components) {
			return fmt.Errorf("match returned an unknown component %q", f.Component.ID)
		}
		c := inv.Components[i]
		k := packageKey{Ecosystem: c.Ecosystem, Name: c.Name, Version: c.Version}
		kf := keyFinding{vulnID: f.ID, aliases: f.Aliases, level: f.Severity.Level,
			score: int64(math.Round(f.Severity.Score * 10)), minFix: f.MinimumFix}
		if f.KEV != nil {
			kf.kevAdded = f.KEV.DateAdded.UTC().Format(time.DateOnly)
		}
		pm.cache[k] = append(pm.cache[k], kf)
	}
	return nil
}

// digest is the findings digest of comps, and the number of findings, as
// findings would build them, without building them.
func (pm *portfolioMatcher) digest(comps []store.ReleaseComponent) (string, int) {
	d, f := &pm.dig, &pm.scratch
	d.Reset()
	for _, c := range comps {
		for _, kf := range pm.cache[packageKey{Ecosystem: c.Ecosystem, Name: c.Name, Version: c.Version}] {
			*f = store.Finding{VulnID: kf.vulnID, ComponentID: c.ComponentID, Aliases: kf.aliases,
				ComponentPURL: c.PURL, ComponentName: c.Name, ComponentVersion: c.Version,
				Ecosystem: c.Ecosystem, SeverityLevel: kf.level, SeverityScore: kf.score,
				MinimumFix: kf.minFix, KEVDateAdded: kf.kevAdded}
			d.Add(f)
		}
	}
	return d.String(), d.Len()
}

// findings fans the cached findings of each component's key out to the
// component, as rematchRelease would have found them.
func (pm *portfolioMatcher) findings(comps []store.ReleaseComponent) []store.Finding {
	var out []store.Finding
	for _, c := range comps {
		for _, kf := range pm.cache[packageKey{Ecosystem: c.Ecosystem, Name: c.Name, Version: c.Version}] {
			out = append(out, store.Finding{VulnID: kf.vulnID, ComponentID: c.ComponentID, Aliases: kf.aliases,
				ComponentPURL: c.PURL, ComponentName: c.Name, ComponentVersion: c.Version,
				Ecosystem: c.Ecosystem, SeverityLevel: kf.level, SeverityScore: kf.score,
				MinimumFix: kf.minFix, KEVDateAdded: kf.kevAdded})
		}
	}
	return out
}
