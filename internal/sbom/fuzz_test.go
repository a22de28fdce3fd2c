package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			// Large seeds slow every fuzzing run down; the decoders'
			// paths are covered by the small ones.
			if len(data) <= 48<<10 {
				f.Add(data)
			}
		}
	}
}

// checkDecoded holds the invariants of any successful decode: unique IDs,
// edges and roots that point at components, and an inventory that encodes
// to a document that decodes again.
func checkDecoded(t *testing.T, data []byte) {
	inv, err := Decode("fuzz", bytes.NewReader(data))
	if err != nil {
		return
	}
	ids := map[string]bool{}
	for _, c := range inv.Components {
		if ids[c.ID] {
			t.Fatalf("duplicate ID %q", c.ID)
		}
		ids[c.ID] = true
	}
	for _, c := range inv.Components {
		for _, d := range c.DependsOn {
			if !ids[d] {
				t.Fatalf("%s depends on unknown %s", c.ID, d)
			}
		}
	}
	for _, r := range inv.Roots {
		if !ids[r] {
			t.Fatalf("unknown root %s", r)
		}
	}
	meta := Metadata{ProductName: "fuzz", Reproducible: true}
	for _, format := range []Format{CycloneDXJSON, SPDXJSON} {
		var buf bytes.Buffer
		if err := Encode(&buf, format, inv, meta); err != nil {
			t.Fatalf("re-encode %s: %v", format, err)
		}
		again, err := Decode("re-encoded", &buf)
		if err != nil {
			t.Fatalf("decode re-encoded %s: %v\n%s", format, err, buf.Bytes())
		}
		if len(again.Components) != len(inv.Components) {
			t.Fatalf("%s round trip: %d components, had %d", format, len(again.Components), len(inv.Components))
		}
	}
}

func FuzzDecodeCycloneDXJSON(f *testing.F) {
	addSeeds(f, "testdata/cyclonedx/*.json", "testdata/spec/1.6/valid-*.json")
	f.Fuzz(checkDecoded)
}

func FuzzDecodeCycloneDXXML(f *testing.F) {
	addSeeds(f, "testdata/cyclonedx/*.xml")
	f.Fuzz(checkDecoded)
}

func FuzzDecodeSPDXJSON(f *testing.F) {
	addSeeds(f, "testdata/spdx/*.json")
	f.Fuzz(checkDecoded)
}

func FuzzDecodeSPDXTagValue(f *testing.F) {
	addSeeds(f, "testdata/spdx/*.spdx")
	f.Fuzz(checkDecoded)
}

func FuzzValidate(f *testing.F) {
	addSeeds(f, "testdata/spec/1.4/*.json", "testdata/spdx/*.json", "testdata/cyclonedx/sbom.cdx.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		problems, err := Validate("fuzz", data)
		if err != nil && len(problems) > 0 {
			t.Fatalf("both an error and problems")
		}
	})
}
