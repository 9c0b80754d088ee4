package advicerequests_test

import (
	"context"
	"testing"

	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/casework/advicerequests"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// The adviser named (the outsider: in no child's team) sees only their request and submits it;
// late advice (after the 6 weeks, Reg 8, on the injected clock) is taken and flagged; the
// assessment's advice is received the same day; nobody else may see or submit it.
func TestAdviserSubmits(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		officer := cwt.As(e.Officer())
		yp := e.YoungPerson(8, nil)
		r := cwt.Must(e.App.EHCRequests.CreateEHCRequest(officer, ehcrequests.EHCRequestInput{YoungPersonID: yp.ID,
			RequestedBy: ehc.ByParent, ReceivedOn: cwt.Today}))(t)
		cwt.Must(e.App.EHCRequests.DecideEHCRequest(officer, r.ID, nil, ehc.Decision{Decision: ehc.Assess, DecidedOn: cwt.Today}))(t)
		_, err := e.App.EHCRequests.RequestEHCAdvice(officer, r.ID, nil, ehc.Advice{Adviser: ehc.AdviserMedical, RequestedOn: cwt.Today,
			PractitionerID: "00000000-0000-7000-8000-000000000999"})
		testkit.WantFault(t, err, fault.Unprocessable, "/adviser_practitioner_id")
		r = cwt.Must(e.App.EHCRequests.RequestEHCAdvice(officer, r.ID, nil, ehc.Advice{Adviser: ehc.AdviserEducationalPsychology,
			RequestedOn: cwt.Today, PractitionerID: e.OtherWorker.ID}))(t)
		id := r.Advice[0].ID
		adviser := cwt.As(e.Outsider())

		mine := cwt.Must(func() ([]advicerequests.View, error) {
			v, _, err := e.App.Advice.AdviceRequests(adviser, advice.Filter{}, paging.Page{})
			return v, err
		}())(t)
		if len(mine) != 1 || mine[0].ID != id || mine[0].Child.ID != yp.ID || !mine[0].DueOn.Equal(cwt.Today.AddDate(0, 0, 42)) {
			t.Fatalf("adviser's inbox: %+v", mine)
		}
		for name, p := range map[string]context.Context{"the school": cwt.As(e.Partner()), "the lead": cwt.As(e.Lead()), "the family": cwt.As(e.Family(yp.ID))} {
			_, err := e.App.Advice.AdviceRequest(p, id)
			testkit.AsFault(t, err, fault.NotFound)
			if v, _, _ := e.App.Advice.AdviceRequests(p, advice.Filter{}, paging.Page{}); len(v) != 0 {
				t.Errorf("%s lists %d", name, len(v))
			}
		}
		_, err = e.App.Advice.AdviceRequest(cwt.As(e.Analyst()), id)
		testkit.AsFault(t, err, fault.Forbidden)

		in := advice.Submission{Sections: advice.Sections{Needs: "Working memory.", Provision: "Daily literacy."}}
		_, err = e.App.Advice.Submit(officer, id, nil, in)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Advice.Submit(cwt.As(e.Lead()), id, nil, in)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Advice.Submit(adviser, id, cwt.Ptr(7), in)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		e.WantNoNotices(id)

		e.Travel(cwt.Now.AddDate(0, 0, 43))
		v := cwt.Must(e.App.Advice.Submit(adviser, id, cwt.Ptr(1), in))(t)
		if v.Status != advice.Submitted || !v.Late || !v.SubmittedOn.Equal(cwt.Today.AddDate(0, 0, 43)) || len(v.Informs) != 7 || v.Version != 2 {
			t.Fatalf("submitted: %+v", v.Request)
		}
		e.WantWritten(id, audit.Submit, outbox.EHCAdviceSubmitted)
		got := cwt.Must(e.App.EHCRequests.EHCRequest(officer, r.ID))(t)
		if a := got.Advice[0]; a.ReceivedOn == nil || !a.ReceivedOn.Equal(*v.SubmittedOn) {
			t.Fatalf("the assessment's advice: %+v", a)
		}
		_, err = e.App.Advice.Submit(adviser, id, nil, in)
		testkit.AsFault(t, err, fault.Conflict)
	})
}
