package referral

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/externalid"
)

// Filter selects referrals.
type Filter struct {
	Status, Reason, OrganisationID, YoungPersonID, Locality, Query string
	CreatedAfter, CreatedBefore                                    *time.Time
	// AnyStatus, when set, keeps referrals in any of these statuses (a FHIR status covers several).
	AnyStatus []Status
	// ReceivedFrom and ReceivedTo bound the day received, both inclusive (FHIR's authored).
	ReceivedFrom, ReceivedTo *time.Time
	// ExternalID, when set, selects the referral holding this other system's id.
	ExternalID *externalid.ID
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
