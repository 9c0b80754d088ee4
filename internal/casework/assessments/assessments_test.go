package assessments_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

var sections = assessment.Sections{Education: "Needs help with reading."}

// An assessment starts only on an accepted referral, once, and moves the referral to assessing.
func TestCreateAssessmentRules(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		_, err := e.App.Assessments.CreateAssessment(cwt.As(e.Officer()), c.Referral.ID, "", sections)
		testkit.AsFault(t, err, fault.Conflict) // still waiting for triage
		e.Accept(c.Referral.ID)
		_, err = e.App.Assessments.CreateAssessment(cwt.As(e.Analyst()), c.Referral.ID, "", sections)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Assessments.CreateAssessment(cwt.As(e.Outsider()), c.Referral.ID, "", sections)
		testkit.WantFault(t, err, fault.Unprocessable, "/referral_id")
		_, err = e.App.Assessments.CreateAssessment(cwt.As(e.Officer()), c.Referral.ID, "0190f7e2-0000-7000-8000-000000000000", sections)
		testkit.WantFault(t, err, fault.Unprocessable, "/assessor_practitioner_id")

		a, err := e.App.Assessments.CreateAssessment(cwt.As(e.Lead()), c.Referral.ID, e.LeadWorker.ID, sections)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != assessment.Draft || a.Number != 1 || !a.CreatedAt.Equal(cwt.Now) || a.YoungPersonID != c.Child.ID {
			t.Errorf("assessment = %s #%d created %v for %s", a.Status, a.Number, a.CreatedAt, a.YoungPersonID)
		}
		e.WantWritten(a.ID, audit.Create, outbox.FamilyAssessmentCreated)
		r, err := e.App.Referrals.Referral(cwt.As(e.Officer()), c.Referral.ID)
		if err != nil || r.Status != referral.Assessing {
			t.Errorf("referral after the assessment started = %s (%v), want assessing", r.Status, err)
		}
		e.WantWritten(c.Referral.ID, audit.Transition, outbox.ReferralStatusChanged)
		_, err = e.App.Assessments.CreateAssessment(cwt.As(e.Officer()), c.Referral.ID, "", sections)
		testkit.AsFault(t, err, fault.Conflict)
	})
}

// A draft changes under If-Match; once submitted (at the clock's instant) it is frozen, and a
// review starts version 2 from it.
func TestAssessmentLifecycle(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		e.Accept(c.Referral.ID)
		a := cwt.Must(e.App.Assessments.CreateAssessment(cwt.As(e.Officer()), c.Referral.ID, "", sections))(t)
		health := func(cur assessment.Assessment) (assessment.Assessment, []string, error) {
			cur.Sections.Health = "Seen by the health visitor."
			return cur, []string{"sections"}, nil
		}
		_, err := e.App.Assessments.UpdateAssessment(cwt.As(e.Officer()), a.ID, cwt.Ptr(a.Version+1), health)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		_, err = e.App.Assessments.UpdateAssessment(cwt.As(e.Outsider()), a.ID, nil, health)
		testkit.AsFault(t, err, fault.NotFound)
		a = cwt.Must(e.App.Assessments.UpdateAssessment(cwt.As(e.Officer()), a.ID, cwt.Ptr(a.Version), health))(t)
		if a.Sections.Health == "" || a.Version != 2 {
			t.Fatalf("update = %+v", a)
		}
		e.WantWritten(a.ID, audit.Update, outbox.FamilyAssessmentUpdated)

		_, err = e.App.Assessments.SubmitAssessment(cwt.As(e.Officer()), a.ID, cwt.Ptr(1))
		testkit.AsFault(t, err, fault.PreconditionFailed)
		a = cwt.Must(e.App.Assessments.SubmitAssessment(cwt.As(e.Officer()), a.ID, cwt.Ptr(2)))(t)
		if a.Status != assessment.Submitted || a.SubmittedAt == nil || !a.SubmittedAt.Equal(cwt.Now) {
			t.Errorf("submitted = %s at %v, want submitted at the clock's instant", a.Status, a.SubmittedAt)
		}
		e.WantWritten(a.ID, audit.Submit, outbox.FamilyAssessmentSubmitted)
		_, err = e.App.Assessments.UpdateAssessment(cwt.As(e.Officer()), a.ID, nil, health)
		testkit.AsFault(t, err, fault.Conflict)
		_, err = e.App.Assessments.SubmitAssessment(cwt.As(e.Officer()), a.ID, nil)
		testkit.AsFault(t, err, fault.Conflict)

		next, err := e.App.Assessments.ReviewAssessment(cwt.As(e.Officer()), a.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if next.Number != 2 || next.PreviousID != a.ID || next.Status != assessment.Draft || next.Sections.Health == "" {
			t.Errorf("review = #%d after %s, %s, sections %+v; want a draft #2 carrying the content forward", next.Number, next.PreviousID, next.Status, next.Sections)
		}
		e.WantWritten(a.ID, audit.Review, outbox.FamilyAssessmentReviewed)
		e.WantWritten(next.ID, audit.Create, outbox.FamilyAssessmentCreated)
		old, err := e.App.Assessments.Assessment(cwt.As(e.Officer()), a.ID)
		if err != nil || old.Status != assessment.Reviewed || old.ReviewedAt == nil || !old.ReviewedAt.Equal(cwt.Now) {
			t.Errorf("reviewed version = %s at %v (%v)", old.Status, old.ReviewedAt, err)
		}
	})
}
