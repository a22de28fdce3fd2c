package scan

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/assess"
	"github.com/craft-cra/craft/internal/config"
	goldenfile "github.com/craft-cra/craft/internal/golden"
	"github.com/craft-cra/craft/internal/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	testNow      = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	testImported = time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
)

// testDB imports the test advisories and KEV catalog into a fresh database.
func testDB(t *testing.T, imported time.Time) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "advisories.db")
	store, err := advisory.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Import(ctx, []string{"testdata/osv", "testdata/kev.json"}, advisory.ImportOptions{Now: func() time.Time { return imported }}); err != nil {
		t.Fatal(err)
	}
	return path
}

func scanApp(t *testing.T, opts Options) *report.Report {
	t.Helper()
	cfg, _, err := config.Load("testdata/app")
	if err != nil {
		t.Fatal(err)
	}
	opts.Dir = "testdata/app"
	opts.Config = cfg
	opts.Now = testNow
	opts.Tool = report.Tool{Name: "craft", Version: "test"}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestScanFindsVulnerabilitiesWithKEVAndVEX(t *testing.T) {
	db := testDB(t, testImported)
	// The checks are left out: they read the git history around the
	// fixture, which is craft's own; internal/checks tests them.
	rep := scanApp(t, Options{DBPath: db, VEXPaths: []string{"testdata/vex.openvex.json"}, NoChecks: true})

	v := rep.Vulnerabilities
	if v == nil {
		t.Fatal("no vulnerability section although a database was given")
	}
	type key struct{ id, pkg, fix string }
	var got []key
	for _, f := range v.Findings {
		got = append(got, key{f.ID, f.Component.Name, f.MinimumFix})
	}
	want := []key{
		// KEV first, longest-listed first: the HTTP/2 rapid reset
		// CVE-2023-44487 joined the catalog in 2023, jQuery's
		// CVE-2020-11023 in 2025.
		{"CVE-2023-44487", "golang.org/x/net", "0.17.0"},
		{"CVE-2020-11023", "jquery", "3.5.0"},
	}
	if len(got) != len(want) {
		t.Fatalf("findings = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d = %v, want %v", i, got[i], want[i])
		}
		if v.Findings[i].KEV == nil {
			t.Errorf("finding %s is not flagged as actively exploited", got[i].id)
		}
	}
	// urllib3 1.26.5 is affected by PYSEC-2023-192 (whose GIT range comes
	// first) but the VEX file says not_affected: listed as suppressed.
	if len(v.Suppressed) != 1 || v.Suppressed[0].ID != "CVE-2023-43804" || v.Suppressed[0].VEX.Justification != "vulnerable_code_not_in_execute_path" {
		t.Errorf("suppressed = %+v, want CVE-2023-43804 with its justification", v.Suppressed)
	}
	if v.Database.Stale {
		t.Error("database imported 10 hours before the scan is reported stale")
	}

	status := map[string]assess.Status{}
	for _, r := range rep.Requirements.Requirements {
		status[r.ID] = r.Status
	}
	for id, want := range map[string]assess.Status{
		"AI-P1-2a": assess.StatusGap,
		"AI-P2-2":  assess.StatusGap,
		"AI-P2-1":  assess.StatusSatisfied,
	} {
		if status[id] != want {
			t.Errorf("%s: status %s, want %s", id, status[id], want)
		}
	}

	var text bytes.Buffer
	if err := report.Text(&text, rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"actively exploited", "RPT-VULN-EW", "24 hours", "suppressed by VEX: 1"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text report lacks %q", s)
		}
	}
	golden(t, "testdata/app.txt", []byte(strings.ReplaceAll(text.String(), db, "$DB")))
}

func TestScanWithoutDatabase(t *testing.T) {
	rep := scanApp(t, Options{DBPath: filepath.Join(t.TempDir(), "missing.db")})
	if rep.Vulnerabilities != nil {
		t.Fatal("vulnerabilities reported without a database")
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "no advisory database") {
		t.Errorf("warnings = %q, want one about the missing database", rep.Warnings)
	}
	// Without advisory data craft must not claim anything about known
	// vulnerabilities: no vuln.known evidence at all. (Process checks such
	// as a vulnerability scan in CI may still evidence AI-P1-2a.)
	for _, r := range rep.Requirements.Requirements {
		if r.ID == "AI-P1-2a" && r.Status != assess.StatusNotChecked {
			t.Errorf("AI-P1-2a without a database: %s, want not-checked (docs/cli.md)", r.Status)
		}
		for _, e := range r.Evidence {
			if e.Source == EvidenceVulns {
				t.Errorf("%s has %s evidence without a database: %+v", r.ID, EvidenceVulns, e)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("a scan created the advisory database")
	}
}

func TestScanWarnsAboutStaleDatabase(t *testing.T) {
	db := testDB(t, testNow.Add(-72*time.Hour))
	rep := scanApp(t, Options{DBPath: db})
	if !rep.Vulnerabilities.Database.Stale {
		t.Fatal("a database three days old is not reported stale")
	}
	found := false
	for _, w := range rep.Warnings {
		found = found || strings.Contains(w, "craft db update")
	}
	if !found {
		t.Errorf("warnings %q do not tell the user to update", rep.Warnings)
	}
}

func TestScanRejectsBadVEX(t *testing.T) {
	db := testDB(t, testImported)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _, _ := config.Load("testdata/app")
	// With and without advisory data: a bad VEX file is an error either way.
	for _, dbPath := range []string{db, filepath.Join(t.TempDir(), "none.db")} {
		_, err := Run(context.Background(), Options{Dir: "testdata/app", Config: cfg, DBPath: dbPath, VEXPaths: []string{bad}, Now: testNow, NoChecks: true})
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Fatalf("db %s: err = %v, want an error naming %s", dbPath, err, bad)
		}
	}
}

// TestReportMatchesSchema validates the JSON report of every scan shape
// against the published report schema.
func TestReportMatchesSchema(t *testing.T) {
	db := testDB(t, testImported)
	reports := map[string]*report.Report{
		"with database": scanApp(t, Options{DBPath: db, VEXPaths: []string{"testdata/vex.openvex.json"}}),
		"no database":   scanApp(t, Options{DBPath: filepath.Join(t.TempDir(), "none.db")}),
		"no checks":     scanApp(t, Options{DBPath: db, NoChecks: true}),
	}
	schema := compileReportSchema(t)
	for name, rep := range reports {
		var buf bytes.Buffer
		if err := report.JSON(&buf, rep); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Errorf("%s: report does not match its schema: %v", name, err)
		}
	}
}

func compileReportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../report/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.Check(t, path, got, *update)
}
