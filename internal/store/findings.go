package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Finding is one vulnerability in one component of a release, as the last
// re-match found it.
type Finding struct {
	VulnID           string
	ComponentID      string
	Aliases          []string
	ComponentPURL    string
	ComponentName    string
	ComponentVersion string
	Ecosystem        string
	SeverityLevel    string
	// SeverityScore is the CVSS base score times ten (98 for 9.8); 0 when
	// unknown.
	SeverityScore int64
	MinimumFix    string
	// KEVDateAdded is the KEV catalog's dateAdded ("2025-01-23"); "" when
	// the vulnerability is not KEV-listed.
	KEVDateAdded string
	FirstSeen    time.Time
	LastSeen     time.Time
	// Status is the triage state; under_investigation until triaged.
	Status string
}

// Finding event kinds: the notifications a re-match queues.
const (
	EventFindingNew      = "finding.new"
	EventFindingKEV      = "finding.kev"
	EventFindingSeverity = "finding.severity"
)

// FindingEvent is a change a re-match found.
type FindingEvent struct {
	Kind    string
	VulnID  string
	Subject string
}

// FindingsUpdate is the outcome of a re-match of one release.
type FindingsUpdate struct {
	ReleaseID   string
	ProductID   string
	ProductName string
	Version     string
	Findings    []Finding
}

// ReplaceReleaseFindings makes findings the release's current findings in
// one transaction: findings seen before keep first_seen and status, those
// no longer found are deleted, and every new finding, newly KEV-listed
// finding and severity change is queued as a notification (a fixed
// sentence, no report contents). It returns the events queued.
func (s *Store) ReplaceReleaseFindings(ctx context.Context, u FindingsUpdate) ([]FindingEvent, error) {
	now := toDB(s.now())
	var events []FindingEvent
	err := s.inTx(ctx, "replace release findings", func(tx *sql.Tx) error {
		events = nil
		// Lock the release first (a row lock on PostgreSQL, the write lock
		// on SQLite): two re-matches of one release never interleave. The
		// findings digest is cleared: this path does not keep it
		// (findings_batch_digest.go).
		res, err := tx.ExecContext(ctx, `UPDATE releases SET findings_digest = '' WHERE id = $1`, u.ReleaseID)
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return err
		}
		prev, err := releaseFindings(ctx, tx, u.ReleaseID)
		if err != nil {
			return err
		}
		old := make(map[[2]string]Finding, len(prev))
		for _, f := range prev {
			old[[2]string{f.VulnID, f.ComponentID}] = f
		}
		seen := make(map[[2]string]bool, len(u.Findings))
		for _, f := range u.Findings {
			k := [2]string{f.VulnID, f.ComponentID}
			if seen[k] {
				continue
			}
			seen[k] = true
			o, had := old[k]
			aliases := strings.Join(f.Aliases, "\n")
			if had {
				if _, err := tx.ExecContext(ctx, `UPDATE findings SET aliases = $4, component_purl = $5,
					component_name = $6, component_version = $7, ecosystem = $8, severity_level = $9,
					severity_score = $10, minimum_fix = $11, kev_date_added = $12, last_seen = $13
					WHERE release_id = $1 AND vuln_id = $2 AND component_id = $3`,
					u.ReleaseID, f.VulnID, f.ComponentID, aliases, f.ComponentPURL, f.ComponentName,
					f.ComponentVersion, f.Ecosystem, f.SeverityLevel, f.SeverityScore, f.MinimumFix,
					f.KEVDateAdded, now); err != nil {
					return err
				}
			} else if _, err := tx.ExecContext(ctx, `INSERT INTO findings (release_id, vuln_id, component_id,
				aliases, component_purl, component_name, component_version, ecosystem, severity_level,
				severity_score, minimum_fix, kev_date_added, first_seen, last_seen)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
				u.ReleaseID, f.VulnID, f.ComponentID, aliases, f.ComponentPURL, f.ComponentName,
				f.ComponentVersion, f.Ecosystem, f.SeverityLevel, f.SeverityScore, f.MinimumFix,
				f.KEVDateAdded, now); err != nil {
				return err
			}
			where := fmt.Sprintf("in product %s release %s", u.ProductName, u.Version)
			switch {
			case !had:
				events = appendNewFindingEvents(events, f, where)
			default:
				if o.KEVDateAdded == "" && f.KEVDateAdded != "" {
					events = append(events, FindingEvent{Kind: EventFindingKEV, VulnID: f.VulnID,
						Subject: fmt.Sprintf("finding %s %s is now KEV-listed (actively exploited)", f.VulnID, where)})
				}
				if o.SeverityLevel != f.SeverityLevel {
					events = append(events, FindingEvent{Kind: EventFindingSeverity, VulnID: f.VulnID,
						Subject: fmt.Sprintf("severity of finding %s %s changed from %s to %s", f.VulnID, where,
							o.SeverityLevel, f.SeverityLevel)})
				}
			}
		}
		for k := range old {
			if seen[k] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE release_id = $1 AND vuln_id = $2
				AND component_id = $3`, u.ReleaseID, k[0], k[1]); err != nil {
				return err
			}
		}
		// Stored triage decisions outlive the rows replaced above.
		if err := applyTriage(ctx, tx, u.ReleaseID); err != nil {
			return err
		}
		if err := bumpFindingsVersion(ctx, tx); err != nil {
			return err
		}
		for _, ev := range events {
			id, err := newID()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, kind, product_id, subject, reference, created_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, ev.Kind, u.ProductID, ev.Subject, ev.VulnID, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}

// ListReleaseFindings returns a release's current findings: KEV-listed
// first (earliest added first), then by severity level and score, then by
// vulnerability and component.
func (s *Store) ListReleaseFindings(ctx context.Context, releaseID string) ([]Finding, error) {
	out, err := releaseFindings(ctx, s.q(), releaseID)
	if err != nil {
		return nil, fmt.Errorf("store: list release findings: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.KEVDateAdded != "") != (b.KEVDateAdded != "") {
			return a.KEVDateAdded != ""
		}
		if a.KEVDateAdded != b.KEVDateAdded {
			return a.KEVDateAdded < b.KEVDateAdded
		}
		if ra, rb := levelRank(a.SeverityLevel), levelRank(b.SeverityLevel); ra != rb {
			return ra < rb
		}
		if a.SeverityScore != b.SeverityScore {
			return a.SeverityScore > b.SeverityScore
		}
		if a.VulnID != b.VulnID {
			return a.VulnID < b.VulnID
		}
		return a.ComponentID < b.ComponentID
	})
	return out, nil
}

func levelRank(l string) int {
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

type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func releaseFindings(ctx context.Context, q rowsQuerier, releaseID string) ([]Finding, error) {
	rows, err := q.QueryContext(ctx, `SELECT vuln_id, component_id, aliases, component_purl, component_name,
		component_version, ecosystem, severity_level, severity_score, minimum_fix, kev_date_added,
		first_seen, last_seen, status FROM findings WHERE release_id = $1 ORDER BY vuln_id, component_id`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var (
			f            Finding
			aliases      string
			first, lastS int64
		)
		if err := rows.Scan(&f.VulnID, &f.ComponentID, &aliases, &f.ComponentPURL, &f.ComponentName,
			&f.ComponentVersion, &f.Ecosystem, &f.SeverityLevel, &f.SeverityScore, &f.MinimumFix,
			&f.KEVDateAdded, &first, &lastS, &f.Status); err != nil {
			return nil, err
		}
		if aliases != "" {
			f.Aliases = strings.Split(aliases, "\n")
		}
		f.FirstSeen, f.LastSeen = fromDB(first), fromDB(lastS)
		out = append(out, f)
	}
	return out, rows.Err()
}

// appendNewFindingEvents adds the events of a finding seen for the first
// time in a release: finding.new, and finding.kev as well when it is
// KEV-listed already, so that an actively exploited vulnerability in a new
// release reaches those who chose immediate KEV alerts (and webhooks that
// filter on finding.kev) at once, not in the next digest of new findings.
func appendNewFindingEvents(events []FindingEvent, f Finding, where string) []FindingEvent {
	events = append(events, FindingEvent{Kind: EventFindingNew, VulnID: f.VulnID,
		Subject: fmt.Sprintf("new finding %s %s", f.VulnID, where)})
	if f.KEVDateAdded != "" {
		events = append(events, FindingEvent{Kind: EventFindingKEV, VulnID: f.VulnID,
			Subject: fmt.Sprintf("finding %s %s is KEV-listed (actively exploited)", f.VulnID, where)})
	}
	return events
}
