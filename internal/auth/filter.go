package auth

// KeyFilter selects keys.
type KeyFilter struct {
	OrganisationID, Role string
	IncludeRevoked       bool
}
