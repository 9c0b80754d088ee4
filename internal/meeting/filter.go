package meeting

import "time"

// Filter selects meetings.
type Filter struct {
	ReferralID, YoungPersonID, Type string
	HeldAfter                       *time.Time // on or after
	HeldBefore                      *time.Time // strictly before
}

// ActionFilter selects actions.
type ActionFilter struct {
	OwnerPractitionerID, ReferralID, Status string
	// Overdue, when set, keeps open actions due before Today (true) or every other action (false).
	Overdue *bool
	Today   time.Time
}
