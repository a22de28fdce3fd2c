package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5"

	"github.com/craft-cra/craft/internal/config"
)

// MaxFileSize bounds what [Repo.ReadFile] reads: checks look at
// configuration and policy files, not at large assets.
const MaxFileSize = 4 << 20

// maxFiles bounds the walk so that a hostile tree cannot exhaust memory.
const maxFiles = 500_000

// ErrFileTooLarge is returned by [Repo.ReadFile] for files over MaxFileSize.
var ErrFileTooLarge = errors.New("file too large")

// ErrNoGit is returned by [Repo.Git] when the tree is not a git checkout.
var ErrNoGit = errors.New("not a git repository")

// skippedDirs are never walked: version-control data and vendored
// third-party trees are not the product's own files.
var skippedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true,
	"node_modules": true, "vendor": true,
}

// Repo is the tree under check, walked once. Checks read it, never change
// it; a Repo is used by one Run at a time.
type Repo struct {
	// Root is the absolute path of the tree.
	Root string
	// Files lists the regular files under Root as slash paths relative to
	// Root, sorted. Directories in skippedDirs, craft.yaml's scan.exclude
	// patterns and symlinks that leave Root are left out.
	Files []string
	// Config is the product's craft.yaml (empty when there is none).
	Config config.Config
	// Now is the clock for date checks.
	Now time.Time

	gitOnce sync.Once
	git     *git.Repository
	gitErr  error

	// realRoot is Root with symlinks resolved, for containment checks.
	realRoot string

	trackedOnce sync.Once
	tracked     map[string]bool // nil: no index, every walked file counts
	trackedErr  error
}

// OpenRepo walks root and returns the Repo the checks run on. exclude adds
// patterns to craft.yaml's scan.exclude.
func OpenRepo(ctx context.Context, root string, cfg config.Config, now time.Time, exclude ...string) (*Repo, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("checks: %s: %w", root, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("checks: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("checks: %s is not a directory", root)
	}
	files, err := walk(ctx, abs, append(slices.Clone(cfg.Scan.Exclude), exclude...))
	if err != nil {
		return nil, err
	}
	realRoot, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("checks: %s: %w", root, err)
	}
	return &Repo{Root: abs, Files: files, Config: cfg, Now: now, realRoot: realRoot}, nil
}

func walk(ctx context.Context, root string, exclude []string) ([]string, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("checks: %s: %w", root, err)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // an unreadable entry is left out, not fatal
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p != root && (skippedDirs[d.Name()] || excluded(rel, exclude)) {
				return filepath.SkipDir
			}
			return nil
		}
		if excluded(rel, exclude) {
			return nil
		}
		switch {
		case d.Type().IsRegular():
		case d.Type()&fs.ModeSymlink != 0:
			// Follow a symlink only to a regular file inside the tree.
			target, err := filepath.EvalSymlinks(p)
			if err != nil || !within(realRoot, target) {
				return nil
			}
			fi, err := os.Stat(target)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		default:
			return nil
		}
		if len(files) >= maxFiles {
			return fmt.Errorf("more than %d files", maxFiles)
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checks: walk %s: %w", root, err)
	}
	return files, nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// excluded matches rel against exclude patterns (doublestar syntax, "**"
// crosses directories, as craft scan's --exclude), tried on the path and
// on each of its parent directories.
func excluded(rel string, patterns []string) bool {
	for _, pat := range patterns {
		pat = strings.TrimSuffix(strings.TrimPrefix(pat, "./"), "/")
		for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if ok, _ := doublestar.Match(pat, p); ok {
				return true
			}
		}
	}
	return false
}

// ReadFile reads a file of the tree by its slash path relative to Root,
// refusing files over MaxFileSize and paths that leave the tree.
func (r *Repo) ReadFile(rel string) ([]byte, error) {
	f, err := r.open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read %s: %w (over %d bytes)", rel, ErrFileTooLarge, MaxFileSize)
	}
	return data, nil
}

// open opens a file of the tree by its slash path, refusing paths and
// symlinks that lead outside Root.
func (r *Repo) open(rel string) (*os.File, error) {
	clean := path.Clean(rel)
	if !fs.ValidPath(clean) {
		return nil, fmt.Errorf("read %s: invalid path", rel)
	}
	p := filepath.Join(r.Root, filepath.FromSlash(clean))
	// Walked files are vetted already (the walk follows no symlinked
	// directory and only in-tree symlinked files); others are resolved.
	if _, walked := r.find(clean); !walked && r.realRoot != "" {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		if !within(r.realRoot, real) {
			return nil, fmt.Errorf("read %s: %w (leads outside %s)", rel, fs.ErrPermission, r.Root)
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return f, nil
}

// ReadHead reads at most n bytes from the start of a file of the tree;
// it is how magic-byte checks avoid reading whole files.
func (r *Repo) ReadHead(rel string, n int) ([]byte, error) {
	f, err := r.open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	m, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return buf[:m], nil
}

// CommittedFiles returns the walked files that git tracks (in the index).
// Without a git repository every walked file counts: a plain tree is what
// is shipped. Build outputs and other ignored files in a checkout are left
// out, so that a locally built binary is not reported as committed.
func (r *Repo) CommittedFiles() ([]string, error) {
	r.trackedOnce.Do(r.loadTracked)
	if r.trackedErr != nil {
		return nil, r.trackedErr
	}
	if r.tracked == nil {
		return r.Files, nil
	}
	var out []string
	for _, f := range r.Files {
		if r.tracked[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// IsTracked reports whether git tracks rel; true when there is no git.
func (r *Repo) IsTracked(rel string) bool {
	r.trackedOnce.Do(r.loadTracked)
	return r.tracked == nil || r.tracked[rel]
}

func (r *Repo) loadTracked() {
	repo, err := r.Git()
	if errors.Is(err, ErrNoGit) {
		return
	}
	if err != nil {
		r.trackedErr = err
		return
	}
	wt, err := repo.Worktree()
	if err != nil {
		return // a bare repository has no index of a checkout
	}
	idx, err := repo.Storer.Index()
	if err != nil {
		r.trackedErr = fmt.Errorf("read git index of %s: %w", r.Root, err)
		return
	}
	// Index paths are relative to the worktree root; Root may be below it.
	wtRoot, err1 := filepath.EvalSymlinks(wt.Filesystem.Root())
	root, err2 := filepath.EvalSymlinks(r.Root)
	if err1 != nil || err2 != nil {
		return
	}
	prefix, err := filepath.Rel(wtRoot, root)
	if err != nil || strings.HasPrefix(prefix, "..") {
		return
	}
	prefix = filepath.ToSlash(prefix)
	tracked := make(map[string]bool, len(idx.Entries))
	for _, e := range idx.Entries {
		name := e.Name
		if prefix != "." {
			if !strings.HasPrefix(name, prefix+"/") {
				continue
			}
			name = strings.TrimPrefix(name, prefix+"/")
		}
		tracked[name] = true
	}
	r.tracked = tracked
}

// HasFile reports whether the walk found rel.
func (r *Repo) HasFile(rel string) bool {
	_, ok := r.find(rel)
	return ok
}

func (r *Repo) find(rel string) (int, bool) {
	lo, hi := 0, len(r.Files)
	for lo < hi {
		m := (lo + hi) / 2
		if r.Files[m] < rel {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(r.Files) && r.Files[lo] == rel
}

// testDirs are directory names whose content is not the shipped product:
// tests, examples, fixtures and documentation.
var testDirs = map[string]bool{
	"test": true, "tests": true, "__tests__": true, "testdata": true, "test-data": true, "test_data": true,
	"testing": true, "spec": true, "specs": true, "fixtures": true, "__fixtures__": true,
	"fixture": true, "example": true, "examples": true, "sample": true, "samples": true,
	"docs": true, "doc": true, "e2e": true, "__mocks__": true, "mocks": true,
	"integration": true, "integration-test": true, "integration-tests": true, "integration_tests": true,
}

// testWords in a file name mark test code or test data: keys_test_data.go,
// test_helpers.py, fixtures-server.pem.
var testWords = map[string]bool{
	"test": true, "tests": true, "testdata": true, "spec": true, "fixture": true, "fixtures": true,
	"mock": true, "mocks": true, "example": true, "sample": true,
}

// IsTestPath reports whether rel is part of tests, examples, fixtures or
// documentation. Configuration rules leave such paths out by default: a
// weak setting in an example is not the product's default.
func IsTestPath(rel string) bool {
	dir, base := path.Split(rel)
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		if testDirs[strings.ToLower(seg)] {
			return true
		}
	}
	// Every part of the name but the last extension: "x_test.go.tmpl",
	// "app.spec.ts", "settings.yaml.example".
	lower := strings.ToLower(base)
	parts := strings.Split(lower, ".")
	if len(parts) > 1 {
		last := parts[len(parts)-1]
		if last == "example" || last == "sample" {
			return true
		}
		parts = parts[:len(parts)-1]
	}
	for _, part := range parts {
		for _, word := range strings.FieldsFunc(part, func(r rune) bool { return r == '_' || r == '-' }) {
			if testWords[word] {
				return true
			}
		}
	}
	return false
}

// IsTestPath is [IsTestPath] as a method, for checks that hold a Repo.
func (r *Repo) IsTestPath(rel string) bool { return IsTestPath(rel) }

// Git opens the git repository of the tree (found at Root or above it)
// once. It returns ErrNoGit when there is none.
func (r *Repo) Git() (*git.Repository, error) {
	r.gitOnce.Do(func() {
		repo, err := git.PlainOpenWithOptions(r.Root, &git.PlainOpenOptions{
			DetectDotGit:          true,
			EnableDotGitCommonDir: true,
		})
		switch {
		case errors.Is(err, git.ErrRepositoryNotExists):
			r.gitErr = ErrNoGit
		case err != nil:
			r.gitErr = fmt.Errorf("open git repository at %s: %w", r.Root, err)
		default:
			r.git = repo
		}
	})
	return r.git, r.gitErr
}
