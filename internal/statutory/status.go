package statutory

import (
	"fmt"
	"time"
)

// Status is the state of one deadline as of a reporting date.
type Status string

// The statuses.
const (
	// StatusNotDue: not done, and the due date is more than the due-soon window away.
	StatusNotDue Status = "not_due"
	// StatusDue: not done, and the due date is within the due-soon window (today included).
	StatusDue Status = "due"
	// StatusOverdue: not done, and the due date has passed.
	StatusOverdue Status = "overdue"
	// StatusMetOnTime: done on or before the due date.
	StatusMetOnTime Status = "met_on_time"
	// StatusMetLate: done after the due date.
	StatusMetLate Status = "met_late"
	// StatusNotApplicable: the milestone has no due date in this case.
	StatusNotApplicable Status = "not_applicable"
)

// DefaultDueSoonDays is the usual due-soon window: 7 days.
const DefaultDueSoonDays = 7

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusNotDue, StatusDue, StatusOverdue, StatusMetOnTime, StatusMetLate, StatusNotApplicable:
		return true
	}
	return false
}

// ParseStatus returns the Status spelled s, or an error.
func ParseStatus(s string) (Status, error) {
	if st := Status(s); st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("statutory: unknown deadline status %q", s)
}

// Done reports whether s is a met status.
func (s Status) Done() bool {
	return s == StatusMetOnTime || s == StatusMetLate
}

// MilestoneStatus returns the status as of asOf of a milestone due on due and completed on
// completed (zero: not completed). A zero due means no deadline applies (StatusNotApplicable).
// A completion after asOf is not yet visible on asOf, so historical reports are reproducible. A
// milestone not done is StatusDue from dueSoonDays before the due date up to and including the
// due date (dueSoonDays 0: only on the due date), StatusNotDue before that, and StatusOverdue from
// the day after.
func MilestoneStatus(due, completed, asOf time.Time, dueSoonDays int) Status {
	if due.IsZero() {
		return StatusNotApplicable
	}
	due, asOf = Civil(due), Civil(asOf)
	if !completed.IsZero() && !Civil(completed).After(asOf) {
		if Civil(completed).After(due) {
			return StatusMetLate
		}
		return StatusMetOnTime
	}
	switch left := DaysBetween(asOf, due); {
	case left < 0:
		return StatusOverdue
	case left <= dueSoonDays:
		return StatusDue
	default:
		return StatusNotDue
	}
}

// Milestone is one deadline as of a day: when it is due, when it was met (zero: not yet), and
// its status then.
type Milestone struct {
	DueOn, CompletedOn time.Time
	Status             Status
}

// Track returns the milestone due on due (zero: no deadline applies) and completed on completed,
// as of asOf, with the usual 7-day due-soon window.
func Track(due, completed, asOf time.Time) Milestone {
	return Milestone{DueOn: due, CompletedOn: completed, Status: MilestoneStatus(due, completed, asOf, DefaultDueSoonDays)}
}
