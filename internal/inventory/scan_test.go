package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestScanGolden scans each fixture tree and compares the whole Inventory
// with its golden JSON.
func TestScanGolden(t *testing.T) {
	for _, tree := range []string{"polyglot", "broken", "osv-scanner"} {
		t.Run(tree, func(t *testing.T) {
			inv, err := Scan(context.Background(), filepath.Join("testdata", "trees", tree), Options{})
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			got, err := json.MarshalIndent(inv, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", tree+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Scan(%s) differs from %s (-want +got):\n%s\nrerun with -update and review the diff", tree, golden, cmp.Diff(string(want), string(got)))
			}
		})
	}
}
