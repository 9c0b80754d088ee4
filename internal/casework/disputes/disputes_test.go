package disputes_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// refused is a request the council decided not to assess, ten days before the clock's today.
func refused(t *testing.T, e *cwt.Env, youngPersonID string) ehc.Request {
	t.Helper()
	officer := cwt.As(e.Officer())
	r := cwt.Must(e.App.EHCRequests.CreateEHCRequest(officer, ehcrequests.EHCRequestInput{YoungPersonID: youngPersonID,
		RequestedBy: ehc.ByParent, ReceivedOn: cwt.Today.AddDate(0, 0, -40)}))(t)
	return cwt.Must(e.App.EHCRequests.DecideEHCRequest(officer, r.ID, nil, ehc.Decision{Decision: ehc.NotAssess,
		DecidedOn: cwt.Today.AddDate(0, 0, -10), AppealRightsNotified: true}))(t)
}

func appeal(requestID string) dispute.Dispute {
	return dispute.Dispute{Kind: dispute.Tribunal, SubjectType: dispute.SubjectEHCRequest, SubjectID: requestID, About: dispute.AboutRefusalToAssess,
		BroughtBy: dispute.ByParent, ReceivedOn: cwt.Today, DecisionLetterOn: cwt.Today.AddDate(0, 0, -10)}
}

// An appeal is recorded by the pathway against a decision the caller can see, not dated after the
// clock's today, and announced with its appeal deadline (two months from the decision letter).
func TestCreateDispute(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		r := refused(t, e, c.Child.ID)
		_, err := e.App.Disputes.CreateDispute(cwt.As(e.Partner()), appeal(r.ID))
		testkit.AsFault(t, err, fault.Forbidden)
		late := appeal(r.ID)
		late.ReceivedOn = cwt.Today.AddDate(0, 0, 1)
		_, err = e.App.Disputes.CreateDispute(cwt.As(e.Officer()), late)
		testkit.WantFault(t, err, fault.Invalid, "/received_on")
		onReferral := appeal(c.Referral.ID)
		onReferral.SubjectType = dispute.SubjectReferral
		_, err = e.App.Disputes.CreateDispute(cwt.As(e.Officer()), onReferral)
		testkit.WantFault(t, err, fault.Unprocessable, "/subject_type")
		other := refused(t, e, e.YoungPerson(6, nil).ID)
		_, err = e.App.Disputes.CreateDispute(cwt.As(e.Lead()), appeal(other.ID))
		testkit.WantFault(t, err, fault.Unprocessable, "/subject_id")

		d, err := e.App.Disputes.CreateDispute(cwt.As(e.Lead()), appeal(r.ID))
		if err != nil {
			t.Fatal(err)
		}
		if d.YoungPersonID != c.Child.ID || !d.CreatedAt.Equal(cwt.Now) || !d.Open() {
			t.Errorf("dispute = %+v", d)
		}
		e.WantWritten(d.ID, audit.Create, outbox.DisputeRecorded)
		n := e.Notices(d.ID)
		if len(n) != 1 || n[0].Payload["appeal_deadline"] != "2026-04-20" {
			t.Errorf("announced %+v, want one event with appeal_deadline 2026-04-20", n)
		}
		_, err = e.App.Disputes.Dispute(cwt.As(e.Outsider()), d.ID)
		testkit.AsFault(t, err, fault.NotFound)
	})
}

// A dispute concludes once, on a day between its receipt and the clock's today, under If-Match.
func TestConcludeDispute(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		d := cwt.Must(e.App.Disputes.CreateDispute(cwt.As(e.Officer()), appeal(refused(t, e, yp.ID).ID)))(t)
		_, err := e.App.Disputes.ConcludeDispute(cwt.As(e.Officer()), d.ID, nil, "upheld", cwt.Today.AddDate(0, 0, 1), "")
		testkit.WantFault(t, err, fault.Invalid, "/concluded_on")
		_, err = e.App.Disputes.ConcludeDispute(cwt.As(e.Officer()), d.ID, cwt.Ptr(d.Version+1), "upheld", cwt.Today, "")
		testkit.AsFault(t, err, fault.PreconditionFailed)
		got, err := e.App.Disputes.ConcludeDispute(cwt.As(e.Officer()), d.ID, cwt.Ptr(d.Version), "upheld", cwt.Today, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Outcome != "upheld" || !got.ConcludedOn.Equal(cwt.Today) || got.Version != d.Version+1 || !got.UpdatedAt.Equal(cwt.Now) {
			t.Errorf("concluded = %s on %v v%d", got.Outcome, got.ConcludedOn, got.Version)
		}
		e.WantWritten(d.ID, audit.Close, outbox.DisputeConcluded)
		_, err = e.App.Disputes.ConcludeDispute(cwt.As(e.Officer()), d.ID, nil, "dismissed", cwt.Today, "")
		testkit.AsFault(t, err, fault.Conflict)
	})
}
