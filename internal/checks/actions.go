package checks

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

var (
	fullSHARE     = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
	dockerDigest  = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
	noWorkflowMsg = "no GitHub Actions workflows (.github/workflows)"
)

// githubOwned actions are maintained by GitHub itself: an unpinned one is
// a warning, since the platform that runs the workflow is trusted anyway.
func githubOwned(uses string) bool {
	return strings.HasPrefix(uses, "actions/") || strings.HasPrefix(uses, "github/")
}

func checkActionsPinned(_ context.Context, repo *Repo) ([]Result, error) {
	wfs, bad := loadWorkflows(repo, true)
	if len(wfs) == 0 && len(bad) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable, Message: noWorkflowMsg}}, nil
	}
	out := bad
	total := 0
	check := func(w *workflow, uses string, line int) {
		if uses == "" || strings.HasPrefix(uses, "./") {
			return // a local action or workflow is versioned with the tree
		}
		total++
		loc := []Location{{Path: w.Path, Line: line}}
		if img, ok := strings.CutPrefix(uses, "docker://"); ok {
			if !dockerDigest.MatchString(img) {
				out = append(out, Result{Outcome: OutcomeFail, Message: fmt.Sprintf("container %s is not pinned by digest (@sha256:...)", uses), Locations: loc, Evidence: "uses: " + uses})
			}
			return
		}
		_, ref, ok := strings.Cut(uses, "@")
		if ok && fullSHARE.MatchString(ref) {
			return
		}
		outcome := OutcomeFail
		if githubOwned(uses) {
			outcome = OutcomeWarn
		}
		out = append(out, Result{Outcome: outcome, Message: fmt.Sprintf("%s is not pinned to a full commit SHA", uses), Locations: loc, Evidence: "uses: " + uses})
	}
	for _, w := range wfs {
		for _, j := range w.Jobs {
			check(w, j.Uses, j.UsesLine)
			for _, s := range j.Steps {
				check(w, s.Uses, s.UsesLine)
			}
		}
	}
	if len(out) == 0 {
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("all %d action references are pinned to commit SHAs or are local", total)}}, nil
	}
	return out, nil
}

func checkTokenPermissions(_ context.Context, repo *Repo) ([]Result, error) {
	wfs, bad := loadWorkflows(repo, false)
	if len(wfs) == 0 && len(bad) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable, Message: noWorkflowMsg}}, nil
	}
	out := bad
	for _, w := range wfs {
		p := w.Permissions
		switch {
		case p == nil:
			if allJobsRestricted(w) {
				continue
			}
			out = append(out, Result{Outcome: OutcomeWarn,
				Message:   "no top-level permissions: the token gets the repository default, which may be write access; add `permissions: contents: read`",
				Locations: []Location{{Path: w.Path, Line: 1}}})
		case p.Scalar == "write-all":
			out = append(out, Result{Outcome: OutcomeFail, Message: "top-level permissions: write-all gives every job a write token",
				Locations: []Location{{Path: w.Path, Line: p.Line}}, Evidence: "permissions: write-all"})
		case len(p.writeScopes()) > 0:
			out = append(out, Result{Outcome: OutcomeWarn,
				Message:   fmt.Sprintf("top-level permissions grant write (%s) to every job; grant write scopes per job instead", strings.Join(p.writeScopes(), ", ")),
				Locations: []Location{{Path: w.Path, Line: p.Line}}})
		}
		for _, j := range w.Jobs {
			if j.Permissions != nil && j.Permissions.Scalar == "write-all" {
				out = append(out, Result{Outcome: OutcomeFail, Message: fmt.Sprintf("job %s: permissions: write-all; name only the scopes it needs", j.ID),
					Locations: []Location{{Path: w.Path, Line: j.Permissions.Line}}, Evidence: "permissions: write-all"})
			}
		}
	}
	if len(out) == 0 {
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("%d workflow(s) restrict the token's permissions", len(wfs))}}, nil
	}
	return out, nil
}

// allJobsRestricted: with no top-level block, every job declares its own.
func allJobsRestricted(w *workflow) bool {
	if len(w.Jobs) == 0 {
		return false
	}
	for _, j := range w.Jobs {
		if j.Permissions == nil || j.Permissions.Scalar == "write-all" {
			return false
		}
	}
	return true
}

// untrustedRefRE matches expressions that name the pull request's (or a
// triggering run's) head: code the attacker controls.
var untrustedRefRE = regexp.MustCompile(`github\.event\.pull_request\.head\.(sha|ref|repo)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch|repository)|refs/pull/|github\.event\.pull_request\.merge_commit_sha`)

// untrustedRunRE matches shell commands that fetch or check out the PR.
var untrustedRunRE = regexp.MustCompile(`gh pr checkout|git (fetch|checkout|pull)[^\n]*(pull/|refs/pull|\$\{\{\s*github\.(head_ref|event\.pull_request\.head))`)

func checkPullRequestTarget(_ context.Context, repo *Repo) ([]Result, error) {
	wfs, bad := loadWorkflows(repo, false)
	if len(wfs) == 0 && len(bad) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable, Message: noWorkflowMsg}}, nil
	}
	out := bad
	privileged := 0
	for _, w := range wfs {
		// Triggers that run with the base repository's secrets and token
		// but can be started by anyone who opens a pull request or
		// comments on one.
		if !hasEvent(w, "pull_request_target") && !hasEvent(w, "workflow_run") && !hasEvent(w, "issue_comment") {
			continue
		}
		privileged++
		for _, j := range w.Jobs {
			for _, s := range j.Steps {
				if strings.Contains(s.Uses, "actions/checkout") {
					for _, key := range []string{"ref", "repository"} {
						if v := s.With[key]; untrustedRefRE.MatchString(v) {
							out = append(out, Result{Outcome: OutcomeFail,
								Message:   fmt.Sprintf("job %s checks out the pull request's code in a privileged %s workflow", j.ID, strings.Join(w.On, "/")),
								Locations: []Location{{Path: w.Path, Line: s.Line}}, Evidence: key + ": " + v})
							break
						}
					}
				}
				if m := untrustedRunRE.FindString(s.Run); m != "" {
					out = append(out, Result{Outcome: OutcomeFail,
						Message:   fmt.Sprintf("job %s fetches the pull request's code in a privileged %s workflow", j.ID, strings.Join(w.On, "/")),
						Locations: []Location{{Path: w.Path, Line: s.Line}}, Evidence: m})
				}
			}
		}
	}
	if len(out) == 0 {
		if privileged == 0 {
			return []Result{{Outcome: OutcomePass, Message: "no workflow uses pull_request_target, workflow_run or issue_comment"}}, nil
		}
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("%d privileged workflow(s), none checks out pull request code", privileged)}}, nil
	}
	return out, nil
}
