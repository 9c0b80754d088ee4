package assessment

// Filter selects assessments.
type Filter struct {
	ReferralID, YoungPersonID, Status string
}
