package csaf

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkValidateLargest validates the largest corpus CSAF document, the
// 1.2 MB Red Hat advisory RHSA-2020:1358 (schema and all mandatory tests).
//
//	go test ./internal/csaf -run '^$' -bench ValidateLargest -benchmem
func BenchmarkValidateLargest(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "examples", "go-vex", "rhsa-2020_1358.json"))
	if err != nil {
		b.Fatal(err)
	}
	if r := Validate(data); !r.Valid() {
		b.Fatalf("want valid, got %v", r.Failures)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Validate(data)
	}
}
