package ehc

import "time"

// Filter selects EHC needs assessment requests.
type Filter struct {
	YoungPersonID, Status string
	// Overdue, when set, keeps requests with (true) or without (false) a statutory limit passed on
	// Today: the same rule as ehc.Deadlines.Overdue, on the adjusted due dates kept on the row.
	Overdue *bool
	Today   time.Time
}
