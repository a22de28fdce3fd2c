package checks

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/config"
)

// runOneCheck runs the registry check id on root and returns its results.
func runOneCheck(t *testing.T, id, root string, cfg config.Config) []Result {
	t.Helper()
	rep, err := Run(context.Background(), root, cfg, Options{Only: []string{id}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) != 1 || rep.Checks[0].ID != id {
		t.Fatalf("ran %v, want %s", rep.Checks, id)
	}
	return rep.Results
}

func outcomes(rs []Result) []Outcome {
	var out []Outcome
	for _, r := range rs {
		out = append(out, r.Outcome)
	}
	return out
}

// checkCase is one fixture tree for one check: the outcomes it must give
// (in result order) and a text the first result's message must contain.
type checkCase struct {
	name  string
	check string
	files map[string]string
	cfg   config.Config
	want  []Outcome
	msg   string
	loc   string // the first result's first location path, when set
}

func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.check+"/"+tc.name, func(t *testing.T) {
			rs := runOneCheck(t, tc.check, writeTree(t, tc.files), tc.cfg)
			if got := outcomes(rs); !slices.Equal(got, tc.want) {
				t.Fatalf("outcomes %v, want %v; results %+v", got, tc.want, rs)
			}
			if tc.msg != "" && !strings.Contains(rs[0].Message, tc.msg) {
				t.Errorf("message %q, want it to contain %q", rs[0].Message, tc.msg)
			}
			if tc.loc != "" && (len(rs[0].Locations) == 0 || rs[0].Locations[0].Path != tc.loc) {
				t.Errorf("locations %v, want %s first", rs[0].Locations, tc.loc)
			}
		})
	}
}

var (
	pass = []Outcome{OutcomePass}
	fail = []Outcome{OutcomeFail}
	warn = []Outcome{OutcomeWarn}
	na   = []Outcome{OutcomeNotApplicable}
)

func TestSecurityMDCheck(t *testing.T) {
	const good = "# Security policy\n\nReport vulnerabilities to security@example.org (PGP key below).\n" +
		"We acknowledge reports within 48 hours and publish a fix within 90 days.\n"
	runCheckCases(t, []checkCase{
		{name: "missing", check: "cvd.security-md", want: fail, msg: "no vulnerability disclosure policy", loc: "SECURITY.md"},
		{name: "no_contact", check: "cvd.security-md", files: map[string]string{"SECURITY.md": "# Security\n\nPlease be responsible and tell us about problems.\n"}, want: fail, msg: "gives no contact"},
		{name: "empty", check: "cvd.security-md", files: map[string]string{"SECURITY.md": "# Security\n"}, want: fail, msg: "empty"},
		{name: "no_response_time", check: "cvd.security-md", files: map[string]string{"SECURITY.md": "# Security\n\nPlease write to security@example.org with the details of the issue.\n"}, want: warn, msg: "no response times"},
		{name: "good_root", check: "cvd.security-md", files: map[string]string{"SECURITY.md": good}, want: pass, msg: "security@example.org"},
		{name: "good_github_dir", check: "cvd.security-md", files: map[string]string{".github/SECURITY.md": good}, want: pass},
		{name: "advisory_link", check: "cvd.security-md", files: map[string]string{"docs/SECURITY.md": "# Reporting\n\nUse [private reporting](../../security/advisories/new). We triage within 5 business days.\n"}, want: pass, msg: "reporting form"},
		{name: "lowercase_name", check: "cvd.security-md", files: map[string]string{"security.md": good}, want: pass},
		{name: "nested_does_not_count", check: "cvd.security-md", files: map[string]string{"vendor2/lib/SECURITY.md": good}, want: fail},
		{name: "policy_elsewhere", check: "cvd.security-md", cfg: config.Config{Security: config.Security{Policy: "https://example.org/security"}}, want: warn, msg: "cannot check offline"},
	})
}

func TestSecurityTxtCheck(t *testing.T) {
	valid := "Contact: mailto:security@example.org\nExpires: 2027-05-01T00:00:00Z\nPolicy: https://example.org/security\n"
	runCheckCases(t, []checkCase{
		{name: "none", check: "cvd.security-txt", want: na},
		{name: "valid_well_known", check: "cvd.security-txt", files: map[string]string{"web/static/.well-known/security.txt": valid}, want: pass, msg: "is valid"},
		{name: "valid_no_policy", check: "cvd.security-txt", files: map[string]string{"security.txt": "Contact: https://example.org/report\nExpires: 2027-05-01T00:00:00Z\n"}, want: pass, msg: "no Policy link"},
		{name: "expired", check: "cvd.security-txt", files: map[string]string{".well-known/security.txt": "Contact: mailto:s@example.org\nExpires: 2026-01-01T00:00:00Z\n"}, want: fail, msg: "Expires: expired"},
		{name: "too_far", check: "cvd.security-txt", files: map[string]string{".well-known/security.txt": "Contact: mailto:s@example.org\nExpires: 2029-01-01T00:00:00Z\n"}, want: []Outcome{OutcomePass, OutcomeWarn}, msg: "is valid"},
		{name: "no_contact", check: "cvd.security-txt", files: map[string]string{".well-known/security.txt": "Expires: 2027-01-01T00:00:00Z\n"}, want: fail, msg: "Contact: required field missing"},
		{name: "fixture_ignored", check: "cvd.security-txt", files: map[string]string{"testdata/security.txt": "garbage"}, want: na},
	})
}

func TestLockfilesCheck(t *testing.T) {
	const pkgDeps = `{"name": "app", "dependencies": {"left-pad": "^1.3.0"}}`
	const cargoLib = "[package]\nname = \"lib\"\n\n[dependencies]\nserde = \"1\"\n"
	runCheckCases(t, []checkCase{
		{name: "none", check: "process.lockfiles", files: map[string]string{"main.c": ""}, want: na},
		{name: "npm_missing", check: "process.lockfiles", files: map[string]string{"package.json": pkgDeps}, want: fail, msg: "package.json has no lockfile"},
		{name: "npm_present", check: "process.lockfiles", files: map[string]string{"package.json": pkgDeps, "package-lock.json": "{}"}, want: pass},
		{name: "npm_no_deps", check: "process.lockfiles", files: map[string]string{"package.json": `{"name": "x", "scripts": {"test": "node t.js"}}`}, want: na},
		{name: "npm_workspace_member", check: "process.lockfiles", files: map[string]string{"package.json": `{"workspaces": ["packages/*"], "devDependencies": {"jest": "29"}}`, "packages/a/package.json": pkgDeps, "pnpm-lock.yaml": ""}, want: pass, msg: "2 manifest(s)"},
		{name: "npm_in_testdata", check: "process.lockfiles", files: map[string]string{"testdata/proj/package.json": pkgDeps}, want: na},
		{name: "cargo_library", check: "process.lockfiles", files: map[string]string{"Cargo.toml": cargoLib, "src/lib.rs": ""}, want: warn, msg: "acceptable for a library"},
		{name: "cargo_binary", check: "process.lockfiles", files: map[string]string{"Cargo.toml": cargoLib, "src/main.rs": ""}, want: fail},
		{name: "cargo_bin_table", check: "process.lockfiles", files: map[string]string{"Cargo.toml": cargoLib + "\n[[bin]]\nname = \"tool\"\n"}, want: fail},
		{name: "cargo_locked", check: "process.lockfiles", files: map[string]string{"Cargo.toml": cargoLib, "src/main.rs": "", "Cargo.lock": ""}, want: pass},
		{name: "go_missing_sum", check: "process.lockfiles", files: map[string]string{"go.mod": "module x\n\ngo 1.22\n\nrequire golang.org/x/mod v0.20.0\n"}, want: fail, msg: "go.sum"},
		{name: "go_no_requires", check: "process.lockfiles", files: map[string]string{"go.mod": "module x\n\ngo 1.22\n"}, want: na},
		{name: "go_with_sum", check: "process.lockfiles", files: map[string]string{"go.mod": "module x\nrequire (\n\tgolang.org/x/mod v0.20.0\n)\n", "go.sum": ""}, want: pass},
		{name: "pyproject_deps_no_lock", check: "process.lockfiles", files: map[string]string{"pyproject.toml": "[project]\nname = \"x\"\ndependencies = [\n  \"requests>=2\",\n]\n"}, want: warn},
		{name: "pyproject_poetry_locked", check: "process.lockfiles", files: map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.11\"\nrequests = \"^2\"\n", "poetry.lock": ""}, want: pass},
		{name: "pyproject_tools_only", check: "process.lockfiles", files: map[string]string{"pyproject.toml": "[tool.black]\nline-length = 100\n"}, want: na},
		{name: "pyproject_python_only", check: "process.lockfiles", files: map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.11\"\n"}, want: na},
		{name: "gemfile_app", check: "process.lockfiles", files: map[string]string{"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n"}, want: fail},
		{name: "gemfile_gem", check: "process.lockfiles", files: map[string]string{"Gemfile": "gemspec\n", "x.gemspec": ""}, want: warn},
		{name: "composer_project", check: "process.lockfiles", files: map[string]string{"composer.json": `{"type": "project", "require": {"monolog/monolog": "^3"}}`}, want: fail},
		{name: "composer_library", check: "process.lockfiles", files: map[string]string{"composer.json": `{"require": {"monolog/monolog": "^3"}}`}, want: warn},
	})
}

func TestCIChecks(t *testing.T) {
	wf := func(run string) map[string]string {
		return map[string]string{".github/workflows/ci.yml": "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: " + run + "\n"}
	}
	with := func(m map[string]string, k, v string) map[string]string {
		m[k] = v
		return m
	}
	runCheckCases(t, []checkCase{
		{name: "no_ci", check: "process.ci-tests", files: map[string]string{"main.go": ""}, want: fail, msg: "no CI configuration", loc: ".github/workflows/ci.yml"},
		{name: "no_ci_gitlab", check: "process.ci-tests", files: map[string]string{"main.go": "", ".gitlab/merge_request_templates/default.md": "x"}, want: fail, loc: ".gitlab-ci.yml"},
		{name: "echo_only", check: "process.ci-tests", files: wf("echo hello"), want: fail, msg: "nothing in it runs tests"},
		{name: "go_test", check: "process.ci-tests", files: wf("go test -race ./..."), want: pass, msg: "go test (.github/workflows/ci.yml:7)"},
		{name: "gitlab_make", check: "process.ci-tests", files: map[string]string{".gitlab-ci.yml": "test:\n  script:\n    - make test\n"}, want: pass},
		{name: "script_followed", check: "process.ci-tests", files: with(wf("./scripts/ci.sh"), "scripts/ci.sh", "#!/bin/sh\npython -m pytest -q\n"), want: pass, msg: "scripts/ci.sh"},
		{name: "makefile_followed", check: "process.ci-tests", files: with(wf("make ci"), "Makefile", "ci:\n\tcargo test --all\n"), want: pass, msg: "Makefile"},
		{name: "npm_scripts", check: "process.ci-tests", files: with(wf("npm ci && npm run verify"), "package.json", `{"scripts": {"verify": "vitest run"}}`), want: pass},
		{name: "jenkins", check: "process.ci-tests", files: map[string]string{"Jenkinsfile": "pipeline { stages { stage('t') { steps { sh './mvnw -B verify' } } } }\n"}, want: pass},
		{name: "dot_ci_run", check: "process.ci-tests", files: map[string]string{".ci/run": "#!/bin/sh\nset -e\ngo vet ./...\ngo test ./...\n"}, want: pass},
		{name: "jenkinsfile_in_examples", check: "process.ci-tests", files: map[string]string{"examples/Jenkinsfile": "sh 'go test ./...'\n"}, want: fail, msg: "no CI configuration"},

		{name: "none", check: "process.ci-vuln-scan", files: wf("go test ./..."), want: fail},
		{name: "govulncheck", check: "process.ci-vuln-scan", files: wf("go run golang.org/x/vuln/cmd/govulncheck@latest ./..."), want: pass},
		{name: "osv_action", check: "process.ci-vuln-scan", files: map[string]string{".github/workflows/osv.yml": "on: push\njobs:\n  scan:\n    uses: google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml@1f1242919d8a60496dd1874b24b62b2370ed4c78\n"}, want: pass},
		{name: "npm_audit", check: "process.ci-vuln-scan", files: wf("npm audit --audit-level=high"), want: pass},
		{name: "trivy_gitlab", check: "process.ci-vuln-scan", files: map[string]string{".gitlab-ci.yml": "scan:\n  image: aquasec/trivy\n  script: trivy fs --exit-code 1 .\n"}, want: pass},
		{name: "craft_scan", check: "process.ci-vuln-scan", files: wf("craft scan . --fail-on high"), want: pass},
		{name: "craft_built_binary", check: "process.ci-vuln-scan", files: map[string]string{".ci/run": "#!/bin/sh\ngo build -o \"$out/craft\" ./cmd/craft\n\"$out/craft\" scan . --fail-on low\n"}, want: pass, msg: "craft (.ci/run:3)"},
		{name: "dependabot_only", check: "process.ci-vuln-scan", files: with(wf("go test ./..."), ".github/dependabot.yml", "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedule: {interval: weekly}\n"), want: warn, msg: "dependabot.yml is configured", loc: ".github/dependabot.yml"},
		{name: "no_ci_dependabot", check: "process.ci-vuln-scan", files: map[string]string{".github/dependabot.yml": "version: 2\n"}, want: warn},

		{name: "none", check: "process.ci-sast", files: wf("go test ./..."), want: fail},
		{name: "codeql", check: "process.ci-sast", files: map[string]string{".github/workflows/codeql.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: github/codeql-action/init@v3\n"}, want: pass, msg: "CodeQL"},
		{name: "codeql_analyze", check: "process.ci-sast", files: wf("codeql database analyze db --format=sarif-latest --output=out.sarif"), want: pass, msg: "CodeQL"},
		{name: "codeql_cli_create", check: "process.ci-sast", files: map[string]string{".gitlab-ci.yml": "sast:\n  script:\n    - codeql database create db --language=go\n"}, want: pass, msg: "CodeQL"},
		{name: "upload_sarif_is_not_analysis", check: "process.ci-sast", files: map[string]string{".github/workflows/craft.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: craft scan . -o sarif=craft.sarif\n      - name: Upload SARIF to code scanning\n        uses: github/codeql-action/upload-sarif@v3\n        with:\n          sarif_file: craft.sarif\n"}, want: fail, msg: "nothing in it runs static analysis"},
		{name: "codeql_upload_results_is_not_analysis", check: "process.ci-sast", files: wf("codeql github upload-results --sarif=x.sarif"), want: fail},
		{name: "golangci", check: "process.ci-sast", files: wf("golangci-lint run"), want: pass},
		{name: "go_vet", check: "process.ci-sast", files: wf("go vet ./..."), want: pass},
		{name: "bandit", check: "process.ci-sast", files: wf("bandit -r src"), want: pass},
		{name: "comment_only_counts", check: "process.ci-sast", files: map[string]string{".ci/run": "#!/bin/sh\n# semgrep runs nightly elsewhere\nmake\n"}, want: pass},

		{name: "none", check: "process.ci-sbom", files: wf("go build ./..."), want: fail},
		{name: "syft", check: "process.ci-sbom", files: wf("syft dir:. -o cyclonedx-json=sbom.json"), want: pass},
		{name: "maven_plugin_no_ci", check: "process.ci-sbom", files: map[string]string{"pom.xml": "<plugin><groupId>org.cyclonedx</groupId><artifactId>cyclonedx-maven-plugin</artifactId></plugin>"}, want: pass, msg: "no CI configuration, but the build"},
		{name: "goreleaser", check: "process.ci-sbom", files: with(wf("goreleaser release"), ".goreleaser.yaml", "builds:\n  - main: ./cmd/x\nsboms:\n  - artifacts: archive\n"), want: pass},
		{name: "sbom_file_name", check: "process.ci-sbom", files: wf("./tools/make-sbom > dist/sbom.json"), want: pass, msg: "SBOM output file"},
		{name: "pom_xml_is_not_a_bom", check: "process.ci-sbom", files: with(wf("mvn -B package"), "pom.xml", "<project><artifactId>x</artifactId></project>"), want: fail},
		{name: "craft_sbom", check: "process.ci-sbom", files: wf("craft sbom . -o cyclonedx-json=bom.json"), want: pass},
		{name: "no_ci", check: "process.ci-sbom", files: map[string]string{"main.go": ""}, want: fail},
	})
}

func TestDependencyUpdatesCheck(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "none", check: "process.dependency-updates", want: fail, loc: ".github/dependabot.yml"},
		{name: "renovate_in_package_json_loc", check: "process.ci-vuln-scan", files: map[string]string{"package.json": `{"renovate": {"extends": ["config:base"]}}`}, want: warn, loc: "package.json"},
		{name: "dependabot", check: "process.dependency-updates", files: map[string]string{".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily\n"}, want: pass},
		{name: "dependabot_empty", check: "process.dependency-updates", files: map[string]string{".github/dependabot.yml": "version: 2\nupdates: []\n"}, want: fail, msg: "lists no package ecosystems"},
		{name: "renovate", check: "process.dependency-updates", files: map[string]string{"renovate.json": `{"extends": ["config:recommended"]}`}, want: pass},
		{name: "renovate_in_package_json", check: "process.dependency-updates", files: map[string]string{"package.json": `{"renovate": {"extends": ["config:base"]}}`}, want: pass},
	})
}

const sha = "b4ffde65f46336ab88eb53be808477a3936bae11"

func workflowFile(body string) map[string]string {
	return map[string]string{".github/workflows/w.yml": body}
}

func TestActionsPinnedCheck(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "no_workflows", check: "ci.actions-pinned", want: na},
		{name: "all_pinned", check: "ci.actions-pinned", files: workflowFile("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@" + sha + " # v4\n      - uses: ./.github/actions/local\n      - uses: docker://alpine@sha256:" + strings.Repeat("ab", 32) + "\n  b:\n    uses: ./.github/workflows/reusable.yml\n"), want: pass, msg: "all 2 action references"},
		{name: "third_party_tag", check: "ci.actions-pinned", files: workflowFile("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: tj-actions/changed-files@v45\n"), want: fail, msg: "tj-actions/changed-files@v45"},
		{name: "github_owned_tag", check: "ci.actions-pinned", files: workflowFile("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n"), want: warn},
		{name: "short_sha", check: "ci.actions-pinned", files: workflowFile("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: some/action@b4ffde6\n"), want: fail},
		{name: "docker_tag", check: "ci.actions-pinned", files: workflowFile("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: docker://alpine:3.20\n"), want: fail, msg: "digest"},
		{name: "reusable_workflow_branch", check: "ci.actions-pinned", files: workflowFile("on: push\njobs:\n  a:\n    uses: org/repo/.github/workflows/build.yml@main\n"), want: fail},
		{name: "composite_action_named_test", check: "ci.actions-pinned", files: map[string]string{".github/actions/test/action.yml": "runs:\n  using: composite\n  steps:\n    - uses: some/tool@v1\n"}, want: fail},
		{name: "composite_action", check: "ci.actions-pinned", files: map[string]string{".github/actions/setup/action.yml": "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: some/tool@v1\n"}, want: fail},
		{name: "broken_yaml", check: "ci.actions-pinned", files: workflowFile("on: [push\n"), want: warn, msg: "cannot read workflow"},
	})
}

func TestTokenPermissionsCheck(t *testing.T) {
	job := "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n"
	runCheckCases(t, []checkCase{
		{name: "no_workflows", check: "ci.token-permissions", want: na},
		{name: "read_only", check: "ci.token-permissions", files: workflowFile("on: push\npermissions:\n  contents: read\n" + job), want: pass},
		{name: "empty_block", check: "ci.token-permissions", files: workflowFile("on: push\npermissions: {}\n" + job), want: pass},
		{name: "read_all", check: "ci.token-permissions", files: workflowFile("on: push\npermissions: read-all\n" + job), want: pass},
		{name: "missing", check: "ci.token-permissions", files: workflowFile("on: push\n" + job), want: warn, msg: "no top-level permissions"},
		{name: "missing_but_jobs_restricted", check: "ci.token-permissions", files: workflowFile("on: push\njobs:\n  a:\n    permissions:\n      contents: read\n    runs-on: x\n"), want: pass},
		{name: "write_all", check: "ci.token-permissions", files: workflowFile("on: push\npermissions: write-all\n" + job), want: fail, msg: "write-all"},
		{name: "top_level_write", check: "ci.token-permissions", files: workflowFile("on: push\npermissions:\n  contents: write\n  packages: write\n" + job), want: warn, msg: "contents, packages"},
		{name: "job_write_all", check: "ci.token-permissions", files: workflowFile("on: push\npermissions:\n  contents: read\njobs:\n  rel:\n    permissions: write-all\n    runs-on: x\n"), want: fail, msg: "job rel"},
	})
}

func TestPullRequestTargetCheck(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "no_workflows", check: "ci.pull-request-target", want: na},
		{name: "labeler", check: "ci.pull-request-target", files: workflowFile("on: pull_request_target\njobs:\n  l:\n    runs-on: x\n    steps:\n      - uses: actions/labeler@" + sha + "\n      - uses: actions/checkout@" + sha + "\n"), want: pass, msg: "1 privileged workflow"},
		{name: "head_sha_checkout", check: "ci.pull-request-target", files: workflowFile("on:\n  pull_request_target:\n    types: [opened]\njobs:\n  build:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm install\n"), want: fail, msg: "job build checks out"},
		{name: "head_repo_checkout", check: "ci.pull-request-target", files: workflowFile("on: [pull_request_target]\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          repository: ${{ github.event.pull_request.head.repo.full_name }}\n          ref: ${{ github.head_ref }}\n"), want: fail},
		{name: "workflow_run_head", check: "ci.pull-request-target", files: workflowFile("on:\n  workflow_run:\n    workflows: [ci]\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n"), want: fail},
		{name: "gh_pr_checkout", check: "ci.pull-request-target", files: workflowFile("on: pull_request_target\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: gh pr checkout ${{ github.event.pull_request.number }}\n"), want: fail, msg: "fetches"},
		{name: "issue_comment_pull_ref", check: "ci.pull-request-target", files: workflowFile("on:\n  issue_comment:\n    types: [created]\njobs:\n  t:\n    if: github.event.issue.pull_request\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: refs/pull/${{ github.event.issue.number }}/head\n"), want: fail, msg: "issue_comment"},
		{name: "pull_request_is_fine", check: "ci.pull-request-target", files: workflowFile("on: pull_request\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n"), want: pass, msg: "no workflow uses"},
	})
}

func TestSupportPeriodCheck(t *testing.T) {
	prod := func(p config.Product) config.Config { return config.Config{Product: p} }
	runCheckCases(t, []checkCase{
		{name: "missing", check: "product.support-period", want: fail, msg: "there is no craft.yaml", loc: "craft.yaml"},
		{name: "ended", check: "product.support-period", cfg: prod(config.Product{SupportUntil: "2026-06"}), want: fail, msg: "ended in June 2026"},
		{name: "short", check: "product.support-period", cfg: prod(config.Product{SupportUntil: "2029-12"}), want: fail, msg: "less than 5 years"},
		{name: "short_justified", check: "product.support-period", cfg: prod(config.Product{SupportUntil: "2029-12", SupportJustification: "a campaign app used for three years"}), want: pass, msg: "justified"},
		{name: "five_years", check: "product.support-period", cfg: prod(config.Product{SupportUntil: "2031-12"}), want: pass, msg: "December 2031"},
		{name: "counted_from_market", check: "product.support-period", cfg: prod(config.Product{SupportUntil: "2029-03", PlacedOnMarket: "2024-03"}), want: pass, msg: "placing on the market in March 2024"},
		{name: "short_from_market", check: "product.support-period", cfg: prod(config.Product{SupportUntil: "2028-12", PlacedOnMarket: "2024-03"}), want: fail},
		{name: "bad_date", check: "product.support-period", cfg: prod(config.Product{SupportUntil: "soon"}), want: fail, msg: "not a date"},
	})
}

// TestSupportPeriodLocation: with craft.yaml present, a failure points at
// product.supportUntil; present but silent, at the file.
func TestSupportPeriodLocation(t *testing.T) {
	cfg := config.Config{Product: config.Product{SupportUntil: "2028-12"}}
	dir := writeTree(t, map[string]string{"craft.yaml": "product:\n  name: shop\n  supportUntil: 2028-12\n"})
	rs := runOneCheck(t, "product.support-period", dir, cfg)
	if len(rs) != 1 || len(rs[0].Locations) != 1 || rs[0].Locations[0] != (Location{Path: "craft.yaml", Line: 3}) {
		t.Errorf("results %+v, want one at craft.yaml:3", rs)
	}
	dir = writeTree(t, map[string]string{"craft.yaml": "product:\n  name: shop\n"})
	rs = runOneCheck(t, "product.support-period", dir, config.Config{})
	if len(rs) != 1 || rs[0].Locations[0] != (Location{Path: "craft.yaml"}) || !strings.Contains(rs[0].Message, "set product.supportUntil") {
		t.Errorf("results %+v, want one at craft.yaml", rs)
	}
}

func TestSkippedByDecision(t *testing.T) {
	cfg := config.Config{Requirements: map[string]config.Decision{
		"ai-p2-7": {Applicable: ptr(false), Justification: "the product is delivered only as a hosted service"},
	}}
	rs := runOneCheck(t, "release.signed-tags", t.TempDir(), cfg)
	if got := outcomes(rs); !slices.Equal(got, []Outcome{OutcomeSkipped}) || !strings.Contains(rs[0].Message, "hosted service") {
		t.Errorf("results %+v", rs)
	}
}

// TestMissingFileResultsHaveLocations: a failure or warning about a file
// that is missing points at the file the remediation asks to create, so
// that SARIF need not invent one.
func TestMissingFileResultsHaveLocations(t *testing.T) {
	dir := writeTree(t, map[string]string{"main.go": "package main\n"})
	rep, err := Run(context.Background(), dir, config.Config{}, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if (r.Outcome == OutcomeFail || r.Outcome == OutcomeWarn) && len(r.Locations) == 0 {
			t.Errorf("%s %s has no location: %s", r.CheckID, r.Outcome, r.Message)
		}
	}
}
