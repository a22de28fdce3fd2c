package match

import (
	"strings"
	"testing"
)

// TestNumericKeyOrder checks that numericKey compares plain release
// versions exactly as osv-scalibr/semantic does in every numericOrder.
func TestNumericKeyOrder(t *testing.T) {
	var vs []string
	parts := []string{"0", "1", "2", "9", "10", "11", "100", "999999999"}
	for _, a := range parts {
		vs = append(vs, a)
		for _, b := range parts[:5] {
			vs = append(vs, a+"."+b)
			for _, c := range parts[:4] {
				vs = append(vs, a+"."+b+"."+c)
				for _, d := range []string{"0", "3"} {
					vs = append(vs, a+"."+b+"."+c+"."+d)
				}
			}
		}
	}
	for _, bad := range []string{"01", "1.", ".1", "1..2", "1.2.3.4.5", "1234567890", "v1", "1.2-rc1", "1.2+b", "", "1.0a"} {
		if k := numericKeyOf(bad, 4); k.n != 0 {
			t.Errorf("numericKeyOf(%q) = %v, want none", bad, k)
		}
	}
	vc := newVersionCache()
	for _, order := range []string{orderSemver, "Go", "npm", "PyPI", "Maven", "crates.io"} {
		for _, a := range vs {
			pa := vc.parsed(order, a)
			if k := numericKeyOf(a, numericParts(order)); k.n > 0 && (pa.err != nil || pa.key != k) {
				// versionCache.quick relies on plain release versions parsing
				t.Fatalf("%s %q: numeric key %v, parse %v, %v", order, a, k, pa.key, pa.err)
			}
			if pa.err != nil {
				continue
			}
			if pa.key.n == 0 {
				if strings.Count(a, ".") < numericParts(order) {
					t.Fatalf("%s %q: no numeric key", order, a)
				}
				continue
			}
			for _, b := range vs {
				pb := vc.parsed(order, b)
				if pb.err != nil || pb.key.n == 0 {
					continue
				}
				want, err := compareVersions(pa.v, pb.v)
				if err != nil {
					continue
				}
				if got := compareNumeric(pa.key, pb.key); got != want {
					t.Errorf("%s: %q vs %q: numeric %d, semantic %d", order, a, b, got, want)
				}
			}
		}
	}
}
