package inventory

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/google/osv-scalibr/extractor/filesystem"
	scalibrfs "github.com/google/osv-scalibr/fs"
)

// MaxFileSize is the largest lockfile or manifest a scan reads. A larger
// file is not opened for parsing; the scan lists it in Skipped.
const MaxFileSize = 100 << 20

// Options tune a Scan.
type Options struct {
	// Exclude holds glob patterns (doublestar syntax, "**" crosses
	// directories) matched against the slash-separated path relative to the
	// scanned root. A directory that matches is not entered.
	Exclude []string
	// Progress, when not nil, is called with the relative path of every file
	// the walk examines, from a single goroutine.
	Progress func(path string)
}

// skipDirs are directories a source scan never enters: version-control
// metadata, and installed dependency trees whose lockfiles are the
// dependencies' own (the project's lockfile already lists them).
var skipDirs = map[string]bool{
	".git":         true,
	".hg":          true,
	".svn":         true,
	"node_modules": true,
	"vendor":       true,
}

// vendorManifest is the one file read inside a skipped vendor directory: Go's
// record of the vendored modules.
const vendorManifest = "modules.txt"

// Scan finds the components of the source tree at root with osv-scalibr's
// offline lockfile and manifest extractors. The error is only for an
// unusable root (missing, not a directory) or a malformed exclude pattern;
// every file the scan cannot use becomes a Skipped entry and the scan goes on.
func Scan(ctx context.Context, root string, opts Options) (*Inventory, error) {
	exclude := make([]string, 0, len(opts.Exclude))
	for _, p := range opts.Exclude {
		if !doublestar.ValidatePattern(p) {
			return nil, fmt.Errorf("scan %s: exclude pattern %q is not a valid glob", root, p)
		}
		exclude = append(exclude, normalizePattern(p))
	}
	opts.Exclude = exclude
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("scan %s: not a directory", root)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	realRoot, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	osRoot, err := os.OpenRoot(realRoot)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	defer osRoot.Close()
	rootFS, ok := osRoot.FS().(scalibrfs.FS)
	if !ok {
		return nil, fmt.Errorf("scan %s: os.Root file system lacks ReadDir or Stat", root)
	}
	extractors, err := Extractors()
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}

	s := &scanner{
		ctx:        ctx,
		opts:       opts,
		realRoot:   realRoot,
		root:       osRoot,
		fsys:       rootFS,
		extractors: extractors,
		readers:    directReaders(),
	}
	results := s.run()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	inv := merge(results, s.skipped, realRoot)
	inv.Root = root
	inv.Source = "directory"
	return inv, nil
}

// scanner holds the state of one Scan. The walk runs on the calling
// goroutine; extraction runs on a pool of workers.
type scanner struct {
	ctx        context.Context
	opts       Options
	realRoot   string
	root       *os.Root
	fsys       scalibrfs.FS
	extractors []filesystem.Extractor
	readers    map[string]directReader

	// skipped is written by the walk goroutine only.
	skipped []Skipped
	jobs    []*job
}

// job is one file that at least one extractor (or a direct-dependency
// reader) wants.
type job struct {
	path       string // slash-separated, relative to the root
	extractors []filesystem.Extractor
	direct     directReader // nil unless the file is a project manifest
	result     fileResult
}

func (s *scanner) run() []fileResult {
	work := make(chan *job)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for range workers {
		wg.Go(func() {
			buf := make([]byte, 64<<10) // one copy buffer per worker
			for j := range work {
				j.result = s.extract(j, buf)
			}
		})
	}
	s.walkDir(".", work)
	close(work)
	wg.Wait()
	out := make([]fileResult, len(s.jobs))
	for i, j := range s.jobs {
		out[i] = j.result
	}
	return out
}

func (s *scanner) skip(p, reason string) {
	s.skipped = append(s.skipped, Skipped{Path: p, Reason: reason})
}

// normalizePattern lets users write an exclude pattern the way they would
// name the path in a shell: "./docs" and "docs/" both mean "docs".
func normalizePattern(p string) string {
	p = filepath.ToSlash(p)
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

func (s *scanner) excluded(rel string) bool {
	for _, p := range s.opts.Exclude {
		if ok, _ := doublestar.Match(p, rel); ok {
			return true
		}
	}
	return false
}

// walkDir visits the entries of the directory rel in name order.
func (s *scanner) walkDir(rel string, work chan<- *job) {
	if s.ctx.Err() != nil {
		return
	}
	entries, err := fs.ReadDir(s.fsys, rel)
	if err != nil {
		s.skip(rel, fmt.Sprintf("cannot read directory: %v", unwrapPathError(err)))
		// ReadDir returns the entries it read before the error; go on with them.
	}
	for _, e := range entries {
		if s.ctx.Err() != nil {
			return
		}
		name := e.Name()
		p := path.Join(rel, name)
		if s.excluded(p) {
			continue
		}
		switch typ := e.Type(); {
		case typ.IsDir():
			s.visitDir(p, name, work)
		case typ&fs.ModeSymlink != 0:
			s.visitSymlink(p, work)
		default:
			s.visitFile(p, work)
		}
	}
}

func (s *scanner) visitDir(p, name string, work chan<- *job) {
	if !skipDirs[name] {
		s.walkDir(p, work)
		return
	}
	if name != "vendor" {
		return
	}
	// Skip the vendored sources but read Go's vendor/modules.txt: it lists
	// exactly the modules compiled into the product.
	mt := path.Join(p, vendorManifest)
	if s.excluded(mt) {
		return
	}
	if fi, err := s.root.Lstat(filepath.FromSlash(mt)); err == nil && fi.Mode().IsRegular() {
		s.visitFile(mt, work)
	}
}

// visitSymlink follows a link only while it stays inside the root. A link to
// a directory inside the root is not entered (the directory is scanned under
// its own path); a link to a file inside the root is read like the file.
func (s *scanner) visitSymlink(p string, work chan<- *job) {
	if s.opts.Progress != nil {
		s.opts.Progress(p)
	}
	target, err := filepath.EvalSymlinks(filepath.Join(s.realRoot, filepath.FromSlash(p)))
	if err != nil {
		if errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "too many links") {
			s.skip(p, "symlink loop: the chain of links never reaches a file or directory")
			return
		}
		if errors.Is(err, fs.ErrNotExist) {
			return // dangling link: nothing to read
		}
		s.skip(p, fmt.Sprintf("cannot resolve symlink: %v", unwrapPathError(err)))
		return
	}
	relTarget, err := filepath.Rel(s.realRoot, target)
	if err != nil || relTarget == ".." || strings.HasPrefix(relTarget, ".."+string(filepath.Separator)) || filepath.IsAbs(relTarget) {
		s.skip(p, "symlink points outside the scanned root")
		return
	}
	fi, err := os.Stat(target)
	if err != nil {
		s.skip(p, fmt.Sprintf("cannot stat symlink target: %v", unwrapPathError(err)))
		return
	}
	if fi.IsDir() {
		t := filepath.ToSlash(relTarget)
		if t == "." || p == t || strings.HasPrefix(p, t+"/") {
			s.skip(p, fmt.Sprintf("symlink loop: points to its own ancestor directory %q", t))
		}
		return
	}
	s.offer(p, work)
}

func (s *scanner) visitFile(p string, work chan<- *job) {
	if s.opts.Progress != nil {
		s.opts.Progress(p)
	}
	s.offer(p, work)
}

// offer asks every extractor whether it wants the file and, if one does,
// queues it for extraction.
func (s *scanner) offer(p string, work chan<- *job) {
	api := &fileAPI{fsys: s.fsys, path: p}
	var wanted []filesystem.Extractor
	for _, ex := range s.extractors {
		if ex.FileRequired(api) {
			wanted = append(wanted, ex)
		}
	}
	direct := s.readers[path.Base(p)]
	if len(wanted) == 0 && direct == nil {
		return
	}
	fi, err := api.Stat()
	if err != nil {
		s.skip(p, fmt.Sprintf("cannot stat: %v", unwrapPathError(err)))
		return
	}
	if !fi.Mode().IsRegular() {
		s.skip(p, fmt.Sprintf("not a regular file (%s)", fi.Mode().Type()))
		return
	}
	if fi.Size() > MaxFileSize {
		s.skip(p, fmt.Sprintf("file is %s, larger than the %s limit for lockfiles and manifests", formatSize(fi.Size()), formatSize(MaxFileSize)))
		return
	}
	j := &job{path: p, extractors: wanted, direct: direct}
	s.jobs = append(s.jobs, j)
	work <- j
}

// fileAPI is scalibr's view of one file for FileRequired: the path, and a
// Stat done only if an extractor asks for it.
type fileAPI struct {
	fsys    scalibrfs.FS
	path    string
	info    fs.FileInfo
	err     error
	statted bool
}

func (a *fileAPI) Path() string { return a.path }

func (a *fileAPI) Stat() (fs.FileInfo, error) {
	if !a.statted {
		a.statted = true
		a.info, a.err = a.fsys.Stat(a.path)
	}
	return a.info, a.err
}

// unwrapPathError drops the *fs.PathError wrapper, whose path is the one the
// Skipped entry already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func formatSize(n int64) string {
	const mib = 1 << 20
	if n%mib == 0 {
		return fmt.Sprintf("%d MiB", n/mib)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/mib)
}

// sortSkipped orders skipped entries by path, then reason, and drops exact
// duplicates.
func sortSkipped(s []Skipped) []Skipped {
	slices.SortFunc(s, func(a, b Skipped) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return slices.Compact(s)
}
