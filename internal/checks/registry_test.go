package checks

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/catalog"
)

var (
	checkIDRE = regexp.MustCompile(`^[a-z]+(\.[a-z0-9-]+)+$`)
	docRE     = regexp.MustCompile(`^docs/[a-z0-9-]+\.md#[a-z0-9.-]+$`)
)

func TestRegistry(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range Registry() {
		if seen[c.ID] {
			t.Errorf("duplicate check ID %s", c.ID)
		}
		seen[c.ID] = true
		if !checkIDRE.MatchString(c.ID) {
			t.Errorf("%s: ID is not lower-case dotted", c.ID)
		}
		if c.Run == nil || c.Title == "" || c.Rationale == "" || c.Remediation == "" || len(c.Requirements) == 0 {
			t.Errorf("%s: missing Run, Title, Rationale, Remediation or Requirements", c.ID)
		}
		if c.Severity.Rank() < 0 {
			t.Errorf("%s: severity %q", c.ID, c.Severity)
		}
		if !docRE.MatchString(c.Doc) {
			t.Errorf("%s: Doc %q is not docs/PAGE.md#ANCHOR", c.ID, c.Doc)
		}
		for _, r := range c.Requirements {
			if _, ok := cat.Get(r); !ok {
				t.Errorf("%s: requirement %s is not in the catalog", c.ID, r)
			}
		}
	}
}

// TestChecksDoc keeps docs/checks.md in step with the process checks: an
// anchor per ID, and the section names the severity and requirements.
func TestChecksDoc(t *testing.T) {
	data, err := os.ReadFile("../../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, c := range processChecks() {
		if c.Doc != docBase+c.ID {
			t.Errorf("%s: Doc %q, want %q", c.ID, c.Doc, docBase+c.ID)
		}
		anchor := `<a id="` + c.ID + `"></a>`
		i := strings.Index(doc, anchor)
		if i < 0 {
			t.Errorf("docs/checks.md has no %s", anchor)
			continue
		}
		section := doc[i:]
		if j := strings.Index(section[len(anchor):], `<a id="`); j >= 0 {
			section = section[:len(anchor)+j]
		}
		if !strings.Contains(section, "### "+c.ID+" — "+c.Title+"\n") {
			t.Errorf("%s: heading must be %q", c.ID, "### "+c.ID+" — "+c.Title)
		}
		want := "**Requirements:** " + strings.Join(c.Requirements, ", ") + " · **Severity:** " + string(c.Severity)
		if !strings.Contains(section, want) {
			t.Errorf("%s: section must say %q", c.ID, want)
		}
		row := "| [`" + c.ID + "`](#" + c.ID + ") | " + c.Title + " | " + strings.Join(c.Requirements, ", ") + " | " + string(c.Severity) + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("%s: table row must be %q", c.ID, row)
		}
	}
}
