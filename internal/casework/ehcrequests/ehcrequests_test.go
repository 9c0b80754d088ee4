package ehcrequests_test

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// The statutory clock starts on the day of receipt: 6 weeks to the decision, 20 to the final plan.
// cwt.Today is Monday 2 March 2026.
func TestEHCRequestStartsTheStatutoryClock(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		_, err := e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Officer()), ehcrequests.EHCRequestInput{YoungPersonID: yp.ID,
			RequestedBy: ehc.BySchoolOrCollege, ReceivedOn: cwt.Today.AddDate(0, 0, 1)})
		testkit.WantFault(t, err, fault.Invalid, "/received_on")
		r, err := e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Officer()), ehcrequests.EHCRequestInput{YoungPersonID: yp.ID,
			RequestedBy: ehc.BySchoolOrCollege, ReceivedOn: cwt.Today})
		if err != nil {
			t.Fatal(err)
		}
		due := r.DueDates()
		if want := testkit.Day(2026, 4, 13); !due.DecisionToAssess.Equal(want) {
			t.Errorf("decision to assess due %v, want %v", due.DecisionToAssess, want)
		}
		if want := testkit.Day(2026, 7, 20); !due.FinalPlan.Equal(want) {
			t.Errorf("final plan due %v, want %v", due.FinalPlan, want)
		}
		if r.Status != ehc.Received || !r.CreatedAt.Equal(cwt.Now) {
			t.Errorf("request = %s created %v", r.Status, r.CreatedAt)
		}
		e.WantWritten(r.ID, audit.Create, outbox.EHCRequestReceived)
	})
}

// A family may ask for their own child only, as the parent or the young person, dated today by the
// clock; the SEND team's links are not theirs to set.
func TestFamilyEHCRequest(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		other := e.YoungPerson(6, nil)
		family := cwt.As(e.Family(c.Child.ID))
		_, err := e.App.EHCRequests.CreateEHCRequest(family, ehcrequests.EHCRequestInput{YoungPersonID: c.Child.ID, RequestedBy: ehc.BySchoolOrCollege})
		testkit.WantFault(t, err, fault.Unprocessable, "/requested_by")
		_, err = e.App.EHCRequests.CreateEHCRequest(family, ehcrequests.EHCRequestInput{YoungPersonID: c.Child.ID, RequestedBy: ehc.ByParent,
			ReceivedOn: cwt.Today.AddDate(0, 0, -3), ReferralID: c.Referral.ID})
		testkit.WantFault(t, err, fault.Unprocessable, "/received_on", "/referral_id")
		_, err = e.App.EHCRequests.CreateEHCRequest(family, ehcrequests.EHCRequestInput{YoungPersonID: other.ID, RequestedBy: ehc.ByParent})
		testkit.WantFault(t, err, fault.Unprocessable, "/young_person_id")
		_, err = e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Analyst()), ehcrequests.EHCRequestInput{YoungPersonID: c.Child.ID, RequestedBy: ehc.ByParent})
		testkit.AsFault(t, err, fault.Forbidden)
		r, err := e.App.EHCRequests.CreateEHCRequest(family, ehcrequests.EHCRequestInput{YoungPersonID: c.Child.ID, RequestedBy: ehc.ByParent})
		if err != nil {
			t.Fatal(err)
		}
		if !r.ReceivedOn.Equal(cwt.Today) || r.RequestedBy != ehc.ByParent {
			t.Errorf("family request received %v by %s, want today by the parent", r.ReceivedOn, r.RequestedBy)
		}
		e.WantWritten(r.ID, audit.Create, outbox.EHCRequestReceived)
		_, err = e.App.EHCRequests.EHCRequest(cwt.As(e.Outsider()), r.ID)
		testkit.AsFault(t, err, fault.NotFound)
		if _, err := e.App.EHCRequests.EHCRequest(family, r.ID); err != nil {
			t.Errorf("the family cannot read their own request: %v", err)
		}
	})
}

// The decision to assess is the pathway's to make, once, not in the future, under If-Match, and a
// refusal must tell the family of their right to appeal.
func TestDecideEHCRequest(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		r := cwt.Must(e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Officer()), ehcrequests.EHCRequestInput{YoungPersonID: yp.ID,
			RequestedBy: ehc.BySchoolOrCollege, ReceivedOn: cwt.Today.AddDate(0, 0, -20)}))(t)
		assess := ehc.Decision{Decision: ehc.Assess, DecidedOn: cwt.Today}
		_, err := e.App.EHCRequests.DecideEHCRequest(cwt.As(e.Partner()), r.ID, nil, assess)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.EHCRequests.DecideEHCRequest(cwt.As(e.Officer()), r.ID, nil, ehc.Decision{Decision: ehc.Assess, DecidedOn: cwt.Today.AddDate(0, 0, 1)})
		testkit.WantFault(t, err, fault.Invalid, "/decided_on")
		_, err = e.App.EHCRequests.DecideEHCRequest(cwt.As(e.Officer()), r.ID, nil, ehc.Decision{Decision: ehc.NotAssess, DecidedOn: cwt.Today})
		testkit.WantFault(t, err, fault.Unprocessable, "/appeal_rights_notified")
		_, err = e.App.EHCRequests.DecideEHCRequest(cwt.As(e.Officer()), r.ID, cwt.Ptr(r.Version+1), assess)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		got, err := e.App.EHCRequests.DecideEHCRequest(cwt.As(e.Officer()), r.ID, cwt.Ptr(r.Version), assess)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ehc.Assessing || got.RequestOutcome != ehc.OutcomeYes || got.Version != r.Version+1 {
			t.Errorf("decided = %s %s v%d", got.Status, got.RequestOutcome, got.Version)
		}
		e.WantWritten(r.ID, audit.Transition, outbox.EHCRequestDecided)
		_, err = e.App.EHCRequests.DecideEHCRequest(cwt.As(e.Officer()), r.ID, nil, assess)
		if fe := testkit.AsFault(t, err, fault.Conflict); fe.CurrentStatus != string(ehc.Assessing) {
			t.Errorf("second decision reports status %q", fe.CurrentStatus)
		}
		w, err := e.App.EHCRequests.WithdrawEHCRequest(cwt.As(e.Officer()), r.ID, nil, time.Time{}, "the family moved")
		if err != nil || w.Status != ehc.Withdrawn || w.Withdrawal == nil || !w.Withdrawal.On.Equal(cwt.Today) {
			t.Errorf("withdraw with no date = %s %+v (%v), want withdrawn today", w.Status, w.Withdrawal, err)
		}
	})
}
