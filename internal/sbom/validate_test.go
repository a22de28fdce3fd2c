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
		{"not_json", []byte("hello\n"), 0, "not a JSON document"},
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
