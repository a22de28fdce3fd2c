package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ReleaseKey is the sort key of a release in ListReleasesPage: newest
// first by release date, then creation, then version (unique per product).
type ReleaseKey struct {
	ReleasedOn string
	CreatedAt  time.Time
	Version    string
}

// KeyOf returns the sort key of r.
func (r Release) KeyOf() ReleaseKey {
	return ReleaseKey{ReleasedOn: r.ReleasedOn, CreatedAt: r.CreatedAt, Version: r.Version}
}

// ListReleasesPage returns up to limit+1 releases of a product in the
// order of ListReleases, starting after the release with key after (nil
// for the first page).
func (s *Store) ListReleasesPage(ctx context.Context, productID string, after *ReleaseKey, limit int) ([]Release, error) {
	q := `SELECT ` + releaseColumns + releaseFrom + ` WHERE r.product_id = $1`
	args := []any{productID}
	if after != nil {
		args = append(args, after.ReleasedOn, toDB(after.CreatedAt), after.Version)
		q += ` AND (r.released_on < $2 OR (r.released_on = $2 AND r.created_at < $3)
			OR (r.released_on = $2 AND r.created_at = $3 AND r.version > $4))`
	}
	args = append(args, pageLimit(limit))
	q += fmt.Sprintf(` ORDER BY r.released_on DESC, r.created_at DESC, r.version LIMIT $%d`, len(args))
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: releases page: %w", err)
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, fmt.Errorf("store: releases page: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: releases page: %w", err)
	}
	return out, nil
}

// ComponentPage selects one page of a release's components for
// ListReleaseComponentsPage.
type ComponentPage struct {
	ReleaseID string
	// Query, when set, keeps components whose name or purl contains it
	// (case-blind for ASCII).
	Query string
	// Ecosystem, when set, keeps components of that ecosystem (case-blind).
	Ecosystem string
	// AfterSeq is the position in the SBOM of the previous page's last
	// component; -1 for the first page.
	AfterSeq int64
	// Limit is the page size (default 100, at most 1000).
	Limit int
}

// ListReleaseComponentsPage returns up to p.Limit+1 components of a release
// in SBOM order, with each one's position (for the next cursor) in seqs.
func (s *Store) ListReleaseComponentsPage(ctx context.Context, p ComponentPage) (comps []ReleaseComponent, seqs []int64, err error) {
	q := `SELECT seq, component_id, name, version, ecosystem, purl, relationship, licenses, supplier
		FROM release_components WHERE release_id = $1 AND seq > $2`
	args := []any{p.ReleaseID, p.AfterSeq}
	if p.Query != "" {
		args = append(args, likePattern(p.Query))
		n := len(args)
		q += fmt.Sprintf(` AND (LOWER(name) LIKE $%d ESCAPE '\' OR LOWER(purl) LIKE $%d ESCAPE '\')`, n, n)
	}
	if p.Ecosystem != "" {
		args = append(args, strings.ToLower(p.Ecosystem))
		q += fmt.Sprintf(` AND LOWER(ecosystem) = $%d`, len(args))
	}
	args = append(args, pageLimit(p.Limit))
	q += fmt.Sprintf(` ORDER BY seq LIMIT $%d`, len(args))
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: components page: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c   ReleaseComponent
			seq int64
			lic string
		)
		if err := rows.Scan(&seq, &c.ComponentID, &c.Name, &c.Version, &c.Ecosystem, &c.PURL, &c.Relationship,
			&lic, &c.Supplier); err != nil {
			return nil, nil, fmt.Errorf("store: components page: %w", err)
		}
		if lic != "" {
			c.Licenses = strings.Split(lic, "\n")
		}
		comps, seqs = append(comps, c), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: components page: %w", err)
	}
	return comps, seqs, nil
}
