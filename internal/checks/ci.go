package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// CI evidence is found by reading the CI configuration of every common
// system, the scripts it calls (two levels deep) and the build files that
// run in it, and looking for the commands of known tools. Comments count
// like code: a gap is cheaper than a false alarm.

// ciFile is one file of CI evidence; Config marks a CI system's own file.
type ciFile struct {
	Path   string
	Text   string
	Config bool
	// Synthetic text is derived from the file (package.json scripts), so
	// its line numbers do not point into the file.
	Synthetic bool
}

// isCIConfig reports whether p is the configuration of a CI system.
func isCIConfig(p string) bool {
	lower := strings.ToLower(p)
	base := path.Base(lower)
	dir := path.Dir(lower)
	ext := path.Ext(base)
	yaml := ext == ".yml" || ext == ".yaml"
	switch {
	case isWorkflowPath(p):
		return true
	case strings.HasPrefix(lower, ".github/actions/") && (base == "action.yml" || base == "action.yaml"):
		return true
	case lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" || (strings.HasPrefix(lower, ".gitlab/") && yaml):
		return true
	case base == "jenkinsfile" || strings.HasPrefix(base, "jenkinsfile."):
		return !IsTestPath(p)
	case lower == ".circleci/config.yml" || lower == ".circleci/config.yaml":
		return true
	case strings.HasPrefix(base, "azure-pipelines") && yaml, (dir == ".azure-pipelines" || dir == ".pipelines") && yaml:
		return true
	case slices.Contains([]string{".travis.yml", "bitbucket-pipelines.yml", ".drone.yml", ".woodpecker.yml", "cloudbuild.yaml", "cloudbuild.yml",
		"appveyor.yml", ".appveyor.yml", ".cirrus.yml", "codefresh.yml", ".taskcluster.yml", ".zuul.yaml", "buildspec.yml"}, lower):
		return true
	case (dir == ".woodpecker" || strings.HasPrefix(lower, ".buildkite/") || dir == ".semaphore" || dir == ".tekton" || dir == ".zuul.d") && yaml:
		return true
	case strings.HasPrefix(lower, ".ci/") && strings.Count(lower, "/") <= 2:
		return true
	}
	return false
}

// buildFiles run in CI and may carry the same tools (SBOM plugins, SAST
// plugins, release SBOMs).
var buildFiles = map[string]bool{
	"pom.xml": true, "build.gradle": true, "build.gradle.kts": true,
	".goreleaser.yml": true, ".goreleaser.yaml": true, "goreleaser.yml": true, "goreleaser.yaml": true,
	"docker-bake.hcl": true,
}

// scriptRefRE finds paths of scripts a CI step runs.
var scriptRefRE = regexp.MustCompile(`(?:^|[\s"'=(])(?:\./)?((?:[A-Za-z0-9_.\-]+/)*[A-Za-z0-9_.\-]+\.(?:sh|bash|py|ps1|mk|pl|rb)|(?:\.ci|ci|scripts?|hack|tools?|build)/[A-Za-z0-9_.\-/]+)`)

var (
	makeRE        = regexp.MustCompile(`\bmake\b`)
	justRE        = regexp.MustCompile(`\bjust\b`)
	taskRE        = regexp.MustCompile(`\btask\b`)
	jsPMRE        = regexp.MustCompile(`\b(npm|pnpm|yarn|bun)\b`)
	renovateKeyRE = regexp.MustCompile(`"renovate"\s*:\s*\{`)
)

// loadCI returns the CI configuration files and the evidence corpus.
func loadCI(repo *Repo) (configs []string, corpus []ciFile) {
	seen := map[string]bool{}
	add := func(p string, config bool) {
		if seen[p] {
			return
		}
		data, err := repo.ReadFile(p)
		if err != nil {
			return
		}
		seen[p] = true
		corpus = append(corpus, ciFile{Path: p, Text: string(data), Config: config})
	}
	for _, f := range repo.Files {
		if isCIConfig(f) {
			configs = append(configs, f)
			add(f, true)
		}
	}
	if len(configs) == 0 {
		return nil, nil
	}
	// The scripts and task runners the configs call, and the ones those
	// call (two levels: CI → make → ./hack/release), at most
	// maxCIFiles files in all.
	start := 0
	for level := 0; level < 2; level++ {
		end := len(corpus)
		for i := start; i < end && len(corpus) < maxCIFiles; i++ {
			followRefs(repo, corpus[i].Text, add, seen, &corpus)
		}
		start = end
	}
	for _, f := range repo.Files {
		if buildFiles[path.Base(f)] && !IsTestPath(f) {
			add(f, false)
		}
	}
	return configs, corpus
}

// maxCIFiles bounds the CI evidence read.
const maxCIFiles = 200

// followRefs adds the files that text runs to the corpus.
func followRefs(repo *Repo, text string, add func(string, bool), seen map[string]bool, corpus *[]ciFile) {
	for _, m := range scriptRefRE.FindAllStringSubmatch(text, -1) {
		if repo.HasFile(m[1]) {
			add(m[1], false)
		}
	}
	if makeRE.MatchString(text) {
		for _, mk := range []string{"Makefile", "makefile", "GNUmakefile"} {
			if repo.HasFile(mk) {
				add(mk, false)
			}
		}
	}
	if strings.Contains(text, "tox") && repo.HasFile("tox.ini") {
		add("tox.ini", false)
	}
	if strings.Contains(text, "nox") && repo.HasFile("noxfile.py") {
		add("noxfile.py", false)
	}
	if justRE.MatchString(text) && repo.HasFile("justfile") {
		add("justfile", false)
	}
	if taskRE.MatchString(text) && repo.HasFile("Taskfile.yml") {
		add("Taskfile.yml", false)
	}
	if jsPMRE.MatchString(text) && repo.HasFile("package.json") && !seen["package.json#scripts"] {
		if s := packageScripts(repo); s != "" {
			seen["package.json#scripts"] = true
			*corpus = append(*corpus, ciFile{Path: "package.json", Text: s, Synthetic: true})
		}
	}
}

// packageScripts returns the "scripts" of the root package.json, one
// "name: command" a line, so that `npm test` and `npm run lint` resolve.
func packageScripts(repo *Repo) string {
	data, err := repo.ReadFile("package.json")
	if err != nil {
		return ""
	}
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
	}
	if json.Unmarshal(data, &pkg) != nil {
		return ""
	}
	keys := make([]string, 0, len(pkg.Scripts))
	for k := range pkg.Scripts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, pkg.Scripts[k])
	}
	return b.String()
}

// ciTool is a tool whose command shows that CI does a kind of work.
type ciTool struct {
	name string
	re   *regexp.Regexp
}

func tools(pairs ...string) []ciTool {
	out := make([]ciTool, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, ciTool{name: pairs[i], re: regexp.MustCompile(pairs[i+1])})
	}
	return out
}

// ciKind is one of the things CI should do.
type ciKind struct {
	what  string // "runs tests"
	tools []ciTool
	// fallback gives a warning instead of a failure when CI has no such
	// tool but other configuration suggests the work is done elsewhere.
	fallback func(repo *Repo) string
}

var ciTests = ciKind{
	what: "runs tests",
	tools: tools(
		"go test", `\bgo test\b|\bgotestsum\b`,
		"npm/yarn/pnpm test", `\b(npm|pnpm|bun|yarn)( run)? test\b|\bnpm t\b|\bnpm (run )?(cit|test:[\w-]+)\b`,
		"JavaScript test runner", `\b(jest|vitest|mocha|karma|playwright test|cypress run)\b`,
		"pytest", `\bpytest\b|python[0-9.]* -m (pytest|unittest)\b`,
		"tox/nox", `\b(tox|nox)\b`,
		"cargo test", `\bcargo (test|nextest)\b`,
		"maven", `\bmvnw?\b[^\n]*\b(test|verify|install)\b`,
		"gradle", `\bgradlew?\b[^\n]*\b(test|check|build)\b`,
		"make test", `\bmake\b[^\n]*\b(test|tests|check)\b`,
		"ctest/meson/bazel", `\bctest\b|\bmeson test\b|\bbazel(isk)? test\b`,
		"ruby tests", `\brspec\b|\brake\b[^\n]*\b(test|spec)\b`,
		"phpunit", `\bphpunit\b|\bpest\b`,
		"dotnet test", `\bdotnet test\b`,
		"other test runner", `\b(mix|swift|flutter|dart|deno|cabal|stack|lein) test\b|\bR CMD check\b|\bsbt\b[^\n]*\btest\b|\bxcodebuild\b[^\n]*\btest\b|\b(just|task) test\b`,
	),
}

var ciVulnScan = ciKind{
	what: "scans dependencies for known vulnerabilities",
	tools: tools(
		"craft", `\bcraft["']?\s+scan\b`,
		"osv-scanner", `osv-scanner`,
		"govulncheck", `govulncheck`,
		"trivy", `\btrivy\b|aquasecurity/trivy-action`,
		"grype", `\bgrype\b|anchore/scan-action`,
		"npm/yarn/pnpm audit", `\b(npm|pnpm|bun) audit\b|\byarn (npm )?audit\b|\baudit-ci\b|better-npm-audit`,
		"pip-audit/safety", `\bpip-audit\b|\bsafety (check|scan)\b`,
		"cargo audit/deny", `\bcargo[- ](audit|deny)\b`,
		"bundler-audit", `\bbundle(r)?[- ]audit\b`,
		"composer audit", `\bcomposer audit\b`,
		"dotnet vulnerable packages", `dotnet list[^\n]*--vulnerable`,
		"OWASP dependency-check", `dependency-check`,
		"snyk", `\bsnyk (test|monitor)\b|snyk/actions`,
		"dependency review", `dependency-review-action`,
		"GitLab dependency scanning", `Dependency-Scanning\.gitlab-ci\.yml|Jobs/Dependency-Scanning|Container-Scanning\.gitlab-ci\.yml`,
		"mix audit", `\bmix (deps\.audit|hex\.audit)\b|mix_audit`,
		"retire.js/nancy", `\bretire\b|\bnancy\b`,
	),
	fallback: func(repo *Repo) string {
		if f := dependencyBotConfig(repo); f != "" {
			return fmt.Sprintf("no vulnerability scanner in CI; %s is configured, and if its vulnerability alerts are on (a repository setting craft cannot see offline) record that", f)
		}
		return ""
	},
}

var ciSAST = ciKind{
	what: "runs static analysis",
	tools: tools(
		// Only steps that analyse count: codeql-action/upload-sarif (and
		// `codeql github upload-results`) upload another tool's results and
		// run no analysis.
		"CodeQL", `(?i)codeql-action/(init|analyze|autobuild)\b|\bcodeql\s+database\s+(create|analyze|run-queries|interpret-results)\b|\bcodeql\s+(query\s+run|pack\s+install)\b`,
		"semgrep", `\bsemgrep\b`,
		"gosec", `\bgosec\b`,
		"golangci-lint", `golangci-lint|golangci/golangci-lint-action`,
		"go vet/staticcheck", `\bgo vet\b|\bstaticcheck\b`,
		"bandit", `\bbandit\b`,
		"SonarQube/SonarCloud", `(?i)sonar-scanner|sonarcloud|sonarqube|sonarsource`,
		"snyk code", `\bsnyk code\b`,
		"brakeman", `\bbrakeman\b`,
		"SpotBugs", `(?i)spotbugs|findsecbugs`,
		"C/C++ analysers", `\bcppcheck\b|\bclang-tidy\b|\bflawfinder\b|scan-build`,
		"cargo clippy", `\bcargo clippy\b`,
		"PHP analysers", `\bpsalm\b|\bphpstan\b`,
		"JavaScript security lint", `eslint-plugin-security|\bnjsscan\b`,
		"GitLab SAST", `SAST\.gitlab-ci\.yml|Jobs/SAST`,
		"other SAST", `\bqodana\b|\bpysa\b|\bdevskim\b|\bhorusec\b|\bbearer\b|\bzizmor\b`,
	),
}

var ciSBOM = ciKind{
	what: "generates an SBOM",
	tools: tools(
		"craft sbom", `\bcraft["']?\s+sbom\b`,
		"syft", `\bsyft\b|anchore/sbom-action`,
		"CycloneDX tools", `(?i)cyclonedx|\bcdxgen\b`,
		"SPDX tools", `spdx-sbom-generator|\bsbom-tool\b|\bbom generate\b`,
		"trivy SBOM", `\btrivy\b[^\n]*(--format|-f)[ =]?(cyclonedx|spdx)`,
		"npm sbom", `\bnpm sbom\b`,
		"goreleaser sboms", `(?m)^\s*sboms:`,
		"container SBOM attestation", `--sbom[ =]true|(?m)^\s*sbom:\s*true|attest=type=sbom|--attest type=sbom`,
		"SBOM output file", `[\w.-]+\.(spdx|cdx)\.(json|xml)\b|\bs?bom\.(json|xml)\b`,
	),
}

// ciCheck builds the Run function of a CI evidence check.
func ciCheck(kind ciKind) func(context.Context, *Repo) ([]Result, error) {
	return func(_ context.Context, repo *Repo) ([]Result, error) {
		configs, corpus := loadCI(repo)
		if len(configs) == 0 {
			// A build file alone can still produce an SBOM.
			for _, f := range repo.Files {
				if buildFiles[path.Base(f)] && !IsTestPath(f) {
					if data, err := repo.ReadFile(f); err == nil {
						corpus = append(corpus, ciFile{Path: f, Text: string(data)})
					}
				}
			}
			if found := findTools(kind, corpus); len(found) > 0 {
				return []Result{found.result("no CI configuration, but the build " + kind.what)}, nil
			}
			if kind.fallback != nil {
				if msg := kind.fallback(repo); msg != "" {
					return []Result{{Outcome: OutcomeWarn, Message: msg, Locations: botLocation(repo)}}, nil
				}
			}
			return []Result{{Outcome: OutcomeFail, Message: "no CI configuration found (GitHub Actions, GitLab CI, Jenkins, CircleCI, Azure Pipelines, .ci/ ...), so nothing shows that the project " + kind.what,
				Locations: []Location{{Path: newCIConfigPath(repo)}}}}, nil
		}
		if found := findTools(kind, corpus); len(found) > 0 {
			return []Result{found.result("CI " + kind.what)}, nil
		}
		if kind.fallback != nil {
			if msg := kind.fallback(repo); msg != "" {
				return []Result{{Outcome: OutcomeWarn, Message: msg, Locations: botLocation(repo)}}, nil
			}
		}
		locs := make([]Location, 0, len(configs))
		for _, c := range configs {
			locs = append(locs, Location{Path: c})
		}
		return []Result{{Outcome: OutcomeFail, Message: fmt.Sprintf("found CI configuration (%d file(s)), but nothing in it %s", len(configs), kind.what), Locations: locs}}, nil
	}
}

type toolHit struct {
	tool     string
	loc      Location
	evidence string
}

type toolHits []toolHit

func (h toolHits) result(prefix string) Result {
	names := make([]string, 0, len(h))
	locs := make([]Location, 0, len(h))
	for _, t := range h {
		where := t.loc.Path
		if t.loc.Line > 0 {
			where = fmt.Sprintf("%s:%d", t.loc.Path, t.loc.Line)
		}
		names = append(names, fmt.Sprintf("%s (%s)", t.tool, where))
		if !slices.Contains(locs, t.loc) {
			locs = append(locs, t.loc)
		}
	}
	return Result{Outcome: OutcomePass, Message: prefix + ": " + strings.Join(names, ", "), Locations: locs, Evidence: h[0].evidence}
}

// findTools returns the first occurrence of each tool of kind.
func findTools(kind ciKind, corpus []ciFile) toolHits {
	var hits toolHits
	for _, t := range kind.tools {
		for _, f := range corpus {
			all := t.re.FindAllStringIndex(f.Text, 50)
			if all == nil {
				continue
			}
			// Prefer a match on a line of code to one in a comment or an echo.
			m := all[0]
			for _, c := range all {
				if !commentLine(f.Text, c[0]) {
					m = c
					break
				}
			}
			start := strings.LastIndexByte(f.Text[:m[0]], '\n') + 1
			end := strings.IndexByte(f.Text[m[0]:], '\n')
			if end < 0 {
				end = len(f.Text)
			} else {
				end += m[0]
			}
			ev := strings.TrimSpace(f.Text[start:end])
			if len(ev) > 120 {
				ev = ev[:120]
			}
			loc := Location{Path: f.Path, Line: 1 + strings.Count(f.Text[:m[0]], "\n")}
			if f.Synthetic {
				loc.Line = 0
			}
			hits = append(hits, toolHit{tool: t.name, loc: loc, evidence: ev})
			break
		}
	}
	return hits
}

// commentLine reports whether the line holding offset off is a comment or
// only prints text.
func commentLine(text string, off int) bool {
	start := strings.LastIndexByte(text[:off], '\n') + 1
	line := strings.TrimSpace(text[start:])
	for _, p := range []string{"#", "//", "echo ", "printf ", "- name:", "name:"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// newCIConfigPath is the CI file to create in a tree that has none:
// .gitlab-ci.yml where the tree already has GitLab files, else a GitHub
// Actions workflow. Results about the missing CI point there.
func newCIConfigPath(repo *Repo) string {
	for _, f := range repo.Files {
		if strings.HasPrefix(f, ".gitlab/") {
			return ".gitlab-ci.yml"
		}
	}
	return ".github/workflows/ci.yml"
}

// botLocation points at the Dependabot or Renovate configuration.
func botLocation(repo *Repo) []Location {
	if p := dependencyBotConfig(repo); p != "" {
		return []Location{{Path: strings.TrimSuffix(p, " (renovate)")}}
	}
	return nil
}

// dependencyBotPaths are the configuration files of Dependabot and Renovate.
var dependencyBotPaths = []string{
	".github/dependabot.yml", ".github/dependabot.yaml", ".dependabot/config.yml",
	"renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
	".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
}

// dependencyBotConfig returns the first Dependabot or Renovate config.
func dependencyBotConfig(repo *Repo) string {
	for _, p := range dependencyBotPaths {
		if repo.HasFile(p) {
			return p
		}
	}
	if data, err := repo.ReadFile("package.json"); err == nil && renovateKeyRE.Match(data) {
		return "package.json (renovate)"
	}
	return ""
}

var dependabotUpdatesRE = regexp.MustCompile(`(?m)^updates:\s*(\n\s*-|\[\s*\{)`)

func checkDependencyUpdates(_ context.Context, repo *Repo) ([]Result, error) {
	p := dependencyBotConfig(repo)
	if p == "" {
		// Point at the file the remediation asks to create.
		return []Result{{Outcome: OutcomeFail, Message: "no Dependabot (.github/dependabot.yml) or Renovate (renovate.json) configuration",
			Locations: []Location{{Path: ".github/dependabot.yml"}}}}, nil
	}
	loc := []Location{{Path: strings.TrimSuffix(p, " (renovate)")}}
	if strings.Contains(p, "dependabot") && p != ".dependabot/config.yml" {
		data, err := repo.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if !dependabotUpdatesRE.Match(data) {
			return []Result{{Outcome: OutcomeFail, Message: p + " lists no package ecosystems under updates:", Locations: loc}}, nil
		}
	}
	return []Result{{Outcome: OutcomePass, Message: "dependency updates are automated: " + p, Locations: loc}}, nil
}
