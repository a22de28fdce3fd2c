package sbom

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func loadInventory(t testing.TB, path string) *inventory.Inventory {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &inv
}

func testMetadata() Metadata {
	return Metadata{
		ProductName:       "example",
		ProductVersion:    "1.2.3",
		ManufacturerName:  "Example GmbH",
		ManufacturerURL:   "https://example.com",
		ManufacturerEmail: "psirt@example.com",
		ToolName:          "craft",
		ToolVersion:       "v0.0.0-test",
		Timestamp:         time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Reproducible:      true,
	}
}

func encode(t testing.TB, format Format, inv *inventory.Inventory, meta Metadata) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, format, inv, meta); err != nil {
		t.Fatalf("Encode %s: %v", format, err)
	}
	return buf.Bytes()
}

// TestEncodeGolden compares each format with its golden file, and checks
// that the output is schema-valid and identical across runs.
func TestEncodeGolden(t *testing.T) {
	inv := loadInventory(t, "testdata/inventory.json")
	for _, tc := range []struct {
		format Format
		golden string
	}{
		{CycloneDXJSON, "testdata/golden/example.cdx.json"},
		{CycloneDXXML, "testdata/golden/example.cdx.xml"},
		{SPDXJSON, "testdata/golden/example.spdx.json"},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			got := encode(t, tc.format, inv, testMetadata())
			if again := encode(t, tc.format, inv, testMetadata()); !bytes.Equal(got, again) {
				t.Fatalf("two encodings of the same inventory differ")
			}
			problems, err := Validate(tc.golden, got)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if len(problems) > 0 {
				t.Fatalf("output is not schema-valid: %v", problems)
			}
			if *update {
				if err := os.MkdirAll(filepath.Dir(tc.golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(tc.golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(tc.golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", tc.golden, got)
			}
		})
	}
}
