package csaf

import (
	"path/filepath"
	"slices"
	"testing"
)

// knownInvalidExamples are corpus documents that truly fail, with the
// tests they fail and why. Everything else in testdata/examples must be
// valid.
var knownInvalidExamples = map[string]struct {
	tests  []string
	reason string
}{
	"go-vex/csaf.json": {
		tests:  []string{"schema", "6.1.1", "6.1.13", "6.1.27.10"},
		reason: "go-vex test fixture, not schema-valid (see testdata/SOURCE.md): a branch with both product and branches, a PURL without a name, references to undefined products",
	},
	"redhat-real-world/rhsa-2003_315.json": {
		tests:  []string{"6.1.14"},
		reason: "real Red Hat advisory: revision 2 is dated 2003-11-12T00:00 but revision 1 14:16 the same day, so the revision history is not sorted",
	},
}

// TestExamples validates every real advisory and CSAF VEX example copied
// from the corpus.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "examples", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("only %d examples in testdata/examples", len(files))
	}
	for _, file := range files {
		name := filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(file)), filepath.Base(file)))
		t.Run(name, func(t *testing.T) {
			r := validateFile(t, file)
			var tests []string
			for _, f := range r.Failures {
				if !slices.Contains(tests, f.Test) {
					tests = append(tests, f.Test)
				}
			}
			slices.SortFunc(tests, compareTestIDs)
			known, ok := knownInvalidExamples[name]
			if !ok {
				if !r.Valid() {
					t.Errorf("want valid, got %v", r.Failures)
				}
				return
			}
			if !slices.Equal(tests, known.tests) {
				t.Errorf("known invalid (%s): want failures of tests %v, got %v", known.reason, known.tests, r.Failures)
			}
		})
	}
}
