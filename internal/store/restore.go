package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ErrAuditBroken means an audit chain failed verification.
var ErrAuditBroken = errors.New("audit chain does not verify")

// ErrNotEmpty means a restore would overwrite a data folder that holds
// something already.
var ErrNotEmpty = errors.New("data folder is not empty")

// RestoreResult says what RestoreSQLite did.
type RestoreResult struct {
	// Path is the restored database.
	Path string
	// Audit is the verification of the restored audit chain.
	Audit VerifyResult
	// Previous is where the database that was replaced now lies ("" when
	// there was none).
	Previous string
}

// RestoreSQLite installs the SQLite backup src as the database of dataDir.
// It refuses a data folder that is not empty unless force is set. Before
// anything in dataDir changes, it copies src into a private temporary file
// there, opens it, applies pending migrations and verifies the audit chain;
// only a backup that passes all three is renamed into place. With force, a
// database already there is kept beside it as
// craft.db.before-restore-<time> (with its -wal file), never deleted.
// craft serve must not be running on dataDir.
func RestoreSQLite(ctx context.Context, src, dataDir string, force bool, now time.Time) (res RestoreResult, err error) {
	if err := checkSQLiteFile(src); err != nil {
		return RestoreResult{}, fmt.Errorf("store: restore %s: %w", src, err)
	}
	entries, err := os.ReadDir(dataDir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// A failed restore leaves nothing behind: not even the folder it
		// made for the data.
		defer func() {
			if err != nil {
				os.Remove(dataDir)
			}
		}()
	case err != nil:
		return RestoreResult{}, fmt.Errorf("store: restore into %s: %w", dataDir, err)
	case len(entries) > 0 && !force:
		return RestoreResult{}, fmt.Errorf("store: restore into %s: %w (give --force to replace its database)", dataDir, ErrNotEmpty)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return RestoreResult{}, fmt.Errorf("store: restore into %s: %w", dataDir, err)
	}
	tmpDir, err := os.MkdirTemp(dataDir, ".restore-*")
	if err != nil {
		return RestoreResult{}, fmt.Errorf("store: restore into %s: %w", dataDir, err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, SQLiteFile)
	if err := copyPrivate(src, tmp); err != nil {
		return RestoreResult{}, fmt.Errorf("store: restore %s: %w", src, err)
	}
	res, err = checkRestored(ctx, tmp)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("store: restore %s: %w", src, err)
	}
	dest := filepath.Join(dataDir, SQLiteFile)
	res.Path = dest
	if _, err := os.Lstat(dest); err == nil {
		res.Previous = dest + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(dest, res.Previous); err != nil {
			return RestoreResult{}, fmt.Errorf("store: restore: keep the old database: %w", err)
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		old := dest + suffix
		if _, err := os.Lstat(old); err != nil {
			continue
		}
		target := res.Previous + suffix
		if res.Previous == "" {
			target = old + ".stale-" + now.UTC().Format("20060102T150405Z")
		}
		if err := os.Rename(old, target); err != nil {
			return RestoreResult{}, fmt.Errorf("store: restore: move %s aside: %w", old, err)
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		return RestoreResult{}, fmt.Errorf("store: restore: install %s: %w", dest, err)
	}
	if d, err := os.Open(dataDir); err == nil {
		_ = d.Sync() // make the renames durable where the platform allows
		d.Close()
	}
	return res, nil
}

// checkRestored opens the copy (which applies migrations), verifies its
// audit chain and folds the WAL back into the file, so the copy is one
// self-contained file when it is moved.
func checkRestored(ctx context.Context, path string) (RestoreResult, error) {
	s, err := Open(ctx, Config{Driver: DriverSQLite, Path: path})
	if err != nil {
		return RestoreResult{}, err
	}
	r, err := s.VerifyAudit(ctx)
	if err == nil && !r.OK {
		err = fmt.Errorf("%w: first bad event %d: %s", ErrAuditBroken, r.FirstBadSeq, r.Reason)
	}
	if err == nil {
		_, err = s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return RestoreResult{}, err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return RestoreResult{}, err
		}
	}
	return RestoreResult{Audit: r}, nil
}

// checkSQLiteFile checks that path is a regular file with SQLite's header.
func checkSQLiteFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	head := make([]byte, 16)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, []byte("SQLite format 3\x00")) {
		return errors.New("not an SQLite database (a craft backup is one SQLite file)")
	}
	return nil
}

// copyPrivate copies src to a new file dst with mode 0600 and syncs it.
func copyPrivate(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
