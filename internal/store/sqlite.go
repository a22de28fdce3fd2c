package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// openSQLite opens the writer (one connection, BEGIN IMMEDIATE) and the
// query-only read pool on cfg.Path, creating the file with mode 0600.
func openSQLite(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("store: open sqlite: no path given")
	}
	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", cfg.Path, err)
	}
	if cfg.Existing {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("store: open sqlite %s: not a regular file", path)
		}
	} else if err := createPrivateFile(path); err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	write, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	n := cfg.MaxOpenConns
	if n <= 0 {
		n = 8
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	cache := &stmtCache{db: read}
	return &Store{driver: DriverSQLite, write: write, read: read, reads: cache, cache: cache, path: path}, nil
}

// sqliteDSN sets the pragmas on every new connection: busy_timeout first,
// so the others wait for a busy writer, then WAL, foreign keys and
// synchronous=NORMAL (safe with WAL). Readers are query-only.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// createPrivateFile makes path's folder (0700) and the file (0600) when
// missing and tightens the mode of an existing file, so the database and
// its -wal and -shm companions (SQLite gives them the database's mode) are
// readable by craft's user only.
func createPrivateFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("restrict database file mode: %w", err)
	}
	return nil
}
