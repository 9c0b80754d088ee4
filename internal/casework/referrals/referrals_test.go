package referrals_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

var accept = referral.Triage{Decision: referral.DecisionAccept, Reason: "meets the threshold"}

// A new referral is dated by the injected clock, numbered for its year, and leaves its audit
// event, its outbox event and the first line of the child's timeline.
func TestCreateReferralUsesTheClockAndRecordsItself(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		r := e.Referral(yp.ID, nil)
		if !r.ReceivedOn.Equal(cwt.Today) || !r.CreatedAt.Equal(cwt.Now) || r.Version != 1 || r.Status != referral.Received {
			t.Errorf("referral = received %v created %v version %d status %s, want %v, %v, 1, received", r.ReceivedOn, r.CreatedAt, r.Version, r.Status, cwt.Today, cwt.Now)
		}
		if !regexp.MustCompile(`^REF-2026-\d{6}$`).MatchString(r.Reference) {
			t.Errorf("reference %q is not numbered in the clock's year", r.Reference)
		}
		if r.ReferrerOrganisationID != e.School.ID {
			t.Errorf("referrer organisation = %s, want the referrer's own (%s)", r.ReferrerOrganisationID, e.School.ID)
		}
		e.WantWritten(r.ID, audit.Create, outbox.ReferralReceived)
		tl, _, err := e.App.Referrals.Timeline(cwt.As(e.Officer()), yp.ID, paging.Page{})
		if err != nil || len(tl) != 1 || tl[0].Kind != "referral.received" || !tl[0].OccurredOn.Equal(cwt.Today) || tl[0].ReferralID != r.ID {
			t.Fatalf("timeline = %+v (%v), want the referral's receipt today", tl, err)
		}
	})
}

// Only a role with casework:write may refer, and a refused referral writes nothing.
func TestCreateReferralRefusedForTheWrongRole(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		for _, p := range []auth.Principal{e.Analyst(), e.Admin(), e.Panel()} {
			_, err := e.App.Referrals.CreateReferral(cwt.As(p), referral.Referral{YoungPersonID: yp.ID, ReferrerPractitionerID: e.SENCO.ID, Reasons: []string{"sen"}})
			if fe := testkit.AsFault(t, err, fault.Forbidden); fe.Permission != string(auth.WriteCasework) {
				t.Errorf("%s: refusal names permission %q, want %q", p.Role, fe.Permission, auth.WriteCasework)
			}
		}
		_, err := e.App.Referrals.CreateReferral(cwt.Anonymous(), referral.Referral{YoungPersonID: yp.ID})
		testkit.AsFault(t, err, fault.Unauthenticated)
		if got, _, err := e.App.Referrals.Referrals(cwt.As(e.Officer()), referral.Filter{}, paging.Page{}); err != nil || len(got) != 0 {
			t.Errorf("referrals after refusals = %d (%v), want none", len(got), err)
		}
	})
}

// A partner refers only in their own organisation's name, and only children they can see.
func TestCreateReferralKeepsPartnersToTheirOwn(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		_, err := e.App.Referrals.CreateReferral(cwt.As(e.Partner()), referral.Referral{YoungPersonID: yp.ID, ReferrerPractitionerID: e.OtherWorker.ID,
			Reasons: []string{"sen"}, ServicesInvolved: []string{"school"}})
		testkit.WantFault(t, err, fault.Unprocessable, "/referrer_practitioner_id")
		_, err = e.App.Referrals.CreateReferral(cwt.As(e.Outsider()), referral.Referral{YoungPersonID: yp.ID, ReferrerPractitionerID: e.OtherWorker.ID,
			Reasons: []string{"sen"}, ServicesInvolved: []string{"school"}})
		testkit.WantFault(t, err, fault.Unprocessable, "/young_person_id")
	})
}

// Need-to-know: the referring school reads the referral; a partner with no link to the child, and
// an analyst, do not learn it exists.
func TestReferralNeedToKnow(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		r := e.Referral(e.YoungPerson(8, nil).ID, nil)
		if _, err := e.App.Referrals.Referral(cwt.As(e.Partner()), r.ID); err != nil {
			t.Fatalf("the referrer's school cannot read its referral: %v", err)
		}
		_, err := e.App.Referrals.Referral(cwt.As(e.Outsider()), r.ID)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Referrals.Referral(cwt.As(e.Analyst()), r.ID)
		testkit.AsFault(t, err, fault.Forbidden)
		list, _, err := e.App.Referrals.Referrals(cwt.As(e.Outsider()), referral.Filter{}, paging.Page{})
		if err != nil || len(list) != 0 {
			t.Errorf("an outsider lists %d referrals (%v), want none", len(list), err)
		}
		// The officer's read and the school's read are audited; the refused reads are not.
		reads := 0
		for _, ev := range e.Events(r.ID) {
			if ev.Action == audit.Read {
				reads++
				if ev.YoungPersonID != r.YoungPersonID {
					t.Errorf("read event names young person %q, want %q", ev.YoungPersonID, r.YoungPersonID)
				}
			}
		}
		if reads != 1 {
			t.Errorf("%d audited reads, want 1 (the school's)", reads)
		}
	})
}

// Triage needs referrals:triage, a current If-Match, and a referral still waiting for it.
func TestTriageReferralRules(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		r := e.Referral(e.YoungPerson(8, nil).ID, nil)
		_, err := e.App.Referrals.TriageReferral(cwt.As(e.Partner()), r.ID, nil, accept)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Referrals.TriageReferral(cwt.As(e.Officer()), r.ID, cwt.Ptr(r.Version+1), accept)
		if fe := testkit.AsFault(t, err, fault.PreconditionFailed); fe.CurrentVersion != r.Version {
			t.Errorf("stale If-Match reports version %d, want %d", fe.CurrentVersion, r.Version)
		}
		if got := e.NoticeTypes(r.ID); slices.Contains(got, outbox.ReferralTriaged.Name) {
			t.Errorf("a refused triage published %q", got)
		}
		got, err := e.App.Referrals.TriageReferral(cwt.As(e.Officer()), r.ID, cwt.Ptr(r.Version), accept)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != referral.Accepted || got.Version != r.Version+1 || !got.Triage.TriagedAt.Equal(cwt.Now) || got.Triage.TriagedBy != e.Officer().KeyID {
			t.Errorf("triaged = %s v%d at %v by %q", got.Status, got.Version, got.Triage.TriagedAt, got.Triage.TriagedBy)
		}
		e.WantWritten(r.ID, audit.Triage, outbox.ReferralTriaged)
		_, err = e.App.Referrals.TriageReferral(cwt.As(e.Officer()), r.ID, nil, accept)
		if fe := testkit.AsFault(t, err, fault.Conflict); fe.CurrentStatus != string(referral.Accepted) {
			t.Errorf("second triage reports status %q, want accepted", fe.CurrentStatus)
		}
	})
}

// A triaged referral can no longer be corrected.
func TestUpdateReferralOnlyBeforeTriage(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		r := e.Referral(e.YoungPerson(8, nil).ID, nil)
		summary := func(cur referral.Referral) (referral.Referral, []string, error) {
			cur.Summary = "corrected"
			return cur, []string{"summary"}, nil
		}
		got, err := e.App.Referrals.UpdateReferral(cwt.As(e.Officer()), r.ID, cwt.Ptr(1), summary)
		if err != nil || got.Summary != "corrected" || got.Version != 2 {
			t.Fatalf("update = %+v, %v", got, err)
		}
		e.WantWritten(r.ID, audit.Update, outbox.ReferralUpdated)
		if _, err := e.App.Referrals.TriageReferral(cwt.As(e.Officer()), r.ID, nil, accept); err != nil {
			t.Fatal(err)
		}
		_, err = e.App.Referrals.UpdateReferral(cwt.As(e.Officer()), r.ID, nil, summary)
		testkit.AsFault(t, err, fault.Conflict)
	})
}

// Closing records the outcome at the clock's instant and announces both the closure and the move.
func TestCloseReferral(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		r := e.Referral(e.YoungPerson(8, nil).ID, nil)
		_, err := e.App.Referrals.CloseReferral(cwt.As(e.Partner()), r.ID, nil, "moved_away", "moved to Leeds")
		testkit.AsFault(t, err, fault.Forbidden)
		// Before triage, only the family's own events may close it.
		_, err = e.App.Referrals.CloseReferral(cwt.As(e.Officer()), r.ID, nil, "needs_met", "resolved")
		testkit.AsFault(t, err, fault.Conflict)
		got, err := e.App.Referrals.CloseReferral(cwt.As(e.Officer()), r.ID, nil, "moved_away", "moved to Leeds")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != referral.Closed || got.Closure == nil || !got.Closure.ClosedAt.Equal(cwt.Now) {
			t.Errorf("closed = %s %+v", got.Status, got.Closure)
		}
		e.WantWritten(r.ID, audit.Close, outbox.ReferralClosed)
		e.WantWritten(r.ID, audit.Close, outbox.ReferralStatusChanged)
		_, err = e.App.Referrals.TransitionReferral(cwt.As(e.Officer()), r.ID, nil, referral.Accepted, "reopen")
		testkit.AsFault(t, err, fault.Conflict)
	})
}

// A lead is allocated once the assessment has started; a safeguarding concern raised later (dated
// no later than the clock's today) moves the referral to the safeguarding route and calls for a
// social worker as lead, whom allocation then insists on.
func TestAllocateAndSafeguarding(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		_, err := e.App.Referrals.Allocate(cwt.As(e.Officer()), c.Referral.ID, nil, e.LeadWorker.ID, "", "")
		testkit.AsFault(t, err, fault.Conflict) // not yet triaged, let alone assessed
		e.Accept(c.Referral.ID)
		cwt.Must(e.App.Assessments.CreateAssessment(cwt.As(e.Officer()), c.Referral.ID, "", assessment.Sections{}))(t)
		_, err = e.App.Referrals.Allocate(cwt.As(e.Partner()), c.Referral.ID, nil, e.LeadWorker.ID, "", "")
		testkit.AsFault(t, err, fault.Forbidden)
		r, err := e.App.Referrals.Allocate(cwt.As(e.Officer()), c.Referral.ID, nil, e.LeadWorker.ID, "health needs lead", "")
		if err != nil || r.Status != referral.Allocated || r.EngagementLeadID != e.LeadWorker.ID {
			t.Fatalf("allocate = %s lead %s (%v)", r.Status, r.EngagementLeadID, err)
		}
		allocations, err := e.App.Referrals.Allocations(cwt.As(e.Officer()), r.ID, time.Time{})
		if err != nil || len(allocations) != 1 || !allocations[0].StartedAt.Equal(cwt.Now) {
			t.Errorf("allocations = %+v (%v)", allocations, err)
		}

		_, err = e.App.Referrals.RaiseSafeguardingConcern(cwt.As(e.Lead()), r.ID, nil, "disclosure at school", cwt.Today.AddDate(0, 0, 1))
		testkit.AsFault(t, err, fault.Invalid)
		raised, err := e.App.Referrals.RaiseSafeguardingConcern(cwt.As(e.Lead()), r.ID, cwt.Ptr(r.Version), "disclosure at school", cwt.Today)
		if err != nil {
			t.Fatal(err)
		}
		if !raised.SafeguardingConcern || raised.SafeguardingRaised == nil || !raised.SafeguardingRaised.RaisedOn.Equal(cwt.Today) ||
			raised.Route != referral.RouteSafeguardingAssessment {
			t.Errorf("raised = concern %v %+v route %s", raised.SafeguardingConcern, raised.SafeguardingRaised, raised.Route)
		}
		e.WantWritten(r.ID, audit.Update, outbox.ReferralSafeguardingRaised)
		n := e.Notices(r.ID)
		if last := n[len(n)-1]; last.Type != outbox.ReferralSafeguardingRaised.Name || last.Payload["lead_must_be_social_worker"] != true {
			t.Errorf("last event = %s %v, want the concern, asking for a social worker", last.Type, last.Payload)
		}
		nurse := e.Practitioner(e.Health.ID, "Nia Nurse", "school_nurse")
		_, err = e.App.Referrals.Allocate(cwt.As(e.Officer()), r.ID, nil, nurse.ID, "", "")
		testkit.WantFault(t, err, fault.Unprocessable, "/practitioner_id")
		social := e.Practitioner(e.Council.ID, "Sol Social", "social_worker")
		if _, err := e.App.Referrals.Allocate(cwt.As(e.Officer()), r.ID, nil, social.ID, "safeguarding", ""); err != nil {
			t.Errorf("allocating a social worker: %v", err)
		}
	})
}

// Receiving a referral reads its practitioner and child together: an unknown or inactive
// practitioner, or an unknown child, is refused naming the field; a child living outside the
// area whose school is inside it is in area, and the referral keeps the child's locality and the
// referrer's organisation.
func TestCreateReferralChecksWhoAndWhom(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		const unknown = "0190a5e0-0000-7000-8000-000000000999"
		yp := e.YoungPerson(8, func(p *person.YoungPerson) { p.Locality = "Elsewhere" })
		resting := cwt.Must(e.App.Organisations.CreatePractitioner(cwt.As(e.Admin()), directory.Practitioner{OrganisationID: e.School.ID,
			Name: "Rae Resting", Email: "rae.resting@school.example", Role: "senco", Active: false}))(t)
		refer := func(practitionerID, childID string) error {
			_, err := e.App.Referrals.CreateReferral(cwt.As(e.Officer()), referral.Referral{YoungPersonID: childID, ReferrerPractitionerID: practitionerID,
				Reasons: []string{"sen"}, ServicesInvolved: []string{"school", "camhs"}})
			return err
		}
		testkit.WantFault(t, refer(unknown, yp.ID), fault.Unprocessable, "/referrer_practitioner_id")
		testkit.WantFault(t, refer(resting.ID, yp.ID), fault.Unprocessable, "/referrer_practitioner_id")
		testkit.WantFault(t, refer(e.SENCO.ID, unknown), fault.Unprocessable, "/young_person_id")
		testkit.WantFault(t, refer(unknown, unknown), fault.Unprocessable, "/referrer_practitioner_id")
		r := e.Referral(yp.ID, nil)
		if r.Locality != "Elsewhere" || !r.Eligibility.InArea || !r.Eligibility.Eligible || r.ReferrerOrganisationID != e.School.ID {
			t.Errorf("referral: locality %q, in area %v, eligible %v, organisation %q; want Elsewhere, in area by the school, eligible, the school",
				r.Locality, r.Eligibility.InArea, r.Eligibility.Eligible, r.ReferrerOrganisationID)
		}
		away := e.Referral(e.YoungPerson(8, func(p *person.YoungPerson) { p.Locality, p.EducationSettingID = "Elsewhere", "" }).ID, nil)
		if away.Eligibility.InArea {
			t.Errorf("a child outside the area with no setting is in area")
		}
	}, func(o *app.Options) { o.Area = []string{"South"} })
}
