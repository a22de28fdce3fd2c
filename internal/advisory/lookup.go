package advisory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/craft-cra/craft/internal/osv"
)

// lookupChunk bounds how many names go into one query.
const lookupChunk = 500

// Vulnerabilities returns the records that name any of names in ecosystem.
// Names are given as the caller has them; the result is keyed by
// osv.NormalizeName(ecosystem, name), and names without records are absent.
// Ecosystems are compared on osv.BaseEcosystem ("Debian:12" finds records
// for "Debian:11" too; the matcher checks the suffix). Withdrawn records are
// never returned. A record that names several of the packages appears under
// each of them as the same pointer; callers must not modify the records.
func (s *Store) Vulnerabilities(ctx context.Context, ecosystem string, names []string) (map[string][]*osv.Vulnerability, error) {
	base := osv.BaseEcosystem(ecosystem)
	seen := make(map[string]bool, len(names))
	keys := make([]string, 0, len(names))
	for _, n := range names {
		k := osv.NormalizeName(ecosystem, n)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	out := make(map[string][]*osv.Vulnerability)
	if len(keys) == 0 {
		return out, nil
	}
	filter, err := s.nameFilter(ctx)
	if err != nil {
		return nil, fmt.Errorf("look up %s advisories in %s: %w", base, s.path, err)
	}
	byKey := make(map[int64][]string, len(keys))
	hashes := make([]int64, 0, len(keys))
	for _, k := range keys {
		h := nameKey(base, k)
		if filter != nil && !filter.mayContain(h) {
			continue // certainly no record
		}
		if _, ok := byKey[h]; !ok {
			hashes = append(hashes, h)
		}
		byKey[h] = append(byKey[h], k)
	}
	// Chunks run on all cores, each querying and decoding its own rows:
	// decoding is most of a lookup's cost, and the read-only pool has a
	// connection per worker.
	var (
		mu      sync.Mutex
		decoded = map[int64]*osv.Vulnerability{}
		hits    []hit
		errs    []error
		wg      sync.WaitGroup
	)
	chunks := make(chan []int64)
	workers := min(runtime.GOMAXPROCS(0), (len(hashes)+lookupChunk-1)/lookupChunk)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range chunks {
				h, err := s.lookupChunk(ctx, chunk, &mu, decoded)
				mu.Lock()
				hits = append(hits, h...)
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	for start := 0; start < len(hashes); start += lookupChunk {
		chunks <- hashes[start:min(start+lookupChunk, len(hashes))]
	}
	close(chunks)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("look up %s advisories in %s: %w", base, s.path, err)
	}
	for _, h := range hits {
		v := decoded[h.rid]
		for _, name := range byKey[h.key] {
			if listsPackage(v, base, name) {
				out[name] = append(out[name], v)
			}
		}
	}
	for _, vs := range out {
		slices.SortFunc(vs, func(a, b *osv.Vulnerability) int { return strings.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// listsPackage reports whether v lists the package (base ecosystem, normalised
// name) in affected[]; it guards against hash collisions of nameKey.
func listsPackage(v *osv.Vulnerability, base, name string) bool {
	for _, a := range v.Affected {
		if osv.BaseEcosystem(a.Package.Ecosystem) == base && osv.NormalizeName(a.Package.Ecosystem, a.Package.Name) == name {
			return true
		}
	}
	return false
}

type hit struct {
	key int64
	rid int64
}

// lookupChunk queries one chunk of name keys and decodes the records not
// yet in decoded (shared by the workers, guarded by mu).
func (s *Store) lookupChunk(ctx context.Context, keys []int64, mu *sync.Mutex, decoded map[int64]*osv.Vulnerability) ([]hit, error) {
	arr, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `
SELECT a.key, r.rid, r.id, r.data
FROM affected a JOIN records r ON r.rid = a.rid
WHERE a.key IN (SELECT value FROM json_each(?)) AND r.withdrawn = 0`, string(arr))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []hit
	for rows.Next() {
		var (
			id       string
			key, rid int64
			blob     []byte
		)
		if err := rows.Scan(&key, &rid, &id, &blob); err != nil {
			return hits, err
		}
		hits = append(hits, hit{key, rid})
		mu.Lock()
		_, done := decoded[rid]
		mu.Unlock()
		if done {
			continue
		}
		v, err := decodeRecord(blob)
		if err != nil {
			return hits, fmt.Errorf("record %s: %w", id, err)
		}
		mu.Lock()
		if _, done := decoded[rid]; !done {
			decoded[rid] = v
		}
		mu.Unlock()
	}
	return hits, rows.Err()
}

// KEVEntry is one entry of the CISA Known Exploited Vulnerabilities
// catalog. Dates are midnight UTC of the catalog's calendar date.
type KEVEntry struct {
	CVEID                      string
	VendorProject              string
	Product                    string
	VulnerabilityName          string
	KnownRansomwareCampaignUse string // "Known" or "Unknown"
	DateAdded                  time.Time
	DueDate                    time.Time
	ShortDescription           string
	RequiredAction             string
	Notes                      string
	CWEs                       []string
}

// KEV returns the catalog entries for the given CVE IDs, keyed by the CVE
// ID in upper case. IDs not in the catalog are absent from the map.
func (s *Store) KEV(ctx context.Context, cveIDs []string) (map[string]KEVEntry, error) {
	seen := make(map[string]bool, len(cveIDs))
	keys := make([]string, 0, len(cveIDs))
	for _, id := range cveIDs {
		k := strings.ToUpper(strings.TrimSpace(id))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	out := make(map[string]KEVEntry)
	for start := 0; start < len(keys); start += lookupChunk {
		end := min(start+lookupChunk, len(keys))
		if err := s.kevChunk(ctx, keys[start:end], out); err != nil {
			return nil, fmt.Errorf("look up KEV entries in %s: %w", s.path, err)
		}
	}
	return out, nil
}

func (s *Store) kevChunk(ctx context.Context, keys []string, out map[string]KEVEntry) error {
	arr, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `
SELECT cve_id, vendor_project, product, vulnerability_name, date_added, short_description,
       required_action, due_date, ransomware, notes, cwes
FROM kev WHERE cve_id IN (SELECT value FROM json_each(?))`, string(arr))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e                KEVEntry
			added, due, cwes string
		)
		if err := rows.Scan(&e.CVEID, &e.VendorProject, &e.Product, &e.VulnerabilityName, &added,
			&e.ShortDescription, &e.RequiredAction, &due, &e.KnownRansomwareCampaignUse, &e.Notes, &cwes); err != nil {
			return err
		}
		e.DateAdded, _ = time.Parse(time.DateOnly, added) // validated on import
		e.DueDate, _ = time.Parse(time.DateOnly, due)
		if cwes != "" && cwes != "null" {
			if err := json.Unmarshal([]byte(cwes), &e.CWEs); err != nil {
				return fmt.Errorf("entry %s: cwes: %w", e.CVEID, err)
			}
		}
		out[e.CVEID] = e
	}
	return rows.Err()
}
