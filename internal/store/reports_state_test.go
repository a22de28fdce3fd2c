package store

import (
	"context"
	"errors"
	"testing"
)

// TestReportState: the state follows SetReportState; the report's case is
// found by the report's ID.
func TestReportState(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, Product{Name: "Widget"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.CreateReport(ctx, Report{ProductID: p.ID, Description: "overflow"}, "h1")
		if err != nil {
			t.Fatal(err)
		}
		if ref, err := s.ReportCaseReference(ctx, r.ID); err != nil || ref != "" {
			t.Fatalf("case of a report without one: %q %v", ref, err)
		}
		c, err := s.CreateCase(ctx, Case{ProductID: p.ID, Title: "Overflow", Source: CaseFromReport, ReportID: r.ID,
			State: "new", CreatedBy: "user:u1"}, "created from report")
		if err != nil {
			t.Fatal(err)
		}
		if ref, err := s.ReportCaseReference(ctx, r.ID); err != nil || ref != c.Reference {
			t.Fatalf("case of report: %q %v, want %s", ref, err, c.Reference)
		}
		for _, st := range []string{"triaged", "fix_in_progress"} {
			if err := s.SetReportState(ctx, r.ID, st); err != nil {
				t.Fatal(err)
			}
			if got, err := s.GetReport(ctx, r.Reference); err != nil || got.State != st {
				t.Errorf("state %q %v, want %q", got.State, err, st)
			}
		}
		if err := s.SetReportState(ctx, "nope", "fixed"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown report: %v, want ErrNotFound", err)
		}
	})
}
