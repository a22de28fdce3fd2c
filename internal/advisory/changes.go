package advisory

import (
	"context"
	"fmt"

	"github.com/craft-cra/craft/internal/osv"
)

// Changes says what an import changed that matching depends on, so that
// the monitoring job can re-match only what an update touched (issue 6).
// It is filled only for units that were committed.
type Changes struct {
	// Packages holds the index key (PackageKey) of every package named by
	// a record that was imported, updated or withdrawn: both the keys the
	// stored version had and the new version's.
	Packages map[int64]struct{}
	// KEV lists the CVE IDs whose KEV entry appeared, disappeared or
	// changed its dateAdded (what findings carry).
	KEV map[string]struct{}
	// EOL is set when endoflife.date data changed.
	EOL bool
}

// PackageKey is the index key under which Vulnerabilities looks up a
// package name of an ecosystem: base is the matcher's base ecosystem
// ("PyPI", "npm"), name a package name it asks for.
func PackageKey(base, name string) int64 {
	return nameKey(osv.BaseEcosystem(base), osv.NormalizeName(base, name))
}

func (c *Changes) addPackage(key int64) {
	if c.Packages == nil {
		c.Packages = make(map[int64]struct{})
	}
	c.Packages[key] = struct{}{}
}

func (c *Changes) addKEV(cve string) {
	if c.KEV == nil {
		c.KEV = make(map[string]struct{})
	}
	c.KEV[cve] = struct{}{}
}

// Merge adds o's changes to c.
func (c *Changes) Merge(o *Changes) {
	for k := range o.Packages {
		c.addPackage(k)
	}
	for k := range o.KEV {
		c.addKEV(k)
	}
	c.EOL = c.EOL || o.EOL
}

// addStoredKeys records the index keys a stored record has before it is
// replaced (withdrawn records have none: the matcher never saw them).
func (w *writer) addStoredKeys(ctx context.Context, rid int64) error {
	rows, err := w.selAffected.QueryContext(ctx, rid)
	if err != nil {
		return fmt.Errorf("read index of record %d: %w", rid, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return fmt.Errorf("read index of record %d: %w", rid, err)
		}
		w.changes.addPackage(k)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read index of record %d: %w", rid, err)
	}
	return nil
}

// kevDates reads the stored KEV catalog's dateAdded per CVE.
func kevDates(ctx context.Context, w *writer) (map[string]string, error) {
	rows, err := w.tx.QueryContext(ctx, `SELECT cve_id, date_added FROM kev`)
	if err != nil {
		return nil, fmt.Errorf("read KEV catalog: %w", err)
	}
	defer rows.Close()
	out := make(map[string]string)
	for rows.Next() {
		var id, d string
		if err := rows.Scan(&id, &d); err != nil {
			return nil, fmt.Errorf("read KEV catalog: %w", err)
		}
		out[id] = d
	}
	return out, rows.Err()
}
