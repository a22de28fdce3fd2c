package inventory

import (
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"testing"

	goldenfile "github.com/craft-cra/craft/internal/golden"
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
			goldenfile.Check(t, filepath.Join("testdata", "golden", tree+".json"), got, *update)
		})
	}
}
