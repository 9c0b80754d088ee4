package person

import "github.com/oneplan-send/oneplan/internal/externalid"

// Filter selects young people.
type Filter struct {
	Query, Locality, PrimarySENNeed, EducationSettingID string
	// ExternalID, when set, selects the record holding this other system's id.
	ExternalID *externalid.ID
}
