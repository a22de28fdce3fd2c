package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/inventory"
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

// FuzzEncode builds an inventory from arbitrary strings: whatever the
// inventory holds, craft's CycloneDX and SPDX output must be schema-valid
// and decode again.
func FuzzEncode(f *testing.F) {
	f.Add("express", "4.18.2", "pkg:npm/express@4.18.2", "MIT", "TJ <tj@example.com>", "SHA-512", "ab", "package-lock.json", "dev", "Example GmbH")
	f.Add("log4j", "", "pkg:maven/org.apache/log4j@2", "Apache-2.0 OR MIT", "https://apache.org", "SHA-1", "0123456789abcdef0123456789abcdef01234567", "pom.xml", "", "")
	f.Add("", "1.0", "not a purl", "Custom licence (c)", "a@b", "MD5", "zz", "", "optional", "<>&\"")
	f.Fuzz(func(t *testing.T, name, version, purl, license, supplier, alg, hash, location, group, manufacturer string) {
		c := inventory.Component{
			ID: purl, Name: name, Version: version, PURL: purl, Ecosystem: "npm",
			Licenses: []string{license}, Supplier: supplier, Hashes: []inventory.Hash{{Algorithm: alg, Value: hash}},
			Locations: []string{location}, Groups: []string{group}, DependsOn: []string{"other", purl},
			Relationship: inventory.RelationshipDirect,
		}
		other := inventory.Component{ID: "other", Name: version, Version: name, Licenses: []string{license, "MIT"}}
		inv := &inventory.Inventory{
			Components: []inventory.Component{c, other},
			Files:      []inventory.SourceFile{{Path: location + "x", SHA512: hash}},
		}
		meta := Metadata{ProductName: "p" + name, ProductVersion: version, ManufacturerName: manufacturer, Reproducible: true}
		for _, format := range []Format{CycloneDXJSON, CycloneDXXML, SPDXJSON} {
			var buf bytes.Buffer
			if err := Encode(&buf, format, inv, meta); err != nil {
				if strings.Contains(err.Error(), "appears twice") || strings.Contains(err.Error(), "licences") ||
					strings.Contains(err.Error(), "CycloneDX allows") {
					return // refused by design: duplicate IDs, mixed licence forms, over-long versions
				}
				t.Fatalf("Encode %s: %v", format, err)
			}
			problems, err := Validate("fuzz", buf.Bytes())
			if err != nil || len(problems) > 0 {
				t.Fatalf("%s output not valid: %v %v\n%s", format, err, problems, buf.Bytes())
			}
			if _, err := Decode("fuzz", bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatalf("%s output does not decode: %v", format, err)
			}
		}
	})
}
