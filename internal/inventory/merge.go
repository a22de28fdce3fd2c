package inventory

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"deps.dev/util/pypi"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem/osv"
	"github.com/google/osv-scalibr/purl"
	"github.com/package-url/packageurl-go"
)

// componentKey identifies one component: the same package found in several
// files merges into one.
type componentKey struct {
	ecosystem, name, version, purl string
}

// builder gathers everything known about one component.
type builder struct {
	c          Component
	locations  map[string]bool
	direct     bool
	transitive bool
	runtime    bool // a file lists it outside any dependency group
	groups     map[string]bool
	licenses   map[string]bool
	hashes     map[Hash]bool
	dependsOn  map[componentKey]bool
}

// merge turns the extractors' packages into the sorted, de-duplicated
// components of an Inventory.
func merge(results []fileResult, skipped []Skipped, realRoot string) *Inventory {
	byKey := make(map[componentKey]*builder)
	// manifests holds the direct dependencies per directory and ecosystem.
	manifests := make(map[string]*directDeps)
	for _, res := range results {
		if res.manifest != nil {
			manifests[path.Dir(res.path)+"\x00"+res.manifest.ecosystem] = res.manifest
		}
	}
	var files []SourceFile
	for _, res := range results {
		files = append(files, res.files...)
		skipped = append(skipped, res.skipped...)
		var fileKeys []componentKey
		for _, f := range res.packages {
			k, c := componentOf(f.pkg)
			fileKeys = append(fileKeys, k)
			b := byKey[k]
			if b == nil {
				b = &builder{c: c, locations: map[string]bool{}, groups: map[string]bool{}, licenses: map[string]bool{}, hashes: map[Hash]bool{}, dependsOn: map[componentKey]bool{}}
				byKey[k] = b
			}
			for _, loc := range locationsOf(f.pkg, res.path, realRoot) {
				b.locations[loc] = true
			}
			switch relationshipOf(f.pkg, c.Ecosystem, res, manifests) {
			case RelationshipDirect:
				b.direct = true
			case RelationshipTransitive:
				b.transitive = true
			}
			if dg, ok := f.pkg.Metadata.(osv.DepGroups); ok {
				groups := dg.DepGroups()
				if len(groups) == 0 || slices.ContainsFunc(groups, isRuntimeGroup) {
					b.runtime = true
				}
				for _, g := range groups {
					b.groups[g] = true
				}
			}
			for _, l := range f.pkg.Licenses {
				if l = strings.TrimSpace(l); l != "" {
					b.licenses[l] = true
				}
			}
		}
		if res.graph != nil {
			applyGraph(res.graph, fileKeys, byKey)
		}
	}

	comps := make([]Component, 0, len(byKey))
	for _, b := range byKey {
		c := b.c
		c.Locations = slices.Sorted(maps.Keys(b.locations))
		switch {
		case b.direct:
			c.Relationship = RelationshipDirect
		case b.transitive:
			c.Relationship = RelationshipTransitive
		}
		if !b.runtime && len(b.groups) > 0 {
			c.Groups = slices.Sorted(maps.Keys(b.groups))
		}
		if len(b.licenses) > 0 {
			c.Licenses = slices.Sorted(maps.Keys(b.licenses))
		}
		if len(b.hashes) > 0 {
			c.Hashes = slices.SortedFunc(maps.Keys(b.hashes), func(x, y Hash) int {
				return cmp.Or(strings.Compare(x.Algorithm, y.Algorithm), strings.Compare(x.Value, y.Value))
			})
		}
		comps = append(comps, c)
	}
	slices.SortFunc(comps, func(a, b Component) int {
		return cmp.Or(
			strings.Compare(a.Ecosystem, b.Ecosystem),
			strings.Compare(a.Name, b.Name),
			strings.Compare(a.Version, b.Version),
			strings.Compare(a.PURL, b.PURL),
		)
	})
	assignIDs(comps)
	// Edges become IDs once every component has one.
	ids := make(map[componentKey]string, len(comps))
	for _, c := range comps {
		ids[keyOf(c)] = c.ID
	}
	for i, c := range comps {
		b := byKey[keyOf(c)]
		for dk := range b.dependsOn {
			if id, ok := ids[dk]; ok && id != c.ID {
				comps[i].DependsOn = append(comps[i].DependsOn, id)
			}
		}
		slices.Sort(comps[i].DependsOn)
	}
	var roots []string
	for _, c := range comps {
		if c.Relationship == RelationshipDirect {
			roots = append(roots, c.ID)
		}
	}
	slices.Sort(roots)

	slices.SortFunc(files, func(a, b SourceFile) int { return strings.Compare(a.Path, b.Path) })
	files = slices.CompactFunc(files, func(a, b SourceFile) bool { return a.Path == b.Path })
	return &Inventory{
		Components: comps,
		Files:      files,
		Skipped:    sortSkipped(skipped),
		Roots:      roots,
	}
}

// assignIDs gives every component its purl as ID; where two components
// share a purl (or have none), a "~N" suffix in sorted order keeps IDs
// unique and stable.
func assignIDs(comps []Component) {
	used := make(map[string]int, len(comps))
	for i := range comps {
		base := comps[i].PURL
		if base == "" {
			base = fmt.Sprintf("%s/%s@%s", cmp.Or(comps[i].Ecosystem, "unknown"), comps[i].Name, comps[i].Version)
		}
		n := used[base]
		used[base] = n + 1
		if n == 0 {
			comps[i].ID = base
		} else {
			comps[i].ID = fmt.Sprintf("%s~%d", base, n+1)
		}
	}
}

// isRuntimeGroup reports whether a lockfile's group name means a regular
// runtime dependency (Conan's "requires", Poetry's "main").
func isRuntimeGroup(g string) bool {
	switch g {
	case "requires", "main", "default", "prod", "production", "runtime":
		return true
	}
	return false
}

// componentOf maps a scalibr package to a Component (without locations
// and relationship) and its merge key.
func componentOf(p *extractor.Package) (componentKey, Component) {
	name, version := p.Name, p.Version
	if p.PURLType == purl.TypeGolang && name == "stdlib" {
		version = goStdlibVersion(version)
	}
	pkg := *p
	pkg.Version = version
	var purlStr string
	if pu := pkg.PURL(); pu != nil {
		if pu.Type == purl.TypeGolang && pu.Version != "" && !strings.HasPrefix(pu.Version, "v") {
			// Go module versions carry their "v" in purls
			// (pkg:golang/stdlib@v1.22.5); OSV ranges do not.
			pu.Version = "v" + pu.Version
		}
		if pu.Type == purl.TypeNPM {
			// scalibr marks where a package came from with a "source"
			// qualifier that is not in the purl spec; without it the same
			// package from package-lock.json and from yarn.lock is one.
			// (Its LOCAL is a guess: a package-lock v1 entry without
			// "resolved" is LOCAL too, though it comes from the registry.)
			pu.Qualifiers = slices.DeleteFunc(slices.Clone(pu.Qualifiers), func(q packageurl.Qualifier) bool { return q.Key == "source" })
		}
		purlStr = pu.String()
	}
	c := Component{
		Name:      name,
		Version:   version,
		Ecosystem: p.Ecosystem().String(),
		PURL:      purlStr,
	}
	return componentKey{ecosystem: c.Ecosystem, name: name, version: version, purl: purlStr}, c
}

// goStdlibVersion turns the go or toolchain version of a go.mod into the
// semantic version the Go vulnerability database uses for stdlib: "1.22"
// names the release 1.22.0 (Go 1.21 and later; for older language versions
// the first release of the line is the least that builds the module),
// "1.21rc1" is "1.21.0-rc.1". Anything else is kept as written.
func goStdlibVersion(v string) string {
	m := goVersionRE.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	out := m[1] + "." + m[2] + "." + cmp.Or(m[3], "0")
	if m[4] != "" {
		out += "-" + m[4] + "." + m[5]
	}
	return out
}

// goVersionRE matches Go release names without the "go" prefix: 1.22,
// 1.22.3, 1.21rc1, 1.18beta2.
var goVersionRE = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$`)

// locationsOf lists the files a package was found in, relative to the root
// and slash-separated: the extractor's descriptor (or, without one, the file
// it was given) and any related files (a go.sum).
func locationsOf(p *extractor.Package, file, realRoot string) []string {
	var out []string
	add := func(loc string) {
		if loc == "" {
			return
		}
		if filepath.IsAbs(loc) {
			rel, err := filepath.Rel(realRoot, loc)
			if err != nil {
				return
			}
			loc = rel
		}
		out = append(out, path.Clean(filepath.ToSlash(loc)))
	}
	if d := p.Location.Descriptor; d != nil && d.File != nil && d.File.Path != "" {
		add(d.File.Path)
	} else {
		add(file)
	}
	for _, r := range p.Location.Related {
		if r.File != nil {
			add(r.File.Path)
		}
	}
	return out
}

// relationshipOf says whether the package is a direct or transitive
// dependency, where the files say so: a go.mod and its "// indirect" marks,
// or a project manifest (package.json, Cargo.toml) beside the lockfile.
func relationshipOf(p *extractor.Package, ecosystem string, res fileResult, manifests map[string]*directDeps) Relationship {
	if res.direct == nil && res.indirect == nil {
		m := manifests[path.Dir(res.path)+"\x00"+ecosystem]
		switch {
		case m == nil:
			return RelationshipUnknown
		case m.names[p.Name], ecosystem == "PyPI" && m.names[pypi.CanonPackageName(p.Name)]:
			return RelationshipDirect
		case m.complete:
			return RelationshipTransitive
		}
		return RelationshipUnknown
	}
	if p.Name == "stdlib" && p.PURLType == purl.TypeGolang {
		return RelationshipDirect
	}
	switch {
	case res.direct[p.Name]:
		return RelationshipDirect
	case res.indirect[p.Name]:
		return RelationshipTransitive
	}
	return RelationshipUnknown
}

// keyOf is the merge key of a built component (componentOf's key).
func keyOf(c Component) componentKey {
	return componentKey{ecosystem: c.Ecosystem, name: c.Name, version: c.Version, purl: c.PURL}
}

// applyGraph adds what an enrichment reader found in one lockfile to the
// components scalibr found in the same file (keys). A lockfile entry is the
// component of the same name and version; failing that, the only component
// of that name in the file (scalibr rewrites some versions, such as a git
// dependency's). An entry that matches no component adds nothing, and an
// edge counts only when both ends match.
func applyGraph(g *lockGraph, keys []componentKey, byKey map[componentKey]*builder) {
	byNameVersion := make(map[[2]string][]componentKey)
	byName := make(map[string][]componentKey)
	seen := make(map[componentKey]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		nv := [2]string{k.name, k.version}
		byNameVersion[nv] = append(byNameVersion[nv], k)
		byName[k.name] = append(byName[k.name], k)
	}
	match := make([][]componentKey, len(g.nodes))
	for i, n := range g.nodes {
		if ks := byNameVersion[[2]string{n.name, n.version}]; len(ks) > 0 {
			match[i] = ks
		} else if ks := byName[n.name]; len(ks) == 1 {
			match[i] = ks
		}
	}
	for i, n := range g.nodes {
		for _, k := range match[i] {
			b := byKey[k]
			for _, h := range n.hashes {
				b.hashes[h] = true
			}
			for _, l := range n.licenses {
				b.licenses[l] = true
			}
			for _, d := range n.deps {
				if d < 0 || d >= len(match) {
					continue
				}
				for _, dk := range match[d] {
					if dk != k {
						b.dependsOn[dk] = true
					}
				}
			}
		}
	}
}
