// Package advisory is craft's local advisory database: OSV records, the CISA
// Known Exploited Vulnerabilities catalog and endoflife.date release cycles,
// kept in one SQLite file so that a scan runs offline and in milliseconds.
//
// The database is written by Import (files, folders, zip archives) and
// Update (downloads from configured sources) and read by the matcher through
// Vulnerabilities, KEV and EndOfLife. Every write happens inside a
// transaction per input unit, so an interrupted import or update leaves the
// previously committed state intact.
//
// Storage: records are kept as S2-compressed compact JSON blobs in table
// records; table affected indexes a 64-bit hash of (base ecosystem,
// normalised package name) to the record, and holds rows only for records that are not withdrawn.
// See docs/database.md.
package advisory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// SchemaVersion is the version of the database layout this craft writes.
// Open refuses a database with a higher version.
const SchemaVersion = 1

// ErrNotFound reports that a read-only open found no database file.
var ErrNotFound = errors.New("advisory database not found")

// ErrNewerSchema reports a database written by a newer craft.
var ErrNewerSchema = errors.New("advisory database was written by a newer craft")

// Store is an open advisory database. It is safe for concurrent use by
// several goroutines; writes are serialised.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool

	// The name filter, cached with the filter_version it was read at.
	filterMu      sync.Mutex
	filter        *bloom
	filterVersion string
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
	rid       INTEGER PRIMARY KEY,
	id        TEXT NOT NULL UNIQUE,
	modified  INTEGER NOT NULL,  -- Unix microseconds
	withdrawn INTEGER NOT NULL,  -- 0 or 1
	origin    TEXT NOT NULL,     -- where the stored version came from
	data      BLOB NOT NULL      -- S2-compressed compact JSON (meta record_codec)
);
CREATE TABLE IF NOT EXISTS affected (
	key       INTEGER NOT NULL,  -- nameKey(osv.BaseEcosystem, osv.NormalizeName)
	rid       INTEGER NOT NULL,
	ecosystem TEXT NOT NULL,     -- osv.BaseEcosystem, for status
	PRIMARY KEY (key, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affected_rid ON affected (rid);
CREATE TABLE IF NOT EXISTS name_filter (
	id   INTEGER PRIMARY KEY,        -- always 1
	data BLOB NOT NULL               -- Bloom filter over affected.key
);
CREATE TABLE IF NOT EXISTS kev (
	cve_id             TEXT PRIMARY KEY,
	vendor_project     TEXT NOT NULL,
	product            TEXT NOT NULL,
	vulnerability_name TEXT NOT NULL,
	date_added         TEXT NOT NULL,
	short_description  TEXT NOT NULL,
	required_action    TEXT NOT NULL,
	due_date           TEXT NOT NULL,
	ransomware         TEXT NOT NULL,
	notes              TEXT NOT NULL,
	cwes               TEXT NOT NULL  -- JSON array
);
CREATE TABLE IF NOT EXISTS eol_products (
	product TEXT PRIMARY KEY,
	label   TEXT NOT NULL,
	data    BLOB NOT NULL            -- JSON of EOLProduct
);
CREATE TABLE IF NOT EXISTS eol_purls (
	purl    TEXT NOT NULL,           -- type/namespace/name, see purlKey
	product TEXT NOT NULL,
	PRIMARY KEY (purl, product)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
	name          TEXT PRIMARY KEY,
	url           TEXT NOT NULL,
	etag          TEXT NOT NULL,
	last_modified TEXT NOT NULL,
	checked_at    TEXT NOT NULL,     -- last attempt, RFC 3339
	updated_at    TEXT NOT NULL,     -- last time new data was stored
	last_error    TEXT NOT NULL
);
`

// Open opens the database at path for reading and writing, creating the
// file (and its folder) and the schema when missing.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open advisory database: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	s, err := open(ctx, path, false)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	if err := s.checkCodec(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	return s, nil
}

// OpenReadOnly opens an existing database for reading only. It returns an
// error wrapping ErrNotFound when the file does not exist, and one wrapping
// ErrNewerSchema when a newer craft wrote it. A scan uses this.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open advisory database: empty path")
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open advisory database %s: %w (run `craft db update` or `craft db import` first)", path, ErrNotFound)
		}
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	s, err := open(ctx, path, true)
	if err != nil {
		return nil, err
	}
	v, err := s.schemaVersion(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	if err := checkVersion(v); err != nil {
		s.Close()
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	if v == 0 {
		s.Close()
		return nil, fmt.Errorf("open advisory database %s: not a craft advisory database (no schema version)", path)
	}
	if err := s.checkCodec(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string, readOnly bool) (*Store, error) {
	q := url.Values{}
	// busy_timeout first, so that the following pragmas wait for a writer.
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
	}
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-32000)")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	if !readOnly {
		// One writer connection: SQLite serialises writers anyway, and one
		// connection avoids SQLITE_BUSY inside the process.
		db.SetMaxOpenConns(1)
	} else {
		db.SetMaxOpenConns(4)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open advisory database %s: %w", path, err)
	}
	return &Store{db: db, path: path, readOnly: readOnly}, nil
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close releases the database. It is safe to call once.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close advisory database %s: %w", s.path, err)
	}
	return nil
}

func checkVersion(v int) error {
	if v > SchemaVersion {
		return fmt.Errorf("%w: schema version %d, this craft reads up to %d; upgrade craft or point --db at another file", ErrNewerSchema, v, SchemaVersion)
	}
	return nil
}

// schemaVersion returns 0 for a database without the meta table.
func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read schema: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='schema_version'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	iv, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: bad value %q", v)
	}
	return iv, nil
}

func (s *Store) migrate(ctx context.Context) error {
	v, err := s.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if err := checkVersion(v); err != nil {
		return err
	}
	if v == SchemaVersion {
		return nil
	}
	if v == 0 {
		// A file with tables but no schema version is someone else's.
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table'`).Scan(&n); err != nil {
			return fmt.Errorf("read schema: %w", err)
		}
		if n > 0 {
			return errors.New("not a craft advisory database (it has tables but no schema version)")
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schemaSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)`, strconv.Itoa(SchemaVersion)); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('record_codec', ?)`, recordCodec); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// checkCodec refuses a database whose records are encoded otherwise (a
// development build of craft wrote zstd blobs under the same schema).
func (s *Store) checkCodec(ctx context.Context) error {
	c, err := s.meta(ctx, "record_codec")
	if err != nil {
		return err
	}
	if c != recordCodec {
		return fmt.Errorf("records are encoded as %q, this craft reads %q; remove the file and import again", c, recordCodec)
	}
	return nil
}

// meta reads one meta value; "" when missing.
func (s *Store) meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key=?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	return v, nil
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`, key, value); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

// LastUpdated is when data was last written to the database by an import
// or update (zero time when never). Scan reports warn when it is older
// than their configured age.
func (s *Store) LastUpdated(ctx context.Context) (time.Time, error) {
	v, err := s.meta(ctx, "last_updated")
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read last_updated: bad value %q", v)
	}
	return t, nil
}
