package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// generateTree writes projects project directories under dir, each with a
// package-lock.json, go.mod, requirements.txt and Cargo.lock of entries
// packages, the package.json and Cargo.toml beside them, plus a few source
// files the walk has to pass over. It returns
// the number of component entries written.
func generateTree(tb testing.TB, dir string, projects, entries int) int {
	tb.Helper()
	for p := range projects {
		files := map[string]string{
			"package-lock.json": npmLock(p, entries),
			"go.mod":            goMod(p, entries),
			"requirements.txt":  requirementsTxt(p, entries),
			"Cargo.lock":        cargoLock(p, entries),
			"package.json":      `{"name":"app","dependencies":{"pkg-0":"^1","pkg-1":"^1"}}`,
			"Cargo.toml":        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\ncrate-0 = \"0.1\"\n",
			"main.go":           "package main\n\nfunc main() {}\n",
			"src/index.js":      "console.log('hello')\n",
			"README.md":         "# project\n",
		}
		root := filepath.Join(dir, fmt.Sprintf("p%05d", p))
		for name, content := range files {
			full := filepath.Join(root, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	// go.mod adds stdlib to its entries.
	return projects * (4*entries + 1)
}

// Package names repeat across projects (as real dependencies do) while
// versions vary, so merging has real work to do.
func npmLock(p, n int) string {
	var b strings.Builder
	b.WriteString(`{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","version":"1.0.0"}`)
	for i := range n {
		fmt.Fprintf(&b, `,"node_modules/pkg-%d":{"version":"1.%d.%d","resolved":"https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.%d.%d.tgz","integrity":"sha512-AAAA"}`, i, p%7, i, i, i, p%7, i)
	}
	b.WriteString("}}\n")
	return b.String()
}

func goMod(p, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "module example.com/p%d\n\ngo 1.22.%d\n\nrequire (\n", p, p%10)
	for i := range n {
		fmt.Fprintf(&b, "\tgithub.com/org%d/mod%d v1.%d.%d\n", i%5, i, p%7, i)
	}
	b.WriteString(")\n")
	return b.String()
}

func requirementsTxt(p, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "py-pkg-%d==2.%d.%d\n", i, p%7, i)
	}
	return b.String()
}

func cargoLock(p, n int) string {
	var b strings.Builder
	b.WriteString("version = 3\n")
	for i := range n {
		fmt.Fprintf(&b, "\n[[package]]\nname = \"crate-%d\"\nversion = \"0.%d.%d\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n", i, p%7, i)
	}
	return b.String()
}

// BenchmarkScan scans generated trees of four lockfiles per project, 40
// entries each: 1,000 lockfiles (40,000 component entries, the size of the
// syft figure craft is compared with: 21 s, 1.2 GB) and 5,000 lockfiles
// (200,000 entries).
func BenchmarkScan(b *testing.B) {
	for _, projects := range []int{250, 1250} {
		b.Run(fmt.Sprintf("lockfiles=%d", 4*projects), func(b *testing.B) {
			dir := b.TempDir()
			entries := generateTree(b, dir, projects, 40)
			b.ResetTimer()
			cpu0 := cpuTime(b)
			var comps int
			for b.Loop() {
				inv, err := Scan(context.Background(), dir, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(inv.Skipped) > 0 {
					b.Fatalf("skipped: %+v", inv.Skipped[0])
				}
				comps = len(inv.Components)
			}
			b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(comps), "components")
			// CPU time does not depend on what else the machine runs.
			b.ReportMetric((cpuTime(b)-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// TestGeneratedTree checks the benchmark's tree: every entry is found and
// merging collapses repeated name@version pairs.
func TestGeneratedTree(t *testing.T) {
	dir := t.TempDir()
	generateTree(t, dir, 8, 5)
	inv := scanOK(t, dir, Options{})
	if len(inv.Skipped) > 0 {
		t.Fatalf("skipped: %+v", inv.Skipped)
	}
	if len(inv.Files) != 48 {
		t.Errorf("files = %d, want 32 lockfiles and 16 manifests", len(inv.Files))
	}
	// 8 projects, versions vary with p%7: 7 distinct versions per package
	// name and kind, 4 kinds x 5 names; stdlib varies with p%10: 8.
	if want := 7*4*5 + 8; len(inv.Components) != want {
		t.Errorf("components = %d, want %d", len(inv.Components), want)
	}
}

// cpuTime is the user plus system CPU time of this process so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
