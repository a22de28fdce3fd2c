package inventory

import (
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/osv-scalibr/extractor/filesystem"
)

// extractorCases give each listed extractor one small file. Most extractors
// have real fixtures in testdata/trees (the golden tests); these cover the
// rest and prove that every extractor in the list runs through the scan.
var extractorCases = []struct {
	file, content string
	ecosystem     string
	name          string
}{
	{"paket.lock", "NUGET\n  remote: https://api.nuget.org/v3/index.json\n    Newtonsoft.Json (13.0.3)\n", "NuGet", "Newtonsoft.Json"},
	{"paket.dependencies", "source https://api.nuget.org/v3/index.json\nnuget Newtonsoft.Json 13.0.3\n", "NuGet", "Newtonsoft.Json"},
	{"app.csproj", `<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="Newtonsoft.Json" Version="13.0.3" /></ItemGroup></Project>`, "NuGet", "Newtonsoft.Json"},
	// scalibr v0.5.3 reads <PackageReference> elements only, not <PackageVersion>.
	{"Directory.Build.props", `<Project><ItemGroup><PackageReference Include="Newtonsoft.Json" Version="13.0.3" /></ItemGroup></Project>`, "NuGet", "Newtonsoft.Json"},
	{"app.deps.json", `{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},"targets":{".NETCoreApp,Version=v8.0":{"Newtonsoft.Json/13.0.3":{}}},"libraries":{"Newtonsoft.Json/13.0.3":{"type":"package","serviceable":true}}}`, "NuGet", "Newtonsoft.Json"},
	{"obj/project.assets.json", `{"version":3,"targets":{"net8.0":{"Newtonsoft.Json/13.0.3":{"type":"package"}}},"libraries":{"Newtonsoft.Json/13.0.3":{"type":"package","path":"newtonsoft.json/13.0.3"}}}`, "NuGet", "Newtonsoft.Json"},
	{"gleam.toml", "name = \"app\"\nversion = \"1.0.0\"\n\n[dependencies]\ngleam_stdlib = \"0.34.0\"\n", "Hex", "gleam_stdlib"},
	{"Manifest.toml", "julia_version = \"1.10.0\"\nmanifest_format = \"2.0\"\n\n[[deps.JSON]]\ndeps = [\"Dates\"]\ngit-tree-sha1 = \"31e996f0a15c7b280ba9f76636b3ff9e2ae58c9a\"\nuuid = \"682c06a0-de6a-54ab-a142-c8b1cf79cde6\"\nversion = \"0.21.4\"\n", "Julia", "JSON"},
	{"deno.json", `{"name":"@app/app","version":"1.0.0","imports":{"chalk":"npm:chalk@5.3.0"}}`, "npm", "chalk"},
	{"setup.py", "from setuptools import setup\nsetup(name='app', install_requires=['requests==2.31.0'])\n", "PyPI", "requests"},
	{"gradle/libs.versions.toml", "[libraries]\nguava = \"com.google.guava:guava:33.0.0-jre\"\n", "Maven", "com.google.guava:guava"},
	{".dart_tool/package_config.json", `{"configVersion":2,"packages":[{"name":"http","rootUri":"file:///home/u/.pub-cache/hosted/pub.dev/http-1.2.0","packageUri":"lib/","languageVersion":"3.0"}]}`, "Pub", "http"},
	{"vendor/modules.txt", "# golang.org/x/text v0.14.0\n## explicit; go 1.18\ngolang.org/x/text/unicode\n", "Go", "golang.org/x/text"},
}

// TestEveryExtractorRuns checks that every listed extractor wants some
// file of the fixture trees or of extractorCases, and that each case
// yields its component through a real scan.
func TestEveryExtractorRuns(t *testing.T) {
	exs, err := Extractors()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	if err := filepath.WalkDir(filepath.Join("testdata", "trees"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Join("testdata", "trees"), p)
			paths = append(paths, filepath.ToSlash(rel))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range extractorCases {
		paths = append(paths, c.file)
	}
	for _, ex := range exs {
		if !slices.ContainsFunc(paths, func(p string) bool { return ex.FileRequired(&pathAPI{p}) }) {
			t.Errorf("extractor %s wants no file of the fixtures: add one", ex.Name())
		}
	}

	for _, c := range extractorCases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{c.file: c.content})
			inv := scanOK(t, dir, Options{})
			if len(inv.Skipped) > 0 {
				t.Errorf("skipped: %+v", inv.Skipped)
			}
			if !slices.ContainsFunc(inv.Components, func(comp Component) bool {
				return comp.Name == c.name && comp.Ecosystem == c.ecosystem && slices.Equal(comp.Locations, []string{c.file})
			}) {
				t.Errorf("components = %+v, want %s in %s from %s", inv.Components, c.name, c.ecosystem, c.file)
			}
		})
	}
}

// pathAPI is a FileAPI for FileRequired checks on a path alone.
type pathAPI struct{ path string }

func (a *pathAPI) Path() string               { return a.path }
func (a *pathAPI) Stat() (fs.FileInfo, error) { return smallFile{a.path}, nil }

// smallFile is the FileInfo of a small regular file, for extractors whose
// FileRequired checks the size.
type smallFile struct{ path string }

func (f smallFile) Name() string       { return filepath.Base(f.path) }
func (f smallFile) Size() int64        { return 1 }
func (f smallFile) Mode() fs.FileMode  { return 0o644 }
func (f smallFile) ModTime() time.Time { return time.Time{} }
func (f smallFile) IsDir() bool        { return false }
func (f smallFile) Sys() any           { return nil }

var _ filesystem.FileAPI = (*pathAPI)(nil)
