package inventory

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

const goodLock = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"wrappy": "^1.0.2"}},
    "node_modules/wrappy": {"version": "1.0.2", "resolved": "https://registry.npmjs.org/wrappy/-/wrappy-1.0.2.tgz"}
  }
}
`

const goodGoMod = "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgolang.org/x/text v0.14.0\n\tgolang.org/x/sys v0.15.0 // indirect\n)\n"

// writeTree creates files (slash paths relative to dir) with the given contents.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func scanOK(t *testing.T, root string, opts Options) *Inventory {
	t.Helper()
	inv, err := Scan(context.Background(), root, opts)
	if err != nil {
		t.Fatalf("Scan(%s): %v", root, err)
	}
	return inv
}

func componentIDs(inv *Inventory) []string {
	var ids []string
	for _, c := range inv.Components {
		ids = append(ids, c.ID)
	}
	return ids
}

func filePaths(inv *Inventory) []string {
	var ps []string
	for _, f := range inv.Files {
		ps = append(ps, f.Path)
	}
	return ps
}

// skipReason returns the reason the scan gave for skipping p, or "".
func skipReason(inv *Inventory, p string) string {
	for _, s := range inv.Skipped {
		if s.Path == p {
			return s.Reason
		}
	}
	return ""
}

func TestScanRootErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	writeTree(t, dir, map[string]string{"file": "x"})
	tests := []struct {
		name string
		root string
		opts Options
		want string
	}{
		{"missing", filepath.Join(dir, "nope"), Options{}, "no such file or directory"},
		{"file", file, Options{}, "not a directory"},
		{"bad_exclude", dir, Options{Exclude: []string{"a/[b"}}, `exclude pattern "a/[b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scan(context.Background(), tt.root, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.root) {
				t.Fatalf("Scan(%s) error = %v, want one naming the root and containing %q", tt.root, err, tt.want)
			}
		})
	}
}

func TestScanCancelled(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"package-lock.json": goodLock})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, dir, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Scan with a cancelled context: error = %v, want context.Canceled", err)
	}
}

// TestScanWalkRules checks which directories the walk enters and what the
// exclude globs remove.
func TestScanWalkRules(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"package-lock.json":                       goodLock,
		"go.mod":                                  goodGoMod,
		"vendor/modules.txt":                      "# golang.org/x/text v0.14.0\n## explicit; go 1.18\ngolang.org/x/text/unicode\n",
		"vendor/github.com/x/y/go.mod":            "module github.com/x/y\n\ngo 1.20\n\nrequire example.com/vendored v1.0.0\n",
		"node_modules/left-pad/package-lock.json": strings.ReplaceAll(goodLock, "wrappy", "left-pad"),
		".git/package-lock.json":                  strings.ReplaceAll(goodLock, "wrappy", "in-git"),
		"examples/demo/Cargo.lock":                "version = 3\n\n[[package]]\nname = \"demo-dep\"\nversion = \"0.1.0\"\n",
		"sub/test/fixtures/requirements.txt":      "fixture-only==1.0\n",
		"sub/requirements.txt":                    "requests==2.31.0\n",
	})
	tests := []struct {
		name      string
		exclude   []string
		wantFiles []string
	}{
		{"defaults", nil, []string{"go.mod", "package-lock.json", "examples/demo/Cargo.lock", "sub/requirements.txt", "sub/test/fixtures/requirements.txt", "vendor/modules.txt"}},
		{"shell_style", []string{"./examples/", "./sub/test"}, []string{"go.mod", "package-lock.json", "sub/requirements.txt", "vendor/modules.txt"}},
		{"exclude_dir", []string{"examples"}, []string{"go.mod", "package-lock.json", "sub/requirements.txt", "sub/test/fixtures/requirements.txt", "vendor/modules.txt"}},
		{"doublestar", []string{"**/fixtures"}, []string{"go.mod", "package-lock.json", "examples/demo/Cargo.lock", "sub/requirements.txt", "vendor/modules.txt"}},
		{"file_glob", []string{"**/*.lock", "vendor/modules.txt"}, []string{"go.mod", "package-lock.json", "sub/requirements.txt", "sub/test/fixtures/requirements.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var examined []string
			inv := scanOK(t, dir, Options{Exclude: tt.exclude, Progress: func(p string) { examined = append(examined, p) }})
			want := slices.Sorted(slices.Values(tt.wantFiles))
			if got := filePaths(inv); !slices.Equal(got, want) {
				t.Errorf("files = %q, want %q", got, want)
			}
			for _, p := range examined {
				if strings.HasPrefix(p, ".git/") || strings.HasPrefix(p, "node_modules/") || strings.HasPrefix(p, "vendor/github.com") {
					t.Errorf("Progress saw %s inside a skipped directory", p)
				}
			}
			if !slices.Contains(examined, "package-lock.json") {
				t.Errorf("Progress never saw package-lock.json: %q", examined)
			}
			for _, id := range componentIDs(inv) {
				if strings.Contains(id, "left-pad") || strings.Contains(id, "in-git") || strings.Contains(id, "vendored") {
					t.Errorf("component %s comes from a skipped directory", id)
				}
			}
		})
	}
}

func TestScanGoModRelationshipAndStdlib(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"go.mod": goodGoMod})
	inv := scanOK(t, dir, Options{})
	want := map[string]Component{
		"pkg:golang/golang.org/x/text@v0.14.0": {Name: "golang.org/x/text", Version: "0.14.0", Relationship: RelationshipDirect},
		"pkg:golang/golang.org/x/sys@v0.15.0":  {Name: "golang.org/x/sys", Version: "0.15.0", Relationship: RelationshipTransitive},
		"pkg:golang/stdlib@v1.22.0":            {Name: "stdlib", Version: "1.22.0", Relationship: RelationshipDirect},
	}
	if len(inv.Components) != len(want) {
		t.Fatalf("components = %q, want %d", componentIDs(inv), len(want))
	}
	for _, c := range inv.Components {
		w, ok := want[c.ID]
		if !ok {
			t.Errorf("unexpected component %s", c.ID)
			continue
		}
		if c.Name != w.Name || c.Version != w.Version || c.Relationship != w.Relationship || c.Ecosystem != "Go" || c.PURL != c.ID {
			t.Errorf("component %s = %+v, want name %s version %s relationship %q ecosystem Go", c.ID, c, w.Name, w.Version, w.Relationship)
		}
		if !slices.Equal(c.Locations, []string{"go.mod"}) {
			t.Errorf("component %s locations = %q", c.ID, c.Locations)
		}
	}
}

// TestScanMergesAcrossFiles: one package in several lockfiles is one
// component with every location, and its hash-listed files are all there.
func TestScanMergesAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a/package-lock.json": goodLock,
		"b/package-lock.json": goodLock,
		"c/yarn.lock":         "wrappy@^1.0.2:\n  version \"1.0.2\"\n  resolved \"https://registry.yarnpkg.com/wrappy/-/wrappy-1.0.2.tgz\"\n",
	})
	inv := scanOK(t, dir, Options{})
	if ids := componentIDs(inv); !slices.Equal(ids, []string{"pkg:npm/wrappy@1.0.2"}) {
		t.Fatalf("components = %q, want one wrappy", ids)
	}
	if got, want := inv.Components[0].Locations, []string{"a/package-lock.json", "b/package-lock.json", "c/yarn.lock"}; !slices.Equal(got, want) {
		t.Errorf("locations = %q, want %q", got, want)
	}
	for _, f := range inv.Files {
		if len(f.SHA512) != 128 || f.Size == 0 {
			t.Errorf("file %+v: want a SHA-512 and a size", f)
		}
	}
	if inv.Files[0].SHA512 != inv.Files[1].SHA512 {
		t.Errorf("identical files hash differently: %+v", inv.Files[:2])
	}
}

func TestScanHugeFileNotRead(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ok/package-lock.json": goodLock})
	big := filepath.Join(dir, "big", "package-lock.json")
	if err := os.MkdirAll(filepath.Dir(big), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 200 MB of size, no blocks on disk. Reading it would take
	// seconds and 200 MB of memory; the scan must not open it at all.
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	inv := scanOK(t, dir, Options{})
	if r := skipReason(inv, "big/package-lock.json"); !strings.Contains(r, "larger than the 100 MiB limit") {
		t.Errorf("skip reason for the 200 MB file = %q", r)
	}
	if slices.Contains(filePaths(inv), "big/package-lock.json") {
		t.Error("the 200 MB file is listed as read")
	}
	if ids := componentIDs(inv); !slices.Equal(ids, []string{"pkg:npm/wrappy@1.0.2"}) {
		t.Errorf("components = %q: the scan must go on past the big file", ids)
	}
}

func TestScanSymlinks(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"package-lock.json": strings.ReplaceAll(goodLock, "wrappy", "secret-outside")})
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"real/package-lock.json": goodLock})
	links := map[string]string{
		"escape/package-lock.json":   filepath.Join(outside, "package-lock.json"), // file outside the root
		"escape-dir":                 outside,                                     // directory outside the root
		"relative-escape":            "../../" + filepath.Base(outside),           // relative link climbing out
		"inside/package-lock.json":   "../real/package-lock.json",                 // file inside: read under the link's path
		"real/loop-to-ancestor":      "..",                                        // directory loop
		"self/package-lock.json":     "package-lock.json",                         // link to itself
		"pingpong/a/Cargo.lock":      "../b/Cargo.lock",                           // two links pointing at each other
		"pingpong/b/Cargo.lock":      "../a/Cargo.lock",
		"dangling/package-lock.json": "does-not-exist.json",
	}
	for p, target := range links {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	inv := scanOK(t, dir, Options{})
	wantSkips := map[string]string{
		"escape/package-lock.json": "outside the scanned root",
		"escape-dir":               "outside the scanned root",
		"real/loop-to-ancestor":    "symlink loop",
		"self/package-lock.json":   "symlink loop",
		"pingpong/a/Cargo.lock":    "symlink loop",
		"pingpong/b/Cargo.lock":    "symlink loop",
	}
	for p, want := range wantSkips {
		if r := skipReason(inv, p); !strings.Contains(r, want) {
			t.Errorf("skip reason for %s = %q, want %q", p, r, want)
		}
	}
	if ids := componentIDs(inv); !slices.Equal(ids, []string{"pkg:npm/wrappy@1.0.2"}) {
		t.Errorf("components = %q: nothing from outside the root may appear", ids)
	}
	if got, want := inv.Components[0].Locations, []string{"inside/package-lock.json", "real/package-lock.json"}; !slices.Equal(got, want) {
		t.Errorf("locations = %q, want %q", got, want)
	}
	if r := skipReason(inv, "dangling/package-lock.json"); r != "" {
		t.Errorf("dangling link skipped with %q; a dangling link holds nothing and is ignored", r)
	}
}

func TestScanNotRegularFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ok/package-lock.json": goodLock})
	fifo := filepath.Join(dir, "fifo", "package-lock.json")
	if err := os.MkdirAll(filepath.Dir(fifo), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Opening a FIFO blocks until a writer comes; the scan must not open it.
	inv := scanOK(t, dir, Options{})
	if r := skipReason(inv, "fifo/package-lock.json"); !strings.Contains(r, "not a regular file") {
		t.Errorf("skip reason for a FIFO = %q", r)
	}
}

// TestScanUnreadable needs a user that permissions apply to. As root it
// re-runs itself as nobody (uid 65534) on a copy of the test binary.
func TestScanUnreadable(t *testing.T) {
	if os.Getenv("CRAFT_INVENTORY_UNREADABLE_DIR") != "" {
		unreadableChild(t, os.Getenv("CRAFT_INVENTORY_UNREADABLE_DIR"))
		return
	}
	dir, err := os.MkdirTemp("", "craft-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{
		"ok/package-lock.json":     goodLock,
		"locked/package-lock.json": goodLock,
		"closed/sub/go.mod":        goodGoMod,
	})
	if err := os.Chmod(filepath.Join(dir, "locked", "package-lock.json"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "closed"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "closed"), 0o755) })
	if os.Geteuid() != 0 {
		unreadableChild(t, dir)
		return
	}
	// Root reads everything: run the check as nobody.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "inventory.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestScanUnreadable$", "-test.v")
	cmd.Env = append(os.Environ(), "CRAFT_INVENTORY_UNREADABLE_DIR="+dir, "HOME=/", "GOCOVERDIR=")
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestScanUnreadable") {
		t.Fatalf("child as nobody did not run the check:\n%s", out)
	}
}

func unreadableChild(t *testing.T, dir string) {
	inv := scanOK(t, dir, Options{})
	if r := skipReason(inv, "locked/package-lock.json"); !strings.Contains(r, "permission denied") {
		t.Errorf("skip reason for an unreadable file = %q, want permission denied", r)
	}
	if r := skipReason(inv, "closed"); !strings.Contains(r, "permission denied") {
		t.Errorf("skip reason for an unreadable directory = %q, want permission denied", r)
	}
	if got := filePaths(inv); !slices.Equal(got, []string{"ok/package-lock.json"}) {
		t.Errorf("files = %q, want only ok/package-lock.json", got)
	}
}

// TestScanDeterministic: two scans of the same tree give the same result,
// whatever order the workers finish in.
func TestScanDeterministic(t *testing.T) {
	for _, tree := range []string{"polyglot", "broken", "osv-scanner"} {
		scanTwiceSame(t, filepath.Join("testdata", "trees", tree))
	}
}

func scanTwiceSame(t *testing.T, root string) {
	a := scanOK(t, root, Options{})
	for range 3 {
		b := scanOK(t, root, Options{})
		if !slices.EqualFunc(a.Components, b.Components, func(x, y Component) bool {
			return x.ID == y.ID && slices.Equal(x.Locations, y.Locations)
		}) || !slices.Equal(filePaths(a), filePaths(b)) || !slices.Equal(a.Skipped, b.Skipped) {
			t.Fatal("two scans of the same tree differ")
		}
	}
	seen := map[string]bool{}
	for _, c := range a.Components {
		if seen[c.ID] {
			t.Errorf("duplicate ID %s", c.ID)
		}
		seen[c.ID] = true
	}
}

// TestScanListsFilesReadBeside: files an extractor opens next to the one it
// was given (go.sum for an old go.mod, a requirements file named by -r) are
// listed with their hashes too.
func TestScanListsFilesReadBeside(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"old/go.mod":          "module example.com/old\n\ngo 1.16\n\nrequire golang.org/x/text v0.3.7\n",
		"old/go.sum":          "golang.org/x/text v0.3.7 h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=\ngolang.org/x/text v0.3.7/go.mod h1:u+2+/6zg+i71rQMx5EYifcz6MCKuco9NR6JIITiCfzQ=\ngolang.org/x/tools v0.0.0-20180917221912-90fa682c2a6e/go.mod h1:n7NCudcB/nEzxVGmLbDWY5pfWTLqBcC2KZ6jyYvM4mQ=\n",
		"py/requirements.txt": "-r base.txt\nflask==3.0.0\n",
		"py/base.txt":         "requests==2.31.0\n",
		"unrelated/notes.txt": "not read\n",
	})
	inv := scanOK(t, dir, Options{})
	want := []string{"old/go.mod", "old/go.sum", "py/base.txt", "py/requirements.txt"}
	if got := filePaths(inv); !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
	for _, c := range inv.Components {
		// requests is in base.txt, reached through requirements.txt.
		if c.Name == "requests" && !slices.Equal(c.Locations, []string{"py/base.txt", "py/requirements.txt"}) {
			t.Errorf("requests locations = %q, want both files", c.Locations)
		}
	}
}

const threePkgLock = `{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
"":{"name":"app","version":"1.0.0"},
"node_modules/wrappy":{"version":"1.0.2"},
"node_modules/once":{"version":"1.4.0"},
"node_modules/eslint":{"version":"9.0.0","dev":true}}}
`

const appCargoLock = `version = 3

[[package]]
name = "app"
version = "0.1.0"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
`

// TestScanDirectFromManifests: a package.json or Cargo.toml beside a
// lockfile tells direct from transitive dependencies.
func TestScanDirectFromManifests(t *testing.T) {
	pkgJSON := `{"name":"app","private":true,"dependencies":{"wrappy":"^1.0.2"},"devDependencies":{"eslint":"^9"}}`
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]Relationship
		skip  string // path that must be skipped
	}{
		{
			name:  "npm",
			files: map[string]string{"package.json": pkgJSON, "package-lock.json": threePkgLock},
			want:  map[string]Relationship{"wrappy": RelationshipDirect, "eslint": RelationshipDirect, "once": RelationshipTransitive},
		},
		{
			name:  "npm_workspace",
			files: map[string]string{"package.json": strings.Replace(pkgJSON, `"private":true`, `"workspaces":["packages/*"]`, 1), "package-lock.json": threePkgLock},
			want:  map[string]Relationship{"wrappy": RelationshipDirect, "eslint": RelationshipDirect, "once": RelationshipUnknown},
		},
		{
			name:  "pnpm_workspace",
			files: map[string]string{"package.json": pkgJSON, "package-lock.json": threePkgLock, "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n"},
			want:  map[string]Relationship{"wrappy": RelationshipDirect, "once": RelationshipUnknown},
		},
		{
			name:  "manifest_elsewhere",
			files: map[string]string{"web/package.json": pkgJSON, "package-lock.json": threePkgLock},
			want:  map[string]Relationship{"wrappy": RelationshipUnknown, "once": RelationshipUnknown},
		},
		{
			name:  "broken_package_json",
			files: map[string]string{"package.json": `{"dependencies": [`, "package-lock.json": threePkgLock},
			want:  map[string]Relationship{"wrappy": RelationshipUnknown, "once": RelationshipUnknown},
			skip:  "package.json",
		},
		{
			name: "pyproject",
			files: map[string]string{
				"pyproject.toml": "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"Requests[socks] >=2.31; python_version >= '3.8'\"]\n\n[project.optional-dependencies]\ncli = [\"Click_Plus==8.0\"]\n",
				"uv.lock":        "version = 1\nrequires-python = \">=3.12\"\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"click-plus\"\nversion = \"8.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"urllib3\"\nversion = \"2.2.1\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
			},
			want: map[string]Relationship{"requests": RelationshipDirect, "click-plus": RelationshipDirect, "urllib3": RelationshipUnknown},
		},
		{
			name:  "cargo",
			files: map[string]string{"Cargo.toml": "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n\n[dev-dependencies]\nitoa = \"1\"\n", "Cargo.lock": appCargoLock},
			want:  map[string]Relationship{"serde": RelationshipDirect, "itoa": RelationshipUnknown, "app": RelationshipUnknown},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.files)
			inv := scanOK(t, dir, Options{})
			got := map[string]Relationship{}
			for _, c := range inv.Components {
				got[c.Name] = c.Relationship
			}
			for name, want := range tt.want {
				if r, ok := got[name]; !ok || r != want {
					t.Errorf("%s: relationship = %q (found %v), want %q", name, r, ok, want)
				}
			}
			if tt.skip != "" && !strings.Contains(skipReason(inv, tt.skip), "reading direct dependencies") {
				t.Errorf("skipped = %+v, want %s skipped", inv.Skipped, tt.skip)
			}
			for _, p := range []string{"package.json", "Cargo.toml", "pyproject.toml"} {
				if _, ok := tt.files[p]; ok && !slices.Contains(filePaths(inv), p) {
					t.Errorf("files = %q: the manifest read must be listed", filePaths(inv))
				}
			}
		})
	}
}

// TestScanYAMLAliasBomb: a "billion laughs" YAML document (nine levels of
// nine aliases, 9^9 nodes once expanded) under every YAML lockfile name
// must not expand: the scan stays fast and the files are skipped or empty.
func TestScanYAMLAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
		prev = n
	}
	b.WriteString("lockfileVersion: 5.4\npackages:\n  /x/1.0.0: *i\n")
	bomb := b.String()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"pnpm-lock.yaml":  bomb,
		"pubspec.lock":    bomb,
		"Podfile.lock":    bomb,
		"stack.yaml.lock": bomb,
	})
	start := time.Now()
	inv := scanOK(t, dir, Options{})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("scan took %v", d)
	}
	if len(inv.Components) > 0 {
		t.Errorf("components from an alias bomb: %q", componentIDs(inv))
	}
	if got := len(inv.Files) + len(inv.Skipped); got < 4 {
		t.Errorf("files %q, skipped %+v: every bomb must be read or skipped", filePaths(inv), inv.Skipped)
	}
}
