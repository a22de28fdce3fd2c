package inventory

import (
	"slices"
	"testing"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem/osv"
	"github.com/google/osv-scalibr/purl"
)

func TestGoStdlibVersion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.22", "1.22.0"},
		{"1.22.5", "1.22.5"},
		{"1.16", "1.16.0"},
		{"1.21rc1", "1.21.0-rc.1"},
		{"1.18beta2", "1.18.0-beta.2"},
		{"1.23.6", "1.23.6"},
		{"", ""},
		{"1", "1"},
		{"tip", "tip"},
		{"1.22.x", "1.22.x"},
	}
	for _, tt := range tests {
		if got := goStdlibVersion(tt.in); got != tt.want {
			t.Errorf("goStdlibVersion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func pkg(typ, name, version, file string, md any) *extractor.Package {
	p := &extractor.Package{Name: name, Version: version, PURLType: typ, Location: extractor.LocationFromPath(file)}
	if m, ok := md.(*osv.DepGroupMetadata); ok {
		p.Metadata = m
	}
	return p
}

func groups(g ...string) *osv.DepGroupMetadata { return &osv.DepGroupMetadata{DepGroupVals: g} }

func TestMerge(t *testing.T) {
	results := []fileResult{
		{path: "a/package-lock.json", packages: []found{
			{pkg: pkg(purl.TypeNPM, "dev-only", "1.0.0", "a/package-lock.json", groups("dev"))},
			{pkg: pkg(purl.TypeNPM, "both", "2.0.0", "a/package-lock.json", groups("dev"))},
			{pkg: pkg(purl.TypeNPM, "opt", "1.0.0", "a/package-lock.json", groups("optional"))},
		}},
		{path: "b/package-lock.json", packages: []found{
			{pkg: pkg(purl.TypeNPM, "both", "2.0.0", "b/package-lock.json", groups())},
			{pkg: pkg(purl.TypeNPM, "opt", "1.0.0", "b/package-lock.json", groups("dev"))},
		}},
		{path: "conan.lock", packages: []found{
			{pkg: pkg(purl.TypeConan, "zlib", "1.3", "conan.lock", groups("requires"))},
			{pkg: pkg(purl.TypeConan, "cmake", "3.28", "conan.lock", groups("build-requires"))},
		}},
		{path: "go.mod", direct: map[string]bool{"github.com/A/b": true}, indirect: map[string]bool{"github.com/a/b": true}, packages: []found{
			// Two module paths that differ only in case share a purl.
			{pkg: pkg(purl.TypeGolang, "github.com/A/b", "1.0.0", "go.mod", nil)},
			{pkg: pkg(purl.TypeGolang, "github.com/a/b", "1.0.0", "go.mod", nil)},
			{pkg: pkg(purl.TypeGolang, "stdlib", "1.22", "go.mod", nil)},
		}},
		{path: "sub/go.mod", direct: map[string]bool{"github.com/a/b": true}, packages: []found{
			{pkg: pkg(purl.TypeGolang, "github.com/a/b", "1.0.0", "sub/go.mod", nil)},
		}},
		{path: "Podfile.lock", packages: []found{
			{pkg: pkg(purl.TypeCocoapods, "PINCache", "3.0.3", "Podfile.lock", nil)},
		}},
	}
	inv := merge(results, []Skipped{{Path: "z", Reason: "b"}, {Path: "a", Reason: "x"}, {Path: "z", Reason: "b"}}, "/root")
	type want struct {
		id           string
		eco, name    string
		relationship Relationship
		groups       []string
		locations    []string
	}
	wants := []want{
		{"pkg:cocoapods/PINCache@3.0.3", "", "PINCache", "", nil, []string{"Podfile.lock"}},
		{"pkg:conan/cmake@3.28", "ConanCenter", "cmake", "", []string{"build-requires"}, []string{"conan.lock"}},
		{"pkg:conan/zlib@1.3", "ConanCenter", "zlib", "", nil, []string{"conan.lock"}},
		{"pkg:golang/github.com/a/b@v1.0.0", "Go", "github.com/A/b", RelationshipDirect, nil, []string{"go.mod"}},
		{"pkg:golang/github.com/a/b@v1.0.0~2", "Go", "github.com/a/b", RelationshipDirect, nil, []string{"go.mod", "sub/go.mod"}},
		{"pkg:golang/stdlib@v1.22.0", "Go", "stdlib", RelationshipDirect, nil, []string{"go.mod"}},
		{"pkg:npm/both@2.0.0", "npm", "both", "", nil, []string{"a/package-lock.json", "b/package-lock.json"}},
		{"pkg:npm/dev-only@1.0.0", "npm", "dev-only", "", []string{"dev"}, []string{"a/package-lock.json"}},
		{"pkg:npm/opt@1.0.0", "npm", "opt", "", []string{"dev", "optional"}, []string{"a/package-lock.json", "b/package-lock.json"}},
	}
	if len(inv.Components) != len(wants) {
		t.Fatalf("components = %q, want %d", componentIDs(inv), len(wants))
	}
	for i, w := range wants {
		c := inv.Components[i]
		if c.ID != w.id || c.Ecosystem != w.eco || c.Name != w.name || c.Relationship != w.relationship ||
			!slices.Equal(c.Groups, w.groups) || !slices.Equal(c.Locations, w.locations) {
			t.Errorf("component %d = %+v, want %+v", i, c, w)
		}
	}
	if want := []string{"pkg:golang/github.com/a/b@v1.0.0", "pkg:golang/github.com/a/b@v1.0.0~2", "pkg:golang/stdlib@v1.22.0"}; !slices.Equal(inv.Roots, want) {
		t.Errorf("roots = %q, want the direct components %q", inv.Roots, want)
	}
	if want := []Skipped{{Path: "a", Reason: "x"}, {Path: "z", Reason: "b"}}; !slices.Equal(inv.Skipped, want) {
		t.Errorf("skipped = %+v, want sorted and de-duplicated %+v", inv.Skipped, want)
	}
}
