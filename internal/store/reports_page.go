package store

import (
	"context"
	"fmt"
	"time"
)

// ReportKey is the sort key of a report in ListReportsPage: newest first
// by creation, then by reference (unique).
type ReportKey struct {
	CreatedAt time.Time
	Reference string
}

// ReportPage selects one page of reports for ListReportsPage.
type ReportPage struct {
	// All lists every report; otherwise only those of ProductIDs (reports
	// without a known product are listed only with All).
	All        bool
	ProductIDs []string
	// After is the key of the previous page's last report; nil for the
	// first page.
	After *ReportKey
	// Limit is the page size (default 100, at most 1000).
	Limit int
}

// ListReportsPage returns up to p.Limit+1 reports newest first, starting
// after p.After.
func (s *Store) ListReportsPage(ctx context.Context, p ReportPage) ([]Report, error) {
	if !p.All && len(p.ProductIDs) == 0 {
		return nil, nil
	}
	q := `SELECT ` + reportColumns + ` FROM reports WHERE 1 = 1`
	var args []any
	if !p.All {
		var ph string
		args, ph = inList(args, p.ProductIDs)
		q += ` AND product_id IN (` + ph + `)`
	}
	if p.After != nil {
		args = append(args, toDB(p.After.CreatedAt), p.After.Reference)
		a, r := len(args)-1, len(args)
		q += fmt.Sprintf(` AND (created_at < $%d OR (created_at = $%d AND reference < $%d))`, a, a, r)
	}
	args = append(args, pageLimit(p.Limit))
	q += fmt.Sprintf(` ORDER BY created_at DESC, reference DESC LIMIT $%d`, len(args))
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reports page: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: reports page: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reports page: %w", err)
	}
	return out, nil
}
