package match

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/osv"
)

var fuzzEcosystems = []string{"npm", "PyPI", "Go", "Maven", "Debian", "CRAN", "Hackage", "RubyGems", "NuGet", "Packagist", "Alpine", "Pub", "crates.io", "GitHub Actions"}

// FuzzMatch feeds arbitrary versions and range events (as found in outside
// OSV records and lockfiles) through Match. It must never panic or fail,
// and an explicitly listed version must always match.
func FuzzMatch(f *testing.F) {
	f.Add(uint8(0), "1.2.3", "0", "1.4.2", "", "", "1.2.3")
	f.Add(uint8(1), "2.0rc1", "1.0", "", "2.3", "", "x")
	f.Add(uint8(2), "v0.0.0-20230101000000-abcdefabcdef", "0", "0.17.0", "", "", "")
	f.Add(uint8(4), "1:2.3-4", "0", "1.2.3-not-a-debian:version!@#$", "", "3", "1:2.3-4")
	f.Add(uint8(5), "garbage version", "0", "1.0", "", "*", "")
	// Seeds from the ordering vectors: each side of a few lines per file.
	files, _ := filepath.Glob("testdata/versions/*-versions.txt")
	for i, file := range files {
		fh, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for n := 0; n < 5 && sc.Scan(); {
			parts := strings.Split(sc.Text(), " ")
			if len(parts) == 3 {
				f.Add(uint8(i), parts[0], "0", parts[2], "", "", parts[0])
				n++
			}
		}
		fh.Close()
	}
	f.Fuzz(func(t *testing.T, ecoIdx uint8, version, introduced, fixed, lastAffected, limit, listed string) {
		eco := fuzzEcosystems[int(ecoIdx)%len(fuzzEcosystems)]
		var events []osv.Event
		for _, e := range []osv.Event{{Introduced: introduced}, {Fixed: fixed}, {LastAffected: lastAffected}, {Limit: limit}} {
			if e != (osv.Event{}) {
				events = append(events, e)
			}
		}
		a := osv.Affected{
			Package: osv.Package{Ecosystem: eco, Name: "p"},
			Ranges:  []osv.Range{{Type: "ECOSYSTEM", Events: events}, {Type: "SEMVER", Events: events}},
		}
		if listed != "" {
			a.Versions = []string{listed}
		}
		r := &osv.Vulnerability{ID: "FUZZ-1", Aliases: []string{"CVE-1"}, Affected: []osv.Affected{a},
			Severity: []osv.Severity{{Type: "CVSS_V3", Score: fixed}}}
		inv := &inventory.Inventory{Components: []inventory.Component{{ID: "c", Name: "p", Version: version, Ecosystem: eco}}}
		res, err := Match(context.Background(), inv, NewMemorySource([]*osv.Vulnerability{r}), Options{Now: goldenNow})
		if err != nil {
			t.Fatalf("Match: %v", err)
		}
		v := strings.TrimSpace(version)
		if eco == "Go" {
			v = strings.TrimPrefix(v, "v")
		}
		if listed != "" && v != "" && (listed == v || (eco == "Go" && strings.TrimPrefix(listed, "v") == v)) && len(res.Findings) != 1 {
			t.Errorf("version %q listed in versions but %d findings (notes %v)", version, len(res.Findings), res.Notes)
		}
		for _, f := range res.Findings {
			if !slices.Contains([]string{LevelCritical, LevelHigh, LevelMedium, LevelLow, LevelNone, LevelUnknown}, f.Severity.Level) {
				t.Errorf("severity level %q", f.Severity.Level)
			}
		}
	})
}

// FuzzSeverity feeds arbitrary severity entries to the scorer.
func FuzzSeverity(f *testing.F) {
	f.Add("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "HIGH")
	f.Add("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", "")
	f.Add("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "MODERATE")
	f.Add("CVSS_V3", "CVSS:3.0/AV:N", "")
	f.Add("Ubuntu", "medium", "LOW")
	f.Fuzz(func(t *testing.T, typ, score, dbSeverity string) {
		r := &osv.Vulnerability{ID: "FUZZ-S", Severity: []osv.Severity{{Type: typ, Score: score}},
			DatabaseSpecific: map[string]any{"severity": dbSeverity}}
		sev, _ := chooseSeverity([]*compiledRecord{{rec: r}}, "npm", "", nil, scoreVector)
		if levelRank(sev.Level) == 0 && sev.Level != LevelUnknown {
			t.Errorf("level %q", sev.Level)
		}
		if sev.Score < 0 || sev.Score > 10 {
			t.Errorf("score %v out of range", sev.Score)
		}
	})
}
