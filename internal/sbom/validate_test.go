package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateSpecVectors runs the CycloneDX specification's own schema
// tests: valid-*.json must validate, invalid-*.json must not.
func TestValidateSpecVectors(t *testing.T) {
	files, err := filepath.Glob("testdata/spec/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("found %d spec vectors, want the copied 1.4–1.6 set", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			problems, err := Validate(f, data)
			valid := strings.HasPrefix(filepath.Base(f), "valid-")
			switch {
			case err != nil && valid:
				t.Fatalf("Validate: %v", err)
			case valid && len(problems) > 0:
				t.Errorf("valid vector has problems: %v", problems)
			case !valid && err == nil && len(problems) == 0:
				t.Errorf("invalid vector passed validation")
			}
			for _, p := range problems {
				if p.Message == "" {
					t.Errorf("problem without message at %q", p.Pointer)
				}
			}
		})
	}
}

// TestValidateInputs covers what Validate does besides the schema: the
// formats it refuses, XML checked by decoding, SPDX, gzip, and where it
// reports a broken document.
func TestValidateInputs(t *testing.T) {
	read := func(p string) []byte {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		problems int    // -1: any number > 0
		err      string // substring of the error, "" for none
	}{
		{"spdx_2_3_example", read("testdata/spdx/SPDXJSONExample-v2.3.spdx.json"), 0, ""},
		{"spdx_2_2_example", read("testdata/spdx/SPDXJSONExample-v2.2.spdx.json"), 0, ""},
		{"laravel_1_4", read("testdata/cyclonedx/laravel-7.12.0.bom.1.4.json"), 0, ""},
		{"gzipped", gzipped(t, read("testdata/spec/1.6/valid-annotation-1.6.json")), 0, ""},
		{"xml_decodes", read("testdata/cyclonedx/laravel-7.12.0.bom.1.4.xml"), 0, ""},
		{"xml_broken", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>`), 0, "in.json"},
		{"cyclonedx_1_2_has_no_schema", read("testdata/cyclonedx/cern-lhc-vdm-editor.bom.json"), 0, `"1.2"`},
		{"spdx_2_1_has_no_schema", []byte(`{"spdxVersion": "SPDX-2.1"}`), 0, "SPDX-2.1"},
		{"not_json", []byte("hello\n"), 0, "not a CycloneDX or SPDX document"},
		{"tag_value_decodes", read("testdata/spdx/tag-value-format.spdx"), 0, ""},
		{"neither", []byte(`{"a": 1}`), 0, "neither CycloneDX"},
		{"syntax_after_probe", []byte("{\n \"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.6\"\n \"x\": 1}"), 0, "in.json:4:"},
		{"missing_required", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "x"}]}`), -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems, err := Validate("in.json", tc.data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if (tc.problems == -1 && len(problems) == 0) || (tc.problems >= 0 && len(problems) != tc.problems) {
				t.Errorf("problems = %v, want %d", problems, tc.problems)
			}
		})
	}
}

func TestValidateProblemPointer(t *testing.T) {
	data := []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{"type": "library", "name": "a", "hashes": [{"alg": "SHA-512", "content": "abc"}]}]}`)
	problems, err := Validate("in.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].Pointer != "/components/0/hashes/0/content" {
		t.Errorf("problems = %v, want one at /components/0/hashes/0/content", problems)
	}
}

func TestValidateTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates MaxValidateSize")
	}
	data := bytes.Repeat([]byte(" "), MaxValidateSize+1)
	data[0] = '{'
	_, err := Validate("huge.json", data)
	if err == nil || !strings.Contains(err.Error(), "huge.json") || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a size error naming the input", err)
	}
}

// TestBadDocumentSameError: Validate (craft sbom check) and Decode (craft
// scan --sbom) describe a document they cannot use in the same words, with
// file:line:column for malformed JSON.
func TestBadDocumentSameError(t *testing.T) {
	real, err := os.ReadFile("testdata/spec/1.6/valid-metadata-tool-1.6.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		input string
		want  string
	}{
		{"truncated", string(real[:len(real)*2/3]), "in.json:"},
		{"truncated_in_probe", `{"bomFormat": "CycloneDX", "spec`, "in.json:1:"},
		{"syntax_after_probe", "{\n \"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.6\"\n \"x\": 1}", "in.json:4:"},
		{"array", `[1,2]`, "a JSON array"},
		{"string", `"bom"`, "a JSON string"},
		{"json_ld", `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`, "JSON-LD document (SPDX 3?)"},
		{"neither", `{"a": 1}`, "neither CycloneDX"},
		{"not_json", "hello\n", "not a CycloneDX or SPDX document"},
		{"empty", "\n", "empty input"},
		{"bad_bom_format", `{"bomFormat": "SPDX"}`, "/bomFormat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, verr := Validate("in.json", []byte(tc.input))
			_, derr := Decode("in.json", strings.NewReader(tc.input))
			if verr == nil || derr == nil {
				t.Fatalf("Validate: %v; Decode: %v; want errors from both", verr, derr)
			}
			if verr.Error() != derr.Error() {
				t.Errorf("Validate and Decode differ:\n  Validate: %v\n  Decode:   %v", verr, derr)
			}
			if !strings.Contains(verr.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", verr, tc.want)
			}
		})
	}
}

// TestTruncatedPosition: a truncated document is reported at its end, as
// file:line:column.
func TestTruncatedPosition(t *testing.T) {
	input := "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"components\": [\n    {\"name\": \"a\""
	_, err := Validate("trunc.json", []byte(input))
	if err == nil || !strings.HasPrefix(err.Error(), "trunc.json:5:") || !strings.Contains(err.Error(), "malformed JSON") {
		t.Fatalf("err = %v, want trunc.json:5:COL: malformed JSON", err)
	}
}
