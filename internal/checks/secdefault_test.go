package checks

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/craft-cra/craft/internal/config"
)

var updateSecdefault = flag.Bool("update", false, "rewrite golden files under testdata/secdefault/golden")

// runSecdefault runs the secure-default checks on a fixture tree and
// returns the results that are findings (fail or warn).
func runSecdefault(t *testing.T, root string) []Result {
	t.Helper()
	root = sdCopyTree(t, root) // outside the craft checkout: every file counts
	rep, err := RunChecks(context.Background(), secdefaultChecks(), root, config.Config{}, Options{Now: fixedNow})
	if err != nil {
		t.Fatalf("RunChecks(%s): %v", root, err)
	}
	var out []Result
	for _, r := range rep.Results {
		switch r.Outcome {
		case OutcomeFail, OutcomeWarn:
			out = append(out, r)
		case OutcomeError:
			t.Errorf("%s: check error: %s", r.CheckID, r.Message)
		}
	}
	return out
}

// sdCopyTree copies a fixture tree to a temporary directory.
func sdCopyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func renderResults(rs []Result) string {
	var lines []string
	for _, r := range rs {
		loc := ""
		if len(r.Locations) > 0 {
			loc = fmt.Sprintf("%s:%d", r.Locations[0].Path, r.Locations[0].Line)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s\n  %s\n  evidence: %s", r.CheckID, r.Outcome, loc, r.Message, r.Evidence))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// checkGolden compares got with testdata/secdefault/golden/name.golden.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "secdefault", "golden", name+".golden")
	if *updateSecdefault {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from golden (-update to accept):\n--- want\n%s\n--- got\n%s", p, want, got)
	}
}

func has(rs []Result, id, loc string) bool {
	for _, r := range rs {
		if r.CheckID == id && len(r.Locations) > 0 && fmt.Sprintf("%s:%d", r.Locations[0].Path, r.Locations[0].Line) == loc {
			return true
		}
	}
	return false
}

// TestSecdefaultTextbook is the textbook case: an on-premises project
// tool that ships a default admin password, an open status page with logs,
// automatic updates off and privileged new users. All four must be found.
func TestSecdefaultTextbook(t *testing.T) {
	rs := runSecdefault(t, filepath.Join("testdata", "secdefault", "textbook"))
	for _, want := range []struct{ id, loc string }{
		{idCredentials, "config/default.yaml:17"},
		{idCredentials, "setup.sh:6"},
		{idCredentials, "docker-compose.yml:13"},
		{idStatus, "config/default.yaml:51"},
		{idStatus, "tasklane/status.py:22"},
		{idAutoUpdate, "config/default.yaml:61"},
		{idNewUserRole, "config/default.yaml:22"},
	} {
		if !has(rs, want.id, want.loc) {
			t.Errorf("textbook: missing %s at %s", want.id, want.loc)
		}
	}
	checkGolden(t, "textbook", renderResults(rs))

	// Each of the four names the secure default in its remediation.
	remedies := map[string]string{
		idCredentials: "unique password to be set at first login",
		idStatus:      "authenticated administrators only, with minimal information",
		idAutoUpdate:  "automatic security updates on",
		idNewUserRole: "lowest role",
	}
	for _, c := range secdefaultChecks() {
		if want, ok := remedies[c.ID]; ok && !strings.Contains(c.Remediation, want) {
			t.Errorf("%s remediation %q does not name the secure default %q", c.ID, c.Remediation, want)
		}
	}
}

// TestSecdefaultSecureTwin: the same product fixed; nothing may fire.
func TestSecdefaultSecureTwin(t *testing.T) {
	rs := runSecdefault(t, filepath.Join("testdata", "secdefault", "textbook-secure"))
	if len(rs) > 0 {
		t.Errorf("secure twin: want no findings, got:\n%s", renderResults(rs))
	}
}

// TestSecdefaultCleanProduct: a product written the way well-kept projects
// ship (settings from the environment, TLS 1.2+, non-root images, narrow
// CORS, an nginx proxy to another container) gives no findings at all.
func TestSecdefaultCleanProduct(t *testing.T) {
	if rs := runSecdefault(t, filepath.Join("testdata", "secdefault", "clean-product")); len(rs) > 0 {
		t.Errorf("clean product: want no findings, got:\n%s", renderResults(rs))
	}
}

// TestSecdefaultRules runs every rule fixture. testdata/secdefault/rules/<name>/fire
// must produce the listed findings (and its golden); .../nofire must
// produce none at all.
func TestSecdefaultRules(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "secdefault", "rules", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no rule fixtures: %v", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name+"/fire", func(t *testing.T) {
			rs := runSecdefault(t, filepath.Join(dir, "fire"))
			if len(rs) == 0 {
				t.Fatal("nothing fired")
			}
			want := readExpect(t, filepath.Join(dir, "expect.txt"))
			for _, w := range want {
				if !has(rs, w[0], w[1]) {
					t.Errorf("missing %s at %s", w[0], w[1])
				}
			}
			checkGolden(t, "rules-"+name, renderResults(rs))
		})
		t.Run(name+"/nofire", func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(dir, "nofire")); err != nil {
				t.Fatalf("rule fixture %s has no nofire tree", name)
			}
			if rs := runSecdefault(t, filepath.Join(dir, "nofire")); len(rs) > 0 {
				t.Errorf("false alarms:\n%s", renderResults(rs))
			}
		})
	}
}

// readExpect reads "check-id path:line" lines.
func readExpect(t *testing.T, p string) [][2]string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && !strings.HasPrefix(f[0], "#") {
			out = append(out, [2]string{f[0], f[1]})
		}
	}
	return out
}

func TestSecdefaultChecksWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range secdefaultChecks() {
		if seen[c.ID] {
			t.Errorf("duplicate ID %s", c.ID)
		}
		seen[c.ID] = true
		if !strings.HasPrefix(c.ID, "default.") || c.Title == "" || c.Rationale == "" || c.Remediation == "" || len(c.Requirements) == 0 || c.Severity.Rank() < 0 || c.Run == nil {
			t.Errorf("%s: incomplete check %+v", c.ID, c)
		}
		for _, r := range c.Requirements {
			if !strings.HasPrefix(r, "AI-P1-2") {
				t.Errorf("%s: requirement %s is not an Annex I Part I (2) ID", c.ID, r)
			}
		}
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "secure-defaults.md"))
	if err != nil {
		t.Fatalf("docs/secure-defaults.md: %v", err)
	}
	for id := range seen {
		if !strings.Contains(string(doc), "### `"+id+"`") {
			t.Errorf("docs/secure-defaults.md has no section for %s", id)
		}
	}
}

func TestSecdefaultClassify(t *testing.T) {
	for _, tc := range []struct {
		path string
		want sdKind
	}{
		{"config/default.yaml", sdYAML},
		{"docker-compose.yml", sdYAML},
		{"docker-compose.dev.yml", sdSkip},
		{".env", sdEnv},
		{".env.production", sdEnv},
		{".env.example", sdSkip},
		{".env.local", sdSkip},
		{"Dockerfile", sdDockerfile},
		{"Dockerfile.test", sdSkip},
		{"deploy/api.dockerfile", sdDockerfile},
		{"settings/local.py", sdSkip},
		{"app/settings.py", sdPython},
		{"tests/test_app.py", sdSkip},
		{"docs/nginx.conf", sdSkip},
		{"examples/config.yaml", sdSkip},
		{".github/workflows/ci.yml", sdSkip},
		{"package.json", sdSkip},
		{"web/locales/en.json", sdSkip},
		{"nginx/site.conf", sdConf},
		{"redis.conf", sdRedis},
		{"src/main/resources/application.properties", sdProperties},
		{"internal/server/server.go", sdGo},
		{"internal/server/server_test.go", sdSkip},
		{"web/app.min.js", sdSkip},
		{"config.sample.toml", sdSkip},
	} {
		if got := classifySecdefault(tc.path); got != tc.want {
			t.Errorf("classify(%q) = %d, want %d", tc.path, got, tc.want)
		}
	}
}

func TestSecdefaultKeyWords(t *testing.T) {
	for in, want := range map[string]string{
		"newUserRole":        "new user role",
		"NEW_USER_ROLE":      "new user role",
		"auto-update":        "auto update",
		"HTTPServerPassword": "http server password",
		"ssl_protocols":      "ssl protocols",
	} {
		if got := strings.Join(sdKeyWords(in), " "); got != want {
			t.Errorf("sdKeyWords(%q) = %q, want %q", in, got, want)
		}
	}
	for key, want := range map[string]bool{
		"password": true, "ADMIN_PASSWORD": true, "db_pass": true, "client_secret": true,
		"SECRET_KEY": true, "password_min_length": false, "password_file": false,
		"bypass": false, "passwordHasher": false, "pass": true, "requirepass": true,
	} {
		if got := passwordKey(key); got != want {
			t.Errorf("passwordKey(%q) = %v, want %v", key, got, want)
		}
	}
}

// TestSecdefaultOnlyCommitted: in a git checkout an untracked .env (the
// developer's own) is not the product's default; a committed one is.
func TestSecdefaultOnlyCommitted(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{
		"config.yaml": "admin:\n  password: changeme\n",
		".env":        "ADMIN_PASSWORD=admin\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo, err := git.PlainInit(root, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("config.yaml"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.org", When: fixedNow}
	if _, err := wt.Commit("config", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	rep, err := RunChecks(context.Background(), secdefaultChecks(), root, config.Config{}, Options{Only: []string{idCredentials}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Results {
		if r.Outcome == OutcomeFail {
			got = append(got, r.Locations[0].Path)
		}
	}
	if strings.Join(got, ",") != "config.yaml" {
		t.Errorf("findings in %v, want only config.yaml", got)
	}
}
