package match

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/osv"
)

// Helpers that build records and inventories for the table tests.

func ev(kind, v string) osv.Event {
	switch kind {
	case "introduced":
		return osv.Event{Introduced: v}
	case "fixed":
		return osv.Event{Fixed: v}
	case "last_affected":
		return osv.Event{LastAffected: v}
	default:
		return osv.Event{Limit: v}
	}
}

func rng(typ string, events ...osv.Event) osv.Range { return osv.Range{Type: typ, Events: events} }

func aff(eco, name string, ranges []osv.Range, versions ...string) osv.Affected {
	return osv.Affected{Package: osv.Package{Ecosystem: eco, Name: name}, Ranges: ranges, Versions: versions}
}

func rec(id string, aliases []string, affected ...osv.Affected) *osv.Vulnerability {
	return &osv.Vulnerability{ID: id, Aliases: aliases, Summary: "summary of " + id, Affected: affected}
}

func comp(eco, name, version string) inventory.Component {
	return inventory.Component{ID: eco + "/" + name + "@" + version, Name: name, Version: version, Ecosystem: eco}
}

func run(t *testing.T, recs []*osv.Vulnerability, opts Options, comps ...inventory.Component) *Result {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = goldenNow
	}
	res, err := Match(context.Background(), &inventory.Inventory{Components: comps}, NewMemorySource(recs), opts)
	if err != nil {
		t.Fatalf("Match: %v", err)
	}
	return res
}

func matchedIDs(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		for _, e := range f.Evidence {
			out = append(out, f.Component.Version+":"+e.RecordID)
		}
	}
	slices.Sort(out)
	return out
}

func hasNote(res *Result, sub string) bool {
	for _, n := range res.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// TestRangeSemantics checks the OSV evaluation rules one at a time: each
// case gives a record and versions that must and must not match.
func TestRangeSemantics(t *testing.T) {
	tests := []struct {
		name     string
		eco      string
		pkg      string
		affected []osv.Affected
		in, out  []string
	}{
		{
			name: "introduced_0_fixed", eco: "npm", pkg: "left-pad",
			affected: []osv.Affected{aff("npm", "left-pad", []osv.Range{rng("SEMVER", ev("introduced", "0"), ev("fixed", "1.4.2"))})},
			in:       []string{"0.0.1", "1.0.0", "1.4.1", "1.4.2-rc.1"},
			out:      []string{"1.4.2", "1.4.3", "2.0.0"},
		},
		{
			name: "introduced_fixed", eco: "npm", pkg: "a",
			affected: []osv.Affected{aff("npm", "a", []osv.Range{rng("SEMVER", ev("introduced", "1.0.0"), ev("fixed", "1.4.2"))})},
			in:       []string{"1.0.0", "1.2.0"},
			out:      []string{"0.9.9", "1.0.0-beta", "1.4.2"},
		},
		{
			name: "last_affected", eco: "PyPI", pkg: "b",
			affected: []osv.Affected{aff("PyPI", "b", []osv.Range{rng("ECOSYSTEM", ev("introduced", "2.0"), ev("last_affected", "2.3"))})},
			in:       []string{"2.0", "2.3", "2.3.0", "2.2.9"},
			out:      []string{"1.9", "2.3.1", "2.4", "2.3.post1"},
		},
		{
			name: "limit", eco: "npm", pkg: "c",
			affected: []osv.Affected{aff("npm", "c", []osv.Range{rng("SEMVER", ev("introduced", "1.0.0"), ev("limit", "2.0.0"))})},
			in:       []string{"1.0.0", "1.9.9"},
			out:      []string{"2.0.0", "3.0.0", "0.1.0"},
		},
		{
			name: "limit_star", eco: "npm", pkg: "c",
			affected: []osv.Affected{aff("npm", "c", []osv.Range{rng("SEMVER", ev("introduced", "1.0.0"), ev("limit", "*"))})},
			in:       []string{"1.0.0", "99.0.0"},
			out:      []string{"0.9.0"},
		},
		{
			name: "two_lines_in_one_range", eco: "Go", pkg: "toolchain",
			affected: []osv.Affected{aff("Go", "toolchain", []osv.Range{rng("SEMVER",
				ev("introduced", "0"), ev("fixed", "1.14.14"), ev("introduced", "1.15.0-0"), ev("fixed", "1.15.7"))})},
			in:  []string{"1.14.13", "go1.15", "1.15.6", "go1.15rc1"},
			out: []string{"1.14.14", "1.14.15", "1.15.7", "1.16.0"},
		},
		{
			name: "unsorted_events", eco: "npm", pkg: "d",
			affected: []osv.Affected{aff("npm", "d", []osv.Range{rng("SEMVER",
				ev("fixed", "3.2.5"), ev("introduced", "3.0.0"), ev("fixed", "1.0.2"), ev("introduced", "1.0.0"))})},
			in:  []string{"1.0.0", "1.0.1", "3.0.0", "3.2.4"},
			out: []string{"0.9.0", "1.0.2", "2.0.0", "3.2.5"},
		},
		{
			name: "several_affected_and_ranges", eco: "Maven", pkg: "g:a",
			affected: []osv.Affected{
				aff("Maven", "g:a", []osv.Range{rng("ECOSYSTEM", ev("introduced", "1.0"), ev("fixed", "1.2"))}),
				aff("Maven", "g:other", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"))}),
				aff("Maven", "g:a", []osv.Range{rng("ECOSYSTEM", ev("introduced", "2.0.0.Final"), ev("fixed", "2.1"))}),
			},
			in:  []string{"1.0", "1.1.9", "2.0", "2.0.5"},
			out: []string{"0.9", "1.2", "1.5", "2.1", "2.1.0"},
		},
		{
			name: "versions_list_is_exact", eco: "PyPI", pkg: "e",
			affected: []osv.Affected{aff("PyPI", "e", nil, "1.0.0", "1.1")},
			in:       []string{"1.0.0", "1.1"},
			out:      []string{"1.0", "1.1.0", "1.2"},
		},
		{
			name: "git_range_before_ecosystem_range", eco: "PyPI", pkg: "lxml",
			affected: []osv.Affected{{
				Package: osv.Package{Ecosystem: "PyPI", Name: "lxml"},
				Ranges: []osv.Range{
					{Type: "GIT", Repo: "https://github.com/lxml/lxml", Events: []osv.Event{{Introduced: "0"}, {Fixed: "a3cacbe8ef6fb0ef6a2fbb4a0ab8d0c4f1a8b1e4"}}},
					rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "4.6.3")),
				},
			}},
			in:  []string{"4.6.2", "3.0"},
			out: []string{"4.6.3", "5.0"},
		},
		{
			name: "ecosystem_suffix", eco: "Debian:12", pkg: "openssl",
			affected: []osv.Affected{
				aff("Debian:11", "openssl", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "4.0"))}),
				aff("Debian:12", "openssl", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "3.0.11-1~deb12u2"))}),
			},
			in:  []string{"3.0.11-1~deb12u1"},
			out: []string{"3.0.11-1~deb12u2", "3.5"},
		},
		{
			name: "pypi_name_spelling", eco: "PyPI", pkg: "Zope_Interface",
			affected: []osv.Affected{aff("PyPI", "zope.interface", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "5.0"))})},
			in:       []string{"4.7.1"},
			out:      []string{"5.0"},
		},
		{
			name: "go_module_v_prefix", eco: "Go", pkg: "golang.org/x/net",
			affected: []osv.Affected{aff("Go", "golang.org/x/net", []osv.Range{rng("SEMVER", ev("introduced", "0"), ev("fixed", "0.17.0"))})},
			in:       []string{"v0.15.0", "v0.0.0-20230101000000-abcdefabcdef", "0.16.0"},
			out:      []string{"v0.17.0", "v0.17.1-0.20231010000000-abcdefabcdef", "v1.0.0"},
		},
		{
			name: "stdlib_go_prefix", eco: "Go", pkg: "stdlib",
			affected: []osv.Affected{aff("Go", "stdlib", []osv.Range{rng("SEMVER", ev("introduced", "1.22.0-0"), ev("fixed", "1.22.2"))})},
			in:       []string{"go1.22.1", "1.22.1", "1.22", "go1.22rc1"},
			out:      []string{"go1.22.2", "1.21.9", "go1.21rc1", "1.23.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rec("TEST-1", nil, tt.affected...)
			var comps []inventory.Component
			for _, v := range append(append([]string{}, tt.in...), tt.out...) {
				comps = append(comps, comp(tt.eco, tt.pkg, v))
			}
			res := run(t, []*osv.Vulnerability{r}, Options{}, comps...)
			var want []string
			for _, v := range tt.in {
				want = append(want, v+":TEST-1")
			}
			slices.Sort(want)
			if got := matchedIDs(res); !slices.Equal(got, want) {
				t.Errorf("matched %v, want %v (notes %v)", got, want, res.Notes)
			}
		})
	}
}

func TestStdlibMatchesToolchainRecords(t *testing.T) {
	recs := []*osv.Vulnerability{
		rec("GO-1", nil, aff("Go", "stdlib", []osv.Range{rng("SEMVER", ev("introduced", "0"), ev("fixed", "1.22.2"))})),
		rec("GO-2", nil, aff("Go", "toolchain", []osv.Range{rng("SEMVER", ev("introduced", "0"), ev("fixed", "1.22.3"))})),
		rec("GO-3", nil, aff("Go", "golang.org/x/stdlib", []osv.Range{rng("SEMVER", ev("introduced", "0"))})),
	}
	for _, name := range []string{"stdlib", "toolchain"} {
		res := run(t, recs, Options{}, comp("Go", name, "go1.22.1"))
		want := []string{"go1.22.1:GO-1", "go1.22.1:GO-2"}
		if got := matchedIDs(res); !slices.Equal(got, want) {
			t.Errorf("%s: matched %v, want %v", name, got, want)
		}
		for _, f := range res.Findings {
			if strings.HasPrefix(f.MinimumFix, "v") {
				t.Errorf("%s: stdlib fix %q has a module-style v", name, f.MinimumFix)
			}
		}
	}
}

func TestAliasMerging(t *testing.T) {
	r := []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "2.0"))}
	recs := []*osv.Vulnerability{
		rec("GHSA-xxxx-yyyy-zzzz", []string{"CVE-2024-1000"}, aff("PyPI", "pkg", r)),
		rec("PYSEC-2024-1", []string{"CVE-2024-1000", "GHSA-aaaa-bbbb-cccc"}, aff("PyPI", "pkg", r)),
		// Linked to the others only through GHSA-aaaa-bbbb-cccc.
		rec("OSV-2024-9", []string{"GHSA-aaaa-bbbb-cccc"}, aff("PyPI", "pkg", r)),
		// A different vulnerability of the same package.
		rec("PYSEC-2024-2", []string{"CVE-2024-2000"}, aff("PyPI", "pkg", r)),
		// Aliases CVE-2024-1000 but does not affect the version: not merged in.
		rec("PYSEC-2024-3", []string{"CVE-2024-1000"}, aff("PyPI", "pkg", []osv.Range{rng("ECOSYSTEM", ev("introduced", "5.0"))})),
	}
	res := run(t, recs, Options{}, comp("PyPI", "pkg", "1.0"))
	if len(res.Findings) != 2 {
		t.Fatalf("got %d findings, want 2: %+v", len(res.Findings), res.Findings)
	}
	byID := map[string]Finding{}
	for _, f := range res.Findings {
		byID[f.ID] = f
	}
	f, ok := byID["CVE-2024-1000"]
	if !ok {
		t.Fatalf("no finding CVE-2024-1000: %v", res.Findings)
	}
	wantAliases := []string{"CVE-2024-1000", "GHSA-aaaa-bbbb-cccc", "GHSA-xxxx-yyyy-zzzz", "OSV-2024-9", "PYSEC-2024-1"}
	if !slices.Equal(f.Aliases, wantAliases) {
		t.Errorf("aliases %v, want %v", f.Aliases, wantAliases)
	}
	var evIDs []string
	for _, e := range f.Evidence {
		evIDs = append(evIDs, e.RecordID)
	}
	if want := []string{"GHSA-xxxx-yyyy-zzzz", "OSV-2024-9", "PYSEC-2024-1"}; !slices.Equal(evIDs, want) {
		t.Errorf("evidence records %v, want %v", evIDs, want)
	}
	if f.Summary != "summary of GHSA-xxxx-yyyy-zzzz" {
		t.Errorf("summary %q, want the GHSA record's", f.Summary)
	}
	if _, ok := byID["CVE-2024-2000"]; !ok {
		t.Errorf("the distinct vulnerability was merged away: %v", res.Findings)
	}
}

func TestPreferredID(t *testing.T) {
	tests := []struct {
		ids      []string
		fallback string
		want     string
	}{
		{[]string{"CVE-2021-10000", "CVE-2021-9999", "GHSA-a"}, "GHSA-a", "CVE-2021-9999"},
		{[]string{"GHSA-b", "GO-2022-1", "PYSEC-1"}, "GO-2022-1", "GHSA-b"},
		{[]string{"GO-2022-1", "PYSEC-1"}, "GO-2022-1", "GO-2022-1"},
	}
	for _, tt := range tests {
		ids := slices.Clone(tt.ids)
		slices.SortFunc(ids, compareIDs)
		if got := preferredID(ids, tt.fallback); got != tt.want {
			t.Errorf("preferredID(%v) = %q, want %q", tt.ids, got, tt.want)
		}
	}
}

func TestWithdrawnSkipped(t *testing.T) {
	r := rec("PYSEC-W", nil, aff("PyPI", "redis", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"))}))
	r.Withdrawn = time.Date(2023, 6, 6, 0, 0, 0, 0, time.UTC)
	res := run(t, []*osv.Vulnerability{r}, Options{}, comp("PyPI", "redis", "4.0.0"))
	if len(res.Findings) != 0 {
		t.Errorf("withdrawn record matched: %+v", res.Findings)
	}
	if !hasNote(res, "PYSEC-W: withdrawn") {
		t.Errorf("no note for the withdrawn record: %v", res.Notes)
	}
}

func TestFixes(t *testing.T) {
	tests := []struct {
		name          string
		eco, version  string
		recs          []*osv.Vulnerability
		wantFixed     []string
		wantMinimum   string
		wantFindings  int
		componentName string
	}{
		{
			name: "line_fix", eco: "Go", version: "v1.15.3",
			recs: []*osv.Vulnerability{rec("GO-1", nil, aff("Go", "m", []osv.Range{rng("SEMVER",
				ev("introduced", "0"), ev("fixed", "1.14.14"), ev("introduced", "1.15.0"), ev("fixed", "1.15.7"))}))},
			wantFixed: []string{"v1.15.7"}, wantMinimum: "v1.15.7", wantFindings: 1,
		},
		{
			name: "lower_line_fix_is_minimum", eco: "Go", version: "v1.14.3",
			recs: []*osv.Vulnerability{rec("GO-1", nil, aff("Go", "m", []osv.Range{rng("SEMVER",
				ev("introduced", "0"), ev("fixed", "1.14.14"), ev("introduced", "1.15.0"), ev("fixed", "1.15.7"))}))},
			wantFixed: []string{"v1.14.14"}, wantMinimum: "v1.14.14", wantFindings: 1,
		},
		{
			// Like netty's GHSA-5mcr-gq6c-3hq2 (fixed 4.1.59.Final) and
			// GHSA-269q-hmxg-m83q (fixed 4.1.77.Final), which alias each other.
			name: "merged_records_raise_the_fix", eco: "Maven", version: "4.1.50.Final",
			recs: []*osv.Vulnerability{
				rec("GHSA-1", []string{"CVE-1", "GHSA-2"}, aff("Maven", "m", []osv.Range{rng("ECOSYSTEM", ev("introduced", "4.0.0"), ev("fixed", "4.1.59.Final"))})),
				rec("GHSA-2", []string{"CVE-1", "GHSA-1"}, aff("Maven", "m", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "4.1.77.Final"))})),
			},
			wantFixed: []string{"4.1.59.Final", "4.1.77.Final"}, wantMinimum: "4.1.77.Final", wantFindings: 1,
		},
		{
			name: "only_last_affected", eco: "npm", version: "1.0.0",
			recs:      []*osv.Vulnerability{rec("GHSA-3", nil, aff("npm", "m", []osv.Range{rng("SEMVER", ev("introduced", "0"), ev("last_affected", "2.0.0"))}))},
			wantFixed: nil, wantMinimum: "", wantFindings: 1,
		},
		{
			name: "fix_listed_as_affected_elsewhere", eco: "PyPI", version: "1.0",
			recs: []*osv.Vulnerability{
				rec("PYSEC-1", []string{"CVE-9"}, aff("PyPI", "m", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "1.1")), rng("ECOSYSTEM", ev("introduced", "2.0"), ev("fixed", "2.1"))})),
				rec("GHSA-4", []string{"CVE-9"}, aff("PyPI", "m", nil, "1.0", "1.1")),
			},
			wantFixed: []string{"1.1"}, wantMinimum: "2.1", wantFindings: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.recs, Options{}, comp(tt.eco, "m", tt.version))
			if len(res.Findings) != tt.wantFindings {
				t.Fatalf("got %d findings, want %d: %+v", len(res.Findings), tt.wantFindings, res.Findings)
			}
			f := res.Findings[0]
			if !slices.Equal(f.FixedVersions, tt.wantFixed) {
				t.Errorf("FixedVersions %v, want %v", f.FixedVersions, tt.wantFixed)
			}
			if f.MinimumFix != tt.wantMinimum {
				t.Errorf("MinimumFix %q, want %q", f.MinimumFix, tt.wantMinimum)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	v31 := osv.Severity{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}                   // 9.8
	v30 := osv.Severity{Type: "CVSS_V3", Score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}                   // 7.5
	v4 := osv.Severity{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"} // 6.9
	v2 := osv.Severity{Type: "CVSS_V2", Score: "AV:N/AC:L/Au:N/C:P/I:P/A:P"}                                      // 7.5
	bad := osv.Severity{Type: "CVSS_V3", Score: "CVSS:3.1/AV:X"}
	tests := []struct {
		name  string
		sev   []osv.Severity
		dbSev string
		want  Severity
		note  bool
	}{
		{"v4_preferred", []osv.Severity{v31, v4}, "", Severity{LevelMedium, 6.9, v4.Score, SeverityCVSSv4}, false},
		{"v3_1", []osv.Severity{v31}, "MODERATE", Severity{LevelCritical, 9.8, v31.Score, SeverityCVSSv3}, false},
		{"v3_highest", []osv.Severity{v30, v31}, "", Severity{LevelCritical, 9.8, v31.Score, SeverityCVSSv3}, false},
		{"v3_0", []osv.Severity{v30}, "", Severity{LevelHigh, 7.5, v30.Score, SeverityCVSSv3}, false},
		{"v2", []osv.Severity{v2}, "", Severity{LevelHigh, 7.5, v2.Score, SeverityCVSSv2}, false},
		{"database_specific", nil, "MODERATE", Severity{Level: LevelMedium, Type: SeverityDatabaseSpecific}, false},
		{"bad_vector_falls_back", []osv.Severity{bad}, "HIGH", Severity{Level: LevelHigh, Type: SeverityDatabaseSpecific}, true},
		{"unknown", nil, "", Severity{Level: LevelUnknown}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rec("GHSA-S", nil, aff("npm", "p", []osv.Range{rng("SEMVER", ev("introduced", "0"))}))
			r.Severity = tt.sev
			if tt.dbSev != "" {
				r.DatabaseSpecific = map[string]any{"severity": tt.dbSev}
			}
			res := run(t, []*osv.Vulnerability{r}, Options{}, comp("npm", "p", "1.0.0"))
			if len(res.Findings) != 1 {
				t.Fatalf("got %d findings", len(res.Findings))
			}
			f := res.Findings[0]
			if f.Severity != tt.want {
				t.Errorf("severity %+v, want %+v", f.Severity, tt.want)
			}
			if got := len(f.Notes) > 0; got != tt.note {
				t.Errorf("notes %v, want a note: %v", f.Notes, tt.note)
			}
		})
	}
}

func TestCVSSLevels(t *testing.T) {
	for score, want := range map[float64]string{0: LevelNone, 0.1: LevelLow, 3.9: LevelLow, 4.0: LevelMedium, 6.9: LevelMedium, 7.0: LevelHigh, 8.9: LevelHigh, 9.0: LevelCritical, 10: LevelCritical} {
		if got := cvssLevel(score); got != want {
			t.Errorf("cvssLevel(%v) = %q, want %q", score, got, want)
		}
	}
}

func TestKEVAndOrder(t *testing.T) {
	all := []osv.Range{rng("SEMVER", ev("introduced", "0"))}
	crit := []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
	low := []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N"}}
	mk := func(id string, aliases []string, sev []osv.Severity) *osv.Vulnerability {
		r := rec(id, aliases, aff("npm", "p", all))
		r.Severity = sev
		return r
	}
	recs := []*osv.Vulnerability{
		mk("GHSA-crit", []string{"CVE-2024-1"}, crit),
		mk("GHSA-low-kev-new", []string{"CVE-2024-2"}, low),
		mk("GHSA-low-kev-old", []string{"CVE-2024-4", "CVE-2024-3"}, low),
		mk("GHSA-unknown", nil, nil),
		mk("GHSA-crit-b", []string{"CVE-2024-0"}, crit),
	}
	kev := KEVMap{
		"CVE-2024-2": {CVEID: "CVE-2024-2", DateAdded: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)},
		"CVE-2024-3": {CVEID: "CVE-2024-3", DateAdded: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		"CVE-2024-4": {CVEID: "CVE-2024-4", DateAdded: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	res := run(t, recs, Options{KEV: kev}, comp("npm", "p", "1.0.0"))
	var got []string
	for _, f := range res.Findings {
		k := ""
		if f.KEV != nil {
			k = "+" + f.KEV.CVEID
		}
		got = append(got, f.ID+k)
	}
	want := []string{"CVE-2024-3+CVE-2024-4", "CVE-2024-2+CVE-2024-2", "CVE-2024-0", "CVE-2024-1", "GHSA-unknown"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}

	res = run(t, recs, Options{}, comp("npm", "p", "1.0.0"))
	for _, f := range res.Findings {
		if f.KEV != nil {
			t.Errorf("KEV set without a KEV source: %+v", f)
		}
	}
}

func TestBadDataBecomesNotes(t *testing.T) {
	recs := []*osv.Vulnerability{
		// CRAN's order rejects versions that are not numbers.
		rec("RSEC-BADEVENT", nil, aff("CRAN", "p", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "not a version!"))})),
		rec("RSEC-LIST", nil, aff("CRAN", "p", nil, "garbage version")),
		rec("GHA-1", nil, aff("GitHub Actions", "owner/action", []osv.Range{rng("ECOSYSTEM", ev("introduced", "0"), ev("fixed", "2.0"))}, "v1")),
		nil,
		rec("EMPTY-1", nil, osv.Affected{}),
	}
	res := run(t, recs, Options{},
		comp("CRAN", "p", "1.0"),
		comp("CRAN", "p", "garbage version"),
		comp("GitHub Actions", "owner/action", "v1"),
		comp("GitHub Actions", "owner/action", "v1.5"),
		comp("PyPI", "p", ""),
	)
	want := []string{"1.0:RSEC-BADEVENT", "garbage version:RSEC-LIST", "v1:GHA-1"}
	if got := matchedIDs(res); !slices.Equal(got, want) {
		t.Errorf("matched %v, want %v", got, want)
	}
	for _, f := range res.Findings {
		e := f.Evidence[0]
		wantType, wantEvents := RangeVersions, []string{"listed in versions"}
		if e.RecordID == "RSEC-BADEVENT" {
			wantType, wantEvents = "ECOSYSTEM", []string{"introduced 0"} // the broken fixed event is gone
		}
		if e.RangeType != wantType || !slices.Equal(e.Events, wantEvents) {
			t.Errorf("%s: evidence %s %v, want %s %v", e.RecordID, e.RangeType, e.Events, wantType, wantEvents)
		}
	}
	for _, n := range []string{
		`RSEC-BADEVENT: event "fixed not a version!" ignored`,
		`version "garbage version" does not parse as a CRAN version`,
		"ecosystem GitHub Actions: no version order",
		"GHA-1: ECOSYSTEM range",
		"no version: not matched",
	} {
		if !hasNote(res, n) {
			t.Errorf("no note containing %q in %q", n, res.Notes)
		}
	}
}

// countingSource records the queries it gets.
type countingSource struct {
	inner Source
	calls map[string][]string
	err   error
}

func (c *countingSource) Vulnerabilities(ctx context.Context, eco string, names []string) (map[string][]*osv.Vulnerability, error) {
	if c.err != nil {
		return nil, c.err
	}
	c.calls[eco] = append(c.calls[eco], names...)
	return c.inner.Vulnerabilities(ctx, eco, names)
}

type failingKEV struct{}

func (failingKEV) KEV(context.Context, []string) (map[string]KEV, error) {
	return nil, errors.New("catalog unreadable")
}

func TestSourceUse(t *testing.T) {
	r := rec("GHSA-1", []string{"CVE-1"}, aff("npm", "a", []osv.Range{rng("SEMVER", ev("introduced", "0"))}))
	inv := &inventory.Inventory{Components: []inventory.Component{
		comp("npm", "a", "1.0.0"), comp("npm", "b", "1.0.0"), comp("npm", "a", "2.0.0"),
		comp("pypi", "Django", "1.0"), comp("Go", "stdlib", "1.22"),
	}}
	src := &countingSource{inner: NewMemorySource([]*osv.Vulnerability{r}), calls: map[string][]string{}}
	if _, err := Match(context.Background(), inv, src, Options{}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"npm": {"a", "b"}, "PyPI": {"django"}, "Go": {"stdlib", "toolchain"}}
	if len(src.calls) != len(want) {
		t.Errorf("queries %v, want %v", src.calls, want)
	}
	for eco, names := range want {
		if !slices.Equal(src.calls[eco], names) {
			t.Errorf("%s: queried %v, want %v (one query per ecosystem)", eco, src.calls[eco], names)
		}
	}

	src.err = errors.New("store closed")
	if _, err := Match(context.Background(), inv, src, Options{}); err == nil || !strings.Contains(err.Error(), "store closed") {
		t.Errorf("source failure: err = %v", err)
	}
	if _, err := Match(context.Background(), inv, NewMemorySource([]*osv.Vulnerability{r}), Options{KEV: failingKEV{}}); err == nil {
		t.Error("KEV failure was not reported")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Match(ctx, inv, NewMemorySource(nil), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
	if _, err := Match(context.Background(), nil, src, Options{}); err == nil {
		t.Error("nil inventory accepted")
	}
}

func TestEvidenceEvents(t *testing.T) {
	tests := []struct {
		name, eco, version string
		r                  osv.Range
		want               []string
	}{
		{"second_line", "Go", "v1.15.3", rng("SEMVER", ev("introduced", "0"), ev("fixed", "1.14.14"), ev("introduced", "1.15.0"), ev("fixed", "1.15.7")),
			[]string{"introduced 1.15.0", "fixed 1.15.7"}},
		{"first_line", "Go", "v1.2.0", rng("SEMVER", ev("introduced", "0"), ev("fixed", "1.14.14"), ev("introduced", "1.15.0"), ev("fixed", "1.15.7")),
			[]string{"introduced 0", "fixed 1.14.14"}},
		{"last_affected", "PyPI", "2.1", rng("ECOSYSTEM", ev("introduced", "2.0"), ev("last_affected", "2.3")),
			[]string{"introduced 2.0", "last_affected 2.3"}},
		{"limit", "npm", "1.5.0", rng("SEMVER", ev("introduced", "1.0.0"), ev("limit", "2.0.0")),
			[]string{"introduced 1.0.0", "limit 2.0.0"}},
		{"unfixed", "npm", "9.0.0", rng("SEMVER", ev("introduced", "0")),
			[]string{"introduced 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, []*osv.Vulnerability{rec("R-1", nil, aff(tt.eco, "m", []osv.Range{tt.r}))}, Options{}, comp(tt.eco, "m", tt.version))
			if len(res.Findings) != 1 {
				t.Fatalf("got %d findings", len(res.Findings))
			}
			e := res.Findings[0].Evidence[0]
			if e.RangeType != tt.r.Type || !slices.Equal(e.Events, tt.want) || e.Package != "m" || e.Ecosystem != tt.eco {
				t.Errorf("evidence %+v, want %s %v", e, tt.r.Type, tt.want)
			}
		})
	}
}
