package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Drivers accepted in Config.Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// SQLiteFile is the name of the SQLite database inside a data folder.
const SQLiteFile = "craft.db"

// Config says which database to open.
type Config struct {
	// Driver is DriverSQLite or DriverPostgres.
	Driver string
	// Path is the SQLite file (Driver sqlite). Its folder is created with
	// mode 0700 and the file with mode 0600 when missing.
	Path string
	// DSN is the PostgreSQL connection string (Driver postgres), a URL
	// (postgres://user@host:5432/db?sslmode=verify-full) or key=value pairs.
	// A search_path parameter selects the schema.
	DSN string
	// MaxOpenConns bounds the PostgreSQL pool and the SQLite read pool;
	// 0 means 16 (PostgreSQL) or 8 (SQLite reads).
	MaxOpenConns int
	// Existing opens a database that must exist already and leaves it as it
	// is: no file is created and no migration runs (a newer schema is still
	// refused). For tools that read a live database, such as craft backup
	// and craft audit verify, so that they never migrate under a running
	// server.
	Existing bool
	// Now is the clock for leases; nil means time.Now.
	Now func() time.Time
}

// ConfigFor is the Config of craft serve: PostgreSQL when databaseURL is
// set, else the SQLite file in dataDir.
func ConfigFor(dataDir, databaseURL string) Config {
	if databaseURL != "" {
		return Config{Driver: DriverPostgres, DSN: databaseURL}
	}
	return Config{Driver: DriverSQLite, Path: filepath.Join(dataDir, SQLiteFile)}
}

// Store is an open database. It is safe for concurrent use; Close it when
// done.
type Store struct {
	driver string
	// write runs every transaction that changes data. On SQLite it has one
	// connection whose transactions begin IMMEDIATE; on PostgreSQL it is
	// the same pool as read.
	write *sql.DB
	// read serves queries. On SQLite it is a separate query-only pool.
	read *sql.DB
	// reads is read with cached prepared statements on SQLite, read
	// itself on PostgreSQL.
	reads querier
	cache *stmtCache
	path  string
	now   func() time.Time
	// tx is set on the Store that InTx hands to its function: every read
	// and write then runs in that transaction.
	tx *txState
}

// Open opens the database, applies pending migrations and checks that the
// schema is not newer than this binary knows.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	var (
		s   *Store
		err error
	)
	switch cfg.Driver {
	case DriverSQLite:
		s, err = openSQLite(ctx, cfg)
	case DriverPostgres:
		s, err = openPostgres(ctx, cfg)
	default:
		return nil, fmt.Errorf("store: open: unknown driver %q (want %q or %q)", cfg.Driver, DriverSQLite, DriverPostgres)
	}
	if err != nil {
		return nil, err
	}
	s.now = cfg.Now
	if s.now == nil {
		s.now = time.Now
	}
	check := s.migrate
	if cfg.Existing {
		check = s.checkExisting
	}
	if err := check(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", s.describe(), err)
	}
	return s, nil
}

// Driver reports DriverSQLite or DriverPostgres.
func (s *Store) Driver() string { return s.driver }

// Path is the SQLite file, or "" on PostgreSQL.
func (s *Store) Path() string { return s.path }

// Close closes both pools. On the Store given to an InTx function it does
// nothing.
func (s *Store) Close() error {
	if s.tx != nil {
		return nil
	}
	var errs []error
	if s.cache != nil {
		s.cache.close()
	}
	if s.read != nil && s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

func (s *Store) describe() string {
	if s.driver == DriverSQLite {
		return "sqlite " + s.path
	}
	return "postgres"
}

// Ping checks that the database answers (for readiness checks).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
