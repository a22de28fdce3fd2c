package match

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/osv"
)

// benchData generates nRecords records over nRecords/perPkg packages in
// four ecosystems, and nComponents components of which hitPct percent name
// a package with records. Ranges look like real ones: one or two lines,
// some with last_affected, GHSA-style versions lists for Maven and PyPI,
// CVE aliases shared by pairs of records.
func benchData(nRecords, perPkg, nComponents, hitPct int) ([]*osv.Vulnerability, *inventory.Inventory) {
	r := rand.New(rand.NewPCG(1, 2))
	ecos := []string{"npm", "PyPI", "Go", "Maven"}
	nPkgs := nRecords / perPkg
	pkg := func(i int) (string, string) {
		eco := ecos[i%len(ecos)]
		switch eco {
		case "Go":
			return eco, fmt.Sprintf("github.com/org%d/mod%d", i%997, i)
		case "Maven":
			return eco, fmt.Sprintf("org.example%d:artifact-%d", i%991, i)
		case "PyPI":
			return eco, fmt.Sprintf("Py_Package-%d", i)
		}
		return eco, fmt.Sprintf("pkg-%d", i)
	}
	ver := func(maj, min, pat int) string { return fmt.Sprintf("%d.%d.%d", maj, min, pat) }
	recs := make([]*osv.Vulnerability, 0, nRecords)
	for i := 0; i < nRecords; i++ {
		p := i % nPkgs
		eco, name := pkg(p)
		typ := osv.RangeEcosystem
		if eco == "Go" || eco == "npm" {
			typ = osv.RangeSemver
		}
		maj := r.IntN(5)
		events := []osv.Event{{Introduced: "0"}, {Fixed: ver(maj, r.IntN(10), r.IntN(20))}}
		if r.IntN(3) == 0 {
			events = append(events, osv.Event{Introduced: ver(maj+1, 0, 0)}, osv.Event{Fixed: ver(maj+1, r.IntN(10), 1+r.IntN(20))})
		}
		if r.IntN(10) == 0 {
			events = []osv.Event{{Introduced: ver(maj, 0, 0)}, {LastAffected: ver(maj, 5, 0)}}
		}
		a := osv.Affected{Package: osv.Package{Ecosystem: eco, Name: name}, Ranges: []osv.Range{{Type: typ, Events: events}}}
		if eco == "Maven" || eco == "PyPI" {
			for j := 0; j < 20; j++ {
				a.Versions = append(a.Versions, ver(maj, j/5, j%5))
			}
		}
		v := &osv.Vulnerability{
			ID:       fmt.Sprintf("BENCH-%d", i),
			Aliases:  []string{fmt.Sprintf("CVE-2024-%d", i/2)},
			Summary:  "generated",
			Affected: []osv.Affected{a},
			Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		}
		recs = append(recs, v)
	}
	inv := &inventory.Inventory{Root: "bench", Source: "directory"}
	for i := 0; i < nComponents; i++ {
		p := r.IntN(nPkgs)
		eco, name := pkg(p)
		if r.IntN(100) >= hitPct {
			name += "-clean" // no records
		}
		v := ver(r.IntN(6), r.IntN(10), r.IntN(20))
		if eco == "Go" {
			v = "v" + v
		}
		inv.Components = append(inv.Components, inventory.Component{
			ID: fmt.Sprintf("c%d", i), Name: name, Version: v, Ecosystem: eco,
		})
	}
	return recs, inv
}

// BenchmarkMatch measures the matching stage alone: 10,000 components
// against 500,000 advisories already indexed in a MemorySource.
//   - typical: 2 records per advised package, 10% of components advised
//     (about what a large real tree meets);
//   - dense: 5 records per advised package, 60% of components advised
//     (a worst case: about 12,000 findings).
func BenchmarkMatch(b *testing.B) {
	for _, bc := range []struct {
		name           string
		perPkg, hitPct int
	}{{"typical", 2, 10}, {"dense", 5, 60}} {
		b.Run(bc.name, func(b *testing.B) {
			recs, inv := benchData(500_000, bc.perPkg, 10_000, bc.hitPct)
			src := NewMemorySource(recs)
			ctx := context.Background()
			var findings int
			cpu0 := cpuTime()
			for b.Loop() {
				res, err := Match(ctx, inv, src, Options{Now: goldenNow})
				if err != nil {
					b.Fatal(err)
				}
				findings = len(res.Findings)
			}
			b.ReportMetric(float64(findings), "findings/op")
			// CPU time (user+system, all threads, GC included) per run: on a
			// shared machine it says more than wall time does.
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestWorkersDoNotChangeResult runs the same match on one and on several
// workers: the findings and notes must be identical.
func TestWorkersDoNotChangeResult(t *testing.T) {
	recs, inv := benchData(20_000, 5, 3_000, 60)
	src := NewMemorySource(recs)
	results := make([][]byte, 0, 2)
	for _, procs := range []int{1, 4} {
		prev := runtime.GOMAXPROCS(procs)
		res, err := Match(context.Background(), inv, src, Options{Now: goldenNow})
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) < 1000 {
			t.Fatalf("only %d findings: the data does not exercise the workers", len(res.Findings))
		}
		out, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, out)
	}
	if !bytes.Equal(results[0], results[1]) {
		t.Error("results differ between 1 and 4 workers")
	}
}
