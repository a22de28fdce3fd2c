package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/net/html"

	"github.com/craft-cra/craft/internal/assess"
	"github.com/craft-cra/craft/internal/catalog"
	"github.com/craft-cra/craft/internal/checks"
	"github.com/craft-cra/craft/internal/config"
	goldenfile "github.com/craft-cra/craft/internal/golden"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/match"
	"github.com/craft-cra/craft/internal/osv"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleReport is a report with every section filled, including text
// that tries to break out of Markdown tables and HTML.
func sampleReport(t *testing.T) *Report {
	t.Helper()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	inv := &inventory.Inventory{
		Root: ".", Source: "directory",
		Components: []inventory.Component{
			{ID: "pkg:npm/jquery@3.4.1", Name: "jquery", Version: "3.4.1", Ecosystem: "npm", PURL: "pkg:npm/jquery@3.4.1", Locations: []string{"web/package-lock.json"}},
			{ID: "pkg:pypi/urllib3@1.26.5", Name: "urllib3", Version: "1.26.5", Ecosystem: "PyPI", PURL: "pkg:pypi/urllib3@1.26.5", Locations: []string{"requirements.txt"}},
		},
		Files:   []inventory.SourceFile{{Path: "requirements.txt", SHA512: strings.Repeat("ab", 64), Size: 30}},
		Skipped: []inventory.Skipped{{Path: "broken/package-lock.json", Reason: "not JSON"}},
	}
	jq := Finding{Finding: match.Finding{
		ID: "CVE-2020-11023", Aliases: []string{"CVE-2020-11023", "GHSA-jpcq-cgw6-v4j6"},
		Summary:       "Potential XSS <script>alert(1)</script> | in jQuery",
		Component:     match.ComponentRef{ID: "pkg:npm/jquery@3.4.1", Name: "jquery", Version: "3.4.1", Ecosystem: "npm", PURL: "pkg:npm/jquery@3.4.1", Locations: []string{"web/package-lock.json"}},
		Severity:      match.Severity{Level: "medium", Score: 6.9, Type: "CVSS_V4", Vector: "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N"},
		FixedVersions: []string{"3.5.0"}, MinimumFix: "3.5.0",
		KEV:        &match.KEV{CVEID: "CVE-2020-11023", DateAdded: time.Date(2025, 1, 23, 0, 0, 0, 0, time.UTC)},
		Evidence:   []match.Evidence{{RecordID: "GHSA-jpcq-cgw6-v4j6", Ecosystem: "npm", Package: "jquery", RangeType: "SEMVER", Events: []string{"introduced 1.0.3", "fixed 3.5.0"}}},
		References: []osv.Reference{{Type: "ADVISORY", URL: "https://nvd.nist.gov/vuln/detail/CVE-2020-11023"}},
	}}
	ul := Finding{Finding: match.Finding{
		ID: "CVE-2023-43804", Aliases: []string{"CVE-2023-43804", "PYSEC-2023-192"},
		Component: match.ComponentRef{ID: "pkg:pypi/urllib3@1.26.5", Name: "urllib3", Version: "1.26.5", Ecosystem: "PyPI"},
		Severity:  match.Severity{Level: "high", Score: 8.1, Type: "CVSS_V3"},
		Evidence:  []match.Evidence{{RecordID: "PYSEC-2023-192", Ecosystem: "PyPI", Package: "urllib3", RangeType: "ECOSYSTEM", Events: []string{"introduced 0", "fixed 1.26.17"}}},
	}, VEX: &VEXDecision{Status: "not_affected", Justification: "vulnerable_code_not_in_execute_path", Source: "vex.json"}}

	chk := &checks.Report{
		Checks: []checks.Check{
			{ID: "ci.actions-pinned", Title: "GitHub Actions pinned to commit SHAs", Requirements: []string{"AI-P1-2f"}, Severity: checks.SeverityHigh, Rationale: "A tag can be moved.", Remediation: "Pin every action to a full commit SHA.", Doc: "docs/checks.md#ci-actions-pinned"},
			{ID: "cvd.security-md", Title: "Disclosure policy", Requirements: []string{"AI-P2-5", "AI-P2-6"}, Severity: checks.SeverityMedium, Doc: "docs/checks.md#cvd-security-md"},
		},
		Results: []checks.Result{
			{CheckID: "ci.actions-pinned", Outcome: checks.OutcomeFail, Message: "actions/checkout@v4 is not pinned", Locations: []checks.Location{{Path: ".github/workflows/ci.yml", Line: 12}}},
			{CheckID: "cvd.security-md", Outcome: checks.OutcomePass, Message: "SECURITY.md names a contact"},
		},
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, err = cat.WithChecks(map[string][]string{"AI-P1-2f": {"ci.actions-pinned"}, "AI-P2-5": {"cvd.security-md"}, "AI-P2-6": {"cvd.security-md"}})
	if err != nil {
		t.Fatal(err)
	}
	ev := []assess.Evidence{
		{Requirement: "AI-P1-2a", Source: "vuln.known", Outcome: assess.OutcomeFail, Detail: "1 known vulnerability"},
		{Requirement: "AI-P2-1", Source: "sbom.generated", Outcome: assess.OutcomePass, Detail: "2 components"},
		{Requirement: "AI-P1-2f", Source: "ci.actions-pinned", Outcome: assess.OutcomeFail, Location: ".github/workflows/ci.yml:12"},
		{Requirement: "AI-P2-5", Source: "cvd.security-md", Outcome: assess.OutcomePass},
	}
	no := false
	return &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "craft", Version: "test"},
		GeneratedAt:   now,
		Target:        Target{Path: ".", Kind: "directory"},
		Product:       config.Product{Name: "shop", Version: "2.1.0"},
		Manufacturer:  config.Manufacturer{Name: "Example Shop GmbH"},
		Inventory:     NewInventory(inv),
		Vulnerabilities: &Vulnerabilities{
			Database:   Database{Path: "advisories.db", UpdatedAt: now.Add(-time.Hour)},
			Findings:   []Finding{jq},
			Suppressed: []Finding{ul},
			EndOfLife:  []EndOfLife{{Component: "pkg:npm/node@16.20.0", Name: "node", Version: "16.20.0", Product: "Node.js", Cycle: "16", Kind: "end-of-life", Date: time.Date(2023, 9, 11, 0, 0, 0, 0, time.UTC)}},
			Notes:      []string{},
		},
		Checks: chk,
		Requirements: assess.Assess(cat, ev, map[string]config.Decision{
			"AI-P1-2g": {Applicable: &no, Justification: "The shop processes only order data it needs."},
		}),
		Warnings: []string{"1 inputs could not be read and were skipped"},
	}
}

func render(t *testing.T, r *Report, f func(*bytes.Buffer, *Report) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	r := sampleReport(t)
	for name, f := range map[string]func(*bytes.Buffer, *Report) error{
		"text.golden":  func(b *bytes.Buffer, r *Report) error { return Text(b, r) },
		"md.golden":    func(b *bytes.Buffer, r *Report) error { return Markdown(b, r) },
		"html.golden":  func(b *bytes.Buffer, r *Report) error { return HTML(b, r) },
		"sarif.golden": func(b *bytes.Buffer, r *Report) error { return SARIF(b, r) },
		"json.golden":  func(b *bytes.Buffer, r *Report) error { return JSON(b, r) },
	} {
		t.Run(name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", name), render(t, r, f))
		})
	}
}

func TestSARIFMatchesSchema(t *testing.T) {
	out := render(t, sampleReport(t), func(b *bytes.Buffer, r *Report) error { return SARIF(b, r) })
	validateSARIF(t, out)
	s := string(out)
	for _, want := range []string{`"security-severity": "9.0"`, `"AI-P1-2f"`, `"startLine": 12`, `"actively-exploited"`} {
		if !strings.Contains(s, want) {
			t.Errorf("SARIF lacks %s", want)
		}
	}
	// A passing check produces no result.
	if strings.Contains(s, `"ruleId": "cvd.security-md"`) {
		t.Error("a passing check became a SARIF result")
	}
}

// TestSARIFMissingFileLocation: a result about a missing file points at the
// file to create (whole file, no region), not at craft.yaml, and the log
// stays valid SARIF.
func TestSARIFMissingFileLocation(t *testing.T) {
	r := sampleReport(t)
	r.Checks.Results[1] = checks.Result{CheckID: "cvd.security-md", Outcome: checks.OutcomeFail,
		Message: "no vulnerability disclosure policy", Locations: []checks.Location{{Path: "SECURITY.md"}}}
	out := render(t, r, func(b *bytes.Buffer, r *Report) error { return SARIF(b, r) })
	validateSARIF(t, out)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           *struct{}            `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, res := range log.Runs[0].Results {
		if res.RuleID != "cvd.security-md" {
			continue
		}
		found = true
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI != "SECURITY.md" || res.Locations[0].PhysicalLocation.Region != nil {
			t.Errorf("cvd.security-md locations %+v, want SECURITY.md without a region", res.Locations)
		}
	}
	if !found {
		t.Error("the failing cvd.security-md result is not in the SARIF log")
	}
}

func validateSARIF(t *testing.T, out []byte) {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(id, schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("SARIF output is not valid SARIF 2.1.0: %v", err)
	}
}

// TestHTMLSelfContained proves the page loads nothing and runs nothing:
// no script, no external reference, no event handler attributes, and the
// hostile summary text is escaped.
func TestHTMLSelfContained(t *testing.T) {
	out := render(t, sampleReport(t), func(b *bytes.Buffer, r *Report) error { return HTML(b, r) })
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	svgs := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "iframe", "object", "embed", "img":
				t.Errorf("page contains <%s>", n.Data)
			case "svg":
				svgs++
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s> has event handler %s", n.Data, a.Key)
				}
				if (a.Key == "src" || a.Key == "href") && a.Val != "" {
					t.Errorf("<%s %s=%q> refers to an outside resource", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if svgs != 2 {
		t.Errorf("page has %d SVG charts, want 2 (severity, coverage)", svgs)
	}
	if bytes.Contains(out, []byte("<script>alert")) {
		t.Error("text from an advisory reached the page unescaped")
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	out := string(render(t, sampleReport(t), func(b *bytes.Buffer, r *Report) error { return Markdown(b, r) }))
	if strings.Contains(out, "<script>") {
		t.Error("HTML from an advisory reached the Markdown unescaped")
	}
	for _, want := range []string{"RPT-VULN-EW", "| 🔥 KEV | CVE-2020-11023 |", "`ci.actions-pinned`"} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.Check(t, path, got, *update)
}

// TestRemediationOncePerCheck: the text and Markdown reports show a failing
// check's remediation and its documentation once, however many results it
// has; a passing check shows none.
func TestRemediationOncePerCheck(t *testing.T) {
	r := sampleReport(t)
	r.Checks.Checks[1].Remediation = "Add SECURITY.md."
	r.Checks.Results = append(r.Checks.Results, checks.Result{CheckID: "ci.actions-pinned", Outcome: checks.OutcomeFail,
		Message: "some/tool@v1 is not pinned", Locations: []checks.Location{{Path: ".github/workflows/ci.yml", Line: 20}}})
	for name, f := range map[string]func(*bytes.Buffer, *Report) error{
		"text":     func(b *bytes.Buffer, r *Report) error { return Text(b, r) },
		"markdown": func(b *bytes.Buffer, r *Report) error { return Markdown(b, r) },
	} {
		out := string(render(t, r, f))
		if n := strings.Count(out, "Pin every action to a full commit SHA."); n != 1 {
			t.Errorf("%s: remediation shown %d times, want once:\n%s", name, n, out)
		}
		if !strings.Contains(out, "docs/checks.md#ci-actions-pinned") {
			t.Errorf("%s: no pointer to the check's documentation:\n%s", name, out)
		}
		if strings.Contains(out, "Add SECURITY.md.") {
			t.Errorf("%s: a passing check shows its remediation:\n%s", name, out)
		}
	}
}
