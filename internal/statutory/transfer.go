package statutory

import "time"

// Transfer of an EHC plan when the child or young person moves from the area of the authority
// maintaining it (the old authority) into another authority's area (the new authority), Reg 15.
const (
	// TransferNoticeWorkingDays: the old authority transfers the plan on the day of the move
	// if it knew of the move at least 15 working days before it; otherwise within 15 working days
	// beginning with the day it became aware of it (Reg 15(2)).
	TransferNoticeWorkingDays = 15
	// TransferNotifyWeeks: within 6 weeks of the transfer the new authority tells the parent or
	// young person that the plan has been transferred, whether it proposes to make an EHC needs
	// assessment, and when it proposes to review the plan (Reg 15(4)).
	TransferNotifyWeeks = 6
	// TransferReviewMonths: the new authority reviews the plan before the later of the end of
	// the 12 months beginning with the plan's making or last review and the end of the 3 months
	// beginning with the transfer (Reg 15(5)).
	TransferReviewMonths = 3
)

// PlanTransferDue is the day by which the old authority must transfer a plan to the new
// authority for a move on move that it became aware of on aware (Reg 15(2)):
//   - the day of the move, when aware is at least 15 working days before it: on or before the
//     15th working day before the move, so the working days from aware up to the day before the
//     move number 15 or more;
//   - otherwise the last of the 15 working days beginning with aware (PeriodEndWorkingDays),
//     which is never before the move.
//
// onMoveDay reports which limit applied. It is the old authority's awareness that counts, not
// the new authority's: the regulation says "where it has not become aware of the move at least 15
// working days prior to that move". Working days skip weekends and holidays (see
// EnglandAndWalesBankHolidays).
func PlanTransferDue(move, aware time.Time, holidays Holidays) (due time.Time, onMoveDay bool) {
	move, aware = Civil(move), Civil(aware)
	if !aware.After(SubtractWorkingDays(move, TransferNoticeWorkingDays, holidays)) {
		return move, true
	}
	return PeriodEndWorkingDays(aware, TransferNoticeWorkingDays, holidays), false
}

// PlanTransferDeadlines are the new authority's limits after a plan was transferred to it.
type PlanTransferDeadlines struct {
	// Transferred is the day of the transfer. From it the plan is treated as made by the new
	// authority on the day the old authority made it (Reg 15(3)(a)): the made date does not
	// change.
	Transferred time.Time
	// NotifyFamilyBy is Transferred + 6 weeks: tell the parent or young person that the plan was
	// transferred, whether the new authority proposes an EHC needs assessment, and when it
	// proposes to review the plan (Reg 15(4)).
	NotifyFamilyBy time.Time
	// ReviewBy is the last day for the new authority's first review (Reg 15(5)): the later of the
	// last day of the 12 months beginning with the plan's making or its last review (the s.44
	// period it was already in) and the last day of the 3 months beginning with the transfer.
	ReviewBy time.Time
}

// PlanTransfer returns the new authority's limits for a plan transferred on transferred, first
// made on made and last reviewed (the old authority's review decision) on lastReviewed (zero:
// never reviewed).
func PlanTransfer(transferred, made, lastReviewed time.Time) PlanTransferDeadlines {
	t := Civil(transferred)
	s44 := FirstReviewDue(made)
	if !lastReviewed.IsZero() {
		s44 = NextReviewDue(lastReviewed)
	}
	return PlanTransferDeadlines{
		Transferred:    t,
		NotifyFamilyBy: AddWeeks(t, TransferNotifyWeeks),
		ReviewBy:       Later(s44, PeriodEndMonths(t, TransferReviewMonths)),
	}
}
