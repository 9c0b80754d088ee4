package statutory

import "time"

// Time limits for an EHC needs assessment, counted from the day the local authority receives the
// request under s.36(1) of the Act (or becomes responsible for the child under s.24).
const (
	// DecisionToAssessWeeks: notify the decision whether to assess within 6 weeks (Reg 5(1)).
	DecisionToAssessWeeks = 6
	// AdviceWeeks: each adviser answers within 6 weeks of being asked (Reg 8).
	AdviceWeeks = 6
	// NoPlanNoticeWeeks: notify a decision not to issue a plan within 16 weeks (Reg 10(1)).
	NoPlanNoticeWeeks = 16
	// DraftPlanTargetWeeks is a practice target, not a statutory limit: sending the draft by
	// week 14 leaves room for the comment period and consultations before week 20. Change it here.
	DraftPlanTargetWeeks = 14
	// DraftCommentDays: the family has at least 15 days, beginning with the day the draft is
	// served, to comment, ask for a meeting and request a setting (Reg 13(1)(a); s.38 of the Act).
	DraftCommentDays = 15
	// FinalPlanWeeks: send the final plan within 20 weeks (Reg 13(2)).
	FinalPlanWeeks = 20
)

// DecisionToAssessDue is the date by which the authority must notify its decision whether to
// carry out an EHC needs assessment: received + 6 weeks (Reg 5(1)).
func DecisionToAssessDue(received time.Time) time.Time {
	return AddWeeks(received, DecisionToAssessWeeks)
}

// AdviceDue is the date by which an adviser asked for advice on requested must provide it:
// requested + 6 weeks (Reg 8). Each adviser has a separate clock.
func AdviceDue(requested time.Time) time.Time {
	return AddWeeks(requested, AdviceWeeks)
}

// NoPlanNoticeDue is the date by which the authority must notify a decision, after assessing,
// not to issue an EHC plan: received + 16 weeks (Reg 10(1)).
func NoPlanNoticeDue(received time.Time) time.Time {
	return AddWeeks(received, NoPlanNoticeWeeks)
}

// DraftPlanTarget is the practice target for sending the draft plan: received +
// DraftPlanTargetWeeks. It is not a statutory limit.
func DraftPlanTarget(received time.Time) time.Time {
	return AddWeeks(received, DraftPlanTargetWeeks)
}

// DraftCommentPeriodEnd is the last day of the family's comment period on a draft plan served on
// served: the period is at least 15 days beginning with the day of service (Reg 13(1)(a)), so it
// ends on served + 14. The authority should not finalise before the following day.
func DraftCommentPeriodEnd(served time.Time) time.Time {
	return PeriodEndDays(served, DraftCommentDays)
}

// FinalPlanDue is the date by which the final EHC plan must be sent: received + 20 weeks
// (Reg 13(2)).
func FinalPlanDue(received time.Time) time.Time {
	return AddWeeks(received, FinalPlanWeeks)
}

// AssessmentDeadlines is the timetable of one EHC needs assessment request.
type AssessmentDeadlines struct {
	Received         time.Time
	DecisionToAssess time.Time // Reg 5(1), raw
	NoPlanNotice     time.Time // Reg 10(1), raw
	DraftPlanTarget  time.Time // practice target, not adjusted
	FinalPlan        time.Time // Reg 13(2), raw

	// Exception-adjusted dates (see AdjustedDue), for timeliness "with exceptions".
	DecisionToAssessAdjusted time.Time // Reg 5(4)
	NoPlanNoticeAdjusted     time.Time // Reg 10(4)
	FinalPlanAdjusted        time.Time // Reg 13(3)

	// Week20 is SEN2's Week20 flag: exceptions apply to the 20-week limit (see Week20Applies).
	Week20 bool
}

// Assessment returns the timetable for a request received on received, with the given exception
// periods. Exceptions with grounds that do not excuse the authority are ignored.
func Assessment(received time.Time, exceptions []Exception) AssessmentDeadlines {
	r := Civil(received)
	a := AssessmentDeadlines{
		Received:         r,
		DecisionToAssess: DecisionToAssessDue(r),
		NoPlanNotice:     NoPlanNoticeDue(r),
		DraftPlanTarget:  DraftPlanTarget(r),
		FinalPlan:        FinalPlanDue(r),
		Week20:           Week20Applies(r, exceptions),
	}
	a.DecisionToAssessAdjusted = AdjustedDue(r, a.DecisionToAssess, exceptions)
	a.NoPlanNoticeAdjusted = AdjustedDue(r, a.NoPlanNotice, exceptions)
	a.FinalPlanAdjusted = AdjustedDue(r, a.FinalPlan, exceptions)
	return a
}
