package checks

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// lockRule says which lockfiles satisfy a manifest.
type lockRule struct {
	manifest string
	locks    []string
	// ancestors: a lockfile in a parent directory counts (workspaces).
	ancestors bool
	// needsLock inspects the manifest: false means it declares no
	// dependencies, so nothing needs locking. library means consumers
	// resolve versions themselves and a missing lock is only a warning.
	inspect func(repo *Repo, manifest string, data []byte) (needsLock, library bool)
}

var lockRules = []lockRule{
	{manifest: "package.json", locks: []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"}, ancestors: true, inspect: inspectPackageJSON},
	{manifest: "pyproject.toml", locks: []string{"poetry.lock", "uv.lock", "pdm.lock", "pylock.toml", "Pipfile.lock"}, ancestors: true, inspect: inspectPyproject},
	{manifest: "Pipfile", locks: []string{"Pipfile.lock"}, inspect: always},
	{manifest: "Cargo.toml", locks: []string{"Cargo.lock"}, ancestors: true, inspect: inspectCargo},
	{manifest: "go.mod", locks: []string{"go.sum"}, inspect: inspectGoMod},
	{manifest: "Gemfile", locks: []string{"Gemfile.lock", "gems.locked"}, inspect: inspectGemfile},
	{manifest: "gems.rb", locks: []string{"gems.locked"}, inspect: inspectGemfile},
	{manifest: "composer.json", locks: []string{"composer.lock"}, inspect: inspectComposer},
}

func always(*Repo, string, []byte) (bool, bool) { return true, false }

var (
	jsonDepsRE     = regexp.MustCompile(`"(dependencies|devDependencies|optionalDependencies|peerDependencies)"\s*:\s*\{\s*"`)
	composerTypeRE = regexp.MustCompile(`"type"\s*:\s*"([^"]*)"`)
	composerReqRE  = regexp.MustCompile(`"require(-dev)?"\s*:\s*\{\s*"`)
	tomlSectionRE  = regexp.MustCompile(`(?m)^[ \t]*\[(\[?[^\[\]\n]+\]?)\][ \t]*(#.*)?$`)
	goRequireRE    = regexp.MustCompile(`(?m)^\s*require\b`)
	pyDepsArrayRE  = regexp.MustCompile(`(?m)^\s*dependencies\s*=\s*\[\s*("|'|\n\s*["'])`)
)

func inspectPackageJSON(_ *Repo, _ string, data []byte) (bool, bool) {
	// npm recommends committing the lock for libraries too (it pins the
	// versions the package is developed and tested with).
	return jsonDepsRE.Match(data), false
}

// inspectPyproject: only a pyproject that declares dependencies needs a
// lock. Python libraries rarely commit one, so the missing lock of a
// project without an application marker is a warning.
func inspectPyproject(_ *Repo, _ string, data []byte) (bool, bool) {
	sections := tomlSections(data)
	deps := false
	if body, ok := sections["tool.poetry.dependencies"]; ok {
		// Only python = "..." means no third-party dependency.
		for _, l := range strings.Split(body, "\n") {
			l = strings.TrimSpace(l)
			if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "python") {
				deps = true
			}
		}
	}
	if body, ok := sections["project"]; ok && pyDepsArrayRE.MatchString(body) {
		deps = true
	}
	return deps, true
}

func inspectCargo(repo *Repo, manifest string, data []byte) (bool, bool) {
	sections := tomlSections(data)
	hasDeps := false
	for name, body := range sections {
		if (strings.HasSuffix(name, "dependencies") || name == "workspace") && strings.TrimSpace(body) != "" {
			hasDeps = true
		}
	}
	if !hasDeps {
		return false, false
	}
	dir := path.Dir(manifest)
	_, isBin := sections["[bin]"]
	if repo.HasFile(path.Join(dir, "src/main.rs")) || isBin {
		return true, false
	}
	return true, true
}

func inspectGoMod(_ *Repo, _ string, data []byte) (bool, bool) {
	return goRequireRE.Match(data), false
}

func inspectGemfile(repo *Repo, manifest string, _ []byte) (bool, bool) {
	dir := path.Dir(manifest)
	for _, f := range repo.Files {
		if path.Dir(f) == dir && strings.HasSuffix(f, ".gemspec") {
			return true, true // a gem: libraries leave Gemfile.lock out
		}
	}
	return true, false
}

func inspectComposer(_ *Repo, _ string, data []byte) (bool, bool) {
	if !composerReqRE.Match(data) {
		return false, false
	}
	m := composerTypeRE.FindSubmatch(data)
	// Composer's default type is "library".
	library := m == nil || string(m[1]) == "library"
	return true, library
}

// tomlSections maps a TOML table name ("project", "tool.poetry.dependencies")
// to its body. It is a line scan, enough to tell whether a table exists
// and has entries; array tables keep their brackets ("[bin]").
func tomlSections(data []byte) map[string]string {
	out := map[string]string{}
	text := string(data)
	idx := tomlSectionRE.FindAllStringSubmatchIndex(text, -1)
	for i, m := range idx {
		name := strings.TrimSpace(text[m[2]:m[3]])
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		out[name] += text[m[1]:end]
	}
	return out
}

func checkLockfiles(ctx context.Context, repo *Repo) ([]Result, error) {
	var out []Result
	checked := 0
	for _, f := range repo.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		base := path.Base(f)
		for _, rule := range lockRules {
			if base != rule.manifest || repo.IsTestPath(f) {
				continue
			}
			data, err := repo.ReadFile(f)
			if err != nil {
				out = append(out, Result{Outcome: OutcomeWarn, Message: fmt.Sprintf("cannot read %s: %v", f, err), Locations: []Location{{Path: f}}})
				continue
			}
			needs, library := rule.inspect(repo, f, data)
			if !needs {
				continue
			}
			checked++
			lock, untracked := findLock(repo, f, rule)
			switch {
			case lock != "" && !untracked:
				continue
			case lock != "" && untracked:
				out = append(out, Result{Outcome: OutcomeFail, Message: fmt.Sprintf("%s has a lockfile %s, but it is not committed (check .gitignore)", f, lock), Locations: []Location{{Path: lock}}})
			case library:
				out = append(out, Result{Outcome: OutcomeWarn, Message: fmt.Sprintf("%s has no lockfile (%s); acceptable for a library, needed for an application", f, strings.Join(rule.locks, ", ")), Locations: []Location{{Path: f}}})
			default:
				out = append(out, Result{Outcome: OutcomeFail, Message: fmt.Sprintf("%s has no lockfile (expected one of %s)", f, strings.Join(rule.locks, ", ")), Locations: []Location{{Path: f}}})
			}
		}
	}
	if checked == 0 {
		return []Result{{Outcome: OutcomeNotApplicable, Message: "no dependency manifest that declares dependencies"}}, nil
	}
	if len(out) == 0 {
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("%d manifest(s), each with a committed lockfile", checked)}}, nil
	}
	return out, nil
}

// findLock looks for a lockfile of rule beside manifest (and in parent
// directories for workspace ecosystems). untracked reports a lockfile
// that exists in the checkout but is not in git.
func findLock(repo *Repo, manifest string, rule lockRule) (lock string, untracked bool) {
	dir := path.Dir(manifest)
	var found string
	for {
		for _, l := range rule.locks {
			p := path.Join(dir, l)
			if repo.HasFile(p) {
				if repo.IsTracked(p) {
					return p, false
				}
				if found == "" {
					found = p
				}
			}
		}
		if !rule.ancestors || dir == "." {
			break
		}
		dir = path.Dir(dir)
	}
	return found, found != ""
}
