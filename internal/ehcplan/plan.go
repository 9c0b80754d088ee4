// Package ehcplan holds EHC plans: versioned sections A to K, the draft-to-final flow with the
// family's 15-day comment window (Reg 13), amendments (Reg 22), cessation held in force while
// the appeal window is open (s.45, Reg 31), and the phase-transfer deadline (Reg 18). Dates come
// from package statutory.
package ehcplan

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names EHC plans in the audit trail, outbox and timeline.
const RecordType = "ehc_plan"

// Status is where a plan stands.
type Status string

// The statuses. A plan is in force from its first final until it has ceased.
const (
	Draft   Status = "draft"   // drafted, not yet issued
	Issued  Status = "issued"  // a final plan is in force
	Ceasing Status = "ceasing" // the authority decided to cease; held in force until CeasesOn
	Ceased  Status = "ceased"  // no longer maintained
)

// Kind is what a version is.
type Kind string

// The kinds of version.
const (
	KindDraft        Kind = "draft"              // a draft of a new plan (1..n)
	KindFinal        Kind = "final"              // the first final plan
	KindAmendment    Kind = "amendment_proposal" // proposed amendments sent to the family (Reg 22(2))
	KindAmendedFinal Kind = "amended_final"      // a final plan after amendment
)

// Version is one version of a plan's content. Finals are frozen.
type Version struct {
	Number         int
	Kind           Kind
	Sections       Sections
	ServedOn       *time.Time // a draft or proposal sent to the family
	CommentsDueOn  *time.Time // last day of the family's comment period
	FinalDueOn     *time.Time // amendments: the amended plan is due (Reg 22(3))
	IssuedOn       *time.Time // finals
	Reason         string     // amendments: why
	AnnualReviewID string     // amendments following a review
	CreatedAt      time.Time
}

// Frozen reports whether the version can no longer change.
func (v Version) Frozen() bool { return v.Kind == KindFinal || v.Kind == KindAmendedFinal }

// Cessation is the decision to cease to maintain the plan.
type Cessation struct {
	Reason               string // SEN2 CeaseReason 1 to 9
	DecidedOn            time.Time
	CeasesOn             time.Time // the first day the plan is no longer maintained
	AppealRightsNotified bool
	Notes                string
}

// PhaseTransfer is the next transfer between phases of education (Reg 18).
type PhaseTransfer struct {
	Kind       statutory.TransferKind
	TransferOn time.Time
	DueOn      time.Time // the plan is reviewed and amended by this date
}

// Plan is one young person's EHC plan.
type Plan struct {
	ID, YoungPersonID, RequestID string
	TransferredFromLA            string // a plan transferred in: the DfE number of the authority it came from
	Status                       Status
	Versions                     []Version // oldest first
	FirstIssuedOn, LastIssuedOn  *time.Time
	ReviewDueOn                  *time.Time // the next annual review is due
	LastReviewedOn               *time.Time // the last review decision (SEN2 LastReview)
	PhaseTransfer                *PhaseTransfer
	Transfer                     *TransferIn // a plan transferred in from another authority (Reg 15)
	Cessation                    *Cessation
	// ExternalIDs are the plan's ids in other systems (issue 18), kept in the external_ids table.
	ExternalIDs []externalid.ID
	// BudgetJ is section J computed from the personal budget linked to the plan, when one is
	// (filled in by the store on reading; never stored with the plan).
	BudgetJ              *PersonalBudget
	CreatedAt, UpdatedAt time.Time
	Version              int
}

// SectionJ is version number's section J as the plan shows it: computed from the linked personal
// budget for the plan's current versions (the version in force and the newest), typed for older
// versions and when no budget is linked.
func (p Plan) SectionJ(number int) *PersonalBudget {
	for _, v := range p.Versions {
		if v.Number != number {
			continue
		}
		current := number == p.Latest().Number
		if f := p.InForce(); f != nil && f.Number == number {
			current = true
		}
		if p.BudgetJ != nil && current {
			return p.BudgetJ
		}
		return v.Sections.J
	}
	return nil
}

// TypedJ refuses a typed section J while a personal budget is linked to the plan: J is computed
// from the budget, never typed twice (409).
func (p Plan) TypedJ(s Sections) error {
	if s.J != nil && p.BudgetJ != nil {
		return fault.StateConflict("Section J is computed from the personal budget linked to this plan ("+p.BudgetJ.BudgetID+
			"): leave j out, and change the budget through /v1/personal-budgets.", string(p.Status))
	}
	return nil
}

// SEN2 cease reasons (module 4 CeaseReason).
var CeaseReasons = map[string]string{
	"1": "reached maximum age (end of the academic year in which the young person turns 25)",
	"2": "needs met without an EHC plan",
	"3": "moved on to higher education",
	"4": "moved on to paid employment, excluding apprenticeships",
	"5": "transferred to another local authority",
	"6": "young person no longer wishes to engage in education or training",
	"7": "moved outside England",
	"8": "deceased",
	"9": "other",
}

// immediateCease lists the reasons that end the authority's responsibility at once, so no appeal
// window holds the plan: another authority took it over, the young person left England, or died.
var immediateCease = map[string]bool{"5": true, "7": true, "8": true}

// New drafts a plan (version 1) for a young person born dob.
func New(youngPersonID, requestID string, dob time.Time, s Sections, now, today time.Time) (Plan, error) {
	if err := s.check("/sections", stageDraft, dob, today); err != nil {
		return Plan{}, err
	}
	return Plan{YoungPersonID: youngPersonID, RequestID: requestID, Status: Draft,
		Versions: []Version{{Number: 1, Kind: KindDraft, Sections: s, CreatedAt: now}}}, nil
}

// TransferIn records the authority a plan transferred in came from; a plan drafted on a request
// was not transferred in.
func (p *Plan) TransferIn(la string) error {
	if la != "" && p.RequestID != "" {
		return fault.Field(fault.Invalid, "/transferred_from_la", "only for a plan transferred in, without ehc_request_id")
	}
	p.TransferredFromLA = la
	return nil
}

// Latest is the newest version.
func (p Plan) Latest() Version { return p.Versions[len(p.Versions)-1] }

// InForce is the final version in force, or nil.
func (p Plan) InForce() *Version {
	for i := len(p.Versions) - 1; i >= 0; i-- {
		if p.Versions[i].Frozen() {
			return &p.Versions[i]
		}
	}
	return nil
}

// PendingAmendment is the proposal awaiting a final, or nil.
func (p Plan) PendingAmendment() *Version {
	if l := p.Latest(); l.Kind == KindAmendment {
		return &p.Versions[len(p.Versions)-1]
	}
	return nil
}

// StatusOn is the plan's status on a day: a ceasing plan has ceased from CeasesOn.
func (p Plan) StatusOn(asOf time.Time) Status {
	if p.Status == Ceasing && p.Cessation != nil && !statutory.Civil(asOf).Before(p.Cessation.CeasesOn) {
		return Ceased
	}
	return p.Status
}

// ReviseDraft replaces the draft's content. A draft already sent to the family is kept as sent
// and the revision becomes the next draft, which must be served again.
func (p *Plan) ReviseDraft(s Sections, dob, now, today time.Time) error {
	if p.Status != Draft {
		return fault.StateConflict("Only a plan not yet issued has a draft to revise; change a plan in force through an amendment.", string(p.Status))
	}
	if err := s.check("/sections", stageDraft, dob, today); err != nil {
		return err
	}
	if l := &p.Versions[len(p.Versions)-1]; l.ServedOn == nil {
		l.Sections = s
		return nil
	}
	p.Versions = append(p.Versions, Version{Number: len(p.Versions) + 1, Kind: KindDraft, Sections: s, CreatedAt: now})
	return nil
}

// ServeDraft records that the latest draft was sent to the family on on: they have 15 days,
// beginning with that day, to comment and name a setting (Reg 13(1)).
func (p *Plan) ServeDraft(on, today time.Time) error {
	if p.Status != Draft {
		return fault.StateConflict("Only a plan not yet issued has a draft to serve.", string(p.Status))
	}
	l := &p.Versions[len(p.Versions)-1]
	if l.ServedOn != nil {
		return fault.StateConflict("This draft has already been served; revise it to serve a new draft.", "served")
	}
	on = statutory.Civil(on)
	if err := statutory.DayError("/served_on", on, time.Time{}, "", today); err != nil {
		return err
	}
	end := statutory.DraftCommentPeriodEnd(on)
	l.ServedOn, l.CommentsDueOn = &on, &end
	return nil
}

// IssueInput is what issuing a final plan needs.
type IssueInput struct {
	IssuedOn time.Time
	// Sections, when set, is the final content (after the family's comments); otherwise the
	// served draft or proposal with Placement as section I.
	Sections *Sections
	// Placement names the setting when Sections is not given.
	Placement *Placement
	// FamilyAgreedEarly lets the plan be finalised before the comment period ends, when the
	// family has responded and agreed.
	FamilyAgreedEarly bool
}

// Issue freezes a final plan: the first final from a served draft, or an amended final from a
// pending proposal. It returns the new version.
func (p *Plan) Issue(in IssueInput, dob, now, today time.Time) (Version, error) {
	l := p.Latest()
	kind := KindFinal
	switch {
	case p.Status == Draft:
		if l.ServedOn == nil {
			return Version{}, fault.StateConflict("The draft must be served on the family, who have 15 days to comment, before the final plan is issued.", "unserved")
		}
	case p.Status == Issued && l.Kind == KindAmendment:
		kind = KindAmendedFinal
	default:
		return Version{}, fault.StateConflict("There is no draft or proposed amendment to issue; this plan is "+string(p.Status)+".", string(p.Status))
	}
	on := statutory.Civil(in.IssuedOn)
	if err := statutory.DayError("/issued_on", on, *l.ServedOn, "the day the draft or proposal was served", today); err != nil {
		return Version{}, err
	}
	if !on.After(*l.CommentsDueOn) && !in.FamilyAgreedEarly {
		return Version{}, fault.Field(fault.Unprocessable, "/issued_on", "the family's 15-day comment period runs to "+
			l.CommentsDueOn.Format("2006-01-02")+"; issue after it, or record that the family agreed early (family_agreed_early)")
	}
	s := l.Sections
	if in.Sections != nil {
		s = *in.Sections
	} else if in.Placement != nil {
		// The setting is named in the request's own field; any other gap is the served content's.
		if err := fault.Fields(fault.Invalid, in.Placement.check("/placement")); err != nil {
			return Version{}, err
		}
		s.I = *in.Placement
	}
	if err := s.check("/sections", stageFinal, dob, on); err != nil {
		return Version{}, err
	}
	v := Version{Number: len(p.Versions) + 1, Kind: kind, Sections: s, IssuedOn: &on, Reason: l.Reason,
		AnnualReviewID: l.AnnualReviewID, FinalDueOn: l.FinalDueOn, CreatedAt: now}
	p.Versions = append(p.Versions, v)
	p.LastIssuedOn = &on
	if kind == KindFinal {
		// The first review falls in the 12 months starting with the day the plan was made
		// (s.44(1)(a)): due the day before the anniversary.
		due := statutory.FirstReviewDue(on)
		p.Status, p.FirstIssuedOn, p.ReviewDueOn = Issued, &on, &due
		if p.Transfer != nil {
			// A plan transferred in keeps the old authority's made date and is reviewed by
			// Reg 15(5)'s date, not 12 months from its issue here.
			p.applyTransfer()
		}
	}
	return v, nil
}

// ProposeAmendment sends proposed amendments to the family on notice (Reg 22(2)): at least 15
// days to comment, the amended plan within 8 weeks (Reg 22(3)).
func (p *Plan) ProposeAmendment(s Sections, notice time.Time, reason, reviewID string, dob, now, today time.Time) error {
	if p.Status != Issued {
		return fault.StateConflict("Only a plan in force can be amended; this plan is "+string(p.Status)+".", string(p.Status))
	}
	if p.PendingAmendment() != nil {
		return fault.StateConflict("Proposed amendments are already with the family; issue the amended plan first.", "amending")
	}
	notice = statutory.Civil(notice)
	if err := statutory.DayError("/notice_on", notice, *p.LastIssuedOn, "the day the plan in force was issued", today); err != nil {
		return err
	}
	if err := s.check("/sections", stageAmendment, dob, notice); err != nil {
		return err
	}
	d := statutory.Amendment(notice)
	p.Versions = append(p.Versions, Version{Number: len(p.Versions) + 1, Kind: KindAmendment, Sections: s, ServedOn: &notice,
		CommentsDueOn: &d.CommentPeriodEnd, FinalDueOn: &d.FinalBy, Reason: reason, AnnualReviewID: reviewID, CreatedAt: now})
	return nil
}

// Reviewed records an annual review decision on decided: the next review falls in the 12
// months starting with it, so it is due the day before its anniversary (s.44(1)(b)).
func (p *Plan) Reviewed(decided time.Time) {
	d, next := statutory.Civil(decided), statutory.NextReviewDue(decided)
	p.LastReviewedOn, p.ReviewDueOn = &d, &next
}

// CorrectedReviewDue is the data-migration rule for a plan's stored review_due_on, computed before
// s.44(1) was counted inclusively (as the anniversary, one day late). The base is the plan's last
// review decision (last_reviewed_on) when it has one, else its first issue (first_issued_on);
// when review_due_on equals AddMonths(base, 12) it returns review_due_on - 1 day and true (see
// statutory.LegacyReviewDueFix). Otherwise, including a plan with no review due, it returns the
// stored value and false, so a second run changes nothing.
func (p Plan) CorrectedReviewDue() (*time.Time, bool) {
	if p.ReviewDueOn == nil {
		return nil, false
	}
	var base time.Time
	switch {
	case p.LastReviewedOn != nil:
		base = *p.LastReviewedOn
	case p.FirstIssuedOn != nil:
		base = *p.FirstIssuedOn
	}
	due, changed := statutory.LegacyReviewDueFix(base, *p.ReviewDueOn)
	return &due, changed
}

// Cease records the decision to cease to maintain the plan (s.45). The plan stays in force until
// the appeal window closes, the day after statutory.AppealDeadline, unless the authority is no
// longer responsible at all (reasons 5, 7, 8) or gives a later day.
func (p *Plan) Cease(c Cessation, today time.Time) error {
	if p.Status != Issued {
		return fault.StateConflict("Only a plan in force can be ceased; this plan is "+string(p.Status)+".", string(p.Status))
	}
	c.DecidedOn = statutory.Civil(c.DecidedOn)
	if _, ok := CeaseReasons[c.Reason]; !ok {
		return fault.Field(fault.Invalid, "/reason", "must be a SEN2 cease reason 1 to 9")
	}
	if err := statutory.DayError("/decided_on", c.DecidedOn, *p.LastIssuedOn, "the day the plan in force was issued", today); err != nil {
		return err
	}
	if !c.AppealRightsNotified && !immediateCease[c.Reason] {
		return fault.Field(fault.Unprocessable, "/appeal_rights_notified",
			"a decision to cease must tell the family of their right to appeal, to mediation and to information and advice (Reg 31(2))")
	}
	held := statutory.AddDays(statutory.AppealDeadline(c.DecidedOn, time.Time{}), 1)
	if immediateCease[c.Reason] {
		held = c.DecidedOn
	}
	switch {
	case c.CeasesOn.IsZero():
		c.CeasesOn = held
	case statutory.Civil(c.CeasesOn).Before(held):
		return fault.Field(fault.Unprocessable, "/ceases_on", "the plan stays in force until the appeal window closes; it may cease from "+
			held.Format("2006-01-02"))
	default:
		c.CeasesOn = statutory.Civil(c.CeasesOn)
	}
	if p.PendingAmendment() != nil {
		p.Versions = p.Versions[:len(p.Versions)-1] // proposed amendments lapse with the plan
	}
	p.Status, p.Cessation = Ceasing, &c
	return nil
}

// MarkCeased records that a ceasing plan has ceased: its cease date has come by asOf.
func (p *Plan) MarkCeased(asOf time.Time) error {
	if p.StatusOn(asOf) != Ceased || p.Status != Ceasing {
		return fault.StateConflict("Only a ceasing plan whose cease date has come can be marked ceased; this plan is "+string(p.Status)+".", string(p.Status))
	}
	p.Status = Ceased
	return nil
}

// SetPhaseTransfer records the next transfer between phases and its Reg 18 deadline.
func (p *Plan) SetPhaseTransfer(kind statutory.TransferKind, transferOn time.Time) error {
	if p.Status != Issued && p.Status != Draft {
		return fault.StateConflict("Phase transfers are planned for a plan in force or being drafted; this plan is "+string(p.Status)+".", string(p.Status))
	}
	due, err := statutory.PhaseTransferDue(kind, transferOn)
	if err != nil {
		return fault.Field(fault.Invalid, "/kind", "must be between_phases, secondary_to_post16 or between_post16")
	}
	p.PhaseTransfer = &PhaseTransfer{Kind: kind, TransferOn: statutory.Civil(transferOn), DueOn: due}
	return nil
}

// InForceOn is the final version in force on asOf, or nil (not yet issued, or ceased).
func (p Plan) InForceOn(asOf time.Time) *Version {
	if p.StatusOn(asOf) == Ceased {
		return nil
	}
	return p.InForce()
}

// NextReview is the next annual review's deadline as of asOf, or nil when no review is due (not
// yet issued, ceasing or ceased).
func (p Plan) NextReview(asOf time.Time) *statutory.Milestone {
	if p.ReviewDueOn == nil || p.StatusOn(asOf) != Issued {
		return nil
	}
	m := statutory.Track(*p.ReviewDueOn, time.Time{}, asOf)
	return &m
}

// PhaseTransferDeadline is the Reg 18 deadline of the planned transfer as of asOf, or nil.
func (p Plan) PhaseTransferDeadline(asOf time.Time) *statutory.Milestone {
	if p.PhaseTransfer == nil {
		return nil
	}
	m := statutory.Track(p.PhaseTransfer.DueOn, time.Time{}, asOf)
	return &m
}

// AmendmentDeadline is the Reg 22(3) deadline of a proposal or amended final as of asOf, or nil
// for other versions. A proposal that is still pending once the plan is no longer issued has
// lapsed, so its deadline no longer applies.
func (p Plan) AmendmentDeadline(v Version, asOf time.Time) *statutory.Milestone {
	if v.FinalDueOn == nil {
		return nil
	}
	due, done := *v.FinalDueOn, time.Time{}
	if v.IssuedOn != nil {
		done = *v.IssuedOn
	}
	if v.Kind == KindAmendment && p.StatusOn(asOf) != Issued {
		due = time.Time{}
	}
	m := statutory.Track(due, done, asOf)
	m.DueOn = *v.FinalDueOn
	return &m
}
