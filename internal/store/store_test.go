package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSQLiteFileModeAndPragmas(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()
	s, err := Open(ctx, Config{Driver: DriverSQLite, Path: filepath.Join(dir, SQLiteFile)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustUser(t, s, "a@example.org", RoleViewer) // a write, so -wal exists
	for _, name := range []string{SQLiteFile, SQLiteFile + "-wal"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s mode = %o, want 600", name, m)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode = %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	for _, db := range []struct {
		name string
		q    querier
	}{{"writer", s.write}, {"reader", s.read}} {
		var mode string
		var fk, busy, syncMode int
		if err := db.q.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := db.q.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := db.q.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := db.q.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&syncMode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy < 1000 || syncMode != 1 {
			t.Errorf("%s: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d", db.name, mode, fk, busy, syncMode)
		}
	}
	if s.write.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool has %d connections, want 1", s.write.Stats().MaxOpenConnections)
	}
	if _, err := s.read.ExecContext(ctx, `DELETE FROM users`); err == nil {
		t.Error("read pool accepted a write; want query_only")
	}
}

func TestOpenUnknownDriver(t *testing.T) {
	_, err := Open(context.Background(), Config{Driver: "mysql"})
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrationsIdempotentOnRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), SQLiteFile)
	ctx := context.Background()
	want, err := SchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		s, err := Open(ctx, Config{Driver: DriverSQLite, Path: path})
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		if i == 0 {
			mustUser(t, s, "keep@example.org", RoleAdmin)
		}
		v, err := s.DBSchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != want {
			t.Errorf("open #%d: schema version %d, want %d", i, v, want)
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 1 {
			t.Errorf("open #%d: %d users (%v), want 1", i, n, err)
		}
		s.Close()
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		known, err := SchemaVersion()
		if err != nil {
			t.Fatal(err)
		}
		rawExec(t, s, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, known+1)
		err = s.migrate(ctx)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("migrate on a newer schema: err = %v, want ErrSchemaTooNew", err)
		}
		v, err := s.DBSchemaVersion(ctx)
		if err != nil || v != known+1 {
			t.Errorf("schema version after refusal = %d (%v), want %d untouched", v, err, known+1)
		}
	})
}

func TestNewerSchemaRefusedByOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), SQLiteFile)
	ctx := context.Background()
	s, err := Open(ctx, Config{Driver: DriverSQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	rawExec(t, s, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`)
	s.Close()
	_, err = Open(ctx, Config{Driver: DriverSQLite, Path: path})
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("err = %v, want ErrSchemaTooNew naming version 9999", err)
	}
}

func TestBadPostgresDSN(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-Sup3rSecret"
	ctx := context.Background()
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"unparsable", "postgres://craft:" + secret + "@127.0.0.1:notaport/db", "bad connection string"},
		{"refused", "postgres://craft:" + secret + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", "127.0.0.1:1"},
		{"keyword_form", "host=127.0.0.1 port=1 user=craft password=" + secret + " dbname=db sslmode=disable connect_timeout=2", "craft@127.0.0.1:1/db"},
		{"empty", "", "no connection string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(ctx, Config{Driver: DriverPostgres, DSN: tc.dsn})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the password: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestBadPostgresPassword(t *testing.T) {
	base := postgresDSN(t)
	// trust auth accepts any password; the point is that a wrong database
	// is named and the password is not shown.
	const secret = "n0t-the-Passw0rd"
	dsn := strings.Replace(base, "postgres@", "postgres:"+secret+"@", 1)
	dsn = strings.Replace(dsn, "/test?", "/craft_no_such_db?", 1)
	_, err := Open(context.Background(), Config{Driver: DriverPostgres, DSN: dsn})
	if err == nil {
		t.Skip("database craft_no_such_db exists")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error leaks the password: %v", err)
	}
	if !strings.Contains(err.Error(), "craft_no_such_db") {
		t.Errorf("error = %v, want it to name the database", err)
	}
}
