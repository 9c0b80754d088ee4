package ehc

import (
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var later = d(2026, 11, 23)

func assessing(t *testing.T) Request {
	t.Helper()
	r := received(t)
	if err := r.Decide(Decision{Decision: Assess, DecidedOn: d(2026, 2, 10)}, later); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAdvice: each adviser's 6 weeks (Reg 8), paused only for grounds that excuse an adviser;
// preparation-for-adulthood advice from Year 9 (Reg 6(1)(f)).
func TestAdvice(t *testing.T) {
	r := assessing(t)
	if err := r.RequestAdvice(Advice{ID: "a", Adviser: AdviserEducationalPsychology, RequestedOn: d(2026, 2, 11)}, d(2015, 6, 1), later); err != nil {
		t.Fatal(err)
	}
	m := r.AdviceMilestone(r.Advice[0], d(2026, 3, 20))
	if !m.DueOn.Equal(d(2026, 3, 25)) || m.Status != statutory.StatusDue {
		t.Fatalf("advice due: %+v", m)
	}
	// Two weeks of personal circumstances (ground c) pause the adviser's clock too.
	r.Exceptions = []statutory.Exception{{Ground: statutory.GroundPersonalCircumstances, From: d(2026, 3, 1), To: d(2026, 3, 14)}}
	if m := r.AdviceMilestone(r.Advice[0], later); !m.AdjustedDueOn.Equal(d(2026, 4, 8)) || m.Status != statutory.StatusOverdue {
		t.Fatalf("adjusted advice: %+v", m)
	}
	// A school closure (ground a) excuses the authority, not the adviser.
	r.Exceptions = []statutory.Exception{{Ground: statutory.GroundSchoolClosure, From: d(2026, 3, 1), To: d(2026, 3, 31)}}
	if m := r.AdviceMilestone(r.Advice[0], later); !m.AdjustedDueOn.Equal(d(2026, 3, 25)) {
		t.Fatalf("closure moved the adviser's date: %+v", m)
	}
	if err := r.ReceiveAdvice("a", d(2026, 2, 1), later); !testkit.WantFault(t, err, fault.Invalid, "/received_on") {
		t.Fatal("received before requested")
	}
	if err := r.ReceiveAdvice("a", d(2026, 3, 26), later); err != nil {
		t.Fatal(err)
	}
	if m := r.AdviceMilestone(r.Advice[0], later); m.Status != statutory.StatusMetLate {
		t.Fatalf("late advice: %+v", m)
	}
	if err := r.ReceiveAdvice("nope", d(2026, 3, 26), later); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("unknown advice: %v", err)
	}
	for _, c := range []struct {
		name    string
		a       Advice
		dob     time.Time
		pointer string
	}{
		{"unknown adviser", Advice{Adviser: "astrologer", RequestedOn: d(2026, 2, 11)}, d(2015, 6, 1), "/adviser"},
		{"before receipt", Advice{Adviser: AdviserMedical, RequestedOn: d(2026, 1, 1)}, d(2015, 6, 1), "/requested_on"},
		{"PfA below Year 9", Advice{Adviser: AdviserPreparingForAdulthood, RequestedOn: d(2026, 2, 11)}, d(2012, 9, 1), "/adviser"},
	} {
		if err := r.RequestAdvice(c.a, c.dob, later); !slices.Equal(testkit.Pointers(err), []string{c.pointer}) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Born 31 August 2011: Year 9 from 1 September 2024, so PfA advice in 2026 is due.
	if err := r.RequestAdvice(Advice{ID: "p", Adviser: AdviserPreparingForAdulthood, RequestedOn: d(2026, 2, 11)}, d(2011, 8, 31), later); err != nil {
		t.Fatalf("PfA in Year 9+: %v", err)
	}
	rec := received(t)
	if err := rec.RequestAdvice(Advice{Adviser: AdviserMedical, RequestedOn: d(2026, 1, 6)}, d(2015, 6, 1), later); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("advice before the decision to assess: %v", err)
	}
}

// TestIssueDecision: the Reg 10 notice, then the draft and final milestones through to SEN2
// assessment outcome Y on the day the plan is issued.
func TestIssueDecision(t *testing.T) {
	r := assessing(t)
	if err := r.DecideIssue(IssueDecision{Decision: NotIssue, DecidedOn: d(2026, 4, 20)}, later); !testkit.WantFault(t, err, fault.Unprocessable, "/appeal_rights_notified") {
		t.Fatal("refusal without rights")
	}
	no := r
	if err := no.DecideIssue(IssueDecision{Decision: NotIssue, DecidedOn: d(2026, 4, 30), AppealRightsNotified: true}, later); err != nil {
		t.Fatal(err)
	}
	dl := no.Deadlines(later)
	if no.Status != NotIssued || no.AssessmentOutcome != OutcomeNo || dl.NoPlanNotice.Status != statutory.StatusMetLate ||
		dl.FinalPlan.Status != statutory.StatusNotApplicable || dl.Overdue() {
		t.Fatalf("not issued: %s %s %+v", no.Status, no.AssessmentOutcome, dl)
	}

	if err := r.DecideIssue(IssueDecision{Decision: Issue, DecidedOn: d(2026, 4, 6)}, later); err != nil {
		t.Fatal(err)
	}
	if r.Status != PlanDrafting || r.AssessmentOutcome != OutcomePending {
		t.Fatalf("after decision to issue: %s %s", r.Status, r.AssessmentOutcome)
	}
	dl = r.Deadlines(d(2026, 4, 30))
	if dl.NoPlanNotice.Status != statutory.StatusNotApplicable || dl.DraftPlanTarget.Status != statutory.StatusOverdue {
		t.Fatalf("drafting: %+v", dl)
	}
	if err := r.DraftServed(d(2026, 4, 10)); err != nil {
		t.Fatal(err)
	}
	_ = r.DraftServed(d(2026, 5, 1)) // later drafts do not move the first
	if err := r.PlanIssued(d(2026, 5, 26)); err != nil {
		t.Fatal(err)
	}
	dl = r.Deadlines(later)
	if dl.DraftPlanTarget.Status != statutory.StatusMetOnTime || !dl.DraftPlanTarget.CompletedOn.Equal(d(2026, 4, 10)) ||
		dl.FinalPlan.Status != statutory.StatusMetLate || r.AssessmentOutcome != OutcomeYes || !r.AssessmentOutcomeOn.Equal(d(2026, 5, 26)) {
		t.Fatalf("issued a day late (due 25 May): %+v %s", dl, r.AssessmentOutcome)
	}
	if err := r.Withdraw(later, "x", later); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("withdraw after issue: %v", err)
	}
}
