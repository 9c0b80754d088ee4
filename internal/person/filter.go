package person

import "time"

// Filter selects young people.
type Filter struct {
	Query, Locality, PrimarySENNeed, EducationSettingID string
	// NHSNumber and DateOfBirth match exactly (FHIR searches by identifier and birthdate).
	NHSNumber   string
	DateOfBirth *time.Time
}
