package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/craft-cra/craft/internal/assess"
	"github.com/craft-cra/craft/internal/checks"
)

//go:embed report.html.tmpl
var htmlTemplate string

// HTML writes the report as one self-contained page: no external assets,
// no script, charts as inline SVG, so it can be archived with the
// technical documentation and opened anywhere.
func HTML(w io.Writer, r *Report) error {
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"statusLabel": func(s assess.Status) string { return statusLabel(s) },
		"join":        strings.Join,
		"pct": func(f *float64) string {
			if f == nil {
				return "–"
			}
			return fmt.Sprintf("%.0f%%", *f*100)
		},
	}).Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	return tmpl.Execute(w, htmlView(r))
}

type htmlData struct {
	*Report
	Title         string
	SeverityChart []bar
	CoverageChart []coverageRow
	// CoverageHeight is the height of the coverage chart in pixels.
	CoverageHeight int
	FailedChecks   []failedCheck
	Gaps           []assess.RequirementStatus
}

type bar struct {
	Label  string
	Count  int
	X      int // bar start
	Width  int
	Y      int
	Class  string
	LabelX int
}

type coverageRow struct {
	Name     string
	Y        int
	Segments []segment
	Score    *float64
}

type segment struct {
	X, Width int
	Class    string
	Count    int
	Label    string
}

type failedCheck struct {
	checks.Result
	Check checks.Check
	Where string
}

const chartWidth = 360

func htmlView(r *Report) htmlData {
	d := htmlData{Report: r, Title: strings.TrimSpace(r.Product.Name + " " + r.Product.Version)}
	if d.Title == "" {
		d.Title = r.Target.Path
	}

	counts := map[string]int{}
	max := 0
	if r.Vulnerabilities != nil {
		for _, f := range r.Vulnerabilities.Findings {
			counts[f.Severity.Level]++
			if f.KEV != nil {
				counts["kev"]++
			}
		}
	}
	levels := []struct{ key, label string }{{"kev", "actively exploited"}, {"critical", "critical"}, {"high", "high"}, {"medium", "medium"}, {"low", "low"}, {"unknown", "unknown"}}
	for _, l := range levels {
		max = maxInt(max, counts[l.key])
	}
	for i, l := range levels {
		w := 0
		if max > 0 {
			w = counts[l.key] * (chartWidth - 150) / max
		}
		d.SeverityChart = append(d.SeverityChart, bar{Label: l.label, Count: counts[l.key], X: 130, Width: w, Y: i * 26, Class: "sev-" + l.key, LabelX: 136 + w})
	}

	for i, g := range r.Requirements.Groups {
		row := coverageRow{Name: g.Name, Y: i * 30, Score: g.Score}
		parts := []struct {
			n            int
			class, label string
		}{{g.Satisfied, "st-satisfied", "evidence found"}, {g.Gap, "st-gap", "gaps"}, {g.NotChecked, "st-not-checked", "not checked"}, {g.Manual, "st-manual", "manual"}, {g.NotApplicable, "st-na", "not applicable"}}
		x := 0
		for _, p := range parts {
			if g.Total == 0 || p.n == 0 {
				continue
			}
			w := p.n * chartWidth / g.Total
			row.Segments = append(row.Segments, segment{X: x, Width: w, Class: p.class, Count: p.n, Label: p.label})
			x += w
		}
		d.CoverageChart = append(d.CoverageChart, row)
	}

	d.CoverageHeight = len(d.CoverageChart) * 30

	if r.Checks != nil {
		byID := map[string]checks.Check{}
		for _, c := range r.Checks.Checks {
			byID[c.ID] = c
		}
		for _, res := range r.Checks.Results {
			if res.Outcome != checks.OutcomeFail && res.Outcome != checks.OutcomeWarn {
				continue
			}
			fc := failedCheck{Result: res, Check: byID[res.CheckID]}
			if len(res.Locations) > 0 {
				fc.Where = res.Locations[0].Path
				if res.Locations[0].Line > 0 {
					fc.Where += fmt.Sprintf(":%d", res.Locations[0].Line)
				}
			}
			d.FailedChecks = append(d.FailedChecks, fc)
		}
	}
	for _, rs := range r.Requirements.Requirements {
		if rs.Status == assess.StatusGap {
			d.Gaps = append(d.Gaps, rs)
		}
	}
	return d
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
