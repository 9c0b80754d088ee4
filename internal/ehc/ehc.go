// Package ehc holds requests for an EHC (education, health and care) needs assessment on the
// statutory clock: receipt starts the 20-week limit (Reg 13(2)), the authority decides whether to
// assess within 6 weeks (Reg 5), and recorded exception periods (Regs 5(4), 10(4), 13(3)) give
// the exception-adjusted due dates. The dates themselves come from package statutory; this package
// holds the request's states, its SEN2 outcome codes and the rules for moving between them.
package ehc

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names EHC needs assessment requests in the audit trail, outbox and timeline.
const RecordType = "ehc_request"

// Status is where a request stands.
type Status string

// The statuses. Received, Assessing and PlanDrafting are open; the others are final.
const (
	Received     Status = "received"      // the 20-week clock runs; the decision to assess is due in 6 weeks
	Assessing    Status = "assessing"     // the authority decided to assess and seeks advice
	NotAssessed  Status = "not_assessed"  // the authority decided not to assess (appealable)
	PlanDrafting Status = "plan_drafting" // the authority decided to issue a plan; draft and final follow
	NotIssued    Status = "not_issued"    // the authority decided not to issue a plan (appealable)
	PlanIssued   Status = "plan_issued"   // the final plan was issued
	Withdrawn    Status = "withdrawn"     // the request was withdrawn
)

// Open reports whether the request is still running on the statutory clock.
func (s Status) Open() bool { return s == Received || s == Assessing || s == PlanDrafting }

// Who may ask (SEN2 RequestSource). Only a parent, a young person aged 16 to 25 or a school or
// post-16 institution may request an assessment (s.36(1) Children and Families Act 2014); the
// others are bringing the child to the authority's attention (s.24), which starts the same clock.
const (
	ByParent          = "parent"
	ByYoungPerson     = "young_person"
	BySchoolOrCollege = "school_or_college"
	ByHealth          = "health"
	BySocialCare      = "social_care"
	ByOther           = "other"
)

// Requesters lists who may be recorded as asking.
var Requesters = []string{ByParent, ByYoungPerson, BySchoolOrCollege, ByHealth, BySocialCare, ByOther}

// A young person may request for themselves from 16 (over compulsory school age) to 25.
const (
	YoungPersonMinAge = 16
	YoungPersonMaxAge = 25
)

// SEN2 outcome codes (module 2 RequestOutcome, module 3 AssessmentOutcome).
const (
	OutcomePending   = "A"
	OutcomeYes       = "Y"
	OutcomeNo        = "N"
	OutcomeWithdrawn = "W"
)

// Decisions on whether to assess.
const (
	Assess    = "assess"
	NotAssess = "not_assess"
)

// MaxExceptions caps the exception periods on one request.
const MaxExceptions = 50

// Decision is the authority's decision whether to carry out the assessment (Reg 5).
type Decision struct {
	Decision             string
	DecidedOn            time.Time
	AppealRightsNotified bool
	Reason               string
}

// Withdrawal records a withdrawn request.
type Withdrawal struct {
	On     time.Time
	Reason string
}

// Request is one request for an EHC needs assessment.
type Request struct {
	ID                   string
	YoungPersonID        string
	ReferralID           string
	MeetingID            string // the multi-agency panel that decided to request, if any
	InYouthCustody       bool   // requested while in relevant youth accommodation (SEN2 RYA)
	ReceivedOn           time.Time
	RequestedBy          string
	Notes                string
	Status               Status
	RequestOutcome       string
	RequestOutcomeOn     *time.Time
	AssessmentOutcome    string // "" until the authority decides to assess
	AssessmentOutcomeOn  *time.Time
	Decision             *Decision
	Advice               []Advice
	IssueDecision        *IssueDecision
	DraftServedOn        *time.Time // the first draft plan sent to the family
	PlanIssuedOn         *time.Time // the final plan issued
	Exceptions           []statutory.Exception
	Withdrawal           *Withdrawal
	CreatedAt, UpdatedAt time.Time
	Version              int
}

// ForFamily is the request as a family reads it: without the notes professionals wrote. Those are
// the request's own notes when a professional made it (a family's request keeps their words) and
// the council's notes on each request for advice.
func (r Request) ForFamily() Request {
	if r.RequestedBy != ByParent && r.RequestedBy != ByYoungPerson {
		r.Notes = ""
	}
	if r.Advice != nil {
		advice := make([]Advice, len(r.Advice))
		for i, a := range r.Advice {
			a.Notes = ""
			advice[i] = a
		}
		r.Advice = advice
	}
	return r
}

// New starts a request received on received, validating the requester against the young
// person's date of birth. today is the civil date now.
func New(youngPersonID string, dob, received time.Time, requestedBy, referralID, notes string, today time.Time) (Request, error) {
	r := Request{YoungPersonID: youngPersonID, ReferralID: referralID, ReceivedOn: statutory.Civil(received), RequestedBy: requestedBy,
		Notes: notes, Status: Received, RequestOutcome: OutcomePending}
	var errs []fault.FieldError
	errs = statutory.AppendDay(errs, "/received_on", received, dob, "the young person's date of birth", today)
	if !validRequester(requestedBy) {
		errs = append(errs, fault.FieldError{Pointer: "/requested_by", Detail: "is not a known requester"})
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return r, err
	}
	if requestedBy == ByYoungPerson {
		if years := age.YearsOn(dob, received); years < YoungPersonMinAge || years > YoungPersonMaxAge {
			return r, fault.Field(fault.Unprocessable, "/requested_by",
				"a young person may request an assessment only when aged 16 to 25; a parent or the school may request for a younger child")
		}
	}
	return r, nil
}

func validRequester(s string) bool { return slices.Contains(Requesters, s) }

// FamilyRequest is a request a family makes for themselves (section 36 of the Children and
// Families Act 2014: a parent for their child, or a young person aged 16 to 25 for themselves).
// It is received the day it arrives, so the 6-week clock starts then; the council's own links (a
// referral, the panel that asked) are not the family's to set.
type FamilyRequest struct {
	RequestedBy         string
	ReceivedOn          time.Time // the day the caller gave: must be today
	ReferralID, Meeting string
}

// CheckFamily refuses what a family's own request may not say; today is the civil date now.
func (f FamilyRequest) CheckFamily(today time.Time) error {
	var errs []fault.FieldError
	if f.RequestedBy != ByParent && f.RequestedBy != ByYoungPerson {
		errs = append(errs, fault.FieldError{Pointer: "/requested_by", Detail: "must be parent or young_person for a family's own request"})
	}
	if !f.ReceivedOn.IsZero() && !statutory.Civil(f.ReceivedOn).Equal(statutory.Civil(today)) {
		errs = append(errs, fault.FieldError{Pointer: "/received_on", Detail: "is the day the request arrives: give today's date"})
	}
	if f.ReferralID != "" {
		errs = append(errs, fault.FieldError{Pointer: "/referral_id", Detail: "is set by the SEND team, not in a family's own request"})
	}
	if f.Meeting != "" {
		errs = append(errs, fault.FieldError{Pointer: "/meeting_id", Detail: "is set by the SEND team, not in a family's own request"})
	}
	return fault.Fields(fault.Unprocessable, errs)
}

// Decide records the decision whether to assess. Only a received request can be decided; a
// refusal must have told the family of their appeal, mediation and IAS rights.
func (r *Request) Decide(d Decision, today time.Time) error {
	if r.Status != Received {
		return fault.StateConflict("The decision whether to assess has already been made or the request is closed; this request is "+
			string(r.Status)+".", string(r.Status))
	}
	d.DecidedOn = statutory.Civil(d.DecidedOn)
	var errs []fault.FieldError
	if d.Decision != Assess && d.Decision != NotAssess {
		errs = append(errs, fault.FieldError{Pointer: "/decision", Detail: "must be assess or not_assess"})
	}
	errs = statutory.AppendDay(errs, "/decided_on", d.DecidedOn, r.ReceivedOn, "received_on", today)
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if d.Decision == NotAssess && !d.AppealRightsNotified {
		return fault.Field(fault.Unprocessable, "/appeal_rights_notified",
			"a decision not to assess must tell the family of their right to appeal, to mediation and to information and advice (Reg 5(3))")
	}
	on := d.DecidedOn
	r.Decision, r.RequestOutcomeOn = &d, &on
	if d.Decision == Assess {
		r.Status, r.RequestOutcome, r.AssessmentOutcome = Assessing, OutcomeYes, OutcomePending
	} else {
		r.Status, r.RequestOutcome = NotAssessed, OutcomeNo
	}
	return nil
}

// AddException records an exception period. Only open requests take them.
func (r *Request) AddException(e statutory.Exception) error {
	if !r.Status.Open() {
		return fault.StateConflict("Exceptions are recorded while the request is open; this request is "+string(r.Status)+".", string(r.Status))
	}
	e, err := statutory.CheckAuthorityException(e, "Reg 10(4)")
	if err != nil {
		return err
	}
	if len(r.Exceptions) >= MaxExceptions {
		return fault.New(fault.Unprocessable, "This request already has the most exception periods one request may hold.")
	}
	r.Exceptions = append(r.Exceptions, e)
	return nil
}

// Withdraw closes an open request: SEN2 request outcome W if not yet decided, assessment outcome W
// if it was being assessed.
func (r *Request) Withdraw(on time.Time, reason string, today time.Time) error {
	if !r.Status.Open() {
		return fault.StateConflict("Only an open request can be withdrawn; this request is "+string(r.Status)+".", string(r.Status))
	}
	on = statutory.Civil(on)
	if err := statutory.DayError("/withdrawn_on", on, r.ReceivedOn, "received_on", today); err != nil {
		return err
	}
	d := on
	switch r.Status {
	case Received:
		r.RequestOutcome, r.RequestOutcomeOn = OutcomeWithdrawn, &d
	case Assessing, PlanDrafting:
		r.AssessmentOutcome, r.AssessmentOutcomeOn = OutcomeWithdrawn, &d
	}
	r.Status, r.Withdrawal = Withdrawn, &Withdrawal{On: on, Reason: reason}
	return nil
}

// Milestone is one deadline of a request as of a day.
type Milestone struct {
	DueOn         time.Time        // counted from receipt
	AdjustedDueOn time.Time        // with exception periods paused
	CompletedOn   time.Time        // zero: not completed
	Status        statutory.Status // judged against AdjustedDueOn
}

// Deadlines is a request's timetable as of a day.
type Deadlines struct {
	DecisionToAssess Milestone // Reg 5(1): 6 weeks
	NoPlanNotice     Milestone // Reg 10(1): 16 weeks
	DraftPlanTarget  Milestone // practice target: 14 weeks
	FinalPlan        Milestone // Reg 13(2): 20 weeks
	Week20           bool      // SEN2 Week20: exceptions apply to the 20-week limit
}

// Deadlines assembles the request's timetable as of asOf. A milestone the request no longer
// needs (after a refusal or a withdrawal) is not applicable, so it is never overdue. The draft
// plan target is a practice target; it is paused for exceptions like the statutory limits, so
// it stays ahead of the adjusted final plan date.
func (r Request) Deadlines(asOf time.Time) Deadlines {
	a := statutory.Assessment(r.ReceivedOn, r.Exceptions)
	draftAdjusted := statutory.AdjustedDue(r.ReceivedOn, a.DraftPlanTarget, r.Exceptions)
	var decided, noPlan, draft, final time.Time
	if r.Decision != nil {
		decided = r.Decision.DecidedOn
	}
	if d := r.IssueDecision; d != nil && d.Decision == NotIssue {
		noPlan = d.DecidedOn
	}
	if r.DraftServedOn != nil {
		draft = *r.DraftServedOn
	}
	if r.PlanIssuedOn != nil {
		final = *r.PlanIssuedOn
	}
	// Later milestones apply while the request is being assessed, or still may be, and stay
	// applicable once met. The no-plan notice stops applying once the authority decides to issue.
	open := r.Status.Open()
	decisionApplies := open || r.Decision != nil
	noPlanApplies := (open && r.IssueDecision == nil) || !noPlan.IsZero()
	mayIssue := open && (r.IssueDecision == nil || r.IssueDecision.Decision == Issue)
	draftApplies, finalApplies := mayIssue || !draft.IsZero(), mayIssue || !final.IsZero()
	m := func(raw, adjusted, completed time.Time, applies bool) Milestone {
		due := adjusted
		if !applies {
			due = time.Time{}
		}
		return Milestone{DueOn: raw, AdjustedDueOn: adjusted, CompletedOn: completed,
			Status: statutory.MilestoneStatus(due, completed, asOf, statutory.DefaultDueSoonDays)}
	}
	return Deadlines{
		DecisionToAssess: m(a.DecisionToAssess, a.DecisionToAssessAdjusted, decided, decisionApplies),
		NoPlanNotice:     m(a.NoPlanNotice, a.NoPlanNoticeAdjusted, noPlan, noPlanApplies),
		DraftPlanTarget:  m(a.DraftPlanTarget, draftAdjusted, draft, draftApplies),
		FinalPlan:        m(a.FinalPlan, a.FinalPlanAdjusted, final, finalApplies),
		Week20:           a.Week20,
	}
}

// Overdue reports whether a statutory limit (decision to assess, no-plan notice, final plan; not
// the practice draft target) has passed unmet on asOf. The store's overdue filter uses the same
// rule on the adjusted due dates it keeps (see DueDates).
func (d Deadlines) Overdue() bool {
	for _, m := range []Milestone{d.DecisionToAssess, d.NoPlanNotice, d.FinalPlan} {
		if m.Status == statutory.StatusOverdue {
			return true
		}
	}
	return false
}

// DueDates are the statutory due dates the store keeps for filtering and reports: the
// exception-adjusted ones, and the raw ones for timeliness without exceptions.
type DueDates struct {
	DecisionToAssess, NoPlanNotice, FinalPlan time.Time
	DecisionToAssessRaw, FinalPlanRaw         time.Time
	Week20                                    bool
}

// DueDates returns the statutory due dates of the request.
func (r Request) DueDates() DueDates {
	a := statutory.Assessment(r.ReceivedOn, r.Exceptions)
	return DueDates{DecisionToAssess: a.DecisionToAssessAdjusted, NoPlanNotice: a.NoPlanNoticeAdjusted, FinalPlan: a.FinalPlanAdjusted,
		DecisionToAssessRaw: a.DecisionToAssess, FinalPlanRaw: a.FinalPlan, Week20: a.Week20}
}

// Ground letters as the regulations number them: (a) to (d) of Regs 5(4), 10(4) and 13(3).
var groundLetters = map[string]statutory.Ground{
	"a": statutory.GroundSchoolClosure,
	"b": statutory.GroundEarlyYearsClosure,
	"c": statutory.GroundPersonalCircumstances,
	"d": statutory.GroundAbsentFromArea,
}

// GroundOf returns the ground for a letter a to d, or false.
func GroundOf(letter string) (statutory.Ground, bool) {
	g, ok := groundLetters[letter]
	return g, ok
}

// LetterOf returns the letter a to d of a ground, or "".
func LetterOf(g statutory.Ground) string {
	for l, v := range groundLetters {
		if v == g {
			return l
		}
	}
	return ""
}
