package vex

import (
	"fmt"
	"testing"
	"time"

	govex "github.com/openvex/go-vex/pkg/vex"
)

// bigOpenVEX is a document with n statements of the shape craft writes.
func bigOpenVEX(n int) *govex.VEX {
	ts := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	v := &govex.VEX{Metadata: govex.Metadata{Author: "Example GmbH", Timestamp: &ts, Version: 2}}
	for i := range n {
		st := ts.Add(time.Duration(i%7) * time.Hour)
		s := govex.Statement{
			Vulnerability: govex.Vulnerability{Name: govex.VulnerabilityID(fmt.Sprintf("CVE-2026-%05d", n-i)),
				Aliases: []govex.VulnerabilityID{govex.VulnerabilityID(fmt.Sprintf("GHSA-%04d", i))}},
			Status:    govex.StatusNotAffected,
			Timestamp: &st,
			Products: []govex.Product{{
				Component:     govex.Component{ID: "urn:craft:product:p:release:1.0"},
				Subcomponents: []govex.Subcomponent{{Component: govex.Component{ID: fmt.Sprintf("pkg:npm/lib-%d@1.%d.0", i, i)}}},
			}},
			Justification: govex.VulnerableCodeNotPresent,
		}
		if i%3 == 0 {
			s.Status, s.Justification = govex.StatusAffected, ""
		}
		v.Statements = append(v.Statements, s)
	}
	return v
}

// TestCanonicalHashMatchesGoVEX: the one-pass hash gives go-vex's document
// ID, so documents keep the IDs they had.
func TestCanonicalHashMatchesGoVEX(t *testing.T) {
	for _, n := range []int{0, 1, 2, 50} {
		want, err := bigOpenVEX(n).CanonicalHash()
		if err != nil {
			t.Fatal(err)
		}
		got, err := canonicalHash(bigOpenVEX(n))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%d statements: hash %s, go-vex %s", n, got, want)
		}
	}
	if _, err := canonicalHash(&govex.VEX{}); err == nil {
		t.Error("no error for a document without timestamp")
	}
}

// BenchmarkCanonicalHash: go test ./internal/vex -run '^$' -bench CanonicalHash
func BenchmarkCanonicalHash(b *testing.B) {
	for _, impl := range []struct {
		name string
		fn   func(*govex.VEX) (string, error)
	}{
		{"craft", canonicalHash},
		{"go-vex", (*govex.VEX).CanonicalHash},
	} {
		b.Run(impl.name, func(b *testing.B) {
			v := bigOpenVEX(2000)
			for b.Loop() {
				if _, err := impl.fn(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
