package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// clockCase creates a case by hand on a new product and returns its API
// path and the officer's session.
func clockCase(t *testing.T, e *env) (string, string) {
	t.Helper()
	p := e.product("Widget")
	u := e.user("so@example.eu", auth.RoleSecurityOfficer)
	e.member(u, p, store.RoleSecurityOfficer)
	so := e.session(u)
	w := e.do("POST", "/api/v1/cases", map[string]any{"product": p.ID, "title": "Overflow"}, withCookie(so))
	expectStatus(t, w, http.StatusCreated)
	return "/api/v1/cases/" + decode[caseJSON](t, w).Reference, so
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// TestCaseSubmissionChecked: submissions the clocks contradict are
// refused with 422 naming the field; the others are recorded.
func TestCaseSubmissionChecked(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ref, so := clockCase(t, e)
		now := e.clock.Now().UTC().Truncate(time.Second)
		aware := now.Add(-50 * time.Hour)
		expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{"aware_at": rfc(aware)}, withCookie(so)), 200)
		expectStatus(t, e.do("POST", ref+"/incident", map[string]any{"aware_at": rfc(aware)}, withCookie(so)), 200)
		sub := func(stage cases.Stage, at time.Time) map[string]any {
			return map[string]any{"stage": string(stage), "submitted_at": rfc(at), "channel": "ENISA single reporting platform"}
		}
		tests := []struct {
			name   string
			body   map[string]any
			status int
			detail string
		}{
			{"before_awareness", sub(cases.StageVulnEarlyWarning, aware.Add(-time.Minute)), 422, "submitted_at: is before the awareness"},
			{"future", sub(cases.StageVulnEarlyWarning, now.Add(5*time.Minute)), 422, "submitted_at: is in the future"},
			{"final_without_measure", sub(cases.StageVulnFinal, now), 422, "stage: the final report follows a corrective"},
			{"incident_final_without_notification", sub(cases.StageIncidentFinal, now), 422, "incident notification"},
			{"early_warning", sub(cases.StageVulnEarlyWarning, aware.Add(time.Hour)), 201, ""},
			{"incident_notification", sub(cases.StageIncidentNotification, aware.Add(30*time.Hour)), 201, ""},
			{"incident_final_before_notification", sub(cases.StageIncidentFinal, aware.Add(29*time.Hour)), 422, "before the incident notification"},
			{"incident_final", sub(cases.StageIncidentFinal, aware.Add(40*time.Hour)), 201, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := e.do("POST", ref+"/submissions", tt.body, withCookie(so))
				expectStatus(t, w, tt.status)
				if !strings.Contains(w.Body.String(), tt.detail) {
					t.Fatalf("body %s, want %q", w.Body.String(), tt.detail)
				}
			})
		}
		// The final report: not before the measure.
		m := now.Add(-10 * time.Hour)
		expectStatus(t, e.do("POST", ref+"/measure", map[string]any{"available_at": rfc(m)}, withCookie(so)), 200)
		expectStatus(t, e.do("POST", ref+"/submissions", sub(cases.StageVulnFinal, m.Add(-time.Minute)), withCookie(so)), 422)
		expectStatus(t, e.do("POST", ref+"/submissions", sub(cases.StageVulnFinal, m), withCookie(so)), 201)
	})
}

// TestCaseLateNotificationShowsMissedEarlyWarning: the notification after
// 24 h covers the early warning, late.
func TestCaseLateNotificationShowsMissedEarlyWarning(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ref, so := clockCase(t, e)
		aware := e.clock.Now().UTC().Truncate(time.Second).Add(-60 * time.Hour)
		expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{"aware_at": rfc(aware)}, withCookie(so)), 200)
		expectStatus(t, e.do("POST", ref+"/submissions", map[string]any{"stage": string(cases.StageVulnNotification),
			"submitted_at": rfc(aware.Add(30 * time.Hour)), "channel": "ENISA"}, withCookie(so)), 201)
		c := decode[caseJSON](t, e.do("GET", ref, nil, withCookie(so)))
		ew := deadlineOf(t, c.Deadlines, cases.StageVulnEarlyWarning)
		if ew.Status != "submitted" || ew.CoveredBy != string(cases.StageVulnNotification) || !ew.Late || ew.HoursLeft != nil {
			t.Fatalf("early warning %+v", ew)
		}
		if n := deadlineOf(t, c.Deadlines, cases.StageVulnNotification); n.Late {
			t.Fatalf("notification in time shown late: %+v", n)
		}
	})
}

// TestCaseClocksNotReportableOrClosed: awareness before 11 September
// 2026 and a dismissed case: no due reports, nothing overdue, no
// reminders; the recorded facts stay.
func TestCaseClocksNotReportableOrClosed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ctx := context.Background()
		p := e.product("Widget")
		u := e.user("so@example.eu", auth.RoleSecurityOfficer)
		e.member(u, p, store.RoleSecurityOfficer)
		so := e.session(u)
		mk := func(aware time.Time, closeAs string) caseJSON {
			w := e.do("POST", "/api/v1/cases", map[string]any{"product": p.ID, "title": "Overflow"}, withCookie(so))
			expectStatus(t, w, http.StatusCreated)
			ref := "/api/v1/cases/" + decode[caseJSON](t, w).Reference
			expectStatus(t, e.do("POST", ref+"/exploited", map[string]any{"aware_at": rfc(aware)}, withCookie(so)), 200)
			expectStatus(t, e.do("POST", ref+"/incident", map[string]any{"aware_at": rfc(aware)}, withCookie(so)), 200)
			if closeAs != "" {
				expectStatus(t, e.do("POST", ref+"/transitions", map[string]any{"to": closeAs}, withCookie(so)), 200)
			}
			return decode[caseJSON](t, e.do("GET", ref, nil, withCookie(so)))
		}
		tests := []struct {
			name    string
			aware   time.Time
			closeAs string
			status  string
			due     bool
		}{
			{"aware_before_article_14", time.Date(2026, 9, 10, 23, 59, 0, 0, time.UTC), "", "not_reportable", false},
			{"not_a_vulnerability", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), "not_vulnerability", "closed", true},
			{"duplicate", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), "duplicate", "closed", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := mk(tt.aware, tt.closeAs)
				if c.AwareAt == nil || !c.AwareAt.Equal(tt.aware) || len(c.Deadlines) != 6 {
					t.Fatalf("facts not kept: %+v", c)
				}
				for _, d := range c.Deadlines {
					if d.Status != tt.status || d.HoursLeft != nil {
						t.Fatalf("%s: %+v", d.Stage, d)
					}
					if tt.status == "not_reportable" && (d.Due != nil || !strings.Contains(d.NotReportable, "11 September 2026")) {
						t.Fatalf("%s: %+v", d.Stage, d)
					}
					if tt.due && d.Stage == string(cases.StageVulnEarlyWarning) && d.Due == nil {
						t.Fatalf("closed case lost its due time: %+v", d)
					}
				}
			})
		}
		// The control: reportable and open, long overdue → reminders.
		mk(time.Date(2026, 9, 11, 0, 0, 0, 0, time.UTC), "")
		n, err := e.s.SendCaseReminders(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Fatalf("%d reminders, want 4: the open case's overdue early warnings and notifications, none of the others", n)
		}
	})
}
