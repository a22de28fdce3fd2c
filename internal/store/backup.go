package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupUnsupported means the store cannot copy itself: PostgreSQL is
// backed up with pg_dump (see docs/server-storage.md).
var ErrBackupUnsupported = errors.New("online backup is for SQLite only; back up PostgreSQL with pg_dump")

// BackupSQLite writes a consistent copy of the live SQLite database to
// dest with VACUUM INTO, while the server keeps running: the copy is one
// read transaction's view, compacted, with no -wal file. dest must not
// exist; it gets mode 0600. The copy is first written into a private
// temporary folder beside dest and renamed into place, so a failed backup
// leaves no partial file at dest.
func (s *Store) BackupSQLite(ctx context.Context, dest string) error {
	if s.driver != DriverSQLite {
		return fmt.Errorf("store: backup: %w", ErrBackupUnsupported)
	}
	dest, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("store: backup to %s: %w: the file exists", dest, ErrConflict)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(dest), ".craft-backup-*")
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, SQLiteFile)
	// VACUUM INTO is refused by the query-only read pool and would hold up
	// writers on the writer connection, so it gets a connection of its own:
	// in WAL mode it reads one snapshot while the server keeps writing.
	conn, err := sql.Open("sqlite", sqliteDSN(s.path, false))
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, tmp); err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	// Link rather than rename, so an existing dest (created meanwhile) is
	// never replaced.
	if err := os.Link(tmp, dest); err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
