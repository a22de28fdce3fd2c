package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/checks"
	goldenfile "github.com/craft-cra/craft/internal/golden"
)

// runCheckCmd runs `craft check ARGS` in-process, the way Run does, with
// a root that holds only the check command (so that the test does not
// depend on the other commands).
func runCheckCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &App{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return testNow },
	}
	root := &cobra.Command{Use: "craft", SilenceUsage: true, SilenceErrors: true}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &ExitError{Code: ExitUsage, Err: err} })
	root.AddCommand(newCheckCmd(app))
	root.SetArgs(append([]string{"check"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return out.String(), errOut.String(), ExitOK
	}
	fmt.Fprintf(&errOut, "craft: %v\n", err)
	var ee *ExitError
	if errors.As(err, &ee) {
		return out.String(), errOut.String(), ee.Code
	}
	return out.String(), errOut.String(), ExitUsage
}

// checkFixture writes a small product tree: a disclosure policy without
// response times, a lockfile-less package.json, an unpinned workflow and a
// craft.yaml with a short, unjustified support period.
func checkFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"SECURITY.md":  "# Security\n\nPlease report vulnerabilities to security@example.org, not in public issues.\n",
		"package.json": `{"name": "tool", "dependencies": {"commander": "^12.0.0"}}`,
		".github/workflows/ci.yml": "on: [push]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n" +
			"      - uses: actions/checkout@v4\n      - uses: some-org/setup-tool@v2\n      - run: npm test\n",
		"craft.yaml": "product:\n  name: tool\n  supportUntil: 2028-12\nmanufacturer:\n  name: Example\nrequirements:\n  AI-P2-7:\n    applicable: false\n    justification: distributed only as source; releases are not published by the manufacturer\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "check", name), []byte(got), *update)
}

func TestCheckCommand(t *testing.T) {
	dir := checkFixture(t)
	norm := func(s string) string { return strings.ReplaceAll(s, dir, "$DIR") }
	only := []string{"--only", "cvd.security-md", "--only", "process.lockfiles", "--only", "ci.actions-pinned",
		"--only", "product.support-period", "--only", "release.signed-tags", "--only", "process.ci-tests"}

	t.Run("text", func(t *testing.T) {
		stdout, stderr, code := runCheckCmd(t, append([]string{dir}, only...)...)
		if code != ExitOK || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		checkGolden(t, "text.golden", norm(stdout))
	})
	t.Run("json", func(t *testing.T) {
		stdout, _, code := runCheckCmd(t, append([]string{dir, "-o", "json"}, only...)...)
		if code != ExitOK {
			t.Fatalf("exit %d", code)
		}
		var v struct {
			SchemaVersion string         `json:"schemaVersion"`
			Summary       map[string]int `json:"summary"`
			Checks        []struct {
				ID  string `json:"id"`
				Doc string `json:"doc"`
			} `json:"checks"`
			Results      []map[string]any    `json:"results"`
			Requirements map[string][]string `json:"requirements"`
		}
		if err := json.Unmarshal([]byte(stdout), &v); err != nil {
			t.Fatal(err)
		}
		if v.SchemaVersion != "1" || len(v.Checks) != 6 || v.Summary["skipped"] != 1 || len(v.Requirements["AI-P2-3"]) != 1 {
			t.Errorf("unexpected JSON: %+v", v)
		}
		checkGolden(t, "json.golden", norm(stdout))
	})
	t.Run("json_to_file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "checks.json")
		stdout, _, code := runCheckCmd(t, dir, "--only", "cvd.security-md", "-o", "json="+out, "-o", "text")
		if code != ExitOK || !strings.Contains(stdout, "cvd.security-md") {
			t.Fatalf("exit %d, stdout %q", code, stdout)
		}
		if data, err := os.ReadFile(out); err != nil || !json.Valid(data) {
			t.Errorf("json file: %v", err)
		}
	})

	exits := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{name: "fail_on_high", args: append([]string{dir, "--fail-on", "high"}, only...), code: ExitFindings, stderr: "product.support-period"},
		{name: "fail_on_critical", args: append([]string{dir, "--fail-on", "critical"}, only...), code: ExitOK},
		{name: "fail_on_medium", args: append([]string{dir, "--fail-on", "medium"}, only...), code: ExitFindings, stderr: "process.lockfiles"},
		{name: "bad_fail_on", args: []string{dir, "--fail-on", "severe"}, code: ExitUsage, stderr: "want critical, high, medium or low"},
		{name: "info_is_not_a_gate", args: []string{dir, "--fail-on", "info"}, code: ExitUsage},
		{name: "unknown_check", args: []string{dir, "--only", "no.such-check"}, code: ExitUsage, stderr: "unknown check \"no.such-check\""},
		{name: "not_a_directory", args: []string{filepath.Join(dir, "craft.yaml")}, code: ExitUsage, stderr: "not a directory"},
		{name: "bad_format", args: []string{dir, "-o", "sarif"}, code: ExitUsage, stderr: "unknown format"},
	}
	for _, tt := range exits {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCheckCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d with %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

func TestCheckCommandBadConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "craft.yaml"), []byte("product:\n  supportUntil: someday\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCheckCmd(t, dir)
	if code != ExitUsage || !strings.Contains(stderr, "supportUntil") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestCheckTextRemediation: the text output explains each failing or
// warning check once, under its last result, with the page its Doc names;
// a passing check gets no remediation, and the closing line names every
// page the checks point into.
func TestCheckTextRemediation(t *testing.T) {
	rep := &checks.Report{
		Checks: []checks.Check{
			{ID: "cvd.security-md", Requirements: []string{"AI-P2-5"}, Severity: checks.SeverityHigh, Remediation: "Add SECURITY.md.", Doc: "docs/checks.md#cvd.security-md"},
			{ID: "default.credentials", Requirements: []string{"AI-P1-2b", "AI-P1-2d"}, Severity: checks.SeverityHigh, Remediation: "Ship no password.", Doc: "docs/secure-defaults.md#defaultcredentials"},
			{ID: "default.bind-all-interfaces", Requirements: []string{"AI-P1-2j"}, Severity: checks.SeverityLow, Remediation: "Bind 127.0.0.1.", Doc: "docs/secure-defaults.md#defaultbind-all-interfaces"},
		},
		Results: []checks.Result{
			{CheckID: "cvd.security-md", Outcome: checks.OutcomePass, Message: "ok", Locations: []checks.Location{{Path: "SECURITY.md"}}},
			{CheckID: "default.credentials", Outcome: checks.OutcomeFail, Message: "a", Locations: []checks.Location{{Path: "compose.yml", Line: 3}}},
			{CheckID: "default.credentials", Outcome: checks.OutcomeFail, Message: "b", Locations: []checks.Location{{Path: "compose.yml", Line: 9}}},
			{CheckID: "default.bind-all-interfaces", Outcome: checks.OutcomeWarn, Message: "c", Locations: []checks.Location{{Path: "app.py", Line: 4}}},
		},
	}
	var buf bytes.Buffer
	if err := writeCheckText(&buf, ".", rep, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"fix: Ship no password.\n", "see docs/secure-defaults.md#defaultcredentials\n",
		"fix: as under AI-P1-2b above\n",
		"fix: Bind 127.0.0.1.\n", "see docs/secure-defaults.md#defaultbind-all-interfaces\n",
		"in docs/checks.md and docs/secure-defaults.md.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "fix: Ship no password."); n != 1 {
		t.Errorf("remediation of default.credentials printed %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "Add SECURITY.md") {
		t.Errorf("a passing check shows its remediation:\n%s", out)
	}
	// The remediation follows the check's last result.
	if i, j := strings.Index(out, "  b\n"), strings.Index(out, "fix: Ship no password."); i < 0 || j < i {
		t.Errorf("remediation is not under the last result:\n%s", out)
	}
}
