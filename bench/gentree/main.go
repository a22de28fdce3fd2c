// Command gentree writes a synthetic source tree for benchmarks: N project
// folders, each with one lockfile of a rotating ecosystem (npm
// package-lock.json v3, Python requirements.txt, Cargo.lock, go.mod,
// composer.lock) holding about E package entries. Package names repeat
// across projects the way real dependency trees do, so the number of
// distinct components is far lower than the number of entries.
//
//	go run ./bench/gentree -dir /tmp/tree -projects 5000 -entries 40
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", "", "output folder (must not exist)")
	projects := flag.Int("projects", 5000, "number of project folders, one lockfile each")
	entries := flag.Int("entries", 40, "package entries per lockfile")
	names := flag.Int("names", 20000, "size of the pool of package names per ecosystem")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gentree: -dir is required")
		os.Exit(2)
	}
	if err := generate(*dir, *projects, *entries, *names); err != nil {
		fmt.Fprintln(os.Stderr, "gentree:", err)
		os.Exit(1)
	}
}

type writerFunc func(w *bufio.Writer, pkgs []pkg)

type pkg struct{ name, version string }

var layouts = []struct {
	file  string
	write writerFunc
}{
	{"package-lock.json", writeNPM},
	{"requirements.txt", writePyPI},
	{"Cargo.lock", writeCargo},
	{"go.mod", writeGoMod},
	{"composer.lock", writeComposer},
}

func generate(dir string, projects, entries, names int) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists", dir)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	total := 0
	for p := range projects {
		layout := layouts[p%len(layouts)]
		pdir := filepath.Join(dir, fmt.Sprintf("group%03d", p/100), fmt.Sprintf("project%05d", p))
		if err := os.MkdirAll(pdir, 0o755); err != nil {
			return err
		}
		pkgs := make([]pkg, entries)
		seen := map[string]bool{}
		for i := range pkgs {
			for {
				n := rng.IntN(names)
				name := fmt.Sprintf("pkg%05d", n)
				if !seen[name] {
					seen[name] = true
					pkgs[i] = pkg{name, fmt.Sprintf("%d.%d.%d", n%7, n%13, rng.IntN(4))}
					break
				}
			}
		}
		f, err := os.Create(filepath.Join(pdir, layout.file))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		layout.write(w, pkgs)
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		total += len(pkgs)
	}
	fmt.Printf("wrote %d lockfiles with %d package entries under %s\n", projects, total, dir)
	return nil
}

func writeNPM(w *bufio.Writer, pkgs []pkg) {
	fmt.Fprintf(w, "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\"name\": \"app\", \"version\": \"1.0.0\"}")
	for _, p := range pkgs {
		fmt.Fprintf(w, ",\n    \"node_modules/%s\": {\"version\": \"%s\", \"resolved\": \"https://registry.npmjs.org/%s/-/%s-%s.tgz\", \"integrity\": \"sha512-AAAA\"}", p.name, p.version, p.name, p.name, p.version)
	}
	fmt.Fprintf(w, "\n  }\n}\n")
}

func writePyPI(w *bufio.Writer, pkgs []pkg) {
	for _, p := range pkgs {
		fmt.Fprintf(w, "%s==%s\n", p.name, p.version)
	}
}

func writeCargo(w *bufio.Writer, pkgs []pkg) {
	fmt.Fprintf(w, "version = 3\n")
	for _, p := range pkgs {
		fmt.Fprintf(w, "\n[[package]]\nname = \"%s\"\nversion = \"%s\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n", p.name, p.version)
	}
}

func writeGoMod(w *bufio.Writer, pkgs []pkg) {
	fmt.Fprintf(w, "module example.com/app\n\ngo 1.22\n\nrequire (\n")
	for _, p := range pkgs {
		// Without a /vN suffix a module path only takes v0 and v1.
		fmt.Fprintf(w, "\texample.com/%s v%d%s\n", p.name, len(p.name)%2, p.version[strings.Index(p.version, "."):])
	}
	fmt.Fprintf(w, ")\n")
}

func writeComposer(w *bufio.Writer, pkgs []pkg) {
	fmt.Fprintf(w, "{\n  \"packages\": [")
	for i, p := range pkgs {
		if i > 0 {
			fmt.Fprintf(w, ",")
		}
		fmt.Fprintf(w, "\n    {\"name\": \"vendor/%s\", \"version\": \"%s\", \"type\": \"library\"}", p.name, p.version)
	}
	fmt.Fprintf(w, "\n  ],\n  \"packages-dev\": []\n}\n")
}
