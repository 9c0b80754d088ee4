package ehc

import "time"

// Filter selects EHC needs assessment requests.
type Filter struct {
	YoungPersonID, Status string
	// Overdue, when set, keeps requests with (true) or without (false) a statutory limit passed on
	// Today: the same rule as ehc.Deadlines.Overdue, on the adjusted due dates kept on the row.
	Overdue *bool
	Today   time.Time
}

// NoticeQuery selects the requests the sweeper may owe a notice on AsOf: those with a decision
// whether to assess, a no-plan notice or a final plan still open (or met only after AsOf) whose
// adjusted due day has passed, or for the last two falls within NoPlanLead or FinalPlanLead days,
// and whose notice (keyed as the sweeper keys it, see KeyDeadlineMissed and KeyDeadlineDueSoon)
// has not been claimed yet. It is a superset: the sweeper judges each request read by its
// Deadlines, so a request read needlessly costs a read, never a notice.
type NoticeQuery struct {
	AsOf                      time.Time
	NoPlanLead, FinalPlanLead int
}

// Keys of the sweeper's notices about a request's statutory limits (clock_notices): one per
// request, limit and adjusted due day.
const (
	KeyDeadlineMissed  = "ehc_request.deadline_missed:"
	KeyDeadlineDueSoon = "ehc_request.deadline_due_soon:"
)
