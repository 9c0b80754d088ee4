package meetings_test

import (
	"slices"
	"testing"

	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

func taf(referralID string) meeting.Meeting {
	return meeting.Meeting{ReferralID: referralID, Type: meeting.TAF, HeldOn: cwt.Today,
		Attendees: []meeting.Attendee{{Kind: meeting.KindFamilyMember, Name: "Grace", Relationship: "parent", TookPart: true}},
		Actions:   []meeting.Action{{What: "Book a hearing test", DueOn: cwt.Today.AddDate(0, 0, 14)}}}
}

// A meeting cannot be held after the clock's today, nor name practitioners that do not exist; a
// MAM waits for the engagement lead.
func TestCreateMeetingRules(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		m := taf(c.Referral.ID)
		m.HeldOn = cwt.Today.AddDate(0, 0, 1)
		_, err := e.App.Meetings.CreateMeeting(cwt.As(e.Officer()), m)
		testkit.WantFault(t, err, fault.Invalid, "/held_on")
		m = taf(c.Referral.ID)
		m.Attendees = append(m.Attendees, meeting.Attendee{Kind: meeting.KindPractitioner, PractitionerID: "0190f7e2-0000-7000-8000-000000000000", TookPart: true})
		_, err = e.App.Meetings.CreateMeeting(cwt.As(e.Officer()), m)
		testkit.WantFault(t, err, fault.Unprocessable, "/attendees/1/practitioner_id")
		mam := taf(c.Referral.ID)
		mam.Type = meeting.MAM
		_, err = e.App.Meetings.CreateMeeting(cwt.As(e.Officer()), mam)
		testkit.AsFault(t, err, fault.Conflict)
		_, err = e.App.Meetings.CreateMeeting(cwt.As(e.Outsider()), taf(c.Referral.ID))
		testkit.WantFault(t, err, fault.Unprocessable, "/referral_id")
		_, err = e.App.Meetings.CreateMeeting(cwt.As(e.Panel()), taf(c.Referral.ID))
		testkit.AsFault(t, err, fault.Forbidden)
		if n := slices.Index(e.NoticeTypes(c.Referral.ID), outbox.MeetingHeld.Name); n >= 0 {
			t.Errorf("a refused meeting was announced")
		}
	})
}

// The pathway: accepted, assessed, lead allocated, then a MAM moves the referral to mam_held on the
// meeting's day, with every step audited and announced.
func TestMAMMovesTheReferral(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		e.Accept(c.Referral.ID)
		cwt.Must(e.App.Assessments.CreateAssessment(cwt.As(e.Officer()), c.Referral.ID, "", assessmentSections))(t)
		r, err := e.App.Referrals.Allocate(cwt.As(e.Officer()), c.Referral.ID, nil, e.LeadWorker.ID, "health needs lead", "")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != referral.Allocated || r.EngagementLeadID != e.LeadWorker.ID {
			t.Fatalf("allocated = %s lead %s", r.Status, r.EngagementLeadID)
		}
		mam := taf(c.Referral.ID)
		mam.Type = meeting.MAM
		m, err := e.App.Meetings.CreateMeeting(cwt.As(e.Lead()), mam)
		if err != nil {
			t.Fatal(err)
		}
		e.WantWritten(m.ID, audit.Create, outbox.MeetingHeld)
		r, err = e.App.Referrals.Referral(cwt.As(e.Officer()), c.Referral.ID)
		if err != nil || r.Status != referral.MAMHeld || r.Version != 5 {
			t.Errorf("referral after the MAM = %s v%d (%v), want mam_held v5", r.Status, r.Version, err)
		}
	})
}

// Actions agreed at a meeting are done once, at the clock's instant, by someone who can see them.
func TestCompleteAction(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		m := cwt.Must(e.App.Meetings.CreateMeeting(cwt.As(e.Officer()), taf(c.Referral.ID)))(t)
		a := m.Actions[0]
		if got := e.Actions(a.ID); !slices.Contains(got, audit.Create) {
			t.Errorf("action audit = %q, want its creation", got)
		}
		_, err := e.App.Meetings.CompleteAction(cwt.As(e.Outsider()), a.ID, "", "")
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Meetings.CompleteAction(cwt.As(e.Partner()), a.ID, "0190f7e2-0000-7000-8000-000000000000", "")
		testkit.WantFault(t, err, fault.Unprocessable, "/completed_by_practitioner_id")
		done, err := e.App.Meetings.CompleteAction(cwt.As(e.Partner()), a.ID, "", "booked")
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != meeting.Done || done.CompletedAt == nil || !done.CompletedAt.Equal(cwt.Now) || done.CompletedByPractitionerID != e.SENCO.ID {
			t.Errorf("completed = %s at %v by %s, want done at the clock's instant by the caller", done.Status, done.CompletedAt, done.CompletedByPractitionerID)
		}
		e.WantWritten(a.ID, audit.Complete, outbox.ActionCompleted)
		_, err = e.App.Meetings.CompleteAction(cwt.As(e.Partner()), a.ID, "", "again")
		testkit.AsFault(t, err, fault.Conflict)
	})
}

// A family gives feedback only as the family or the child, and only on their own child's referral.
func TestFamilyFeedback(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		other := e.Case(6)
		family := cwt.As(e.Family(c.Child.ID))
		_, err := e.App.Meetings.GiveFeedback(family, feedback.Feedback{ReferralID: c.Referral.ID, From: feedback.FromProfessional, PractitionerID: e.SENCO.ID})
		if k := testkit.KindOf(t, err); k == fault.Unknown || k == fault.NotFound {
			t.Errorf("a family giving professional feedback: %v, want it refused", err)
		}
		_, err = e.App.Meetings.GiveFeedback(family, feedback.Feedback{ReferralID: other.Referral.ID, From: feedback.FromFamily, WorkingWell: "ok"})
		testkit.WantFault(t, err, fault.Unprocessable, "/referral_id")
		_, err = e.App.Meetings.GiveFeedback(cwt.As(e.Analyst()), feedback.Feedback{ReferralID: c.Referral.ID, From: feedback.FromFamily})
		testkit.AsFault(t, err, fault.Forbidden)
		f, err := e.App.Meetings.GiveFeedback(family, feedback.Feedback{ReferralID: c.Referral.ID, From: feedback.FromFamily, WorkingWell: " the lead listens "})
		if err != nil {
			t.Fatal(err)
		}
		if f.YoungPersonID != c.Child.ID || f.WorkingWell != "the lead listens" || !f.CreatedAt.Equal(cwt.Now) {
			t.Errorf("feedback = %+v", f)
		}
		e.WantWritten(f.ID, audit.Create, outbox.PathwayFeedbackRecorded)
	})
}

var assessmentSections = assessment.Sections{Education: "Needs help with reading."}

// A meeting's record is corrected under If-Match, within the clock's today, by someone who sees it;
// its type stays what it was.
func TestUpdateMeeting(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		m := cwt.Must(e.App.Meetings.CreateMeeting(cwt.As(e.Officer()), taf(c.Referral.ID)))(t)
		said := func(cur meeting.Meeting) (meeting.Meeting, []string, error) {
			cur.FamilySaid, cur.Type = "They felt listened to.", meeting.MAP
			return cur, []string{"family_said", "type"}, nil
		}
		_, err := e.App.Meetings.UpdateMeeting(cwt.As(e.Officer()), m.ID, cwt.Ptr(m.Version+1), said)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		_, err = e.App.Meetings.UpdateMeeting(cwt.As(e.Outsider()), m.ID, nil, said)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Meetings.UpdateMeeting(cwt.As(e.Officer()), m.ID, nil, func(cur meeting.Meeting) (meeting.Meeting, []string, error) {
			cur.HeldOn = cwt.Today.AddDate(0, 0, 1)
			return cur, []string{"held_on"}, nil
		})
		testkit.WantFault(t, err, fault.Invalid, "/held_on")
		got, err := e.App.Meetings.UpdateMeeting(cwt.As(e.Partner()), m.ID, cwt.Ptr(m.Version), said)
		if err != nil {
			t.Fatal(err)
		}
		if got.FamilySaid == "" || got.Type != meeting.TAF || got.Version != m.Version+1 || len(got.Actions) != 1 {
			t.Errorf("corrected = %s %q v%d with %d actions; want the type and actions kept", got.Type, got.FamilySaid, got.Version, len(got.Actions))
		}
		e.WantWritten(m.ID, audit.Update, outbox.MeetingUpdated)
	})
}
