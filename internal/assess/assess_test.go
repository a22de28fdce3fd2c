package assess

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/catalog"
	"github.com/craft-cra/craft/internal/config"
)

// testCatalog has one requirement per kind the rules distinguish.
func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	groups := []catalog.Group{
		{ID: "part-i", Name: "Part I", Title: "Product", Reference: "Annex I, Part I", Applicability: "Point (1) always applies."},
		{ID: "part-ii", Name: "Part II", Title: "Vulnerabilities", Reference: "Annex I, Part II", Applicability: "Part II always applies."},
	}
	req := func(id, group string, app catalog.Applicability, auto catalog.Automation, checks ...string) catalog.Requirement {
		r := catalog.Requirement{
			ID: id, Group: group, Reference: "ref " + id, Title: "title " + id, Summary: "summary " + id,
			Applicability: app, Automation: auto, Evidence: []string{"evidence for " + id}, Checks: checks,
		}
		if app == catalog.Conditional {
			r.Condition = "only for hardware"
		}
		return r
	}
	c, err := catalog.New(groups, []catalog.Requirement{
		req("P1-1", "part-i", catalog.Always, catalog.Manual),
		req("P1-2a", "part-i", catalog.RiskBased, catalog.Partial, "vuln.known"),
		req("P1-2b", "part-i", catalog.RiskBased, catalog.Manual),
		req("P1-HW", "part-i", catalog.Conditional, catalog.Manual),
		req("P1-2k", "part-i", catalog.RiskBased, catalog.Partial),
		req("P2-1", "part-ii", catalog.Always, catalog.Automatic, "sbom.generated"),
		req("P2-2", "part-ii", catalog.Always, catalog.Partial, "vuln.known", "cvd.policy"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func no() *bool  { b := false; return &b }
func yes() *bool { b := true; return &b }

func TestAssessStatus(t *testing.T) {
	pass := func(req, src string) Evidence {
		return Evidence{Requirement: req, Source: src, Outcome: OutcomePass, Detail: "ok"}
	}
	fail := func(req, src, loc string) Evidence {
		return Evidence{Requirement: req, Source: src, Outcome: OutcomeFail, Detail: "bad", Location: loc}
	}
	tests := []struct {
		name      string
		id        string
		ev        []Evidence
		decisions map[string]config.Decision
		want      Status
		msg       string // substring of the message
		wantEv    []Outcome
		wanted    bool // Wanted lists the requirement's evidence kinds
		scored    bool
		justif    string
	}{
		{name: "manual_without_evidence", id: "P1-1", want: StatusManual,
			msg: "craft cannot evidence this automatically", wanted: true},
		{name: "partial_without_check_is_manual", id: "P1-2k", want: StatusManual,
			msg: "craft has no check for this yet", wanted: true},
		{name: "two_checks_not_run", id: "P2-2", want: StatusNotChecked,
			msg: "craft has checks for this (cvd.policy, vuln.known), but none ran", wanted: true, scored: true},
		{name: "checkable_not_run", id: "P2-1", want: StatusNotChecked,
			msg: "craft has checks for this (sbom.generated), but none ran in this run", wanted: true, scored: true},
		{name: "automatic_pass", id: "P2-1", ev: []Evidence{pass("P2-1", "sbom.generated")},
			want: StatusSatisfied, msg: "Evidenced by sbom.generated.", wantEv: []Outcome{OutcomePass}, scored: true},
		{name: "partial_pass_still_wants_evidence", id: "P1-2a", ev: []Evidence{pass("P1-2a", "vuln.known")},
			want: StatusSatisfied, msg: "craft covers only part of this requirement", wantEv: []Outcome{OutcomePass}, wanted: true, scored: true},
		{name: "warn_only_satisfies_with_warning", id: "P2-1",
			ev:   []Evidence{{Requirement: "P2-1", Source: "sbom.generated", Outcome: OutcomeWarn, Detail: "3 components without version"}},
			want: StatusSatisfied, msg: "Evidenced by sbom.generated, with 1 warning.", wantEv: []Outcome{OutcomeWarn}, scored: true},
		{name: "fail_beats_pass", id: "P2-2",
			ev:   []Evidence{pass("P2-2", "cvd.policy"), fail("P2-2", "vuln.known", "go.mod"), fail("P2-2", "vuln.known", "a/go.mod")},
			want: StatusGap, msg: "2 failing results from vuln.known.",
			wantEv: []Outcome{OutcomeFail, OutcomeFail, OutcomePass}, wanted: true, scored: true},
		{name: "error_only_is_not_checked", id: "P2-2",
			ev:   []Evidence{{Requirement: "P2-2", Source: "cvd.policy", Outcome: OutcomeError, Detail: "permission denied"}},
			want: StatusNotChecked, msg: "1 check from cvd.policy could not complete", wantEv: []Outcome{OutcomeError}, wanted: true, scored: true},
		{name: "not_applicable_evidence_leaves_it_manual", id: "P1-2a",
			ev:   []Evidence{{Requirement: "P1-2a", Source: "vuln.known", Outcome: OutcomeNotApplicable, Detail: "no components"}},
			want: StatusManual, msg: "did not apply to this target; provide the evidence yourself, or declare it not applicable with a justification.",
			wantEv: []Outcome{OutcomeNotApplicable}, wanted: true, scored: false},
		{name: "not_applicable_evidence_on_always_item", id: "P2-1",
			ev:   []Evidence{{Requirement: "P2-1", Source: "sbom.generated", Outcome: OutcomeNotApplicable}},
			want: StatusManual, msg: "did not apply to this target; provide the evidence yourself.",
			wantEv: []Outcome{OutcomeNotApplicable}, wanted: true, scored: false},
		{name: "external_evidence_on_manual_item", id: "P1-1", ev: []Evidence{pass("P1-1", "review.threatmodel")},
			want: StatusSatisfied, msg: "Evidenced by review.threatmodel.", wantEv: []Outcome{OutcomePass}, wanted: true, scored: true},
		{name: "not_applicable_on_always_item_is_gap", id: "P2-1",
			decisions: map[string]config.Decision{"P2-1": {Applicable: no(), Justification: "we do not ship software"}},
			want:      StatusGap, msg: "craft.yaml declares P2-1 not applicable, but it always applies: Part II always applies.",
			wanted: true, scored: true, justif: "we do not ship software"},
		{name: "not_applicable_on_point_1_is_gap", id: "P1-1",
			decisions: map[string]config.Decision{"P1-1": {Applicable: no(), Justification: "low risk"}},
			want:      StatusGap, msg: "always applies: Point (1) always applies.", wanted: true, justif: "low risk"},
		{name: "not_applicable_without_justification_is_gap", id: "P1-2b",
			decisions: map[string]config.Decision{"P1-2b": {Applicable: no(), Justification: "  "}},
			want:      StatusGap, msg: "not applicable without a justification; Art. 13(4)", wanted: true},
		{name: "not_applicable_with_justification", id: "P1-2b",
			decisions: map[string]config.Decision{"P1-2b": {Applicable: no(), Justification: "The product has no configuration."}},
			want:      StatusNotApplicable, msg: "Declared not applicable in craft.yaml, with a justification.",
			justif: "The product has no configuration."},
		{name: "not_applicable_conditional", id: "P1-HW",
			decisions: map[string]config.Decision{"p1-hw": {Applicable: no(), Justification: "software only"}},
			want:      StatusNotApplicable, justif: "software only"},
		{name: "not_applicable_despite_failing_evidence", id: "P1-2a",
			ev:        []Evidence{fail("P1-2a", "vuln.known", "go.mod")},
			decisions: map[string]config.Decision{"P1-2a": {Applicable: no(), Justification: "no network"}},
			want:      StatusNotApplicable, msg: "craft still found 1 failing result from vuln.known; make sure the justification holds.",
			wantEv: []Outcome{OutcomeFail}, justif: "no network"},
		{name: "applicable_decision_changes_nothing", id: "P1-2b",
			decisions: map[string]config.Decision{"P1-2b": {Applicable: yes(), Justification: "we encrypt"}},
			want:      StatusManual, wanted: true},
		{name: "ids_are_case_insensitive", id: "P2-1", ev: []Evidence{pass("p2-1", "sbom.generated")},
			want: StatusSatisfied, wantEv: []Outcome{OutcomePass}, scored: true},
	}
	cat := testCatalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Assess(cat, tt.ev, tt.decisions)
			i := slices.IndexFunc(res.Requirements, func(rs RequirementStatus) bool { return rs.ID == tt.id })
			if i < 0 {
				t.Fatalf("%s missing from result", tt.id)
			}
			got := res.Requirements[i]
			if got.Status != tt.want {
				t.Errorf("status %s, want %s (message %q)", got.Status, tt.want, got.Message)
			}
			if !strings.Contains(got.Message, tt.msg) {
				t.Errorf("message %q, want it to contain %q", got.Message, tt.msg)
			}
			var outcomes []Outcome
			for _, e := range got.Evidence {
				outcomes = append(outcomes, e.Outcome)
				if e.Requirement != tt.id {
					t.Errorf("evidence requirement %q, want the catalog ID %q", e.Requirement, tt.id)
				}
			}
			if !slices.Equal(outcomes, tt.wantEv) {
				t.Errorf("evidence outcomes %v, want %v", outcomes, tt.wantEv)
			}
			r, _ := cat.Get(tt.id)
			if tt.wanted != slices.Equal(got.Wanted, r.Evidence) {
				t.Errorf("wanted %v, want listed=%v", got.Wanted, tt.wanted)
			}
			if got.Scored != tt.scored {
				t.Errorf("scored %v, want %v", got.Scored, tt.scored)
			}
			if got.Justification != tt.justif {
				t.Errorf("justification %q, want %q", got.Justification, tt.justif)
			}
			if len(res.Problems) != 0 {
				t.Errorf("problems: %v", res.Problems)
			}
		})
	}
}

func TestAssessProblems(t *testing.T) {
	cat := testCatalog(t)
	res := Assess(cat, []Evidence{
		{Requirement: "P9-9", Source: "x.y", Outcome: OutcomePass},
		{Requirement: "", Source: "x.z", Outcome: OutcomeFail},
		{Requirement: "P2-1", Source: "sbom.generated", Outcome: "passed"},
		{Requirement: "P2-1", Source: "sbom.generated", Outcome: "passed"},
	}, map[string]config.Decision{
		"P1-2c": {Applicable: no(), Justification: "typo"},
		"P1-2b": {Applicable: no(), Justification: "first"},
		"p1-2b": {Applicable: yes()},
	})
	want := []string{
		"craft.yaml decides P1-2b twice (as \"P1-2b\" and \"p1-2b\"); using \"P1-2b\"",
		"craft.yaml requirements.P1-2c: no such requirement (run `craft requirements` to list them)",
		"evidence from \"sbom.generated\" for P2-1 has unknown outcome \"passed\" and was not used",
		"evidence from \"x.y\" names unknown requirement \"P9-9\"",
		"evidence from \"x.z\" names unknown requirement \"\"",
	}
	if !slices.Equal(res.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(res.Problems, "\n"), strings.Join(want, "\n"))
	}
	for _, rs := range res.Requirements {
		switch rs.ID {
		case "P2-1":
			if rs.Status != StatusNotChecked || len(rs.Evidence) != 0 {
				t.Errorf("P2-1 used evidence with an unknown outcome: %+v", rs)
			}
		case "P1-2b":
			if rs.Status != StatusNotApplicable || rs.Justification != "first" {
				t.Errorf("P1-2b: %s %q, want the first decision in sorted key order", rs.Status, rs.Justification)
			}
		}
	}
}

func TestAssessSummary(t *testing.T) {
	cat := testCatalog(t)
	res := Assess(cat, []Evidence{
		{Requirement: "P2-1", Source: "sbom.generated", Outcome: OutcomePass},
		{Requirement: "P2-2", Source: "vuln.known", Outcome: OutcomeFail},
		{Requirement: "P1-1", Source: "review.threatmodel", Outcome: OutcomePass},
	}, map[string]config.Decision{
		"P1-2a": {Applicable: no(), Justification: "no third-party code"},
		"P1-HW": {Applicable: no(), Justification: "software only"},
	})
	score := func(f float64) *float64 { return &f }
	want := []GroupSummary{
		// P1-1 satisfied (scored: it has evidence), P1-2a n/a, P1-2b and
		// P1-2k manual, P1-HW n/a.
		{Group: "part-i", Name: "Part I", Total: 5, Satisfied: 1, NotApplicable: 2, Manual: 2, Scored: 1, Score: score(1)},
		// P2-1 satisfied, P2-2 gap; both checkable.
		{Group: "part-ii", Name: "Part II", Total: 2, Satisfied: 1, Gap: 1, Scored: 2, Score: score(0.5)},
	}
	if !reflect.DeepEqual(res.Groups, want) {
		t.Errorf("groups:\n got %s\nwant %s", summaries(res.Groups), summaries(want))
	}
	wantAll := GroupSummary{Group: "all", Name: "All requirements", Total: 7, Satisfied: 2, Gap: 1, NotApplicable: 2, Manual: 2, Scored: 3, Score: score(2.0 / 3)}
	if !reflect.DeepEqual(res.Overall, wantAll) {
		t.Errorf("overall:\n got %s\nwant %s", summaries([]GroupSummary{res.Overall}), summaries([]GroupSummary{wantAll}))
	}

	// Nothing scored: no score rather than a misleading 0 or 100 %.
	res = Assess(cat, nil, map[string]config.Decision{
		"P1-2a": {Applicable: no(), Justification: "no third-party code"},
	})
	if g := res.Groups[0]; g.Scored != 0 || g.Score != nil {
		t.Errorf("part-i with nothing scored: scored %d, score %v", g.Scored, g.Score)
	}
	if g := res.Groups[1]; g.Scored != 2 || g.Score == nil || *g.Score != 0 {
		t.Errorf("part-ii with checks not run: %s", summaries([]GroupSummary{g}))
	}
}

func summaries(gs []GroupSummary) string {
	var b strings.Builder
	for _, g := range gs {
		score := "nil"
		if g.Score != nil {
			score = fmt.Sprintf("%.3f", *g.Score)
		}
		fmt.Fprintf(&b, "%s: total=%d satisfied=%d gap=%d na=%d manual=%d notchecked=%d scored=%d score=%s\n",
			g.Group, g.Total, g.Satisfied, g.Gap, g.NotApplicable, g.Manual, g.NotChecked, g.Scored, score)
	}
	return b.String()
}

func TestAssessDoesNotChangeInput(t *testing.T) {
	cat := testCatalog(t)
	ev := []Evidence{
		{Requirement: "p2-2", Source: "vuln.known", Outcome: OutcomePass},
		{Requirement: "P2-2", Source: "cvd.policy", Outcome: OutcomeFail},
	}
	before := slices.Clone(ev)
	decisions := map[string]config.Decision{"P1-2b": {Applicable: no(), Justification: "x"}}
	res := Assess(cat, ev, decisions)
	if !slices.Equal(ev, before) {
		t.Errorf("evidence changed: %v", ev)
	}
	if len(decisions) != 1 || *decisions["P1-2b"].Applicable {
		t.Errorf("decisions changed: %v", decisions)
	}
	// The result does not alias the catalog.
	res.Requirements[0].Checks = append(res.Requirements[0].Checks, "x.y")
	if r, _ := cat.Get(res.Requirements[0].ID); len(r.Checks) != 0 {
		t.Errorf("catalog changed through the result: %v", r.Checks)
	}
}

// TestAssessRealCatalog runs the embedded catalog with no evidence: the
// three requirements craft has built-in checks for are not-checked, all
// others manual, and the order is the catalog's.
func TestAssessRealCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	res := Assess(cat, nil, nil)
	all := cat.All()
	if len(res.Requirements) != len(all) {
		t.Fatalf("%d statuses for %d requirements", len(res.Requirements), len(all))
	}
	var notChecked []string
	for i, rs := range res.Requirements {
		if rs.ID != all[i].ID {
			t.Errorf("position %d: %s, want %s", i, rs.ID, all[i].ID)
		}
		switch rs.Status {
		case StatusNotChecked:
			notChecked = append(notChecked, rs.ID)
		case StatusManual:
		default:
			t.Errorf("%s: status %s with no evidence and no decisions", rs.ID, rs.Status)
		}
	}
	if want := []string{"AI-P1-2a", "AI-P2-1", "AI-P2-2"}; !slices.Equal(notChecked, want) {
		t.Errorf("not-checked %v, want %v", notChecked, want)
	}
	if len(res.Groups) != len(cat.Groups()) || res.Overall.Total != len(all) || res.Overall.Scored != 3 {
		t.Errorf("summary: %d groups, overall %+v", len(res.Groups), res.Overall)
	}
}

func FuzzAssess(f *testing.F) {
	f.Add("P2-1", "sbom.generated", "pass", "P1-2a", uint8(0), "")
	f.Add("p2-2", "vuln.known", "fail", "P2-1", uint8(1), "why")
	f.Add("", "", "", "", uint8(2), "")
	cat := testCatalog(f)
	f.Fuzz(func(t *testing.T, req, src, outcome, decided string, applicable uint8, justification string) {
		var d config.Decision
		switch applicable % 3 {
		case 1:
			d.Applicable = no()
		case 2:
			d.Applicable = yes()
		}
		d.Justification = justification
		res := Assess(cat,
			[]Evidence{{Requirement: req, Source: src, Outcome: Outcome(outcome)}},
			map[string]config.Decision{decided: d})
		for _, g := range append(slices.Clone(res.Groups), res.Overall) {
			if g.Satisfied+g.Gap+g.NotApplicable+g.Manual+g.NotChecked != g.Total {
				t.Errorf("%s: counts do not add up: %+v", g.Group, g)
			}
			if g.Satisfied > g.Scored || g.Scored > g.Total {
				t.Errorf("%s: satisfied %d, scored %d, total %d", g.Group, g.Satisfied, g.Scored, g.Total)
			}
			if g.Score != nil && (*g.Score < 0 || *g.Score > 1) {
				t.Errorf("%s: score %v", g.Group, *g.Score)
			}
		}
		for _, rs := range res.Requirements {
			if rs.Message == "" {
				t.Errorf("%s: no message", rs.ID)
			}
			if rs.Status == StatusNotApplicable && rs.Justification == "" {
				t.Errorf("%s: not applicable without a justification", rs.ID)
			}
		}
	})
}

// TestAssessWithCraftYAML runs the embedded catalog, with checks added the
// way the checks engine adds them, against decisions read from a real
// craft.yaml.
func TestAssessWithCraftYAML(t *testing.T) {
	f, err := os.Open("testdata/craft.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := config.Parse("testdata/craft.yaml", f)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, err = cat.WithChecks(map[string][]string{
		"AI-P2-5": {"cvd.security-txt", "cvd.security-md"},
		"AI-P2-6": {"cvd.security-txt", "cvd.security-md"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := Assess(cat, []Evidence{
		{Requirement: "AI-P2-5", Source: "cvd.security-txt", Outcome: OutcomePass, Location: ".well-known/security.txt"},
		{Requirement: "AI-P2-6", Source: "cvd.security-md", Outcome: OutcomeFail, Detail: "SECURITY.md has no contact", Location: "SECURITY.md"},
		{Requirement: "AI-P2-1", Source: catalog.CheckSBOMGenerated, Outcome: OutcomePass, Detail: "12 components"},
	}, cfg.Requirements)

	want := map[string]Status{
		"AI-P1-2m": StatusNotApplicable,
		"AVII-1c":  StatusNotApplicable,
		"AI-P1-2e": StatusManual,
		"AI-P2-4":  StatusGap, // Part II always applies
		"AI-P2-5":  StatusSatisfied,
		"AI-P2-6":  StatusGap,
		"AI-P2-1":  StatusSatisfied,
		"AI-P2-2":  StatusNotChecked,
		"AI-P1-2a": StatusNotChecked,
		"ART13-1":  StatusManual,
	}
	for _, rs := range res.Requirements {
		if w, ok := want[rs.ID]; ok && rs.Status != w {
			t.Errorf("%s: %s (%s), want %s", rs.ID, rs.Status, rs.Message, w)
		}
	}
	wantProblems := []string{"craft.yaml requirements.AI-P1-2x: no such requirement (run `craft requirements` to list them)"}
	if !slices.Equal(res.Problems, wantProblems) {
		t.Errorf("problems %q, want %q", res.Problems, wantProblems)
	}
	// Annex I Part II: AI-P2-1, -2, -5 and -6 are scored (checks or
	// evidence), -1 and -5 satisfied. AI-P2-4 is a gap from the decision,
	// not from a check, so it counts as a gap but not in the score.
	part2 := res.Groups[1]
	if part2.Group != "annex-i-part-ii" || part2.Scored != 4 || part2.Manual != 3 || part2.Satisfied != 2 || part2.Gap != 2 || part2.NotChecked != 1 {
		t.Errorf("annex-i-part-ii summary: %s", summaries([]GroupSummary{part2}))
	}
}
