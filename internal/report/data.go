package report

// Filter narrows a report to the children living in a locality, or known to an
// organisation (anyone it is or was in the team around, as referrer, setting or otherwise).
type Filter struct {
	Locality, OrganisationID string
}

// Counts are figures by category.
type Counts map[string]int64

// ActivityFigures is what the pathway received and did in a period.
type ActivityFigures struct {
	Referrals int64
	// By any reason given (a referral may give several), by main reason, by the type of the
	// referring organisation, by the child's locality (key; LocalityNames holds a name as
	// recorded) and by route ("" when not accepted).
	ByReason, ByMainReason, BySettingType, ByLocality, ByRoute Counts
	LocalityNames                                              map[string]string
	// PooledLocalities, set by PoolLocalities for a disclosure-controlled report, labels the
	// ByLocality row keyed "", which then pools every locality not the council's with those not
	// recorded; empty, that row is the referrals with no locality recorded.
	PooledLocalities string
	// Settings counts the distinct organisations that referred, by type.
	Settings Counts
	Meetings Counts // held, by type
	// EHC needs assessment requests received, assessments started (decisions to assess) and
	// refused (decisions not to assess), and first plans issued.
	EHCRequests, AssessmentsStarted, AssessmentsRefused, PlansIssued int64
	Disputes                                                         Counts // received, by kind
}

// AnswerCount is how many answers a question got with one score or choice, from one group of
// respondents. Text answers have neither score nor choice: they are only counted.
type AnswerCount struct {
	TemplateID, Audience, ProfessionalRole, QuestionID, QuestionType string
	Score                                                            *int
	Choice                                                           string
	N                                                                int64
}

// TimelinessFigures counts, computed in the database for a period.
type TimelinessFigures struct {
	// Decisions whether to assess notified in the period: within 6 weeks of receipt (raw) and
	// within the exception-adjusted date.
	Decisions, DecisionsWithin, DecisionsWithinAdjusted int
	// Final plans issued in the period (first plans from a request): within 20 weeks (raw), within
	// the exception-adjusted date, and among those with no exception applying to the 20 weeks
	// (SEN2 Week20 = 0, the DfE's headline measure).
	Plans, PlansWithin, PlansWithinAdjusted, PlansNoExceptions, PlansNoExceptionsWithin int
	// Annual reviews decided in the period: meeting held by the due date; decision within 4 weeks
	// of the meeting.
	Reviews, ReviewsHeldOnTime, ReviewsDecidedOnTime int
}

// TransitionSnapshot is the transition report's counts on one day.
type TransitionSnapshot struct {
	// Young people in the age range with an open referral or an EHC plan in force, with and
	// without a current transition plan.
	WithPlan, WithoutPlan int64
	// EHC plans in force expected to end in the window, by why: the transition plan's expected
	// end, or the upper age limit; Ending counts each plan once.
	Ending, EndingExpected, EndingMaxAge int64
}

// FunnelFigures holds, for the referrals received in a period, how many reached each stage and the
// spread of whole days it took each of them: from receipt, and from the stage before (counts of
// referrals by number of days), from which the caller takes medians.
type FunnelFigures struct {
	Reached                  Counts
	FromReceived, FromBefore map[string]map[int]int64
}
