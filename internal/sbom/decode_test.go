package sbom

import (
	"bytes"
	"compress/gzip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/inventory"
)

func decodeFile(t testing.TB, path string) (*inventory.Inventory, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Decode(path, f)
}

func findComponent(inv *inventory.Inventory, id string) *inventory.Component {
	for i := range inv.Components {
		if inv.Components[i].ID == id {
			return &inv.Components[i]
		}
	}
	return nil
}

// TestDecodeReal decodes real SBOMs and checks what each must yield.
func TestDecodeReal(t *testing.T) {
	for _, tc := range []struct {
		file       string
		components int
		roots      int
		skipped    int
		check      string // component ID that must be present
		ecosystem  string // its ecosystem
		name       string // its name
		dependsOn  []string
		licenses   []string
	}{
		{file: "cyclonedx/alpine-zlib-16.cdx.json", components: 1,
			check: "pkg:apk/alpine/zlib@1.2.12-r1?arch=x86_64&distro=3.22.0&origin=zlib", ecosystem: "Alpine", name: "zlib"},
		{file: "cyclonedx/laravel-7.12.0.bom.1.4.json", components: 62, roots: 1,
			check: "pkg:composer/asm89/stack-cors@1.3.0", ecosystem: "Packagist", name: "asm89/stack-cors",
			dependsOn: []string{"pkg:composer/symfony/http-foundation@v5.4.16", "pkg:composer/symfony/http-kernel@v5.4.16"},
			licenses:  []string{"MIT"}},
		{file: "cyclonedx/laravel-7.12.0.bom.1.4.xml", components: 62, roots: 1,
			check: "pkg:composer/asm89/stack-cors@1.3.0", ecosystem: "Packagist", name: "asm89/stack-cors",
			dependsOn: []string{"pkg:composer/symfony/http-foundation@v5.4.16", "pkg:composer/symfony/http-kernel@v5.4.16"},
			licenses:  []string{"MIT"}},
		{file: "cyclonedx/cern-lhc-vdm-editor.bom.json", components: 43,
			check: "pkg:npm/agent-base@4.3.0", ecosystem: "npm", name: "agent-base", licenses: []string{"MIT"}},
		{file: "cyclonedx/sbom-with-nested-comps.cdx.json", components: 3},
		{file: "cyclonedx/sbom-with-locations.cdx.json", components: 1,
			check: "pkg:npm/%40gar%2Fpromisify@1.1.3", ecosystem: "npm", name: "@gar/promisify"},
		{file: "cyclonedx/bad-purls.cdx.xml", components: 16, skipped: 6},
		{file: "cyclonedx/with-duplicates.cdx.xml", components: 18},
		{file: "cyclonedx/minimal.cdx.json", components: 0},
		{file: "cyclonedx/cbom-example-with-dependencies.json", components: 3, roots: 1},
		{file: "spdx/SPDXJSONExample-v2.3.spdx.json", components: 4, roots: 1,
			check: "pkg:maven/org.apache.jena/apache-jena@3.12.0", ecosystem: "Maven", name: "org.apache.jena:apache-jena"},
		{file: "spdx/SPDXJSONExample-v2.2.spdx.json", components: 4, roots: 1,
			check: "pkg:maven/org.apache.jena/apache-jena@3.12.0", ecosystem: "Maven", name: "org.apache.jena:apache-jena"},
		{file: "spdx/only-unimportant.spdx.json", components: 1,
			check: "pkg:deb/ubuntu/pcre3@2%3A8.39-12ubuntu0.1?arch=amd64&distro=focal&source=pcre3", ecosystem: "Ubuntu", name: "pcre3"},
		{file: "spdx/purl_and_cpe.spdx.json", components: 2, roots: 2},
		{file: "spdx/multi_descendant.spdx.json", components: 3},
		{file: "spdx/tag-value-format.spdx", components: 0},
	} {
		t.Run(strings.ReplaceAll(tc.file, "/", "_"), func(t *testing.T) {
			inv, err := decodeFile(t, "testdata/"+tc.file)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if inv.Source != "sbom" || inv.Root != "testdata/"+tc.file {
				t.Errorf("Source, Root = %q, %q", inv.Source, inv.Root)
			}
			if len(inv.Components) != tc.components {
				t.Errorf("%d components, want %d", len(inv.Components), tc.components)
			}
			if len(inv.Roots) != tc.roots {
				t.Errorf("%d roots %v, want %d", len(inv.Roots), inv.Roots, tc.roots)
			}
			if len(inv.Skipped) != tc.skipped {
				t.Errorf("%d skipped %v, want %d", len(inv.Skipped), inv.Skipped, tc.skipped)
			}
			ids := map[string]bool{}
			for _, c := range inv.Components {
				if ids[c.ID] {
					t.Errorf("duplicate component ID %q", c.ID)
				}
				ids[c.ID] = true
			}
			for _, c := range inv.Components {
				for _, d := range c.DependsOn {
					if !ids[d] {
						t.Errorf("%s depends on unknown %s", c.ID, d)
					}
				}
			}
			if tc.check == "" {
				return
			}
			c := findComponent(inv, tc.check)
			if c == nil {
				t.Fatalf("no component %q", tc.check)
			}
			if c.Ecosystem != tc.ecosystem || c.Name != tc.name {
				t.Errorf("ecosystem, name = %q, %q; want %q, %q", c.Ecosystem, c.Name, tc.ecosystem, tc.name)
			}
			if tc.dependsOn != nil && !slices.Equal(c.DependsOn, tc.dependsOn) {
				t.Errorf("DependsOn = %v, want %v", c.DependsOn, tc.dependsOn)
			}
			if tc.licenses != nil && !slices.Equal(c.Licenses, tc.licenses) {
				t.Errorf("Licenses = %v, want %v", c.Licenses, tc.licenses)
			}
		})
	}
}

// TestRoundTrip encodes the test inventory in every format and decodes it
// again: what each format can carry must come back unchanged.
func TestRoundTrip(t *testing.T) {
	inv := loadInventory(t, "testdata/inventory.json")
	for _, format := range []Format{CycloneDXJSON, CycloneDXXML, SPDXJSON} {
		t.Run(string(format), func(t *testing.T) {
			data := encode(t, format, inv, testMetadata())
			got, err := Decode("roundtrip", bytes.NewReader(data))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(got.Components) != len(inv.Components) {
				t.Fatalf("%d components back, want %d", len(got.Components), len(inv.Components))
			}
			wantRoots := []string{"pkg:golang/golang.org/x/text@v0.14.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", "pkg:npm/express@4.18.2", "vendored-lib@1.0"}
			if !slices.Equal(got.Roots, wantRoots) {
				t.Errorf("Roots = %v, want %v", got.Roots, wantRoots)
			}
			express := findComponent(got, "pkg:npm/express@4.18.2")
			if express == nil {
				t.Fatal("express lost")
			}
			if !slices.Equal(express.DependsOn, []string{"pkg:npm/qs@6.11.0"}) || express.Ecosystem != "npm" ||
				express.Relationship != inventory.RelationshipDirect || len(express.Hashes) != 1 || express.Hashes[0].Algorithm != "SHA-512" {
				t.Errorf("express = %+v", express)
			}
			if qs := findComponent(got, "pkg:npm/qs@6.11.0"); qs == nil || qs.Relationship != inventory.RelationshipTransitive || len(qs.Hashes) != 0 {
				t.Errorf("qs = %+v (malformed hash must be left out)", qs)
			}
			log4j := findComponent(got, "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1")
			if log4j == nil || log4j.Name != "org.apache.logging.log4j:log4j-core" || log4j.Ecosystem != "Maven" {
				t.Errorf("log4j = %+v", log4j)
			}
			if format == SPDXJSON {
				if !strings.Contains(express.Supplier, "tj@vision-media.ca") {
					t.Errorf("express supplier = %q", express.Supplier)
				}
			} else {
				if express.Supplier != "TJ Holowaychuk <tj@vision-media.ca>" {
					t.Errorf("express supplier = %q", express.Supplier)
				}
				if v := findComponent(got, "vendored-lib@1.0"); v == nil || v.Ecosystem != "PyPI" || !slices.Equal(v.Licenses, []string{"Some custom licence"}) {
					t.Errorf("vendored-lib = %+v", v)
				}
				if !slices.Equal(express.Locations, []string{"web/package-lock.json"}) {
					t.Errorf("express locations = %v", express.Locations)
				}
			}
			if len(got.Files) != 2 || got.Files[0].Path != "go.mod" || got.Files[0].SHA512 != inv.Files[1].SHA512 {
				t.Errorf("Files = %+v", got.Files)
			}
		})
	}
}

func gzipped(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeGzip(t *testing.T) {
	data, err := os.ReadFile("testdata/cyclonedx/laravel-7.12.0.bom.1.4.json")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Decode("bom.json.gz", bytes.NewReader(gzipped(t, data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Components) != 62 {
		t.Errorf("%d components, want 62", len(inv.Components))
	}
}

// TestDecodeErrors feeds malformed, truncated and hostile input: each must
// fail with an error that names the input and says what is wrong.
func TestDecodeErrors(t *testing.T) {
	cdxHead := `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [`
	for _, tc := range []struct {
		name  string
		input string
		want  []string // substrings of the error
	}{
		{"empty", "", []string{"in.json", "empty input"}},
		{"whitespace", "  \n\t", []string{"in.json", "empty input"}},
		{"not_an_sbom", "hello world", []string{"in.json", "not a CycloneDX or SPDX document"}},
		{"syntax_error_position", "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",,\n}", []string{"in.json:3:24", "malformed JSON"}},
		{"truncated", cdxHead + `{"type": "library", "name": "a"`, []string{"in.json", "malformed JSON"}},
		{"type_error_with_field", cdxHead + `{"type": "library", "name": 42}]}`, []string{"in.json:1:", "components.name", "number"}},
		{"bad_spec_version", `{"bomFormat": "CycloneDX", "specVersion": "9.9"}`, []string{"in.json", "9.9"}},
		{"spec_version_not_string", `{"bomFormat": "CycloneDX", "specVersion": 1.6}`, []string{"in.json", "/specVersion", "want a string"}},
		{"wrong_bom_format", `{"bomFormat": "SPDX", "specVersion": "1.6"}`, []string{"in.json", "/bomFormat"}},
		{"json_neither", `{"hello": "world"}`, []string{"in.json", "neither CycloneDX"}},
		{"json_array", `[1, 2]`, []string{"in.json", "a JSON array", "is an object"}},
		{"spdx_3", `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`, []string{"in.json", "SPDX 3"}},
		{"spdx_unknown_version", `{"spdxVersion": "SPDX-9.0"}`, []string{"in.json", "SPDX-9.0"}},
		{"spdx_type_error", `{"spdxVersion": "SPDX-2.3", "packages": [{"name": ["x"]}]}`, []string{"in.json:1:", "packages.name"}},
		{"xml_malformed", "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components><component></bom>", []string{"in.json:3", "malformed XML"}},
		{"xml_not_cyclonedx", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>`, []string{"in.json", "not a CycloneDX bom"}},
		{"xml_empty", `<?xml version="1.0"?>`, []string{"in.json", "without a root element"}},
		{"xml_unknown_version", `<bom xmlns="http://cyclonedx.org/schema/bom/2.0"></bom>`, []string{"in.json", `"2.0"`}},
		{"bad_gzip", "\x1f\x8b\x08\x00garbage", []string{"in.json", "gunzip"}},
		{"deep_nesting", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), []string{"in.json"}},
		{"deep_object_nesting", `{"bomFormat":"CycloneDX","specVersion":"1.6","x":` + strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000) + "}", []string{"in.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("in.json", strings.NewReader(tc.input))
			if err == nil {
				t.Fatal("Decode succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	// A gzip bomb: a small input that unpacks past the limit (a smaller
	// limit than MaxSize keeps the test fast; the code path is the same).
	const limit = 4 << 20
	bomb := gzipped(t, bytes.Repeat([]byte(" "), limit+1))
	plain := bytes.Repeat([]byte(" "), limit+1)
	for name, input := range map[string][]byte{"bomb.json.gz": bomb, "huge.json": plain} {
		_, err := unpackLimit(name, bytes.NewReader(input), limit)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("err = %v, want a size error naming %s", err, name)
		}
	}
	if _, err := unpackLimit("ok.json", bytes.NewReader(plain[:limit]), limit); err != nil {
		t.Errorf("input of exactly the limit: %v", err)
	}
}

func TestParseFormatAndVersion(t *testing.T) {
	for _, tc := range []struct {
		file    string
		format  Format
		version string
	}{
		{"cyclonedx/laravel-7.12.0.bom.1.4.xml", CycloneDXXML, "1.4"},
		{"cyclonedx/laravel-7.12.0.bom.1.4.json", CycloneDXJSON, "1.4"},
		{"cyclonedx/alpine-zlib-16.cdx.json", CycloneDXJSON, "1.6"},
		{"spdx/SPDXJSONExample-v2.2.spdx.json", SPDXJSON, "SPDX-2.2"},
		{"spdx/SPDXJSONExample-v2.3.spdx.json", SPDXJSON, "SPDX-2.3"},
		{"spdx/tag-value-format.spdx", SPDXTagValue, "SPDX-2.3"},
	} {
		doc := parseFile(t, "testdata/"+tc.file)
		if doc.Format != tc.format || doc.SpecVersion != tc.version {
			t.Errorf("%s: format %s version %s, want %s %s", tc.file, doc.Format, doc.SpecVersion, tc.format, tc.version)
		}
	}
}
