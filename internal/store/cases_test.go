package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCases(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, Product{Name: "Widget"})
		if err != nil {
			t.Fatal(err)
		}
		q, err := s.CreateProduct(ctx, Product{Name: "Gadget"})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := s.CreateReport(ctx, Report{ProductID: p.ID, Description: "overflow"}, "h1")
		if err != nil {
			t.Fatal(err)
		}
		aware := time.Date(2026, 12, 1, 22, 59, 0, 123, time.UTC)
		c1, err := s.CreateCase(ctx, Case{ProductID: p.ID, Title: "Overflow <b>", Description: "d\u202e🚀",
			Source: CaseFromReport, ReportID: rep.ID, AffectedReleases: []string{"1.0", "1.1"}, OtherIDs: []string{"GHSA-1"},
			CVSS31Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVSS31Score: 98, CreatedBy: "user:u1"}, "created from report")
		if err != nil {
			t.Fatal(err)
		}
		year := c1.CreatedAt.Year()
		if want := fmt.Sprintf("CASE-%d-0001", year); c1.Reference != want {
			t.Errorf("reference %q, want %q", c1.Reference, want)
		}
		c2, err := s.CreateCase(ctx, Case{ProductID: q.ID, Title: "Manual", CreatedBy: "user:u2"}, "created by hand")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("CASE-%d-0002", year); c2.Reference != want || c2.Source != CaseManual || c2.State != "new" {
			t.Errorf("second case %+v", c2)
		}
		for name, bad := range map[string]Case{
			"no product":      {Title: "x", CreatedBy: "u"},
			"no title":        {ProductID: p.ID, Title: " ", CreatedBy: "u"},
			"newline in list": {ProductID: p.ID, Title: "x", CreatedBy: "u", AffectedReleases: []string{"1\n2"}},
		} {
			if _, err := s.CreateCase(ctx, bad, "x"); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInvalid", name, err)
			}
		}
		if _, err := s.CreateCase(ctx, Case{ProductID: "nope", Title: "x", CreatedBy: "u"}, "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown product: %v", err)
		}
		if _, err := s.CreateCase(ctx, Case{ProductID: p.ID, Title: "x", CreatedBy: "u", Source: "bogus"}, "x"); !errors.Is(err, ErrConflict) {
			t.Errorf("bad source: %v", err)
		}

		got, err := s.GetCase(ctx, c1.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if got.ProductName != "Widget" || got.ReportReference != rep.Reference || got.Title != "Overflow <b>" ||
			got.Description != "d\u202e🚀" || len(got.AffectedReleases) != 2 || got.CVSS31Score != 98 || !got.ExploitedAwareAt.IsZero() {
			t.Fatalf("get: %+v", got)
		}

		got.Exploited, got.ExploitedAwareAt, got.State = true, aware, "confirmed"
		got.MeasureAt, got.FixedIn = aware.Add(time.Hour), "1.2"
		if _, err := s.UpdateCase(ctx, got, CaseEvent{Actor: "user:u1", Kind: "exploited", Summary: "marked actively exploited"}); err != nil {
			t.Fatal(err)
		}
		got2, err := s.GetCase(ctx, c1.Reference)
		if err != nil || !got2.Exploited || !got2.ExploitedAwareAt.Equal(aware) || got2.State != "confirmed" || got2.FixedIn != "1.2" {
			t.Fatalf("after update: %+v %v", got2, err)
		}
		if _, err := s.UpdateCase(ctx, Case{ID: "nope", Title: "x"}, CaseEvent{Actor: "a", Kind: "k"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}
		evs, err := s.ListCaseEvents(ctx, c1.ID)
		if err != nil || len(evs) != 2 || evs[0].Kind != "created" || evs[1].Kind != "exploited" {
			t.Fatalf("events %+v %v", evs, err)
		}

		// Listing: product filter, clock filter, paging.
		all, err := s.ListCases(ctx, CaseFilter{All: true})
		if err != nil || len(all) != 2 || all[0].Reference != c2.Reference {
			t.Fatalf("list all %d %v", len(all), err)
		}
		mine, err := s.ListCases(ctx, CaseFilter{ProductIDs: []string{p.ID}})
		if err != nil || len(mine) != 1 || mine[0].ID != c1.ID {
			t.Fatalf("list product %+v %v", mine, err)
		}
		if none, err := s.ListCases(ctx, CaseFilter{}); err != nil || len(none) != 0 {
			t.Fatalf("list nothing %+v %v", none, err)
		}
		clocks, err := s.ListCases(ctx, CaseFilter{All: true, ClockOnly: true})
		if err != nil || len(clocks) != 1 || clocks[0].ID != c1.ID {
			t.Fatalf("clock cases %+v %v", clocks, err)
		}
		page2, err := s.ListCases(ctx, CaseFilter{All: true, BeforeCreated: all[0].CreatedAt, BeforeReference: all[0].Reference})
		if err != nil || len(page2) != 1 || page2[0].ID != c1.ID {
			t.Fatalf("second page %+v %v", page2, err)
		}

		// Submissions: once per stage.
		sub := CaseSubmission{Stage: "vulnerability-early-warning", SubmittedAt: aware.Add(2 * time.Hour), Channel: "ENISA SRP",
			Reference: "SRP-1", RecordedBy: "user:u1"}
		ev := CaseEvent{Actor: "user:u1", Kind: "submission", Summary: "early warning submitted"}
		if _, err := s.AddCaseSubmission(ctx, c1.ID, sub, ev); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddCaseSubmission(ctx, c1.ID, sub, ev); !errors.Is(err, ErrConflict) {
			t.Errorf("second submission: %v", err)
		}
		if _, err := s.AddCaseSubmission(ctx, "nope", sub, ev); !errors.Is(err, ErrNotFound) {
			t.Errorf("submission of a missing case: %v", err)
		}
		subs, err := s.ListCaseSubmissions(ctx, c1.ID)
		if err != nil || len(subs) != 1 || subs[0].Reference != "SRP-1" || !subs[0].SubmittedAt.Equal(sub.SubmittedAt) {
			t.Fatalf("submissions %+v %v", subs, err)
		}
		if evs, _ := s.ListCaseEvents(ctx, c1.ID); len(evs) != 3 {
			t.Fatalf("submission event not recorded once: %d events", len(evs))
		}

		// Reminders: each once, even when raced.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.RecordCaseReminder(ctx, c1.ID, "vulnerability-notification", "50",
					&Notification{Kind: "case.deadline", ProductID: p.ID, Subject: "s", Reference: c1.Reference})
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("reminder recorded %d times", wins)
		}
		sent, err := s.CaseRemindersSent(ctx, c1.ID)
		if err != nil || !sent["vulnerability-notification/50"] || len(sent) != 1 {
			t.Fatalf("sent %v %v", sent, err)
		}
		pend, err := s.ListPendingNotifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range pend {
			if x.Kind == "case.deadline" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d deadline notifications, want 1", n)
		}

		// Deleting the report keeps the case; deleting the product removes it.
		if err := s.DeleteProduct(ctx, q.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetCase(ctx, c2.Reference); !errors.Is(err, ErrNotFound) {
			t.Errorf("case of a deleted product: %v", err)
		}
	})
}
