package consultations_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/consultations"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/consultation"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// The council consults the school with 15 days to answer; only the school's staff see and answer
// it, late answers are flagged. (Section I's link is tested over HTTP: TestSettingConsultation.)
func TestConsultation(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		officer := cwt.As(e.Officer())
		yp := e.YoungPerson(8, nil)
		r := cwt.Must(e.App.EHCRequests.CreateEHCRequest(officer, ehcrequests.EHCRequestInput{YoungPersonID: yp.ID,
			RequestedBy: ehc.ByParent, ReceivedOn: cwt.Today.AddDate(0, 0, -30)}))(t)
		cwt.Must(e.App.EHCRequests.DecideEHCRequest(officer, r.ID, nil, ehc.Decision{Decision: ehc.Assess, DecidedOn: cwt.Today.AddDate(0, 0, -20)}))(t)
		cwt.Must(e.App.EHCRequests.DecideEHCIssue(officer, r.ID, nil, ehc.IssueDecision{Decision: ehc.Issue, DecidedOn: cwt.Today.AddDate(0, 0, -1)}))(t)
		pl := cwt.Must(e.App.Plans.CreateEHCPlan(officer, plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: r.ID}))(t)

		_, err := e.App.Consultations.Consult(cwt.As(e.Partner()), pl.ID, consultations.Input{OrganisationID: e.School.ID, RequestedBy: consultation.ByFamily})
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Consultations.Consult(officer, pl.ID, consultations.Input{OrganisationID: "00000000-0000-7000-8000-000000000999", RequestedBy: consultation.ByFamily})
		testkit.WantFault(t, err, fault.Unprocessable, "/organisation_id")
		c := cwt.Must(e.App.Consultations.Consult(officer, pl.ID, consultations.Input{OrganisationID: e.School.ID, RequestedBy: consultation.ByFamily}))(t)
		if !c.SentOn.Equal(cwt.Today) || !c.DueOn.Equal(cwt.Today.AddDate(0, 0, 14)) || c.Status != consultation.Sent {
			t.Fatalf("consultation: %+v", c)
		}
		e.WantWritten(c.ID, audit.Create, outbox.SettingConsultationSent)
		_, err = e.App.Consultations.Consult(officer, pl.ID, consultations.Input{OrganisationID: e.School.ID, RequestedBy: consultation.ByAuthority})
		testkit.AsFault(t, err, fault.Conflict)

		school := cwt.As(e.Partner())
		if got, _, err := e.App.Consultations.Consultations(school, consultation.Filter{}, paging.Page{}); err != nil || len(got) != 1 {
			t.Fatalf("the school's list: %d %v", len(got), err)
		}
		_, err = e.App.Consultations.Consultation(cwt.As(e.Outsider()), c.ID)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Consultations.Respond(officer, c.ID, nil, consultation.CanMeetNeeds, "")
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Consultations.Respond(cwt.As(e.Outsider()), c.ID, nil, consultation.CanMeetNeeds, "")
		testkit.AsFault(t, err, fault.NotFound)

		e.Travel(cwt.Now.AddDate(0, 0, 15))
		got := cwt.Must(e.App.Consultations.Respond(school, c.ID, cwt.Ptr(1), consultation.CannotMeetNeeds, "No specialist staff."))(t)
		if !got.Late || got.Response != consultation.CannotMeetNeeds || got.Version != 2 {
			t.Fatalf("answer: %+v", got)
		}
		e.WantWritten(c.ID, audit.Update, outbox.SettingConsultationResponded)
		_, err = e.App.Consultations.Respond(school, c.ID, nil, consultation.CanMeetNeeds, "")
		testkit.AsFault(t, err, fault.Conflict)

	})
}
