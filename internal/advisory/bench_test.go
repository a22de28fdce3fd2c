package advisory

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/advisory/synth"
)

// BenchmarkImport imports a generated osv.dev-style zip of 20,000 records
// into a fresh database per iteration and reports records/s, MB/s (of
// uncompressed JSON) and the database size. bench/advisorygen runs the
// same at 500,000 records.
func BenchmarkImport(b *testing.B) {
	cfg := synth.Config{Records: 20000, Seed: 1}
	dir := b.TempDir()
	zipPath := filepath.Join(dir, "all.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := synth.WriteZip(f, cfg)
	if err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	var size int64
	var elapsed time.Duration
	for i := range b.N {
		b.StopTimer()
		path := filepath.Join(dir, "bench", time.Now().Format("150405.000000000")+".db")
		s, err := Open(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := s.Import(context.Background(), []string{zipPath}, ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if res.Imported != cfg.Records {
			b.Fatalf("iteration %d: imported %d of %d (%v)", i, res.Imported, cfg.Records, res.Rejected)
		}
		b.StopTimer()
		s.Close()
		if fi, err := os.Stat(path); err == nil {
			size = fi.Size()
		}
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		b.StartTimer()
	}
	sec := elapsed.Seconds()
	b.ReportMetric(float64(cfg.Records*b.N)/sec, "records/s")
	b.ReportMetric(float64(raw)*float64(b.N)/sec/1e6, "MB/s")
	b.ReportMetric(float64(size)/1e6, "dbMB")
}

// BenchmarkLookup10k looks up 10,000 component names (10% with records)
// spread over eight ecosystems against a generated database. The database
// has 100,000 records by default; set CRAFT_BENCH_DB to a database made by
// bench/advisorygen (500,000 records) to measure the full size.
func BenchmarkLookup10k(b *testing.B) {
	ctx := context.Background()
	cfg := synth.Config{Records: 100000, Seed: 1}
	path := os.Getenv("CRAFT_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "lookup.db")
		s, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		zipPath := filepath.Join(b.TempDir(), "all.zip")
		f, err := os.Create(zipPath)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := synth.WriteZip(f, cfg); err != nil {
			b.Fatal(err)
		}
		f.Close()
		if _, err := s.Import(ctx, []string{zipPath}, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		s.Close()
	} else if n := os.Getenv("CRAFT_BENCH_RECORDS"); n != "" {
		cfg.Records = atoiOr(n, cfg.Records)
	}
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	names := synth.LookupNames(cfg, 10000, 0.1, 7)
	// Warm the page cache once, as a scan after the first would be.
	for eco, ns := range names {
		if _, err := s.Vulnerabilities(ctx, eco, ns); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	found := 0
	for range b.N {
		found = 0
		for eco, ns := range names {
			got, err := s.Vulnerabilities(ctx, eco, ns)
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range got {
				found += len(v)
			}
		}
	}
	b.ReportMetric(float64(found), "records")
}

func atoiOr(s string, def int) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return def
		}
		n = n*10 + int(c-'0')
	}
	return n
}
