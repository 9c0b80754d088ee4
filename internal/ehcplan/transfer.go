package ehcplan

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// TransferIn is a plan transferred in from another authority when the child or young person
// moved into this authority's area (Reg 15). The due dates are computed, never stored.
type TransferIn struct {
	FromLA         string    // the old authority's DfE number (SEN2 TransferLA)
	MovedOn        time.Time // the day of the move
	AwareOn        time.Time // the day the old authority became aware of the move (Reg 15(2))
	TransferredOn  time.Time // the day of the transfer
	MadeOn         time.Time // the day the old authority made the plan (kept, Reg 15(3)(a))
	LastReviewedOn *time.Time
	// FamilyNotifiedOn is the day this authority told the family (Reg 15(4)).
	FamilyNotifiedOn *time.Time
}

// Deadlines are the new authority's limits: NotifyFamilyBy and ReviewBy (Reg 15(4), 15(5)).
func (t TransferIn) Deadlines() statutory.PlanTransferDeadlines {
	var last time.Time
	if t.LastReviewedOn != nil {
		last = *t.LastReviewedOn
	}
	return statutory.PlanTransfer(t.TransferredOn, t.MadeOn, last)
}

// OldAuthorityDue is the old authority's last day to transfer the plan (Reg 15(2)) and whether it
// was the day of the move, counting working days without the England and Wales bank holidays.
func (t TransferIn) OldAuthorityDue() (time.Time, bool) {
	y := t.AwareOn.Year()
	return statutory.PlanTransferDue(t.MovedOn, t.AwareOn, statutory.EnglandAndWalesBankHolidays(y-1, y, y+1, t.MovedOn.Year()))
}

// FirstReviewPending reports whether the plan's next review is still the first after the
// transfer, so its due date is Reg 15(5)'s ReviewBy: no review of this authority has been
// decided since.
func (p Plan) FirstReviewPending() bool {
	t := p.Transfer
	if t == nil {
		return false
	}
	switch {
	case p.LastReviewedOn == nil:
		return t.LastReviewedOn == nil
	case t.LastReviewedOn == nil:
		return false
	}
	return p.LastReviewedOn.Equal(*t.LastReviewedOn)
}

// RecordTransferIn records (or corrects) the transfer of the plan in from another authority.
// The plan keeps the old authority's made date (Reg 15(3)(a)) and its next review is due by
// ReviewBy (Reg 15(5)): at once for a plan already issued here, at the first issue otherwise.
func (p *Plan) RecordTransferIn(t TransferIn, today time.Time) error {
	switch {
	case p.RequestID != "":
		return fault.StateConflict("This plan was drafted on this authority's own EHC needs assessment; it was not transferred in.", "own_request")
	case p.Status == Ceasing || p.Status == Ceased:
		return fault.StateConflict("A plan being ceased or ceased takes no transfer; this plan is "+string(p.Status)+".", string(p.Status))
	case p.Status == Issued && p.LastReviewedOn != nil && !p.FirstReviewPending():
		return fault.StateConflict("A review of this plan has been decided since it came here; the Reg 15(5) review date no longer applies.", "reviewed")
	}
	t.MovedOn, t.AwareOn, t.TransferredOn, t.MadeOn = statutory.Civil(t.MovedOn), statutory.Civil(t.AwareOn), statutory.Civil(t.TransferredOn), statutory.Civil(t.MadeOn)
	var errs []fault.FieldError
	if len(t.FromLA) != 3 || t.FromLA[0] < '0' || t.FromLA[0] > '9' || t.FromLA[1] < '0' || t.FromLA[1] > '9' || t.FromLA[2] < '0' || t.FromLA[2] > '9' {
		errs = append(errs, fault.FieldError{Pointer: "/from_la", Detail: "must be the old authority's three-digit DfE number"})
	}
	errs = statutory.AppendDay(errs, "/old_authority_aware_on", t.AwareOn, time.Time{}, "", today)
	errs = statutory.AppendDay(errs, "/moved_on", t.MovedOn, time.Time{}, "", today)
	errs = statutory.AppendDay(errs, "/transferred_on", t.TransferredOn, t.MovedOn, "the day of the move (moved_on)", today)
	errs = statutory.AppendDay(errs, "/made_on", t.MadeOn, time.Time{}, "", today)
	if !t.MadeOn.IsZero() && !t.TransferredOn.IsZero() && t.MadeOn.After(t.TransferredOn) {
		errs = append(errs, fault.FieldError{Pointer: "/made_on", Detail: "must not be after the transfer (transferred_on)"})
	}
	if t.LastReviewedOn != nil {
		d := statutory.Civil(*t.LastReviewedOn)
		t.LastReviewedOn = &d
		errs = statutory.AppendDay(errs, "/last_reviewed_on", d, t.MadeOn, "the day the plan was made (made_on)", today)
		if !t.TransferredOn.IsZero() && d.After(t.TransferredOn) {
			errs = append(errs, fault.FieldError{Pointer: "/last_reviewed_on", Detail: "must not be after the transfer (transferred_on); a review here is recorded as an annual review"})
		}
	}
	if t.FamilyNotifiedOn != nil {
		d := statutory.Civil(*t.FamilyNotifiedOn)
		t.FamilyNotifiedOn = &d
		errs = statutory.AppendDay(errs, "/family_notified_on", d, t.TransferredOn, "the transfer (transferred_on)", today)
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	p.Transfer, p.TransferredFromLA = &t, t.FromLA
	if p.Status == Issued {
		p.applyTransfer()
	}
	return nil
}

// applyTransfer sets the made date, the last review and the next review date from the
// transfer (Reg 15(3)(a), 15(5)).
func (p *Plan) applyTransfer() {
	t := p.Transfer
	made, due := t.MadeOn, t.Deadlines().ReviewBy
	p.FirstIssuedOn, p.ReviewDueOn = &made, &due
	p.LastReviewedOn = nil
	if t.LastReviewedOn != nil {
		d := *t.LastReviewedOn
		p.LastReviewedOn = &d
	}
}
