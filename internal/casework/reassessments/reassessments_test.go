package reassessments_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

var sections = ehcplan.Sections{
	B: []ehcplan.Need{{Ref: "B1", SENType: "SLCN", Rank: 1, Description: "Speech and language needs."}},
	E: []ehcplan.Outcome{{Ref: "E1", Description: "Speaks in short sentences by July.", Needs: []string{"B1"}}},
	F: []ehcplan.Provision{{Ref: "F1", What: "Speech therapy", Who: "Speech and language therapist", HowOften: "Weekly", HowLong: "A year", Outcomes: []string{"E1"}}},
}

// A plan transferred in (Reg 15) keeps the old authority's made date; a request to re-assess it
// is decided, excepted and completed, each write audited and announced; an outsider is told 404.
func TestTransferInAndReassessment(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		officer := cwt.As(e.Officer())
		yp := e.YoungPerson(8, nil)
		pl := cwt.Must(e.App.Plans.CreateEHCPlan(officer, plans.EHCPlanInput{YoungPersonID: yp.ID, Sections: sections}))(t)
		_, err := e.App.Reassessments.Start(officer, pl.ID, reassessment.Input{Route: reassessment.RouteOwnMotion, DecidedOn: cwt.Today})
		testkit.AsFault(t, err, fault.Conflict) // a draft is not in force

		// Moved 2 February 2026, the old authority aware on 5 January: transferred on the move day.
		transfer := ehcplan.TransferIn{FromLA: "352", MovedOn: testkit.Day(2026, 2, 2), AwareOn: testkit.Day(2026, 1, 5),
			TransferredOn: testkit.Day(2026, 2, 2), MadeOn: testkit.Day(2025, 9, 15)}
		_, err = e.App.Plans.RecordEHCPlanTransferIn(cwt.As(e.Partner()), pl.ID, nil, transfer)
		testkit.AsFault(t, err, fault.Forbidden)
		pl = cwt.Must(e.App.Plans.RecordEHCPlanTransferIn(officer, pl.ID, cwt.Ptr(1), transfer))(t)
		e.WantWritten(pl.ID, audit.Update, outbox.EHCPlanTransferredIn)
		if d := pl.Transfer.Deadlines(); !d.NotifyFamilyBy.Equal(testkit.Day(2026, 3, 16)) || !d.ReviewBy.Equal(testkit.Day(2026, 9, 14)) {
			t.Fatalf("transfer deadlines %+v", d)
		}
		pl = cwt.Must(e.App.Plans.ServeEHCPlanDraft(officer, pl.ID, nil, cwt.Today))(t)
		placement := &ehcplan.Placement{SettingName: "Oakfield Primary", SettingType: "mainstream_school"}
		pl = cwt.Must(e.App.Plans.IssueEHCPlan(officer, pl.ID, nil, ehcplan.IssueInput{IssuedOn: cwt.Today, Placement: placement, FamilyAgreedEarly: true}))(t)
		if !pl.FirstIssuedOn.Equal(testkit.Day(2025, 9, 15)) || !pl.ReviewDueOn.Equal(testkit.Day(2026, 9, 14)) || pl.TransferredFromLA != "352" {
			t.Fatalf("issued after the transfer: made %v, review due %v, from %q", pl.FirstIssuedOn, pl.ReviewDueOn, pl.TransferredFromLA)
		}

		// Received 16 February; notified 2 March (on time): final plan due 8 June.
		r := cwt.Must(e.App.Reassessments.Start(officer, pl.ID, reassessment.Input{Route: reassessment.RouteRequest, RequestedBy: "parent",
			ReceivedOn: testkit.Day(2026, 2, 16)}))(t)
		e.WantWritten(r.ID, audit.Create, outbox.ReassessmentStarted)
		_, err = e.App.Reassessments.Reassessment(cwt.As(e.Outsider()), r.ID)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Reassessments.Decide(cwt.As(e.Partner()), r.ID, nil, reassessment.Agree, "", cwt.Today)
		testkit.AsFault(t, err, fault.Forbidden)
		r = cwt.Must(e.App.Reassessments.Decide(officer, r.ID, cwt.Ptr(1), reassessment.Agree, "", cwt.Today))(t)
		e.WantWritten(r.ID, audit.Update, outbox.ReassessmentDecided)
		if d := r.Deadlines(); !d.DecisionDue.Equal(testkit.Day(2026, 3, 3)) || !d.FinalPlan.Equal(testkit.Day(2026, 6, 8)) || r.DecisionLate() {
			t.Fatalf("deadlines %+v", d)
		}
		_, err = e.App.Reassessments.AddException(officer, r.ID, nil, statutory.Exception{Ground: statutory.GroundMissedAppointment,
			From: cwt.Today, To: cwt.Today, Reason: "Missed."})
		testkit.WantFault(t, err, fault.Invalid, "/ground")
		r = cwt.Must(e.App.Reassessments.AddException(officer, r.ID, cwt.Ptr(2), statutory.Exception{Ground: statutory.GroundPersonalCircumstances,
			From: testkit.Day(2026, 3, 2), To: testkit.Day(2026, 3, 8), Reason: "Bereavement."}))(t)
		e.WantWritten(r.ID, audit.Update, outbox.ReassessmentExceptionRecorded)
		if d := r.Deadlines(); !d.FinalPlanAdjusted.Equal(testkit.Day(2026, 6, 15)) {
			t.Fatalf("adjusted %v", d.FinalPlanAdjusted)
		}
		// The final in force (version 2) was issued the day the 14 weeks started: it completes it.
		r = cwt.Must(e.App.Reassessments.Complete(officer, r.ID, cwt.Ptr(3), cwt.Today, 2))(t)
		e.WantWritten(r.ID, audit.Update, outbox.ReassessmentCompleted)
		if r.Status != reassessment.Completed || r.CompletionLate() {
			t.Fatalf("completed %+v", r)
		}
	})
}
