package referral

import "time"

// Filter selects referrals.
type Filter struct {
	Status, Reason, OrganisationID, YoungPersonID, Locality, Query string
	CreatedAfter, CreatedBefore                                    *time.Time
}

// Allocation is one engagement lead's allocation to a referral.
type Allocation struct {
	ID             string
	ReferralID     string
	PractitionerID string
	OrganisationID string
	Reason         string
	MeetingID      string
	StartedAt      time.Time
	EndedAt        *time.Time
}
