package ehcplan

import "time"

// Filter selects plans.
type Filter struct {
	YoungPersonID, RequestID string
	// Status is judged on Today: a ceasing plan whose cease date has come is ceased.
	Status string
	Today  time.Time
}
