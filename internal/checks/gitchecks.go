package checks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

const noGitMsg = "the tree is not a git checkout, so its history cannot be checked; run craft check on a clone"

// codeownersPaths are where GitHub and GitLab read CODEOWNERS.
var codeownersPaths = []string{"CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

// reviewWindow is how many recent first-parent commits are looked at;
// a shallow clone with fewer than minReviewHistory cannot be judged.
const (
	reviewWindow     = 100
	minReviewHistory = 10
)

var (
	reviewTrailerRE = regexp.MustCompile(`(?mi)^(Reviewed-by|Reviewed-on|Approved-by|Acked-by|Change-Id):`)
	mergeRequestRE  = regexp.MustCompile(`(?m)^Merge pull request #\d+|See merge request |^Merge branch '[^']+' into '`)
	squashPRRE      = regexp.MustCompile(`\(#\d+\)\s*($|\n)`)
)

func checkCodeReview(ctx context.Context, repo *Repo) ([]Result, error) {
	for _, p := range codeownersPaths {
		if !repo.HasFile(p) {
			continue
		}
		data, err := repo.ReadFile(p)
		if err != nil {
			return nil, err
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
				continue
			}
			if f := strings.Fields(line); len(f) >= 2 {
				return []Result{{Outcome: OutcomePass, Message: p + " assigns reviewers", Locations: []Location{{Path: p, Line: i + 1}}}}, nil
			}
		}
		return []Result{{Outcome: OutcomeFail, Message: p + " assigns no owners (every line is empty, a comment or a pattern without owners)", Locations: []Location{{Path: p}}}}, nil
	}
	g, err := repo.Git()
	if errors.Is(err, ErrNoGit) {
		return []Result{{Outcome: OutcomeNotApplicable, Message: "no CODEOWNERS, and " + noGitMsg}}, nil
	}
	if err != nil {
		return nil, err
	}
	head, err := g.Head()
	if err != nil {
		return []Result{{Outcome: OutcomeNotApplicable, Message: "no CODEOWNERS, and the repository has no commits yet"}}, nil
	}
	c, err := g.CommitObject(head.Hash())
	if err != nil {
		return nil, fmt.Errorf("read HEAD commit: %w", err)
	}
	shallow := map[plumbing.Hash]bool{}
	if hs, err := g.Storer.Shallow(); err == nil {
		for _, h := range hs {
			shallow[h] = true
		}
	}
	total, reviewed, truncated := 0, 0, false
	for c != nil && total < reviewWindow {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		total++
		if commitShowsReview(c) {
			reviewed++
		}
		if c.NumParents() == 0 {
			break
		}
		if shallow[c.Hash] {
			truncated = true
			break
		}
		if c, err = c.Parent(0); err != nil {
			truncated = true // a parent is missing: a shallow or partial clone
			break
		}
	}
	msg := fmt.Sprintf("%d of the last %d changes on %s show review (merged pull/merge requests or Reviewed-by trailers)", reviewed, total, head.Name().Short())
	if truncated && total < minReviewHistory && reviewed*2 < total {
		return []Result{{Outcome: OutcomeNotApplicable, Message: fmt.Sprintf(
			"no CODEOWNERS, and the clone is shallow (%d commit(s) of history): run on a full clone (actions/checkout with fetch-depth: 0) to judge review", total)}}, nil
	}
	switch {
	case total > 0 && reviewed*2 >= total:
		return []Result{{Outcome: OutcomePass, Message: msg}}, nil
	case reviewed > 0:
		return []Result{{Outcome: OutcomeWarn, Message: msg + "; no CODEOWNERS", Locations: codeownersLoc}}, nil
	}
	return []Result{{Outcome: OutcomeFail, Message: msg + "; no CODEOWNERS", Locations: codeownersLoc}}, nil
}

func commitShowsReview(c *object.Commit) bool {
	switch {
	case c.NumParents() >= 2 && mergeRequestRE.MatchString(c.Message):
		return true
	case reviewTrailerRE.MatchString(c.Message):
		return true
	case c.Committer.Email == "noreply@github.com" && squashPRRE.MatchString(subjectLine(c.Message)+"\n"):
		return true // squash-merged through a GitHub pull request
	}
	return false
}

// subjectLine returns the subject line of a commit message.
func subjectLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// releaseTagRE picks version tags (v1.2.3, 1.2, release-2024.1).
var releaseTagRE = regexp.MustCompile(`\d+(\.\d+)+|^v\d+`)

// tagWindow is how many of the newest release tags are checked.
const tagWindow = 10

type tagInfo struct {
	name   string
	when   time.Time
	signed bool
	light  bool
}

func checkSignedTags(ctx context.Context, repo *Repo) ([]Result, error) {
	g, err := repo.Git()
	if errors.Is(err, ErrNoGit) {
		return []Result{{Outcome: OutcomeNotApplicable, Message: noGitMsg}}, nil
	}
	if err != nil {
		return nil, err
	}
	refs, err := g.Tags()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	var tags []tagInfo
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := ref.Name().Short()
		if !releaseTagRE.MatchString(name) {
			return nil
		}
		if t, err := g.TagObject(ref.Hash()); err == nil {
			tags = append(tags, tagInfo{name: name, when: t.Tagger.When, signed: strings.TrimSpace(t.PGPSignature) != ""})
			return nil
		}
		ti := tagInfo{name: name, light: true}
		if c, err := g.CommitObject(ref.Hash()); err == nil {
			ti.when = c.Committer.When
		}
		tags = append(tags, ti)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	if len(tags) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable, Message: "no release tags yet"}}, nil
	}
	slices.SortFunc(tags, func(a, b tagInfo) int {
		return cmp.Or(b.when.Compare(a.when), cmp.Compare(b.name, a.name))
	})
	if len(tags) > tagWindow {
		tags = tags[:tagWindow]
	}
	var unsigned []string
	for _, t := range tags {
		if !t.signed {
			kind := "unsigned"
			if t.light {
				kind = "lightweight, cannot carry a signature"
			}
			unsigned = append(unsigned, fmt.Sprintf("%s (%s)", t.name, kind))
		}
	}
	n := len(tags)
	switch {
	case len(unsigned) == 0:
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("the %d newest release tag(s) are signed (newest %s); craft checks that a signature is present, not that it verifies", n, tags[0].name)}}, nil
	case tags[0].signed:
		return []Result{{Outcome: OutcomeWarn, Message: fmt.Sprintf("the newest release tag %s is signed, but older ones are not: %s", tags[0].name, strings.Join(unsigned, ", "))}}, nil
	}
	return []Result{{Outcome: OutcomeFail, Message: fmt.Sprintf("%d of the %d newest release tags are not signed: %s", len(unsigned), n, strings.Join(unsigned, ", "))}}, nil
}

// codeownersLoc is the file the review remediation asks to add.
var codeownersLoc = []Location{{Path: ".github/CODEOWNERS"}}
