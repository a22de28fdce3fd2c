// Package assess turns evidence into a status per CRA requirement: it joins
// the requirement catalog, the evidence of one craft run (checks, SBOM,
// vulnerability matching) and the manufacturer's decisions from craft.yaml,
// and summarises the result per group of the regulation.
//
// The rules are documented in docs/requirements.md; in short, for each
// requirement, in this order:
//
//   - declared not applicable: a gap if the requirement always applies or
//     the justification is missing, otherwise not-applicable;
//   - any failing evidence: gap;
//   - passing (or warning) evidence: satisfied;
//   - craft has checks for it, but none reached a verdict: not-checked;
//   - otherwise: manual, listing the evidence the requirement wants.
//
// A group's score is satisfied / scored, where scored counts the applicable
// requirements that craft checks: those with a contributing check or with
// evidence in this run.
package assess

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/craft-cra/craft/internal/catalog"
	"github.com/craft-cra/craft/internal/config"
)

// Outcome is the verdict of one piece of evidence.
type Outcome string

// Outcomes of evidence. OutcomeNotApplicable means the source did not apply
// to this target (no CI configuration to inspect, say); it neither
// satisfies nor fails a requirement, and only the manufacturer can declare
// a requirement not applicable. OutcomeError means the source could not
// reach a verdict.
const (
	OutcomePass          Outcome = "pass"
	OutcomeFail          Outcome = "fail"
	OutcomeWarn          Outcome = "warn"
	OutcomeNotApplicable Outcome = "not-applicable"
	OutcomeError         Outcome = "error"
)

// Evidence is one result that bears on one requirement.
type Evidence struct {
	// Requirement is a catalog ID, compared case-insensitively.
	Requirement string `json:"requirement"`
	// Source is the check ID or stage that produced it, e.g. "sbom.generated".
	Source  string  `json:"source"`
	Outcome Outcome `json:"outcome"`
	// Detail says what was found, in a sentence.
	Detail string `json:"detail,omitempty"`
	// Location points at what was inspected: a path, path:line or URL.
	Location string `json:"location,omitempty"`
}

// Status is the assessed state of one requirement.
type Status string

// Statuses, in the order reports list them.
const (
	StatusGap           Status = "gap"
	StatusNotChecked    Status = "not-checked"
	StatusManual        Status = "manual"
	StatusSatisfied     Status = "satisfied"
	StatusNotApplicable Status = "not-applicable"
)

// RequirementStatus is the assessment of one requirement.
type RequirementStatus struct {
	ID            string                `json:"id"`
	Group         string                `json:"group"`
	Title         string                `json:"title"`
	Applicability catalog.Applicability `json:"applicability"`
	Automation    catalog.Automation    `json:"automation"`
	Status        Status                `json:"status"`
	// Message explains the status and what to do next.
	Message string `json:"message"`
	// Justification is the manufacturer's reason for not applicable.
	Justification string `json:"justification,omitempty"`
	// Evidence is every piece of evidence for the requirement, failing
	// first, then by source and location.
	Evidence []Evidence `json:"evidence"`
	// Wanted lists the kinds of evidence the requirement asks for, when the
	// manufacturer still has to provide some (gap, manual, not-checked, and
	// satisfied requirements that craft evidences only in part).
	Wanted []string `json:"wanted,omitempty"`
	// Checks are the craft checks that contribute evidence.
	Checks []string `json:"checks"`
	// Scored is true when the requirement counts in its group's score.
	Scored bool `json:"scored"`
}

// GroupSummary counts the statuses of one group's requirements.
type GroupSummary struct {
	Group         string `json:"group"`
	Name          string `json:"name"`
	Total         int    `json:"total"`
	Satisfied     int    `json:"satisfied"`
	Gap           int    `json:"gap"`
	NotApplicable int    `json:"notApplicable"`
	Manual        int    `json:"manual"`
	NotChecked    int    `json:"notChecked"`
	// Scored is the number of applicable requirements craft checks.
	Scored int `json:"scored"`
	// Score is Satisfied / Scored, between 0 and 1; nil when Scored is 0.
	Score *float64 `json:"score"`
}

// Result is the assessment of one run.
type Result struct {
	// Requirements holds every catalog requirement, in catalog order.
	Requirements []RequirementStatus `json:"requirements"`
	// Groups holds one summary per catalog group, in catalog order.
	Groups []GroupSummary `json:"groups"`
	// Overall sums all groups (Group "all").
	Overall GroupSummary `json:"overall"`
	// Problems lists input that could not be used: evidence or decisions
	// naming unknown requirements, unknown outcomes, duplicate decisions.
	// Sorted; empty when all input was used.
	Problems []string `json:"problems"`
}

// Assess computes the status of every requirement in cat from the evidence
// ev and the manufacturer's decisions (craft.yaml's requirements section,
// keyed by requirement ID, compared case-insensitively). It does not change
// its arguments.
func Assess(cat *catalog.Catalog, ev []Evidence, decisions map[string]config.Decision) Result {
	var problems []string
	problem := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	byReq := map[string][]Evidence{}
	for _, e := range ev {
		r, ok := cat.Get(e.Requirement)
		if !ok {
			problem("evidence from %q names unknown requirement %q", e.Source, e.Requirement)
			continue
		}
		switch e.Outcome {
		case OutcomePass, OutcomeFail, OutcomeWarn, OutcomeNotApplicable, OutcomeError:
		default:
			problem("evidence from %q for %s has unknown outcome %q and was not used", e.Source, r.ID, e.Outcome)
			continue
		}
		e.Requirement = r.ID
		byReq[r.ID] = append(byReq[r.ID], e)
	}

	keys := make([]string, 0, len(decisions))
	for k := range decisions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	decided := map[string]string{} // catalog ID -> craft.yaml key used
	for _, k := range keys {
		r, ok := cat.Get(k)
		if !ok {
			problem("craft.yaml requirements.%s: no such requirement (run `craft requirements` to list them)", k)
			continue
		}
		if first, dup := decided[r.ID]; dup {
			problem("craft.yaml decides %s twice (as %q and %q); using %q", r.ID, first, k, first)
			continue
		}
		decided[r.ID] = k
	}

	groupNote := map[string]string{}
	for _, g := range cat.Groups() {
		groupNote[g.ID] = g.Applicability
	}

	res := Result{Requirements: []RequirementStatus{}}
	for _, r := range cat.All() {
		var d *config.Decision
		if k, ok := decided[r.ID]; ok {
			dec := decisions[k]
			d = &dec
		}
		res.Requirements = append(res.Requirements, assessOne(r, byReq[r.ID], d, groupNote[r.Group]))
	}

	for _, g := range cat.Groups() {
		s := GroupSummary{Group: g.ID, Name: g.Name}
		for _, rs := range res.Requirements {
			if rs.Group == g.ID {
				s.add(rs)
			}
		}
		s.finish()
		res.Groups = append(res.Groups, s)
	}
	res.Overall = GroupSummary{Group: "all", Name: "All requirements"}
	for _, rs := range res.Requirements {
		res.Overall.add(rs)
	}
	res.Overall.finish()

	slices.Sort(problems)
	res.Problems = slices.Compact(problems)
	if res.Problems == nil {
		res.Problems = []string{}
	}
	return res
}

func assessOne(r catalog.Requirement, ev []Evidence, d *config.Decision, groupNote string) RequirementStatus {
	ev = slices.Clone(ev)
	slices.SortStableFunc(ev, func(a, b Evidence) int {
		return cmp.Or(
			cmp.Compare(outcomeRank(a.Outcome), outcomeRank(b.Outcome)),
			cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Location, b.Location),
			cmp.Compare(a.Detail, b.Detail),
		)
	})
	if ev == nil {
		ev = []Evidence{}
	}
	rs := RequirementStatus{
		ID:            r.ID,
		Group:         r.Group,
		Title:         r.Title,
		Applicability: r.Applicability,
		Automation:    r.Automation,
		Evidence:      ev,
		Checks:        r.Checks,
	}
	var fails, passes, warns, errs, nas []Evidence
	for _, e := range ev {
		switch e.Outcome {
		case OutcomeFail:
			fails = append(fails, e)
		case OutcomePass:
			passes = append(passes, e)
		case OutcomeWarn:
			warns = append(warns, e)
		case OutcomeError:
			errs = append(errs, e)
		case OutcomeNotApplicable:
			nas = append(nas, e)
		}
	}
	verdicts := len(fails) + len(passes) + len(warns)

	if d != nil && d.Applicable != nil && !*d.Applicable {
		rs.Justification = strings.TrimSpace(d.Justification)
		switch {
		case r.Applicability == catalog.Always:
			rs.Status = StatusGap
			rs.Message = fmt.Sprintf("craft.yaml declares %s not applicable, but it always applies: %s Remove the decision and provide the evidence.", r.ID, groupNote)
			rs.Wanted = r.Evidence
		case rs.Justification == "":
			rs.Status = StatusGap
			rs.Message = fmt.Sprintf("craft.yaml declares %s not applicable without a justification; Art. 13(4) requires a clear one in the technical documentation.", r.ID)
			rs.Wanted = r.Evidence
		default:
			rs.Status = StatusNotApplicable
			rs.Message = "Declared not applicable in craft.yaml, with a justification."
			if len(fails) > 0 {
				rs.Message += fmt.Sprintf(" craft still found %s from %s; make sure the justification holds.", plural(len(fails), "failing result"), sources(fails))
			}
		}
		rs.Scored = rs.Status != StatusNotApplicable && (r.Checkable() || verdicts > 0)
		return rs
	}

	rs.Scored = r.Checkable() || verdicts > 0
	switch {
	case len(fails) > 0:
		rs.Status = StatusGap
		rs.Message = fmt.Sprintf("%s from %s.", capitalise(plural(len(fails), "failing result")), sources(fails))
		rs.Wanted = r.Evidence
	case verdicts > 0:
		rs.Status = StatusSatisfied
		ok := append(slices.Clone(passes), warns...)
		rs.Message = "Evidenced by " + sources(ok)
		if len(warns) > 0 {
			rs.Message += fmt.Sprintf(", with %s", plural(len(warns), "warning"))
		}
		rs.Message += "."
		if r.Automation != catalog.Automatic {
			rs.Message += " craft covers only part of this requirement; keep the other evidence it wants too."
			rs.Wanted = r.Evidence
		}
	case r.Checkable() && len(errs) > 0:
		rs.Status = StatusNotChecked
		rs.Message = fmt.Sprintf("%s from %s could not complete; fix the cause and run craft again.", capitalise(plural(len(errs), "check")), sources(errs))
		rs.Wanted = r.Evidence
	case len(nas) > 0:
		rs.Status = StatusManual
		// Nothing craft ran applied here, so the item is the
		// manufacturer's to evidence and does not count in the score.
		rs.Scored = false
		rs.Message = fmt.Sprintf("craft's %s from %s did not apply to this target; provide the evidence yourself", plural(len(nas), "result"), sources(nas))
		if r.Applicability != catalog.Always {
			rs.Message += ", or declare it not applicable with a justification"
		}
		rs.Message += "."
		rs.Wanted = r.Evidence
	case r.Checkable():
		rs.Status = StatusNotChecked
		rs.Message = fmt.Sprintf("craft has checks for this (%s), but none ran in this run.", strings.Join(r.Checks, ", "))
		rs.Wanted = r.Evidence
	default:
		rs.Status = StatusManual
		if r.Automation == catalog.Manual {
			rs.Message = "craft cannot evidence this automatically; keep the evidence it wants in the technical documentation."
		} else {
			rs.Message = "craft has no check for this yet; keep the evidence it wants in the technical documentation."
		}
		rs.Wanted = r.Evidence
	}
	return rs
}

func (s *GroupSummary) add(rs RequirementStatus) {
	s.Total++
	switch rs.Status {
	case StatusSatisfied:
		s.Satisfied++
	case StatusGap:
		s.Gap++
	case StatusNotApplicable:
		s.NotApplicable++
	case StatusManual:
		s.Manual++
	case StatusNotChecked:
		s.NotChecked++
	}
	if rs.Scored {
		s.Scored++
	}
}

func (s *GroupSummary) finish() {
	if s.Scored > 0 {
		score := float64(s.Satisfied) / float64(s.Scored)
		s.Score = &score
	}
}

// outcomeRank orders evidence for display: failing first.
func outcomeRank(o Outcome) int {
	switch o {
	case OutcomeFail:
		return 0
	case OutcomeError:
		return 1
	case OutcomeWarn:
		return 2
	case OutcomePass:
		return 3
	}
	return 4
}

// sources names the distinct sources of ev, in order.
func sources(ev []Evidence) string {
	var names []string
	for _, e := range ev {
		if !slices.Contains(names, e.Source) {
			names = append(names, e.Source)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
