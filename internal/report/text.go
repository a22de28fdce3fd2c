package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/craft-cra/craft/internal/assess"
	"github.com/craft-cra/craft/internal/checks"
)

// Text writes the report for a person at a terminal: what was scanned, the
// components per ecosystem, skipped inputs, vulnerabilities (actively
// exploited first), failing checks, and the CRA requirement table.
func Text(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	title := r.Product.Name
	if title != "" && r.Product.Version != "" {
		title += " " + r.Product.Version
	}
	p("craft %s scan of %s", r.Target.Kind, r.Target.Path)
	if title != "" {
		p(" (product %s)", title)
	}
	p("\n\n")

	textInventory(p, &r.Inventory)
	textVulnerabilities(bw, p, r.Vulnerabilities)
	textChecks(bw, p, r.Checks)
	textRequirements(bw, p, &r.Requirements)

	if len(r.Warnings) > 0 {
		p("\nWarnings\n")
		for _, w := range r.Warnings {
			p("  ! %s\n", w)
		}
	}
	return bw.Flush()
}

type printer func(format string, args ...any)

func textInventory(p printer, inv *Inventory) {
	var parts []string
	for _, e := range inv.Ecosystems {
		parts = append(parts, fmt.Sprintf("%s %d", e.Ecosystem, e.Count))
	}
	p("Components: %d", len(inv.Components))
	if len(parts) > 0 {
		p(" (%s)", strings.Join(parts, ", "))
	}
	if n := len(inv.Files); n > 0 {
		p(" from %d %s", n, plural(n, "file", "files"))
	}
	p("\n")
	if len(inv.Skipped) > 0 {
		p("Skipped inputs: %d\n", len(inv.Skipped))
		for _, s := range inv.Skipped {
			p("  - %s: %s\n", s.Path, s.Reason)
		}
	}
}

func textVulnerabilities(w io.Writer, p printer, v *Vulnerabilities) {
	p("\nVulnerabilities\n")
	if v == nil {
		p("  not checked: no advisory database (run `craft db update`, or `craft db import` offline)\n")
		return
	}
	updated := "never"
	if !v.Database.UpdatedAt.IsZero() {
		updated = v.Database.UpdatedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	p("  database %s, updated %s\n", v.Database.Path, updated)
	if len(v.Findings) == 0 {
		p("  no known vulnerabilities in the components found\n")
	} else {
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintf(tw, "  \tID\tSEVERITY\tPACKAGE\tINSTALLED\tFIXED IN\tWHERE\n")
		for _, f := range v.Findings {
			mark := " "
			if f.KEV != nil {
				mark = "!"
			}
			sev := f.Severity.Level
			if f.Severity.Score > 0 {
				sev += fmt.Sprintf(" %.1f", f.Severity.Score)
			}
			fix := f.MinimumFix
			if fix == "" {
				fix = "-"
			}
			where := strings.Join(f.Component.Locations, ", ")
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, f.ID, sev, f.Component.Name, f.Component.Version, fix, where)
			if f.VEX != nil {
				fmt.Fprintf(tw, "  \t\tVEX %s\t%s\t\t\t\n", f.VEX.Status, f.VEX.Source)
			}
		}
		tw.Flush()
		if n := v.KEVCount(); n > 0 {
			p("\n  ! %d actively exploited (CISA KEV). An actively exploited vulnerability in a product on\n", n)
			p("    the market triggers the Article 14 reports: early warning (RPT-VULN-EW) within 24 hours\n")
			p("    of becoming aware, notification within 72 hours; it also fails AI-P1-2a.\n")
			for _, f := range v.Findings {
				if f.KEV != nil {
					p("    %s in %s %s: in KEV since %s\n", f.ID, f.Component.Name, f.Component.Version, f.KEV.DateAdded.Format("2006-01-02"))
				}
			}
		}
	}
	if len(v.Suppressed) > 0 {
		p("  suppressed by VEX: %d\n", len(v.Suppressed))
		for _, f := range v.Suppressed {
			reason := f.VEX.Justification
			if reason == "" {
				reason = f.VEX.ImpactStatement
			}
			p("    %s in %s %s: not_affected (%s) per %s\n", f.ID, f.Component.Name, f.Component.Version, reason, f.VEX.Source)
		}
	}
	if len(v.EndOfLife) > 0 {
		p("  past end of life or support: %d\n", len(v.EndOfLife))
		for _, e := range v.EndOfLife {
			p("    %s %s: %s %s on %s (%s)\n", e.Name, e.Version, e.Product, e.Cycle, e.Date.Format("2006-01-02"), e.Kind)
		}
	}
}

func textChecks(w io.Writer, p printer, rep *checks.Report) {
	if rep == nil {
		return
	}
	counts := map[checks.Outcome]int{}
	for _, res := range rep.Results {
		counts[res.Outcome]++
	}
	p("\nChecks: %d run, %d passed, %d failed, %d warnings\n", len(rep.Checks), counts[checks.OutcomePass], counts[checks.OutcomeFail], counts[checks.OutcomeWarn])
	byID := map[string]checks.Check{}
	for _, c := range rep.Checks {
		byID[c.ID] = c
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	for _, res := range rep.Results {
		if res.Outcome == checks.OutcomePass || res.Outcome == checks.OutcomeNotApplicable {
			continue
		}
		loc := ""
		if len(res.Locations) > 0 {
			loc = res.Locations[0].Path
			if res.Locations[0].Line > 0 {
				loc += fmt.Sprintf(":%d", res.Locations[0].Line)
			}
		}
		c := byID[res.CheckID]
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(res.Outcome)), c.Severity, res.CheckID, loc, res.Message)
	}
	tw.Flush()
	if fix := remediations(rep, checks.OutcomeFail, checks.OutcomeWarn); len(fix) > 0 {
		p("\n  To fix:\n")
		for _, c := range fix {
			p("    %s: %s", c.ID, oneLine(c.Remediation))
			if c.Doc != "" {
				p(" (see %s)", c.Doc)
			}
			p("\n")
		}
	}
}

// remediations returns, once each and in report order, the checks that
// have a result with one of the outcomes and a remediation to show.
func remediations(rep *checks.Report, outcomes ...checks.Outcome) []checks.Check {
	want := map[string]bool{}
	for _, res := range rep.Results {
		for _, o := range outcomes {
			if res.Outcome == o {
				want[res.CheckID] = true
			}
		}
	}
	var out []checks.Check
	for _, c := range rep.Checks {
		if want[c.ID] && strings.TrimSpace(c.Remediation) != "" {
			out = append(out, c)
		}
	}
	return out
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func textRequirements(w io.Writer, p printer, res *assess.Result) {
	p("\nCRA requirements\n")
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "  ID\tSTATUS\tTITLE\n")
	for _, rs := range res.Requirements {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", rs.ID, statusLabel(rs.Status), rs.Title)
	}
	tw.Flush()
	p("\n")
	for _, g := range res.Groups {
		score := "-"
		if g.Score != nil {
			score = fmt.Sprintf("%.0f%%", *g.Score*100)
		}
		p("  %-40s %2d evidence found, %2d gaps, %2d manual, %2d not checked, %2d not applicable; score %s\n",
			g.Name+":", g.Satisfied, g.Gap, g.Manual, g.NotChecked, g.NotApplicable, score)
	}
	for _, prob := range res.Problems {
		p("  ! %s\n", prob)
	}
}

// statusLabel is the wording of a status in the text report.
func statusLabel(s assess.Status) string {
	switch s {
	case assess.StatusSatisfied:
		return "evidence found"
	case assess.StatusGap:
		return "GAP"
	case assess.StatusManual:
		return "needs manual evidence"
	case assess.StatusNotChecked:
		return "not yet checked"
	case assess.StatusNotApplicable:
		return "not applicable"
	}
	return string(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
