package inventory

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"deps.dev/util/pypi"
	"github.com/BurntSushi/toml"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargolock"
)

// Enrichment: scalibr v0.5.3's lockfile extractors parse dependency edges,
// per-package hashes and licences but do not pass them on. For the formats
// below craft decodes the same file bytes a second time, with encoding/json
// or BurntSushi/toml into small structs, and keeps only what scalibr drops:
// which entry depends on which, and each entry's hashes and licences. The
// components themselves are still scalibr's; an entry of the lockfile that
// matches no component adds nothing.

// lockGraph is what an enrichment reader found in one lockfile.
type lockGraph struct {
	nodes []lockNode
}

// lockNode is one package entry of a lockfile.
type lockNode struct {
	name, version string
	// deps are indices into lockGraph.nodes, resolved the way the package
	// manager resolves them; a reference that names no entry of the file
	// is dropped.
	deps     []int
	hashes   []Hash
	licenses []string
}

// enrichReader decodes one lockfile. An error means the document as a
// whole could not be read; an entry that does not decode is left out.
type enrichReader func(data []byte) (*lockGraph, error)

// enrichReaders maps a scalibr extractor's name to the reader of the same
// files.
var enrichReaders = map[string]enrichReader{
	packagelockjson.Name: readNpmLock,
	cargolock.Name:       readCargoLock,
	composerlock.Name:    readComposerLock,
	poetrylock.Name:      readPoetryLock,
}

// enrichReaderFor returns the reader for a file the given extractors want,
// or nil.
func enrichReaderFor(exs []filesystem.Extractor) enrichReader {
	for _, ex := range exs {
		if r := enrichReaders[ex.Name()]; r != nil {
			return r
		}
	}
	return nil
}

// Work limits for one file. A lockfile is at most MaxFileSize; these bound
// what a hostile one can make the readers do beyond decoding it.
// (Variables so that tests can lower them.)
var (
	// maxEnrichEdges is the most dependency references read from one file.
	maxEnrichEdges = 4_000_000
	// maxNpmLookupWork bounds the work of resolving npm dependencies up
	// deeply nested trees: bytes of path hashed (v2/v3), levels climbed
	// (v1).
	maxNpmLookupWork = 1 << 28
)

var errEnrichBudget = errors.New("too many dependency references to resolve")

// runEnrichReader calls r, turning a panic on hostile input into an error.
func runEnrichReader(r enrichReader, data []byte) (g *lockGraph, err error) {
	defer func() {
		if v := recover(); v != nil {
			g, err = nil, fmt.Errorf("reader failed on this input: %v", v)
		}
	}()
	return r(data)
}

// ---- npm: package-lock.json, npm-shrinkwrap.json ----

// npmLockDoc is the part of a package-lock.json the enrichment reads. v2 and
// v3 files have "packages" (v2 also the v1 tree, which is ignored then);
// v1 files have only "dependencies".
type npmLockDoc struct {
	Packages     map[string]json.RawMessage `json:"packages"`
	Dependencies map[string]json.RawMessage `json:"dependencies"`
}

// npmPackage is one entry of the v2/v3 "packages" map.
type npmPackage struct {
	Name                 string                     `json:"name"`
	Version              string                     `json:"version"`
	Integrity            string                     `json:"integrity"`
	License              json.RawMessage            `json:"license"`
	Link                 bool                       `json:"link"`
	Resolved             string                     `json:"resolved"`
	Dependencies         map[string]json.RawMessage `json:"dependencies"`
	OptionalDependencies map[string]json.RawMessage `json:"optionalDependencies"`
	PeerDependencies     map[string]json.RawMessage `json:"peerDependencies"`
}

// npmV1Dependency is one entry of the v1 "dependencies" tree.
type npmV1Dependency struct {
	Version      string                     `json:"version"`
	Integrity    string                     `json:"integrity"`
	Requires     map[string]json.RawMessage `json:"requires"`
	Dependencies map[string]json.RawMessage `json:"dependencies"`
}

func readNpmLock(data []byte) (*lockGraph, error) {
	// A well-formed file decodes in one pass; only when some entry has the
	// wrong shape is it decoded again entry by entry.
	var typed struct {
		Packages     map[string]*npmPackage     `json:"packages"`
		Dependencies map[string]json.RawMessage `json:"dependencies"`
	}
	if json.Unmarshal(data, &typed) == nil {
		if typed.Packages == nil {
			return readNpmV1(typed.Dependencies)
		}
		for k, p := range typed.Packages {
			if p == nil {
				typed.Packages[k] = &npmPackage{} // null reads as an empty entry
			}
		}
		return resolveNpmPackages(typed.Packages)
	}
	var lock npmLockDoc
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, fmt.Errorf("not a package-lock.json: %w", err)
	}
	if lock.Packages != nil {
		return readNpmPackages(lock.Packages)
	}
	return readNpmV1(lock.Dependencies)
}

const nodeModules = "node_modules/"

// npmSplit splits a "packages" key into the directory the package is
// installed under and the name it is installed as:
// "node_modules/a/node_modules/@s/b" is ("node_modules/a", "@s/b"). A key
// outside node_modules (a workspace member, "packages/x") has no parent
// but the root.
func npmSplit(key string) (parent, dir string, ok bool) {
	i := strings.LastIndex(key, nodeModules)
	if i < 0 || (i > 0 && key[i-1] != '/') {
		return "", "", false
	}
	dir = key[i+len(nodeModules):]
	if i > 0 {
		parent = key[:i-1]
	}
	return parent, dir, true
}

// npmParent is the directory whose node_modules npm searches after key's
// own: the package that key is installed under, or the root.
func npmParent(key string) string {
	if parent, _, ok := npmSplit(key); ok {
		return parent
	}
	return ""
}

// npmNameFromPath is the package name scalibr gives an entry without a
// "name": the last path segment, with its scope.
func npmNameFromPath(key string) string {
	scope := path.Base(path.Dir(key))
	name := path.Base(key)
	if strings.HasPrefix(scope, "@") {
		return scope + "/" + name
	}
	return name
}

// readNpmPackages decodes the "packages" map entry by entry: an entry of
// the wrong shape adds nothing.
func readNpmPackages(packages map[string]json.RawMessage) (*lockGraph, error) {
	entries := make(map[string]*npmPackage, len(packages))
	for k, raw := range packages {
		var p npmPackage
		if err := json.Unmarshal(raw, &p); err != nil {
			continue
		}
		entries[k] = &p
	}
	return resolveNpmPackages(entries)
}

// resolveNpmPackages turns the decoded "packages" entries into a graph.
func resolveNpmPackages(entries map[string]*npmPackage) (*lockGraph, error) {
	keys := slices.Sorted(maps.Keys(entries))
	// children[dir][name] is the entry installed as dir/node_modules/name.
	children := make(map[string]map[string]string)
	for _, k := range keys {
		if entries[k] == nil {
			continue
		}
		if parent, dir, ok := npmSplit(k); ok {
			if children[parent] == nil {
				children[parent] = make(map[string]string)
			}
			children[parent][dir] = k
		}
	}
	g := &lockGraph{}
	index := make(map[string]int)
	for _, k := range keys {
		p := entries[k]
		if k == "" || p == nil || p.Link {
			continue // the project itself, and links (scalibr skips both)
		}
		name := p.Name
		if name == "" {
			name = npmNameFromPath(k)
		}
		index[k] = len(g.nodes)
		g.nodes = append(g.nodes, lockNode{
			name:     name,
			version:  p.Version,
			hashes:   integrityHashes(p.Integrity),
			licenses: npmLicenses(p.License),
		})
	}
	budget, edges := maxNpmLookupWork, 0
	// resolve finds the entry npm loads for name required from key: the
	// nearest node_modules/name walking up from key to the root.
	resolve := func(from, name string) (string, bool) {
		cur := from
		for {
			budget -= len(cur) + len(name)
			if budget < 0 {
				return "", false
			}
			if k, ok := children[cur][name]; ok {
				return k, true
			}
			if cur == "" {
				return "", false
			}
			cur = npmParent(cur)
		}
	}
	for _, k := range keys {
		i, ok := index[k]
		if !ok {
			continue
		}
		p := entries[k]
		var deps []int
		for _, m := range []map[string]json.RawMessage{p.Dependencies, p.OptionalDependencies, p.PeerDependencies} {
			for _, name := range slices.Sorted(maps.Keys(m)) {
				if edges++; edges > maxEnrichEdges {
					return nil, errEnrichBudget
				}
				t, found := resolve(k, name)
				if budget < 0 {
					return nil, errEnrichBudget
				}
				if !found {
					continue // not installed (an optional or peer dependency npm left out)
				}
				if e := entries[t]; e != nil && e.Link {
					t = e.Resolved // a workspace member, linked into node_modules
				}
				if j, ok := index[t]; ok && j != i {
					deps = append(deps, j)
				}
			}
		}
		g.nodes[i].deps = deps
	}
	return g, nil
}

// npmV1Node is an entry of the v1 tree while it is being resolved.
type npmV1Node struct {
	parent   *npmV1Node
	children map[string]*npmV1Node
	index    int
	requires []string
}

func readNpmV1(deps map[string]json.RawMessage) (*lockGraph, error) {
	g := &lockGraph{}
	root := &npmV1Node{index: -1}
	var all []*npmV1Node
	// The tree is decoded level by level (no recursion, so nesting depth
	// costs no stack).
	type pending struct {
		parent *npmV1Node
		deps   map[string]json.RawMessage
	}
	queue := []pending{{root, deps}}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		q.parent.children = make(map[string]*npmV1Node, len(q.deps))
		for _, name := range slices.Sorted(maps.Keys(q.deps)) {
			var d npmV1Dependency
			if err := json.Unmarshal(q.deps[name], &d); err != nil {
				continue
			}
			n := &npmV1Node{parent: q.parent, index: len(g.nodes), requires: slices.Sorted(maps.Keys(d.Requires))}
			q.parent.children[name] = n
			all = append(all, n)
			pkgName, version := name, d.Version
			// An alias ("string-width-cjs": "npm:string-width@4.2.3") is
			// the aliased package, as scalibr reports it.
			if rest, ok := strings.CutPrefix(version, "npm:"); ok {
				if at := strings.LastIndex(rest, "@"); at > 0 {
					pkgName, version = rest[:at], rest[at+1:]
				}
			}
			g.nodes = append(g.nodes, lockNode{name: pkgName, version: version, hashes: integrityHashes(d.Integrity)})
			if len(d.Dependencies) > 0 {
				queue = append(queue, pending{n, d.Dependencies})
			}
		}
	}
	edges, budget := 0, maxNpmLookupWork
	for _, n := range all {
		var out []int
		for _, name := range n.requires {
			if edges++; edges > maxEnrichEdges {
				return nil, errEnrichBudget
			}
			// npm v1 looks in the package's own nested dependencies,
			// then its parent's, up to the top level.
			for cur := n; cur != nil; cur = cur.parent {
				if budget--; budget < 0 {
					return nil, errEnrichBudget
				}
				if t, ok := cur.children[name]; ok {
					if t != n {
						out = append(out, t.index)
					}
					break
				}
			}
		}
		g.nodes[n.index].deps = out
	}
	return g, nil
}

// integrityHashes reads a Subresource Integrity string ("sha512-BASE64",
// several separated by spaces) into hex hashes. Unknown algorithms and
// values of the wrong length are left out.
func integrityHashes(integrity string) []Hash {
	var out []Hash
	for _, f := range strings.Fields(integrity) {
		alg, b64, ok := strings.Cut(f, "-")
		if !ok {
			continue
		}
		if i := strings.IndexByte(b64, '?'); i >= 0 {
			b64 = b64[:i] // SRI options
		}
		var name string
		var size int
		switch strings.ToLower(alg) {
		case "sha512":
			name, size = "SHA-512", 64
		case "sha384":
			name, size = "SHA-384", 48
		case "sha256":
			name, size = "SHA-256", 32
		case "sha1":
			name, size = "SHA-1", 20
		default:
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != size {
			continue
		}
		out = append(out, Hash{Algorithm: name, Value: hex.EncodeToString(raw)})
	}
	return out
}

// npmLicenses reads a "license" field: an SPDX string, or the deprecated
// {"type": "MIT"} object or a list of them.
func npmLicenses(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return nonEmpty(s)
	}
	type typed struct {
		Type string `json:"type"`
	}
	var one typed
	if json.Unmarshal(raw, &one) == nil {
		return nonEmpty(one.Type)
	}
	var list []typed
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, l := range list {
			out = append(out, nonEmpty(l.Type)...)
		}
		return out
	}
	return nil
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ---- Cargo.lock ----

type cargoLockDoc struct {
	Packages []toml.Primitive `toml:"package"`
	// Metadata holds the checksums of lockfiles before Cargo 1.41 (no
	// "version" key): "checksum NAME VERSION (SOURCE)" = "HEX".
	Metadata map[string]toml.Primitive `toml:"metadata"`
}

type cargoPackage struct {
	Name         string   `toml:"name"`
	Version      string   `toml:"version"`
	Source       string   `toml:"source"`
	Checksum     string   `toml:"checksum"`
	Dependencies []string `toml:"dependencies"`
}

func readCargoLock(data []byte) (*lockGraph, error) {
	var lock cargoLockDoc
	md, err := toml.Decode(string(data), &lock)
	if err != nil {
		return nil, fmt.Errorf("not a Cargo.lock: %w", err)
	}
	g := &lockGraph{}
	var pkgs []cargoPackage
	// A reference names a package by as many of these keys as it takes to
	// be unambiguous: name, name and version, name, version and source.
	refs := make(map[string][]int)
	for _, prim := range lock.Packages {
		var p cargoPackage
		if err := md.PrimitiveDecode(prim, &p); err != nil || p.Name == "" {
			continue
		}
		for _, ref := range []string{p.Name, p.Name + " " + p.Version, p.Name + " " + p.Version + " (" + p.Source + ")"} {
			if len(refs[ref]) < 2 { // one is a match, two is ambiguous
				refs[ref] = append(refs[ref], len(pkgs))
			}
		}
		pkgs = append(pkgs, p)
		node := lockNode{name: p.Name, version: p.Version}
		if sum := strings.ToLower(p.Checksum); isHex(sum, 32) {
			node.hashes = []Hash{{Algorithm: "SHA-256", Value: sum}}
		}
		g.nodes = append(g.nodes, node)
	}
	for key, prim := range lock.Metadata {
		ref, ok := strings.CutPrefix(key, "checksum ")
		var sum string
		if !ok || md.PrimitiveDecode(prim, &sum) != nil {
			continue
		}
		sum = strings.ToLower(sum)
		if m := refs[cargoRef(ref)]; len(m) == 1 && isHex(sum, 32) && g.nodes[m[0]].hashes == nil {
			g.nodes[m[0]].hashes = []Hash{{Algorithm: "SHA-256", Value: sum}}
		}
	}
	edges := 0
	for i, p := range pkgs {
		for _, ref := range p.Dependencies {
			if edges++; edges > maxEnrichEdges {
				return nil, errEnrichBudget
			}
			if match := refs[cargoRef(ref)]; len(match) == 1 && match[0] != i {
				g.nodes[i].deps = append(g.nodes[i].deps, match[0])
			}
		}
	}
	return g, nil
}

// cargoRef puts a dependency reference ("name", "name version" or "name
// version (source)") in the form of the keys readCargoLock indexes, with
// single spaces.
func cargoRef(ref string) string {
	f := strings.Fields(ref)
	if len(f) > 2 {
		return f[0] + " " + f[1] + " " + strings.Join(f[2:], " ")
	}
	return strings.Join(f, " ")
}

// isHex reports whether s is the lower-case hex form of n bytes.
func isHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ---- composer.lock ----

type composerLockDoc struct {
	Packages    []json.RawMessage `json:"packages"`
	PackagesDev []json.RawMessage `json:"packages-dev"`
}

// composerPackage is one entry of "packages" or "packages-dev". Composer
// is written by PHP, whose json_encode turns an empty map into [], so
// the optional parts are decoded one by one and a part of the wrong shape
// is ignored.
type composerPackage struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	Require json.RawMessage `json:"require"`
	Dist    json.RawMessage `json:"dist"`
	License json.RawMessage `json:"license"`
}

func readComposerLock(data []byte) (*lockGraph, error) {
	var lock composerLockDoc
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, fmt.Errorf("not a composer.lock: %w", err)
	}
	g := &lockGraph{}
	var requires []map[string]json.RawMessage
	// Composer installs one version of each package name; names are
	// compared as Composer does, without case.
	byName := make(map[string]int)
	for _, raw := range slices.Concat(lock.Packages, lock.PackagesDev) {
		var p composerPackage
		if err := json.Unmarshal(raw, &p); err != nil || p.Name == "" {
			continue
		}
		key := strings.ToLower(p.Name)
		if _, dup := byName[key]; dup {
			byName[key] = -1 // listed twice: references to it are ambiguous
		} else {
			byName[key] = len(requires)
		}
		var req map[string]json.RawMessage
		_ = json.Unmarshal(p.Require, &req) // nil unless a map
		requires = append(requires, req)
		node := lockNode{name: p.Name, version: p.Version, licenses: composerLicenses(p.License)}
		var dist struct {
			Shasum string `json:"shasum"`
		}
		if json.Unmarshal(p.Dist, &dist) == nil {
			// Composer writes "" when it has no checksum (a git dist).
			if sum := strings.ToLower(dist.Shasum); isHex(sum, 20) {
				node.hashes = []Hash{{Algorithm: "SHA-1", Value: sum}}
			}
		}
		g.nodes = append(g.nodes, node)
	}
	edges := 0
	for i, req := range requires {
		for _, name := range slices.Sorted(maps.Keys(req)) {
			if edges++; edges > maxEnrichEdges {
				return nil, errEnrichBudget
			}
			// "php", "ext-json" and other platform requirements name no
			// package of the file and add nothing.
			if j, ok := byName[strings.ToLower(name)]; ok && j >= 0 && j != i {
				g.nodes[i].deps = append(g.nodes[i].deps, j)
			}
		}
	}
	return g, nil
}

// composerLicenses reads "license": a list of SPDX identifiers, of which
// the user may choose one (Composer's documentation), so several become
// one "A OR B" expression. Composer also accepts a single string.
func composerLicenses(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		ls := nonEmpty(list...)
		slices.Sort(ls)
		ls = slices.Compact(ls)
		if len(ls) < 2 {
			return ls
		}
		// One string even when a part is free text, so that the
		// component never holds an expression beside free text (which
		// the SBOM cannot represent).
		for i, l := range ls {
			if strings.ContainsAny(l, " ()") {
				ls[i] = "(" + l + ")"
			}
		}
		return []string{strings.Join(ls, " OR ")}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return nonEmpty(s)
	}
	return nil
}

// ---- poetry.lock ----

type poetryLockDoc struct {
	Packages []toml.Primitive `toml:"package"`
	Metadata struct {
		// Files is where lock files before Poetry 1.5 (lock-version 1.x)
		// keep the artifacts, per package name.
		Files map[string]toml.Primitive `toml:"files"`
	} `toml:"metadata"`
}

type poetryPackage struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	// Dependencies maps a name to a version constraint, a table or a list
	// of tables (one per marker); only the names are read.
	Dependencies map[string]toml.Primitive `toml:"dependencies"`
	Files        []toml.Primitive          `toml:"files"`
}

type poetryFile struct {
	File string `toml:"file"`
	Hash string `toml:"hash"`
}

func readPoetryLock(data []byte) (*lockGraph, error) {
	var lock poetryLockDoc
	md, err := toml.Decode(string(data), &lock)
	if err != nil {
		return nil, fmt.Errorf("not a poetry.lock: %w", err)
	}
	// files decodes a list of artifacts; an entry of the wrong shape is
	// left out.
	files := func(prims []toml.Primitive) []poetryFile {
		var out []poetryFile
		for _, prim := range prims {
			var f poetryFile
			if md.PrimitiveDecode(prim, &f) == nil {
				out = append(out, f)
			}
		}
		return out
	}
	g := &lockGraph{}
	var deps [][]string
	byName := make(map[string][]int)
	for _, prim := range lock.Packages {
		var p poetryPackage
		if err := md.PrimitiveDecode(prim, &p); err != nil || p.Name == "" {
			continue
		}
		key := pypi.CanonPackageName(p.Name)
		byName[key] = append(byName[key], len(g.nodes))
		deps = append(deps, slices.Sorted(maps.Keys(p.Dependencies)))
		artifacts := files(p.Files)
		if len(p.Files) == 0 {
			var old []toml.Primitive
			if prim, ok := lock.Metadata.Files[p.Name]; ok && md.PrimitiveDecode(prim, &old) == nil {
				artifacts = files(old)
			}
		}
		g.nodes = append(g.nodes, lockNode{name: p.Name, version: p.Version, hashes: poetryHashes(artifacts)})
	}
	edges := 0
	for i, names := range deps {
		for _, name := range names {
			if edges++; edges > maxEnrichEdges {
				return nil, errEnrichBudget
			}
			// Poetry locks one entry per name unless markers split it
			// (a different version per Python version): then which one
			// is installed depends on the platform and no edge is drawn.
			if js := byName[pypi.CanonPackageName(name)]; len(js) == 1 && js[0] != i {
				g.nodes[i].deps = append(g.nodes[i].deps, js[0])
			}
		}
	}
	return g, nil
}

// poetryHashes gives a package the hash of its artifact when the lockfile
// lists exactly one (an sdist-only or pure-Python release). With several
// (an sdist and wheels per platform), which one is installed depends on
// the machine, so none of them is the component's hash.
func poetryHashes(files []poetryFile) []Hash {
	if len(files) != 1 {
		return nil
	}
	alg, value, ok := strings.Cut(files[0].Hash, ":")
	if !ok {
		return nil
	}
	value = strings.ToLower(value)
	switch {
	case alg == "sha256" && isHex(value, 32):
		return []Hash{{Algorithm: "SHA-256", Value: value}}
	case alg == "sha384" && isHex(value, 48):
		return []Hash{{Algorithm: "SHA-384", Value: value}}
	case alg == "sha512" && isHex(value, 64):
		return []Hash{{Algorithm: "SHA-512", Value: value}}
	}
	return nil
}
