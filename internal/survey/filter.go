package survey

import "time"

// ResponseFilter selects responses. Audiences, when given, are the only audiences listed.
type ResponseFilter struct {
	TemplateID, ReferralID, EHCPlanID, YoungPersonID, Point string
	Audiences                                               []string
}

// InvitationFilter selects invitations; Status is judged at Now.
type InvitationFilter struct {
	ReferralID, EHCPlanID, Status string
	Now                           time.Time
}
