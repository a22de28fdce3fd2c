// Command portfolio generates a synthetic portfolio for craft serve's
// monitoring benchmarks (issue 6) and measures the re-match after an
// advisory update.
//
// Generate (default): products, releases and their components, stored
// through the store API, plus an advisory database from
// internal/advisory/synth (the generator bench/advisorygen uses), tuned so
// that the portfolio's first match finds about 1,000,000 findings. The
// folder it leaves is a craft serve data folder (SQLite, advisories.db),
// so the dashboard can be measured on it:
//
//	go run ./bench/portfolio -out /tmp/portfolio                 # 1,000 releases × 1,000 components
//	go run ./bench/portfolio -out /tmp/portfolio-pg -postgres postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// Re-match (-rematch): writes an advisory update into the folder (new
// records for the most popular packages and a larger KEV catalog), runs
// the monitoring job on it as craft serve does, then runs it again with
// nothing new; for each it reports wall time, releases rewritten, rows
// written, events and the process's peak RSS:
//
//	go run ./bench/portfolio -rematch -out /tmp/portfolio
//	go run ./bench/portfolio -rematch -out /tmp/portfolio-pg -postgres 'postgres://…&search_path=craft_portfolio_…'
//
// Why the store API and not HTTP: the generator's job is the data set, not
// the upload path (bench/serverload -scenario upload measures that); the
// rows it writes are the ones an upload writes (PutReleaseSBOM with the
// SBOM document and its components), only without JSON decoding and
// validation of a thousand SBOMs, which would take the generator from
// minutes to tens of minutes. Figures are in docs/performance.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "portfolio:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	out        string
	postgres   string
	products   int
	releases   int
	components int
	overlap    float64
	popular    float64
	pool       int
	records    int
	perPackage int
	rematch    bool
	// full runs the job with Config.AdvisoryFullRematch.
	full bool
	// updateFrom is the first package (by popularity) of the update's
	// records; noKEV leaves the KEV catalog out of the update.
	updateFrom int
	noKEV      bool
	topUpdate  int
	cpuProfile string
}

func run() error {
	var o options
	flag.StringVar(&o.out, "out", "", "data folder to write (generate: must not exist) or to re-match (-rematch)")
	flag.StringVar(&o.postgres, "postgres", "", "PostgreSQL DSN: generate into a new schema of this database (printed), or with -rematch the DSN generate printed")
	flag.IntVar(&o.products, "products", 50, "products")
	flag.IntVar(&o.releases, "releases", 20, "releases per product")
	flag.IntVar(&o.components, "components", 1000, "components per release")
	flag.Float64Var(&o.overlap, "overlap", 0.9, "share of a release's components unchanged from the product's previous release (the rest are upgraded)")
	flag.Float64Var(&o.popular, "popular", 0.7, "share of a product's components drawn from the pool of popular packages all products share; the rest are the product's own")
	flag.IntVar(&o.pool, "pool", 20000, "popular packages (synth package numbers 0…pool-1)")
	flag.IntVar(&o.records, "records", 140000, "advisory records (synth); records name packages 0…records/per-package-1")
	flag.IntVar(&o.perPackage, "per-package", 7, "advisory records per advised package")
	flag.BoolVar(&o.rematch, "rematch", false, "measure the re-match after an advisory update of an existing -out folder")
	flag.BoolVar(&o.full, "full", false, "with -rematch: re-match the whole portfolio on every run (Config.AdvisoryFullRematch; by default the job re-matches only the releases the update touched, after a full pass on its first run and once a day)")
	flag.IntVar(&o.updateFrom, "update-from", 0, "with -rematch: the update's records name packages from this popularity rank on (0: the most popular)")
	flag.BoolVar(&o.noKEV, "no-kev", false, "with -rematch: the update brings no new KEV catalog")
	flag.IntVar(&o.topUpdate, "update", 200, "with -rematch: the advisory update adds one record for each of this many most popular packages")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.out == "" {
		return errors.New("-out is required")
	}
	if o.products < 1 || o.releases < 1 || o.components < 1 || o.overlap < 0 || o.overlap > 1 ||
		o.popular < 0 || o.popular > 1 || o.pool < 1 || o.records < 1 || o.perPackage < 1 {
		return errors.New("-products, -releases, -components, -pool, -records and -per-package must be positive; -overlap and -popular between 0 and 1")
	}
	fmt.Printf("machine: %s/%s, %d CPUs (GOMAXPROCS %d), %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(),
		runtime.GOMAXPROCS(0), runtime.Version())
	if o.rematch {
		return measureRematch(o)
	}
	return generate(o)
}

// peakRSSMB is the process's peak resident set (VmHWM) in MiB.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
