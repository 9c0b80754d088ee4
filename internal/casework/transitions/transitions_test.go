package transitions_test

import (
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/transitions"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/testkit"
	"github.com/oneplan-send/oneplan/internal/transition"
)

func TestMain(m *testing.M) { cwt.Main(m) }

func plan(youngPersonID string, startedOn time.Time) transition.Plan {
	return transition.Plan{YoungPersonID: youngPersonID, StartedOn: startedOn, CareAct: transition.CareActAssessment{Status: transition.CareActNotYetDue}}
}

// One current plan a young person, started no later than the clock's today, by a casework writer
// who can see them.
func TestCreateTransitionPlanRules(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(15, nil)
		_, err := e.App.Transitions.CreateTransitionPlan(cwt.As(e.Officer()), plan(yp.ID, cwt.Today.AddDate(0, 0, 1)))
		testkit.WantFault(t, err, fault.Invalid, "/started_on")
		_, err = e.App.Transitions.CreateTransitionPlan(cwt.As(e.Panel()), plan(yp.ID, cwt.Today))
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Transitions.CreateTransitionPlan(cwt.As(e.Outsider()), plan(yp.ID, cwt.Today))
		testkit.WantFault(t, err, fault.Unprocessable, "/young_person_id")
		p, err := e.App.Transitions.CreateTransitionPlan(cwt.As(e.Partner()), plan(yp.ID, cwt.Today))
		if err != nil {
			t.Fatal(err)
		}
		if !p.CreatedAt.Equal(cwt.Now) || p.Version != 1 || !p.DateOfBirth.Equal(yp.DateOfBirth) {
			t.Errorf("plan = created %v v%d born %v", p.CreatedAt, p.Version, p.DateOfBirth)
		}
		e.WantWritten(p.ID, audit.Create, outbox.TransitionPlanCreated)
		_, err = e.App.Transitions.CreateTransitionPlan(cwt.As(e.Officer()), plan(yp.ID, cwt.Today))
		testkit.AsFault(t, err, fault.Conflict)
	})
}

// Ending a plan: not in the future, once; a new plan may not start before the last one ended.
func TestEndTransitionPlan(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(15, nil)
		p := cwt.Must(e.App.Transitions.CreateTransitionPlan(cwt.As(e.Officer()), plan(yp.ID, cwt.Today.AddDate(0, -6, 0))))(t)
		_, err := e.App.Transitions.EndTransitionPlan(cwt.As(e.Officer()), p.ID, nil, cwt.Today.AddDate(0, 0, 1), transition.EndLeftArea, "")
		testkit.WantFault(t, err, fault.Invalid, "/ended_on")
		_, err = e.App.Transitions.EndTransitionPlan(cwt.As(e.Officer()), p.ID, cwt.Ptr(p.Version+1), time.Time{}, transition.EndLeftArea, "")
		testkit.AsFault(t, err, fault.PreconditionFailed)
		ended, err := e.App.Transitions.EndTransitionPlan(cwt.As(e.Officer()), p.ID, cwt.Ptr(p.Version), time.Time{}, transition.EndLeftArea, "")
		if err != nil || ended.Ending == nil || !ended.Ending.On.Equal(cwt.Today) {
			t.Fatalf("ended = %+v (%v), want ended today", ended.Ending, err)
		}
		e.WantWritten(p.ID, audit.Close, outbox.TransitionPlanEnded)
		_, err = e.App.Transitions.EndTransitionPlan(cwt.As(e.Officer()), p.ID, nil, time.Time{}, transition.EndLeftArea, "")
		testkit.AsFault(t, err, fault.Conflict)
		_, err = e.App.Transitions.CreateTransitionPlan(cwt.As(e.Officer()), plan(yp.ID, cwt.Today.AddDate(0, 0, -1)))
		testkit.WantFault(t, err, fault.Unprocessable, "/started_on")
		if _, err := e.App.Transitions.CreateTransitionPlan(cwt.As(e.Officer()), plan(yp.ID, cwt.Today)); err != nil {
			t.Errorf("a new plan from the day the last ended: %v", err)
		}
	})
}

// The gap list is as of the clock's today: a young person of 15 with an open referral and no plan
// is listed (the default threshold is 14), an 8-year-old is not, nor is anyone the caller cannot see.
func TestTransitionGaps(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		teen, child := e.YoungPerson(15, nil), e.YoungPerson(8, nil)
		e.Referral(teen.ID, nil)
		e.Referral(child.ID, nil)
		gaps, _, err := e.App.Transitions.TransitionGaps(cwt.As(e.Officer()), transitions.GapQuery{}, paging.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) != 1 || gaps[0].YoungPersonID != teen.ID || gaps[0].Age != 15 || !gaps[0].OpenReferral {
			t.Fatalf("gaps = %+v, want the 15-year-old only", gaps)
		}
		if got := e.Actions(teen.ID); !slices.Contains(got, audit.List) {
			t.Errorf("the gap list read of the young person was not audited: %q", got)
		}
		_, _, err = e.App.Transitions.TransitionGaps(cwt.As(e.Officer()), transitions.GapQuery{MinAge: 12}, paging.Page{})
		testkit.WantFault(t, err, fault.Invalid, "/query/min_age")
		if gaps, _, err := e.App.Transitions.TransitionGaps(cwt.As(e.Outsider()), transitions.GapQuery{}, paging.Page{}); err != nil || len(gaps) != 0 {
			t.Errorf("an outsider sees %d gaps (%v)", len(gaps), err)
		}
		cwt.Must(e.App.Transitions.CreateTransitionPlan(cwt.As(e.Officer()), plan(teen.ID, cwt.Today)))(t)
		if gaps, _, err := e.App.Transitions.TransitionGaps(cwt.As(e.Officer()), transitions.GapQuery{}, paging.Page{}); err != nil || len(gaps) != 0 {
			t.Errorf("gaps after the plan = %d (%v), want none", len(gaps), err)
		}
	})
}
