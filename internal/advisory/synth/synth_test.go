package synth

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestDeterministic: the same config yields the same records, so benchmark
// figures are comparable across runs.
func TestDeterministic(t *testing.T) {
	a, b := New(Config{Records: 50, Seed: 3}), New(Config{Records: 50, Seed: 3})
	n := 0
	for ra := a.Next(); ra != nil; ra = a.Next() {
		rb := b.Next()
		if !bytes.Equal(ra, rb) {
			t.Fatalf("record %d differs", n)
		}
		var v struct {
			ID       string `json:"id"`
			Affected []struct {
				Package struct{ Ecosystem, Name string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(ra, &v); err != nil || v.ID == "" || len(v.Affected) == 0 || v.Affected[0].Package.Name == "" {
			t.Fatalf("record %d: %s (%v)", n, ra, err)
		}
		n++
	}
	if n != 50 || b.Next() != nil {
		t.Errorf("generated %d records, want 50", n)
	}
	if c := New(Config{Records: 1, Seed: 4}).Next(); bytes.Equal(c, New(Config{Records: 1, Seed: 3}).Next()) {
		t.Error("different seeds gave the same record")
	}
}

// TestLookupNames: the requested share of names exists in the generated set.
func TestLookupNames(t *testing.T) {
	cfg := Config{Records: 3000, Seed: 1}
	g := New(cfg)
	exists := map[string]bool{}
	for p := range g.Packages() {
		exists[Ecosystem(p)+"/"+Name(p)] = true
	}
	hits, total := 0, 0
	for eco, names := range LookupNames(cfg, 2000, 0.25, 9) {
		for _, n := range names {
			total++
			if exists[eco+"/"+n] {
				hits++
			}
		}
	}
	if total != 2000 || hits < 400 || hits > 600 {
		t.Errorf("%d names, %d existing; want 2000 and about 500", total, hits)
	}
}
