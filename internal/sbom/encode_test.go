package sbom

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	goldenfile "github.com/craft-cra/craft/internal/golden"
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
			goldenfile.Check(t, tc.golden, got, *update)
		})
	}
}

// TestEncodeOrderIndependent shuffles the inventory: the reproducible output
// must not depend on the order the scan found things in.
func TestEncodeOrderIndependent(t *testing.T) {
	inv := loadInventory(t, "testdata/inventory.json")
	shuffled := loadInventory(t, "testdata/inventory.json")
	slices.Reverse(shuffled.Components)
	slices.Reverse(shuffled.Files)
	for i := range shuffled.Components {
		slices.Reverse(shuffled.Components[i].Licenses)
		slices.Reverse(shuffled.Components[i].Hashes)
	}
	for _, format := range []Format{CycloneDXJSON, CycloneDXXML, SPDXJSON} {
		if !bytes.Equal(encode(t, format, inv, testMetadata()), encode(t, format, shuffled, testMetadata())) {
			t.Errorf("%s: output depends on input order", format)
		}
	}
}

// TestEncodeSerial checks where serials come from: the content when
// reproducible (a change in content changes it), chance otherwise.
func TestEncodeSerial(t *testing.T) {
	inv := loadInventory(t, "testdata/inventory.json")
	serial := func(meta Metadata, inv *inventory.Inventory) string {
		doc, err := Parse("x", bytes.NewReader(encode(t, CycloneDXJSON, inv, meta)))
		if err != nil {
			t.Fatal(err)
		}
		return doc.CycloneDX.SerialNumber
	}
	meta := testMetadata()
	a, b := serial(meta, inv), serial(meta, inv)
	if a != b || !strings.HasPrefix(a, "urn:uuid:") || a[23] != '5' {
		t.Errorf("reproducible serials %q, %q: want equal version-5 UUIDs", a, b)
	}
	changed := loadInventory(t, "testdata/inventory.json")
	changed.Components[0].Version = "4.18.3"
	if serial(meta, changed) == a {
		t.Errorf("serial did not change with the content")
	}
	meta.Reproducible = false
	if x, y := serial(meta, inv), serial(meta, inv); x == y || x[23] != '4' {
		t.Errorf("non-reproducible serials %q, %q: want different random UUIDs", x, y)
	}
}

func TestEncodeMetadataErrors(t *testing.T) {
	inv := loadInventory(t, "testdata/inventory.json")
	for _, tc := range []struct {
		name string
		edit func(*Metadata)
		want string
	}{
		{"no_product", func(m *Metadata) { m.ProductName = " " }, "no product name"},
		{"bad_email", func(m *Metadata) { m.ManufacturerEmail = "security team" }, "e-mail"},
		{"named_email", func(m *Metadata) { m.ManufacturerEmail = "PSIRT <psirt@example.com>" }, "e-mail"},
		{"bad_url", func(m *Metadata) { m.ManufacturerURL = "example.com" }, "URL"},
		{"bad_purl", func(m *Metadata) { m.ProductPURL = "pkg:" }, "purl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			meta := testMetadata()
			tc.edit(&meta)
			err := Encode(io.Discard, CycloneDXJSON, inv, meta)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one about %s", err, tc.want)
			}
		})
	}
	if err := Encode(io.Discard, "cyclonedx-protobuf", inv, testMetadata()); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("unknown format: err = %v", err)
	}
	if err := Encode(io.Discard, CycloneDXJSON, nil, testMetadata()); err == nil {
		t.Errorf("nil inventory: no error")
	}
	dup := loadInventory(t, "testdata/inventory.json")
	dup.Components = append(dup.Components, dup.Components[0])
	if err := Encode(io.Discard, SPDXJSON, dup, testMetadata()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate IDs: err = %v", err)
	}
}

func TestSourceDateEpoch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"0", "1970-01-01T00:00:00Z", true},
		{"1767225600", "2026-01-01T00:00:00Z", true},
		{" 1767225600\n", "2026-01-01T00:00:00Z", true},
		{"-1", "", false},
		{"1.5", "", false},
		{"yesterday", "", false},
		{"99999999999999", "", false},
	} {
		got, err := SourceDateEpoch(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("SourceDateEpoch(%q) err = %v", tc.in, err)
			continue
		}
		if tc.ok && got.Format(time.RFC3339) != tc.want {
			t.Errorf("SourceDateEpoch(%q) = %s, want %s", tc.in, got.Format(time.RFC3339), tc.want)
		}
	}
}

// TestEncodeMatchesLibraryConversion proves that writing the BOM directly
// gives the same bytes as cyclonedx-go's own conversion to 1.6, so the
// faster path cannot put a field into the SBOM that 1.6 does not have.
func TestEncodeMatchesLibraryConversion(t *testing.T) {
	inv := &inventory.Inventory{Root: ".", Source: "directory", Components: []inventory.Component{
		{ID: "pkg:npm/a@1.0.0", Name: "a", Version: "1.0.0", Ecosystem: "npm", PURL: "pkg:npm/a@1.0.0", Locations: []string{"package-lock.json"}, DependsOn: []string{"pkg:npm/b@2.0.0"}, Licenses: []string{"MIT"}, Hashes: []inventory.Hash{{Algorithm: "SHA-512", Value: strings.Repeat("ab", 64)}}},
		{ID: "pkg:npm/b@2.0.0", Name: "b", Version: "2.0.0", Ecosystem: "npm", PURL: "pkg:npm/b@2.0.0", Locations: []string{"package-lock.json"}, Relationship: inventory.RelationshipTransitive},
	}, Files: []inventory.SourceFile{{Path: "package-lock.json", SHA512: strings.Repeat("cd", 64), Size: 10}}}
	meta := Metadata{ProductName: "p", ProductVersion: "1", ManufacturerName: "m", ManufacturerEmail: "m@example.com", Reproducible: true}
	for _, ff := range []cdx.BOMFileFormat{cdx.BOMFileFormatJSON, cdx.BOMFileFormatXML} {
		g, err := newGraph(inv, meta)
		if err != nil {
			t.Fatal(err)
		}
		bom, err := cycloneDXBOM(g, meta)
		if err != nil {
			t.Fatal(err)
		}
		var direct, converted bytes.Buffer
		if err := cdx.NewBOMEncoder(&direct, ff).SetPretty(true).Encode(bom); err != nil {
			t.Fatal(err)
		}
		if err := cdx.NewBOMEncoder(&converted, ff).SetPretty(true).EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(direct.Bytes(), converted.Bytes()) {
			t.Errorf("format %v: direct encoding differs from the library's 1.6 conversion\n--- direct\n%s\n--- converted\n%s", ff, direct.String(), converted.String())
		}
	}
}

// TestEncodeEmptyInventory: a tree without components still gets a
// schema-valid SBOM (an empty components array, not null).
func TestEncodeEmptyInventory(t *testing.T) {
	inv := &inventory.Inventory{Root: ".", Source: "directory"}
	meta := Metadata{ProductName: "p", ManufacturerEmail: "m@example.com", Reproducible: true}
	for _, f := range []Format{CycloneDXJSON, SPDXJSON} {
		var buf bytes.Buffer
		if err := Encode(&buf, f, inv, meta); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		problems, err := Validate("empty", buf.Bytes())
		if err != nil || len(problems) > 0 {
			t.Errorf("%s: empty SBOM is not schema-valid: %v %v", f, err, problems)
		}
	}
}

// TestEncodeMixedLicences: an SPDX expression and free text for one
// component (two lockfiles disagreeing) still give a schema-valid SBOM.
func TestEncodeMixedLicences(t *testing.T) {
	inv := &inventory.Inventory{Root: ".", Source: "directory", Components: []inventory.Component{
		{ID: "pkg:npm/a@1.0.0", Name: "a", Version: "1.0.0", Ecosystem: "npm", PURL: "pkg:npm/a@1.0.0",
			Licenses: []string{"(MIT OR Apache-2.0)", "SEE LICENSE IN LICENSE.txt"}},
	}}
	meta := Metadata{ProductName: "p", ManufacturerEmail: "m@example.com", Reproducible: true}
	for _, f := range []Format{CycloneDXJSON, SPDXJSON} {
		var buf bytes.Buffer
		if err := Encode(&buf, f, inv, meta); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		problems, err := Validate("mixed", buf.Bytes())
		if err != nil || len(problems) > 0 {
			t.Errorf("%s: not schema-valid: %v %v", f, err, problems)
		}
		if f == CycloneDXJSON && !strings.Contains(buf.String(), "LicenseRef-SEE-LICENSE-IN-LICENSE.txt") {
			t.Errorf("free-text licence not kept as a LicenseRef:\n%s", buf.String())
		}
	}
}
