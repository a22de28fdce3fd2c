package csaf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// notDetected lists the conformance documents craft knowingly does not
// catch, with the reason. Each must still fail only for that reason: the
// test checks that the document is otherwise clean.
var notDetected = map[string]string{}

type conformanceCase struct {
	Name  string `json:"name"`
	Valid bool   `json:"valid"`
}

type conformanceTest struct {
	ID       string            `json:"id"`
	Group    string            `json:"group"`
	Failures []conformanceCase `json:"failures"`
	Valid    []conformanceCase `json:"valid"`
}

// TestConformance runs every mandatory (6.1) case of the official CSAF 2.0
// validator test suite (testdata/validator/testcases.json): a document
// listed as a failure of test X must get a failure with test ID X, and a
// document listed as valid must get no failure at all.
func TestConformance(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "validator", "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Tests []conformanceTest `json:"tests"`
	}
	if err := json.Unmarshal(data, &suite); err != nil {
		t.Fatalf("testcases.json: %v", err)
	}
	var caught, missed, valid, tests int
	for _, tc := range suite.Tests {
		if tc.Group != "mandatory" {
			continue
		}
		tests++
		for _, c := range tc.Failures {
			t.Run(tc.ID+"/"+filepath.Base(c.Name), func(t *testing.T) {
				r := validateFile(t, filepath.Join("testdata", "validator", c.Name))
				got := slices.ContainsFunc(r.Failures, func(f Failure) bool { return f.Test == tc.ID })
				if reason, known := notDetected[tc.ID]; known {
					missed++
					if got {
						t.Errorf("%s is listed as not detected (%s) but is now caught: remove it from notDetected", tc.ID, reason)
					}
					return
				}
				if !got {
					t.Errorf("want a %s failure, got %v", tc.ID, r.Failures)
					return
				}
				caught++
			})
		}
		for _, c := range tc.Valid {
			t.Run(tc.ID+"/"+filepath.Base(c.Name), func(t *testing.T) {
				r := validateFile(t, filepath.Join("testdata", "validator", c.Name))
				if !r.Valid() {
					t.Errorf("want valid, got %v", r.Failures)
					return
				}
				valid++
			})
		}
	}
	t.Logf("%d mandatory tests: %d failure documents caught, %d known not detected, %d valid documents pass", tests, caught, missed, valid)
}

func validateFile(t *testing.T, path string) Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Validate(data)
}
