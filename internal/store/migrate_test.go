package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// TestConcurrentFirstOpen starts several stores at once on an empty
// database, as several craft serve processes starting together would: all
// open, the migrations run once.
func TestConcurrentFirstOpen(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		concurrentOpen(t, Config{Driver: DriverSQLite, Path: filepath.Join(t.TempDir(), SQLiteFile)})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		concurrentOpen(t, Config{Driver: DriverPostgres, DSN: postgresDSN(t)})
	})
}

func concurrentOpen(t *testing.T, cfg Config) {
	ctx := context.Background()
	want, err := SchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := Open(ctx, cfg)
			if err != nil {
				t.Errorf("open: %v", err)
				return
			}
			defer s.Close()
			if v, err := s.DBSchemaVersion(ctx); err != nil || v != want {
				t.Errorf("schema version %d, %v; want %d", v, err, want)
			}
		})
	}
	wg.Wait()
}
