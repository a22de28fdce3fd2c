package catalog

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// craIDs extracts the requirement IDs of the CRA reference's tables: the
// first cell of a table row, bold or not, when the whole cell is an ID.
func craIDs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/CRA.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`^\|\s*(?:\*\*)?([A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+)(?:\*\*)?\s*\|`)
	var ids []string
	for line := range strings.Lines(string(data)) {
		if m := row.FindStringSubmatch(line); m != nil {
			ids = append(ids, m[1])
		}
	}
	return ids
}

func mustLoad(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestCatalogMatchesCRAReference(t *testing.T) {
	want := craIDs(t)
	c := mustLoad(t)
	var got []string
	for _, r := range c.All() {
		got = append(got, r.ID)
	}

	seen := map[string]int{}
	for _, id := range want {
		seen[id]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("CRA.md lists %s %d times", id, n)
		}
	}
	inCatalog := map[string]int{}
	for _, id := range got {
		inCatalog[id]++
	}
	for id, n := range inCatalog {
		if n != 1 {
			t.Errorf("catalog lists %s %d times, want once", id, n)
		}
		if seen[id] == 0 {
			t.Errorf("catalog has %s, which is not in CRA.md's tables", id)
		}
	}
	for _, id := range want {
		if inCatalog[id] == 0 {
			t.Errorf("CRA.md's tables have %s, which is missing from the catalog", id)
		}
	}
	if !t.Failed() && !slices.Equal(got, want) {
		t.Errorf("catalog order differs from CRA.md's document order:\n got %v\nwant %v", got, want)
	}
}

func TestRequirementFields(t *testing.T) {
	c := mustLoad(t)
	groups := map[string]bool{}
	for _, g := range c.Groups() {
		groups[g.ID] = true
	}
	for _, r := range c.All() {
		t.Run(r.ID, func(t *testing.T) {
			for name, v := range map[string]string{
				"reference": r.Reference, "title": r.Title, "summary": r.Summary,
				"group": r.Group, "applicability": string(r.Applicability), "automation": string(r.Automation),
			} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("empty %s", name)
				}
			}
			if !groups[r.Group] {
				t.Errorf("group %q is not a catalog group", r.Group)
			}
			if len(r.Evidence) == 0 {
				t.Error("no evidence kinds")
			}
			if (r.Applicability == Conditional) != (r.Condition != "") {
				t.Errorf("applicability %s with condition %q", r.Applicability, r.Condition)
			}
			// Paraphrases are craft's own words: one sentence copied from
			// the reference would show up as a long common substring.
			if len(r.Summary) < 40 {
				t.Errorf("summary %q is too short to explain the requirement", r.Summary)
			}
		})
	}
}

// TestGroupsFollowIDs ties every ID prefix to its group, so that an item
// filed under the wrong part of the regulation fails.
func TestGroupsFollowIDs(t *testing.T) {
	prefixes := []struct{ prefix, group string }{
		{"AI-P1-", "annex-i-part-i"},
		{"AI-P2-", "annex-i-part-ii"},
		{"ART13-", "article-13"},
		{"RPT-", "article-14"},
		{"AII-", "annex-ii"},
		{"AVII-", "annex-vii"},
	}
	c := mustLoad(t)
	for _, r := range c.All() {
		i := slices.IndexFunc(prefixes, func(p struct{ prefix, group string }) bool {
			return strings.HasPrefix(r.ID, p.prefix)
		})
		if i < 0 {
			t.Errorf("%s: no group known for this prefix", r.ID)
			continue
		}
		if r.Group != prefixes[i].group {
			t.Errorf("%s: group %q, want %q", r.ID, r.Group, prefixes[i].group)
		}
	}
	for _, g := range c.Groups() {
		if len(c.InGroup(g.ID)) == 0 {
			t.Errorf("group %s has no requirements", g.ID)
		}
	}
}

// TestApplicability follows CRA.md §1–2: only the lettered points of Annex I
// Part I (2) are risk-based; point (1) and all of Part II always apply.
func TestApplicability(t *testing.T) {
	lettered := regexp.MustCompile(`^AI-P1-2[a-m]$`)
	c := mustLoad(t)
	n := 0
	for _, r := range c.All() {
		riskBased := r.Applicability == RiskBased
		if riskBased != lettered.MatchString(r.ID) {
			t.Errorf("%s: applicability %s", r.ID, r.Applicability)
		}
		if riskBased {
			n++
		}
		if (r.Group == "annex-i-part-ii" || r.ID == "AI-P1-1") && r.Applicability != Always {
			t.Errorf("%s: applicability %s, want always", r.ID, r.Applicability)
		}
	}
	if n != 13 {
		t.Errorf("%d risk-based items, want the 13 points (2)(a)-(m)", n)
	}
}

func TestBuiltInChecks(t *testing.T) {
	want := map[string][]string{
		"AI-P2-1":  {CheckSBOMGenerated},
		"AI-P1-2a": {CheckVulnKnown},
		"AI-P2-2":  {CheckVulnKnown},
	}
	for _, r := range mustLoad(t).All() {
		if !slices.Equal(r.Checks, want[r.ID]) && !(len(r.Checks) == 0 && want[r.ID] == nil) {
			t.Errorf("%s: checks %v, want %v", r.ID, r.Checks, want[r.ID])
		}
		if r.Checkable() != (want[r.ID] != nil) {
			t.Errorf("%s: Checkable() = %v", r.ID, r.Checkable())
		}
	}
}

func TestGet(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		in     string
		wantID string
	}{
		{"AI-P1-2b", "AI-P1-2b"},
		{"ai-p1-2b", "AI-P1-2b"},
		{"AI-P1-2B", "AI-P1-2b"},
		{" art13-8a ", "ART13-8a"},
		{"rpt-vuln-ew", "RPT-VULN-EW"},
		{"AI-P1-2z", ""},
		{"", ""},
		{"AI-P1", ""},
	}
	for _, tt := range tests {
		r, ok := c.Get(tt.in)
		if ok != (tt.wantID != "") || r.ID != tt.wantID {
			t.Errorf("Get(%q) = %q, %v; want %q", tt.in, r.ID, ok, tt.wantID)
		}
	}
}

func TestGroup(t *testing.T) {
	c := mustLoad(t)
	for _, in := range []string{"annex-i-part-i", "Annex I Part I", "ANNEX-I-PART-I", "annex i part i"} {
		g, ok := c.Group(in)
		if !ok || g.ID != "annex-i-part-i" {
			t.Errorf("Group(%q) = %q, %v", in, g.ID, ok)
		}
	}
	if g, ok := c.Group("annex-iii"); ok {
		t.Errorf("Group(annex-iii) = %q, want not found", g.ID)
	}
	if n := len(c.InGroup("annex-i-part-ii")); n != 8 {
		t.Errorf("InGroup(annex-i-part-ii) has %d items, want 8", n)
	}
	if got := c.InGroup("nope"); got != nil {
		t.Errorf("InGroup(nope) = %v", got)
	}
}

func TestReturnsCopies(t *testing.T) {
	c := mustLoad(t)
	all := c.All()
	all[0].Evidence[0] = "changed"
	all[0].Title = "changed"
	r, _ := c.Get(all[0].ID)
	r.Evidence[0] = "changed too"
	g := c.Groups()
	g[0].Name = "changed"
	again := c.All()[0]
	if again.Title == "changed" || again.Evidence[0] == "changed" || again.Evidence[0] == "changed too" {
		t.Errorf("catalog changed through a returned value: %+v", again)
	}
	if c.Groups()[0].Name == "changed" {
		t.Error("catalog group changed through Groups()")
	}
}

func TestWithChecks(t *testing.T) {
	c := mustLoad(t)
	got, err := c.WithChecks(map[string][]string{
		"ai-p2-5":  {"cvd.policy", "cvd.securitytxt"},
		"AI-P2-1":  {"sbom.generated", "sbom.complete"},
		"AI-P1-2b": {"defaults.credentials"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{
		"AI-P2-5":  {"cvd.policy", "cvd.securitytxt"},
		"AI-P2-1":  {"sbom.complete", "sbom.generated"},
		"AI-P1-2b": {"defaults.credentials"},
		"AI-P1-2a": {"vuln.known"},
	} {
		r, _ := got.Get(id)
		if !slices.Equal(r.Checks, want) {
			t.Errorf("%s: checks %v, want %v", id, r.Checks, want)
		}
	}
	// The receiver is unchanged.
	if r, _ := c.Get("AI-P2-5"); len(r.Checks) != 0 {
		t.Errorf("WithChecks changed its receiver: AI-P2-5 checks %v", r.Checks)
	}
	if !reflect.DeepEqual(len(got.All()), len(c.All())) {
		t.Error("WithChecks changed the number of requirements")
	}

	bad := []struct {
		name string
		in   map[string][]string
		want string
	}{
		{"unknown_requirement", map[string][]string{"AI-P9-1": {"x.y"}}, `unknown requirement "AI-P9-1"`},
		{"manual_requirement", map[string][]string{"AI-P1-1": {"risk.assessment"}}, "AI-P1-1 is a manual requirement"},
		{"malformed_check", map[string][]string{"AI-P2-5": {"Not A Check"}}, `check "Not A Check" for AI-P2-5`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.WithChecks(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WithChecks error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

const goodData = `
groups:
  - {id: g, name: G, title: T, reference: R, applicability: A}
requirements:
  - id: X-1a
    group: g
    reference: Ref
    title: Title
    summary: Summary
    applicability: always
    automation: manual
    evidence: [e]
`

func TestParseErrors(t *testing.T) {
	if _, err := Parse("good.yaml", []byte(goodData)); err != nil {
		t.Fatalf("good data: %v", err)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "", "bad.yaml: EOF"},
		{"not_yaml", "{{{", "bad.yaml: yaml:"},
		{"truncated", goodData[:len(goodData)/2], "bad.yaml:"},
		{"unknown_field", strings.Replace(goodData, "title: Title", "titel: Title", 1), "field titel not found"},
		{"duplicate_id", goodData + strings.SplitN(goodData, "requirements:\n", 2)[1], "requirement X-1a: listed twice"},
		{"duplicate_id_case", goodData + strings.Replace(strings.SplitN(goodData, "requirements:\n", 2)[1], "X-1a", "X-1A", 1), "requirement X-1A: listed twice"},
		{"bad_id", strings.Replace(goodData, "X-1a", "x 1", 1), `id "x 1"`},
		{"no_id", strings.Replace(goodData, "id: X-1a", "id: ''", 1), "requirement 1: id"},
		{"unknown_group", strings.Replace(goodData, "group: g", "group: h", 1), `group "h": not a group`},
		{"no_summary", strings.Replace(goodData, "summary: Summary", "summary: ' '", 1), "requirement X-1a: no summary"},
		{"bad_applicability", strings.Replace(goodData, "applicability: always", "applicability: sometimes", 1), `applicability "sometimes"`},
		{"conditional_without_condition", strings.Replace(goodData, "applicability: always", "applicability: conditional", 1), "conditional without a condition"},
		{"condition_on_always", strings.Replace(goodData, "automation: manual", "automation: manual\n    condition: c", 1), "condition given"},
		{"bad_automation", strings.Replace(goodData, "automation: manual", "automation: magic", 1), `automation "magic"`},
		{"no_evidence", strings.Replace(goodData, "evidence: [e]", "evidence: []", 1), "no evidence kinds"},
		{"check_on_manual", strings.Replace(goodData, "evidence: [e]", "evidence: [e]\n    checks: [a.b]", 1), "automation is \"manual\""},
		{"bad_check", strings.Replace(goodData, "automation: manual", "automation: partial\n    checks: [AB]", 1), `check "AB"`},
		{"no_groups", "requirements: []", "no groups"},
		{"no_requirements", strings.SplitN(goodData, "requirements:", 2)[0], "no requirements"},
		{"empty_group", strings.Replace(goodData, "groups:\n", "groups:\n  - {id: h, name: H, title: T, reference: R, applicability: A}\n", 1), `group "h": has no requirements`},
		{"duplicate_group", strings.Replace(goodData, "groups:\n", "groups:\n  - {id: g, name: H, title: T, reference: R, applicability: A}\n", 1), `group "g": listed twice`},
		{"bad_group_id", strings.Replace(goodData, "id: g,", "id: G G,", 1), `id "G G"`},
		{"huge", goodData + "# " + strings.Repeat("x", maxDataSize), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "bad.yaml: ") {
				t.Errorf("error %q, want it to name bad.yaml and contain %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(goodData))
	f.Add([]byte("groups: [{id: g}]\nrequirements: [{id: X-1, group: g}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml: ") {
				t.Errorf("error does not name the input: %v", err)
			}
			return
		}
		for _, r := range c.All() {
			got, ok := c.Get(r.ID)
			if !ok || got.ID != r.ID {
				t.Errorf("Get(%q) = %q, %v", r.ID, got.ID, ok)
			}
			if _, ok := c.Group(r.Group); !ok {
				t.Errorf("%s: group %q not found", r.ID, r.Group)
			}
		}
	})
}

// TestSummariesAreParaphrased keeps the summaries in craft's own words: no
// run of copyWords consecutive words of a summary may appear in the CRA
// reference.
func TestSummariesAreParaphrased(t *testing.T) {
	const copyWords = 12
	data, err := os.ReadFile("testdata/CRA.md")
	if err != nil {
		t.Fatal(err)
	}
	norm := func(s string) []string {
		s = strings.NewReplacer("**", "", "*", "", "`", "").Replace(strings.ToLower(s))
		return strings.FieldsFunc(s, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '\'')
		})
	}
	ref := " " + strings.Join(norm(string(data)), " ") + " "
	for _, r := range mustLoad(t).All() {
		words := norm(r.Summary)
		for i := 0; i+copyWords <= len(words); i++ {
			run := strings.Join(words[i:i+copyWords], " ")
			if strings.Contains(ref, " "+run+" ") {
				t.Errorf("%s: summary copies %q from CRA.md", r.ID, run)
				break
			}
		}
	}
}

// BenchmarkLoad measures parsing and validating the embedded catalog, which
// every command that names requirements pays once.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
