package advisory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// DefaultPath is where the advisory database lives: $CRAFT_DB (read with
// getenv) when set, else craft/advisories.db in os.UserCacheDir. A --db
// flag, where a command has one, wins over both.
func DefaultPath(getenv func(string) string) (string, error) {
	if p := getenv("CRAFT_DB"); p != "" {
		return p, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("advisory database location: %w (set CRAFT_DB or pass --db)", err)
	}
	return filepath.Join(dir, "craft", "advisories.db"), nil
}

// SourceStatus is the stored state of one update source.
type SourceStatus struct {
	Name         string    `json:"name"`
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"lastModified,omitempty"`
	CheckedAt    time.Time `json:"checkedAt,omitzero"`
	UpdatedAt    time.Time `json:"updatedAt,omitzero"`
	LastError    string    `json:"lastError,omitempty"`
}

// Status describes the database for `craft db status`.
type Status struct {
	Path          string         `json:"path"`
	SchemaVersion int            `json:"schemaVersion"`
	SizeBytes     int64          `json:"sizeBytes"`
	LastUpdated   time.Time      `json:"lastUpdated,omitzero"`
	Records       int            `json:"records"`
	Withdrawn     int            `json:"withdrawn"`
	Ecosystems    map[string]int `json:"ecosystems"` // non-withdrawn records per base ecosystem
	KEVEntries    int            `json:"kevEntries"`
	KEVCatalog    string         `json:"kevCatalogVersion,omitempty"`
	EOLProducts   int            `json:"eolProducts"`
	Sources       []SourceStatus `json:"sources"`
}

// Status reads the database's contents summary.
func (s *Store) Status(ctx context.Context) (*Status, error) {
	st := &Status{Path: s.path, Ecosystems: map[string]int{}, Sources: []SourceStatus{}}
	wrap := func(err error) error { return fmt.Errorf("status of %s: %w", s.path, err) }
	v, err := s.schemaVersion(ctx)
	if err != nil {
		return nil, wrap(err)
	}
	st.SchemaVersion = v
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.path + suffix); err == nil {
			st.SizeBytes += fi.Size()
		}
	}
	if st.LastUpdated, err = s.LastUpdated(ctx); err != nil {
		return nil, wrap(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(withdrawn), 0) FROM records`).Scan(&st.Records, &st.Withdrawn); err != nil {
		return nil, wrap(err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT ecosystem, count(DISTINCT rid) FROM affected GROUP BY ecosystem ORDER BY ecosystem`)
	if err != nil {
		return nil, wrap(err)
	}
	for rows.Next() {
		var e string
		var n int
		if err := rows.Scan(&e, &n); err != nil {
			rows.Close()
			return nil, wrap(err)
		}
		st.Ecosystems[e] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM kev`).Scan(&st.KEVEntries); err != nil {
		return nil, wrap(err)
	}
	if st.KEVCatalog, err = s.meta(ctx, "kev_catalog_version"); err != nil {
		return nil, wrap(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM eol_products`).Scan(&st.EOLProducts); err != nil {
		return nil, wrap(err)
	}
	srows, err := s.db.QueryContext(ctx, `SELECT name, url, etag, last_modified, checked_at, updated_at, last_error FROM sources ORDER BY name`)
	if err != nil {
		return nil, wrap(err)
	}
	defer srows.Close()
	for srows.Next() {
		var ss SourceStatus
		var checked, updated string
		if err := srows.Scan(&ss.Name, &ss.URL, &ss.ETag, &ss.LastModified, &checked, &updated, &ss.LastError); err != nil {
			return nil, wrap(err)
		}
		ss.CheckedAt, _ = time.Parse(time.RFC3339Nano, checked) // written by craft; empty when never
		ss.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		st.Sources = append(st.Sources, ss)
	}
	if err := srows.Err(); err != nil {
		return nil, wrap(err)
	}
	return st, nil
}

// EOLProductNames lists the stored endoflife.date products.
func (s *Store) EOLProductNames(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT product FROM eol_products ORDER BY product`)
	if err != nil {
		return nil, fmt.Errorf("list products in %s: %w", s.path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("list products in %s: %w", s.path, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
