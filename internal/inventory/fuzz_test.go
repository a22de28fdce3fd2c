package inventory

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"
	"time"
)

// fuzzNames are the lockfile names the fuzzer writes its input under; the
// input's first byte picks one.
var fuzzNames = []string{
	"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "go.mod",
	"requirements.txt", "poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock",
	"pylock.toml", "pom.xml", "gradle.lockfile", "Cargo.lock", "composer.lock",
	"Gemfile.lock", "packages.lock.json", "packages.config", "pubspec.lock",
	"mix.lock", "Package.resolved", "Podfile.lock", "conan.lock", "renv.lock",
	"stack.yaml.lock", "cabal.project.freeze", "verification-metadata.xml",
	"package.json", "Cargo.toml", "pyproject.toml",
}

// FuzzScanFile feeds arbitrary bytes, under every lockfile name, through
// the whole file pipeline (extractors, go.mod relationship pass, merge). A
// scan must never fail or panic on file content: the file is either read
// (listed with its true hash) or skipped with a reason, and every component
// it yields is well formed. And it is quick: no input may stall it.
func FuzzScanFile(f *testing.F) {
	err := filepath.WalkDir(filepath.Join("testdata", "trees"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, name := range fuzzNames {
			if name == filepath.Base(p) || (name == "verification-metadata.xml" && filepath.Base(p) == name) {
				f.Add(byte(i), data)
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pick byte, data []byte) {
		name := fuzzNames[int(pick)%len(fuzzNames)]
		rel := name
		if name == "verification-metadata.xml" {
			rel = "gradle/" + name
		}
		dir := t.TempDir()
		full := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		inv, err := Scan(context.Background(), dir, Options{})
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		// Inputs are at most a few MB; a scan of one must stay fast
		// whatever the bytes (the bound is loose for busy machines).
		if d := time.Since(start); d > 10*time.Second+time.Duration(len(data))*time.Microsecond {
			t.Errorf("scan of %d bytes as %s took %v", len(data), name, d)
		}
		sum := sha512.Sum512(data)
		read := false
		for _, sf := range inv.Files {
			if sf.Path == rel {
				read = true
				if sf.SHA512 != hex.EncodeToString(sum[:]) || sf.Size != int64(len(data)) {
					t.Errorf("file %+v: wrong hash or size", sf)
				}
			}
		}
		if !read && skipReason(inv, rel) == "" {
			t.Errorf("%s neither read nor skipped", rel)
		}
		ids := map[string]bool{}
		for _, c := range inv.Components {
			if c.ID == "" || ids[c.ID] {
				t.Errorf("component %+v: empty or duplicate ID", c)
			}
			ids[c.ID] = true
			for _, loc := range c.Locations {
				if loc == "" || path.IsAbs(loc) || loc != path.Clean(loc) || loc == ".." || len(loc) > 2 && loc[:3] == "../" {
					t.Errorf("component %s: bad location %q", c.ID, loc)
				}
			}
		}
	})
}
