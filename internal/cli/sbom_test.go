package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	goldenfile "github.com/craft-cra/craft/internal/golden"
	"github.com/craft-cra/craft/internal/sbom"
)

func validSBOM(t *testing.T, name string, data []byte) {
	t.Helper()
	problems, err := sbom.Validate(name, data)
	if err != nil {
		t.Fatalf("Validate %s: %v", name, err)
	}
	if len(problems) > 0 {
		t.Fatalf("%s is not schema-valid: %v", name, problems)
	}
}

// TestSBOMGenerate runs craft sbom on a tree with craft.yaml: the default
// output is CycloneDX JSON on stdout, reproducible under SOURCE_DATE_EPOCH,
// equal to the golden file and schema-valid.
func TestSBOMGenerate(t *testing.T) {
	env := map[string]string{"SOURCE_DATE_EPOCH": "1767225600"} // 2026-01-01T00:00:00Z
	out, errOut, code := runCLI(t, env, "sbom", "testdata/sbom/tree")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("unexpected stderr: %s", errOut)
	}
	validSBOM(t, "stdout", []byte(out))
	again, _, _ := runCLI(t, env, "sbom", "testdata/sbom/tree")
	if again != out {
		t.Errorf("two runs with SOURCE_DATE_EPOCH differ")
	}
	for _, want := range []string{`"timestamp": "2026-01-01T00:00:00Z"`, `"name": "example-shop"`, `"email": "psirt@example.com"`, `"pkg:npm/`, `"bsi:component:filename"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	golden := "testdata/sbom/golden/tree.cdx.json"
	goldenfile.Check(t, golden, []byte(out), *update)
}

// TestSBOMOutputs writes every format to files at once, with the product
// given by flags over craft.yaml.
func TestSBOMOutputs(t *testing.T) {
	tmp := t.TempDir()
	cdxJSON, cdxXML, spdxJSON := filepath.Join(tmp, "bom.cdx.json"), filepath.Join(tmp, "bom.cdx.xml"), filepath.Join(tmp, "bom.spdx.json")
	out, errOut, code := runCLI(t, nil, "sbom", "testdata/sbom/tree", "--reproducible",
		"--product-name", "renamed", "--product-version", "9.9.9", "--exclude", "yarn.lock",
		"-o", "cyclonedx-json="+cdxJSON, "-o", "cyclonedx-xml="+cdxXML, "-o", "spdx-json="+spdxJSON)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if out != "" {
		t.Errorf("stdout not empty with every output in a file")
	}
	for _, f := range []string{cdxJSON, cdxXML, spdxJSON} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		validSBOM(t, f, data)
		if !strings.Contains(string(data), "renamed") {
			t.Errorf("%s: product name from --product-name missing", f)
		}
		if strings.Contains(string(data), "yarn.lock") {
			t.Errorf("%s: --exclude yarn.lock ignored", f)
		}
		if !strings.Contains(string(data), "1970-01-01T00:00:00Z") {
			t.Errorf("%s: --reproducible without SOURCE_DATE_EPOCH should use 1970-01-01", f)
		}
	}
}

func TestSBOMDefaultProductName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-product")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.ReadFile("testdata/sbom/tree/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, nil, "sbom", dir, "-o", "spdx-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, `using the directory name "my-product"`) {
		t.Errorf("stderr does not say the product name was defaulted:\n%s", errOut)
	}
	if !strings.Contains(errOut, "TR-03183-2") {
		t.Errorf("stderr does not warn about the missing creator contact:\n%s", errOut)
	}
	if !strings.Contains(out, `"created": "2026-12-01T09:00:00Z"`) {
		t.Errorf("SPDX created is not the app clock:\n%s", out[:min(len(out), 400)])
	}
	validSBOM(t, "stdout", []byte(out))
}

func TestSBOMUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown_format", nil, []string{"sbom", "testdata/sbom/tree", "-o", "spdx-tag-value"}, "unknown format"},
		{"two_stdout", nil, []string{"sbom", "testdata/sbom/tree", "-o", "spdx-json", "-o", "cyclonedx-json"}, "only one output"},
		{"missing_dir", nil, []string{"sbom", "testdata/sbom/nope"}, "nope"},
		{"file_not_dir", nil, []string{"sbom", "testdata/sbom/invalid-hash-md5-1.4.json"}, "craft sbom check"},
		{"bad_epoch", map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, []string{"sbom", "testdata/sbom/tree"}, "SOURCE_DATE_EPOCH"},
		{"bad_exclude", nil, []string{"sbom", "testdata/sbom/tree", "--exclude", "[a-"}, "exclude"},
		{"check_no_file", nil, []string{"sbom", "check"}, "accepts 1 arg"},
		{"check_missing_file", nil, []string{"sbom", "check", "testdata/sbom/nope.json"}, "nope.json"},
		{"check_bad_min_score", nil, []string{"sbom", "check", "--min-score", "101", "testdata/sbom/golden/tree.cdx.json"}, "--min-score 101"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, tc.env, tc.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, ExitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q lacks %q", errOut, tc.want)
			}
		})
	}
}

// TestSBOMCheck runs craft sbom check on valid, incomplete, schema-invalid
// and malformed SBOMs, in text and JSON.
func TestSBOMCheck(t *testing.T) {
	tmp := t.TempDir()
	malformed := filepath.Join(tmp, "broken.cdx.json")
	if err := os.WriteFile(malformed, []byte("{\n \"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.6\"\n \"x\": 1}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // substrings of stdout
		errs []string // substrings of stderr
	}{
		{"valid_text", []string{"sbom", "check", "testdata/sbom/golden/tree.cdx.json"}, ExitOK,
			[]string{"format: cyclonedx-json 1.6", "schema: valid", "completeness: ", "document, required: complete", "sha-512"}, nil},
		{"min_score_met", []string{"sbom", "check", "testdata/sbom/golden/tree.cdx.json", "--min-score", "10"}, ExitOK, []string{"completeness"}, nil},
		{"min_score_missed", []string{"sbom", "check", "testdata/sbom/golden/tree.cdx.json", "--min-score", "99"}, ExitFindings,
			[]string{"completeness"}, []string{"below --min-score 99"}},
		{"schema_invalid", []string{"sbom", "check", "testdata/sbom/invalid-hash-md5-1.4.json"}, ExitUsage,
			[]string{"schema: invalid", "/components/0/hashes/0/content"}, []string{"not schema-valid"}},
		{"malformed", []string{"sbom", "check", malformed}, ExitUsage,
			[]string{"cannot be checked", "broken.cdx.json:4:"}, []string{"broken.cdx.json:4:"}},
		{"schema_valid_beyond_library", []string{"sbom", "check", "testdata/sbom/valid-attestation-1.6.json"}, ExitOK,
			[]string{"schema: valid", "note: /declarations/evidence/0/data/0/classification: left out"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.errs {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestSBOMCheckJSON(t *testing.T) {
	out, errOut, code := runCLI(t, nil, "sbom", "check", "-o", "json", "testdata/sbom/golden/tree.cdx.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Valid        bool `json:"valid"`
		Completeness struct {
			Score      int               `json:"score"`
			Components []json.RawMessage `json:"components"`
		} `json:"completeness"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if !res.Valid || res.Completeness.Score <= 0 || len(res.Completeness.Components) == 0 {
		t.Errorf("result = %+v", res)
	}

	out, _, code = runCLI(t, nil, "sbom", "check", "-o", "json", "testdata/sbom/invalid-hash-md5-1.4.json")
	if code != ExitUsage {
		t.Fatalf("exit %d for an invalid SBOM", code)
	}
	var bad struct {
		Valid    bool           `json:"valid"`
		Problems []sbom.Problem `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &bad); err != nil {
		t.Fatal(err)
	}
	if bad.Valid || len(bad.Problems) == 0 || bad.Problems[0].Pointer == "" {
		t.Errorf("invalid result = %+v", bad)
	}
}

func TestSBOMCheckRoutesToCheck(t *testing.T) {
	// "sbom check FILE" must run the subcommand, not scan a directory
	// named "check"; "sbom DIR" must scan.
	out, _, code := runCLI(t, nil, "sbom", "check", "testdata/sbom/golden/tree.cdx.json")
	if code != 0 || !strings.Contains(out, "completeness") {
		t.Errorf("sbom check did not run check: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, nil, "sbom", "testdata/sbom/tree")
	if code != 0 || !strings.Contains(out, `"bomFormat": "CycloneDX"`) {
		t.Errorf("sbom DIR did not scan: exit %d", code)
	}
}

// TestSBOMCheckStdinGzip reads a gzipped SBOM from standard input.
func TestSBOMCheckStdinGzip(t *testing.T) {
	data, err := os.ReadFile("testdata/sbom/golden/tree.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	var out, errOut bytes.Buffer
	app := &App{Stdin: &gz, Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Now: func() time.Time { return testNow }}
	if code := Run(context.Background(), app, []string{"sbom", "check", "-"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "SBOM stdin") || !strings.Contains(out.String(), "completeness") {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestSBOMCheckDescribesLikeDecode: craft sbom check describes a document it
// cannot use exactly as craft scan --sbom (sbom.Decode) does, with
// file:line:column for a truncated one.
func TestSBOMCheckDescribesLikeDecode(t *testing.T) {
	golden, err := os.ReadFile("testdata/sbom/golden/tree.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for _, tc := range []struct {
		name, input, want string
	}{
		{"trunc.json", string(golden[:len(golden)/2]), "trunc.json:"},
		{"array.json", "[1,2]", "a JSON array"},
		{"spdx3.json", `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`, "JSON-LD document (SPDX 3?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(tmp, tc.name)
			if err := os.WriteFile(file, []byte(tc.input), 0o644); err != nil {
				t.Fatal(err)
			}
			_, derr := sbom.Decode(file, strings.NewReader(tc.input))
			if derr == nil {
				t.Fatal("Decode succeeded")
			}
			out, errOut, code := runCLI(t, nil, "sbom", "check", file)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			if !strings.Contains(out, "cannot be checked: "+derr.Error()+"\n") || !strings.Contains(errOut, derr.Error()) {
				t.Errorf("check does not report Decode's error %q:\nstdout:\n%s\nstderr:\n%s", derr, out, errOut)
			}
			if !strings.Contains(derr.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", derr, tc.want)
			}
		})
	}
	_, errOut, _ := runCLI(t, nil, "sbom", "check", filepath.Join(tmp, "trunc.json"))
	if !regexp.MustCompile(`trunc\.json:\d+:\d+: malformed JSON`).MatchString(errOut) {
		t.Errorf("truncated document reported without line:column:\n%s", errOut)
	}
}
