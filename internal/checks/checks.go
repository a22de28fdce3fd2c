// Package checks runs repository and configuration checks on a source tree
// and ties each result to the CRA requirements it is evidence for.
//
// A [Check] is plain data plus a Run function; [Registry] is the explicit
// list of every check; [Run] walks a tree once, runs the selected checks
// and returns a [Report]. Checks are offline: they read the checkout and its
// git history, never the network.
package checks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/config"
)

// Outcome is the verdict of one result.
type Outcome string

// Outcomes. A check that cannot apply to the tree (no CI, no .git) reports
// OutcomeNotApplicable with a message saying why. OutcomeSkipped is set by
// the engine, never by a check: craft.yaml marks every requirement the
// check evidences as not applicable. OutcomeError means the check could
// not complete (an unreadable file, a corrupt git object); it is neither a
// pass nor a finding.
const (
	OutcomePass          Outcome = "pass"
	OutcomeFail          Outcome = "fail"
	OutcomeWarn          Outcome = "warn"
	OutcomeNotApplicable Outcome = "not-applicable"
	OutcomeSkipped       Outcome = "skipped"
	OutcomeError         Outcome = "error"
)

// Severity is how much a failing check matters.
type Severity string

// Severities, from most to least severe.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Rank orders severities: critical is 4, info 0, unknown -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	case SeverityInfo:
		return 0
	}
	return -1
}

// ParseSeverity reads a severity name (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToLower(strings.TrimSpace(s)))
	if sev.Rank() < 0 {
		return "", fmt.Errorf("severity %q: want critical, high, medium, low or info", s)
	}
	return sev, nil
}

// Location points into the scanned tree. Path is a slash path relative to
// the root; Line is 1-based, 0 when the result is about the whole file.
type Location struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
}

// Result is one verdict of one check. A check may return several results
// (one per offending file, say). Evidence is a short excerpt that shows why;
// secrets in it are redacted.
type Result struct {
	CheckID   string     `json:"checkId"`
	Outcome   Outcome    `json:"outcome"`
	Message   string     `json:"message"`
	Locations []Location `json:"locations,omitempty"`
	Evidence  string     `json:"evidence,omitempty"`
}

// Check is one rule. ID is stable and documented in docs/checks.md (Doc is
// the anchor there). Requirements are CRA requirement IDs from the catalog
// (AI-P2-5, ART13-8b, ...). Run must not panic on bad input, must honour
// ctx, and returns an error only when it cannot reach a verdict; returning
// no results means pass.
type Check struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Requirements []string `json:"requirements"`
	Severity     Severity `json:"severity"`
	Rationale    string   `json:"rationale"`
	Remediation  string   `json:"remediation"`
	Doc          string   `json:"doc"`

	Run func(ctx context.Context, repo *Repo) ([]Result, error) `json:"-"`
}

// docBase is the page every Check.Doc points into.
const docBase = "docs/checks.md#"

// Registry returns every check craft knows, in report order. The list is
// explicit: a check that is not here does not run.
func Registry() []Check {
	return slices.Concat(
		processChecks(),
		secdefaultChecks(), // secure-by-default configuration rules
	)
}

// Options selects checks and fixes the clock.
type Options struct {
	// Only runs just these check IDs; empty means all.
	Only []string
	// Skip leaves these check IDs out.
	Skip []string
	// Now is the clock for date checks; zero means time.Now().
	Now time.Time
	// Exclude adds glob patterns (doublestar syntax, relative to the root)
	// to craft.yaml's scan.exclude.
	Exclude []string
}

// Report is the outcome of a run: the checks that ran (registry order) and
// their results, sorted by check order, then location.
type Report struct {
	Checks  []Check  `json:"checks"`
	Results []Result `json:"results"`
}

// ErrUnknownCheck is returned when Options name a check that does not exist.
var ErrUnknownCheck = errors.New("unknown check")

// Run walks root once and runs the selected checks of the [Registry] on it.
func Run(ctx context.Context, root string, cfg config.Config, opts Options) (*Report, error) {
	return RunChecks(ctx, Registry(), root, cfg, opts)
}

// RunChecks is [Run] with an explicit list of checks (tests, the server).
func RunChecks(ctx context.Context, all []Check, root string, cfg config.Config, opts Options) (*Report, error) {
	selected, err := selectChecks(all, opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	repo, err := OpenRepo(ctx, root, cfg, now, opts.Exclude...)
	if err != nil {
		return nil, err
	}
	rep := &Report{Checks: selected}
	for _, c := range selected {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, runOne(ctx, c, repo)...)
	}
	return rep, nil
}

// selectChecks applies --only and --skip; unknown IDs are an error so that
// a typo does not silently drop a check.
func selectChecks(all []Check, only, skip []string) ([]Check, error) {
	known := make(map[string]bool, len(all))
	for _, c := range all {
		known[c.ID] = true
	}
	for _, id := range slices.Concat(only, skip) {
		if !known[id] {
			return nil, fmt.Errorf("%w %q (see docs/checks.md for the list)", ErrUnknownCheck, id)
		}
	}
	var out []Check
	for _, c := range all {
		if len(only) > 0 && !slices.Contains(only, c.ID) {
			continue
		}
		if slices.Contains(skip, c.ID) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// runOne runs a check unless craft.yaml decided it away, recovers a panic
// at the plugin boundary, fills CheckID and sorts the results.
func runOne(ctx context.Context, c Check, repo *Repo) (results []Result) {
	if r, skipped := decidedAway(c, repo.Config); skipped {
		return []Result{r}
	}
	defer func() {
		if p := recover(); p != nil {
			results = []Result{{CheckID: c.ID, Outcome: OutcomeError, Message: fmt.Sprintf("check failed: %v", p)}}
		}
	}()
	if c.Run == nil {
		return []Result{{CheckID: c.ID, Outcome: OutcomeError, Message: "check has no Run function"}}
	}
	res, err := c.Run(ctx, repo)
	if err != nil {
		return []Result{{CheckID: c.ID, Outcome: OutcomeError, Message: err.Error()}}
	}
	if len(res) == 0 {
		return []Result{{CheckID: c.ID, Outcome: OutcomePass, Message: "no problems found"}}
	}
	for i := range res {
		res[i].CheckID = c.ID
	}
	slices.SortStableFunc(res, compareResults)
	return res
}

func compareResults(a, b Result) int {
	return cmp.Or(
		cmp.Compare(firstPath(a), firstPath(b)),
		cmp.Compare(firstLine(a), firstLine(b)),
	)
}

func firstPath(r Result) string {
	if len(r.Locations) == 0 {
		return ""
	}
	return r.Locations[0].Path
}

func firstLine(r Result) int {
	if len(r.Locations) == 0 {
		return 0
	}
	return r.Locations[0].Line
}

// decidedAway reports whether craft.yaml marks every requirement of c as
// not applicable. With justifications the check is skipped and says why; a
// decision without a justification is itself a gap (Art. 13(4)) and fails.
func decidedAway(c Check, cfg config.Config) (Result, bool) {
	if len(c.Requirements) == 0 || len(cfg.Requirements) == 0 {
		return Result{}, false
	}
	decisions := make(map[string]config.Decision, len(cfg.Requirements))
	for id, d := range cfg.Requirements {
		decisions[strings.ToUpper(strings.TrimSpace(id))] = d // IDs are case-insensitive
	}
	var why, missing []string
	for _, id := range c.Requirements {
		d, ok := decisions[strings.ToUpper(id)]
		if !ok || d.Applicable == nil || *d.Applicable {
			return Result{}, false
		}
		if strings.TrimSpace(d.Justification) == "" {
			missing = append(missing, id)
			continue
		}
		why = append(why, id+": "+d.Justification)
	}
	if len(missing) > 0 {
		return Result{
			CheckID: c.ID,
			Outcome: OutcomeFail,
			Message: fmt.Sprintf("craft.yaml marks %s not applicable without a justification (Art. 13(4) requires one); the check was not run",
				strings.Join(missing, ", ")),
			Locations: []Location{{Path: config.FileName}},
		}, true
	}
	return Result{
		CheckID:   c.ID,
		Outcome:   OutcomeSkipped,
		Message:   "not applicable per craft.yaml: " + strings.Join(why, "; "),
		Locations: []Location{{Path: config.FileName}},
	}, true
}

// Failed reports whether any result is a failure of a check whose severity
// is at or above min. It is what --fail-on decides on.
func (r *Report) Failed(min Severity) bool {
	sev := make(map[string]Severity, len(r.Checks))
	for _, c := range r.Checks {
		sev[c.ID] = c.Severity
	}
	for _, res := range r.Results {
		if res.Outcome == OutcomeFail && sev[res.CheckID].Rank() >= min.Rank() {
			return true
		}
	}
	return false
}
