package cases

import (
	"testing"
	"time"
)

// TestCoveredEarlyWarning: a later report counts as the early warning, in
// time only when it came within the early warning's 24 h; an early
// warning never covers the notification.
func TestCoveredEarlyWarning(t *testing.T) {
	a := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := a.Add(30 * 24 * time.Hour)
	tests := []struct {
		name      string
		submitted map[Stage]time.Time
		stage     Stage
		status    Status
		coveredBy Stage
		late      bool
	}{
		{"notification_within_24h", map[Stage]time.Time{StageVulnNotification: a.Add(20 * time.Hour)},
			StageVulnEarlyWarning, StatusSubmitted, StageVulnNotification, false},
		{"notification_after_24h", map[Stage]time.Time{StageVulnNotification: a.Add(48 * time.Hour)},
			StageVulnEarlyWarning, StatusSubmitted, StageVulnNotification, true},
		{"early_warning_does_not_cover_notification", map[Stage]time.Time{StageVulnEarlyWarning: a.Add(time.Hour)},
			StageVulnNotification, StatusOverdue, "", false},
		{"earliest_later_report_covers", map[Stage]time.Time{StageVulnNotification: a.Add(70 * time.Hour), StageVulnFinal: a.Add(10 * time.Hour)},
			StageVulnEarlyWarning, StatusSubmitted, StageVulnFinal, false},
		{"incident_notification_late", map[Stage]time.Time{StageIncidentNotification: a.Add(25 * time.Hour)},
			StageIncidentEarlyWarning, StatusSubmitted, StageIncidentNotification, true},
		{"own_submission_wins", map[Stage]time.Time{StageVulnEarlyWarning: a.Add(2 * time.Hour), StageVulnNotification: a.Add(30 * time.Hour)},
			StageVulnEarlyWarning, StatusSubmitted, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{ExploitedAwareAt: a, IncidentAwareAt: a, MeasureAt: a, Submitted: tt.submitted}
			d := due(Deadlines(f, nil), tt.stage)
			if d.Status(now) != tt.status || d.CoveredBy != tt.coveredBy || d.Late() != tt.late {
				t.Fatalf("status %s covered by %q late %v; want %s %q %v", d.Status(now), d.CoveredBy, d.Late(), tt.status, tt.coveredBy, tt.late)
			}
		})
	}
}

// TestNotReportableBeforeArticle14: awareness before 11 September 2026
// in the manufacturer's zone: no due times, no reminders; from then on the
// clocks run.
func TestNotReportableBeforeArticle14(t *testing.T) {
	loc := berlin(t)
	tests := []struct {
		name  string
		aware time.Time
		zone  *time.Location
		want  bool // reportable
	}{
		{"utc_last_second", time.Date(2026, 9, 10, 23, 59, 59, 0, time.UTC), nil, false},
		{"utc_first_moment", time.Date(2026, 9, 11, 0, 0, 0, 0, time.UTC), nil, true},
		// 23:30 UTC on the 10th is 01:30 on the 11th in Berlin.
		{"berlin_already_11th", time.Date(2026, 9, 10, 23, 30, 0, 0, time.UTC), loc, true},
		{"berlin_still_10th", time.Date(2026, 9, 10, 21, 30, 0, 0, time.UTC), loc, false},
		{"long_before", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{ExploitedAwareAt: tt.aware, IncidentAwareAt: tt.aware, MeasureAt: tt.aware.Add(time.Hour),
				Submitted: map[Stage]time.Time{StageIncidentNotification: tt.aware.Add(time.Hour)}}
			ds := Deadlines(f, tt.zone)
			if len(ds) != 6 {
				t.Fatalf("%d deadlines", len(ds))
			}
			now := tt.aware.Add(400 * 24 * time.Hour)
			for _, d := range ds {
				if d.Done() {
					continue // submitted, or covered by the submitted notification
				}
				if got := d.NotReportable == ""; got != tt.want {
					t.Fatalf("%s reportable %v", d.Stage, got)
				}
				if !tt.want && (!d.Due.IsZero() || d.Status(now) != StatusNotReportable || d.Start.IsZero()) {
					t.Fatalf("%s: due %v status %s start %v", d.Stage, d.Due, d.Status(now), d.Start)
				}
			}
			rem := DueReminders(ds, now, func(Stage, Threshold) bool { return false })
			if (len(rem) > 0) != tt.want {
				t.Fatalf("%d reminders", len(rem))
			}
		})
	}
}

// TestClosedCaseClocks: a case dismissed as not a vulnerability or a
// duplicate has no overdue report and no reminder; a submitted report
// stays submitted.
func TestClosedCaseClocks(t *testing.T) {
	a := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, st := range States() {
		t.Run(string(st), func(t *testing.T) {
			f := Facts{ExploitedAwareAt: a, MeasureAt: a, Closed: st.Dismissed(),
				Submitted: map[Stage]time.Time{StageVulnEarlyWarning: a.Add(time.Hour)}}
			ds := Deadlines(f, nil)
			now := a.Add(60 * 24 * time.Hour)
			want := StatusOverdue
			if st == StateNotVulnerability || st == StateDuplicate {
				want = StatusClosed
			}
			if s := due(ds, StageVulnFinal).Status(now); s != want {
				t.Fatalf("final report %s, want %s", s, want)
			}
			if s := due(ds, StageVulnEarlyWarning).Status(now); s != StatusSubmitted {
				t.Fatalf("early warning %s", s)
			}
			rem := DueReminders(ds, now, func(Stage, Threshold) bool { return false })
			if (len(rem) == 0) != (want == StatusClosed) {
				t.Fatalf("%d reminders", len(rem))
			}
		})
	}
}

// TestCheckSubmission: submission times against the clocks.
func TestCheckSubmission(t *testing.T) {
	a := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := a.Add(10 * 24 * time.Hour)
	m := a.Add(48 * time.Hour)
	n := a.Add(60 * time.Hour)
	full := Facts{ExploitedAwareAt: a, IncidentAwareAt: a, MeasureAt: m, Submitted: map[Stage]time.Time{StageIncidentNotification: n}}
	bare := Facts{ExploitedAwareAt: a, IncidentAwareAt: a}
	tests := []struct {
		name  string
		facts Facts
		stage Stage
		at    time.Time
		field string // "" when accepted
	}{
		{"early_warning_ok", full, StageVulnEarlyWarning, a.Add(time.Hour), ""},
		{"before_awareness", full, StageVulnEarlyWarning, a.Add(-time.Second), "submitted_at"},
		{"incident_before_awareness", Facts{ExploitedAwareAt: a.Add(-48 * time.Hour), IncidentAwareAt: a}, StageIncidentEarlyWarning, a.Add(-time.Hour), "submitted_at"},
		{"future_within_skew", full, StageVulnNotification, now.Add(59 * time.Second), ""},
		{"future", full, StageVulnNotification, now.Add(2 * time.Minute), "submitted_at"},
		{"final_without_measure", bare, StageVulnFinal, now, "stage"},
		{"final_before_measure", full, StageVulnFinal, m.Add(-time.Minute), "submitted_at"},
		{"final_at_measure", full, StageVulnFinal, m, ""},
		{"incident_final_without_notification", bare, StageIncidentFinal, now, "stage"},
		{"incident_final_before_notification", full, StageIncidentFinal, n.Add(-time.Minute), "submitted_at"},
		{"incident_final_ok", full, StageIncidentFinal, n.Add(time.Hour), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSubmission(tt.facts, tt.stage, tt.at, now)
			got := ""
			if se, ok := err.(*SubmissionError); ok {
				got = se.Field
			} else if err != nil {
				t.Fatalf("error %T %v", err, err)
			}
			if got != tt.field {
				t.Fatalf("field %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}
