package statutory

import (
	"fmt"
	"time"
)

// Review, amendment, phase-transfer and re-assessment time limits.
const (
	// ReviewIntervalMonths: review in the period of 12 months starting with the day the plan
	// was first made, then in each period of 12 months starting with the day of the last review
	// (s.44(1) of the Act).
	ReviewIntervalMonths = 12
	// ReviewNoticeWeeks: at least 2 weeks' notice of the review meeting, and advice circulated at
	// least 2 weeks before it (Reg 20(3) and (4); Reg 21 where the child attends no school).
	ReviewNoticeWeeks = 2
	// ReviewReportWeeks: the meeting report is sent within 2 weeks after the meeting (Reg 20).
	ReviewReportWeeks = 2
	// ReviewDecisionWeeks: the authority decides to maintain, amend or cease, and notifies the
	// family, within 4 weeks after the meeting (Reg 20).
	ReviewDecisionWeeks = 4
	// AmendmentCommentDays: at least 15 days, beginning with the day the proposed amendments are
	// served, for comments (Reg 22(2)(c)).
	AmendmentCommentDays = 15
	// AmendmentFinalWeeks: the amended plan is finalised within 8 weeks of sending the proposed
	// amendments (Reg 22(3)).
	AmendmentFinalWeeks = 8
	// Post16TransferMonths: a move between post-16 institutions needs the plan reviewed and
	// amended at least 5 months before it (Reg 18(2)).
	Post16TransferMonths = 5
	// ReassessDecisionDays: notify whether the authority will re-assess within 15 days of
	// receiving the request (Reg 25(1)).
	ReassessDecisionDays = 15
	// ReassessFinalWeeks: the amended or replacement plan is sent within 14 weeks of the
	// notification under Reg 25(1) that the authority will re-assess, or of the authority
	// deciding of its own motion that a re-assessment is necessary (s.44(3)) (Reg 27(2)). The
	// clock does not start at the request.
	ReassessFinalWeeks = 14
)

// FirstReviewDue is the last day for the first review of a plan first made (issued) on issued.
// s.44(1)(a) of the Act: the authority must review the plan "in the period of 12 months starting
// with the date on which the plan was first made". That period includes the day the plan was
// made, so it ends the day before the anniversary: a plan made on 5 January 2026 is reviewed by
// 4 January 2027 (PeriodEndMonths; the same counting as the 15 days "beginning with" the day a
// draft is served). A plan made on 29 February 2024 is reviewed by 27 February 2025.
//
// Before this rule OnePlan gave the anniversary itself, one day late; see LegacyReviewDueFix
// for correcting dates stored then.
func FirstReviewDue(issued time.Time) time.Time {
	return PeriodEndMonths(issued, ReviewIntervalMonths)
}

// NextReviewDue is the last day for the next review after the last one. lastReview is the date
// of the authority's decision following the last review meeting (SEN2's LastReview, the decision
// letter), not the meeting date. s.44(1)(b) of the Act: "in each subsequent period of 12 months
// starting with the date on which the plan was last reviewed", so, as for FirstReviewDue, the
// last day is the day before the anniversary of lastReview.
func NextReviewDue(lastReview time.Time) time.Time {
	return PeriodEndMonths(lastReview, ReviewIntervalMonths)
}

// legacyReviewDue is the review date OnePlan stored before the s.44(1) period was counted
// inclusively: the anniversary, base + 12 months, month-end clamped.
func legacyReviewDue(base time.Time) time.Time {
	return AddMonths(base, ReviewIntervalMonths)
}

// LegacyReviewDueFix is the data-migration rule for review due dates stored before
// FirstReviewDue and NextReviewDue counted the s.44(1) period inclusively. base is the day the
// stored date was computed from: the plan's first issue (first_issued_on) when it has no review
// decision yet, otherwise its last review decision (last_reviewed_on); for an annual review row,
// the plan's first issue for the first review and the previous review's decision otherwise.
//
// When stored equals AddMonths(base, 12), the date OnePlan used to compute, it returns
// stored - 1 day (which equals FirstReviewDue(base)) and true. Any other stored date (set some
// other way, or already corrected) is returned unchanged with false, so running the rule twice
// changes nothing the second time.
func LegacyReviewDueFix(base, stored time.Time) (time.Time, bool) {
	stored = Civil(stored)
	if base.IsZero() || stored.IsZero() || !stored.Equal(legacyReviewDue(base)) {
		return stored, false
	}
	return AddDays(stored, -1), true
}

// ReviewMeetingDeadlines holds the dates around one review meeting.
type ReviewMeetingDeadlines struct {
	Meeting    time.Time
	NoticeBy   time.Time // invitations and circulated advice: meeting - 2 weeks (Reg 20(3), (4))
	ReportBy   time.Time // report of the meeting: meeting + 2 weeks (Reg 20)
	DecisionBy time.Time // authority's maintain/amend/cease decision: meeting + 4 weeks (Reg 20)
}

// ReviewMeeting returns the deadlines around a review meeting held on meeting (Regs 20 and 21).
func ReviewMeeting(meeting time.Time) ReviewMeetingDeadlines {
	m := Civil(meeting)
	return ReviewMeetingDeadlines{
		Meeting:    m,
		NoticeBy:   AddWeeks(m, -ReviewNoticeWeeks),
		ReportBy:   AddWeeks(m, ReviewReportWeeks),
		DecisionBy: AddWeeks(m, ReviewDecisionWeeks),
	}
}

// AmendmentDeadlines holds the dates of one amendment following a review (Reg 22).
type AmendmentDeadlines struct {
	Notice           time.Time // proposed amendments and evidence sent (Reg 22(2)(a))
	CommentPeriodEnd time.Time // last day of the 15 days beginning with the notice (Reg 22(2)(c))
	FinalBy          time.Time // amended plan finalised: notice + 8 weeks (Reg 22(3))
}

// Amendment returns the deadlines for an amendment whose notice of proposed amendments was sent
// on notice.
func Amendment(notice time.Time) AmendmentDeadlines {
	n := Civil(notice)
	return AmendmentDeadlines{
		Notice:           n,
		CommentPeriodEnd: PeriodEndDays(n, AmendmentCommentDays),
		FinalBy:          AddWeeks(n, AmendmentFinalWeeks),
	}
}

// TransferKind is the kind of move that triggers the phase-transfer deadline of Reg 18.
type TransferKind string

// The transfer kinds.
const (
	// TransferBetweenPhases is any other "transfer between phases of education" (Reg 2(1)):
	// early years to school, infant to junior, primary to middle or secondary, middle to
	// secondary. Deadline 15 February in the calendar year of the transfer (Reg 18(1)(b)).
	TransferBetweenPhases TransferKind = "between_phases"
	// TransferSecondaryToPost16 is secondary school to a post-16 institution. Deadline 31 March
	// in the calendar year of the transfer (Reg 18(1)(a)).
	TransferSecondaryToPost16 TransferKind = "secondary_to_post16"
	// TransferBetweenPost16 is one post-16 institution to another. Deadline at least 5 months
	// before the transfer (Reg 18(2)).
	TransferBetweenPost16 TransferKind = "between_post16"
)

// Valid reports whether k is one of the defined transfer kinds.
func (k TransferKind) Valid() bool {
	switch k {
	case TransferBetweenPhases, TransferSecondaryToPost16, TransferBetweenPost16:
		return true
	}
	return false
}

// ParseTransferKind returns the TransferKind spelled s, or an error.
func ParseTransferKind(s string) (TransferKind, error) {
	if k := TransferKind(s); k.Valid() {
		return k, nil
	}
	return "", fmt.Errorf("statutory: unknown transfer kind %q", s)
}

// PhaseTransferDue is the date by which the plan must be reviewed and, where necessary, amended
// (naming the new setting) ahead of a transfer on transfer (Reg 18):
//   - TransferBetweenPhases: 15 February of the transfer's calendar year (Reg 18(1)(b));
//   - TransferSecondaryToPost16: 31 March of the transfer's calendar year (Reg 18(1)(a));
//   - TransferBetweenPost16: transfer - 5 calendar months, month-end clamped (Reg 18(2)), e.g.
//     31 July - 5 months = 28 (or 29) February.
//
// Reg 18(1) says "before" 15 February / 31 March; OnePlan follows the usual reading of those
// dates as the last day (the Code of Practice and IPSEA say "by"). Phase transfers normally
// happen in September; the year is taken from transfer as given.
func PhaseTransferDue(kind TransferKind, transfer time.Time) (time.Time, error) {
	t := Civil(transfer)
	switch kind {
	case TransferBetweenPhases:
		return Date(t.Year(), time.February, 15), nil
	case TransferSecondaryToPost16:
		return Date(t.Year(), time.March, 31), nil
	case TransferBetweenPost16:
		return AddMonths(t, -Post16TransferMonths), nil
	}
	return time.Time{}, fmt.Errorf("statutory: unknown transfer kind %q", kind)
}

// ReassessmentDecisionDue is the date by which the authority must notify whether it will
// re-assess, for a request received on requested: requested + 15 days (Reg 25(1)). Reg 25 has no
// exception paragraph, so there is no exception-adjusted date for it.
func ReassessmentDecisionDue(requested time.Time) time.Time {
	return AddDays(requested, ReassessDecisionDays)
}

// ReassessmentFinalDue is the date by which the amended or replacement plan must be sent, for a
// re-assessment that started on started: the day the authority notified the family under
// Reg 25(1) that it will re-assess (after a request under s.44(2)), or the day it decided of its
// own motion that a re-assessment is necessary (s.44(3)). started + 14 weeks (Reg 27(2)). Reg 27(3)
// allows grounds (a) to (d); see Reassessment for the exception-adjusted date.
func ReassessmentFinalDue(started time.Time) time.Time {
	return AddWeeks(started, ReassessFinalWeeks)
}

// ReassessmentDeadlines is the timetable of one re-assessment of a child or young person who has
// a plan (s.44(2) and (3) of the Act; Regs 24 to 27). A zero date means "not applicable" or "not
// yet", as each field says.
type ReassessmentDeadlines struct {
	// Requested is the day the request was received (s.44(2)); zero when the authority
	// re-assesses of its own motion (s.44(3)).
	Requested time.Time
	// DecisionDue is the last day to notify whether the authority will re-assess: Requested +
	// 15 days (Reg 25(1)); zero without a request.
	DecisionDue time.Time
	// Started is the day the 14 weeks run from: the Reg 25(1) notification that the authority
	// will re-assess, or its s.44(3) decision. Zero while no such decision has been made.
	Started time.Time
	// FinalPlan is Started + 14 weeks (Reg 27(2)); zero until Started.
	FinalPlan time.Time
	// FinalPlanAdjusted is FinalPlan with the clock paused for exception periods on grounds (a)
	// to (d) (Reg 27(3); see AdjustedDue); zero until Started.
	FinalPlanAdjusted time.Time
	// FinalPlanIfNotifiedOnTime is DecisionDue + 14 weeks: the latest the final plan can come
	// when the decision is notified on its last lawful day. A final plan later than this was late
	// on one limit or the other, however the decision's date falls. Zero without a request.
	FinalPlanIfNotifiedOnTime time.Time
}

// Reassessment returns the timetable of a re-assessment requested on requested (zero: the
// authority's own decision under s.44(3)) and started on started (zero: not yet decided to
// re-assess; see ReassessmentDeadlines.Started), with the given exception periods.
//
// The 14 weeks of Reg 27(2) run from the Reg 25(1) notification (or the s.44(3) decision), not
// from the request: the regulation says "within 14 weeks of the notification under regulation
// 25(1) or of deciding it is necessary to reassess under section 44(3)".
func Reassessment(requested, started time.Time, exceptions []Exception) ReassessmentDeadlines {
	d := ReassessmentDeadlines{Requested: Civil(requested), Started: Civil(started)}
	if !d.Requested.IsZero() {
		d.DecisionDue = ReassessmentDecisionDue(d.Requested)
		d.FinalPlanIfNotifiedOnTime = ReassessmentFinalDue(d.DecisionDue)
	}
	if !d.Started.IsZero() {
		d.FinalPlan = ReassessmentFinalDue(d.Started)
		d.FinalPlanAdjusted = AdjustedDue(d.Started, d.FinalPlan, exceptions)
	}
	return d
}
