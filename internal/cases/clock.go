package cases

import (
	"fmt"
	"time"
)

// Stage is one Article 14 report.
type Stage string

// The six reports of Article 14: three for an actively exploited
// vulnerability (14(2)), three for a severe incident (14(4)).
const (
	StageVulnEarlyWarning     Stage = "vulnerability-early-warning"
	StageVulnNotification     Stage = "vulnerability-notification"
	StageVulnFinal            Stage = "vulnerability-final-report"
	StageIncidentEarlyWarning Stage = "incident-early-warning"
	StageIncidentNotification Stage = "incident-notification"
	StageIncidentFinal        Stage = "incident-final-report"
)

// Stages returns every stage, vulnerability first, in reporting order.
func Stages() []Stage {
	return []Stage{StageVulnEarlyWarning, StageVulnNotification, StageVulnFinal,
		StageIncidentEarlyWarning, StageIncidentNotification, StageIncidentFinal}
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, x := range Stages() {
		if s == x {
			return true
		}
	}
	return false
}

// Incident reports whether s is a severe-incident report.
func (s Stage) Incident() bool {
	return s == StageIncidentEarlyWarning || s == StageIncidentNotification || s == StageIncidentFinal
}

// Article is the paragraph of Regulation (EU) 2024/2847 that asks for s.
func (s Stage) Article() string {
	switch s {
	case StageVulnEarlyWarning:
		return "Art. 14(2)(a)"
	case StageVulnNotification:
		return "Art. 14(2)(b)"
	case StageVulnFinal:
		return "Art. 14(2)(c)"
	case StageIncidentEarlyWarning:
		return "Art. 14(4)(a)"
	case StageIncidentNotification:
		return "Art. 14(4)(b)"
	case StageIncidentFinal:
		return "Art. 14(4)(c)"
	}
	return ""
}

// Name is the stage as people read it.
func (s Stage) Name() string {
	switch s {
	case StageVulnEarlyWarning, StageIncidentEarlyWarning:
		return "early warning"
	case StageVulnNotification:
		return "vulnerability notification"
	case StageIncidentNotification:
		return "incident notification"
	case StageVulnFinal, StageIncidentFinal:
		return "final report"
	}
	return string(s)
}

// Facts are the times the clocks run from. A zero time is "not (yet)
// known".
type Facts struct {
	// ExploitedAwareAt is when the manufacturer became aware that the
	// vulnerability is actively exploited; zero when it is not.
	ExploitedAwareAt time.Time
	// MeasureAt is when a corrective or mitigating measure became
	// available (a fixed release or a published mitigation).
	MeasureAt time.Time
	// IncidentAwareAt is when the manufacturer became aware of a severe
	// incident having an impact on the security of the product.
	IncidentAwareAt time.Time
	// Submitted holds when each report was submitted.
	Submitted map[Stage]time.Time
	// Closed is set for a case closed as not a vulnerability or a
	// duplicate (State.Closed): nothing is due, nothing is overdue.
	Closed bool
}

// Deadline is the clock of one report.
type Deadline struct {
	Stage   Stage
	Article string
	// Start is when the window opened (the clock's start): awareness, the
	// measure, or the submitted incident notification.
	Start time.Time
	// Due is the latest moment to submit; zero while it cannot be known
	// yet (Waiting says why).
	Due     time.Time
	Waiting string
	// SubmittedAt is when this report was submitted; zero while it was not.
	SubmittedAt time.Time
	// CoveredBy names a later report of the same kind that was submitted
	// and holds everything this one asks for, so this one is no longer due;
	// CoveredAt is when that report was submitted (Late compares it with
	// Due: a notification sent after 24 h covers a missed early warning
	// late).
	CoveredBy Stage
	CoveredAt time.Time
	// NotReportable says why the report is not due at all (awareness
	// before Article 14 applied); Due is then zero.
	NotReportable string
	// Closed is set when the case is closed (not a vulnerability, a
	// duplicate): the report is no longer due, never overdue.
	Closed bool
}

// Status says where a report stands at a moment.
type Status string

// Report statuses.
const (
	StatusWaiting   Status = "waiting"   // the due time is not known yet
	StatusOpen      Status = "open"      // due in the future
	StatusOverdue   Status = "overdue"   // not submitted, past due
	StatusSubmitted Status = "submitted" // done (in time or late: see Late)
	// StatusNotReportable: the manufacturer became aware before Article
	// 14 applied (see NotReportable).
	StatusNotReportable Status = "not_reportable"
	// StatusClosed: the case was closed as not a vulnerability or a
	// duplicate before the report was submitted.
	StatusClosed Status = "closed"
)

// Done reports whether nothing more is due for the report.
func (d Deadline) Done() bool { return !d.SubmittedAt.IsZero() || d.CoveredBy != "" }

// Status is the report's status at now.
func (d Deadline) Status(now time.Time) Status {
	switch {
	case d.Done():
		return StatusSubmitted
	case d.NotReportable != "":
		return StatusNotReportable
	case d.Closed:
		return StatusClosed
	case d.Due.IsZero():
		return StatusWaiting
	case now.After(d.Due):
		return StatusOverdue
	}
	return StatusOpen
}

// Late reports whether the report was submitted after its due time, or
// was covered by a later report submitted after its due time (a missed
// early warning stays missed).
func (d Deadline) Late() bool {
	at := d.SubmittedAt
	if at.IsZero() {
		at = d.CoveredAt
	}
	return !at.IsZero() && !d.Due.IsZero() && at.After(d.Due)
}

// Pending reports whether the report is still to be submitted and can
// fall due: it has a due time, is not done, reportable and the case open.
func (d Deadline) Pending() bool {
	return !d.Done() && !d.Due.IsZero() && d.NotReportable == "" && !d.Closed
}

// Left is the time from now to the due time (negative when overdue).
func (d Deadline) Left(now time.Time) time.Duration {
	if d.Due.IsZero() {
		return 0
	}
	return d.Due.Sub(now)
}

// Clock periods of Article 14.
const (
	EarlyWarningWithin = 24 * time.Hour // 14(2)(a), 14(4)(a)
	NotificationWithin = 72 * time.Hour // 14(2)(b), 14(4)(b)
	// FinalReportDays is the vulnerability final report's period after the
	// measure (14(2)(c)), in calendar days.
	FinalReportDays = 14
)

// Deadlines computes the clocks of every report that applies: the three
// vulnerability reports once ExploitedAwareAt is set, the three incident
// reports once IncidentAwareAt is set. zone is the manufacturer's time
// zone for calendar days and months (nil: UTC).
//
// The vulnerability final report is due 14 days after the measure became
// available, counted from awareness when the measure came first: the
// obligation to report exists only once the manufacturer is aware of the
// exploitation, so a case marked exploited after the fix gets its 14 days
// from awareness. It is therefore never due before the notification.
// The incident final report is due one month after the incident
// notification was submitted; until then its due time is unknown.
//
// Awareness before Article 14 applied (AppliesFrom in zone) makes that
// kind's three reports not reportable: no due time, never overdue, no
// reminders, the awareness kept as Start. A dismissed case (Facts.Closed)
// keeps its due times for the record, but its reports are closed.
func Deadlines(f Facts, zone *time.Location) []Deadline {
	if zone == nil {
		zone = time.UTC
	}
	var out []Deadline
	from := AppliesFrom(zone)
	if a := f.ExploitedAwareAt; !a.IsZero() {
		out = append(out, vulnClocks(f, a, from, zone)...)
	}
	if a := f.IncidentAwareAt; !a.IsZero() {
		out = append(out, incidentClocks(f, a, from, zone)...)
	}
	for i := range out {
		d := &out[i]
		d.Article = d.Stage.Article()
		d.SubmittedAt = f.Submitted[d.Stage]
		d.Closed = f.Closed
		if d.SubmittedAt.IsZero() {
			d.CoveredBy, d.CoveredAt = coveredBy(d.Stage, f.Submitted)
		}
	}
	return out
}

// vulnClocks are the three clocks of an actively exploited vulnerability
// the manufacturer became aware of at a; not reportable before from.
func vulnClocks(f Facts, a, from time.Time, zone *time.Location) []Deadline {
	if a.Before(from) {
		return []Deadline{notReportable(StageVulnEarlyWarning, a), notReportable(StageVulnNotification, a),
			notReportable(StageVulnFinal, a)}
	}
	ew := Deadline{Stage: StageVulnEarlyWarning, Start: a, Due: a.Add(EarlyWarningWithin)}
	n := Deadline{Stage: StageVulnNotification, Start: a, Due: a.Add(NotificationWithin)}
	fin := Deadline{Stage: StageVulnFinal}
	if m := f.MeasureAt; !m.IsZero() {
		start := m
		if a.After(m) {
			start = a
		}
		fin.Start, fin.Due = start, AddDays(start, FinalReportDays, zone)
	} else {
		fin.Waiting = "due 14 days after a corrective or mitigating measure is available; none is recorded yet"
	}
	return []Deadline{ew, n, fin}
}

// incidentClocks are the three clocks of a severe incident the
// manufacturer became aware of at a; not reportable before from.
func incidentClocks(f Facts, a, from time.Time, zone *time.Location) []Deadline {
	if a.Before(from) {
		return []Deadline{notReportable(StageIncidentEarlyWarning, a), notReportable(StageIncidentNotification, a),
			notReportable(StageIncidentFinal, a)}
	}
	ew := Deadline{Stage: StageIncidentEarlyWarning, Start: a, Due: a.Add(EarlyWarningWithin)}
	n := Deadline{Stage: StageIncidentNotification, Start: a, Due: a.Add(NotificationWithin)}
	fin := Deadline{Stage: StageIncidentFinal}
	if s := f.Submitted[StageIncidentNotification]; !s.IsZero() {
		fin.Start, fin.Due = s, AddMonths(s, 1, zone)
	} else {
		fin.Waiting = "due one month after the incident notification is submitted; it is not recorded yet"
	}
	return []Deadline{ew, n, fin}
}

// notReportable is the clock of a report whose awareness came before
// Article 14 applied: start recorded, nothing due.
func notReportable(s Stage, aware time.Time) Deadline {
	return Deadline{Stage: s, Start: aware, NotReportable: NotReportableBefore}
}

// coveredBy names the later report of the same kind already submitted
// (the earliest so submitted) and when. Only an early warning is covered:
// Art. 14(2)(a) and 14(4)(a) ask for it without the "unless the relevant
// information has already been provided" of points (b) and (c), but a
// notification or final report holds everything an early warning asks
// for, so one submitted counts as the early warning; Late then tells
// whether it came within the early warning's 24 h. An early warning never
// covers a notification, and a final report does not cover a notification
// (the notification is the one report with the general information and
// the initial assessment the final report builds on).
func coveredBy(s Stage, submitted map[Stage]time.Time) (Stage, time.Time) {
	var later []Stage
	switch s {
	case StageVulnEarlyWarning:
		later = []Stage{StageVulnNotification, StageVulnFinal}
	case StageIncidentEarlyWarning:
		later = []Stage{StageIncidentNotification, StageIncidentFinal}
	}
	var by Stage
	var at time.Time
	for _, l := range later {
		if t := submitted[l]; !t.IsZero() && (at.IsZero() || t.Before(at)) {
			by, at = l, t
		}
	}
	return by, at
}

// AddDays returns t moved n calendar days in zone, at the same wall-clock
// time (see the package doc on counting periods). A wall-clock time that a
// DST change skips on the target day is normalised forward by Go's rules,
// which can only happen between 02:00 and 03:00 and stays on that day.
func AddDays(t time.Time, n int, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).AddDate(0, 0, n)
}

// AddMonths returns t moved n calendar months in zone, at the same
// wall-clock time; a day that the target month lacks becomes its last day
// (31 January + 1 month = 28 or 29 February), as Regulation 1182/71 Art.
// 3(2)(c) has it.
func AddMonths(t time.Time, n int, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	l := t.In(zone)
	y, m, d := l.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, zone)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), zone)
}

// Threshold is a reminder point in a report's window.
type Threshold string

// Reminder thresholds: half and nine tenths of the window gone, and past
// due.
const (
	ThresholdHalf       Threshold = "50"
	ThresholdNineTenths Threshold = "90"
	ThresholdOverdue    Threshold = "overdue"
)

// Reminder is a reminder that has come due.
type Reminder struct {
	Stage     Stage
	Threshold Threshold
	Due       time.Time
	// Notify is false for a threshold passed together with a higher one
	// (a clock started in the past, or a job run missed): it is recorded
	// as sent so that it never comes later, but only the highest one is
	// worth a message.
	Notify bool
}

// reachedAt is when a threshold of d's window is reached.
func reachedAt(d Deadline, th Threshold) time.Time {
	w := d.Due.Sub(d.Start)
	switch th {
	case ThresholdHalf:
		return d.Start.Add(w / 2)
	case ThresholdNineTenths:
		return d.Start.Add(w / 10 * 9)
	}
	return d.Due
}

// DueReminders returns the reminders reached at now and not yet sent, for
// every report not yet done. sent reports whether a (stage, threshold)
// reminder was already recorded.
func DueReminders(ds []Deadline, now time.Time, sent func(Stage, Threshold) bool) []Reminder {
	var out []Reminder
	for _, d := range ds {
		if !d.Pending() {
			continue
		}
		var reached []Reminder
		for _, th := range []Threshold{ThresholdHalf, ThresholdNineTenths, ThresholdOverdue} {
			at := reachedAt(d, th)
			if th == ThresholdOverdue && !now.After(at) || th != ThresholdOverdue && now.Before(at) {
				continue
			}
			if sent(d.Stage, th) {
				continue
			}
			reached = append(reached, Reminder{Stage: d.Stage, Threshold: th, Due: d.Due})
		}
		if len(reached) > 0 {
			reached[len(reached)-1].Notify = true
		}
		out = append(out, reached...)
	}
	return out
}

// Subject is the notification subject of a reminder: the report, the case
// reference and the time left, and nothing of the case's contents.
func (r Reminder) Subject(reference string, now time.Time) string {
	what := "Article 14 " + r.Stage.Name()
	if r.Stage.Incident() {
		what += " (severe incident)"
	}
	if r.Threshold == ThresholdOverdue || !now.Before(r.Due) {
		return fmt.Sprintf("%s for %s is overdue since %s", what, reference, r.Due.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf("%s for %s due in %s", what, reference, FormatLeft(r.Due.Sub(now)))
}

// FormatLeft shows a duration rounded to the nearest hour ("12 h"), or
// days and hours from two days on ("3 d 4 h"); under half an hour it is
// "under 1 h".
func FormatLeft(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	h := int((d + 30*time.Minute) / time.Hour)
	var s string
	switch {
	case h < 1:
		s = "under 1 h"
	case h < 48:
		s = fmt.Sprintf("%d h", h)
	default:
		s = fmt.Sprintf("%d d %d h", h/24, h%24)
	}
	if neg {
		return s + " ago"
	}
	return s
}
