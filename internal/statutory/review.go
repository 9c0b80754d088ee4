package statutory

import (
	"fmt"
	"time"
)

// Review, amendment, phase-transfer and re-assessment time limits.
const (
	// ReviewIntervalMonths: review within 12 months of the plan being made, then within 12
	// months of the last review (s.44(1) of the Act).
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
	// ReassessDecisionDays: notify whether the authority will re-assess within 15 days of the
	// request (Reg 25(1)).
	ReassessDecisionDays = 15
	// ReassessFinalWeeks: the amended or replacement plan is finalised within 14 weeks of
	// deciding to re-assess (Reg 27(2)).
	ReassessFinalWeeks = 14
)

// FirstReviewDue is the last day for the first review of a plan first made (issued) on issued:
// issued + 12 calendar months, month-end clamped (s.44(1)(a); see AddMonths).
//
// s.44(1) speaks of "the period of 12 months starting with" the date; OnePlan, like SEN2 and most
// authorities, treats the anniversary date itself as the due date.
func FirstReviewDue(issued time.Time) time.Time {
	return AddMonths(issued, ReviewIntervalMonths)
}

// NextReviewDue is the last day for the next review after the last one. lastReview is the date
// of the authority's decision following the last review meeting (SEN2's LastReview, the decision
// letter), not the meeting date: lastReview + 12 calendar months, month-end clamped (s.44(1)(b)).
func NextReviewDue(lastReview time.Time) time.Time {
	return AddMonths(lastReview, ReviewIntervalMonths)
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
		CommentPeriodEnd: AddDays(n, AmendmentCommentDays-1),
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
// re-assess, for a request received on requested: requested + 15 days (Reg 25(1)).
func ReassessmentDecisionDue(requested time.Time) time.Time {
	return AddDays(requested, ReassessDecisionDays)
}

// ReassessmentFinalDue is the date by which the amended or replacement plan must be sent after a
// decision (or notification) on decided that a re-assessment is necessary: decided + 14 weeks
// (Reg 27(2)). Reg 27(3) allows grounds (a) to (d); pass the result to AdjustedDue with decided
// as the start for the exception-adjusted date.
func ReassessmentFinalDue(decided time.Time) time.Time {
	return AddWeeks(decided, ReassessFinalWeeks)
}
