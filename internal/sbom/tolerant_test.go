package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDecodeSpecVectors decodes every valid CycloneDX 1.4–1.6 vector of the
// specification: a document valid against its official schema must decode,
// whatever cyclonedx-go's types say.
func TestDecodeSpecVectors(t *testing.T) {
	files, err := filepath.Glob("testdata/spec/*/valid-*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 89 {
		t.Fatalf("found %d valid spec vectors, want the copied 1.4–1.6 set", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(f, bytes.NewReader(data))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if _, err := doc.Inventory(); err != nil {
				t.Fatalf("Inventory: %v", err)
			}
			if _, err := Decode(f, bytes.NewReader(data)); err != nil {
				t.Fatalf("Decode: %v", err)
			}
		})
	}
}

// TestDecodeDropsOnlyWhatTheLibraryCannotHold checks the attestation vector,
// whose declarations.evidence[].data[].classification is a string in the
// CycloneDX 1.6 schema and a struct in cyclonedx-go: exactly those values
// are left out, named in Dropped and in the score's notes, and the rest of
// the declarations survive.
func TestDecodeDropsOnlyWhatTheLibraryCannotHold(t *testing.T) {
	doc := parseFile(t, "testdata/spec/1.6/valid-attestation-1.6.json")
	var got []string
	for _, p := range doc.Dropped {
		got = append(got, p.Pointer)
		if !strings.Contains(p.Message, "cyclonedx.DataClassification") {
			t.Errorf("%s: message %q does not name the library type", p.Pointer, p.Message)
		}
	}
	want := []string{
		"/declarations/evidence/0/data/0/classification",
		"/declarations/evidence/1/data/0/classification",
		"/declarations/evidence/2/data/0/classification",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Dropped = %v, want %v", got, want)
	}
	d := doc.CycloneDX.Declarations
	if d == nil || d.Evidence == nil || len(*d.Evidence) != 3 {
		t.Fatalf("declarations.evidence not decoded: %+v", d)
	}
	data := (*(*d.Evidence)[0].Data)[0]
	if data.Name != "Name of the data" || data.Classification != nil || data.SensitiveData == nil {
		t.Errorf("evidence data = %+v, want the name and sensitive data kept, the classification left out", data)
	}
	notes := strings.Join(Score(doc).Notes, "\n")
	if !strings.Contains(notes, want[0]) {
		t.Errorf("score notes do not mention the dropped value:\n%s", notes)
	}
	inv, err := doc.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Skipped) != 0 {
		t.Errorf("Skipped = %v: declarations do not feed the inventory", inv.Skipped)
	}
}

// TestDecodeTypeErrorInvalidDocument: a type error in a document that is
// not schema-valid is still an error, not a dropped value.
func TestDecodeTypeErrorInvalidDocument(t *testing.T) {
	data, err := os.ReadFile("testdata/spec/1.6/valid-attestation-1.6.json")
	if err != nil {
		t.Fatal(err)
	}
	// Schema-invalid elsewhere: a component without its required type.
	broken := bytes.Replace(data, []byte(`"version": 1,`), []byte(`"version": 1, "components": [{"name": "x"}],`), 1)
	if bytes.Equal(broken, data) {
		t.Fatal("test input not changed")
	}
	_, err = Decode("in.json", bytes.NewReader(broken))
	if err == nil || !strings.Contains(err.Error(), "declarations.evidence.data.classification") {
		t.Fatalf("err = %v, want the type error", err)
	}
}

// TestLocateValue finds the value of real encoding/json type errors: a
// scalar (offset at its end) and an object (offset after its brace), inside
// arrays.
func TestLocateValue(t *testing.T) {
	type doc struct {
		A []struct {
			B struct{ X int }
			C string
		}
	}
	for _, tc := range []struct {
		input, pointer, value string
	}{
		{`{"A": [{"C": "ok"}, {"B": 7}]}`, "/A/1/B", `7`},
		{`{"A": [{"B": {"X": 1}, "C": {"y": [1, 2]}}]}`, "/A/0/C", `{"y": [1, 2]}`},
		{`{"A": [{"B": [1, {"z": 2}]}]}`, "/A/0/B", `[1, {"z": 2}]`},
	} {
		var typ *json.UnmarshalTypeError
		if err := json.Unmarshal([]byte(tc.input), new(doc)); !errors.As(err, &typ) {
			t.Fatalf("%s: err = %v, want a type error", tc.input, err)
		}
		start, end, ptr, ok := locateValue([]byte(tc.input), typ.Field, typ.Offset)
		if !ok || ptr != tc.pointer || tc.input[start:end] != tc.value {
			t.Errorf("%s: located %q at %q (ok %v), want %q at %q", tc.input, tc.input[start:end], ptr, ok, tc.value, tc.pointer)
		}
	}
}
