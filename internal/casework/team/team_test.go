package team_test

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// Without consent (or a safeguarding reason, or a lawful basis) no one joins the team; with
// consent in force they do, and then see the child.
func TestCreateInvolvementNeedsABasis(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		health := sharing.Involvement{YoungPersonID: yp.ID, OrganisationID: e.Health.ID, PractitionerID: e.LeadWorker.ID, Role: sharing.RoleTeamMember}
		_, err := e.App.Team.CreateInvolvement(cwt.As(e.Officer()), health)
		if k := testkit.KindOf(t, err); k != fault.Unprocessable && k != fault.Conflict {
			t.Fatalf("involvement without consent: %v, want it refused", err)
		}
		_, err = e.App.People.YoungPerson(cwt.As(e.Lead()), yp.ID)
		testkit.AsFault(t, err, fault.NotFound)

		bad := health
		bad.Role = sharing.RoleReferrer
		_, err = e.App.Team.CreateInvolvement(cwt.As(e.Officer()), bad)
		testkit.WantFault(t, err, fault.Invalid, "/role")
		wrongOrg := health
		wrongOrg.PractitionerID = e.OtherWorker.ID
		_, err = e.App.Team.CreateConsent(cwt.As(e.Officer()), sharing.Consent{YoungPersonID: yp.ID, GivenBy: "Grace", Relationship: "parent",
			Scope: sharing.ScopeAllInvolved, GivenOn: cwt.Today})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.App.Team.CreateInvolvement(cwt.As(e.Officer()), wrongOrg)
		testkit.WantFault(t, err, fault.Unprocessable, "/practitioner_id")

		i, err := e.App.Team.CreateInvolvement(cwt.As(e.Officer()), health)
		if err != nil {
			t.Fatal(err)
		}
		if !i.StartedOn.Equal(cwt.Today) || i.ConsentID == "" {
			t.Errorf("involvement started %v on consent %q, want today on the consent", i.StartedOn, i.ConsentID)
		}
		e.WantWritten(i.ID, audit.Create, outbox.InvolvementStarted)
		if _, err := e.App.People.YoungPerson(cwt.As(e.Lead()), yp.ID); err != nil {
			t.Errorf("the team member cannot see the child: %v", err)
		}
	})
}

// An outsider can neither see a child's team nor add to it.
func TestTeamNeedToKnow(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		_, _, err := e.App.Team.Involvements(cwt.As(e.Outsider()), c.Child.ID, true, paging.Page{})
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Team.Consents(cwt.As(e.Outsider()), c.Child.ID, time.Time{})
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Team.CreateInvolvement(cwt.As(e.Outsider()), sharing.Involvement{YoungPersonID: c.Child.ID, OrganisationID: e.Other.ID, Role: sharing.RoleTeamMember})
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Team.CreateConsent(cwt.As(e.Analyst()), sharing.Consent{YoungPersonID: c.Child.ID})
		testkit.AsFault(t, err, fault.Forbidden)
		got, _, err := e.App.Team.Involvements(cwt.As(e.Partner()), c.Child.ID, true, paging.Page{})
		if err != nil || len(got) < 3 {
			t.Errorf("the school sees %d current involvements (%v), want the setting, the referrer and health", len(got), err)
		}
	})
}

// Withdrawing consent is dated no later than the clock's today, happens once, and ends what rested
// only on it: the health trust stops seeing the child.
func TestWithdrawConsent(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		_, err := e.App.Team.WithdrawConsent(cwt.As(e.Officer()), c.Child.ID, c.Consent.ID, cwt.Today.AddDate(0, 0, 1), "changed their mind")
		testkit.WantFault(t, err, fault.Invalid, "/withdrawn_on")
		_, err = e.App.Team.WithdrawConsent(cwt.As(e.Outsider()), c.Child.ID, c.Consent.ID, cwt.Today, "changed their mind")
		testkit.AsFault(t, err, fault.NotFound)
		got, err := e.App.Team.WithdrawConsent(cwt.As(e.Officer()), c.Child.ID, c.Consent.ID, time0(), "changed their mind")
		if err != nil {
			t.Fatal(err)
		}
		if got.WithdrawnOn == nil || !got.WithdrawnOn.Equal(cwt.Today) || got.Version != c.Consent.Version+1 {
			t.Errorf("withdrawn on %v v%d, want today, v%d", got.WithdrawnOn, got.Version, c.Consent.Version+1)
		}
		e.WantWritten(c.Consent.ID, audit.Withdraw, outbox.ConsentWithdrawn)
		_, err = e.App.Team.WithdrawConsent(cwt.As(e.Officer()), c.Child.ID, c.Consent.ID, cwt.Today, "again")
		testkit.AsFault(t, err, fault.Conflict)
		_, err = e.App.People.YoungPerson(cwt.As(e.Lead()), c.Child.ID)
		testkit.AsFault(t, err, fault.NotFound)
		// The school is there as the child's setting and the referrer, not by consent: it still sees them.
		if _, err := e.App.People.YoungPerson(cwt.As(e.Partner()), c.Child.ID); err != nil {
			t.Errorf("the school lost the child with the consent: %v", err)
		}
	})
}

// time0 is the zero date, which means "today".
func time0() time.Time { return time.Time{} }
