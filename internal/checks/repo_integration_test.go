package checks

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/config"
)

// processIDs are the IDs of processChecks, for Options.Only.
func processIDs() []string {
	var ids []string
	for _, c := range processChecks() {
		ids = append(ids, c.ID)
	}
	return ids
}

// A well-kept repository: every process check passes, none warns.
func TestWellKeptRepositoryPassesEverything(t *testing.T) {
	g := newGitFixture(t)
	first := g.commit("initial", map[string]string{
		"SECURITY.md": "# Security\n\nReport vulnerabilities privately to security@example.org.\n" +
			"We acknowledge within 2 working days and fix critical issues within 30 days.\n",
		"web/.well-known/security.txt": "Contact: mailto:security@example.org\nExpires: 2027-06-01T00:00:00Z\nPolicy: https://example.org/security\n",
		"go.mod":                       "module example.org/app\n\ngo 1.24\n\nrequire golang.org/x/text v0.20.0\n",
		"go.sum":                       "golang.org/x/text v0.20.0 h1:x\n",
		"main.go":                      "package main\n\nfunc main() {}\n",
		".github/CODEOWNERS":           "* @example/maintainers\n",
		".github/dependabot.yml":       "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedule:\n      interval: weekly\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n",
		".github/workflows/ci.yml": `name: ci
on:
  push:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4
      - uses: actions/setup-go@0c52d547c9bc32b1aa3301fd7a9cb496313a4491 # v5
      - run: go vet ./... && go test -race ./...
      - run: go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...
  release:
    if: startsWith(github.ref, 'refs/tags/')
    permissions:
      contents: write
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4
      - uses: anchore/sbom-action@61119d458adab75f756bc0b9e4bde25725f86a7a # v0.17
`,
		"testdata/fixture.pem": pemBlock("RSA "),
		"testdata/bin/hello":   "\x7fELF\x02\x01\x01",
	})
	g.commit("Merge pull request #2 from dev/docs\n\nDocs", map[string]string{"README.md": "# app\n"}, first)
	head, _ := g.repo.Head()
	g.annotatedTag("v1.0.0", head.Hash(), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), fakePGPSignature)
	g.write(map[string]string{"app": "\x7fELF\x02\x01\x01", ".env": "TOKEN=" + fakeToken("gh"+"p_", 36)}) // untracked build output and local secrets
	cfg := config.Config{Product: config.Product{Name: "app", SupportUntil: "2032-01"}}

	rep, err := Run(context.Background(), g.dir, cfg, Options{Only: processIDs(), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Outcome != OutcomePass {
			t.Errorf("%s: %s: %s %v", r.CheckID, r.Outcome, r.Message, r.Locations)
		}
	}
}

// A neglected repository: every check that can fail does.
func TestNeglectedRepositoryFailsEverything(t *testing.T) {
	g := newGitFixture(t)
	h := g.commit("wip", map[string]string{
		"package.json": `{"name": "app", "dependencies": {"express": "4"}}`,
		".github/workflows/pr.yml": `on: pull_request_target
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: some/action@v1
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm install
`,
		"config/prod.env":          "AWS_KEY=" + fakeUpper("AK"+"IA", 16) + "\n",
		"tools/helper":             "\x7fELF\x02\x01\x01",
		".well-known/security.txt": "Contact: http://example.org\nExpires: 2025-01-01T00:00:00Z\n",
	})
	g.lightweightTag("v0.1.0", h)
	rep, err := Run(context.Background(), g.dir, config.Config{}, Options{Only: processIDs(), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, r := range rep.Results {
		if r.Outcome == OutcomeFail {
			failed[r.CheckID] = true
		}
	}
	for _, id := range processIDs() {
		if !failed[id] {
			t.Errorf("%s did not fail", id)
		}
	}
}

func FuzzParseWorkflow(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/repos/*/.github/workflows/*.yml")
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("on: [push]\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n        with: {ref: main}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := parseWorkflow("w.yml", data)
		if err != nil {
			return
		}
		for _, j := range w.Jobs {
			_ = j.Permissions.writeScopes()
		}
		_ = w.Permissions.writeScopes()
	})
}
