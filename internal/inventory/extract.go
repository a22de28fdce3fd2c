package inventory

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"golang.org/x/mod/modfile"
)

// fileResult is what the extractors made of one file.
type fileResult struct {
	path     string
	packages []found
	// files are the files read: the job's file first, then any file an
	// extractor opened beside it (go.sum, a requirements file named by -r).
	files   []SourceFile
	skipped []Skipped
	// indirect holds, for a go.mod, the module paths marked "// indirect".
	indirect map[string]bool
	// direct holds, for a go.mod, the module paths required without it.
	direct map[string]bool
	// manifest is what a project manifest (package.json, Cargo.toml) says
	// about the lockfile beside it.
	manifest *directDeps
	// graph is the lockfile's dependency edges, hashes and licences, for
	// the formats craft enriches (enrich.go).
	graph *lockGraph
}

// found is one package an extractor reported, with the extractor's name.
type found struct {
	pkg       *extractor.Package
	extractor string
}

// extract runs the job's extractors on its file. The file is read through
// the os.Root, so neither the file nor anything an extractor opens beside it
// can lie outside the scanned root.
func (s *scanner) extract(j *job, buf []byte) (res fileResult) {
	res.path = j.path
	f, err := s.root.Open(filepath.FromSlash(j.path))
	if err != nil {
		res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("cannot open: %v", unwrapPathError(err))})
		return res
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("cannot stat: %v", unwrapPathError(err))})
		return res
	}
	// The walk checked these already; check again on the open file in case
	// the tree changed in between.
	if !info.Mode().IsRegular() {
		res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: "not a regular file"})
		return res
	}
	if info.Size() > MaxFileSize {
		res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("file is %s, larger than the %s limit for lockfiles and manifests", formatSize(info.Size()), formatSize(MaxFileSize))})
		return res
	}

	h := sha512.New()
	// A go.mod or a project manifest is kept in memory (they are small) to
	// read its direct dependencies after scalibr is done, and so is a
	// lockfile that is enriched (scalibr's reader holds it all in memory
	// as well): the bytes read once, for the extractor and the hash.
	isGoMod := path.Base(j.path) == "go.mod"
	enrich := enrichReaderFor(j.extractors)
	var gomod *bytes.Buffer
	if isGoMod || j.direct != nil || enrich != nil {
		gomod = &bytes.Buffer{}
	}
	rec := &recordingFS{FS: s.fsys, self: j.path}
	abandoned := false
	defer func() {
		if !abandoned { // an abandoned extractor may still be opening files
			rec.closeAll()
		}
	}()
	for i, ex := range j.extractors {
		var r io.Reader = f
		if i == 0 {
			// The first extractor's read also feeds the hash; the rest of
			// the file is hashed after it returns.
			w := io.Writer(h)
			if gomod != nil {
				w = io.MultiWriter(h, gomod)
			}
			r = io.TeeReader(io.LimitReader(f, MaxFileSize), w)
		} else if _, err := f.Seek(0, io.SeekStart); err != nil {
			res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("cannot rewind for %s: %v", ex.Name(), unwrapPathError(err))})
			continue
		}
		pkgs, gaveUp, err := runExtractor(s.ctx, s.realRoot, ex, rec, j.path, info, r, ExtractTimeout)
		if gaveUp {
			// The extractor still runs and may still read f and write the
			// hash: touch neither again.
			abandoned = true
			res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("%s: %v", ex.Name(), err)})
			return res
		}
		if err != nil {
			res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("%s: %s", ex.Name(), errorLines(err))})
		}
		for _, p := range pkgs {
			res.packages = append(res.packages, found{pkg: p, extractor: ex.Name()})
		}
		if i == 0 {
			if err := finishHash(f, h, gomod, buf); err != nil {
				res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("cannot read: %v", unwrapPathError(err))})
				return res
			}
		}
	}
	if len(j.extractors) == 0 {
		if err := finishHash(f, h, gomod, buf); err != nil {
			res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: fmt.Sprintf("cannot read: %v", unwrapPathError(err))})
			return res
		}
	}
	res.files = append(res.files, SourceFile{Path: j.path, SHA512: hex.EncodeToString(h.Sum(nil)), Size: info.Size()})
	for _, extra := range rec.opened {
		sf, err := s.hashFile(extra, buf)
		if err != nil {
			res.skipped = append(res.skipped, Skipped{Path: extra, Reason: fmt.Sprintf("cannot hash: %v", err)})
			continue
		}
		res.files = append(res.files, sf)
	}
	switch {
	case j.direct != nil:
		d, err := runDirectReader(s, j, gomod.Bytes())
		if err != nil {
			res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: "reading direct dependencies: " + errorLines(err)})
		}
		res.manifest = d
	case isGoMod:
		res.direct, res.indirect = goModRequires(j.path, gomod.Bytes())
	}
	if enrich != nil {
		g, err := runEnrichReader(enrich, gomod.Bytes())
		switch {
		case err == nil:
			res.graph = g
		case !slices.ContainsFunc(res.skipped, func(s Skipped) bool { return s.Path == j.path }):
			// The extractor read the file but the enrichment could not:
			// its components stand, without edges, hashes or licences.
			// (Where the extractor failed too, its reason says enough.)
			res.skipped = append(res.skipped, Skipped{Path: j.path, Reason: "dependency edges, hashes and licences not read: " + errorLines(err)})
		}
	}
	return res
}

// errorLines puts an extractor error on one line. Some extractors join
// several errors (errors.Join) in map order: those parts are sorted so the
// reason is the same on every run.
func errorLines(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			if e != nil {
				parts = append(parts, errorLines(e))
			}
		}
		slices.Sort(parts)
		return strings.Join(slices.Compact(parts), "; ")
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// finishHash reads what the first extractor left of the file into the hash
// (and the go.mod buffer).
func finishHash(f io.Reader, h hash.Hash, gomod *bytes.Buffer, buf []byte) error {
	w := io.Writer(h)
	if gomod != nil {
		w = io.MultiWriter(h, gomod)
	}
	// Hide the file's WriteTo, which would allocate its own buffer.
	_, err := io.CopyBuffer(w, struct{ io.Reader }{f}, buf)
	return err
}

// ExtractTimeout bounds the time one extractor may take on one file. Some
// of scalibr v0.5.3's readers are quadratic in the number of packages
// (package-lock.json, composer.lock and bun.lock look up each package's
// line from the start of the file): a 20,000-package package-lock.json
// takes about 15 CPU seconds, a hostile 100 MiB one would take hours. Past
// the limit the file is skipped and the scan goes on.
const ExtractTimeout = 60 * time.Second

// runExtractor calls one extractor, turning a panic on hostile input into an
// error. If the extractor is not done within timeout (or ctx ends) it gives
// up and reports gaveUp: Go cannot stop the extractor, which goes on in the
// background until it returns, and the caller must not touch r or fsys
// again.
func runExtractor(ctx context.Context, root string, ex filesystem.Extractor, fsys scalibrfs.FS, p string, info fs.FileInfo, r io.Reader, timeout time.Duration) (pkgs []*extractor.Package, gaveUp bool, err error) {
	type outcome struct {
		pkgs []*extractor.Package
		err  error
	}
	done := make(chan outcome, 1) // buffered: an abandoned extractor must not block
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- outcome{err: fmt.Errorf("extractor failed on this input: %v", v)}
			}
		}()
		inv, err := ex.Extract(ctx, &filesystem.ScanInput{
			FS:     fsys,
			Path:   p,
			Root:   root,
			Info:   info,
			Reader: r,
		})
		done <- outcome{pkgs: inv.Packages, err: err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case o := <-done:
		return o.pkgs, false, o.err
	case <-timer.C:
		return nil, true, fmt.Errorf("gave up after %v (scalibr's reader is slow on files this large)", timeout)
	case <-ctx.Done():
		return nil, true, ctx.Err()
	}
}

// runDirectReader reads a manifest's direct dependencies, turning a panic
// on hostile input into an error.
func runDirectReader(s *scanner, j *job, data []byte) (d *directDeps, err error) {
	defer func() {
		if v := recover(); v != nil {
			d, err = nil, fmt.Errorf("reader failed on this input: %v", v)
		}
	}()
	return j.direct(s.ctx, s.fsys, j.path, data)
}

// hashFile hashes a file an extractor opened beside the one it was given.
func (s *scanner) hashFile(p string, buf []byte) (SourceFile, error) {
	f, err := s.root.Open(filepath.FromSlash(p))
	if err != nil {
		return SourceFile{}, unwrapPathError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return SourceFile{}, unwrapPathError(err)
	}
	if info.Size() > MaxFileSize {
		return SourceFile{}, fmt.Errorf("file is %s, larger than the %s limit", formatSize(info.Size()), formatSize(MaxFileSize))
	}
	h := sha512.New()
	if _, err := io.CopyBuffer(h, io.LimitReader(f, MaxFileSize), buf); err != nil {
		return SourceFile{}, unwrapPathError(err)
	}
	return SourceFile{Path: p, SHA512: hex.EncodeToString(h.Sum(nil)), Size: info.Size()}, nil
}

// recordingFS is the scanned tree as one extraction sees it. It notes every
// regular file an extractor opens besides the one it was given, so that the
// inventory lists (and hashes) every file it was read from.
type recordingFS struct {
	scalibrfs.FS
	self   string
	opened []string
	seen   map[string]bool
	// handles are closed when the extraction ends: not every extractor
	// closes what it opens.
	handles []fs.File
}

func (r *recordingFS) closeAll() {
	for _, f := range r.handles {
		_ = f.Close() // a second Close of a file the extractor closed is harmless
	}
}

func (r *recordingFS) Open(name string) (fs.File, error) {
	f, err := r.FS.Open(name)
	if err != nil {
		return nil, err
	}
	r.handles = append(r.handles, f)
	clean := path.Clean(name)
	if clean != r.self && !r.seen[clean] {
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			if r.seen == nil {
				r.seen = make(map[string]bool)
			}
			r.seen[clean] = true
			r.opened = append(r.opened, clean)
		}
	}
	return f, nil
}

// goModRequires reads which requirements of a go.mod are direct and which
// are marked "// indirect", following replace directives to the module path
// scalibr reports. A go.mod that does not parse yields nothing here (scalibr
// reports the parse error).
func goModRequires(p string, data []byte) (direct, indirect map[string]bool) {
	mf, err := modfile.ParseLax(p, data, nil)
	if err != nil {
		return nil, nil
	}
	direct = make(map[string]bool)
	indirect = make(map[string]bool)
	for _, r := range mf.Require {
		if r.Indirect {
			indirect[r.Mod.Path] = true
		} else {
			direct[r.Mod.Path] = true
		}
	}
	for _, rep := range mf.Replace {
		if direct[rep.Old.Path] {
			direct[rep.New.Path] = true
		}
		if indirect[rep.Old.Path] {
			indirect[rep.New.Path] = true
		}
	}
	return direct, indirect
}
