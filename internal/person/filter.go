package person

// Filter selects young people.
type Filter struct {
	Query, Locality, PrimarySENNeed, EducationSettingID string
}
