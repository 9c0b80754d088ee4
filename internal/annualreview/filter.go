package annualreview

import "time"

// Filter selects reviews.
type Filter struct {
	PlanID, YoungPersonID, Status string
	// Overdue keeps reviews whose meeting, report or decision is overdue on Today (true) or not
	// (false): the rule of annualreview.Deadlines.Overdue on the due dates kept on the row.
	Overdue *bool
	// DueBefore keeps reviews not yet held that are due on or before this day.
	DueBefore time.Time
	Today     time.Time
}
