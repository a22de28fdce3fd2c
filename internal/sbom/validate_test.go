package sbom

import (
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
