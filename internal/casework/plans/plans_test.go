package plans_test

import (
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// request records a request for yp received 30 days ago; decided, if set, takes it to a decision
// to issue a plan.
func request(t *testing.T, e *cwt.Env, youngPersonID string, decided bool) ehc.Request {
	t.Helper()
	officer := cwt.As(e.Officer())
	r := cwt.Must(e.App.EHCRequests.CreateEHCRequest(officer, ehcrequests.EHCRequestInput{YoungPersonID: youngPersonID,
		RequestedBy: ehc.BySchoolOrCollege, ReceivedOn: cwt.Today.AddDate(0, 0, -30)}))(t)
	if decided {
		cwt.Must(e.App.EHCRequests.DecideEHCRequest(officer, r.ID, nil, ehc.Decision{Decision: ehc.Assess, DecidedOn: cwt.Today.AddDate(0, 0, -20)}))(t)
		r = cwt.Must(e.App.EHCRequests.DecideEHCIssue(officer, r.ID, nil, ehc.IssueDecision{Decision: ehc.Issue, DecidedOn: cwt.Today.AddDate(0, 0, -1)}))(t)
	}
	return r
}

// A plan is drafted by the pathway, for a child the caller sees, once the authority decided to
// issue one on that child's request; a child has one plan.
func TestCreateEHCPlanRules(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		sibling := e.YoungPerson(6, nil)
		_, err := e.App.Plans.CreateEHCPlan(cwt.As(e.Partner()), plans.EHCPlanInput{YoungPersonID: yp.ID})
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Plans.CreateEHCPlan(cwt.As(e.Lead()), plans.EHCPlanInput{YoungPersonID: yp.ID, TransferredFromLA: "888"})
		testkit.WantFault(t, err, fault.Unprocessable, "/young_person_id")
		early := request(t, e, yp.ID, false)
		_, err = e.App.Plans.CreateEHCPlan(cwt.As(e.Officer()), plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: early.ID})
		testkit.WantFault(t, err, fault.Unprocessable, "/ehc_request_id")
		theirs := request(t, e, sibling.ID, true)
		_, err = e.App.Plans.CreateEHCPlan(cwt.As(e.Officer()), plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: theirs.ID})
		testkit.WantFault(t, err, fault.Unprocessable, "/ehc_request_id")

		pl, err := e.App.Plans.CreateEHCPlan(cwt.As(e.Officer()), plans.EHCPlanInput{YoungPersonID: sibling.ID, RequestID: theirs.ID})
		if err != nil {
			t.Fatal(err)
		}
		if pl.Status != ehcplan.Draft || len(pl.Versions) != 1 || !pl.Versions[0].CreatedAt.Equal(cwt.Now) {
			t.Errorf("plan = %s with %d versions", pl.Status, len(pl.Versions))
		}
		e.WantWritten(pl.ID, audit.Create, outbox.EHCPlanDrafted)
		_, err = e.App.Plans.CreateEHCPlan(cwt.As(e.Officer()), plans.EHCPlanInput{YoungPersonID: sibling.ID, TransferredFromLA: "888"})
		testkit.WantFault(t, err, fault.Conflict, "/young_person_id")
	})
}

// Serving the draft: not after the clock's today, under If-Match, once; the comment period runs from
// the day served, and the plan's request hears of it in the same transaction.
func TestServeEHCPlanDraft(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		r := request(t, e, yp.ID, true)
		pl := cwt.Must(e.App.Plans.CreateEHCPlan(cwt.As(e.Officer()), plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: r.ID}))(t)
		_, err := e.App.Plans.ServeEHCPlanDraft(cwt.As(e.Officer()), pl.ID, nil, cwt.Today.AddDate(0, 0, 1))
		testkit.WantFault(t, err, fault.Invalid, "/served_on")
		_, err = e.App.Plans.ServeEHCPlanDraft(cwt.As(e.Officer()), pl.ID, cwt.Ptr(pl.Version+1), cwt.Today)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		_, err = e.App.Plans.ServeEHCPlanDraft(cwt.As(e.Outsider()), pl.ID, nil, cwt.Today)
		testkit.AsFault(t, err, fault.Forbidden)
		got, err := e.App.Plans.ServeEHCPlanDraft(cwt.As(e.Officer()), pl.ID, cwt.Ptr(pl.Version), cwt.Today)
		if err != nil {
			t.Fatal(err)
		}
		l := got.Latest()
		if l.ServedOn == nil || !l.ServedOn.Equal(cwt.Today) || l.CommentsDueOn == nil || !l.CommentsDueOn.Equal(statutory.DraftCommentPeriodEnd(cwt.Today)) {
			t.Errorf("served %v, comments due %v", l.ServedOn, l.CommentsDueOn)
		}
		// 15 days beginning with the day served (Reg 13(1)): 2 to 16 March.
		if want := testkit.Day(2026, 3, 16); !l.CommentsDueOn.Equal(want) {
			t.Errorf("comments due %v, want %v", l.CommentsDueOn, want)
		}
		e.WantWritten(pl.ID, audit.Transition, outbox.EHCPlanDraftServed)
		if got := e.NoticeTypes(r.ID); !slices.Contains(got, outbox.EHCRequestDraftServed.Name) {
			t.Errorf("request's events = %q, want %s", got, outbox.EHCRequestDraftServed.Name)
		}
		_, err = e.App.Plans.ServeEHCPlanDraft(cwt.As(e.Officer()), pl.ID, nil, cwt.Today)
		testkit.AsFault(t, err, fault.Conflict)
	})
}

// Issuing the final plan waits for the family's comment period unless they agreed early; it closes
// the request and schedules the first annual review, due the day before the plan's anniversary.
func TestIssueEHCPlan(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		r := request(t, e, yp.ID, true)
		officer := cwt.As(e.Officer())
		pl := cwt.Must(e.App.Plans.CreateEHCPlan(officer, plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: r.ID, Sections: sections}))(t)
		placement := &ehcplan.Placement{SettingName: "Oakfield Primary", SettingType: "mainstream_school"}
		_, err := e.App.Plans.IssueEHCPlan(officer, pl.ID, nil, ehcplan.IssueInput{IssuedOn: cwt.Today, Placement: placement})
		testkit.AsFault(t, err, fault.Conflict) // the draft was never served
		pl = cwt.Must(e.App.Plans.ServeEHCPlanDraft(officer, pl.ID, nil, cwt.Today))(t)
		_, err = e.App.Plans.IssueEHCPlan(officer, pl.ID, nil, ehcplan.IssueInput{IssuedOn: cwt.Today, Placement: placement})
		testkit.WantFault(t, err, fault.Unprocessable, "/issued_on")
		_, err = e.App.Plans.IssueEHCPlan(cwt.As(e.Partner()), pl.ID, nil, ehcplan.IssueInput{IssuedOn: cwt.Today, Placement: placement, FamilyAgreedEarly: true})
		testkit.AsFault(t, err, fault.Forbidden)
		got, err := e.App.Plans.IssueEHCPlan(officer, pl.ID, cwt.Ptr(pl.Version), ehcplan.IssueInput{IssuedOn: cwt.Today, Placement: placement, FamilyAgreedEarly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ehcplan.Issued || got.ReviewDueOn == nil || !got.ReviewDueOn.Equal(testkit.Day(2027, 3, 1)) {
			t.Errorf("issued = %s, review due %v; want issued, review due 2027-03-01", got.Status, got.ReviewDueOn)
		}
		e.WantWritten(pl.ID, audit.Transition, outbox.EHCPlanIssued)
		req, err := e.App.EHCRequests.EHCRequest(officer, r.ID)
		if err != nil || req.Status != ehc.PlanIssued {
			t.Errorf("request after the plan = %s (%v), want plan_issued", req.Status, err)
		}
		if got := e.NoticeTypes(r.ID); !slices.Contains(got, outbox.EHCRequestPlanIssued.Name) {
			t.Errorf("request's events = %q", got)
		}
	})
}

// sections is enough of a plan to issue.
var sections = ehcplan.Sections{
	B: []ehcplan.Need{{Ref: "B1", SENType: "SLCN", Rank: 1, Description: "Speech and language needs."}},
	E: []ehcplan.Outcome{{Ref: "E1", Description: "Speaks in short sentences by July.", Needs: []string{"B1"}}},
	F: []ehcplan.Provision{{Ref: "F1", What: "Speech therapy", Who: "Speech and language therapist", HowOften: "Weekly", HowLong: "A year", Outcomes: []string{"E1"}}},
}

// The annual review, eleven months on by the services' clock: the meeting is recorded once held,
// the decision needs the appeal rights told, and deciding schedules the next review.
func TestAnnualReview(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		officer := cwt.As(e.Officer())
		r := request(t, e, yp.ID, true)
		pl := cwt.Must(e.App.Plans.CreateEHCPlan(officer, plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: r.ID, Sections: sections}))(t)
		cwt.Must(e.App.Plans.ServeEHCPlanDraft(officer, pl.ID, nil, cwt.Today))(t)
		cwt.Must(e.App.Plans.IssueEHCPlan(officer, pl.ID, nil, ehcplan.IssueInput{IssuedOn: cwt.Today, FamilyAgreedEarly: true,
			Placement: &ehcplan.Placement{SettingName: "Oakfield Primary", SettingType: "mainstream_school"}}))(t)
		reviews, _, err := e.App.Plans.AnnualReviews(officer, annualreview.Filter{PlanID: pl.ID}, paging.Page{})
		if err != nil || len(reviews) != 1 {
			t.Fatalf("reviews = %+v (%v), want the first scheduled", reviews, err)
		}
		rv := reviews[0]
		e.WantWritten(rv.ID, audit.Create, outbox.AnnualReviewScheduled)

		e.Travel(time.Date(2027, 2, 15, 10, 0, 0, 0, time.UTC))
		sent := testkit.Day(2027, 2, 12)
		meeting := annualreview.Meeting{On: testkit.Day(2027, 2, 20), Attendees: []annualreview.Attendee{{Role: "parent", Name: "Grace"}},
			Recommendation: annualreview.Maintain}
		_, err = e.App.Plans.HoldAnnualReview(officer, rv.ID, nil, meeting)
		testkit.WantFault(t, err, fault.Invalid, "/meeting_on")
		meeting.On, meeting.ReportSentOn = testkit.Day(2027, 2, 10), &sent
		_, err = e.App.Plans.HoldAnnualReview(cwt.As(e.Outsider()), rv.ID, nil, meeting)
		testkit.AsFault(t, err, fault.NotFound)
		held, err := e.App.Plans.HoldAnnualReview(officer, rv.ID, cwt.Ptr(rv.Version), meeting)
		if err != nil {
			t.Fatal(err)
		}
		e.WantWritten(rv.ID, audit.Update, outbox.AnnualReviewHeld)
		_, err = e.App.Plans.HoldAnnualReview(officer, rv.ID, nil, meeting)
		testkit.AsFault(t, err, fault.Conflict)

		decided := testkit.Day(2027, 2, 15)
		_, err = e.App.Plans.DecideAnnualReview(cwt.As(e.Partner()), rv.ID, nil, annualreview.Decision{Decision: annualreview.Maintain, DecidedOn: decided}, nil)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Plans.DecideAnnualReview(officer, rv.ID, nil, annualreview.Decision{Decision: annualreview.Maintain, DecidedOn: decided}, nil)
		testkit.WantFault(t, err, fault.Unprocessable, "/appeal_rights_notified")
		_, err = e.App.Plans.DecideAnnualReview(officer, rv.ID, cwt.Ptr(held.Version), annualreview.Decision{Decision: annualreview.Maintain,
			DecidedOn: decided, AppealRightsNotified: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.WantWritten(rv.ID, audit.Transition, outbox.AnnualReviewDecided)
		after, err := e.App.Plans.EHCPlan(officer, pl.ID)
		if want := statutory.NextReviewDue(decided); err != nil || after.ReviewDueOn == nil || !after.ReviewDueOn.Equal(want) || !want.Equal(testkit.Day(2028, 2, 14)) {
			t.Errorf("plan's next review due %v (%v), want %v", after.ReviewDueOn, err, want)
		}
		if next, _, err := e.App.Plans.AnnualReviews(officer, annualreview.Filter{PlanID: pl.ID}, paging.Page{}); err != nil || len(next) != 2 {
			t.Errorf("reviews after the decision = %d (%v), want the next one scheduled", len(next), err)
		}
	})
}
