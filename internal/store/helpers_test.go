package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for test set-up
)

// forEachStore runs f against a fresh SQLite store and, when
// CRAFT_TEST_POSTGRES is set, a fresh PostgreSQL schema.
func forEachStore(t *testing.T, f func(t *testing.T, s *Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, newSQLiteStore(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, newPostgresStore(t))
	})
}

func newSQLiteStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Config{Driver: DriverSQLite, Path: filepath.Join(t.TempDir(), SQLiteFile)})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresDSN returns the PostgreSQL DSN of a fresh schema that is dropped
// when the test ends, or skips the test.
func postgresDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv("CRAFT_TEST_POSTGRES")
	if base == "" {
		t.Skip("CRAFT_TEST_POSTGRES not set: set it to a PostgreSQL DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the store suite on PostgreSQL")
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "craft_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return withSearchPath(t, base, schema)
}

func withSearchPath(t *testing.T, dsn, schema string) string {
	t.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("CRAFT_TEST_POSTGRES: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func newPostgresStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Config{Driver: DriverPostgres, DSN: postgresDSN(t)})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawExec runs SQL on the writer, for tests that tamper with rows.
func rawExec(t *testing.T, s *Store, query string, args ...any) {
	t.Helper()
	if _, err := s.write.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// fixedNow is a time with nanoseconds, to show that times round-trip.
var fixedNow = time.Date(2026, 12, 4, 10, 30, 0, 123456789, time.UTC)

func mustUser(t *testing.T, s *Store, email string, role Role) User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), User{Email: email, DisplayName: "U " + email, PasswordHash: "$argon2id$x", Role: role})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}
