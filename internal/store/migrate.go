package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles are the forward-only migrations, one set for both engines.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is goose's bookkeeping table.
const versionTable = "goose_db_version"

// SchemaVersion is the newest migration this binary knows.
func SchemaVersion() (int64, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var newest int64
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return 0, fmt.Errorf("migrations: %s: %w", n, err)
		}
		newest = max(newest, v)
	}
	if newest == 0 {
		return 0, errors.New("migrations: none embedded")
	}
	return newest, nil
}

// migrate refuses a schema newer than the binary, then applies pending
// migrations, each in its own transaction. On PostgreSQL a session advisory
// lock (one per schema) keeps several starting processes from migrating at
// once.
func (s *Store) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if s.driver == DriverPostgres {
		dialect = goose.DialectPostgres
		var schema string
		if err := s.read.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return fmt.Errorf("current schema: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("craft-migrate:" + schema))
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(h.Sum64()>>1)),
			lock.WithLockTimeout(1, 300),
		)
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	srcs := p.ListSources()
	known := srcs[len(srcs)-1].Version
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("%w: the database is at schema version %d, this craft knows up to %d; use a newer craft (restore a backup to go back)", ErrSchemaTooNew, current, known)
	}
	// Two SQLite processes starting on a new file both see the migrations
	// pending; the second one's transaction then fails ("table users
	// already exists") once the first has committed. Up again finds
	// nothing pending. A migration that is really broken fails every time.
	for attempt := 1; ; attempt++ {
		_, err := p.Up(ctx)
		if err == nil {
			return nil
		}
		if attempt == 3 {
			return fmt.Errorf("apply migrations: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("apply migrations: %w", errors.Join(err, ctx.Err()))
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
}

// DBSchemaVersion reads the schema version recorded in the database.
func (s *Store) DBSchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+versionTable+` WHERE is_applied`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

// checkExisting is migrate for Config.Existing: it reads the version and
// refuses a database that is not craft's or is newer than this binary,
// without changing anything.
func (s *Store) checkExisting(ctx context.Context) error {
	known, err := SchemaVersion()
	if err != nil {
		return err
	}
	v, err := s.DBSchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("not a craft database (no schema version): %w", err)
	}
	switch {
	case v == 0:
		return errors.New("not a craft database (no migration applied)")
	case v > known:
		return fmt.Errorf("%w: the database is at schema version %d, this craft knows up to %d; use a newer craft", ErrSchemaTooNew, v, known)
	}
	return nil
}
