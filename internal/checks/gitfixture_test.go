package checks

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// gitFixture is a git repository built in a temporary directory with
// go-git, for the checks that read history.
type gitFixture struct {
	t    *testing.T
	dir  string
	repo *git.Repository
	when time.Time
}

func newGitFixture(t *testing.T) *gitFixture {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return &gitFixture{t: t, dir: dir, repo: repo, when: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)}
}

// write puts files in the worktree without adding them to git.
func (g *gitFixture) write(files map[string]string) {
	g.t.Helper()
	for name, content := range files {
		p := filepath.Join(g.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			g.t.Fatal(err)
		}
	}
}

// commit writes files, adds them and commits; extra parents make a merge.
func (g *gitFixture) commit(msg string, files map[string]string, extraParents ...plumbing.Hash) plumbing.Hash {
	g.t.Helper()
	g.write(files)
	wt, err := g.repo.Worktree()
	if err != nil {
		g.t.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := wt.Add(name); err != nil {
			g.t.Fatal(err)
		}
	}
	g.when = g.when.Add(time.Hour)
	sig := &object.Signature{Name: "Dev", Email: "dev@example.com", When: g.when}
	opts := &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true}
	if len(extraParents) > 0 {
		head, err := g.repo.Head()
		if err != nil {
			g.t.Fatal(err)
		}
		opts.Parents = append([]plumbing.Hash{head.Hash()}, extraParents...)
	}
	h, err := wt.Commit(msg, opts)
	if err != nil {
		g.t.Fatal(err)
	}
	return h
}

func (g *gitFixture) lightweightTag(name string, target plumbing.Hash) {
	g.t.Helper()
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewTagReferenceName(name), target)); err != nil {
		g.t.Fatal(err)
	}
}

// annotatedTag stores a tag object by hand. signature, when not empty, is
// an armoured signature block appended as git does: craft checks that a
// signature is present, not that it verifies, so no real key is needed.
func (g *gitFixture) annotatedTag(name string, target plumbing.Hash, when time.Time, signature string) {
	g.t.Helper()
	tag := &object.Tag{
		Name:         name,
		Tagger:       object.Signature{Name: "Release", Email: "release@example.com", When: when},
		Message:      "release " + name + "\n",
		TargetType:   plumbing.CommitObject,
		Target:       target,
		PGPSignature: signature,
	}
	obj := g.repo.Storer.NewEncodedObject()
	if err := tag.Encode(obj); err != nil {
		g.t.Fatal(err)
	}
	h, err := g.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		g.t.Fatal(err)
	}
	g.lightweightTag(name, h)
}

// Signature blocks of the three formats git writes. The content is made
// up: it has the shape of a signature, nothing more.
const (
	fakePGPSignature = "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEfakefakefakefakefakefakefakefakeFAKEFAKE\n=AbCd\n-----END PGP SIGNATURE-----\n"
	fakeSSHSignature = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgfakefakefakefakefake\n-----END SSH SIGNATURE-----\n"
)
