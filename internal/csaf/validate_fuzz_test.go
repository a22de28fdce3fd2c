package csaf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzValidate feeds arbitrary bytes to Validate, seeded with the
// conformance documents and examples: it must never panic, must report
// every problem as a Failure with a test ID and path, and must finish
// quickly even on deeply nested input.
func FuzzValidate(f *testing.F) {
	for _, pattern := range []string{"testdata/validator/mandatory/*.json", "testdata/examples/oasis/*.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(baseDocument))
	f.Add([]byte(strings.Repeat(`{"product_tree":{"branches":[`, 300)))
	f.Add([]byte(`{"vulnerabilities":[{"scores":[{"products":["A"],"cvss_v3":{"version":"3.1","vectorString":"CVSS:3.1/AV:N"}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		r := Validate(data)
		for _, fl := range r.Failures {
			if fl.Test == "" || fl.Path == "" || fl.Message == "" {
				t.Fatalf("incomplete failure %+v", fl)
			}
		}
		if d := time.Since(start); d > 5*time.Second && len(data) < 1<<20 {
			t.Fatalf("Validate took %v on %d bytes", d, len(data))
		}
	})
}
