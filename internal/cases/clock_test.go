package cases

import (
	"testing"
	"time"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data for Europe/Berlin: %v", err)
	}
	return loc
}

func due(ds []Deadline, s Stage) Deadline {
	for _, d := range ds {
		if d.Stage == s {
			return d
		}
	}
	return Deadline{}
}

// TestDeadlinesEdgeCases: the Article 14 clocks at the edges the issue
// names. Times are in Europe/Berlin, the manufacturer's zone here.
func TestDeadlinesEdgeCases(t *testing.T) {
	loc := berlin(t)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		facts Facts
		stage Stage
		want  string // due, Berlin wall clock; "" when unknown
	}{
		// Awareness one minute before midnight: 24 h and 72 h are exact
		// durations, the deadline is 23:59 one and three days later, not
		// the end of a day.
		{"midnight_early_warning", Facts{ExploitedAwareAt: at("2026-11-30 23:59")}, StageVulnEarlyWarning, "2026-12-01 23:59"},
		{"midnight_notification", Facts{ExploitedAwareAt: at("2026-11-30 23:59")}, StageVulnNotification, "2026-12-03 23:59"},
		// DST ends in Berlin on 25 October 2026 (03:00 CEST → 02:00 CET):
		// 24 h after 12:00 CEST on the 24th is 11:00 CET on the 25th.
		{"dst_end_hours_absolute", Facts{ExploitedAwareAt: at("2026-10-24 12:00")}, StageVulnEarlyWarning, "2026-10-25 11:00"},
		{"dst_end_72h", Facts{ExploitedAwareAt: at("2026-10-24 12:00")}, StageVulnNotification, "2026-10-27 11:00"},
		// DST starts on 28 March 2027 (02:00 CET → 03:00 CEST); March
		// 2026 is before Article 14 applied.
		{"dst_start_hours_absolute", Facts{ExploitedAwareAt: at("2027-03-27 12:00")}, StageVulnEarlyWarning, "2027-03-28 13:00"},
		// Calendar days keep the wall-clock time across the change: a
		// measure at 23:30 on 19 March is due 23:30 on 2 April, on the
		// 14th day (14×24 h would be 00:30 on the 3rd).
		{"dst_start_final_calendar_days", Facts{ExploitedAwareAt: at("2027-03-18 09:00"), MeasureAt: at("2027-03-19 23:30")},
			StageVulnFinal, "2027-04-02 23:30"},
		// A fix before the 72 h notification: the notification stays due
		// at A+72h, the final report 14 days after the fix, later.
		{"fix_before_72h_notification", Facts{ExploitedAwareAt: at("2026-12-01 10:00"), MeasureAt: at("2026-12-02 08:00")},
			StageVulnNotification, "2026-12-04 10:00"},
		{"fix_before_72h_final", Facts{ExploitedAwareAt: at("2026-12-01 10:00"), MeasureAt: at("2026-12-02 08:00")},
			StageVulnFinal, "2026-12-16 08:00"},
		// Marked exploited after the fix: the 14 days run from awareness.
		{"exploited_after_fix_final", Facts{ExploitedAwareAt: at("2026-12-10 15:00"), MeasureAt: at("2026-11-01 09:00")},
			StageVulnFinal, "2026-12-24 15:00"},
		{"final_waits_for_measure", Facts{ExploitedAwareAt: at("2026-12-10 15:00")}, StageVulnFinal, ""},
		// Incident final report: one calendar month after the notification
		// was submitted, clamped to the month's last day.
		{"incident_final_31_january", Facts{IncidentAwareAt: at("2027-01-29 08:00"),
			Submitted: map[Stage]time.Time{StageIncidentNotification: at("2027-01-31 16:45")}}, StageIncidentFinal, "2027-02-28 16:45"},
		{"incident_final_31_january_leap", Facts{IncidentAwareAt: at("2028-01-29 08:00"),
			Submitted: map[Stage]time.Time{StageIncidentNotification: at("2028-01-31 16:45")}}, StageIncidentFinal, "2028-02-29 16:45"},
		{"incident_final_31_march", Facts{IncidentAwareAt: at("2027-03-29 08:00"),
			Submitted: map[Stage]time.Time{StageIncidentNotification: at("2027-03-31 10:00")}}, StageIncidentFinal, "2027-04-30 10:00"},
		{"incident_final_december", Facts{IncidentAwareAt: at("2026-12-13 08:00"),
			Submitted: map[Stage]time.Time{StageIncidentNotification: at("2026-12-15 10:00")}}, StageIncidentFinal, "2027-01-15 10:00"},
		{"incident_final_waits", Facts{IncidentAwareAt: at("2026-12-13 08:00")}, StageIncidentFinal, ""},
		{"incident_early_warning", Facts{IncidentAwareAt: at("2026-12-13 08:00")}, StageIncidentEarlyWarning, "2026-12-14 08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := due(Deadlines(tt.facts, loc), tt.stage)
			if d.Stage != tt.stage {
				t.Fatalf("no deadline for %s", tt.stage)
			}
			got := ""
			if !d.Due.IsZero() {
				got = d.Due.In(loc).Format("2006-01-02 15:04")
			} else if d.Waiting == "" {
				t.Error("unknown due time without a reason")
			}
			if got != tt.want {
				t.Fatalf("due %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFinalNeverBeforeNotification: whatever the order of awareness and
// measure, the final report is due after the notification.
func TestFinalNeverBeforeNotification(t *testing.T) {
	a := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	for _, off := range []time.Duration{-90 * 24 * time.Hour, -time.Hour, 0, time.Hour, 70 * time.Hour, 30 * 24 * time.Hour} {
		ds := Deadlines(Facts{ExploitedAwareAt: a, MeasureAt: a.Add(off)}, nil)
		if !due(ds, StageVulnFinal).Due.After(due(ds, StageVulnNotification).Due) {
			t.Errorf("measure at awareness%+v: final %v not after notification %v", off, due(ds, StageVulnFinal).Due, due(ds, StageVulnNotification).Due)
		}
	}
}

// TestStatusLateSubmission: a report past due is overdue, then submitted
// and late.
func TestStatusLateSubmission(t *testing.T) {
	a := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f := Facts{ExploitedAwareAt: a}
	d := due(Deadlines(f, nil), StageVulnEarlyWarning)
	if s := d.Status(a.Add(23 * time.Hour)); s != StatusOpen {
		t.Fatalf("at 23 h: %s", s)
	}
	if s := d.Status(a.Add(25 * time.Hour)); s != StatusOverdue {
		t.Fatalf("at 25 h: %s", s)
	}
	f.Submitted = map[Stage]time.Time{StageVulnEarlyWarning: a.Add(26 * time.Hour)}
	d = due(Deadlines(f, nil), StageVulnEarlyWarning)
	if s := d.Status(a.Add(27 * time.Hour)); s != StatusSubmitted || !d.Late() {
		t.Fatalf("after late submission: %s late=%v", s, d.Late())
	}
	// A notification submitted first covers the early warning.
	f.Submitted = map[Stage]time.Time{StageVulnNotification: a.Add(2 * time.Hour)}
	d = due(Deadlines(f, nil), StageVulnEarlyWarning)
	if d.CoveredBy != StageVulnNotification || d.Status(a.Add(30*time.Hour)) != StatusSubmitted {
		t.Fatalf("early warning not covered by the notification: %+v", d)
	}
}

// TestDueReminders: 50 %, 90 % and overdue, each once; several passed at
// once notify only the highest; nothing after submission.
func TestDueReminders(t *testing.T) {
	a := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	sent := map[string]bool{}
	isSent := func(s Stage, th Threshold) bool { return sent[string(s)+"/"+string(th)] }
	record := func(rs []Reminder) (notified []string) {
		for _, r := range rs {
			sent[string(r.Stage)+"/"+string(r.Threshold)] = true
			if r.Notify {
				notified = append(notified, string(r.Stage)+"/"+string(r.Threshold))
			}
		}
		return notified
	}
	f := Facts{ExploitedAwareAt: a}
	steps := []struct {
		after time.Duration
		want  []string
	}{
		{11 * time.Hour, nil},
		{12 * time.Hour, []string{"vulnerability-early-warning/50"}},
		{13 * time.Hour, nil},
		{22 * time.Hour, []string{"vulnerability-early-warning/90"}},
		{24*time.Hour + time.Minute, []string{"vulnerability-early-warning/overdue"}},
		{36 * time.Hour, []string{"vulnerability-notification/50"}},
		{80 * time.Hour, []string{"vulnerability-notification/overdue"}}, // 90 % recorded, not sent
		{90 * time.Hour, nil},
	}
	for _, st := range steps {
		got := record(DueReminders(Deadlines(f, nil), a.Add(st.after), isSent))
		if len(got) != len(st.want) || (len(got) > 0 && got[0] != st.want[0]) {
			t.Fatalf("at +%v: notified %v, want %v", st.after, got, st.want)
		}
	}
	if !sent["vulnerability-notification/90"] {
		t.Error("the skipped 90 % reminder was not recorded")
	}
	// Submitted: nothing more.
	f2 := Facts{ExploitedAwareAt: a, Submitted: map[Stage]time.Time{StageVulnEarlyWarning: a.Add(time.Hour)}}
	for _, r := range DueReminders(Deadlines(f2, nil), a.Add(30*time.Hour), func(Stage, Threshold) bool { return false }) {
		if r.Stage == StageVulnEarlyWarning {
			t.Fatalf("reminder for a submitted report: %+v", r)
		}
	}
}

func TestReminderSubject(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	r := Reminder{Stage: StageVulnEarlyWarning, Threshold: ThresholdHalf, Due: now.Add(12 * time.Hour)}
	if got, want := r.Subject("CASE-2026-0001", now), "Article 14 early warning for CASE-2026-0001 due in 12 h"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	r = Reminder{Stage: StageIncidentFinal, Threshold: ThresholdOverdue, Due: now.Add(-time.Hour)}
	if got, want := r.Subject("CASE-2026-0002", now), "Article 14 final report (severe incident) for CASE-2026-0002 is overdue since 2026-12-01 09:00 UTC"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	for d, want := range map[time.Duration]string{20 * time.Minute: "under 1 h", 11*time.Hour + 59*time.Minute: "12 h", 47 * time.Hour: "47 h", 75 * time.Hour: "3 d 3 h", -5 * time.Hour: "5 h ago"} {
		if got := FormatLeft(d); got != want {
			t.Errorf("FormatLeft(%v) = %q, want %q", d, got, want)
		}
	}
}
