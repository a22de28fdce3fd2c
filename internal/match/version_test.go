package match

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionOrderingVectors checks every ordering vector of osv-scalibr's
// semantic test data through the comparison Match uses (versionCache.parse
// and compareVersions), in both directions.
func TestVersionOrderingVectors(t *testing.T) {
	files := map[string][]string{
		"semver-versions.txt":              {orderSemver, "npm", "Go", "crates.io", "Hex"},
		"alpine-versions.txt":              {"Alpine"},
		"alpine-versions-generated.txt":    {"Alpine"},
		"cran-versions.txt":                {"CRAN"},
		"cran-versions-generated.txt":      {"CRAN"},
		"debian-versions.txt":              {"Debian"},
		"debian-versions-generated.txt":    {"Debian"},
		"hackage-versions.txt":             {"Hackage"},
		"maven-versions.txt":               {"Maven"},
		"maven-versions-generated.txt":     {"Maven"},
		"nuget-versions.txt":               {"NuGet"},
		"packagist-versions.txt":           {"Packagist"},
		"packagist-versions-generated.txt": {"Packagist"},
		"pub-versions.txt":                 {"Pub"},
		"pypi-versions.txt":                {"PyPI"},
		"pypi-versions-generated.txt":      {"PyPI"},
		"redhat-versions.txt":              {"Red Hat"},
		"rubygems-versions.txt":            {"RubyGems"},
		"rubygems-versions-generated.txt":  {"RubyGems"},
	}
	entries, err := os.ReadDir("testdata/versions")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txt") {
			seen++
			if _, ok := files[e.Name()]; !ok {
				t.Errorf("testdata/versions/%s has no ecosystem in this test", e.Name())
			}
		}
	}
	if seen != len(files) {
		t.Errorf("found %d vector files, the test names %d", seen, len(files))
	}
	for file, orders := range files {
		for _, order := range orders {
			t.Run(strings.ReplaceAll(order, " ", "_")+"/"+file, func(t *testing.T) {
				checkVectorFile(t, filepath.Join("testdata/versions", file), order)
			})
		}
	}
}

func checkVectorFile(t *testing.T, path, order string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vc := newVersionCache()
	sc := bufio.NewScanner(f)
	total, failed := 0, 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "// ") {
			continue
		}
		parts := strings.Split(line, " ")
		if len(parts) != 3 {
			t.Fatalf("%s:%d: want \"a op b\", got %q", path, n, line)
		}
		want := map[string]int{"<": -1, "=": 0, ">": 1}[parts[1]]
		if _, ok := map[string]bool{"<": true, "=": true, ">": true}[parts[1]]; !ok {
			t.Fatalf("%s:%d: unknown operator %q", path, n, parts[1])
		}
		total++
		for _, dir := range []struct {
			a, b string
			want int
		}{{parts[0], parts[2], want}, {parts[2], parts[0], -want}} {
			a, err := vc.parse(order, dir.a)
			if err != nil {
				t.Errorf("%s:%d: parse %q: %v", path, n, dir.a, err)
				failed++
				continue
			}
			b, err := vc.parse(order, dir.b)
			if err != nil {
				t.Errorf("%s:%d: parse %q: %v", path, n, dir.b, err)
				failed++
				continue
			}
			got, err := compareVersions(a, b)
			if err != nil || got != dir.want {
				t.Errorf("%s:%d: compare(%q, %q) = %d, %v; want %d", path, n, dir.a, dir.b, got, err, dir.want)
				failed++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if total == 0 {
		t.Fatalf("%s: no vectors", path)
	}
	if failed > 0 {
		t.Errorf("%d of %d comparisons failed", failed, 2*total)
	}
}

func TestGoToolchainSemver(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.22.1", "1.22.1"},
		{"go1.22.1", "1.22.1"},
		{"v1.22.1", "1.22.1"},
		{"1.22", "1.22.0"},
		{"go1.21rc1", "1.21.0-rc.1"},
		{"go1.20beta2", "1.20.0-beta.2"},
		{" go1.19.13 ", "1.19.13"},
		{"devel +abcdef", "devel +abcdef"},
	}
	for _, tt := range tests {
		if got := goToolchainSemver(tt.in); got != tt.want {
			t.Errorf("goToolchainSemver(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCompareIDs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"CVE-2021-9999", "CVE-2021-10000", -1},
		{"CVE-2021-10000", "CVE-2021-9999", 1},
		{"CVE-2020-1", "CVE-2021-1", -1},
		{"GHSA-aaaa", "GHSA-aaab", -1},
		{"GO-2022-0001", "GO-2022-0001", 0},
		{"PYSEC-2021-01", "PYSEC-2021-1", -1}, // equal numbers: plain string order decides
		{"CVE-2021-1", "CVE-2021-1a", -1},
	}
	for _, tt := range tests {
		if got := compareIDs(tt.a, tt.b); got != tt.want {
			t.Errorf("compareIDs(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestNaturalKeyAgreesWithCompareIDs checks that sorting by naturalKey
// (then by the ID) gives compareIDs' order.
func TestNaturalKeyAgreesWithCompareIDs(t *testing.T) {
	ids := []string{
		"CVE-2021-9999", "CVE-2021-10000", "CVE-2020-1", "CVE-2021-1a", "CVE-2021-1",
		"GHSA-2268-98wh-qfhf", "GHSA-269g-pwp5-87pp", "GO-2022-0001", "GO-2022-01",
		"PYSEC-2021-01", "PYSEC-2021-1", "RUSTSEC-2024-0001", "A1", "A-1", "A:1", "A01b", "A1b", "1", "", "007",
	}
	for _, a := range ids {
		for _, b := range ids {
			want := compareIDs(a, b)
			got := strings.Compare(naturalKey(a), naturalKey(b))
			if got == 0 {
				got = strings.Compare(a, b)
			}
			if got != want {
				t.Errorf("%q vs %q: key order %d, compareIDs %d", a, b, got, want)
			}
		}
	}
}

func TestSplitEcosystem(t *testing.T) {
	tests := []struct{ in, base, suffix string }{
		{"PyPI", "PyPI", ""},
		{"pypi", "PyPI", ""},
		{"Debian:12", "Debian", "12"},
		{"debian:12", "Debian", "12"},
		{"Ubuntu:22.04:LTS", "Ubuntu", "22.04:LTS"},
		{"Maven:https://maven.google.com", "Maven", "https://maven.google.com"},
		{"golang", "Go", ""},
		{"cargo", "crates.io", ""},
		{"CRATES.IO", "crates.io", ""},
		{"deb", "deb", ""},
		{" npm ", "npm", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		base, suffix := splitEcosystem(tt.in)
		if base != tt.base || suffix != tt.suffix {
			t.Errorf("splitEcosystem(%q) = %q, %q; want %q, %q", tt.in, base, suffix, tt.base, tt.suffix)
		}
	}
}
