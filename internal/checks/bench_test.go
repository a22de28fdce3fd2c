package checks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/config"
)

// BenchmarkProcessChecks runs the process checks on a synthetic tree of
// 2,000 source files (about 8 MB) with CI, manifests and policies.
func BenchmarkProcessChecks(b *testing.B) {
	root := b.TempDir()
	line := "func handler(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, \"hello %s\", r.URL.Path) }\n"
	body := strings.Repeat(line, 4096/len(line)+1)
	for i := range 2000 {
		p := filepath.Join(root, fmt.Sprintf("pkg%03d", i/20), fmt.Sprintf("file%02d.go", i%20))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	extra := map[string]string{
		"go.mod":                   "module x\nrequire a.b/c v1.0.0\n",
		"go.sum":                   "",
		"SECURITY.md":              "Report to security@example.org; we reply within 2 days.\n",
		".github/workflows/ci.yml": "on: push\npermissions: {}\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./... && govulncheck ./...\n",
	}
	for name, content := range extra {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ids := processIDs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(context.Background(), root, config.Config{}, Options{Only: ids, Now: fixedNow}); err != nil {
			b.Fatal(err)
		}
	}
}
