package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Report is a vulnerability report sent through the public report page or
// API (issue 7). Its contents (Version, Title, Description, Contact and the
// messages) are confidential: they belong in these tables only, never in
// the audit log, logs or notifications.
type Report struct {
	ID string
	// Reference is the case reference shown to the reporter,
	// "CRAFT-2026-0001".
	Reference string
	// ProductID is the product the reporter chose; "" when they named one
	// craft does not know, in ProductName.
	ProductID   string
	ProductName string
	Version     string
	Title       string
	Description string
	Contact     string
	State       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ReportMessage is one message of a report's thread.
type ReportMessage struct {
	Seq int64
	// Author is "reporter" or "user:<id>".
	Author    string
	Body      string
	CreatedAt time.Time
}

// ReportAuthorReporter is the author of the reporter's messages.
const ReportAuthorReporter = "reporter"

// Notification is a message for the security officers waiting for a
// notifier to deliver it. Subject never holds report contents.
type Notification struct {
	ID          string
	Kind        string
	ProductID   string
	Subject     string
	Reference   string
	CreatedAt   time.Time
	DeliveredAt time.Time // zero while pending
}

// CreateReport stores a new report with the hash of its status token and
// gives it an ID and the next reference of the year. ProductID, when set,
// must name a product (ErrNotFound otherwise).
func (s *Store) CreateReport(ctx context.Context, r Report, tokenHash string) (Report, error) {
	if strings.TrimSpace(r.Description) == "" || tokenHash == "" {
		return Report{}, fmt.Errorf("store: create report: %w: empty description or token hash", ErrInvalid)
	}
	id, err := newID()
	if err != nil {
		return Report{}, fmt.Errorf("store: create report: %w", err)
	}
	r.ID = id
	r.CreatedAt = fromDB(toDB(s.now()))
	r.UpdatedAt = r.CreatedAt
	if r.State == "" {
		r.State = "new"
	}
	year := int64(r.CreatedAt.Year())
	err = s.inTx(ctx, "create report", func(tx *sql.Tx) error {
		var pid any
		if r.ProductID != "" {
			if err := productExists(ctx, tx, r.ProductID); err != nil {
				return err
			}
			pid = r.ProductID
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO report_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = report_counters.last + 1 RETURNING last`, year).Scan(&n); err != nil {
			return err
		}
		r.Reference = fmt.Sprintf("CRAFT-%d-%04d", year, n)
		_, err := tx.ExecContext(ctx, `INSERT INTO reports (id, reference, product_id, product_name, version, title,
			description, contact, status_token_hash, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.ID, r.Reference, pid, r.ProductName, r.Version, r.Title, r.Description, r.Contact, tokenHash, r.State,
			toDB(r.CreatedAt), toDB(r.UpdatedAt))
		return err
	})
	if err != nil {
		return Report{}, err
	}
	return r, nil
}

const reportColumns = `id, reference, product_id, product_name, version, title, description, contact, state, created_at, updated_at`

func scanReport(row rowScanner) (Report, error) {
	var (
		r                Report
		pid              sql.NullString
		created, updated int64
	)
	if err := row.Scan(&r.ID, &r.Reference, &pid, &r.ProductName, &r.Version, &r.Title, &r.Description, &r.Contact,
		&r.State, &created, &updated); err != nil {
		return Report{}, err
	}
	r.ProductID = pid.String
	r.CreatedAt, r.UpdatedAt = fromDB(created), fromDB(updated)
	return r, nil
}

// GetReportByTokenHash returns the report whose status token hashes to
// tokenHash, or ErrNotFound.
func (s *Store) GetReportByTokenHash(ctx context.Context, tokenHash string) (Report, error) {
	r, err := scanReport(s.q().QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE status_token_hash = $1`, tokenHash))
	if err != nil {
		return Report{}, fmt.Errorf("store: get report: %w", notFound(err))
	}
	return r, nil
}

// GetReport returns a report by reference, or ErrNotFound.
func (s *Store) GetReport(ctx context.Context, reference string) (Report, error) {
	r, err := scanReport(s.q().QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE reference = $1`, reference))
	if err != nil {
		return Report{}, fmt.Errorf("store: get report: %w", notFound(err))
	}
	return r, nil
}

// ReportFilter selects reports for ListReports.
type ReportFilter struct {
	// All lists every report; otherwise only those of ProductIDs (reports
	// without a known product are listed only with All).
	All        bool
	ProductIDs []string
	Limit      int // 0: 100; at most 1000
}

// ListReports returns reports newest first.
func (s *Store) ListReports(ctx context.Context, f ReportFilter) ([]Report, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1000 {
		limit = 1000
	}
	q := `SELECT ` + reportColumns + ` FROM reports`
	var args []any
	if !f.All {
		if len(f.ProductIDs) == 0 {
			return nil, nil
		}
		ph := make([]string, len(f.ProductIDs))
		for i, id := range f.ProductIDs {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		q += ` WHERE product_id IN (` + strings.Join(ph, ", ") + `)`
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY created_at DESC, reference DESC LIMIT $%d`, len(args))
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list reports: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list reports: %w", err)
	}
	return out, nil
}

// AddReportMessage appends a message to a report's thread.
func (s *Store) AddReportMessage(ctx context.Context, reportID, author, body string) (ReportMessage, error) {
	if strings.TrimSpace(body) == "" || author == "" {
		return ReportMessage{}, fmt.Errorf("store: add report message: %w: empty author or body", ErrInvalid)
	}
	m := ReportMessage{Author: author, Body: body, CreatedAt: fromDB(toDB(s.now()))}
	err := s.inTx(ctx, "add report message", func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM reports WHERE id = $1`, reportID).Scan(&one); err != nil {
			return notFound(err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM report_messages WHERE report_id = $1`,
			reportID).Scan(&m.Seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_messages (report_id, seq, author, body, created_at)
			VALUES ($1, $2, $3, $4, $5)`, reportID, m.Seq, author, body, toDB(m.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE reports SET updated_at = $1 WHERE id = $2`, toDB(m.CreatedAt), reportID)
		return err
	})
	if err != nil {
		return ReportMessage{}, err
	}
	return m, nil
}

// ListReportMessages returns a report's thread, oldest first.
func (s *Store) ListReportMessages(ctx context.Context, reportID string) ([]ReportMessage, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT seq, author, body, created_at FROM report_messages
		WHERE report_id = $1 ORDER BY seq`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: list report messages: %w", err)
	}
	defer rows.Close()
	var out []ReportMessage
	for rows.Next() {
		var (
			m  ReportMessage
			at int64
		)
		if err := rows.Scan(&m.Seq, &m.Author, &m.Body, &at); err != nil {
			return nil, fmt.Errorf("store: list report messages: %w", err)
		}
		m.CreatedAt = fromDB(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list report messages: %w", err)
	}
	return out, nil
}

// AddNotification queues a notification for delivery.
func (s *Store) AddNotification(ctx context.Context, n Notification) (Notification, error) {
	if n.Kind == "" || n.Subject == "" {
		return Notification{}, fmt.Errorf("store: add notification: %w: empty kind or subject", ErrInvalid)
	}
	id, err := newID()
	if err != nil {
		return Notification{}, fmt.Errorf("store: add notification: %w", err)
	}
	n.ID, n.CreatedAt, n.DeliveredAt = id, fromDB(toDB(s.now())), time.Time{}
	var pid any
	if n.ProductID != "" {
		pid = n.ProductID
	}
	err = s.inTx(ctx, "add notification", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, kind, product_id, subject, reference, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, n.ID, n.Kind, pid, n.Subject, n.Reference, toDB(n.CreatedAt))
		return err
	})
	if err != nil {
		return Notification{}, err
	}
	return n, nil
}

// ListPendingNotifications returns the notifications not yet delivered,
// oldest first.
func (s *Store) ListPendingNotifications(ctx context.Context) ([]Notification, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT id, kind, product_id, subject, reference, created_at FROM notifications
		WHERE delivered_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var (
			n   Notification
			pid sql.NullString
			at  int64
		)
		if err := rows.Scan(&n.ID, &n.Kind, &pid, &n.Subject, &n.Reference, &at); err != nil {
			return nil, fmt.Errorf("store: list notifications: %w", err)
		}
		n.ProductID, n.CreatedAt = pid.String, fromDB(at)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	return out, nil
}
