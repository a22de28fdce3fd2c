package checks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/config"
)

var fixedNow = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// writeTree creates files (slash path → content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestRunChecksEngine(t *testing.T) {
	ran := 0
	list := []Check{
		{ID: "t.pass", Requirements: []string{"AI-P2-5"}, Severity: SeverityHigh,
			Run: func(context.Context, *Repo) ([]Result, error) { ran++; return nil, nil }},
		{ID: "t.fail", Requirements: []string{"AI-P2-1"}, Severity: SeverityMedium,
			Run: func(context.Context, *Repo) ([]Result, error) {
				ran++
				return []Result{
					{Outcome: OutcomeFail, Message: "b", Locations: []Location{{Path: "b"}}},
					{Outcome: OutcomeFail, Message: "a", Locations: []Location{{Path: "a", Line: 2}}},
				}, nil
			}},
		{ID: "t.panic", Requirements: []string{"AI-P2-3"}, Severity: SeverityLow,
			Run: func(context.Context, *Repo) ([]Result, error) { panic("boom") }},
		{ID: "t.err", Requirements: []string{"AI-P2-3"}, Severity: SeverityLow,
			Run: func(context.Context, *Repo) ([]Result, error) { return nil, errors.New("broken") }},
		{ID: "t.decided", Requirements: []string{"AI-P1-2b"}, Severity: SeverityHigh,
			Run: func(context.Context, *Repo) ([]Result, error) { t.Error("decided-away check ran"); return nil, nil }},
		{ID: "t.nojust", Requirements: []string{"AI-P1-2c"}, Severity: SeverityHigh,
			Run: func(context.Context, *Repo) ([]Result, error) { t.Error("decided-away check ran"); return nil, nil }},
		{ID: "t.partly", Requirements: []string{"AI-P1-2b", "AI-P2-1"}, Severity: SeverityInfo,
			Run: func(context.Context, *Repo) ([]Result, error) { ran++; return nil, nil }},
	}
	cfg := config.Config{Requirements: map[string]config.Decision{
		"AI-P1-2b": {Applicable: ptr(false), Justification: "no configuration"},
		"AI-P1-2c": {Applicable: ptr(false)},
	}}
	rep, err := RunChecks(context.Background(), list, writeTree(t, nil), cfg, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]Outcome{}
	for _, r := range rep.Results {
		got[r.CheckID] = append(got[r.CheckID], r.Outcome)
	}
	want := map[string][]Outcome{
		"t.pass":    {OutcomePass},
		"t.fail":    {OutcomeFail, OutcomeFail},
		"t.panic":   {OutcomeError},
		"t.err":     {OutcomeError},
		"t.decided": {OutcomeSkipped},
		"t.nojust":  {OutcomeFail},
		"t.partly":  {OutcomePass},
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("%s: outcomes %v, want %v", id, got[id], w)
		}
	}
	if ran != 3 {
		t.Errorf("ran %d checks, want 3", ran)
	}
	for _, r := range rep.Results {
		if r.CheckID == "t.fail" {
			if r.Message != "a" {
				t.Errorf("results not sorted by location: first %q", r.Message)
			}
			break
		}
	}
	if !rep.Failed(SeverityMedium) || rep.Failed(SeverityCritical) {
		t.Errorf("Failed: medium %v, critical %v", rep.Failed(SeverityMedium), rep.Failed(SeverityCritical))
	}
}

func TestSelectChecks(t *testing.T) {
	list := []Check{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	tests := []struct {
		name       string
		only, skip []string
		want       []string
		wantErr    bool
	}{
		{name: "all", want: []string{"a", "b", "c"}},
		{name: "only", only: []string{"c", "a"}, want: []string{"a", "c"}},
		{name: "skip", skip: []string{"b"}, want: []string{"a", "c"}},
		{name: "unknown", only: []string{"x"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := selectChecks(list, tt.only, tt.skip)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !tt.wantErr && !slices.Equal(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestOpenRepoWalk(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.go":                "",
		"sub/b.txt":           "",
		".git/config":         "",
		"node_modules/x/i.js": "",
		"vendor/m/m.go":       "",
		"gen/skip.go":         "",
		"docs/keep.md":        "",
	})
	outside := writeTree(t, map[string]string{"secret": "x"})
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.go", filepath.Join(root, "link-in")); err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{Scan: config.Scan{Exclude: []string{"gen"}}}
	repo, err := OpenRepo(context.Background(), root, cfg, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.go", "docs/keep.md", "link-in", "sub/b.txt"}
	if !slices.Equal(repo.Files, want) {
		t.Errorf("Files = %v, want %v", repo.Files, want)
	}
	if _, err := repo.ReadFile("../x"); err == nil {
		t.Error("ReadFile outside the tree succeeded")
	}
	if _, err := repo.ReadFile("link-out"); err == nil {
		t.Error("ReadFile through a symlink out of the tree succeeded")
	}
	if data, err := repo.ReadFile("link-in"); err != nil || len(data) != 0 {
		t.Errorf("ReadFile(link-in) = %q, %v", data, err)
	}
	if !repo.HasFile("sub/b.txt") || repo.HasFile("sub") {
		t.Error("HasFile wrong")
	}
	if _, err := repo.Git(); !errors.Is(err, ErrNoGit) {
		t.Errorf("Git() err = %v, want ErrNoGit", err)
	}
}

func TestIsTestPath(t *testing.T) {
	tests := map[string]bool{
		"main.go":                      false,
		"internal/x/x_test.go":         true,
		"testdata/a.yaml":              true,
		"examples/basic/config.yaml":   true,
		"docs/setup.md":                true,
		"src/app.spec.ts":              true,
		"tests/test_app.py":            true,
		"config/settings.yaml.example": true,
		"deploy/config.yaml":           false,
		"latest/app.go":                false,
		"x/envconfig_test.go.tmpl":     true,
		"openpgp/keys_test_data.go":    true,
		"contrib/integration/a.key":    true,
		"pkg/attestation.go":           false,
		"pkg/contest.go":               false,
		"server/testing.go":            false,
		"cmd/example-server/main.go":   false,
		"deploy/sample.env":            true,
		"README.example.md":            true,
		"src/protest.js":               false,
		".github/workflows/test.yml":   true,
	}
	for p, want := range tests {
		if got := IsTestPath(p); got != want {
			t.Errorf("IsTestPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, writeTree(t, map[string]string{"a": ""}), config.Config{}, Options{Now: fixedNow})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"HIGH": SeverityHigh, " low ": SeverityLow, "info": SeverityInfo} {
		if got, err := ParseSeverity(in); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity(severe) succeeded")
	}
}
