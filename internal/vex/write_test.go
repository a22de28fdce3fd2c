package vex

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles a JSON schema from testdata/schema, with the
// schemas it refers to registered under their $id URLs.
func compileSchema(t testing.TB, main string, resources map[string]string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for url, file := range resources {
		f, err := os.Open(filepath.Join("testdata", "schema", file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(main)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openVEXSchema(t testing.TB) *jsonschema.Schema {
	const id = "https://github.com/openvex/spec/openvex_json_schema_0.2.0.json"
	return compileSchema(t, id, map[string]string{id: "openvex_json_schema.json"})
}

func cycloneDXSchema(t testing.TB) *jsonschema.Schema {
	const base = "http://cyclonedx.org/schema/"
	return compileSchema(t, base+"bom-1.6.schema.json", map[string]string{
		base + "bom-1.6.schema.json":  "bom-1.6.schema.json",
		base + "spdx.schema.json":     "spdx.schema.json",
		base + "jsf-0.82.schema.json": "jsf-0.82.schema.json",
	})
}

func validate(t testing.TB, s *jsonschema.Schema, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("output is not schema-valid: %v\n%s", err, data)
	}
}

var issued = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sampleDocument is a document built the way `craft vex` builds one: a
// finding per subject, with decisions from an earlier VEX file.
func sampleDocument(t *testing.T) Document {
	t.Helper()
	known, err := ReadFile(filepath.Join("testdata", "openvex", "vexctl-sarif-sample-2vulns.json"))
	if err != nil {
		t.Fatal(err)
	}
	decided := time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)
	known = append(known,
		Statement{Vulnerability: "GO-2024-2687", Aliases: []string{"CVE-2023-45288"}, Status: StatusNotAffected,
			Justification: VulnerableCodeNotInExecutePath, ImpactStatement: "HTTP/2 server is not used.",
			Products: []Product{{Component: Component{ID: "pkg:golang/golang.org/x/net"}}}, Timestamp: decided},
		Statement{Vulnerability: "GHSA-p6xc-xr62-6r2g", Status: StatusAffected, ActionStatement: "Upgrade to 4.17.21.",
			Products: []Product{{Component: Component{ID: "pkg:npm/lodash@4.17.20"}}}, Timestamp: decided},
		Statement{Vulnerability: "PYSEC-2024-1", Status: StatusFixed, StatusNotes: "Patched in our fork.",
			Products: []Product{{Component: Component{ID: "pkg:pypi/django"}}}, Timestamp: decided},
		Statement{Vulnerability: "CVE-2024-3", Status: StatusNotAffected, ImpactStatement: "Only used at build time.",
			Products: []Product{{Component: Component{ID: "pkg:npm/esbuild@0.19.0"}}}, Timestamp: decided},
	)
	subjects := []Subject{
		{VulnIDs: []string{"GO-2024-2687", "CVE-2023-45288", "GHSA-4v7x-pqxf-cx7m"}, PURL: "pkg:golang/golang.org/x/net@v0.17.0"},
		{VulnIDs: []string{"GHSA-p6xc-xr62-6r2g", "CVE-2021-23337"}, PURL: "pkg:npm/lodash@4.17.20"},
		{VulnIDs: []string{"PYSEC-2024-1"}, PURL: "pkg:pypi/django@4.2.0"},
		{VulnIDs: []string{"CVE-2024-3"}, PURL: "pkg:npm/esbuild@0.19.0"},
		{VulnIDs: []string{"CVE-2024-4"}, PURL: "pkg:cargo/serde@1.0.0"},
		{VulnIDs: []string{"CVE-2024-4"}, PURL: "pkg:cargo/serde@1.0.0"}, // duplicate finding
		{VulnIDs: []string{"CVE-2024-5"}, ComponentID: "vendored-zlib"},
		{VulnIDs: []string{"CVE-2023-27103"}, PURL: "pkg:deb/debian/libde265@1.0.11", ProductIDs: []string{"pkg:oci/nginx@sha256%3A13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0"}},
	}
	return Document{Author: "Example Manufacturer <psirt@example.com>", Role: "Manufacturer", Timestamp: issued,
		Tooling: "craft", Statements: Build(subjects, known, issued)}
}

func TestBuild(t *testing.T) {
	doc := sampleDocument(t)
	if len(doc.Statements) != 7 {
		t.Fatalf("got %d statements, want 7 (one per distinct finding)", len(doc.Statements))
	}
	want := map[string]Status{
		"CVE-2023-27103": StatusNotAffected, "CVE-2024-3": StatusNotAffected, "CVE-2024-4": StatusUnderInvestigation,
		"CVE-2024-5": StatusUnderInvestigation, "GHSA-p6xc-xr62-6r2g": StatusAffected, "GO-2024-2687": StatusNotAffected,
		"PYSEC-2024-1": StatusFixed,
	}
	for _, st := range doc.Statements {
		if st.Status != want[st.Vulnerability] {
			t.Errorf("%s: status %s, want %s", st.Vulnerability, st.Status, want[st.Vulnerability])
		}
		if st.Timestamp.IsZero() || st.Source != "" {
			t.Errorf("%s: timestamp %v source %q", st.Vulnerability, st.Timestamp, st.Source)
		}
	}
	if got := doc.Statements[0]; got.Vulnerability != "CVE-2023-27103" || len(got.Products[0].Subcomponents) != 1 {
		t.Errorf("product with subcomponent expected first, got %+v", got)
	}
}

func TestWriteOpenVEX(t *testing.T) {
	doc := sampleDocument(t)
	var buf bytes.Buffer
	if err := WriteOpenVEX(&buf, doc); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	validate(t, openVEXSchema(t), out)
	golden(t, "write/openvex.json", out)

	// Reproducible: same input, same bytes, whatever the statement order.
	rev := doc
	rev.Statements = append([]Statement(nil), doc.Statements...)
	for i, j := 0, len(rev.Statements)-1; i < j; i, j = i+1, j-1 {
		rev.Statements[i], rev.Statements[j] = rev.Statements[j], rev.Statements[i]
	}
	var again bytes.Buffer
	if err := WriteOpenVEX(&again, rev); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, again.Bytes()) {
		t.Error("output depends on statement order")
	}

	// Round trip through Read.
	back, err := Read("out.json", bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	compareRoundTrip(t, doc.Statements, back)
}

func TestWriteCycloneDXVEX(t *testing.T) {
	doc := sampleDocument(t)
	var buf bytes.Buffer
	if err := WriteCycloneDXVEX(&buf, doc); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	validate(t, cycloneDXSchema(t), out)
	golden(t, "write/cyclonedx.json", out)

	back, err := Read("out.cdx.json", bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	// CycloneDX affects[] names the vulnerable component; the product a
	// subcomponent belonged to is kept in dependencies, not in the statement.
	flat := make([]Statement, len(doc.Statements))
	for i, st := range doc.Statements {
		flat[i] = st
		var ps []Product
		for _, p := range st.Products {
			if len(p.Subcomponents) == 0 {
				ps = append(ps, p)
			}
			for _, sc := range p.Subcomponents {
				ps = append(ps, Product{Component: sc})
			}
		}
		flat[i].Products = ps
	}
	compareRoundTrip(t, flat, back)
}

// compareRoundTrip checks that read-back statements carry what was written.
func compareRoundTrip(t *testing.T, want, got []Statement) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read back %d statements, wrote %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		g.Source, g.Location = "", ""
		for j := range g.Products {
			g.Products[j].Identifiers = nil
		}
		if w.Status != StatusNotAffected && w.Status != StatusAffected {
			w.ImpactStatement, w.ActionStatement = "", ""
			g.StatusNotes = w.StatusNotes
		}
		if w.Status == StatusAffected && w.StatusNotes == "" {
			g.StatusNotes = ""
		}
		w.Timestamp, g.Timestamp = w.Timestamp.UTC(), g.Timestamp.UTC()
		if !reflect.DeepEqual(w, g) {
			t.Errorf("statement %d:\nwrote %+v\nread  %+v", i, w, g)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	good := Statement{Vulnerability: "CVE-1", Status: StatusFixed, Products: []Product{{Component: Component{ID: "pkg:npm/a@1"}}}}
	tests := []struct {
		name string
		doc  Document
		want string
	}{
		{"no author", Document{Timestamp: issued, Statements: []Statement{good}}, "author is required"},
		{"no timestamp", Document{Author: "a", Statements: []Statement{good}}, "timestamp is required"},
		{"no statements", Document{Author: "a", Timestamp: issued}, ErrNoStatements.Error()},
		{"bare not_affected", Document{Author: "a", Timestamp: issued, Statements: []Statement{{Vulnerability: "CVE-1", Status: StatusNotAffected}}},
			"statement 0 (CVE-1): status not_affected needs a justification"},
		{"bad status", Document{Author: "a", Timestamp: issued, Statements: []Statement{{Vulnerability: "CVE-1", Status: "ok"}}}, `unknown status "ok"`},
		{"no vulnerability", Document{Author: "a", Timestamp: issued, Statements: []Statement{{Status: StatusFixed}}}, "no vulnerability"},
	}
	for _, tt := range tests {
		for _, w := range []struct {
			name string
			fn   func(*bytes.Buffer, Document) error
		}{
			{"openvex", func(b *bytes.Buffer, d Document) error { return WriteOpenVEX(b, d) }},
			{"cyclonedx", func(b *bytes.Buffer, d Document) error { return WriteCycloneDXVEX(b, d) }},
		} {
			t.Run(tt.name+"/"+w.name, func(t *testing.T) {
				var buf bytes.Buffer
				err := w.fn(&buf, tt.doc)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want error containing %q", err, tt.want)
				}
				if tt.name == "no statements" && !errors.Is(err, ErrNoStatements) {
					t.Errorf("error %v is not ErrNoStatements", err)
				}
				if buf.Len() != 0 {
					t.Errorf("wrote %d bytes on error", buf.Len())
				}
			})
		}
	}
}

// TestWriteCorpusRoundTrip rewrites every readable corpus document as
// OpenVEX and CycloneDX; both must validate and read back.
func TestWriteCorpusRoundTrip(t *testing.T) {
	ovx, cdxs := openVEXSchema(t), cycloneDXSchema(t)
	for _, path := range inputs(t) {
		sts, err := ReadFile(path)
		if err != nil {
			continue // rejected inputs are covered by TestReadCorpus
		}
		t.Run(path, func(t *testing.T) {
			doc := Document{Author: "craft test", Timestamp: issued, Statements: sts}
			var o, c bytes.Buffer
			if err := WriteOpenVEX(&o, doc); err != nil {
				t.Fatal(err)
			}
			validate(t, ovx, o.Bytes())
			if _, err := Read("o.json", &o); err != nil {
				t.Errorf("OpenVEX output does not read back: %v", err)
			}
			if err := WriteCycloneDXVEX(&c, doc); err != nil {
				t.Fatal(err)
			}
			validate(t, cdxs, c.Bytes())
			if _, err := Read("c.json", &c); err != nil {
				t.Errorf("CycloneDX output does not read back: %v", err)
			}
		})
	}
}

// TestCorpusSchemaValid checks the schema helper on the corpus documents
// that are known to be valid OpenVEX.
func TestCorpusSchemaValid(t *testing.T) {
	s := openVEXSchema(t)
	for _, f := range []string{"v0.2.0.json", "vexctl-demo.vex.json", "vexctl-document1.vex.json", "vexctl-document2.vex.json", "vexctl-oci-vexctl.openvex.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "openvex", f))
		if err != nil {
			t.Fatal(err)
		}
		validate(t, s, data)
	}
}

// TestWriteDropsDuplicates: the same statement twice is written once
// (OpenVEX statements must be unique).
func TestWriteDropsDuplicates(t *testing.T) {
	st := Statement{Vulnerability: "CVE-1", Status: StatusFixed, Products: []Product{{Component: Component{ID: "pkg:npm/a@1"}}}}
	var buf bytes.Buffer
	if err := WriteOpenVEX(&buf, Document{Author: "a", Timestamp: issued, Statements: []Statement{st, st}}); err != nil {
		t.Fatal(err)
	}
	validate(t, openVEXSchema(t), buf.Bytes())
	back, err := Read("o.json", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 {
		t.Errorf("got %d statements, want 1", len(back))
	}
}
