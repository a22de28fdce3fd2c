package vex

import "testing"

func TestVersContains(t *testing.T) {
	tests := []struct {
		rng, version string
		in, ok       bool
	}{
		{"vers:semver/>=2.2.0|<=2.4.0", "2.3.0", true, true},
		{"vers:semver/>=2.2.0|<=2.4.0", "2.4.0", true, true},
		{"vers:semver/>=2.2.0|<=2.4.0", "2.4.1", false, true},
		{"vers:semver/>=2.2.0|<=2.4.0", "2.1.9", false, true},
		// Written in reverse order in the CycloneDX use cases; vers sorts.
		{"vers:semver/<7.0.0|>=1.5.0", "6.9.9", true, true},
		{"vers:semver/<7.0.0|>=1.5.0", "7.0.0", false, true},
		{"vers:semver/<1.5.0|>=7.0.0", "1.0.0", true, true},
		{"vers:semver/<1.5.0|>=7.0.0", "8.0.0", true, true},
		{"vers:semver/<1.5.0|>=7.0.0", "3.0.0", false, true},
		{"vers:generic/>=1.0|<=2.3", "2.3", true, true},
		{"vers:generic/>=1.0|<=2.3", "2.4", false, true},
		{"vers:generic/>=2.9|<=4.1", "4.0", true, true},
		{"vers:npm/1.2.3", "1.2.3", true, true},
		{"vers:npm/1.2.3|1.2.4", "1.2.5", false, true},
		{"vers:npm/!=1.2.3", "1.2.3", false, true},
		{"vers:npm/*", "9.9.9", true, true},
		{"vers:npm/<2.0.0", "1.9.9", true, true},
		{"vers:npm/>2.0.0", "2.0.0", false, true},
		{"vers:pypi/>=2.0|<3.0", "2.10", true, true},
		{"vers:pypi/>=1.0|<2.0|>=3.0|<4.0", "2.5", false, true},
		{"vers:pypi/>=1.0|<2.0|>=3.0|<4.0", "3.5", true, true},
		{"vers:maven/>=1.0|<2.0", "1.5-SNAPSHOT", true, true},
		{"vers:golang/>=v0.17.0", "v0.18.0", true, true},
		{"vers:unknown/>=1", "2", false, false},
		{"semver/>=1", "2", false, false},
		{"vers:semver", "2", false, false},
		{"vers:semver/>=", "2", false, false},
		{"vers:deb/>=1.0", "1.2.3-not-a-debian:version!@#$", false, false},
	}
	for _, tt := range tests {
		in, ok := versContains(tt.rng, tt.version)
		if in != tt.in || ok != tt.ok {
			t.Errorf("versContains(%q, %q) = %v, %v; want %v, %v", tt.rng, tt.version, in, ok, tt.in, tt.ok)
		}
	}
}

// FuzzVersContains: any range and version give an answer, never a panic;
// "*" contains everything that parses.
func FuzzVersContains(f *testing.F) {
	f.Add("vers:semver/<7.0.0|>=1.5.0", "6.9.9")
	f.Add("vers:generic/>=2.9|<=4.1", "4.0")
	f.Add("vers:pypi/>=1.0|<2.0|>=3.0|<4.0", "3.5")
	f.Add("vers:deb/>=1:1.0-1", "1:1.2-3")
	f.Add("vers:maven/!=1.0|>2.0", "1.0")
	f.Add("vers:npm/*", "x")
	f.Fuzz(func(t *testing.T, rng, version string) {
		in, ok := versContains(rng, version)
		if in && !ok {
			t.Fatalf("versContains(%q, %q) = in but not evaluable", rng, version)
		}
	})
}
