package inventory

import (
	"bytes"
	"context"
	"deps.dev/util/pypi"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pyprojecttoml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargotoml"
	scalibrfs "github.com/google/osv-scalibr/fs"
)

// directDeps is what a project manifest says about the lockfile beside it:
// which packages of one ecosystem the project depends on directly.
type directDeps struct {
	ecosystem string
	names     map[string]bool
	// complete is true when the manifest lists every direct dependency
	// of the lockfile beside it, so that any other package in that
	// lockfile is transitive.
	complete bool
}

// directReader reads a manifest's direct dependencies. fsys is the scanned
// tree, for files that decide completeness (a pnpm workspace file).
type directReader func(ctx context.Context, fsys scalibrfs.FS, p string, data []byte) (*directDeps, error)

// directReaders maps a manifest's file name to its reader. The manifests
// yield no components (scalibr would report the project itself); they only
// tell direct from transitive in the lockfile of the same directory.
func directReaders() map[string]directReader {
	return map[string]directReader{
		"package.json":   readPackageJSON,
		"Cargo.toml":     readCargoToml,
		"pyproject.toml": readPyprojectToml,
	}
}

// readPackageJSON takes the names of every dependency kind npm installs
// for the project. The file is JSON; only these four maps are decoded.
func readPackageJSON(_ context.Context, fsys scalibrfs.FS, p string, data []byte) (*directDeps, error) {
	var m struct {
		Dependencies         map[string]json.RawMessage `json:"dependencies"`
		DevDependencies      map[string]json.RawMessage `json:"devDependencies"`
		OptionalDependencies map[string]json.RawMessage `json:"optionalDependencies"`
		PeerDependencies     map[string]json.RawMessage `json:"peerDependencies"`
		Workspaces           json.RawMessage            `json:"workspaces"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not a valid package.json: %w", err)
	}
	d := &directDeps{ecosystem: "npm", names: map[string]bool{}}
	for _, deps := range []map[string]json.RawMessage{m.Dependencies, m.DevDependencies, m.OptionalDependencies, m.PeerDependencies} {
		for name := range deps {
			d.names[name] = true
		}
	}
	// In a workspace the lockfile also holds the members' direct
	// dependencies, which the root manifest does not list.
	_, err := fs.Stat(fsys, path.Join(path.Dir(p), "pnpm-workspace.yaml"))
	d.complete = len(bytes.TrimSpace(m.Workspaces)) == 0 && err != nil
	return d, nil
}

// readCargoToml uses scalibr's Cargo.toml extractor: its first package is
// the crate itself, the rest are [dependencies] (not dev or build
// dependencies, so the list is never complete).
func readCargoToml(ctx context.Context, fsys scalibrfs.FS, p string, data []byte) (*directDeps, error) {
	ex, err := cargotoml.New(nil)
	if err != nil {
		return nil, err
	}
	inv, err := ex.Extract(ctx, &filesystem.ScanInput{FS: fsys, Path: p, Reader: bytes.NewReader(data)})
	if err != nil {
		return nil, err
	}
	d := &directDeps{ecosystem: "crates.io", names: map[string]bool{}}
	for i, pkg := range inv.Packages {
		if i > 0 && pkg.Name != "" {
			d.names[pkg.Name] = true
		}
	}
	return d, nil
}

// readPyprojectToml uses scalibr's pyproject.toml extractor (PEP 621
// [project] tables only) and deps.dev's PEP 508 parser for the names of
// [project] dependencies and optional dependencies. Development groups
// ([dependency-groups], [tool.poetry.*]) are not read, so the list is never
// complete. Names are in PEP 503 canonical form.
func readPyprojectToml(ctx context.Context, fsys scalibrfs.FS, p string, data []byte) (*directDeps, error) {
	ex, err := pyprojecttoml.New(nil)
	if err != nil {
		return nil, err
	}
	inv, err := ex.Extract(ctx, &filesystem.ScanInput{FS: fsys, Path: p, Reader: bytes.NewReader(data)})
	if err != nil {
		return nil, err
	}
	d := &directDeps{ecosystem: "PyPI", names: map[string]bool{}}
	for _, pkg := range inv.Packages {
		md, ok := pkg.Metadata.(*pyprojecttoml.Metadata)
		if !ok {
			continue
		}
		reqs := slices.Clone(md.Dependencies)
		for _, group := range md.OptionalDependencies {
			reqs = append(reqs, group...)
		}
		for _, r := range reqs {
			if dep, err := pypi.ParseDependency(r); err == nil && dep.Name != "" {
				d.names[dep.Name] = true
			}
		}
	}
	return d, nil
}
