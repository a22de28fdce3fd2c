package sbom

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
)

func parseFile(t testing.TB, path string) *Document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(path, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return doc
}

func TestScore(t *testing.T) {
	var craftOut []byte
	{
		inv := loadInventory(t, "testdata/inventory.json")
		craftOut = encode(t, CycloneDXJSON, inv, testMetadata())
	}
	craftDoc, err := Parse("craft.cdx.json", bytes.NewReader(craftOut))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		doc         *Document
		score       int
		missingDoc  []Field
		components  int
		present     map[Field]int
		notes       int
		firstMissng []Field // Missing of the first component
	}{
		{
			// Hand-made, every TR-03183-2 field filled in.
			name: "complete", doc: parseFile(t, "testdata/cyclonedx/tr-03183-complete.cdx.json"),
			score: 100, missingDoc: nil, components: 1, firstMissng: []Field{},
		},
		{
			// craft's own output for the test inventory: 5 packages, 2 files.
			// 20 (document) + 2 (serial) + 7*(2+7+5+2+7+0+3+2+2+2)/7 = 32
			// + 2*(0+0+4+5)/7 = 2.57 → 56.
			name: "craft_output", doc: craftDoc, score: 56, components: 7,
			present: map[Field]int{
				FieldComponentCreator: 2, FieldName: 7, FieldVersion: 5, FieldFilename: 2,
				FieldDependencies: 7, FieldLicense: 0, FieldHash: 3, FieldExecutable: 2,
				FieldArchive: 2, FieldStructured: 2, FieldOtherIDs: 4, FieldDeclaredLicense: 5,
			},
		},
		{
			// XML 1.4: the version comes from the namespace; no serial,
			// timestamp or creator in this document.
			name: "laravel_xml", doc: parseFile(t, "testdata/cyclonedx/laravel-7.12.0.bom.1.4.xml"),
			missingDoc: []Field{FieldCreator, FieldTimestamp}, components: 62, notes: 1,
		},
		{
			// No metadata at all, components without anything but a name.
			name: "minimal", doc: parseFile(t, "testdata/cyclonedx/sbom.cdx.json"),
			missingDoc: []Field{FieldCreator, FieldTimestamp}, components: 2, notes: 1,
		},
		{
			// SPDX 2.3 example: it describes a file and a package, so no
			// package is taken for the product and all four are scored; its
			// creators carry empty e-mail addresses "()".
			name: "spdx_example", doc: parseFile(t, "testdata/spdx/SPDXJSONExample-v2.3.spdx.json"),
			missingDoc: []Field{FieldCreator}, components: 4, notes: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Score(tc.doc)
			if tc.score != 0 && r.Score != tc.score {
				t.Errorf("score %d, want %d (%+v)", r.Score, tc.score, r)
			}
			if r.Score < 0 || r.Score > 100 {
				t.Errorf("score %d out of range", r.Score)
			}
			if tc.missingDoc != nil && !slices.Equal(r.MissingDocument, tc.missingDoc) && !(len(tc.missingDoc) == 0 && len(r.MissingDocument) == 0) {
				t.Errorf("MissingDocument = %v, want %v", r.MissingDocument, tc.missingDoc)
			}
			if len(r.Components) != tc.components {
				t.Errorf("%d components, want %d", len(r.Components), tc.components)
			}
			for f, n := range tc.present {
				if r.Present[f] != n {
					t.Errorf("present[%s] = %d, want %d", f, r.Present[f], n)
				}
			}
			if len(r.Notes) != tc.notes {
				t.Errorf("notes %v, want %d", r.Notes, tc.notes)
			}
			if tc.firstMissng != nil && len(r.Components) > 0 && !slices.Equal(r.Components[0].Missing, tc.firstMissng) {
				t.Errorf("first component missing %v, want %v", r.Components[0].Missing, tc.firstMissng)
			}
		})
	}
}

// TestScoreMinimalIsLow checks the lower end: a document without metadata
// and with bare components scores far below a complete one.
func TestScoreMinimalIsLow(t *testing.T) {
	r := Score(parseFile(t, "testdata/cyclonedx/sbom.cdx.json"))
	// Only name and version (7+7) and the serial number (2) are there.
	if r.Score > 20 {
		t.Errorf("score %d for a bare document", r.Score)
	}
	for _, c := range r.Components {
		if !slices.Contains(c.Missing, FieldHash) || !slices.Contains(c.Missing, FieldDependencies) {
			t.Errorf("%s: missing %v, want sha-512 and dependencies among them", c.Name, c.Missing)
		}
	}
}

func TestScoreNotesVulnerabilities(t *testing.T) {
	r := Score(parseFile(t, "testdata/cyclonedx/cisa-vex-case-2.json"))
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "vulnerability information") }) {
		t.Errorf("notes %v do not flag the vulnerabilities", r.Notes)
	}
	if r := Score(parseFile(t, "testdata/cyclonedx/tr-03183-complete.cdx.json")); len(r.Notes) != 0 {
		t.Errorf("notes on a clean 1.6 document: %v", r.Notes)
	}
}
