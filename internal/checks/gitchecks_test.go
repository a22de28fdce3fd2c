package checks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/craft-cra/craft/internal/config"
)

func TestCodeReviewCheck(t *testing.T) {
	t.Run("codeowners", func(t *testing.T) {
		root := writeTree(t, map[string]string{".github/CODEOWNERS": "# owners\n* @org/maintainers\n"})
		rs := runOneCheck(t, "process.code-review", root, config.Config{})
		if !slices.Equal(outcomes(rs), pass) || rs[0].Locations[0].Line != 2 {
			t.Errorf("%+v", rs)
		}
	})
	t.Run("codeowners_without_owners", func(t *testing.T) {
		root := writeTree(t, map[string]string{"CODEOWNERS": "# TODO\n\n*.go\n"})
		if rs := runOneCheck(t, "process.code-review", root, config.Config{}); !slices.Equal(outcomes(rs), fail) {
			t.Errorf("%+v", rs)
		}
	})
	t.Run("no_git", func(t *testing.T) {
		if rs := runOneCheck(t, "process.code-review", t.TempDir(), config.Config{}); !slices.Equal(outcomes(rs), na) {
			t.Errorf("%+v", rs)
		}
	})
	t.Run("empty_repository", func(t *testing.T) {
		g := newGitFixture(t)
		if rs := runOneCheck(t, "process.code-review", g.dir, config.Config{}); !slices.Equal(outcomes(rs), na) {
			t.Errorf("%+v", rs)
		}
	})
	t.Run("direct_commits", func(t *testing.T) {
		g := newGitFixture(t)
		for i := range 3 {
			g.commit("change "+string(rune('a'+i)), map[string]string{"f.txt": string(rune('a' + i))})
		}
		rs := runOneCheck(t, "process.code-review", g.dir, config.Config{})
		if !slices.Equal(outcomes(rs), fail) || !strings.Contains(rs[0].Message, "0 of the last 3") {
			t.Errorf("%+v", rs)
		}
	})
	t.Run("merged_pull_requests", func(t *testing.T) {
		g := newGitFixture(t)
		first := g.commit("initial", map[string]string{"f.txt": "0"})
		g.commit("Merge pull request #1 from dev/feature\n\nAdd a feature", map[string]string{"f.txt": "1"}, first)
		g.commit("fix typo\n\nReviewed-by: Alice <alice@example.com>\n", map[string]string{"f.txt": "2"})
		rs := runOneCheck(t, "process.code-review", g.dir, config.Config{})
		if !slices.Equal(outcomes(rs), pass) || !strings.Contains(rs[0].Message, "2 of the last 3") {
			t.Errorf("%+v", rs)
		}
	})
	t.Run("some_review", func(t *testing.T) {
		g := newGitFixture(t)
		g.commit("a", map[string]string{"f.txt": "0"})
		g.commit("b", map[string]string{"f.txt": "1"})
		g.commit("c\n\nReviewed-on: https://review.example.org/c/1\n", map[string]string{"f.txt": "2"})
		if rs := runOneCheck(t, "process.code-review", g.dir, config.Config{}); !slices.Equal(outcomes(rs), warn) {
			t.Errorf("%+v", rs)
		}
	})
}

func TestSignedTagsCheck(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name  string
		setup func(g *gitFixture)
		want  []Outcome
		msg   string
	}{
		{name: "no_tags", setup: func(g *gitFixture) { g.commit("a", map[string]string{"f": "a"}) }, want: na, msg: "no release tags"},
		{name: "lightweight", setup: func(g *gitFixture) {
			g.lightweightTag("v1.0.0", g.commit("a", map[string]string{"f": "a"}))
		}, want: fail, msg: "lightweight"},
		{name: "annotated_unsigned", setup: func(g *gitFixture) {
			g.annotatedTag("v1.0.0", g.commit("a", map[string]string{"f": "a"}), day(1), "")
		}, want: fail, msg: "v1.0.0 (unsigned)"},
		{name: "pgp_signed", setup: func(g *gitFixture) {
			g.annotatedTag("v1.0.0", g.commit("a", map[string]string{"f": "a"}), day(1), fakePGPSignature)
		}, want: pass},
		{name: "ssh_signed", setup: func(g *gitFixture) {
			h := g.commit("a", map[string]string{"f": "a"})
			g.annotatedTag("v1.0.0", h, day(1), fakeSSHSignature)
			g.annotatedTag("v1.1.0", h, day(2), fakePGPSignature)
		}, want: pass, msg: "2 newest"},
		{name: "newest_signed_older_not", setup: func(g *gitFixture) {
			h := g.commit("a", map[string]string{"f": "a"})
			g.annotatedTag("v1.0.0", h, day(1), "")
			g.annotatedTag("v1.1.0", h, day(2), fakePGPSignature)
		}, want: warn, msg: "older ones are not"},
		{name: "newest_unsigned", setup: func(g *gitFixture) {
			h := g.commit("a", map[string]string{"f": "a"})
			g.annotatedTag("v1.0.0", h, day(1), fakePGPSignature)
			g.annotatedTag("v1.1.0", h, day(2), "")
		}, want: fail, msg: "1 of the 2"},
		{name: "non_release_tags_ignored", setup: func(g *gitFixture) {
			h := g.commit("a", map[string]string{"f": "a"})
			g.lightweightTag("latest", h)
			g.annotatedTag("v2.0.0", h, day(1), fakePGPSignature)
		}, want: pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGitFixture(t)
			tt.setup(g)
			rs := runOneCheck(t, "release.signed-tags", g.dir, config.Config{})
			if !slices.Equal(outcomes(rs), tt.want) || !strings.Contains(rs[0].Message, tt.msg) {
				t.Errorf("results %+v, want %v with %q", rs, tt.want, tt.msg)
			}
		})
	}
	t.Run("no_git", func(t *testing.T) {
		rs := runOneCheck(t, "release.signed-tags", t.TempDir(), config.Config{})
		if !slices.Equal(outcomes(rs), na) || !strings.Contains(rs[0].Message, "not a git checkout") {
			t.Errorf("%+v", rs)
		}
	})
}

func TestLockfileNotCommitted(t *testing.T) {
	g := newGitFixture(t)
	g.commit("app", map[string]string{"package.json": `{"dependencies": {"a": "1"}}`, ".gitignore": "package-lock.json\n"})
	g.write(map[string]string{"package-lock.json": "{}"})
	rs := runOneCheck(t, "process.lockfiles", g.dir, config.Config{})
	if !slices.Equal(outcomes(rs), fail) || !strings.Contains(rs[0].Message, "not committed") {
		t.Errorf("%+v", rs)
	}
	g.commit("lock", map[string]string{"package-lock.json": "{}"})
	if rs := runOneCheck(t, "process.lockfiles", g.dir, config.Config{}); !slices.Equal(outcomes(rs), pass) {
		t.Errorf("after commit: %+v", rs)
	}
}

// A subdirectory of a repository is checked with the repository's history
// and index.
func TestSubdirectoryOfRepository(t *testing.T) {
	g := newGitFixture(t)
	g.commit("app", map[string]string{"svc/go.mod": "module x\nrequire a.b/c v1.0.0\n", "svc/go.sum": ""})
	g.write(map[string]string{"svc/bin/tool": "\x7fELF\x02\x01\x01"})
	root := g.dir + "/svc"
	if rs := runOneCheck(t, "process.lockfiles", root, config.Config{}); !slices.Equal(outcomes(rs), pass) {
		t.Errorf("lockfiles: %+v", rs)
	}
	if rs := runOneCheck(t, "repo.binaries", root, config.Config{}); !slices.Equal(outcomes(rs), pass) {
		t.Errorf("untracked build output reported: %+v", rs)
	}
}

// A shallow clone (CI's default fetch-depth: 1) has too little history to
// judge review; the check says so instead of failing.
func TestCodeReviewShallowClone(t *testing.T) {
	g := newGitFixture(t)
	g.commit("a", map[string]string{"f.txt": "0"})
	g.commit("b", map[string]string{"f.txt": "1"})
	h := g.commit("c", map[string]string{"f.txt": "2"})
	if err := g.repo.Storer.SetShallow([]plumbing.Hash{h}); err != nil {
		t.Fatal(err)
	}
	rs := runOneCheck(t, "process.code-review", g.dir, config.Config{})
	if !slices.Equal(outcomes(rs), na) || !strings.Contains(rs[0].Message, "shallow") {
		t.Errorf("%+v", rs)
	}
}
