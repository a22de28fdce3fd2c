package server

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/store"
)

// article14Flag marks a KEV-listed finding in a release in support.
const article14Flag = "actively exploited — Article 14 reporting may apply"

// article14Applies says whether a finding carries article14Flag: KEV-listed,
// in a release in support, and not triaged not_affected or fixed (the
// manufacturer has decided it does not, or no longer, concern the product,
// so the flag would only mislead the officer who decides on reporting).
func article14Applies(f store.Finding, supportStatus string) bool {
	return f.KEVDateAdded != "" && inSupport(supportStatus) &&
		f.Status != store.TriageNotAffected && f.Status != store.TriageFixed
}

// maxFindingsQuery caps ?q= (characters).
const maxFindingsQuery = 200

type findingComponentJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Ecosystem string `json:"ecosystem,omitempty"`
	PURL      string `json:"purl,omitempty"`
	// Key names the component in triage requests: the purl, else
	// "ecosystem/name@version" (store.ComponentKey).
	Key string `json:"key"`
}

type findingSeverityJSON struct {
	Level string  `json:"level"`
	Score float64 `json:"score,omitempty"`
}

// findingTriageJSON is the stored decision behind a finding's status.
type findingTriageJSON struct {
	Justification   string `json:"justification,omitempty"`
	ActionStatement string `json:"action_statement,omitempty"`
	DecidedBy       string `json:"decided_by"`
	// DecidedByEmail is the e-mail address of the user DecidedBy names;
	// absent for tokens and users that no longer exist.
	DecidedByEmail string    `json:"decided_by_email,omitempty"`
	DecidedAt      time.Time `json:"decided_at"`
}

type findingJSON struct {
	ID                string               `json:"id"`
	Aliases           []string             `json:"aliases"`
	Component         findingComponentJSON `json:"component"`
	Severity          findingSeverityJSON  `json:"severity"`
	MinimumFix        string               `json:"minimum_fix,omitempty"`
	KEVDateAdded      string               `json:"kev_date_added,omitempty"`
	ActivelyExploited bool                 `json:"actively_exploited"`
	// Flag and Note are article14Flag for a KEV-listed finding in a
	// release in support; "" otherwise. Note is the name issue 6 asks
	// for; Flag stays for existing callers.
	Flag string `json:"flag,omitempty"`
	Note string `json:"note,omitempty"`
	// Case is the disclosure case handling this finding; "" until the
	// cases feature links one (store.CasesForRelease).
	Case      string             `json:"case"`
	Status    string             `json:"status"`
	Triage    *findingTriageJSON `json:"triage,omitempty"`
	FirstSeen time.Time          `json:"first_seen"`
	LastSeen  time.Time          `json:"last_seen"`
}

// findingsJSON is a page of a release's findings with the release's
// identity: {"product_id", "version", "support_status", "items",
// "next_cursor"}.
type findingsJSON struct {
	ProductID     string `json:"product_id"`
	Version       string `json:"version"`
	SupportStatus string `json:"support_status"`
	Page[findingJSON]
}

// findingsCursor is the sort key of the last finding of a page, in the
// order of store.ListReleaseFindings.
type findingsCursor struct {
	KEV       string `json:"k"`
	Level     string `json:"l"`
	Score     int64  `json:"s"`
	Vuln      string `json:"v"`
	Component string `json:"c"`
}

func cursorOf(f findingJSON) any {
	return findingsCursor{KEV: f.KEVDateAdded, Level: f.Severity.Level, Score: int64(f.Severity.Score*10 + 0.5),
		Vuln: f.ID, Component: f.Component.ID}
}

func severityRank(l string) int {
	switch l {
	case "critical":
		return 0
	case "high":
		return 1
	case "medium":
		return 2
	case "low":
		return 3
	case "none":
		return 4
	}
	return 5
}

// compareFindingKey orders as store.ListReleaseFindings does: KEV-listed
// first (earliest added first), then severity level, score (highest first),
// vulnerability and component.
func compareFindingKey(a, b findingsCursor) int {
	if (a.KEV != "") != (b.KEV != "") {
		if a.KEV != "" {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.KEV, b.KEV); c != 0 {
		return c
	}
	if c := cmp.Compare(severityRank(a.Level), severityRank(b.Level)); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Vuln, b.Vuln); c != 0 {
		return c
	}
	return cmp.Compare(a.Component, b.Component)
}

// findingsFilter is the parsed ?severity=, ?status=, ?kev= and ?q=.
type findingsFilter struct {
	severities map[string]bool
	statuses   map[string]bool
	kev        *bool
	q          string
}

func parseFindingsFilter(r *http.Request) (findingsFilter, error) {
	q := r.URL.Query()
	var f findingsFilter
	list := func(name string, allowed ...string) (map[string]bool, error) {
		v := q.Get(name)
		if v == "" {
			return nil, nil
		}
		out := map[string]bool{}
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			ok := false
			for _, a := range allowed {
				ok = ok || a == item
			}
			if !ok {
				return nil, badRequest("%s: %q is not one of %s", name, shorten(item, 40), strings.Join(allowed, ", "))
			}
			out[item] = true
		}
		return out, nil
	}
	var err error
	if f.severities, err = list("severity", "critical", "high", "medium", "low", "none", "unknown"); err != nil {
		return f, err
	}
	if f.statuses, err = list("status", store.TriageUnderInvestigation, store.TriageAffected, store.TriageNotAffected, store.TriageFixed); err != nil {
		return f, err
	}
	switch v := q.Get("kev"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.kev = &b
	default:
		return f, badRequest("kev: want true or false, got %q", shorten(v, 20))
	}
	f.q = strings.ToLower(strings.TrimSpace(q.Get("q")))
	if len([]rune(f.q)) > maxFindingsQuery {
		return f, badRequest("q: longer than %d characters", maxFindingsQuery)
	}
	return f, nil
}

func (f findingsFilter) match(fj findingJSON) bool {
	level := fj.Severity.Level
	if severityRank(level) == 5 {
		level = "unknown"
	}
	if f.severities != nil && !f.severities[level] {
		return false
	}
	if f.statuses != nil && !f.statuses[fj.Status] {
		return false
	}
	if f.kev != nil && *f.kev != (fj.KEVDateAdded != "") {
		return false
	}
	if f.q == "" {
		return true
	}
	hay := []string{fj.ID, fj.Component.Name, fj.Component.PURL, fj.Component.Key}
	hay = append(hay, fj.Aliases...)
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), f.q) {
			return true
		}
	}
	return false
}

// releaseFindings is a release with its findings as the API shows them.
type releaseFindings struct {
	ProductID     string
	Profile       store.ProductProfile
	Release       store.Release
	SupportStatus string
	Findings      []findingJSON
}

// loadReleaseFindings reads release version of product productID with its
// findings and the decisions behind their statuses.
func (s *Server) loadReleaseFindings(ctx context.Context, productID, version string) (releaseFindings, error) {
	prof, err := s.store.GetProductProfile(ctx, productID)
	if err != nil {
		return releaseFindings{}, err
	}
	rel, err := s.store.GetRelease(ctx, productID, version)
	if err != nil {
		return releaseFindings{}, err
	}
	fs, err := s.store.ListReleaseFindings(ctx, rel.ID)
	if err != nil {
		return releaseFindings{}, err
	}
	ds, err := s.store.ListTriageDecisions(ctx, rel.ID)
	if err != nil {
		return releaseFindings{}, err
	}
	out := releaseFindings{ProductID: productID, Profile: prof, Release: rel, SupportStatus: supportStatus(prof, s.now()),
		Findings: make([]findingJSON, 0, len(fs))}
	caseRefs, err := s.store.CasesForRelease(ctx, productID, rel.Version)
	if err != nil {
		return releaseFindings{}, err
	}
	byKey := make(map[string][]store.TriageDecision, len(ds))
	for _, d := range ds {
		byKey[d.ComponentKey] = append(byKey[d.ComponentKey], d)
	}
	for _, f := range fs {
		fj := findingJSON{ID: f.VulnID, Aliases: f.Aliases,
			Component: findingComponentJSON{ID: f.ComponentID, Name: f.ComponentName, Version: f.ComponentVersion,
				Ecosystem: f.Ecosystem, PURL: f.ComponentPURL, Key: f.Key()},
			Severity:   findingSeverityJSON{Level: f.SeverityLevel, Score: float64(f.SeverityScore) / 10},
			MinimumFix: f.MinimumFix, KEVDateAdded: f.KEVDateAdded, ActivelyExploited: f.KEVDateAdded != "",
			Status: f.Status, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen}
		if fj.Aliases == nil {
			fj.Aliases = []string{}
		}
		if article14Applies(f, out.SupportStatus) {
			fj.Flag, fj.Note = article14Flag, article14Flag
		}
		fj.Case = caseRefs[store.FindingCaseKey(f.VulnID, f.ComponentID)]
		if d, ok := store.DecisionFor(byKey[f.Key()], f); ok {
			fj.Triage = &findingTriageJSON{Justification: d.Justification, ActionStatement: d.ActionStatement,
				DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt}
		}
		out.Findings = append(out.Findings, fj)
	}
	return out, nil
}

// listFindings is GET /api/v1/products/{product}/releases/{version}/findings:
// a page of the release's current findings as the last re-match stored
// them, KEV first, then by severity, filtered by ?severity=, ?status=,
// ?kev= and ?q= (in IDs, aliases, component name, purl).
func (s *Server) listFindings(w http.ResponseWriter, r *http.Request) error {
	filter, err := parseFindingsFilter(r)
	if err != nil {
		return err
	}
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	var after findingsCursor
	hasCursor, err := pr.Decode(&after)
	if err != nil {
		return err
	}
	rf, err := s.loadReleaseFindings(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	rows := make([]findingJSON, 0, min(len(rf.Findings), pr.Limit+1))
	for _, fj := range rf.Findings {
		if hasCursor && compareFindingKey(cursorOf(fj).(findingsCursor), after) <= 0 {
			continue
		}
		if !filter.match(fj) {
			continue
		}
		rows = append(rows, fj)
		if len(rows) > pr.Limit {
			break
		}
	}
	if err := s.fillDeciders(r.Context(), rows); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, findingsJSON{ProductID: rf.ProductID, Version: rf.Release.Version,
		SupportStatus: rf.SupportStatus, Page: newPage(rows, pr.Limit, cursorOf)})
}

// fillDeciders sets DecidedByEmail on the decisions of fs, with one user
// query for all of them.
func (s *Server) fillDeciders(ctx context.Context, fs []findingJSON) error {
	var actors []string
	for _, f := range fs {
		if f.Triage != nil {
			actors = append(actors, f.Triage.DecidedBy)
		}
	}
	names, err := s.resolveActors(ctx, actors...)
	if err != nil {
		return err
	}
	for i := range fs {
		if t := fs[i].Triage; t != nil {
			t.DecidedByEmail = names.email(t.DecidedBy)
		}
	}
	return nil
}
