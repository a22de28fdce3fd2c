// Command advisorygen measures the advisory database at full size: it
// generates a synthetic osv.dev-style archive (default 500,000 records),
// imports it into a fresh database and reports records/s, MB/s, database
// size and peak RSS; with -lookup it instead opens an existing database
// read-only and matches 10,000 component names against it, the shape of
// a scan's matching stage, reporting cold and warm times.
//
//	go run ./bench/advisorygen -dir /tmp/advbench            # generate + import
//	go build -o /tmp/advisorygen ./bench/advisorygen
//	/tmp/advisorygen -lookup -dir /tmp/advbench              # 10k lookups
//
// docs/database.md records the figures.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/advisory/synth"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/sbom"
)

func main() {
	var (
		dir     = flag.String("dir", filepath.Join(os.TempDir(), "advbench"), "working folder (archive and database)")
		records = flag.Int("records", 500000, "records to generate")
		lookup  = flag.Bool("lookup", false, "run the 10,000-name lookup against dir's database instead of importing")
		names   = flag.Int("names", 10000, "component names to look up")
		hit     = flag.Float64("hit", 0.1, "share of looked-up names that have records")
		reuse   = flag.Bool("reuse", false, "import dir/all.zip as it is instead of generating it")
		sbomOut = flag.String("sbom", "", "instead: write a CycloneDX SBOM of -names components (the lookup names, version 1.0.0) to this file, for timing a whole craft scan --sbom")
	)
	flag.Parse()
	start := time.Now()
	var err error
	switch {
	case *sbomOut != "":
		err = writeSBOM(*sbomOut, *records, *names, *hit)
	case *lookup:
		err = runLookup(*dir, *records, *names, *hit)
	default:
		err = runImport(*dir, *records, *reuse)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "advisorygen:", err)
		os.Exit(1)
	}
	fmt.Printf("process: %v wall, peak RSS %.0f MB\n", time.Since(start).Round(time.Millisecond), peakRSSMB())
}

func runImport(dir string, n int, reuse bool) error {
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg := synth.Config{Records: n, Seed: 1}
	zipPath := filepath.Join(dir, "all.zip")
	var raw int64
	if !reuse {
		f, err := os.Create(zipPath)
		if err != nil {
			return err
		}
		t0 := time.Now()
		raw, err = synth.WriteZip(f, cfg)
		if err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		zfi, err := os.Stat(zipPath)
		if err != nil {
			return err
		}
		fmt.Printf("generated %d records: %.1f MB JSON, %.1f MB zip in %v\n", n, float64(raw)/1e6, float64(zfi.Size())/1e6, time.Since(t0).Round(time.Millisecond))
	}
	dbPath := filepath.Join(dir, "advisories.db")
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(dbPath + s)
	}
	store, err := advisory.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	t1 := time.Now()
	res, err := store.Import(ctx, []string{zipPath}, advisory.ImportOptions{})
	if err != nil {
		return err
	}
	el := time.Since(t1)
	if reuse {
		raw = res.Bytes
	}
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	if err := store.Close(); err != nil {
		return err
	}
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
	dfi, err := os.Stat(dbPath)
	if err != nil {
		return err
	}
	fmt.Printf("import: %d imported, %d rejected in %v (CPU %v on %d cores)\n", res.Imported, len(res.Rejected), el.Round(time.Millisecond), cpu.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	fmt.Printf("import: %.0f records/s, %.1f MB/s (uncompressed JSON), database %.1f MB (%.0f bytes/record)\n",
		float64(res.Imported)/el.Seconds(), float64(raw)/1e6/el.Seconds(), float64(dfi.Size())/1e6, float64(dfi.Size())/float64(n))
	return nil
}

func runLookup(dir string, n, count int, hit float64) error {
	ctx := context.Background()
	t0 := time.Now()
	store, err := advisory.OpenReadOnly(ctx, filepath.Join(dir, "advisories.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	opened := time.Since(t0)
	names := synth.LookupNames(synth.Config{Records: n, Seed: 1}, count, hit, 7)
	pass := func() (int, int, time.Duration) {
		cpu0 := cpuTime()
		defer func() { lastCPU = cpuTime() - cpu0 }()
		t := time.Now()
		found, recs := 0, 0
		for eco, ns := range names {
			got, err := store.Vulnerabilities(ctx, eco, ns)
			if err != nil {
				panic(err) // a benchmark tool; the store's own tests cover errors
			}
			found += len(got)
			for _, v := range got {
				recs += len(v)
			}
		}
		return found, recs, time.Since(t)
	}
	found, recs, cold := pass()
	coldCPU := lastCPU
	_, _, warm := pass()
	warmCPU := lastCPU
	_, _, warm2 := pass()
	fmt.Printf("lookup: open %v; %d names in %d ecosystems, %d found with %d records\n", opened.Round(time.Microsecond), count, len(names), found, recs)
	fmt.Printf("lookup: first pass %v (CPU %v), warm %v (CPU %v), %v (CPU %v)\n",
		cold.Round(time.Millisecond), coldCPU.Round(time.Millisecond), warm.Round(time.Millisecond), warmCPU.Round(time.Millisecond),
		warm2.Round(time.Millisecond), lastCPU.Round(time.Millisecond))
	return nil
}

var lastCPU time.Duration

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// writeSBOM writes the lookup names as an SBOM, so that a whole
// `craft scan --sbom` can be timed against the generated database.
func writeSBOM(path string, records, count int, hit float64) error {
	inv := &inventory.Inventory{Root: path, Source: "sbom"}
	seen := map[string]bool{}
	for eco, ns := range synth.LookupNames(synth.Config{Records: records, Seed: 1}, count, hit, 7) {
		for _, n := range ns {
			if seen[eco+"/"+n] {
				continue // the generator may draw a package twice
			}
			seen[eco+"/"+n] = true
			c := inventory.Component{Name: n, Version: "1.0.0", Ecosystem: eco}
			if p, ok := purlFor(eco, n); ok {
				c.PURL = p
			}
			c.ID = c.PURL
			if c.ID == "" {
				c.ID = eco + "/" + n
			}
			inv.Components = append(inv.Components, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := sbom.Encode(f, sbom.CycloneDXJSON, inv, sbom.Metadata{ProductName: "bench", ManufacturerEmail: "bench@example.com", Reproducible: true}); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("wrote %d components to %s\n", len(inv.Components), path)
	return f.Close()
}

func purlFor(eco, name string) (string, bool) {
	typ := map[string]string{"Go": "golang", "npm": "npm", "PyPI": "pypi", "Maven": "maven", "crates.io": "cargo", "RubyGems": "gem", "NuGet": "nuget", "Packagist": "composer"}[eco]
	if typ == "" {
		return "", false
	}
	if typ == "maven" {
		if g, a, ok := strings.Cut(name, ":"); ok {
			return fmt.Sprintf("pkg:maven/%s/%s@1.0.0", g, a), true
		}
	}
	return fmt.Sprintf("pkg:%s/%s@1.0.0", typ, name), true
}
