package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/catalog"
	"github.com/craft-cra/craft/internal/checks"
	"github.com/craft-cra/craft/internal/config"
)

// checkFormats are the output formats of craft check.
var checkFormats = []string{"text", "json"}

// checkSchemaVersion versions the JSON output of craft check.
const checkSchemaVersion = "1"

type checkFlags struct {
	outputs []string
	only    []string
	skip    []string
	exclude []string
	failOn  string
}

func newCheckCmd(app *App) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Run the repository checks (disclosure policy, CI, pinning, secrets, support period ...) on a source tree",
		Long: `check runs craft's repository and configuration checks on DIR (default ".")
offline, from the files and the git history, and prints the results grouped by
the CRA requirement each check is evidence for. Every check is documented in
docs/checks.md.

Exit codes: 0 ok; 1 a check failed whose severity is at or above --fail-on;
2 usage error or unusable input.`,
		Example: `  craft check .
  craft check . --fail-on high
  craft check . -o json=checks.json --skip release.signed-tags`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, app, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "output format and optional file, FORMAT[=FILE], repeatable; formats: "+strings.Join(checkFormats, ", "))
	fl.StringArrayVar(&f.only, "only", nil, "run only this check ID, repeatable")
	fl.StringArrayVar(&f.skip, "skip", nil, "skip this check ID, repeatable")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "leave out paths matching this glob (relative to DIR, ** allowed), repeatable")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when a check at or above this severity fails: critical, high, medium, low")
	return cmd
}

func runCheck(cmd *cobra.Command, app *App, f *checkFlags, args []string) error {
	outputs, err := parseOutputs(f.outputs, checkFormats, "text")
	if err != nil {
		return err
	}
	var threshold checks.Severity
	if f.failOn != "" {
		sev, err := checks.ParseSeverity(f.failOn)
		if err != nil || sev == checks.SeverityInfo {
			return usageError("--fail-on %q: want critical, high, medium or low", f.failOn)
		}
		threshold = sev
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	if err := requireDir("check", dir); err != nil {
		return err
	}
	cfg, _, err := config.Load(dir)
	if err != nil {
		return usageError("%v", err)
	}
	rep, err := checks.Run(cmd.Context(), dir, cfg, checks.Options{Only: f.only, Skip: f.skip, Exclude: f.exclude, Now: app.Now()})
	if errors.Is(err, checks.ErrUnknownCheck) {
		return usageError("%v", err)
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	titles := requirementTitles()
	if err := writeOutputs(app, outputs, func(format string, w io.Writer) error {
		if format == "json" {
			return writeCheckJSON(w, rep)
		}
		return writeCheckText(w, dir, rep, titles)
	}); err != nil {
		return err
	}
	if threshold != "" && rep.Failed(threshold) {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("--fail-on %s: %s", threshold, failedList(rep, threshold))}
	}
	return nil
}

// requirementTitles maps requirement IDs to catalog titles; an unreadable
// catalog only costs the titles.
func requirementTitles() map[string]string {
	out := map[string]string{}
	cat, err := catalog.Load()
	if err != nil {
		return out
	}
	for _, r := range cat.All() {
		out[r.ID] = r.Title
	}
	return out
}

func failedList(rep *checks.Report, min checks.Severity) string {
	sev := map[string]checks.Severity{}
	for _, c := range rep.Checks {
		sev[c.ID] = c.Severity
	}
	var ids []string
	for _, r := range rep.Results {
		if r.Outcome == checks.OutcomeFail && sev[r.CheckID].Rank() >= min.Rank() && !slices.Contains(ids, r.CheckID) {
			ids = append(ids, r.CheckID)
		}
	}
	return "failed checks: " + strings.Join(ids, ", ")
}

// outcomeOrder sorts the worst outcome first within a requirement.
var outcomeOrder = map[checks.Outcome]int{
	checks.OutcomeFail: 0, checks.OutcomeError: 1, checks.OutcomeWarn: 2,
	checks.OutcomeSkipped: 3, checks.OutcomePass: 4, checks.OutcomeNotApplicable: 5,
}

func writeCheckText(w io.Writer, dir string, rep *checks.Report, titles map[string]string) error {
	counts := map[checks.Outcome]int{}
	for _, r := range rep.Results {
		counts[r.Outcome]++
	}
	byCheck := map[string]checks.Check{}
	order := map[string]int{}
	fixShown := map[string]string{} // check ID -> requirement it was first explained under
	var reqs []string
	for i, c := range rep.Checks {
		byCheck[c.ID] = c
		order[c.ID] = i
		for _, id := range c.Requirements {
			if !slices.Contains(reqs, id) {
				reqs = append(reqs, id)
			}
		}
	}
	slices.SortFunc(reqs, compareRequirementIDs)
	fmt.Fprintf(w, "craft check %s: %d checks; results: %d pass, %d fail, %d warn, %d not applicable, %d skipped, %d error\n",
		dir, len(rep.Checks), counts[checks.OutcomePass], counts[checks.OutcomeFail], counts[checks.OutcomeWarn],
		counts[checks.OutcomeNotApplicable], counts[checks.OutcomeSkipped], counts[checks.OutcomeError])
	for _, req := range reqs {
		fmt.Fprintf(w, "\n%s", req)
		if t := titles[req]; t != "" {
			fmt.Fprintf(w, "  %s", t)
		}
		fmt.Fprintln(w)
		var rows []checks.Result
		for _, r := range rep.Results {
			if slices.Contains(byCheck[r.CheckID].Requirements, req) {
				rows = append(rows, r)
			}
		}
		groupByCheck(rows, order)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, r := range rows {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", strings.ToUpper(string(r.Outcome)), r.CheckID, byCheck[r.CheckID].Severity, oneLine(r.Message))
			if loc := locationText(r.Locations); loc != "" {
				fmt.Fprintf(tw, "  \t\t\tat %s\n", loc)
			}
			if r.Evidence != "" {
				fmt.Fprintf(tw, "  \t\t\tevidence: %s\n", oneLine(r.Evidence))
			}
			if i+1 < len(rows) && rows[i+1].CheckID == r.CheckID {
				continue // the remediation follows the check's last result
			}
			if !slices.ContainsFunc(rows[:i+1], func(x checks.Result) bool { return x.CheckID == r.CheckID && needsFix(x) }) {
				continue
			}
			c := byCheck[r.CheckID]
			if first, seen := fixShown[c.ID]; seen {
				fmt.Fprintf(tw, "  \t\t\tfix: as under %s above\n", first)
				continue
			}
			fixShown[c.ID] = req
			if c.Remediation != "" {
				fmt.Fprintf(tw, "  \t\t\tfix: %s\n", oneLine(c.Remediation))
			}
			if c.Doc != "" {
				fmt.Fprintf(tw, "  \t\t\tsee %s\n", c.Doc)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if pages := docPages(rep.Checks); len(pages) > 0 {
		fmt.Fprintf(w, "\nEach check is explained, with its remediation, in %s.\n", joinAnd(pages))
	}
	return nil
}

// needsFix reports results that call for the check's remediation.
func needsFix(r checks.Result) bool {
	return r.Outcome == checks.OutcomeFail || r.Outcome == checks.OutcomeWarn
}

// groupByCheck orders a requirement's rows so that each check's results
// are together: checks by their worst outcome, then registry order; a
// check's own results worst first.
func groupByCheck(rows []checks.Result, order map[string]int) {
	worst := map[string]int{}
	for _, r := range rows {
		if o, ok := worst[r.CheckID]; !ok || outcomeOrder[r.Outcome] < o {
			worst[r.CheckID] = outcomeOrder[r.Outcome]
		}
	}
	slices.SortStableFunc(rows, func(a, b checks.Result) int {
		if d := worst[a.CheckID] - worst[b.CheckID]; d != 0 {
			return d
		}
		if d := order[a.CheckID] - order[b.CheckID]; d != 0 {
			return d
		}
		return outcomeOrder[a.Outcome] - outcomeOrder[b.Outcome]
	})
}

// docPages returns the documentation pages the checks point into
// (Check.Doc without its anchor), in check order.
func docPages(cs []checks.Check) []string {
	var pages []string
	for _, c := range cs {
		page, _, _ := strings.Cut(c.Doc, "#")
		if page != "" && !slices.Contains(pages, page) {
			pages = append(pages, page)
		}
	}
	return pages
}

func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// compareRequirementIDs orders Annex I Part I, Part II, then articles.
func compareRequirementIDs(a, b string) int {
	rank := func(id string) int {
		switch {
		case strings.HasPrefix(id, "AI-P1"):
			return 0
		case strings.HasPrefix(id, "AI-P2"):
			return 1
		case strings.HasPrefix(id, "ART"):
			return 2
		}
		return 3
	}
	if d := rank(a) - rank(b); d != 0 {
		return d
	}
	return strings.Compare(a, b)
}

func locationText(locs []checks.Location) string {
	parts := make([]string, 0, len(locs))
	for _, l := range locs {
		if l.Line > 0 {
			parts = append(parts, fmt.Sprintf("%s:%d", l.Path, l.Line))
		} else {
			parts = append(parts, l.Path)
		}
	}
	const max = 5
	if len(parts) > max {
		parts = append(parts[:max], fmt.Sprintf("and %d more", len(parts)-max))
	}
	return strings.Join(parts, ", ")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// checkJSON is the JSON output of craft check.
type checkJSON struct {
	SchemaVersion string                 `json:"schemaVersion"`
	Summary       map[checks.Outcome]int `json:"summary"`
	Checks        []checks.Check         `json:"checks"`
	Results       []checks.Result        `json:"results"`
	// Requirements maps each requirement ID to the checks evidencing it.
	Requirements map[string][]string `json:"requirements"`
}

func writeCheckJSON(w io.Writer, rep *checks.Report) error {
	out := checkJSON{
		SchemaVersion: checkSchemaVersion,
		Summary:       map[checks.Outcome]int{},
		Checks:        rep.Checks,
		Results:       rep.Results,
		Requirements:  map[string][]string{},
	}
	if out.Checks == nil {
		out.Checks = []checks.Check{}
	}
	if out.Results == nil {
		out.Results = []checks.Result{}
	}
	for _, r := range rep.Results {
		out.Summary[r.Outcome]++
	}
	for _, c := range rep.Checks {
		for _, id := range c.Requirements {
			out.Requirements[id] = append(out.Requirements[id], c.ID)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
