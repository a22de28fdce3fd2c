package checks

import (
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/craft-cra/craft/internal/config"
	goldenfile "github.com/craft-cra/craft/internal/golden"
)

// updating reports whether the test binary was run with -update (the flag
// is registered once for the package, by secdefault_test.go).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// copyTree copies the fixture folder src into a new temporary directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestFixtureRepos runs the process checks on each fixture repository in
// testdata/repos and compares the results with its golden JSON.
func TestFixtureRepos(t *testing.T) {
	dirs, err := filepath.Glob("testdata/repos/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			root := copyTree(t, dir)
			cfg, _, err := config.Load(root)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(context.Background(), root, cfg, Options{Only: processIDs(), Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(rep.Results, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := dir + ".golden.json"
			goldenfile.Check(t, golden, got, updating())
		})
	}
	if n == 0 {
		t.Fatal("no fixture repositories")
	}
}
