package match

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/craft-cra/craft/internal/osv"
)

// TestMergeAliasesSmall checks that the map-free merge of a few hits groups
// and orders them as the identifier-joining one does.
func TestMergeAliasesSmall(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ids := func(hits [][]hit) [][]string {
		var out [][]string
		for _, g := range hits {
			var ig []string
			for _, h := range g {
				ig = append(ig, h.cr.rec.ID)
			}
			out = append(out, ig)
		}
		return out
	}
	for n := 0; n < 20000; n++ {
		k := 2 + r.IntN(maxSmallMerge-1)
		hits := make([]hit, k)
		for i := range hits {
			rec := &osv.Vulnerability{ID: fmt.Sprintf("GHSA-%d", r.IntN(1000)*k+i)}
			switch r.IntN(6) {
			case 0:
				rec.ID = ""
			case 1:
				rec.ID = fmt.Sprintf("CVE-2024-%d", r.IntN(6))
			}
			for j := r.IntN(4); j > 0; j-- {
				a := []string{"", " ", fmt.Sprintf("CVE-2024-%d", r.IntN(6)), fmt.Sprintf(" CVE-2024-%d ", r.IntN(6)), fmt.Sprintf("PYSEC-%d", r.IntN(4))}[r.IntN(5)]
				rec.Aliases = append(rec.Aliases, a)
			}
			hits[i] = hit{cr: &compiledRecord{rec: rec}}
		}
		want := ids(mergeAliasesMap(cloneHits(hits)))
		got := ids(mergeAliasesSmall(cloneHits(hits)))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("hits %v: small %v, map %v", ids([][]hit{hits}), got, want)
		}
	}
}

func cloneHits(h []hit) []hit { return append([]hit(nil), h...) }
