package cases

import (
	"fmt"
	"slices"
)

// State is where a case stands in vulnerability handling.
type State string

// The states of a case. New, triage, confirmed, fix in progress, fixed and
// disclosed are the usual path; not a vulnerability and duplicate close a
// case early.
const (
	StateNew              State = "new"
	StateTriage           State = "triage"
	StateConfirmed        State = "confirmed"
	StateFixInProgress    State = "fix_in_progress"
	StateFixed            State = "fixed"
	StateDisclosed        State = "disclosed"
	StateNotVulnerability State = "not_vulnerability"
	StateDuplicate        State = "duplicate"
)

// allowed lists the states a case in s may move to; ok is false for an
// unknown state. Going back is allowed where real work goes back: a fix
// that does not hold (fixed → fix in progress), a closed case reopened
// (→ triage). Disclosed is final: what was published stays published.
func allowed(s State) (next []State, ok bool) {
	switch s {
	case StateNew:
		return []State{StateTriage, StateNotVulnerability, StateDuplicate}, true
	case StateTriage:
		return []State{StateConfirmed, StateNotVulnerability, StateDuplicate}, true
	case StateConfirmed:
		return []State{StateFixInProgress, StateFixed, StateDuplicate}, true
	case StateFixInProgress:
		return []State{StateFixed, StateConfirmed}, true
	case StateFixed:
		return []State{StateDisclosed, StateFixInProgress}, true
	case StateDisclosed:
		return nil, true
	case StateNotVulnerability, StateDuplicate:
		return []State{StateTriage}, true
	}
	return nil, false
}

// States returns every state in path order.
func States() []State {
	return []State{StateNew, StateTriage, StateConfirmed, StateFixInProgress, StateFixed, StateDisclosed,
		StateNotVulnerability, StateDuplicate}
}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	_, ok := allowed(s)
	return ok
}

// Next returns the states a case in s may move to.
func (s State) Next() []State {
	next, _ := allowed(s)
	return next
}

// Closed reports whether a case in s needs no more work.
func (s State) Closed() bool {
	return s == StateDisclosed || s == StateNotVulnerability || s == StateDuplicate
}

// Dismissed reports whether s closes the case as not a vulnerability or a
// duplicate: its Article 14 clocks stop (no reminders, never overdue). A
// fixed or disclosed case keeps its final report due.
func (s State) Dismissed() bool {
	return s == StateNotVulnerability || s == StateDuplicate
}

// CheckTransition returns nil when a case may move from one state to the
// other, else an error naming both and the allowed targets.
func CheckTransition(from, to State) error {
	if !to.Valid() {
		return fmt.Errorf("unknown state %q (want one of %v)", to, States())
	}
	if !from.Valid() {
		return fmt.Errorf("unknown current state %q", from)
	}
	next, _ := allowed(from)
	if slices.Contains(next, to) {
		return nil
	}
	return fmt.Errorf("a case in state %q cannot move to %q (allowed: %v)", from, to, next)
}
