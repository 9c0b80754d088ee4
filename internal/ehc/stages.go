package ehc

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Advisers the authority must seek advice from (Reg 6(1)); SEN2-neutral names.
const (
	AdviserParentViews           = "parent_views" // the child's parent or the young person (Reg 6(1)(a))
	AdviserEducational           = "educational"  // head teacher, SENCO or early years provider (Reg 6(1)(b))
	AdviserMedical               = "medical"      // health care professionals (Reg 6(1)(c))
	AdviserEducationalPsychology = "educational_psychologist"
	AdviserSocialCare            = "social_care"               // Reg 6(1)(e)
	AdviserPreparingForAdulthood = "preparation_for_adulthood" // from Year 9 (Reg 6(1)(f))
	AdviserOther                 = "other"                     // anyone the authority or family reasonably asks for (Reg 6(1)(g), (h))
)

// Advisers lists the kinds of adviser.
var Advisers = []string{AdviserParentViews, AdviserEducational, AdviserMedical, AdviserEducationalPsychology, AdviserSocialCare,
	AdviserPreparingForAdulthood, AdviserOther}

// MaxAdvice caps the advice requests on one assessment.
const MaxAdvice = 50

// PfAFromYear is the National Curriculum year from which advice, plans and reviews must cover
// preparation for adulthood (Reg 6(1)(f): "in year 9 or above"; Reg 20(6); Code 8.9).
const PfAFromYear = 9

// Advice is one request for advice with its own 6-week clock (Reg 8).
type Advice struct {
	ID          string
	Adviser     string
	Provider    string // the service or organisation asked, not a person's name
	RequestedOn time.Time
	ReceivedOn  *time.Time
	Notes       string
	// PractitionerID names the practitioner asked, when the council names one: they then see this
	// request (and only this one) and submit the advice themselves (package advice).
	PractitionerID string
}

// Decisions on whether to issue a plan.
const (
	Issue    = "issue"
	NotIssue = "not_issue"
)

// IssueDecision is the decision, after assessing, whether to secure a plan (s.36(8), Reg 10).
type IssueDecision struct {
	Decision             string
	DecidedOn            time.Time
	AppealRightsNotified bool
	Reason               string
}

// RequestAdvice records a request for advice while the assessment runs. Advice on preparing for
// adulthood is for children in Year 9 or above.
func (r *Request) RequestAdvice(a Advice, dob, today time.Time) error {
	if r.Status != Assessing {
		return fault.StateConflict("Advice is sought while the assessment is being carried out; this request is "+string(r.Status)+".",
			string(r.Status))
	}
	a.RequestedOn = statutory.Civil(a.RequestedOn)
	var errs []fault.FieldError
	if !slices.Contains(Advisers, a.Adviser) {
		errs = append(errs, fault.FieldError{Pointer: "/adviser", Detail: "is not a known adviser"})
	}
	errs = statutory.AppendDay(errs, "/requested_on", a.RequestedOn, r.ReceivedOn, "the day the request was received", today)
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if a.Adviser == AdviserPreparingForAdulthood && age.NationalCurriculumYear(dob, a.RequestedOn) < PfAFromYear {
		return fault.Field(fault.Unprocessable, "/adviser", "advice on preparing for adulthood is sought from Year 9 (Reg 6(1)(f)); this child is below Year 9")
	}
	if len(r.Advice) >= MaxAdvice {
		return fault.New(fault.Unprocessable, "This assessment already has the most advice requests one assessment may hold.")
	}
	r.Advice = append(r.Advice, a)
	return nil
}

// ReceiveAdvice records the day advice arrived.
func (r *Request) ReceiveAdvice(adviceID string, on, today time.Time) error {
	i := r.adviceIndex(adviceID)
	if i < 0 {
		return fault.New(fault.NotFound, "No such advice request on this assessment.")
	}
	a := &r.Advice[i]
	if a.ReceivedOn != nil {
		return fault.StateConflict("This advice has already been received.", "received")
	}
	on = statutory.Civil(on)
	if err := statutory.DayError("/received_on", on, a.RequestedOn, "the day the advice was requested", today); err != nil {
		return err
	}
	a.ReceivedOn = &on
	return nil
}

func (r *Request) adviceIndex(id string) int {
	for i, a := range r.Advice {
		if a.ID == id {
			return i
		}
	}
	return -1
}

// AdviceMilestone is an advice request's clock as of a day: 6 weeks from the request, paused
// only for the grounds that excuse an adviser (Reg 8).
func (r Request) AdviceMilestone(a Advice, asOf time.Time) Milestone {
	raw, adjusted := statutory.AdviceDue(a.RequestedOn), statutory.AdjustedAdviceDue(a.RequestedOn, r.Exceptions)
	var done time.Time
	if a.ReceivedOn != nil {
		done = *a.ReceivedOn
	}
	due := adjusted
	if done.IsZero() && !r.Status.Open() {
		due = time.Time{} // a closed request no longer waits for advice
	}
	return Milestone{DueOn: raw, AdjustedDueOn: adjusted, CompletedOn: done,
		Status: statutory.MilestoneStatus(due, done, asOf, statutory.DefaultDueSoonDays)}
}

// DecideIssue records the decision, after the assessment, whether to issue a plan. A decision not
// to issue must be notified with appeal rights (Reg 10(1)); SEN2 assessment outcome N dates from
// it. A decision to issue leaves the outcome pending (A) until the final plan is issued, the date
// SEN2 records for Y.
func (r *Request) DecideIssue(d IssueDecision, today time.Time) error {
	if r.Status != Assessing {
		return fault.StateConflict("The decision whether to issue a plan follows the decision to assess; this request is "+string(r.Status)+".",
			string(r.Status))
	}
	d.DecidedOn = statutory.Civil(d.DecidedOn)
	var errs []fault.FieldError
	if d.Decision != Issue && d.Decision != NotIssue {
		errs = append(errs, fault.FieldError{Pointer: "/decision", Detail: "must be issue or not_issue"})
	}
	errs = statutory.AppendDay(errs, "/decided_on", d.DecidedOn, r.Decision.DecidedOn, "the decision to assess", today)
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if d.Decision == NotIssue && !d.AppealRightsNotified {
		return fault.Field(fault.Unprocessable, "/appeal_rights_notified",
			"a decision not to issue a plan must tell the family of their right to appeal, to mediation and to information and advice (Reg 10(1))")
	}
	r.IssueDecision = &d
	if d.Decision == Issue {
		r.Status = PlanDrafting
		return nil
	}
	on := d.DecidedOn
	r.Status, r.AssessmentOutcome, r.AssessmentOutcomeOn = NotIssued, OutcomeNo, &on
	return nil
}

// PlanDraftable reports whether a plan may be drafted on the request: only after the decision to
// issue one. The answer names the plan's ehc_request_id.
func (r Request) PlanDraftable() error {
	if r.Status != PlanDrafting {
		return fault.Field(fault.Unprocessable, "/ehc_request_id", "the authority has not decided to issue a plan on this request (it is "+
			string(r.Status)+")")
	}
	return nil
}

// DraftServed records the first draft plan sent to the family: the practice draft target is met
// on that day. Later drafts do not move it.
func (r *Request) DraftServed(on time.Time) error {
	if r.Status != PlanDrafting {
		return fault.StateConflict("A draft plan is served after the decision to issue one; this request is "+string(r.Status)+".",
			string(r.Status))
	}
	if r.DraftServedOn == nil {
		d := statutory.Civil(on)
		r.DraftServedOn = &d
	}
	return nil
}

// PlanIssued closes the request when its final plan is issued: SEN2 assessment outcome Y, dated
// the day the plan was issued (module 3 AssessmentOutcomeDate).
func (r *Request) PlanIssued(on time.Time) error {
	if r.Status != PlanDrafting {
		return fault.StateConflict("A final plan is issued after the decision to issue one; this request is "+string(r.Status)+".",
			string(r.Status))
	}
	d := statutory.Civil(on)
	r.Status, r.AssessmentOutcome, r.AssessmentOutcomeOn, r.PlanIssuedOn = PlanIssued, OutcomeYes, &d, &d
	return nil
}
