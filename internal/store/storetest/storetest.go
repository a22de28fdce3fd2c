// Package storetest gives other packages' tests a real, empty, migrated
// store: SQLite in a temporary folder always, and PostgreSQL in a fresh
// schema when CRAFT_TEST_POSTGRES holds a DSN, so that auth and server
// tests run on both engines as the store's own suite does.
package storetest

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

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for schema set-up

	"github.com/craft-cra/craft/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL test DSN.
const EnvPostgres = "CRAFT_TEST_POSTGRES"

// ForEach runs f as parallel subtests "sqlite" and "postgres", each with
// a fresh store. The postgres subtest skips when CRAFT_TEST_POSTGRES is
// unset.
func ForEach(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, Postgres(t))
	})
}

// SQLite opens a fresh store in t.TempDir(), closed when t ends.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.ConfigFor(filepath.Join(t.TempDir(), "data"), ""))
}

// Postgres opens a fresh store in its own schema (dropped when t ends), or
// skips t when CRAFT_TEST_POSTGRES is unset.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Config{Driver: store.DriverPostgres, DSN: PostgresDSN(t)})
}

func open(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN creates a schema craft_test_<random>, returns a DSN whose
// search_path selects it and drops it with everything in it when t ends.
// It skips t when CRAFT_TEST_POSTGRES is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " not set: set it to a PostgreSQL DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run this test on PostgreSQL")
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "craft_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: postgres: %v", err)
	}
	if _, err := admin.ExecContext(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	if !strings.Contains(base, "://") {
		return base + " search_path=" + schema
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
