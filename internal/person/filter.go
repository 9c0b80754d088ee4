package person

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/externalid"
)

// Filter selects young people.
type Filter struct {
	Query, Locality, PrimarySENNeed, EducationSettingID string
	// NHSNumber and DateOfBirth match exactly (FHIR searches by identifier and birthdate).
	NHSNumber   string
	DateOfBirth *time.Time
	// ExternalID, when set, selects the record holding this other system's id.
	ExternalID *externalid.ID
}
