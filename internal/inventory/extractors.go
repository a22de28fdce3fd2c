package inventory

import (
	"fmt"

	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/cpp/conanlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dart/packageconfig"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dart/pubspec"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/csproj"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/depsjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/nugetcpm"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packagesconfig"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packageslockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/paketdependencies"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/paketlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/projectassetsjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/erlang/mixlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/gleam/gleamtoml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/vendormodules"
	"github.com/google/osv-scalibr/extractor/filesystem/language/haskell/cabal"
	"github.com/google/osv-scalibr/extractor/filesystem/language/haskell/stacklock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradlelockfile"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradleverificationmetadataxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradleversioncatalog"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/pomxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/bunlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/denojson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/julia/manifesttoml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pdmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pipfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/setup"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/uvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/r/renvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/ruby/gemfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargolock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/swift/packageresolved"
	"github.com/google/osv-scalibr/extractor/filesystem/language/swift/podfilelock"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
)

// newExtractor is the constructor every scalibr filesystem extractor has.
type newExtractor func(*cpb.PluginConfig) (filesystem.Extractor, error)

// extractorConstructors is the offline set of scalibr extractors a source
// scan runs: every lockfile and dependency manifest that scalibr v0.5.3 reads
// from the file alone. Left out on purpose (see docs/inventory.md):
//   - binaries, archives and installed-package databases (gobinary, java
//     archive, wheelegg, dotnetpe, cargoauditable, electronasar, vsix, gem,
//     condameta, luarocks, nimble, opam, cpan, OS package managers,
//     containers, embedded file systems): they describe a built system, not
//     the source tree;
//   - manifests that describe the project itself rather than its
//     dependencies (package.json, Cargo.toml, pyproject.toml, *.gemspec,
//     Julia Project.toml): they would list the product as its own component;
//   - extractors that read source code rather than manifests (denotssource,
//     ipythoninstall), secret scanners, and elixir/mixlock (a second reader
//     of mix.lock; erlang/mixlock reads the same file);
//   - everything that needs the network (pomxmlnet, requirementsnet,
//     deps.dev enrichers): none of those is even imported here.
func extractorConstructors() []newExtractor {
	return []newExtractor{
		// C/C++
		conanlock.New,
		// Dart
		pubspec.New,
		packageconfig.New,
		// .NET
		packageslockjson.New,
		packagesconfig.New,
		csproj.New,
		nugetcpm.New,
		depsjson.New,
		projectassetsjson.New,
		paketlock.New,
		paketdependencies.New,
		// Erlang/Elixir
		mixlock.New,
		// Gleam
		gleamtoml.New,
		// Go
		gomod.New,
		vendormodules.New,
		// Haskell
		cabal.New,
		stacklock.New,
		// Java
		pomxml.New,
		gradlelockfile.New,
		gradleverificationmetadataxml.New,
		gradleversioncatalog.New,
		// JavaScript
		packagelockjson.New,
		pnpmlock.New,
		yarnlock.New,
		bunlock.New,
		denojson.New,
		// Julia
		manifesttoml.New,
		// PHP
		composerlock.New,
		// Python
		requirements.New,
		pipfilelock.New,
		poetrylock.New,
		pdmlock.New,
		pylock.New,
		uvlock.New,
		setup.New,
		// R
		renvlock.New,
		// Ruby
		gemfilelock.New,
		// Rust
		cargolock.New,
		// Swift
		packageresolved.New,
		podfilelock.New,
	}
}

// Extractors returns a fresh instance of every extractor a source scan runs,
// in a fixed order. Each one works offline and reads only the file it is
// given (and, for a few, files beside it in the scanned tree).
func Extractors() ([]filesystem.Extractor, error) {
	ctors := extractorConstructors()
	out := make([]filesystem.Extractor, 0, len(ctors))
	cfg := &cpb.PluginConfig{}
	for _, ctor := range ctors {
		ex, err := ctor(cfg)
		if err != nil {
			return nil, fmt.Errorf("create extractor: %w", err)
		}
		out = append(out, ex)
	}
	return out, nil
}
