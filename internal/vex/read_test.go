package vex

import (
	"bytes"
	"encoding/json"
	"flag"
	goldenfile "github.com/craft-cra/craft/internal/golden"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// inputs lists the corpus documents in testdata.
func inputs(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"openvex", "cyclonedx"} {
		m, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d test documents found", len(files))
	}
	return files
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name), got, *update)
}

// TestReadCorpus reads every real document: each parses into statements or
// fails with a message naming the file, and the outcome is pinned by a
// golden file.
func TestReadCorpus(t *testing.T) {
	// Documents that must be rejected, and why.
	wantErr := map[string]string{
		"openvex/vex.yaml":                           "looks like YAML",
		"cyclonedx/CISA-Use-Cases-Case-7-bom-1.json": "no vulnerabilities",
		"cyclonedx/CISA-Use-Cases-Case-7-bom-2.json": "no vulnerabilities",
		"cyclonedx/CISA-Use-Cases-Case-8-bom-1.json": "no vulnerabilities",
		"cyclonedx/CISA-Use-Cases-Case-8-bom-2.json": "no vulnerabilities",
		"cyclonedx/Use-Cases-Case-13-bom-1.json":     "no vulnerabilities",
		"cyclonedx/Use-Cases-Case-13-bom-2.json":     "no vulnerabilities",
		"cyclonedx/Use-Cases-Case-13-bom-3.json":     "no vulnerabilities",
		"cyclonedx/Use-Cases-Case-6-bom-1.json":      "no vulnerabilities",
		"cyclonedx/Use-Cases-Case-6-bom-2.json":      "no vulnerabilities",
		"cyclonedx/Use-Cases-Case-6-bom-3.json":      "no vulnerabilities",
	}
	for _, path := range inputs(t) {
		rel := filepath.ToSlash(strings.TrimPrefix(path, "testdata"+string(filepath.Separator)))
		t.Run(rel, func(t *testing.T) {
			sts, err := ReadFile(path)
			var out []byte
			if want, bad := wantErr[rel]; bad {
				if err == nil {
					t.Fatalf("read %d statements, want error containing %q", len(sts), want)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q does not name the file and %q", err, want)
				}
				out = []byte("error: " + err.Error() + "\n")
			} else {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if len(sts) == 0 {
					t.Fatal("no statements")
				}
				for _, st := range sts {
					if st.Source != path || st.Vulnerability == "" || !st.Status.Valid() {
						t.Errorf("incomplete statement %+v", st)
					}
				}
				out, err = json.MarshalIndent(sts, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, '\n')
			}
			golden(t, "read/"+strings.ReplaceAll(rel, "/", "-")+".golden", out)
		})
	}
}

// TestReadDetails checks chosen facts of real documents beyond the goldens.
func TestReadDetails(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, sts []Statement)
	}{
		{"openvex/v0.0.1.json", func(t *testing.T, sts []Statement) {
			st := sts[0]
			if st.Vulnerability != "CVE-2023-12345" || st.Status != StatusFixed || len(st.Products) != 2 ||
				st.Products[0].ID != "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7" || st.Timestamp.IsZero() {
				t.Errorf("got %+v", st)
			}
		}},
		{"openvex/v0.2.0.json", func(t *testing.T, sts []Statement) {
			p := sts[0].Products[0]
			if len(p.Subcomponents) != 2 || p.Subcomponents[0].ID != "pkg:apk/alpine/libssl3@3.0.8-r3" {
				t.Errorf("subcomponents: %+v", p)
			}
		}},
		{"openvex/vexctl-sarif-sample-2vulns.json", func(t *testing.T, sts []Statement) {
			if sts[0].Justification != ComponentNotPresent || len(sts[0].Aliases) != 1 || sts[0].Aliases[0] != "SNYK-DEBIAN12-LIBDE265-3361563" {
				t.Errorf("got %+v", sts[0])
			}
			if !sts[1].Timestamp.Equal(mustTime(t, "2023-08-16T19:55:22.076684217-06:00")) {
				t.Errorf("statement without timestamp should inherit the document's, got %v", sts[1].Timestamp)
			}
		}},
		{"cyclonedx/vex.json", func(t *testing.T, sts []Statement) {
			st := sts[0]
			if st.Status != StatusNotAffected || st.Justification != VulnerableCodeNotInExecutePath ||
				st.Products[0].ID != "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar" {
				t.Errorf("BOM-Link to a purl not resolved: %+v", st)
			}
		}},
		{"cyclonedx/Use-Cases-Case-12-vex.json", func(t *testing.T, sts []Statement) {
			if len(sts) != 3 || sts[1].Status != StatusAffected || sts[1].ActionStatement == "" ||
				sts[2].Justification != InlineMitigationsAlreadyExist || sts[0].Products[0].ID != "acme-product" {
				t.Errorf("got %+v", sts)
			}
		}},
		{"cyclonedx/CISA-Use-Cases-Case-8-vex.json", func(t *testing.T, sts []Statement) {
			st := sts[0]
			if len(st.Versions) != 2 || len(st.VersionRanges) != 1 || !strings.Contains(st.Location, "affects[0]") {
				t.Errorf("versions not kept: %+v", st)
			}
		}},
		{"cyclonedx/CISA-Use-Cases-Case-3-vex.json", func(t *testing.T, sts []Statement) {
			count := map[Status]int{}
			for _, st := range sts {
				count[st.Status]++
			}
			if count[StatusUnderInvestigation] != 5 || count[StatusFixed] != 3 || count[StatusAffected] != 5 || count[StatusNotAffected] != 6 {
				t.Errorf("status counts %v", count)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sts, err := ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, sts)
		})
	}
}

// TestReadBadInput feeds malformed, truncated, hostile and wrong-format input:
// each gives an error naming the input and what is wrong.
func TestReadBadInput(t *testing.T) {
	const ctx = `"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "timestamp": "2024-01-01T00:00:00Z", "version": 1`
	stmt := func(body string) string {
		return `{` + ctx + `, "statements": [{"vulnerability": {"name": "CVE-2024-1"}, "products": [{"@id": "pkg:npm/a@1"}], ` + body + `}]}`
	}
	cdxDoc := func(analysis string) string {
		return `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "vulnerabilities": [{"id": "CVE-2024-1", "analysis": ` + analysis + `, "affects": [{"ref": "pkg:npm/a@1"}]}]}`
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty file"},
		{"whitespace", " \n\t ", "empty file"},
		{"xml", `<?xml version="1.0"?><bom/>`, "looks like XML"},
		{"yaml", "statements:\n  - status: fixed\n", "looks like YAML"},
		{"array", `[1,2]`, "not a JSON object"},
		{"truncated", `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [`, "malformed JSON"},
		{"syntax", "{\n\"a\": ,}", "line 2"},
		{"unknown format", `{"hello": "world"}`, "unknown format"},
		{"other context", `{"@context": "https://schema.org"}`, "unknown @context"},
		{"context array", `{"@context": ["https://openvex.dev/ns/v0.2.0"]}`, "@context is not a string"},
		{"future version", `{"@context": "https://openvex.dev/ns/v9.0.0", "statements": []}`, "unsupported OpenVEX version"},
		{"no statements", `{` + ctx + `, "statements": []}`, "no statements"},
		{"wrong type", `{` + ctx + `, "statements": [{"vulnerability": 5}]}`, "OpenVEX v0.2.0"},
		{"v0.2.0 with string products", `{` + ctx + `, "statements": [{"vulnerability": {"name": "CVE-1"}, "products": ["pkg:npm/a"], "status": "fixed"}]}`, "statements.products is a JSON string, want an object"},
		{"string version", `{"@context": "https://openvex.dev/ns/v0.2.0", "version": "1", "statements": []}`, "line 1, column 61: version is a JSON string, want a number"},
		{"bad timestamp", `{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "yesterday", "statements": []}`, "OpenVEX v0.2.0"},
		{"no vulnerability", `{` + ctx + `, "statements": [{"status": "fixed"}]}`, "names no vulnerability"},
		{"not_affected bare", stmt(`"status": "not_affected"`), "statements[0] (CVE-2024-1): status not_affected needs a justification or an impact_statement"},
		{"unknown status", stmt(`"status": "maybe"`), `unknown status "maybe"`},
		{"unknown justification", stmt(`"status": "not_affected", "justification": "trust_me"`), `unknown justification "trust_me"`},
		{"empty product", `{` + ctx + `, "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{}]}]}`, "products[0] has no @id"},
		{"in-toto other predicate", `{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}}`, "not OpenVEX"},
		{"in-toto no predicate", `{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://openvex.dev/ns/v0.2.0"}`, "without a predicate"},
		{"dsse", `{"payloadType": "application/vnd.in-toto+json", "payload": "e30=", "signatures": []}`, "DSSE"},
		{"csaf", `{"document": {"csaf_version": "2.0"}}`, "CSAF"},
		{"spdx", `{"spdxVersion": "SPDX-2.3"}`, "unknown format"},
		{"other bomFormat", `{"bomFormat": "SPDX"}`, "not CycloneDX"},
		{"cdx bad spec version", `{"bomFormat": "CycloneDX", "specVersion": "9.9"}`, "CycloneDX"},
		{"cdx no vulnerabilities", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}`, "no vulnerabilities"},
		{"cdx no analysis", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "CVE-1"}]}`, "no CycloneDX vulnerability has analysis.state"},
		{"cdx not_affected bare", cdxDoc(`{"state": "not_affected"}`), "vulnerabilities[0] (CVE-2024-1): status not_affected needs a justification"},
		{"cdx unknown state", cdxDoc(`{"state": "meh"}`), `unknown analysis.state "meh"`},
		{"cdx unknown justification", cdxDoc(`{"state": "not_affected", "justification": "vibes"}`), `unknown analysis.justification "vibes"`},
		{"cdx bad time", cdxDoc(`{"state": "in_triage", "lastUpdated": "soon"}`), "not RFC 3339"},
		{"cdx no id", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "", "analysis": {"state": "in_triage"}}]}`, "has no id"},
		{"cdx xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`, "looks like XML"},
		{"deep nesting", strings.Repeat("[", 100000) + strings.Repeat("]", 100000), "not a JSON object"},
		{"deep object", "{\"a\":" + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}", "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts, err := Read("input.json", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("got %d statements, want error containing %q", len(sts), tt.want)
			}
			if !strings.Contains(err.Error(), "input.json") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name the input and %q", err, tt.want)
			}
		})
	}
}

// endless is a reader of unlimited JSON whitespace.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestReadTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 64 MiB")
	}
	r := io.MultiReader(strings.NewReader(`{"statements": [`), endless{})
	_, err := Read("huge.json", r)
	if err == nil || !strings.Contains(err.Error(), "huge.json") || !strings.Contains(err.Error(), "64 MiB limit") {
		t.Fatalf("got %v, want size limit error", err)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope.json"))
	if err == nil || !strings.Contains(err.Error(), "nope.json") {
		t.Fatalf("got %v", err)
	}
}

// TestReadInToto reads OpenVEX wrapped in an in-toto statement.
func TestReadInToto(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "openvex", "vexctl-demo.vex.json"))
	if err != nil {
		t.Fatal(err)
	}
	wrapped := `{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://openvex.dev/ns/v0.2.0",
		"subject": [{"name": "x", "digest": {"sha256": "00"}}], "predicate": ` + string(doc) + `}`
	sts, err := Read("att.json", strings.NewReader(wrapped))
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 1 || sts[0].Vulnerability != "CVE-2014-123456" || sts[0].Status != StatusFixed {
		t.Errorf("got %+v", sts)
	}
}

// TestReadByteOrderMark accepts a UTF-8 BOM before the JSON.
func TestReadByteOrderMark(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "openvex", "v0.2.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read("bom.json", bytes.NewReader(append([]byte("\xef\xbb\xbf"), doc...))); err != nil {
		t.Fatal(err)
	}
}
