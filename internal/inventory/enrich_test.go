package inventory

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// graphLines prints a lockGraph as sorted lines
// "name@version -> dep@v, ... | ALG:hex ... | licence; ...", one per node,
// so that table tests can state the expected graph plainly.
func graphLines(g *lockGraph) []string {
	var out []string
	for _, n := range g.nodes {
		var deps, hashes []string
		for _, d := range n.deps {
			deps = append(deps, g.nodes[d].name+"@"+g.nodes[d].version)
		}
		slices.Sort(deps)
		for _, h := range n.hashes {
			hashes = append(hashes, h.Algorithm+":"+h.Value)
		}
		line := n.name + "@" + n.version + " ->"
		if len(deps) > 0 {
			line += " " + strings.Join(deps, ", ")
		}
		if len(hashes) > 0 {
			line += " | " + strings.Join(hashes, " ")
		}
		if len(n.licenses) > 0 {
			line += " | " + strings.Join(n.licenses, "; ")
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

type enrichCase struct {
	name    string
	doc     string
	want    []string
	wantErr string
}

func runEnrichCases(t *testing.T, read enrichReader, cases []enrichCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := runEnrichReader(read, []byte(tc.doc))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			checkGraph(t, g)
			if diff := cmp.Diff(tc.want, graphLines(g)); diff != "" {
				t.Errorf("graph (-want +got):\n%s", diff)
			}
			// The same bytes give the same graph.
			again, _ := runEnrichReader(read, []byte(tc.doc))
			if !slices.Equal(graphLines(g), graphLines(again)) {
				t.Errorf("second read differs")
			}
		})
	}
}

// checkGraph checks what every reader promises whatever the input: edges
// point at nodes of the graph, never at the node itself, and hashes are
// lower-case hex of their algorithm's length.
func checkGraph(t *testing.T, g *lockGraph) {
	t.Helper()
	sizes := map[string]int{"SHA-1": 20, "SHA-256": 32, "SHA-384": 48, "SHA-512": 64}
	for i, n := range g.nodes {
		for _, d := range n.deps {
			if d < 0 || d >= len(g.nodes) || d == i {
				t.Errorf("node %d (%s): bad edge to %d", i, n.name, d)
			}
		}
		for _, h := range n.hashes {
			if size, ok := sizes[h.Algorithm]; !ok || !isHex(h.Value, size) {
				t.Errorf("node %d (%s): bad hash %+v", i, n.name, h)
			}
		}
		for _, l := range n.licenses {
			if l == "" || strings.TrimSpace(l) != l {
				t.Errorf("node %d (%s): bad licence %q", i, n.name, l)
			}
		}
	}
}

const (
	sriSHA512 = "sha512-Ajr4IcMXq/2QmMkEmSvxqfLN5zGmJ92gHXAeOXq1OekoH2rfDNsgdDoL2f7QaRCy7G/E6TpxBVdRuNraMztGHw=="
	hexSHA512 = "023af821c317abfd9098c904992bf1a9f2cde731a627dda01d701e397ab539e9281f6adf0cdb20743a0bd9fed06910b2ec6fc4e93a71055751b8dada333b461f"
	sriSHA1   = "sha1-tSQ9jz7BqjXxNkYFvA0QNuMKtp8="
	hexSHA1   = "b5243d8f3ec1aa35f1364605bc0d1036e30ab69f"
)

func TestReadNpmLock(t *testing.T) {
	runEnrichCases(t, readNpmLock, []enrichCase{
		{
			name: "nearest node_modules wins, walking up",
			doc: `{"lockfileVersion": 3, "packages": {
				"": {"dependencies": {"a": "*", "c": "*"}},
				"node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^2"}},
				"node_modules/a/node_modules/b": {"version": "2.0.0", "dependencies": {"c": "*"}},
				"node_modules/b": {"version": "1.0.0"},
				"node_modules/c": {"version": "1.0.0", "dependencies": {"b": "^1"}}
			}}`,
			want: []string{
				"a@1.0.0 -> b@2.0.0",
				"b@1.0.0 ->",
				"b@2.0.0 -> c@1.0.0",
				"c@1.0.0 -> b@1.0.0",
			},
		},
		{
			name: "same name and version at several paths",
			doc: `{"packages": {
				"node_modules/x": {"version": "1.0.0", "dependencies": {"y": "*"}},
				"node_modules/x/node_modules/y": {"version": "2.0.0"},
				"node_modules/z": {"version": "1.0.0", "dependencies": {"x": "*"}},
				"node_modules/z/node_modules/x": {"version": "1.0.0", "dependencies": {"y": "*"}},
				"node_modules/y": {"version": "1.0.0"}
			}}`,
			want: []string{
				"x@1.0.0 -> y@1.0.0",
				"x@1.0.0 -> y@2.0.0",
				"y@1.0.0 ->",
				"y@2.0.0 ->",
				"z@1.0.0 -> x@1.0.0",
			},
		},
		{
			name: "scoped names, optional and peer dependencies, missing targets",
			doc: `{"packages": {
				"node_modules/@s/x": {"version": "1.0.0", "dependencies": {"@s/y": "*", "gone": "*"}, "optionalDependencies": {"fsevents": "*"}, "peerDependencies": {"p": "*"}},
				"node_modules/@s/y": {"version": "1.0.0"},
				"node_modules/p": {"version": "3.0.0"}
			}}`,
			want: []string{
				"@s/x@1.0.0 -> @s/y@1.0.0, p@3.0.0",
				"@s/y@1.0.0 ->",
				"p@3.0.0 ->",
			},
		},
		{
			name: "cycles are kept, self-references are not",
			doc: `{"packages": {
				"node_modules/a": {"version": "1.0.0", "dependencies": {"a": "*", "b": "*"}},
				"node_modules/b": {"version": "1.0.0", "dependencies": {"a": "*"}}
			}}`,
			want: []string{"a@1.0.0 -> b@1.0.0", "b@1.0.0 -> a@1.0.0"},
		},
		{
			name: "integrity, licences and aliases",
			doc: `{"packages": {
				"node_modules/a": {"version": "1.0.0", "integrity": "` + sriSHA512 + " " + sriSHA1 + `", "license": "(MIT OR Apache-2.0)"},
				"node_modules/b": {"version": "1.0.0", "integrity": "sha512-notbase64!", "license": {"type": "ISC"}},
				"node_modules/c": {"version": "1.0.0", "integrity": "md5-AAAA sha1-AAAA", "license": [{"type": "MIT"}, {"type": "BSD-3-Clause"}]},
				"node_modules/alias": {"name": "real", "version": "2.0.0", "integrity": "` + sriSHA1 + `", "license": 7}
			}}`,
			want: []string{
				"a@1.0.0 -> | SHA-512:" + hexSHA512 + " SHA-1:" + hexSHA1 + " | (MIT OR Apache-2.0)",
				"b@1.0.0 -> | ISC",
				"c@1.0.0 -> | MIT; BSD-3-Clause",
				"real@2.0.0 -> | SHA-1:" + hexSHA1,
			},
		},
		{
			name: "workspace links resolve to the member",
			doc: `{"packages": {
				"": {"workspaces": ["packages/*"]},
				"node_modules/ws-a": {"resolved": "packages/a", "link": true},
				"packages/a": {"name": "ws-a", "version": "0.1.0", "dependencies": {"x": "*"}},
				"node_modules/x": {"version": "1.0.0", "dependencies": {"ws-a": "*"}}
			}}`,
			want: []string{"ws-a@0.1.0 -> x@1.0.0", "x@1.0.0 -> ws-a@0.1.0"},
		},
		{
			name: "entries of the wrong shape add nothing",
			doc: `{"packages": {
				"node_modules/a": {"version": 5},
				"node_modules/b": {"version": "1.0.0", "dependencies": ["a"]},
				"node_modules/c": "not an object",
				"node_modules/d": null,
				"node_modules/e": {"version": "1.0.0", "dependencies": {"a": "*", "b": "*", "c": "*", "d": "*"}, "integrity": 12}
			}}`,
			// d is null, which decodes as an empty entry (scalibr reads it
			// the same way).
			want: []string{"d@ ->"},
		},
		{
			name: "v1 tree: requires resolve up the nesting",
			doc: `{"lockfileVersion": 1, "dependencies": {
				"a": {"version": "1.0.0", "integrity": "` + sriSHA1 + `", "requires": {"b": "^2", "c": "*"},
					"dependencies": {"b": {"version": "2.0.0", "requires": {"c": "*", "b": "*"}}}},
				"b": {"version": "1.0.0"},
				"c": {"version": "1.0.0", "requires": {"a": "*", "missing": "*"}},
				"sw": {"version": "npm:string-width@4.2.3"},
				"bad": {"version": ["x"]}
			}}`,
			want: []string{
				"a@1.0.0 -> b@2.0.0, c@1.0.0 | SHA-1:" + hexSHA1,
				"b@1.0.0 ->",
				"b@2.0.0 -> c@1.0.0",
				"c@1.0.0 -> a@1.0.0",
				"string-width@4.2.3 ->",
			},
		},
		{name: "not JSON", doc: "\x01junk", wantErr: "not a package-lock.json"},
		{name: "packages of the wrong type", doc: `{"packages": "x"}`, wantErr: "not a package-lock.json"},
		{name: "null", doc: `null`},
		{name: "empty object", doc: `{}`},
	})
}

func TestReadCargoLock(t *testing.T) {
	const sum = "e7a2e47a1fbe209ee101dd6d61285226744c6c8d3c21c8dc878ba6cb9f467f3a"
	runEnrichCases(t, readCargoLock, []enrichCase{
		{
			name: "name, name version, name version (source)",
			doc: `version = 3
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["log", "syn 1.0.73", "rand 0.8.5 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "log"
version = "0.4.20"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "` + strings.ToUpper(sum) + `"

[[package]]
name = "syn"
version = "1.0.73"
checksum = "` + sum + `"

[[package]]
name = "syn"
version = "2.0.0"

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.8.5"
source = "git+https://github.com/rust-random/rand#abc"
`,
			want: []string{
				"app@0.1.0 -> log@0.4.20, rand@0.8.5, syn@1.0.73",
				"log@0.4.20 -> | SHA-256:" + sum,
				"rand@0.8.5 ->",
				"rand@0.8.5 ->",
				"syn@1.0.73 -> | SHA-256:" + sum,
				"syn@2.0.0 ->",
			},
		},
		{
			name: "ambiguous, missing and self references add no edge; cycles stay",
			doc: `[[package]]
name = "a"
version = "1.0.0"
dependencies = ["syn", "nope", "nope 1.0.0", "a", "b 1.0.0 (elsewhere)", "", "b"]
checksum = "short"

[[package]]
name = "b"
version = "1.0.0"
dependencies = ["a"]

[[package]]
name = "syn"
version = "1.0.0"

[[package]]
name = "syn"
version = "2.0.0"
`,
			want: []string{"a@1.0.0 -> b@1.0.0", "b@1.0.0 -> a@1.0.0", "syn@1.0.0 ->", "syn@2.0.0 ->"},
		},
		{
			name: "packages of the wrong shape add nothing",
			doc: `[[package]]
name = "a"
version = 1

[[package]]
name = "b"
version = "1.0.0"
dependencies = "a"

[[package]]
version = "1.0.0"

[[package]]
name = "c"
version = "1.0.0"
dependencies = ["a", "b", 3]

[[package]]
name = "d"
version = "1.0.0"
dependencies = ["a"]
`,
			want: []string{"d@1.0.0 ->"},
		},
		{
			name: "checksums under [metadata] (Cargo before 1.41)",
			doc: `[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "b"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "c"
version = "1.0.0"

[metadata]
"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "` + sum + `"
"checksum b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "<none>"
"checksum c 1.0.0" = "` + sum + `"
"checksum d 1.0.0 (x)" = "` + sum + `"
"other" = 5
`,
			// b's value is no checksum; "c 1.0.0" names c unambiguously;
			// d is not in the file.
			want: []string{"a@1.0.0 -> b@1.0.0 | SHA-256:" + sum, "b@1.0.0 ->", "c@1.0.0 -> | SHA-256:" + sum},
		},
		{name: "not TOML", doc: "invalid = [", wantErr: "not a Cargo.lock"},
		{name: "package is not a table", doc: `package = "x"`, wantErr: "not a Cargo.lock"},
		{name: "empty", doc: ``},
	})
}

func TestReadComposerLock(t *testing.T) {
	runEnrichCases(t, readComposerLock, []enrichCase{
		{
			name: "require edges among packages and packages-dev",
			doc: `{"packages": [
				{"name": "monolog/monolog", "version": "2.9.1", "require": {"php": ">=7.2", "ext-json": "*", "Psr/Log": "^1.0", "missing/pkg": "^1"},
				 "dist": {"type": "zip", "shasum": "F0D9EBE2B53E7E0AD39D7E0E7A40C0F5E1C0C0E4"}, "license": ["MIT"]},
				{"name": "psr/log", "version": "1.1.4", "require": [], "dist": {"shasum": ""}, "license": ["Apache-2.0", "MIT"]}
			], "packages-dev": [
				{"name": "phpunit/phpunit", "version": "9.6.0", "require": {"monolog/monolog": "*", "phpunit/phpunit": "*"}, "license": "BSD-3-Clause"}
			]}`,
			want: []string{
				"monolog/monolog@2.9.1 -> psr/log@1.1.4 | SHA-1:f0d9ebe2b53e7e0ad39d7e0e7a40c0f5e1c0c0e4 | MIT",
				"phpunit/phpunit@9.6.0 -> monolog/monolog@2.9.1 | BSD-3-Clause",
				"psr/log@1.1.4 -> | Apache-2.0 OR MIT",
			},
		},
		{
			name: "duplicate names, wrong types and cycles",
			doc: `{"packages": [
				{"name": "a/a", "version": "1.0.0", "require": {"b/b": "*", "dup/dup": "*"}, "dist": "x", "license": {"x": 1}},
				{"name": "b/b", "version": "1.0.0", "require": {"a/a": "*"}, "dist": {"shasum": "nothex"}},
				{"name": "dup/dup", "version": "1.0.0", "license": ["MIT OR GPL-2.0-only", "see LICENSE", "MIT", "MIT"]},
				{"name": "dup/dup", "version": "2.0.0"},
				{"name": 5, "version": "1.0.0"},
				"junk",
				{"version": "1.0.0"}
			], "packages-dev": null}`,
			want: []string{
				"a/a@1.0.0 -> b/b@1.0.0",
				"b/b@1.0.0 -> a/a@1.0.0",
				"dup/dup@1.0.0 -> | MIT OR (MIT OR GPL-2.0-only) OR (see LICENSE)",
				"dup/dup@2.0.0 ->",
			},
		},
		{name: "not JSON", doc: "{", wantErr: "not a composer.lock"},
		{name: "packages of the wrong type", doc: `{"packages": {"a": 1}}`, wantErr: "not a composer.lock"},
	})
}

func TestReadPoetryLock(t *testing.T) {
	const sum = "297fac7ec9e86f7b602792c28eb6f04819ba67ab88a34c56afcde52243a9a105"
	runEnrichCases(t, readPoetryLock, []enrichCase{
		{
			name: "lock-version 2: dependencies by PEP 503 name, one artifact's hash",
			doc: `[[package]]
name = "Requests"
version = "2.31.0"
files = [{file = "requests-2.31.0.tar.gz", hash = "sha256:` + strings.ToUpper(sum) + `"}]

[package.dependencies]
charset_normalizer = ">=2,<4"
idna = {version = ">=2.5,<4", optional = true}
urllib3 = [{version = "<2", markers = "python_version < '3.8'"}, {version = ">=2", markers = "python_version >= '3.8'"}]
"missing" = "*"
requests = "*"

[[package]]
name = "charset-normalizer"
version = "3.3.2"
files = [
    {file = "charset_normalizer-3.3.2.tar.gz", hash = "sha256:` + sum + `"},
    {file = "charset_normalizer-3.3.2-py3-none-any.whl", hash = "sha256:` + sum + `"},
]

[[package]]
name = "idna"
version = "3.6"
files = [{file = "idna-3.6.tar.gz", hash = "md5:abc"}]

[[package]]
name = "urllib3"
version = "1.26.18"

[[package]]
name = "urllib3"
version = "2.1.0"

[package.dependencies]
idna = "*"
`,
			want: []string{
				"Requests@2.31.0 -> charset-normalizer@3.3.2, idna@3.6 | SHA-256:" + sum,
				"charset-normalizer@3.3.2 ->",
				"idna@3.6 ->",
				"urllib3@1.26.18 ->",
				"urllib3@2.1.0 -> idna@3.6",
			},
		},
		{
			name: "lock-version 1: artifacts under metadata.files, a cycle",
			doc: `[[package]]
name = "emoji"
version = "2.0.0"

[package.dependencies]
six = "*"

[[package]]
name = "six"
version = "1.16.0"

[package.dependencies]
Emoji = "*"

[metadata]
lock-version = "1.1"

[metadata.files]
emoji = [{file = "emoji-2.0.0.tar.gz", hash = "sha256:` + sum + `"}]
six = "wrong type"
`,
			want: []string{"emoji@2.0.0 -> six@1.16.0 | SHA-256:" + sum, "six@1.16.0 -> emoji@2.0.0"},
		},
		{
			name: "packages of the wrong shape",
			doc: `[[package]]
name = "a"
version = 1

[[package]]
name = "b"
version = "1.0.0"
files = "x"
dependencies = {c = "*"}

[[package]]
name = "c"
version = "1.0.0"
files = [{file = 1, hash = 2}, {file = "c.tar.gz", hash = "sha256:` + sum + `"}]
dependencies = {b = "*", a = "*"}

[[package]]
name = "d"
version = "1.0.0"
dependencies = ["b"]
`,
			// d's dependencies are a list, not a table: BurntSushi/toml
			// leaves the map empty, so d stays without edges.
			want: []string{"c@1.0.0 -> | SHA-256:" + sum, "d@1.0.0 ->"},
		},
		{name: "not TOML", doc: "[[package]\n", wantErr: "not a poetry.lock"},
		{name: "package is not a list", doc: "package = 1", wantErr: "not a poetry.lock"},
	})
}

func TestIntegrityHashes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Hash
	}{
		{"", nil},
		{sriSHA512, []Hash{{"SHA-512", hexSHA512}}},
		{sriSHA512 + "?opt", []Hash{{"SHA-512", hexSHA512}}},
		{"  " + sriSHA1 + "\n", []Hash{{"SHA-1", hexSHA1}}},
		{"sha512-" + strings.TrimPrefix(sriSHA1, "sha1-"), nil}, // wrong length
		{"sha1", nil},
		{"md5-1B2M2Y8AsgTpgAmY7PhCfg==", nil},
		{"SHA1-" + strings.TrimPrefix(sriSHA1, "sha1-"), []Hash{{"SHA-1", hexSHA1}}},
	} {
		if got := integrityHashes(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("integrityHashes(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestScanEnrichment runs the whole pipeline: edges become component IDs,
// point only at components of the inventory, and hashes and licences land
// on the right component.
func TestScanEnrichment(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("js/package-lock.json", `{"lockfileVersion": 3, "packages": {
		"": {"dependencies": {"a": "*"}},
		"node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz", "integrity": "`+sriSHA512+`", "license": "MIT", "dependencies": {"b": "*", "c": "*"}},
		"node_modules/a/node_modules/b": {"version": "2.0.0", "resolved": "https://registry.npmjs.org/b/-/b-2.0.0.tgz", "dependencies": {"a": "*"}},
		"node_modules/b": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/b/-/b-1.0.0.tgz", "integrity": "`+sriSHA1+`"}
	}}`)
	write("rust/Cargo.lock", `version = 3
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["b"]

[[package]]
name = "b"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "e7a2e47a1fbe209ee101dd6d61285226744c6c8d3c21c8dc878ba6cb9f467f3a"
`)
	write("php/composer.lock", `{"packages": [
		{"name": "monolog/monolog", "version": "2.9.1", "require": {"php": ">=7.2", "psr/log": "^1"}, "license": ["MIT"]},
		{"name": "psr/log", "version": "1.1.4", "dist": {"shasum": "`+hexSHA1+`"}}
	]}`)
	// A second lockfile naming npm b@1.0.0 adds its hash to the same
	// component; its own edges point into the same inventory.
	write("js2/package-lock.json", `{"lockfileVersion": 3, "packages": {
		"node_modules/b": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/b/-/b-1.0.0.tgz", "integrity": "`+sriSHA512+`", "license": "ISC", "dependencies": {"a": "*"}},
		"node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz"}
	}}`)
	// The enrichment reads nothing from a file scalibr could not read,
	// and adds no second reason.
	write("bad/composer.lock", `{"packages": 5}`)

	inv, err := Scan(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		DependsOn []string
		Hashes    []string
		Licenses  []string
	}
	got := map[string]view{}
	for _, c := range inv.Components {
		var hs []string
		for _, h := range c.Hashes {
			hs = append(hs, h.Algorithm+":"+h.Value[:8])
		}
		got[c.ID] = view{c.DependsOn, hs, c.Licenses}
	}
	want := map[string]view{
		// a needs b, and gets its own nested b@2.0.0; c is not installed.
		"pkg:npm/a@1.0.0":                    {DependsOn: []string{"pkg:npm/b@2.0.0"}, Hashes: []string{"SHA-512:023af821"}, Licenses: []string{"MIT"}},
		"pkg:npm/b@2.0.0":                    {DependsOn: []string{"pkg:npm/a@1.0.0"}},
		"pkg:npm/b@1.0.0":                    {DependsOn: []string{"pkg:npm/a@1.0.0"}, Hashes: []string{"SHA-1:b5243d8f", "SHA-512:023af821"}, Licenses: []string{"ISC"}},
		"pkg:cargo/app@0.1.0":                {DependsOn: []string{"pkg:cargo/b@1.0.0"}},
		"pkg:cargo/b@1.0.0":                  {Hashes: []string{"SHA-256:e7a2e47a"}},
		"pkg:composer/monolog/monolog@2.9.1": {DependsOn: []string{"pkg:composer/psr/log@1.1.4"}, Licenses: []string{"MIT"}},
		"pkg:composer/psr/log@1.1.4":         {Hashes: []string{"SHA-1:b5243d8f"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	var reasons []string
	for _, s := range inv.Skipped {
		reasons = append(reasons, s.Path+": "+s.Reason)
	}
	if len(reasons) != 1 || !strings.HasPrefix(reasons[0], "bad/composer.lock: php/composerlock") {
		t.Errorf("skipped = %q, want only scalibr's reason for bad/composer.lock", reasons)
	}
}

// TestScanEnrichmentLimit: a file the extractor reads but the enrichment
// gives up on keeps its components, without edges or hashes, and says why.
func TestScanEnrichmentLimit(t *testing.T) {
	old := maxEnrichEdges
	maxEnrichEdges = 1
	t.Cleanup(func() { maxEnrichEdges = old })
	dir := t.TempDir()
	doc := `{"packages": {
		"node_modules/a": {"version": "1.0.0", "integrity": "` + sriSHA1 + `", "dependencies": {"b": "*", "c": "*"}},
		"node_modules/b": {"version": "1.0.0"},
		"node_modules/c": {"version": "1.0.0"}
	}}`
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Scan(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Components) != 3 {
		t.Fatalf("components = %d, want 3", len(inv.Components))
	}
	for _, c := range inv.Components {
		if len(c.DependsOn) > 0 || len(c.Hashes) > 0 {
			t.Errorf("%s: enriched despite the limit: %+v", c.ID, c)
		}
	}
	want := []Skipped{{Path: "package-lock.json", Reason: "dependency edges, hashes and licences not read: " + errEnrichBudget.Error()}}
	if diff := cmp.Diff(want, inv.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// FuzzEnrichReaders feeds arbitrary bytes to every enrichment reader. None
// may panic, fail to be deterministic, or produce an edge or hash that is
// not well formed.
func FuzzEnrichReaders(f *testing.F) {
	readers := []enrichReader{readNpmLock, readCargoLock, readComposerLock, readPoetryLock}
	seeds := map[string]int{"package-lock.json": 0, "Cargo.lock": 1, "composer.lock": 2, "poetry.lock": 3}
	err := filepath.WalkDir(filepath.Join("testdata", "trees"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if i, ok := seeds[filepath.Base(p)]; ok {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f.Add(byte(i), data)
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(byte(0), []byte(`{"packages": {"node_modules/a": {"version": "1", "dependencies": {"a": "*", "b": "*"}}, "node_modules/a/node_modules/b": {"link": true, "resolved": "node_modules/a"}}}`))
	f.Add(byte(0), []byte(`{"dependencies": {"a": {"requires": {"a": "*"}, "dependencies": {"a": {"requires": {"a": "*"}}}}}}`))
	f.Fuzz(func(t *testing.T, pick byte, data []byte) {
		read := readers[int(pick)%len(readers)]
		g, err := read(data) // no recover: a panic fails the fuzz run
		if err != nil {
			return
		}
		checkGraph(t, g)
		again, err := read(data)
		if err != nil || !slices.Equal(graphLines(g), graphLines(again)) {
			t.Errorf("second read differs (err %v)", err)
		}
	})
}

// TestEnrichReadersCoverExtractors: every enrichment reader belongs to an
// extractor the scan runs.
func TestEnrichReadersCoverExtractors(t *testing.T) {
	exs, err := Extractors()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, ex := range exs {
		names[ex.Name()] = true
	}
	for name := range enrichReaders {
		if !names[name] {
			t.Errorf("enrichment reader for %s, which the scan does not run", name)
		}
	}
}

// TestNpmLookupLimit: resolving names up a deep tree stops at the work
// limit instead of running for as long as the file makes it.
func TestNpmLookupLimit(t *testing.T) {
	old := maxNpmLookupWork
	maxNpmLookupWork = 100
	t.Cleanup(func() { maxNpmLookupWork = old })
	deep := "node_modules/a" + strings.Repeat("/node_modules/a", 50)
	for name, doc := range map[string]string{
		"v2": `{"packages": {"` + deep + `": {"version": "1", "dependencies": {"missing": "*"}}}}`,
		"v1": `{"dependencies": {"a": {"dependencies": {"a": {"dependencies": {"a": {"requires": {"missing": "*"}}}}}}}}`,
	} {
		maxNpmLookupWork = map[string]int{"v2": 100, "v1": 2}[name]
		if _, err := readNpmLock([]byte(doc)); err != errEnrichBudget {
			t.Errorf("%s: err = %v, want %v", name, err, errEnrichBudget)
		}
	}
	maxNpmLookupWork = old
	if _, err := readNpmLock([]byte(`{"packages": {"` + deep + `": {"version": "1", "dependencies": {"missing": "*"}}}}`)); err != nil {
		t.Errorf("within the limit: %v", err)
	}
}
