package server

import (
	"context"
	"fmt"
	"time"

	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
)

// Deadline reminders: at half and nine tenths of each Article 14 window
// and when it is overdue, a notification row for the security officers of
// the case's product (kind case.deadline), each once.
const (
	caseReminderLease    = "case-reminders"
	caseReminderLeaseTTL = 2 * time.Minute
)

// SendCaseReminders queues the deadline reminders that have come due, if
// holder gets the lease; it returns how many notifications it queued. The
// subject names the report, the case reference and the time left, never
// case contents.
func (s *Server) SendCaseReminders(ctx context.Context, holder string) (int, error) {
	ok, err := s.store.AcquireLease(ctx, caseReminderLease, holder, caseReminderLeaseTTL)
	if err != nil {
		s.m.jobs.WithLabelValues(caseReminderLease, "failed").Inc()
		return 0, fmt.Errorf("case reminders: lease: %w", err)
	}
	if !ok {
		s.m.jobs.WithLabelValues(caseReminderLease, "skipped").Inc()
		return 0, nil
	}
	defer s.store.ReleaseLease(context.WithoutCancel(ctx), caseReminderLease, holder)
	now := s.now()
	sent := 0
	f := store.CaseFilter{All: true, ClockOnly: true, Limit: 500}
	for {
		list, err := s.store.ListCases(ctx, f)
		if err != nil {
			s.m.jobs.WithLabelValues(caseReminderLease, "failed").Inc()
			return sent, fmt.Errorf("case reminders: %w", err)
		}
		for _, cs := range list {
			n, err := s.caseReminders(ctx, cs, now)
			sent += n
			if err != nil {
				s.m.jobs.WithLabelValues(caseReminderLease, "failed").Inc()
				return sent, fmt.Errorf("case reminders: %s: %w", cs.Reference, err)
			}
		}
		if len(list) < f.Limit {
			break
		}
		last := list[len(list)-1]
		f.BeforeCreated, f.BeforeReference = last.CreatedAt, last.Reference
	}
	s.m.jobs.WithLabelValues(caseReminderLease, "ok").Inc()
	return sent, nil
}

// caseReminders queues the due reminders of one case.
func (s *Server) caseReminders(ctx context.Context, cs store.Case, now time.Time) (int, error) {
	subs, err := s.store.ListCaseSubmissions(ctx, cs.ID)
	if err != nil {
		return 0, err
	}
	done, err := s.store.CaseRemindersSent(ctx, cs.ID)
	if err != nil {
		return 0, err
	}
	ds := cases.Deadlines(caseFacts(cs, subs), caseZone())
	sent := 0
	for _, rem := range cases.DueReminders(ds, now, func(st cases.Stage, th cases.Threshold) bool {
		return done[string(st)+"/"+string(th)]
	}) {
		var n *store.Notification
		if rem.Notify {
			n = &store.Notification{Kind: NotifyCaseDeadline, ProductID: cs.ProductID,
				Subject: rem.Subject(cs.Reference, now), Reference: cs.Reference}
		}
		ok, err := s.store.RecordCaseReminder(ctx, cs.ID, string(rem.Stage), string(rem.Threshold), n)
		if err != nil {
			return sent, err
		}
		if ok && n != nil {
			sent++
		}
	}
	return sent, nil
}
