package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/store"
)

func (e *env) outboxTypes(id string) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	err := e.st.Read(context.Background(), func(tx *store.Tx) error {
		events, err := tx.Outbox().ForRecord(id)
		for _, ev := range events {
			out[ev.Type]++
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestClockSweep: the statutory clock's notices go to the outbox once each, as of the day swept.
// Received 5 Jan 2026: decision due 16 Feb (Reg 5(1)).
func TestClockSweep(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.app.Deadlines
		ctx := context.Background()
		f := e.fixture()
		req := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child, "received_on": "2026-01-05",
			"requested_by": "parent"}, http.StatusCreated)["id"].(string)

		sweep := func(day string) deadlines.SweepResult {
			t.Helper()
			d, _ := time.Parse("2006-01-02", day)
			res, err := svc.Sweep(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := sweep("2026-02-08"); res.DecisionsDue != 0 {
			t.Fatalf("8 days ahead: %+v", res)
		}
		if res := sweep("2026-02-09"); res.DecisionsDue != 1 || res.DeadlinesMissed != 0 {
			t.Fatalf("7 days ahead: %+v", res)
		}
		if res := sweep("2026-02-10"); res.DecisionsDue != 0 {
			t.Fatalf("sent twice: %+v", res)
		}
		if res := sweep("2026-02-17"); res.DeadlinesMissed != 1 {
			t.Fatalf("missed: %+v", res)
		}
		sweep("2026-02-18")
		if got := e.outboxTypes(req); got["ehc_request.decision_due"] != 1 || got["ehc_request.deadline_missed"] != 1 {
			t.Fatalf("outbox: %v", got)
		}
		// The 16-week notice (27 Apr) and the 20-week final plan (25 May) warn two weeks ahead,
		// once each however often the clock sweeps, and are missed the day after.
		for _, c := range []struct {
			day        string
			soon, miss int
		}{{"2026-04-12", 0, 0}, {"2026-04-13", 1, 0}, {"2026-04-13", 0, 0}, {"2026-04-20", 0, 0}, {"2026-04-27", 0, 0},
			{"2026-04-28", 0, 1}, {"2026-05-10", 0, 0}, {"2026-05-11", 1, 0}, {"2026-05-11", 0, 0}, {"2026-05-26", 0, 1}, {"2026-05-27", 0, 0}} {
			if res := sweep(c.day); res.DeadlinesDueSoon != c.soon || res.DeadlinesMissed != c.miss {
				t.Fatalf("%s: %+v, want %d due soon and %d missed", c.day, res, c.soon, c.miss)
			}
		}
		if got := e.outboxTypes(req); got["ehc_request.deadline_due_soon"] != 2 || got["ehc_request.deadline_missed"] != 3 {
			t.Fatalf("outbox: %v", got)
		}

		// A plan issued on a past day: its first review is due a year later.
		g := e.fixture()
		withIssuedPlan(e, &g)
		plan := e.mustDo(http.MethodGet, "/v1/ehc-plans/"+g.feedback, nil, http.StatusOK)
		due, _ := time.Parse("2006-01-02", plan["next_review"].(map[string]any)["due_on"].(string))
		review := e.mustDo(http.MethodGet, "/v1/annual-reviews?plan_id="+g.feedback, nil, http.StatusOK)["items"].([]any)[0].(map[string]any)["id"].(string)
		if res := sweep(statutory.AddDays(due, -43).Format("2006-01-02")); res.ReviewsDue != 0 {
			t.Fatalf("43 days ahead: %+v", res)
		}
		if res := sweep(statutory.AddDays(due, -42).Format("2006-01-02")); res.ReviewsDue != 1 {
			t.Fatalf("42 days ahead: %+v", res)
		}
		if res := sweep(statutory.AddDays(due, 1).Format("2006-01-02")); res.ReviewsOverdue != 1 || res.ReviewsDue != 0 {
			t.Fatalf("review overdue: %+v", res)
		}
		if got := e.outboxTypes(review); got["annual_review.due"] != 1 || got["annual_review.deadline_missed"] != 1 {
			t.Fatalf("review outbox: %v", got)
		}

		// A plan ceasing at once (the young person moved to another authority) is ceased by the sweep.
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+g.feedback+"/cease", map[string]any{"decided_on": daysAgo(0), "reason": "5"}, http.StatusOK)
		if res := sweep(daysAgo(0)); res.PlansCeased != 1 {
			t.Fatalf("ceased: %+v", res)
		}
		if got := e.outboxTypes(g.feedback); got["ehc_plan.ceased"] != 1 {
			t.Fatalf("plan outbox: %v", got)
		}
		ceased := e.mustDo(http.MethodGet, "/v1/ehc-plans?status=ceased&young_person_id="+g.child, nil, http.StatusOK)["items"].([]any)
		if len(ceased) != 1 {
			t.Fatalf("ceased plans: %v", ceased)
		}
		// The child may now have a new plan.
		e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": g.child, "sections": minimalSections()}, http.StatusCreated)

		// A 15-year-old with an open referral and no transition plan opens a gap, notified once;
		// with a plan there is none.
		h := e.fixture()
		withTransitionAge(e, &h)
		if res := sweep(daysAgo(0)); res.GapsOpened != 1 {
			t.Fatalf("gap: %+v", res)
		}
		if res := sweep(daysAgo(0)); res.GapsOpened != 0 {
			t.Fatalf("gap sent twice: %+v", res)
		}
		if got := e.outboxTypes(h.child); got["transition_gap.opened"] != 1 {
			t.Fatalf("young person outbox: %v", got)
		}
		k := e.fixture()
		withTransitionPlan(e, &k)
		if res := sweep(daysAgo(0)); res.GapsOpened != 0 {
			t.Fatalf("a young person with a plan: %+v", res)
		}
	})
}
