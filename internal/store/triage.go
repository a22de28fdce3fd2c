package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Triage statuses: the four OpenVEX statuses.
const (
	TriageUnderInvestigation = "under_investigation"
	TriageAffected           = "affected"
	TriageNotAffected        = "not_affected"
	TriageFixed              = "fixed"
)

// Triage scopes: the finding's release only, or every release of the same
// product that ships the same component version.
const (
	ScopeRelease     = "release"
	ScopeAllReleases = "all_releases"
)

// MaxTriageEntries caps one triage request: one transaction on SQLite holds
// the only write lock, so a request must stay short.
const MaxTriageEntries = 1000

// maxTriageText caps the comment and the action statement (runes).
const maxTriageText = 10000

// justifications are the five OpenVEX justifications of not_affected.
var justifications = []string{
	"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist",
}

// ComponentKey is how a triage decision names a component: its purl when it
// has one, else "ecosystem/name@version". The release pages post this key.
func ComponentKey(purl, ecosystem, name, version string) string {
	if purl != "" {
		return purl
	}
	return ecosystem + "/" + name + "@" + version
}

// Key is the finding's component key (see ComponentKey).
func (f Finding) Key() string {
	return ComponentKey(f.ComponentPURL, f.Ecosystem, f.ComponentName, f.ComponentVersion)
}

// TriageDecision is the current decision on one vulnerability in one
// component of one release. It outlives the findings row: it is applied
// again whenever the finding reappears.
type TriageDecision struct {
	ReleaseID       string
	VulnID          string
	ComponentKey    string
	Status          string
	Justification   string
	ActionStatement string
	Comment         string
	// DecidedBy is the actor as the audit log names it ("user:<id>").
	DecidedBy string
	DecidedAt time.Time
}

// TriageHistoryEntry is one change of a decision.
type TriageHistoryEntry struct {
	Seq             int64
	Actor           string
	At              time.Time
	From            string
	To              string
	Justification   string
	ActionStatement string
	Comment         string
}

// TriageEntry is one finding to decide: a vulnerability (its ID or an
// alias) in a component (ComponentKey) of the request's release.
type TriageEntry struct {
	VulnID          string
	ComponentKey    string
	Status          string
	Justification   string
	ActionStatement string
	Comment         string
}

// TriageRequest decides several findings of one release in one transaction.
type TriageRequest struct {
	ProductID string
	ReleaseID string
	// Scope is ScopeRelease (default when empty) or ScopeAllReleases.
	Scope   string
	Actor   string
	Entries []TriageEntry
}

// TriageOutcome is one decision a request stored: entry Index applied to
// release ReleaseID (its own release, or another one for all_releases).
type TriageOutcome struct {
	Index        int
	ReleaseID    string
	Version      string
	VulnID       string
	ComponentKey string
	From         string
	To           string
}

// TriageEntryError says which entry of a request is invalid; it wraps
// ErrInvalid (or ErrNotFound for an entry naming no finding).
type TriageEntryError struct {
	Index int
	Err   error
}

func (e *TriageEntryError) Error() string {
	return fmt.Sprintf("findings[%d]: %v", e.Index, e.Err)
}

func (e *TriageEntryError) Unwrap() error { return e.Err }

// CheckTriageEntry validates the status, justification, action statement
// and comment of e: affected needs an action statement, not_affected one
// of the five OpenVEX justifications, every change a comment.
func CheckTriageEntry(e TriageEntry) error {
	switch e.Status {
	case TriageUnderInvestigation, TriageAffected, TriageNotAffected, TriageFixed:
	case "":
		return fmt.Errorf("%w: status is required: under_investigation, affected, not_affected or fixed", ErrInvalid)
	default:
		return fmt.Errorf("%w: status %q is not one of under_investigation, affected, not_affected, fixed", ErrInvalid, shortText(e.Status))
	}
	if strings.TrimSpace(e.Comment) == "" {
		return fmt.Errorf("%w: a comment is required: say why", ErrInvalid)
	}
	if n := len([]rune(e.Comment)); n > maxTriageText {
		return fmt.Errorf("%w: comment is %d characters, more than %d", ErrInvalid, n, maxTriageText)
	}
	if n := len([]rune(e.ActionStatement)); n > maxTriageText {
		return fmt.Errorf("%w: action_statement is %d characters, more than %d", ErrInvalid, n, maxTriageText)
	}
	if e.Status == TriageNotAffected {
		if e.Justification == "" {
			return fmt.Errorf("%w: not_affected needs a justification: one of %s", ErrInvalid, strings.Join(justifications, ", "))
		}
		ok := false
		for _, j := range justifications {
			ok = ok || j == e.Justification
		}
		if !ok {
			return fmt.Errorf("%w: justification %q is not one of %s", ErrInvalid, shortText(e.Justification), strings.Join(justifications, ", "))
		}
	} else if e.Justification != "" {
		return fmt.Errorf("%w: a justification belongs to not_affected only, not to %s", ErrInvalid, e.Status)
	}
	if e.Status == TriageAffected && strings.TrimSpace(e.ActionStatement) == "" {
		return fmt.Errorf("%w: affected needs an action_statement: what users should do", ErrInvalid)
	}
	if e.Status != TriageAffected && e.ActionStatement != "" {
		return fmt.Errorf("%w: an action_statement belongs to affected only, not to %s", ErrInvalid, e.Status)
	}
	if strings.TrimSpace(e.VulnID) == "" || strings.TrimSpace(e.ComponentKey) == "" {
		return fmt.Errorf("%w: vuln_id and component are required", ErrInvalid)
	}
	return nil
}

// shortText cuts an echoed value so that an error never carries a huge input.
func shortText(s string) string {
	r := []rune(s)
	if len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// Triage stores the decisions of req in one transaction: every entry is
// validated and must name a current finding of the release (by its ID or an
// alias, and its component key); one bad entry stores nothing and the
// error (a *TriageEntryError) names it. With ScopeAllReleases each decision
// is also stored for every other release of the product whose SBOM ships
// the same component version. Each change is appended to the history and
// findings.status follows.
func (s *Store) Triage(ctx context.Context, req TriageRequest) ([]TriageOutcome, error) {
	if len(req.Entries) == 0 {
		return nil, fmt.Errorf("store: triage: %w: no findings given", ErrInvalid)
	}
	if len(req.Entries) > MaxTriageEntries {
		return nil, fmt.Errorf("store: triage: %w: %d findings, at most %d per request", ErrInvalid, len(req.Entries), MaxTriageEntries)
	}
	switch req.Scope {
	case "", ScopeRelease, ScopeAllReleases:
	default:
		return nil, fmt.Errorf("store: triage: %w: scope %q is not release or all_releases", ErrInvalid, shortText(req.Scope))
	}
	for i, e := range req.Entries {
		if err := CheckTriageEntry(e); err != nil {
			return nil, &TriageEntryError{Index: i, Err: err}
		}
	}
	if strings.TrimSpace(req.Actor) == "" {
		return nil, fmt.Errorf("store: triage: %w: no actor", ErrInvalid)
	}
	now := s.now()
	var out []TriageOutcome
	err := s.inTx(ctx, "triage", func(tx *sql.Tx) error {
		out = nil
		var version string
		if err := tx.QueryRowContext(ctx, `SELECT version FROM releases WHERE id = $1 AND product_id = $2`,
			req.ReleaseID, req.ProductID).Scan(&version); err != nil {
			return notFound(err)
		}
		current, err := releaseFindings(ctx, tx, req.ReleaseID)
		if err != nil {
			return err
		}
		touched := map[string]bool{req.ReleaseID: true}
		first := map[string]int{} // finding → index of the entry that named it first
		for i, e := range req.Entries {
			f, ok := findFinding(current, e.VulnID, e.ComponentKey)
			if !ok {
				return &TriageEntryError{Index: i, Err: fmt.Errorf("%w: release %s has no finding %s in component %s",
					ErrNotFound, version, shortText(e.VulnID), shortText(e.ComponentKey))}
			}
			// One decision per finding and request: a second entry (also
			// through an alias) would only add a no-op to the history.
			k := f.VulnID + "\x00" + f.Key()
			if j, dup := first[k]; dup {
				return &TriageEntryError{Index: i, Err: fmt.Errorf("%w: finding %s in component %s is listed twice (also entry %d)",
					ErrInvalid, f.VulnID, shortText(f.Key()), j)}
			}
			first[k] = i
			e.VulnID = f.VulnID
			targets := []releaseRef{{id: req.ReleaseID, version: version}}
			if req.Scope == ScopeAllReleases {
				others, err := releasesShipping(ctx, tx, req.ProductID, req.ReleaseID, e.ComponentKey)
				if err != nil {
					return err
				}
				targets = append(targets, others...)
			}
			for _, t := range targets {
				from, err := putDecision(ctx, tx, t.id, e, req.Actor, now)
				if err != nil {
					return err
				}
				touched[t.id] = true
				out = append(out, TriageOutcome{Index: i, ReleaseID: t.id, Version: t.version, VulnID: e.VulnID,
					ComponentKey: e.ComponentKey, From: from, To: e.Status})
			}
		}
		for id := range touched {
			if err := applyTriage(ctx, tx, id); err != nil {
				return err
			}
		}
		return bumpFindingsVersion(ctx, tx)
	})
	if err != nil {
		var te *TriageEntryError
		if errors.As(err, &te) {
			return nil, te
		}
		return nil, err
	}
	return out, nil
}

type releaseRef struct{ id, version string }

// findFinding finds the finding of vuln (its ID or an alias, any case) in
// the component with key.
func findFinding(fs []Finding, vuln, key string) (Finding, bool) {
	for _, f := range fs {
		if f.Key() == key && vulnNamed(f, vuln) {
			return f, true
		}
	}
	return Finding{}, false
}

// vulnNamed reports whether id is the finding's ID or one of its aliases.
func vulnNamed(f Finding, id string) bool {
	if strings.EqualFold(f.VulnID, id) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.EqualFold(a, id) {
			return true
		}
	}
	return false
}

// releasesShipping lists the product's other releases whose SBOM ships the
// component with key (by purl, or by ecosystem/name@version for components
// without one).
func releasesShipping(ctx context.Context, tx *sql.Tx, productID, exceptRelease, key string) ([]releaseRef, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT r.id, r.version FROM releases r
		JOIN release_components c ON c.release_id = r.id
		WHERE r.product_id = $1 AND r.id <> $2
		AND (c.purl = $3 OR (c.purl = '' AND c.ecosystem || '/' || c.name || '@' || c.version = $3))
		ORDER BY r.version`, productID, exceptRelease, key)
	if err != nil {
		return nil, fmt.Errorf("releases shipping the component: %w", err)
	}
	defer rows.Close()
	var out []releaseRef
	for rows.Next() {
		var r releaseRef
		if err := rows.Scan(&r.id, &r.version); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// putDecision upserts one decision and appends its history entry; it
// returns the status before.
func putDecision(ctx context.Context, tx *sql.Tx, releaseID string, e TriageEntry, actor string, now time.Time) (string, error) {
	from := TriageUnderInvestigation
	err := tx.QueryRowContext(ctx, `SELECT status FROM triage_decisions WHERE release_id = $1 AND vuln_id = $2
		AND component_key = $3`, releaseID, e.VulnID, e.ComponentKey).Scan(&from)
	had := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read decision: %w", err)
	}
	if had {
		_, err = tx.ExecContext(ctx, `UPDATE triage_decisions SET status = $4, justification = $5, action_statement = $6,
			comment = $7, decided_by = $8, decided_at = $9 WHERE release_id = $1 AND vuln_id = $2 AND component_key = $3`,
			releaseID, e.VulnID, e.ComponentKey, e.Status, e.Justification, e.ActionStatement, e.Comment, actor, toDB(now))
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO triage_decisions (release_id, vuln_id, component_key, status,
			justification, action_statement, comment, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			releaseID, e.VulnID, e.ComponentKey, e.Status, e.Justification, e.ActionStatement, e.Comment, actor, toDB(now))
	}
	if err != nil {
		return "", fmt.Errorf("store decision: %w", err)
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM triage_history WHERE release_id = $1
		AND vuln_id = $2 AND component_key = $3`, releaseID, e.VulnID, e.ComponentKey).Scan(&seq); err != nil {
		return "", fmt.Errorf("history sequence: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO triage_history (release_id, vuln_id, component_key, seq, actor, at,
		from_status, to_status, justification, action_statement, comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		releaseID, e.VulnID, e.ComponentKey, seq+1, actor, toDB(now), from, e.Status, e.Justification,
		e.ActionStatement, e.Comment); err != nil {
		return "", fmt.Errorf("store history: %w", err)
	}
	return from, nil
}

// applyTriage sets findings.status of every finding of the release from the
// stored decisions (under_investigation where none applies). It runs in the
// caller's transaction: after a triage and after every re-match.
func applyTriage(ctx context.Context, tx *sql.Tx, releaseID string) error {
	ds, err := releaseDecisions(ctx, tx, releaseID)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		// The common case of a re-match: nothing decided, so one statement
		// instead of reading every finding back.
		if _, err := tx.ExecContext(ctx, `UPDATE findings SET status = $2 WHERE release_id = $1 AND status <> $2`,
			releaseID, TriageUnderInvestigation); err != nil {
			return fmt.Errorf("apply triage: %w", err)
		}
		return nil
	}
	fs, err := releaseFindings(ctx, tx, releaseID)
	if err != nil {
		return err
	}
	byKey := make(map[string][]TriageDecision, len(ds))
	for _, d := range ds {
		byKey[d.ComponentKey] = append(byKey[d.ComponentKey], d)
	}
	for _, f := range fs {
		want := TriageUnderInvestigation
		if d, ok := DecisionFor(byKey[f.Key()], f); ok {
			want = d.Status
		}
		if want == f.Status {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE findings SET status = $4 WHERE release_id = $1 AND vuln_id = $2
			AND component_id = $3`, releaseID, f.VulnID, f.ComponentID, want); err != nil {
			return fmt.Errorf("apply triage: %w", err)
		}
	}
	return nil
}

// DecisionFor returns the decision among ds (one release's) that applies to
// f: same component key, and its vulnerability is f's ID or one of f's
// aliases. When several apply (one under the CVE, one under a GHSA alias)
// the latest wins.
func DecisionFor(ds []TriageDecision, f Finding) (TriageDecision, bool) {
	var best TriageDecision
	found := false
	key := f.Key()
	for _, d := range ds {
		if d.ComponentKey != key || !vulnNamed(f, d.VulnID) {
			continue
		}
		if !found || d.DecidedAt.After(best.DecidedAt) {
			best, found = d, true
		}
	}
	return best, found
}

// ListTriageDecisions returns the stored decisions of a release, including
// those for findings not currently matched.
func (s *Store) ListTriageDecisions(ctx context.Context, releaseID string) ([]TriageDecision, error) {
	ds, err := releaseDecisions(ctx, s.q(), releaseID)
	if err != nil {
		return nil, fmt.Errorf("store: list triage decisions: %w", err)
	}
	return ds, nil
}

func releaseDecisions(ctx context.Context, q rowsQuerier, releaseID string) ([]TriageDecision, error) {
	rows, err := q.QueryContext(ctx, `SELECT vuln_id, component_key, status, justification, action_statement, comment,
		decided_by, decided_at FROM triage_decisions WHERE release_id = $1 ORDER BY vuln_id, component_key`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TriageDecision
	for rows.Next() {
		d := TriageDecision{ReleaseID: releaseID}
		var at int64
		if err := rows.Scan(&d.VulnID, &d.ComponentKey, &d.Status, &d.Justification, &d.ActionStatement, &d.Comment,
			&d.DecidedBy, &at); err != nil {
			return nil, err
		}
		d.DecidedAt = fromDB(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// TriageHistory returns the changes of the decisions on vulnerability vuln
// (its ID or, through the finding, an alias) in the component with key,
// oldest first. Entries stored under an alias of the finding are included
// when the release currently has the finding.
func (s *Store) TriageHistory(ctx context.Context, releaseID, vuln, key string) ([]TriageHistoryEntry, error) {
	ids := []string{vuln}
	fs, err := releaseFindings(ctx, s.q(), releaseID)
	if err != nil {
		return nil, fmt.Errorf("store: triage history: %w", err)
	}
	if f, ok := findFinding(fs, vuln, key); ok {
		ids = append([]string{f.VulnID}, f.Aliases...)
	}
	var out []TriageHistoryEntry
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[strings.ToUpper(id)] {
			continue
		}
		seen[strings.ToUpper(id)] = true
		rows, err := s.q().QueryContext(ctx, `SELECT seq, actor, at, from_status, to_status, justification,
			action_statement, comment FROM triage_history WHERE release_id = $1 AND vuln_id = $2 AND component_key = $3
			ORDER BY seq`, releaseID, id, key)
		if err != nil {
			return nil, fmt.Errorf("store: triage history: %w", err)
		}
		for rows.Next() {
			var (
				h  TriageHistoryEntry
				at int64
			)
			if err := rows.Scan(&h.Seq, &h.Actor, &at, &h.From, &h.To, &h.Justification, &h.ActionStatement, &h.Comment); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: triage history: %w", err)
			}
			h.At = fromDB(at)
			out = append(out, h)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: triage history: %w", err)
		}
	}
	sortHistory(out)
	return out, nil
}

// sortHistory orders entries by time, then sequence (stable insertion sort:
// the lists are short).
func sortHistory(h []TriageHistoryEntry) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && (h[j].At.Before(h[j-1].At) || (h[j].At.Equal(h[j-1].At) && h[j].Seq < h[j-1].Seq)); j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
