package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestReports(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, Product{Name: "Widget"})
		if err != nil {
			t.Fatal(err)
		}
		r1, err := s.CreateReport(ctx, Report{ProductID: p.ID, Version: "1.0", Description: "overflow"}, "h1")
		if err != nil {
			t.Fatal(err)
		}
		year := r1.CreatedAt.Year()
		if want := fmt.Sprintf("CRAFT-%d-0001", year); r1.Reference != want {
			t.Errorf("reference = %q, want %q", r1.Reference, want)
		}
		r2, err := s.CreateReport(ctx, Report{ProductName: "Gadget", Description: "xss"}, "h2")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("CRAFT-%d-0002", year); r2.Reference != want {
			t.Errorf("reference = %q, want %q", r2.Reference, want)
		}
		if _, err := s.CreateReport(ctx, Report{Description: "x"}, "h1"); !errors.Is(err, ErrConflict) {
			t.Errorf("reused token hash: err = %v, want ErrConflict", err)
		}
		if _, err := s.CreateReport(ctx, Report{ProductID: "nope", Description: "x"}, "h3"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown product: err = %v, want ErrNotFound", err)
		}
		got, err := s.GetReportByTokenHash(ctx, "h1")
		if err != nil || got.ID != r1.ID || got.Description != "overflow" || got.ProductID != p.ID {
			t.Fatalf("by token hash: %+v, %v", got, err)
		}
		if _, err := s.GetReportByTokenHash(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown hash: err = %v", err)
		}
		if got, err := s.GetReport(ctx, r2.Reference); err != nil || got.ProductID != "" || got.ProductName != "Gadget" {
			t.Errorf("by reference: %+v, %v", got, err)
		}
		all, err := s.ListReports(ctx, ReportFilter{All: true})
		if err != nil || len(all) != 2 {
			t.Fatalf("list all: %d, %v", len(all), err)
		}
		mine, err := s.ListReports(ctx, ReportFilter{ProductIDs: []string{p.ID}})
		if err != nil || len(mine) != 1 || mine[0].ID != r1.ID {
			t.Fatalf("list product: %+v, %v", mine, err)
		}
		if none, err := s.ListReports(ctx, ReportFilter{}); err != nil || len(none) != 0 {
			t.Fatalf("list nothing: %+v, %v", none, err)
		}
		for _, a := range []string{ReportAuthorReporter, "user:u1"} {
			if _, err := s.AddReportMessage(ctx, r1.ID, a, "hello from "+a); err != nil {
				t.Fatal(err)
			}
		}
		msgs, err := s.ListReportMessages(ctx, r1.ID)
		if err != nil || len(msgs) != 2 || msgs[0].Seq != 1 || msgs[1].Author != "user:u1" {
			t.Fatalf("messages: %+v, %v", msgs, err)
		}
		if _, err := s.AddReportMessage(ctx, "nope", "reporter", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("message on unknown report: err = %v", err)
		}
		n, err := s.AddNotification(ctx, Notification{Kind: "report.new", ProductID: p.ID, Subject: "new report", Reference: r1.Reference})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := s.ListPendingNotifications(ctx)
		if err != nil || len(pending) != 1 || pending[0].ID != n.ID || pending[0].ProductID != p.ID {
			t.Fatalf("pending: %+v, %v", pending, err)
		}
	})
}

// TestReportReferencesConcurrent: concurrent reports get distinct
// references (the counter upsert serialises them on both engines).
func TestReportReferencesConcurrent(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			refs = map[string]bool{}
		)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.CreateReport(ctx, Report{Description: "d"}, fmt.Sprintf("hash-%d", i))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				refs[r.Reference] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(refs) != 8 {
			t.Errorf("references: %v", refs)
		}
	})
}
