package advisory

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/osv"
)

// EOLProduct is one endoflife.date product as craft stores it: the
// product's slug, its display name, the package URLs that identify it
// (without version) and its release cycles.
type EOLProduct struct {
	Name   string     `json:"name"`
	Label  string     `json:"label"`
	PURLs  []string   `json:"purls"`
	Cycles []EOLCycle `json:"cycles"`
}

// EOLCycle is one release cycle ("3.12", "24", "2026.3").
type EOLCycle struct {
	Cycle       string    `json:"cycle"`
	ReleaseDate time.Time `json:"releaseDate,omitzero"`
	// EOL is the end of security support; Support the end of active
	// (bug-fix) support, from endoflife.date's "eoas" or older "support".
	EOL     Milestone `json:"eol"`
	Support Milestone `json:"support"`
	LTS     bool      `json:"lts,omitempty"`
	Latest  string    `json:"latest,omitempty"`
}

// Milestone is a date or a yes/no, as endoflife.date gives them: eol may
// be "2025-06-01", true (ended, date unknown) or false (not announced).
type Milestone struct {
	Date    time.Time `json:"date,omitzero"`
	Reached bool      `json:"reached,omitempty"` // true without a date
}

// Past reports whether the milestone is reached at now: a date is reached
// from its first instant (UTC midnight) on.
func (m Milestone) Past(now time.Time) bool {
	if m.Reached {
		return true
	}
	return !m.Date.IsZero() && !now.Before(m.Date)
}

// EOLFinding is a component whose release cycle is past its end of life or
// its end of active support.
type EOLFinding struct {
	Component inventory.Component
	Product   string // endoflife.date slug, e.g. "nodejs"
	Label     string // display name, e.g. "Node.js"
	Cycle     string
	// EOL and Support are the cycle's milestones (zero Date when unknown).
	EOL     Milestone
	Support Milestone
	// PastEOL: at the check's date the cycle no longer gets security
	// fixes. PastSupport: it no longer gets active support (bug fixes);
	// true whenever PastEOL is.
	PastEOL     bool
	PastSupport bool
	// Latest is the newest release of the cycle, when known.
	Latest string
}

// eolFile is the endoflife.date product front matter, the keys craft reads.
type eolFile struct {
	Title       string `json:"title"`
	Identifiers []struct {
		PURL string `json:"purl"`
	} `json:"identifiers"`
	Releases []struct {
		ReleaseCycle json.RawMessage `json:"releaseCycle"`
		ReleaseDate  json.RawMessage `json:"releaseDate"`
		EOL          json.RawMessage `json:"eol"`
		EOAS         json.RawMessage `json:"eoas"`
		Support      json.RawMessage `json:"support"`
		LTS          json.RawMessage `json:"lts"`
		Latest       json.RawMessage `json:"latest"`
	} `json:"releases"`
}

// parseEOL reads an endoflife.date product (its front matter as JSON).
func parseEOL(slug string, data []byte) (*EOLProduct, error) {
	var f eolFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("endoflife.date product of the wrong shape: %w", err)
	}
	if slug == "" {
		return nil, errors.New("endoflife.date product without a name")
	}
	p := &EOLProduct{Name: slug, Label: f.Title}
	if p.Label == "" {
		p.Label = slug
	}
	for _, id := range f.Identifiers {
		// A trailing slash is a known quirk of the data (mautic).
		u := strings.TrimSuffix(strings.TrimSpace(id.PURL), "/")
		if u == "" {
			continue
		}
		if _, err := purlKey(u); err != nil {
			return nil, fmt.Errorf("endoflife.date product %s: identifier %q: %w", slug, id.PURL, err)
		}
		p.PURLs = append(p.PURLs, u)
	}
	for i, r := range f.Releases {
		cycle := rawString(r.ReleaseCycle)
		if cycle == "" {
			return nil, fmt.Errorf("endoflife.date product %s: releases[%d] has no releaseCycle", slug, i)
		}
		c := EOLCycle{Cycle: cycle, Latest: rawString(r.Latest)}
		var err error
		if c.EOL, err = parseMilestone(r.EOL); err != nil {
			return nil, fmt.Errorf("endoflife.date product %s: cycle %s: eol: %w", slug, cycle, err)
		}
		support := r.EOAS
		if len(support) == 0 {
			support = r.Support
		}
		if c.Support, err = parseMilestone(support); err != nil {
			return nil, fmt.Errorf("endoflife.date product %s: cycle %s: eoas: %w", slug, cycle, err)
		}
		rel, err := parseMilestone(r.ReleaseDate)
		if err != nil {
			return nil, fmt.Errorf("endoflife.date product %s: cycle %s: releaseDate: %w", slug, cycle, err)
		}
		c.ReleaseDate = rel.Date
		lts, err := parseMilestone(r.LTS)
		if err != nil {
			return nil, fmt.Errorf("endoflife.date product %s: cycle %s: lts: %w", slug, cycle, err)
		}
		c.LTS = lts.Reached || !lts.Date.IsZero()
		p.Cycles = append(p.Cycles, c)
	}
	if len(p.Cycles) == 0 {
		return nil, fmt.Errorf("endoflife.date product %s has no releases", slug)
	}
	return p, nil
}

// rawString reads a JSON string or number as text.
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(string(raw))
}

// parseMilestone reads true/false/a date (YYYY-MM-DD or RFC 3339).
func parseMilestone(raw json.RawMessage) (Milestone, error) {
	s := rawString(raw)
	switch strings.ToLower(s) {
	case "", "false":
		return Milestone{}, nil
	case "true":
		return Milestone{Reached: true}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return Milestone{Date: t}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Milestone{Date: t.UTC()}, nil
	}
	return Milestone{}, fmt.Errorf("%q is neither a date nor true/false", s)
}

// purlKey is the lookup key of a package URL: type/namespace/name, lower
// case, with PyPI's name normalisation; version, qualifiers and subpath
// are dropped.
func purlKey(s string) (string, error) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return "", err
	}
	name := p.Name
	if p.Type == packageurl.TypePyPi {
		name = osv.NormalizeName("PyPI", name)
	}
	return strings.ToLower(p.Type + "/" + p.Namespace + "/" + name), nil
}

// putEOL stores (or replaces) a product and its purl index.
func putEOL(ctx context.Context, w *writer, p *EOLProduct) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store endoflife.date product %s: %w", p.Name, err)
	}
	var stored []byte
	err = w.tx.QueryRowContext(ctx, `SELECT data FROM eol_products WHERE product = ?`, p.Name).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store endoflife.date product %s: %w", p.Name, err)
	}
	if err == nil && bytes.Equal(stored, data) {
		return nil // the same product: nothing changes
	}
	w.changes.EOL = true
	if _, err := w.tx.ExecContext(ctx, `INSERT OR REPLACE INTO eol_products(product, label, data) VALUES (?, ?, ?)`, p.Name, p.Label, data); err != nil {
		return fmt.Errorf("store endoflife.date product %s: %w", p.Name, err)
	}
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM eol_purls WHERE product = ?`, p.Name); err != nil {
		return fmt.Errorf("store endoflife.date product %s: %w", p.Name, err)
	}
	for _, u := range p.PURLs {
		k, err := purlKey(u)
		if err != nil {
			return fmt.Errorf("store endoflife.date product %s: %q: %w", p.Name, u, err)
		}
		if _, err := w.tx.ExecContext(ctx, `INSERT OR IGNORE INTO eol_purls(purl, product) VALUES (?, ?)`, k, p.Name); err != nil {
			return fmt.Errorf("store endoflife.date product %s: %w", p.Name, err)
		}
	}
	return nil
}

// cycleFor picks the release cycle of version: the longest cycle C such
// that version (without a leading "v") is C or starts with C followed by
// ".", "-", "+" or "_". So cycle "3.1" matches 3.1, 3.1.4 and 3.1-rc1, but
// not 3.10.
func cycleFor(cycles []EOLCycle, version string) (EOLCycle, bool) {
	v := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(version), "v"), "V")
	var best EOLCycle
	found := false
	for _, c := range cycles {
		cv := strings.TrimPrefix(c.Cycle, "v")
		if cv == "" || !strings.HasPrefix(v, cv) {
			continue
		}
		if len(v) > len(cv) && !strings.ContainsRune(".-+_", rune(v[len(cv)])) {
			continue
		}
		if !found || len(cv) > len(strings.TrimPrefix(best.Cycle, "v")) {
			best, found = c, true
		}
	}
	return best, found
}

// EndOfLife checks comps against the stored endoflife.date products. A
// component is mapped to products by its purl (type, namespace and name)
// and to a release cycle by its version (see cycleFor). It returns one
// finding per component and product whose cycle is, at now, past its end
// of life or past its end of active support, sorted by component ID and
// product. Components without a purl, without a known product or whose
// version maps to no cycle are not reported.
func (s *Store) EndOfLife(ctx context.Context, comps []inventory.Component, now time.Time) ([]EOLFinding, error) {
	byKey := map[string][]int{}
	var keys []string
	for i, c := range comps {
		if c.PURL == "" || c.Version == "" {
			continue
		}
		k, err := purlKey(c.PURL)
		if err != nil {
			continue // the inventory reports bad purls; nothing to check here
		}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], i)
	}
	products := map[string]*EOLProduct{}
	type hit struct{ key, product string }
	var hits []hit
	for start := 0; start < len(keys); start += lookupChunk {
		end := min(start+lookupChunk, len(keys))
		arr, err := json.Marshal(keys[start:end])
		if err != nil {
			return nil, fmt.Errorf("end-of-life check in %s: %w", s.path, err)
		}
		rows, err := s.db.QueryContext(ctx, `
SELECT u.purl, p.product, p.data FROM eol_purls u JOIN eol_products p ON p.product = u.product
WHERE u.purl IN (SELECT value FROM json_each(?))`, string(arr))
		if err != nil {
			return nil, fmt.Errorf("end-of-life check in %s: %w", s.path, err)
		}
		for rows.Next() {
			var key, name string
			var data []byte
			if err := rows.Scan(&key, &name, &data); err != nil {
				rows.Close()
				return nil, fmt.Errorf("end-of-life check in %s: %w", s.path, err)
			}
			if _, ok := products[name]; !ok {
				var p EOLProduct
				if err := json.Unmarshal(data, &p); err != nil {
					rows.Close()
					return nil, fmt.Errorf("end-of-life check in %s: product %s: %w", s.path, name, err)
				}
				products[name] = &p
			}
			hits = append(hits, hit{key, name})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("end-of-life check in %s: %w", s.path, err)
		}
	}
	var out []EOLFinding
	seen := map[[2]string]bool{}
	for _, h := range hits {
		p := products[h.product]
		for _, i := range byKey[h.key] {
			c := comps[i]
			if seen[[2]string{c.ID, p.Name}] {
				continue
			}
			seen[[2]string{c.ID, p.Name}] = true
			cyc, ok := cycleFor(p.Cycles, c.Version)
			if !ok {
				continue
			}
			f := EOLFinding{
				Component: c, Product: p.Name, Label: p.Label, Cycle: cyc.Cycle,
				EOL: cyc.EOL, Support: cyc.Support, Latest: cyc.Latest,
				PastEOL: cyc.EOL.Past(now),
			}
			// The end of security support ends active support too.
			f.PastSupport = f.PastEOL || cyc.Support.Past(now)
			if f.PastEOL || f.PastSupport {
				out = append(out, f)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Component.ID != out[b].Component.ID {
			return out[a].Component.ID < out[b].Component.ID
		}
		return out[a].Product < out[b].Product
	})
	return out, nil
}
