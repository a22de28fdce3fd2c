package csaf

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedDocumentsPassValidate: every document the generator's golden
// files hold passes the full validator (schema and the 6.1 mandatory tests),
// so what craft serve publishes is what `craft advisory validate` accepts.
func TestGeneratedDocumentsPassValidate(t *testing.T) {
	for _, name := range []string{
		"gen_security_advisory.json",
		"gen_vex.json",
		"gen_findings_csaf_security_advisory.json",
		"gen_findings_csaf_vex.json",
	} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if res := Validate(data); !res.Valid() {
				for _, f := range res.Failures {
					t.Error(f)
				}
			}
		})
	}
}
