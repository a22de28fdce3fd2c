package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/craft-cra/craft/internal/checks"
)

// SARIF 2.1.0 (OASIS), the subset craft writes. GitHub code scanning reads
// rules[].properties["security-severity"] to rank alerts and needs a
// physical location on every result.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	Results    []sarifResult `json:"results"`
	ColumnKind string        `json:"columnKind,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifHelp          `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
	Precision        string   `json:"precision,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

const craftURI = "https://github.com/craft-cra/craft"

// SARIF writes failing and warning check results and open vulnerability
// findings as SARIF 2.1.0, each rule tagged with the CRA requirement IDs
// it evidences. Passing results are left out, as code-scanning tools
// expect.
func SARIF(w io.Writer, r *Report) error {
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "craft", Version: r.Tool.Version, InformationURI: craftURI, Rules: []sarifRule{}}},
		Results:    []sarifResult{},
		ColumnKind: "unicodeCodePoints",
	}
	ruleIndex := map[string]int{}
	addRule := func(rule sarifRule) int {
		if i, ok := ruleIndex[rule.ID]; ok {
			return i
		}
		ruleIndex[rule.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
		return ruleIndex[rule.ID]
	}

	if r.Checks != nil {
		byID := map[string]checks.Check{}
		for _, c := range r.Checks.Checks {
			byID[c.ID] = c
		}
		for _, res := range r.Checks.Results {
			if res.Outcome != checks.OutcomeFail && res.Outcome != checks.OutcomeWarn {
				continue
			}
			c := byID[res.CheckID]
			idx := addRule(checkRule(c))
			level := "warning"
			if res.Outcome == checks.OutcomeFail && c.Severity.Rank() >= checks.SeverityMedium.Rank() {
				level = "error"
			} else if res.Outcome == checks.OutcomeWarn && c.Severity.Rank() <= checks.SeverityLow.Rank() {
				level = "note"
			}
			msg := res.Message
			if res.Evidence != "" {
				msg += " (" + res.Evidence + ")"
			}
			run.Results = append(run.Results, sarifResult{
				RuleID: c.ID, RuleIndex: idx, Level: level,
				Message:   sarifText{Text: msg},
				Locations: checkLocations(res, r.Target),
			})
		}
	}
	if v := r.Vulnerabilities; v != nil {
		for _, f := range v.Findings {
			idx := addRule(vulnRule(f))
			level := "warning"
			if f.KEV != nil || levelRankOf(f.Severity.Level) >= 3 {
				level = "error"
			}
			msg := fmt.Sprintf("%s %s is affected by %s", f.Component.Name, f.Component.Version, f.ID)
			if f.Summary != "" {
				msg += ": " + f.Summary
			}
			if f.MinimumFix != "" {
				msg += fmt.Sprintf(". Upgrade to %s or later.", f.MinimumFix)
			}
			if f.KEV != nil {
				msg += fmt.Sprintf(" Actively exploited (CISA KEV since %s): Article 14 reporting applies.", f.KEV.DateAdded.Format("2006-01-02"))
			}
			locs := fileLocations(f.Component.Locations, r.Target)
			run.Results = append(run.Results, sarifResult{
				RuleID: f.ID, RuleIndex: idx, Level: level,
				Message:   sarifText{Text: msg},
				Locations: locs,
				// One alert per vulnerability and component, stable across
				// scans, so that code scanning tracks it over time.
				PartialFingerprints: map[string]string{"craftFinding/v1": f.ID + "|" + f.Component.ID},
				Properties:          map[string]any{"aliases": f.Aliases, "purl": f.Component.PURL},
			})
		}
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func checkRule(c checks.Check) sarifRule {
	tags := append([]string{"security", "cra"}, c.Requirements...)
	help := c.Remediation
	md := fmt.Sprintf("**Remediation:** %s\n\n**CRA requirements:** %s\n\n%s", c.Remediation, strings.Join(c.Requirements, ", "), c.Rationale)
	return sarifRule{
		ID:                   c.ID,
		Name:                 ruleName(c.ID),
		ShortDescription:     sarifText{Text: c.Title},
		FullDescription:      sarifText{Text: cmp.Or(c.Rationale, c.Title)},
		Help:                 sarifHelp{Text: cmp.Or(help, c.Title), Markdown: md},
		HelpURI:              craftURI + "/blob/main/" + c.Doc,
		DefaultConfiguration: sarifConfiguration{Level: checkLevel(c.Severity)},
		Properties:           sarifRuleProps{Tags: tags, SecuritySeverity: checkSecuritySeverity(c.Severity), Precision: "high"},
	}
}

func vulnRule(f Finding) sarifRule {
	score := f.Severity.Score
	if score == 0 {
		score = map[string]float64{"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 2.0}[f.Severity.Level]
	}
	if f.KEV != nil && score < 9.0 {
		// Actively exploited: rank with the critical alerts whatever the
		// base score says.
		score = 9.0
	}
	tags := []string{"security", "vulnerability", "cra", "AI-P1-2a", "AI-P2-2"}
	if f.KEV != nil {
		tags = append(tags, "actively-exploited", "RPT-VULN-EW")
	}
	summary := cmp.Or(f.Summary, f.ID)
	helpURL := ""
	for _, ref := range f.References {
		if ref.Type == "ADVISORY" {
			helpURL = ref.URL
			break
		}
	}
	if helpURL == "" {
		helpURL = "https://osv.dev/vulnerability/" + f.Evidence[0].RecordID
	}
	return sarifRule{
		ID:                   f.ID,
		Name:                 "KnownVulnerability",
		ShortDescription:     sarifText{Text: fmt.Sprintf("%s: %s", f.ID, summary)},
		FullDescription:      sarifText{Text: summary + " (also known as " + strings.Join(f.Aliases, ", ") + ")"},
		Help:                 sarifHelp{Text: fixText(f), Markdown: "**" + f.ID + "** " + summary + "\n\n" + fixText(f)},
		HelpURI:              helpURL,
		DefaultConfiguration: sarifConfiguration{Level: "error"},
		Properties:           sarifRuleProps{Tags: tags, SecuritySeverity: fmt.Sprintf("%.1f", score)},
	}
}

func fixText(f Finding) string {
	if f.MinimumFix != "" {
		return fmt.Sprintf("Upgrade %s to %s or later.", f.Component.Name, f.MinimumFix)
	}
	return "No fixed version is known; assess the impact, mitigate, and record the decision as VEX."
}

func checkLocations(res checks.Result, t Target) []sarifLocation {
	var out []sarifLocation
	for _, l := range res.Locations {
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: l.Path, URIBaseID: "%SRCROOT%"}}}
		if l.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: l.Line}
		}
		out = append(out, loc)
	}
	if len(out) == 0 {
		// Code scanning needs a location. Results about a missing file
		// already name the file to create (SECURITY.md,
		// .github/dependabot.yml); what is left is about the history (a
		// release tag), anchored at the scanned root's craft.yaml.
		out = fileLocations(nil, t)
	}
	return out
}

func fileLocations(paths []string, t Target) []sarifLocation {
	if len(paths) == 0 {
		p := "craft.yaml"
		if t.Kind == "sbom" {
			p = t.Path
		}
		paths = []string{p}
	}
	out := make([]sarifLocation, 0, len(paths))
	for _, p := range paths {
		out = append(out, sarifLocation{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifactLoc{URI: p, URIBaseID: "%SRCROOT%"},
			Region:           &sarifRegion{StartLine: 1},
		}})
	}
	return out
}

func checkLevel(s checks.Severity) string {
	switch {
	case s.Rank() >= checks.SeverityMedium.Rank():
		return "error"
	case s == checks.SeverityLow:
		return "warning"
	}
	return "note"
}

func checkSecuritySeverity(s checks.Severity) string {
	return map[checks.Severity]string{
		checks.SeverityCritical: "9.5", checks.SeverityHigh: "8.0", checks.SeverityMedium: "5.5",
		checks.SeverityLow: "3.0", checks.SeverityInfo: "0.0",
	}[s]
}

// ruleName turns "ci.actions-pinned" into "CiActionsPinned", the
// PascalCase SARIF suggests for rule names.
func ruleName(id string) string {
	parts := strings.FieldsFunc(id, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "")
}

func levelRankOf(level string) int {
	return slices.Index([]string{"low", "medium", "high", "critical"}, level) + 1
}
