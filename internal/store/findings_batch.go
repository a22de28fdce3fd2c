package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Portfolio re-match (issue 6, performance): after an advisory update
// every release in support is re-matched. Most releases come out
// unchanged, so the monitor reads components and findings of many
// releases at once, compares, and hands only the releases whose findings
// changed to ApplyFindingChanges, which writes just the rows that differ,
// several releases per transaction.

// ComponentsOfReleases returns the components of each of releaseIDs
// (matching needs only IDs, names, versions, ecosystems and purls, so
// licences, supplier and relationship are left empty), keyed by release
// ID, in SBOM order. Releases without components are absent.
func (s *Store) ComponentsOfReleases(ctx context.Context, releaseIDs []string) (map[string][]ReleaseComponent, error) {
	out := make(map[string][]ReleaseComponent, len(releaseIDs))
	if len(releaseIDs) == 0 {
		return out, nil
	}
	in, args := batchPlaceholders(releaseIDs, 0)
	rows, err := s.q().QueryContext(ctx, `SELECT release_id, component_id, name, version, ecosystem, purl
		FROM release_components WHERE release_id IN (`+in+`) ORDER BY release_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: components of releases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rel string
			c   ReleaseComponent
		)
		if err := rows.Scan(&rel, &c.ComponentID, &c.Name, &c.Version, &c.Ecosystem, &c.PURL); err != nil {
			return nil, fmt.Errorf("store: components of releases: %w", err)
		}
		out[rel] = append(out[rel], c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: components of releases: %w", err)
	}
	return out, nil
}

// PackageKey is what matching a component depends on: its ecosystem, name
// and version.
type PackageKey struct{ Ecosystem, Name, Version string }

// ComponentKeysOfReleases returns the distinct (ecosystem, name, version)
// of the components of releaseIDs, so that a portfolio's components can be
// matched once each, before they are read release by release.
func (s *Store) ComponentKeysOfReleases(ctx context.Context, releaseIDs []string) ([]PackageKey, error) {
	if len(releaseIDs) == 0 {
		return nil, nil
	}
	in, args := batchPlaceholders(releaseIDs, 0)
	rows, err := s.q().QueryContext(ctx, `SELECT DISTINCT ecosystem, name, version FROM release_components
		WHERE release_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: component keys of releases: %w", err)
	}
	defer rows.Close()
	var out []PackageKey
	for rows.Next() {
		var k PackageKey
		if err := rows.Scan(&k.Ecosystem, &k.Name, &k.Version); err != nil {
			return nil, fmt.Errorf("store: component keys of releases: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: component keys of releases: %w", err)
	}
	return out, nil
}

// StoredFindings are a release's findings as read, with the stamp that
// tells ApplyFindingChanges whether they changed since.
type StoredFindings struct {
	Findings []Finding
	stamp    findingsStamp
	// digest is the release's findings digest read with the rows ("":
	// unknown): while it stays, the rows are those read.
	digest string
}

// findingsStamp is the number of a release's findings and their latest
// last_seen: every write of a finding sets last_seen to the time of the
// write and a deletion lowers the count, so an equal stamp means the
// rows read are still the rows stored.
type findingsStamp struct {
	count    int
	lastSeen int64
}

// FindingsOfReleases returns the stored findings of each of releaseIDs,
// keyed by release ID; releases without findings are absent. Times and
// status are not read: a re-match compares only the data it writes.
func (s *Store) FindingsOfReleases(ctx context.Context, releaseIDs []string) (map[string]*StoredFindings, error) {
	out := make(map[string]*StoredFindings, len(releaseIDs))
	if len(releaseIDs) == 0 {
		return out, nil
	}
	in, args := batchPlaceholders(releaseIDs, 0)
	// One statement, so the digest is that of the rows read.
	rows, err := s.q().QueryContext(ctx, `SELECT r.id, f.vuln_id, f.component_id, f.aliases, f.component_purl,
		f.component_name, f.component_version, f.ecosystem, f.severity_level, f.severity_score, f.minimum_fix,
		f.kev_date_added, f.last_seen, r.findings_digest
		FROM releases r JOIN findings f ON f.release_id = r.id WHERE r.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: findings of releases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rel, aliases, digest string
			f                    Finding
			lastS                int64
		)
		if err := rows.Scan(&rel, &f.VulnID, &f.ComponentID, &aliases, &f.ComponentPURL, &f.ComponentName,
			&f.ComponentVersion, &f.Ecosystem, &f.SeverityLevel, &f.SeverityScore, &f.MinimumFix,
			&f.KEVDateAdded, &lastS, &digest); err != nil {
			return nil, fmt.Errorf("store: findings of releases: %w", err)
		}
		if aliases != "" {
			f.Aliases = strings.Split(aliases, "\n")
		}
		sf := out[rel]
		if sf == nil {
			sf = &StoredFindings{digest: digest}
			out[rel] = sf
		}
		sf.Findings = append(sf.Findings, f)
		sf.stamp.count++
		sf.stamp.lastSeen = max(sf.stamp.lastSeen, lastS)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: findings of releases: %w", err)
	}
	return out, nil
}

// SameFindings reports whether stored holds exactly the findings of
// found: the same (vulnerability, component) pairs with the same data.
// first_seen, last_seen and status are not compared: a re-match does not
// decide them. A duplicate pair in found counts once, its first
// occurrence, as in ReplaceReleaseFindings.
func SameFindings(stored, found []Finding) bool {
	if len(stored) > len(found) {
		return false
	}
	old := make(map[[2]string]*Finding, len(stored))
	for i := range stored {
		old[[2]string{stored[i].VulnID, stored[i].ComponentID}] = &stored[i]
	}
	seen := make(map[[2]string]bool, len(found))
	for i := range found {
		k := [2]string{found[i].VulnID, found[i].ComponentID}
		if seen[k] {
			continue
		}
		seen[k] = true
		o, ok := old[k]
		if !ok || !sameFindingData(o, &found[i]) {
			return false
		}
	}
	return len(seen) == len(old)
}

// sameFindingData compares the columns a re-match writes.
func sameFindingData(a, b *Finding) bool {
	if len(a.Aliases) != len(b.Aliases) {
		return false
	}
	for i := range a.Aliases {
		if a.Aliases[i] != b.Aliases[i] {
			return false
		}
	}
	return a.ComponentPURL == b.ComponentPURL && a.ComponentName == b.ComponentName &&
		a.ComponentVersion == b.ComponentVersion && a.Ecosystem == b.Ecosystem &&
		a.SeverityLevel == b.SeverityLevel && a.SeverityScore == b.SeverityScore &&
		a.MinimumFix == b.MinimumFix && a.KEVDateAdded == b.KEVDateAdded
}

// FindingChanges says what ApplyFindingChanges wrote.
type FindingChanges struct {
	Releases int // releases with at least one row written
	Inserted int
	Updated  int
	Deleted  int
	Events   []FindingEvent
}

// Rows is the number of finding rows written.
func (c FindingChanges) Rows() int { return c.Inserted + c.Updated + c.Deleted }

// FindingsChange is a release's new findings with what FindingsOfReleases
// read of its stored ones (nil: none, or not read).
type FindingsChange struct {
	FindingsUpdate
	Stored *StoredFindings
}

// ApplyFindingChanges makes each update's findings its release's current
// findings, all in one transaction, with the semantics of
// ReplaceReleaseFindings (first_seen and status survive while a finding
// stays; the same events, queued once) but writing only rows whose data
// changed: a finding found again unchanged keeps its row as it is,
// last_seen included. The stored findings given are used when the
// release's findings have not changed since they were read (else they are
// read again, inside the transaction). A release deleted meanwhile is
// skipped.
func (s *Store) ApplyFindingChanges(ctx context.Context, updates []FindingsChange) (FindingChanges, error) {
	now := toDB(s.now())
	batch := componentBatch(s.driver)
	var out FindingChanges
	err := s.inTx(ctx, "apply finding changes", func(tx *sql.Tx) error {
		out = FindingChanges{}
		w, err := prepareFindingWrites(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, u := range updates {
			wrote, err := applyReleaseFindings(ctx, tx, w, batch, now, u, &out)
			if err != nil {
				return fmt.Errorf("release %s: %w", u.ReleaseID, err)
			}
			if wrote {
				out.Releases++
			}
		}
		if out.Releases == 0 {
			return nil
		}
		// Last, as in ReplaceReleaseFindings: the dashboard's snapshot
		// job rebuilds only after findings changed.
		return bumpFindingsVersion(ctx, tx)
	})
	if err != nil {
		return FindingChanges{}, err
	}
	return out, nil
}

// applyReleaseFindings writes one release's changed rows and events into
// out; it reports whether anything was written.
func applyReleaseFindings(ctx context.Context, tx *sql.Tx, w *findingWrites, batch int, now int64, c FindingsChange, out *FindingChanges) (bool, error) {
	u := c.FindingsUpdate
	// Lock the release as ReplaceReleaseFindings does, so that two
	// re-matches of one release never interleave; a release deleted since
	// it was read has nothing left to update.
	var digestNow string
	err := tx.QueryRowContext(ctx, `UPDATE releases SET version = version WHERE id = $1 RETURNING findings_digest`,
		u.ReleaseID).Scan(&digestNow)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var stored StoredFindings // none read: the zero stamp
	if c.Stored != nil {
		stored = *c.Stored
	}
	prev := stored.Findings
	// The rows read are current if the digest read with them is still
	// stored (it describes the rows, whatever happened meanwhile); else
	// if their stamp is.
	current := stored.digest != "" && stored.digest == digestNow
	if !current {
		var st findingsStamp
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(last_seen), 0) FROM findings WHERE release_id = $1`,
			u.ReleaseID).Scan(&st.count, &st.lastSeen); err != nil {
			return false, err
		}
		current = stored.stamp == st
	}
	if !current {
		var err error
		if prev, err = releaseFindings(ctx, tx, u.ReleaseID); err != nil {
			return false, err
		}
	}
	old := make(map[[2]string]*Finding, len(prev))
	for i := range prev {
		old[[2]string{prev[i].VulnID, prev[i].ComponentID}] = &prev[i]
	}
	seen := make(map[[2]string]bool, len(u.Findings))
	var (
		digest  FindingsDigest // of the rows left: the findings, each pair once
		inserts []*Finding
		events  []FindingEvent
		rows    int
	)
	where := fmt.Sprintf("in product %s release %s", u.ProductName, u.Version)
	for i := range u.Findings {
		f := &u.Findings[i]
		k := [2]string{f.VulnID, f.ComponentID}
		if seen[k] {
			continue
		}
		seen[k] = true
		digest.Add(f)
		o, had := old[k]
		switch {
		case !had:
			inserts = append(inserts, f)
			events = appendNewFindingEvents(events, *f, where)
			continue
		case sameFindingData(o, f):
			continue
		}
		if _, err := w.update.ExecContext(ctx, u.ReleaseID, f.VulnID, f.ComponentID, strings.Join(f.Aliases, "\n"), f.ComponentPURL, f.ComponentName,
			f.ComponentVersion, f.Ecosystem, f.SeverityLevel, f.SeverityScore, f.MinimumFix,
			f.KEVDateAdded, now); err != nil {
			return false, err
		}
		out.Updated++
		rows++
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
	if err := insertFindings(ctx, tx, batch, now, u.ReleaseID, inserts); err != nil {
		return false, err
	}
	if len(inserts) > 0 {
		// A new row starts under investigation unless a stored triage
		// decision (kept across re-matches) already covers it.
		if err := applyTriage(ctx, tx, u.ReleaseID); err != nil {
			return false, err
		}
	}
	out.Inserted += len(inserts)
	rows += len(inserts)
	for k := range old {
		if seen[k] {
			continue
		}
		if _, err := w.delete.ExecContext(ctx, u.ReleaseID, k[0], k[1]); err != nil {
			return false, err
		}
		out.Deleted++
		rows++
	}
	if err := insertNotifications(ctx, tx, batch, now, u.ProductID, events); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET findings_digest = $2 WHERE id = $1`,
		u.ReleaseID, digest.String()); err != nil {
		return false, fmt.Errorf("findings digest: %w", err)
	}
	out.Events = append(out.Events, events...)
	return rows > 0 || len(events) > 0, nil
}

// insertFindings inserts new findings a few rows per statement (the
// length that suits each engine, as for SBOM components).
func insertFindings(ctx context.Context, tx *sql.Tx, batch int, now int64, releaseID string, fs []*Finding) error {
	const cols = 14
	for start := 0; start < len(fs); start += batch {
		end := min(start+batch, len(fs))
		var b strings.Builder
		b.WriteString(`INSERT INTO findings (release_id, vuln_id, component_id, aliases, component_purl,
			component_name, component_version, ecosystem, severity_level, severity_score, minimum_fix,
			kev_date_added, first_seen, last_seen) VALUES `)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(args)+c+1)
			}
			b.WriteByte(')')
			f := fs[i]
			args = append(args, releaseID, f.VulnID, f.ComponentID, strings.Join(f.Aliases, "\n"), f.ComponentPURL,
				f.ComponentName, f.ComponentVersion, f.Ecosystem, f.SeverityLevel, f.SeverityScore, f.MinimumFix,
				f.KEVDateAdded, now, now)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("findings: %w", err)
		}
	}
	return nil
}

// insertNotifications queues one notification per event, a few rows per
// statement: the first match of a portfolio queues one per finding.
func insertNotifications(ctx context.Context, tx *sql.Tx, batch int, now int64, productID string, events []FindingEvent) error {
	const cols = 6
	for start := 0; start < len(events); start += batch {
		end := min(start+batch, len(events))
		var b strings.Builder
		b.WriteString(`INSERT INTO notifications (id, kind, product_id, subject, reference, created_at) VALUES `)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			id, err := newID()
			if err != nil {
				return err
			}
			if i > start {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6)
			ev := events[i]
			args = append(args, id, ev.Kind, productID, ev.Subject, ev.VulnID, now)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("notifications: %w", err)
		}
	}
	return nil
}

// batchPlaceholders is "$n+1, $n+2, ..." for values, with values as arguments.
func batchPlaceholders(values []string, n int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(values))
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", n+i+1)
		args[i] = v
	}
	return b.String(), args
}
