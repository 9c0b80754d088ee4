package feedback

// Filter selects feedback.
type Filter struct {
	ReferralID, MeetingID, From string
}
