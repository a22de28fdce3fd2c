package advisory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/craft-cra/craft/internal/osv"
)

// lookupChunk bounds how many names go into one query.
const lookupChunk = 2000

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
	var hits []hit
	blobs := map[int64]*pendingBlob{}
	for start := 0; start < len(keys); start += lookupChunk {
		end := min(start+lookupChunk, len(keys))
		var err error
		hits, err = s.lookupChunk(ctx, base, keys[start:end], hits, blobs)
		if err != nil {
			return nil, fmt.Errorf("look up %s advisories in %s: %w", base, s.path, err)
		}
	}
	if err := s.decodeAll(blobs); err != nil {
		return nil, fmt.Errorf("look up %s advisories in %s: %w", base, s.path, err)
	}
	out := make(map[string][]*osv.Vulnerability)
	for _, h := range hits {
		out[h.name] = append(out[h.name], blobs[h.rid].v)
	}
	return out, nil
}

type hit struct {
	name string
	rid  int64
}

type pendingBlob struct {
	id   string
	blob []byte
	v    *osv.Vulnerability
}

func (s *Store) lookupChunk(ctx context.Context, base string, keys []string, hits []hit, blobs map[int64]*pendingBlob) ([]hit, error) {
	arr, err := json.Marshal(keys)
	if err != nil {
		return hits, err
	}
	rows, err := s.db.QueryContext(ctx, `
SELECT a.name, r.rid, r.id, r.data
FROM affected a JOIN records r ON r.rid = a.rid
WHERE a.ecosystem = ? AND a.name IN (SELECT value FROM json_each(?)) AND r.withdrawn = 0
ORDER BY a.name, r.id`, base, string(arr))
	if err != nil {
		return hits, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name, id string
			rid      int64
			blob     []byte
		)
		if err := rows.Scan(&name, &rid, &id, &blob); err != nil {
			return hits, err
		}
		if _, ok := blobs[rid]; !ok {
			blobs[rid] = &pendingBlob{id: id, blob: blob}
		}
		hits = append(hits, hit{name, rid})
	}
	return hits, rows.Err()
}

// decodeAll inflates and decodes the records on all cores: decoding is
// most of a lookup's cost.
func (s *Store) decodeAll(blobs map[int64]*pendingBlob) error {
	todo := make([]*pendingBlob, 0, len(blobs))
	for _, b := range blobs {
		todo = append(todo, b)
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo)/16+1)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo); i += workers {
				b := todo[i]
				v, err := s.decodeRecord(b.blob)
				if err != nil {
					errs[w] = fmt.Errorf("record %s: %w", b.id, err)
					return
				}
				b.v, b.blob = v, nil
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
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
