package cases

import (
	"fmt"
	"time"
)

// ClockSkew is how far in the future a submission time may lie: the
// clocks of the officer's machine and the server differ a little.
const ClockSkew = time.Minute

// SubmissionError is a submission time the clocks refuse; Field names the
// request field to correct.
type SubmissionError struct {
	Field  string
	Reason string
}

func (e *SubmissionError) Error() string { return e.Field + ": " + e.Reason }

// CheckSubmission checks that stage s submitted at fits the case's facts
// at now: not before the awareness its clock runs from, not in the future
// (beyond ClockSkew), a vulnerability final report only once a
// corrective or mitigating measure is recorded and not before it was
// available, an incident final report only after the incident
// notification was submitted.
func CheckSubmission(f Facts, s Stage, at, now time.Time) error {
	const field = "submitted_at"
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	if at.After(now.Add(ClockSkew)) {
		return &SubmissionError{field, "is in the future"}
	}
	aware, what := f.ExploitedAwareAt, "awareness of the active exploitation"
	if s.Incident() {
		aware, what = f.IncidentAwareAt, "awareness of the severe incident"
	}
	if !aware.IsZero() && at.Before(aware) {
		return &SubmissionError{field, fmt.Sprintf("is before the %s (%s)", what, ts(aware))}
	}
	switch s {
	case StageVulnFinal:
		if f.MeasureAt.IsZero() {
			return &SubmissionError{"stage", "the final report follows a corrective or mitigating measure; none is recorded yet"}
		}
		if at.Before(f.MeasureAt) {
			return &SubmissionError{field, fmt.Sprintf("is before the corrective or mitigating measure was available (%s)", ts(f.MeasureAt))}
		}
	case StageIncidentFinal:
		n := f.Submitted[StageIncidentNotification]
		if n.IsZero() {
			return &SubmissionError{"stage", "the incident final report follows the incident notification; it is not recorded yet"}
		}
		if at.Before(n) {
			return &SubmissionError{field, fmt.Sprintf("is before the incident notification was submitted (%s)", ts(n))}
		}
	}
	return nil
}
