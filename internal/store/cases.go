package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Case is a vulnerability case (issue 7): a report, a finding or an
// officer's own knowledge being handled, with what Article 14 reporting
// needs. Title, Description, the notes and the thread are confidential:
// they belong in these tables only. The store keeps values as given; the
// server validates them (states and transitions: package cases).
type Case struct {
	ID        string
	Reference string // "CASE-2026-0001"
	ProductID string
	// ProductName is filled on reads.
	ProductName      string
	Title            string
	Description      string
	State            string
	AffectedReleases []string
	FixedIn          string
	CVSS31Vector     string
	CVSS31Score      int64 // times ten
	CVSS40Vector     string
	CVSS40Score      int64 // times ten
	CVE              string
	OtherIDs         []string
	EmbargoUntil     time.Time
	Exploited        bool
	ExploitedAwareAt time.Time
	ExploitationNote string
	Incident         bool
	IncidentAwareAt  time.Time
	IncidentOccurred time.Time
	// IncidentMalicious is "yes", "no" or "".
	IncidentMalicious string
	MeasureAt         time.Time
	MeasureNote       string
	// Source is "report", "finding" or "manual".
	Source string
	// ReportID links a case made from a report (its thread is the
	// reporter thread of the case); ReportReference is filled on reads.
	ReportID         string
	ReportReference  string
	FindingRelease   string
	FindingVuln      string
	FindingComponent string
	CreatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Case sources.
const (
	CaseFromReport  = "report"
	CaseFromFinding = "finding"
	CaseManual      = "manual"
)

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	Seq   int64
	At    time.Time
	Actor string
	Kind  string
	// Summary is a fixed sentence without case contents.
	Summary string
	// Comment is the officer's text, confidential like the case.
	Comment string
}

// CaseSubmission records an Article 14 report submitted outside craft.
type CaseSubmission struct {
	Stage       string
	SubmittedAt time.Time
	Channel     string
	Reference   string
	RecordedBy  string
	RecordedAt  time.Time
}

// optTime stores the zero time as 0 (the cases tables' "not set").
func optTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// readOptTime reads 0 as the zero time.
func readOptTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return fromDB(n)
}

func joinLines(v []string) string {
	return strings.Join(v, "\n")
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// checkCaseLists refuses list items that the newline encoding could not
// keep apart.
func checkCaseLists(c Case) error {
	for _, list := range [][]string{c.AffectedReleases, c.OtherIDs} {
		for _, v := range list {
			if v == "" || strings.ContainsAny(v, "\r\n") {
				return fmt.Errorf("%w: empty list item or line break in %q", ErrInvalid, v)
			}
		}
	}
	return nil
}

// CreateCase stores a new case with the first history event (actor,
// "created") and gives it an ID and the next reference of the year. The
// product must exist (ErrNotFound); ReportID, when set, must name a report.
func (s *Store) CreateCase(ctx context.Context, c Case, summary string) (Case, error) {
	if c.ProductID == "" || strings.TrimSpace(c.Title) == "" || c.CreatedBy == "" {
		return Case{}, fmt.Errorf("store: create case: %w: product, title and creator are required", ErrInvalid)
	}
	if err := checkCaseLists(c); err != nil {
		return Case{}, fmt.Errorf("store: create case: %w", err)
	}
	id, err := newID()
	if err != nil {
		return Case{}, fmt.Errorf("store: create case: %w", err)
	}
	c.ID = id
	c.CreatedAt = fromDB(toDB(s.now()))
	c.UpdatedAt = c.CreatedAt
	if c.State == "" {
		c.State = "new"
	}
	if c.Source == "" {
		c.Source = CaseManual
	}
	err = s.inTx(ctx, "create case", func(tx *sql.Tx) error {
		if err := productExists(ctx, tx, c.ProductID); err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`,
			int64(c.CreatedAt.Year())).Scan(&n); err != nil {
			return err
		}
		c.Reference = fmt.Sprintf("CASE-%d-%04d", c.CreatedAt.Year(), n)
		var rid any
		if c.ReportID != "" {
			rid = c.ReportID
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cases (id, reference, product_id, title, description, state,
			affected_releases, fixed_in_release, cvss31_vector, cvss31_score, cvss40_vector, cvss40_score, cve_id,
			other_ids, embargo_until, exploited, exploited_aware_at, exploitation_note, incident, incident_aware_at,
			incident_occurred_at, incident_malicious, measure_at, measure_note, source, report_id, finding_release,
			finding_vuln, finding_component, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)`,
			c.ID, c.Reference, c.ProductID, c.Title, c.Description, c.State, joinLines(c.AffectedReleases), c.FixedIn,
			c.CVSS31Vector, c.CVSS31Score, c.CVSS40Vector, c.CVSS40Score, c.CVE, joinLines(c.OtherIDs),
			optTime(c.EmbargoUntil), boolToDB(c.Exploited), optTime(c.ExploitedAwareAt), c.ExploitationNote,
			boolToDB(c.Incident), optTime(c.IncidentAwareAt), optTime(c.IncidentOccurred), c.IncidentMalicious,
			optTime(c.MeasureAt), c.MeasureNote, c.Source, rid, c.FindingRelease, c.FindingVuln, c.FindingComponent,
			c.CreatedBy, toDB(c.CreatedAt), toDB(c.UpdatedAt))
		if err != nil {
			return err
		}
		return addCaseEvent(ctx, tx, c.ID, CaseEvent{At: c.CreatedAt, Actor: c.CreatedBy, Kind: "created", Summary: summary})
	})
	if err != nil {
		return Case{}, err
	}
	return c, nil
}

// UpdateCase replaces the changeable fields of the case c.ID (everything
// but reference, product, source and creation) and appends ev to its
// history, in one transaction. ErrNotFound when the case does not exist.
func (s *Store) UpdateCase(ctx context.Context, c Case, ev CaseEvent) (Case, error) {
	if strings.TrimSpace(c.Title) == "" || ev.Actor == "" || ev.Kind == "" {
		return Case{}, fmt.Errorf("store: update case: %w: title, actor and event kind are required", ErrInvalid)
	}
	if err := checkCaseLists(c); err != nil {
		return Case{}, fmt.Errorf("store: update case: %w", err)
	}
	c.UpdatedAt = fromDB(toDB(s.now()))
	ev.At = c.UpdatedAt
	err := s.inTx(ctx, "update case", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET title = $1, description = $2, state = $3,
			affected_releases = $4, fixed_in_release = $5, cvss31_vector = $6, cvss31_score = $7,
			cvss40_vector = $8, cvss40_score = $9, cve_id = $10, other_ids = $11, embargo_until = $12,
			exploited = $13, exploited_aware_at = $14, exploitation_note = $15, incident = $16,
			incident_aware_at = $17, incident_occurred_at = $18, incident_malicious = $19, measure_at = $20,
			measure_note = $21, updated_at = $22 WHERE id = $23`,
			c.Title, c.Description, c.State, joinLines(c.AffectedReleases), c.FixedIn, c.CVSS31Vector, c.CVSS31Score,
			c.CVSS40Vector, c.CVSS40Score, c.CVE, joinLines(c.OtherIDs), optTime(c.EmbargoUntil),
			boolToDB(c.Exploited), optTime(c.ExploitedAwareAt), c.ExploitationNote, boolToDB(c.Incident),
			optTime(c.IncidentAwareAt), optTime(c.IncidentOccurred), c.IncidentMalicious, optTime(c.MeasureAt),
			c.MeasureNote, toDB(c.UpdatedAt), c.ID)
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return err
		}
		return addCaseEvent(ctx, tx, c.ID, ev)
	})
	if err != nil {
		return Case{}, err
	}
	return c, nil
}

func addCaseEvent(ctx context.Context, tx *sql.Tx, caseID string, ev CaseEvent) error {
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1`,
		caseID).Scan(&seq); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, seq, at, actor, kind, summary, comment)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, caseID, seq, toDB(ev.At), ev.Actor, ev.Kind, ev.Summary, ev.Comment)
	return err
}

// AddCaseEvent appends an event to a case's history (ErrNotFound for a
// missing case). A zero At is now.
func (s *Store) AddCaseEvent(ctx context.Context, caseID string, ev CaseEvent) error {
	if ev.Actor == "" || ev.Kind == "" {
		return fmt.Errorf("store: add case event: %w: actor and kind are required", ErrInvalid)
	}
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	return s.inTx(ctx, "add case event", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, toDB(s.now()), caseID)
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return err
		}
		return addCaseEvent(ctx, tx, caseID, ev)
	})
}

const caseColumns = `c.id, c.reference, c.product_id, p.name, c.title, c.description, c.state, c.affected_releases,
	c.fixed_in_release, c.cvss31_vector, c.cvss31_score, c.cvss40_vector, c.cvss40_score, c.cve_id, c.other_ids,
	c.embargo_until, c.exploited, c.exploited_aware_at, c.exploitation_note, c.incident, c.incident_aware_at,
	c.incident_occurred_at, c.incident_malicious, c.measure_at, c.measure_note, c.source, c.report_id,
	COALESCE(r.reference, ''), c.finding_release, c.finding_vuln, c.finding_component, c.created_by, c.created_at,
	c.updated_at`

const caseFrom = ` FROM cases c JOIN products p ON p.id = c.product_id LEFT JOIN reports r ON r.id = c.report_id`

func scanCase(row rowScanner) (Case, error) {
	var (
		c                                      Case
		affected, other                        string
		embargo, aware, incAware, incOcc, meas int64
		exploited, incident, created, updated  int64
		rid                                    sql.NullString
	)
	if err := row.Scan(&c.ID, &c.Reference, &c.ProductID, &c.ProductName, &c.Title, &c.Description, &c.State, &affected,
		&c.FixedIn, &c.CVSS31Vector, &c.CVSS31Score, &c.CVSS40Vector, &c.CVSS40Score, &c.CVE, &other,
		&embargo, &exploited, &aware, &c.ExploitationNote, &incident, &incAware,
		&incOcc, &c.IncidentMalicious, &meas, &c.MeasureNote, &c.Source, &rid,
		&c.ReportReference, &c.FindingRelease, &c.FindingVuln, &c.FindingComponent, &c.CreatedBy, &created,
		&updated); err != nil {
		return Case{}, err
	}
	c.AffectedReleases, c.OtherIDs = splitLines(affected), splitLines(other)
	c.EmbargoUntil, c.ExploitedAwareAt = readOptTime(embargo), readOptTime(aware)
	c.IncidentAwareAt, c.IncidentOccurred, c.MeasureAt = readOptTime(incAware), readOptTime(incOcc), readOptTime(meas)
	c.Exploited, c.Incident = exploited == 1, incident == 1
	c.ReportID = rid.String
	c.CreatedAt, c.UpdatedAt = fromDB(created), fromDB(updated)
	return c, nil
}

// GetCase returns a case by reference, or ErrNotFound.
func (s *Store) GetCase(ctx context.Context, reference string) (Case, error) {
	c, err := scanCase(s.q().QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE c.reference = $1`, reference))
	if err != nil {
		return Case{}, fmt.Errorf("store: get case: %w", notFound(err))
	}
	return c, nil
}

// CaseFilter selects cases for ListCases.
type CaseFilter struct {
	// All lists the cases of every product; otherwise those of ProductIDs.
	All        bool
	ProductIDs []string
	// ClockOnly lists only cases marked actively exploited or severe
	// incident (those with Article 14 clocks).
	ClockOnly bool
	// Before continues a listing after the case (BeforeCreated,
	// BeforeReference): newest first.
	BeforeCreated   time.Time
	BeforeReference string
	Limit           int // 0: 100; at most 1001
}

// ListCases returns cases newest first (created_at, then reference).
func (s *Store) ListCases(ctx context.Context, f CaseFilter) ([]Case, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1001 {
		limit = 1001
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.All {
		if len(f.ProductIDs) == 0 {
			return nil, nil
		}
		ph := make([]string, len(f.ProductIDs))
		for i, id := range f.ProductIDs {
			ph[i] = arg(id)
		}
		where = append(where, `c.product_id IN (`+strings.Join(ph, ", ")+`)`)
	}
	if f.ClockOnly {
		where = append(where, `(c.exploited = 1 OR c.incident = 1)`)
	}
	if f.BeforeReference != "" {
		at := arg(toDB(f.BeforeCreated))
		where = append(where, `(c.created_at < `+at+` OR (c.created_at = `+at+` AND c.reference < `+arg(f.BeforeReference)+`))`)
	}
	q := `SELECT ` + caseColumns + caseFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY c.created_at DESC, c.reference DESC LIMIT ` + arg(limit)
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	return out, nil
}

// ListCaseEvents returns a case's history, oldest first.
func (s *Store) ListCaseEvents(ctx context.Context, caseID string) ([]CaseEvent, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT seq, at, actor, kind, summary, comment FROM case_events
		WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: list case events: %w", err)
	}
	defer rows.Close()
	var out []CaseEvent
	for rows.Next() {
		var (
			e  CaseEvent
			at int64
		)
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Kind, &e.Summary, &e.Comment); err != nil {
			return nil, fmt.Errorf("store: list case events: %w", err)
		}
		e.At = fromDB(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list case events: %w", err)
	}
	return out, nil
}

// AddCaseSubmission records a submitted report with a history event, in
// one transaction. A second submission of the same stage is ErrConflict:
// what was recorded stays as it was.
func (s *Store) AddCaseSubmission(ctx context.Context, caseID string, sub CaseSubmission, ev CaseEvent) (CaseSubmission, error) {
	if sub.Stage == "" || sub.Channel == "" || sub.RecordedBy == "" || sub.SubmittedAt.IsZero() {
		return CaseSubmission{}, fmt.Errorf("store: add case submission: %w: stage, channel, time and recorder are required", ErrInvalid)
	}
	sub.RecordedAt = fromDB(toDB(s.now()))
	sub.SubmittedAt = fromDB(toDB(sub.SubmittedAt))
	ev.At = sub.RecordedAt
	err := s.inTx(ctx, "add case submission", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, toDB(sub.RecordedAt), caseID)
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_submissions (case_id, stage, submitted_at, channel,
			reference, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, caseID, sub.Stage,
			toDB(sub.SubmittedAt), sub.Channel, sub.Reference, sub.RecordedBy, toDB(sub.RecordedAt)); err != nil {
			return err
		}
		return addCaseEvent(ctx, tx, caseID, ev)
	})
	if err != nil {
		return CaseSubmission{}, err
	}
	return sub, nil
}

// ListCaseSubmissions returns a case's recorded submissions, oldest first.
func (s *Store) ListCaseSubmissions(ctx context.Context, caseID string) ([]CaseSubmission, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT stage, submitted_at, channel, reference, recorded_by, recorded_at
		FROM case_submissions WHERE case_id = $1 ORDER BY submitted_at, stage`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: list case submissions: %w", err)
	}
	defer rows.Close()
	var out []CaseSubmission
	for rows.Next() {
		var (
			sub       CaseSubmission
			at, recAt int64
		)
		if err := rows.Scan(&sub.Stage, &at, &sub.Channel, &sub.Reference, &sub.RecordedBy, &recAt); err != nil {
			return nil, fmt.Errorf("store: list case submissions: %w", err)
		}
		sub.SubmittedAt, sub.RecordedAt = fromDB(at), fromDB(recAt)
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list case submissions: %w", err)
	}
	return out, nil
}

// CaseRemindersSent returns the reminders already recorded for a case as
// "stage/threshold" keys.
func (s *Store) CaseRemindersSent(ctx context.Context, caseID string) (map[string]bool, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT stage, threshold FROM case_reminders WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: list case reminders: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var stage, th string
		if err := rows.Scan(&stage, &th); err != nil {
			return nil, fmt.Errorf("store: list case reminders: %w", err)
		}
		out[stage+"/"+th] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list case reminders: %w", err)
	}
	return out, nil
}

// RecordCaseReminder records a reminder as sent and, when n is not nil,
// queues the notification, in one transaction. It reports false (and
// queues nothing) when the reminder was already recorded, so that each
// goes once even when two processes race.
func (s *Store) RecordCaseReminder(ctx context.Context, caseID, stage, threshold string, n *Notification) (bool, error) {
	now := s.now()
	var inserted bool
	err := s.InTx(ctx, func(tx *Store) error {
		err := tx.inTx(ctx, "record case reminder", func(t *sql.Tx) error {
			res, err := t.ExecContext(ctx, `INSERT INTO case_reminders (case_id, stage, threshold, sent_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (case_id, stage, threshold) DO NOTHING`,
				caseID, stage, threshold, toDB(now))
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			inserted = k == 1
			return err
		})
		if err != nil || !inserted || n == nil {
			return err
		}
		_, err = tx.AddNotification(ctx, *n)
		return err
	})
	if err != nil {
		return false, err
	}
	return inserted, nil
}
