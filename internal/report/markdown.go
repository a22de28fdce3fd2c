package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/craft-cra/craft/internal/assess"
	"github.com/craft-cra/craft/internal/checks"
)

// Markdown writes a summary for a pull-request comment or a CI job summary
// ($GITHUB_STEP_SUMMARY): what needs action first, then the CRA picture.
func Markdown(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	name := r.Product.Name
	if name == "" {
		name = r.Target.Path
	}
	p("## craft: CRA report for %s\n\n", mdEscape(strings.TrimSpace(name+" "+r.Product.Version)))

	vulns, kev, suppressed := 0, 0, 0
	if v := r.Vulnerabilities; v != nil {
		vulns, kev, suppressed = len(v.Findings), v.KEVCount(), len(v.Suppressed)
	}
	failed := 0
	if r.Checks != nil {
		for _, res := range r.Checks.Results {
			if res.Outcome == checks.OutcomeFail {
				failed++
			}
		}
	}
	p("| | |\n|---|---|\n")
	p("| Components | %d |\n", len(r.Inventory.Components))
	if r.Vulnerabilities == nil {
		p("| Known vulnerabilities | not checked (no advisory database) |\n")
	} else {
		p("| Known vulnerabilities | %d open, %d actively exploited, %d suppressed by VEX |\n", vulns, kev, suppressed)
	}
	if r.Checks != nil {
		p("| Failed checks | %d |\n", failed)
	}
	o := r.Requirements.Overall
	p("| CRA requirements | %d with evidence, %d gaps, %d need manual evidence |\n\n", o.Satisfied, o.Gap, o.Manual)

	if kev > 0 {
		p("> [!CAUTION]\n> %d actively exploited %s (CISA KEV). In a product on the market this triggers the Article 14 reports: early warning (RPT-VULN-EW) within 24 hours of becoming aware, notification within 72 hours. AI-P1-2a fails.\n\n", kev, plural(kev, "vulnerability", "vulnerabilities"))
	}

	if vulns > 0 {
		p("### Vulnerabilities\n\n| | ID | Severity | Package | Installed | Fixed in | File |\n|---|---|---|---|---|---|---|\n")
		for _, f := range r.Vulnerabilities.Findings {
			mark := ""
			if f.KEV != nil {
				mark = "🔥 KEV"
			}
			sev := f.Severity.Level
			if f.Severity.Score > 0 {
				sev += fmt.Sprintf(" %.1f", f.Severity.Score)
			}
			p("| %s | %s | %s | %s | %s | %s | %s |\n", mark, mdEscape(f.ID), sev, mdEscape(f.Component.Name), mdEscape(f.Component.Version),
				mdEscape(orDash(f.MinimumFix)), mdEscape(strings.Join(f.Component.Locations, ", ")))
		}
		p("\n")
	}

	if failed > 0 {
		byID := map[string]checks.Check{}
		for _, c := range r.Checks.Checks {
			byID[c.ID] = c
		}
		p("### Failed checks\n\n| Severity | Check | Where | Problem | Requirements |\n|---|---|---|---|---|\n")
		for _, res := range r.Checks.Results {
			if res.Outcome != checks.OutcomeFail {
				continue
			}
			c := byID[res.CheckID]
			where := ""
			if len(res.Locations) > 0 {
				where = res.Locations[0].Path
				if res.Locations[0].Line > 0 {
					where += fmt.Sprintf(":%d", res.Locations[0].Line)
				}
			}
			p("| %s | `%s` | %s | %s | %s |\n", c.Severity, res.CheckID, mdEscape(where), mdEscape(res.Message), strings.Join(c.Requirements, ", "))
		}
		p("\n")
		if fix := remediations(r.Checks, checks.OutcomeFail); len(fix) > 0 {
			p("**How to fix**\n\n")
			for _, c := range fix {
				p("- `%s`: %s", c.ID, mdEscape(oneLine(c.Remediation)))
				if c.Doc != "" {
					p(" (see %s)", mdEscape(c.Doc))
				}
				p("\n")
			}
			p("\n")
		}
	}

	p("### CRA requirements\n\n| Part | Evidence found | Gaps | Manual | Not checked | Not applicable | Score |\n|---|---|---|---|---|---|---|\n")
	for _, g := range r.Requirements.Groups {
		score := "–"
		if g.Score != nil {
			score = fmt.Sprintf("%.0f%%", *g.Score*100)
		}
		p("| %s | %d | %d | %d | %d | %d | %s |\n", g.Name, g.Satisfied, g.Gap, g.Manual, g.NotChecked, g.NotApplicable, score)
	}
	p("\n")
	var gaps []assess.RequirementStatus
	for _, rs := range r.Requirements.Requirements {
		if rs.Status == assess.StatusGap {
			gaps = append(gaps, rs)
		}
	}
	if len(gaps) > 0 {
		p("**Gaps**\n\n")
		for _, g := range gaps {
			p("- **%s** %s: %s\n", g.ID, mdEscape(g.Title), mdEscape(g.Message))
		}
		p("\n")
	}
	for _, w := range r.Warnings {
		p("> [!WARNING]\n> %s\n\n", mdEscape(w))
	}
	p("<sub>craft %s · %s</sub>\n", mdEscape(r.Tool.Version), r.GeneratedAt.Format("2006-01-02 15:04 MST"))
	return bw.Flush()
}

// mdEscape keeps table cells intact and stops text from a scanned tree
// from turning into Markdown or HTML.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'", "[", `\[`, "]", `\]`).Replace(s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
