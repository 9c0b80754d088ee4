package planimports_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/casework"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/planimports"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/testkit"
	"github.com/oneplan-send/oneplan/internal/transition"
)

func TestMain(m *testing.M) { cwt.Main(m) }

const bridge = "https://bridge.example.gov.uk/child"

// page drops a list's cursor, failing the test on an error.
func page[T any](t *testing.T) func([]T, string, error) []T {
	return func(v []T, _ string, err error) []T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func child(e *cwt.Env, years int, id string) person.YoungPerson {
	return e.YoungPerson(years, func(yp *person.YoungPerson) { yp.ExternalIDs = []externalid.ID{{System: bridge, Value: id}} })
}

func planRow(row int, childID, planID string, first time.Time, lastReview *time.Time) planimports.EHCPlanRow {
	return planimports.EHCPlanRow{Row: row, Key: externalid.ID{System: "https://ems.example.gov.uk/plan", Value: planID},
		Child: planimports.Child{Key: &externalid.ID{System: bridge, Value: childID}},
		Plan: ehcplan.Imported{Status: ehcplan.Issued, FirstIssuedOn: first, LastReviewedOn: lastReview, SENTypes: []string{"ASD"},
			Placement: ehcplan.Placement{SettingName: "Oakfield Primary", SettingType: "mainstream_school"}}}
}

func collect(t *testing.T, e *cwt.Env, rows []planimports.EHCPlanRow, dryRun bool) ([]casework.ImportResult, error) {
	t.Helper()
	var got []casework.ImportResult
	err := e.App.PlanImports.ImportEHCPlans(cwt.As(e.Officer()), slices.Values(rows), dryRun, func(r casework.ImportResult) { got = append(got, r) })
	return got, err
}

// TestImportedPlansKeepHistoryQuiet: an imported plan whose annual review was due last year is
// overdue like any other (its review is on the worklist as missed), but the sweep never warns of
// it; a plan whose review is still ahead gets its due_soon in the weeks before it. A dry run
// writes nothing; a re-run changes nothing.
func TestImportedPlansKeepHistoryQuiet(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		old, recent := child(e, 10, "B1"), child(e, 7, "B2")
		d := testkit.Day
		rows := []planimports.EHCPlanRow{
			planRow(2, "B1", "P1", d(2023, 3, 14), cwt.Ptr(d(2024, 2, 10))), // next review due 2025-02-09: passed last year
			planRow(3, "B2", "P2", d(2025, 5, 1), nil),                      // first review due 2026-04-30: ahead
		}
		if got, err := collect(t, e, rows, true); err != nil || len(got) != 2 || !got[0].Created {
			t.Fatalf("dry run: %+v %v", got, err)
		}
		if plans := page[ehcplan.Plan](t)(e.App.Plans.EHCPlans(cwt.As(e.Officer()), ehcplan.Filter{}, paging.Page{Limit: 10})); len(plans) != 0 {
			t.Fatalf("a dry run wrote %d plans", len(plans))
		}
		got, err := collect(t, e, rows, false)
		if err != nil || len(got) != 2 || !got[0].Created || !got[1].Created {
			t.Fatalf("import: %+v %v", got, err)
		}
		plan := cwt.Must(e.App.Plans.EHCPlan(cwt.As(e.Officer()), got[0].ID))(t)
		if plan.Status != ehcplan.Issued || !plan.FirstIssuedOn.Equal(d(2023, 3, 14)) || !plan.ReviewDueOn.Equal(d(2025, 2, 9)) {
			t.Fatalf("imported plan: %+v", plan)
		}
		e.WantWritten(plan.ID, "create", outbox.EHCPlanIssued)
		reviews := page[annualreview.Review](t)(e.App.Plans.AnnualReviews(cwt.As(e.Officer()), annualreview.Filter{}, paging.Page{Limit: 10}))
		if len(reviews) != 2 {
			t.Fatalf("reviews scheduled: %+v", reviews)
		}

		res := cwt.Must(e.App.Deadlines.Sweep(context.Background(), cwt.Today))(t)
		if res.Missed != 0 || res.Warned != 0 || res.ReviewsOverdue != 0 || res.ReviewsDue != 0 {
			t.Errorf("sweep on the day of the import: %+v, want no warning about history", res)
		}
		for _, r := range reviews {
			for _, n := range e.Notices(r.ID) {
				if n.Type == outbox.DeadlineMissed.Name || n.Type == outbox.AnnualReviewDeadlineMissed.Name {
					t.Errorf("review %s: %s sent for a deadline passed before the import", r.ID, n.Type)
				}
			}
		}
		// The worklist still shows the old review as missed: the clock treats it as any other.
		items := page[deadline.Item](t)(e.App.Deadlines.List(cwt.As(e.Officer()), deadline.Query{}, paging.Page{Limit: 50}))
		missed := 0
		for _, i := range items {
			if i.YoungPersonID == old.ID && i.Status == "missed" {
				missed++
			}
		}
		if missed != 1 {
			t.Errorf("the old plan's review on the worklist: %d missed, want 1 (%+v)", missed, items)
		}

		// Five weeks on, the recent plan's review is within its 4-week lead: warned, once.
		res = cwt.Must(e.App.Deadlines.Sweep(context.Background(), d(2026, 4, 5)))(t)
		if res.Warned != 1 || res.Missed != 0 {
			t.Errorf("sweep in April: %+v, want the recent plan's review due soon and nothing missed", res)
		}
		var warned []string
		for _, r := range reviews {
			for _, n := range e.Notices(r.ID) {
				if n.Type == outbox.DeadlineDueSoon.Name {
					warned = append(warned, r.YoungPersonID)
				}
			}
		}
		if !slices.Equal(warned, []string{recent.ID}) {
			t.Errorf("due_soon sent for %v, want only %s", warned, recent.ID)
		}

		// Again: nothing changes.
		again, err := collect(t, e, rows, false)
		if err != nil || len(again) != 2 || again[0].Created || again[0].ID != got[0].ID {
			t.Fatalf("re-run: %+v %v", again, err)
		}
	})
}

// TestImportSettlesAsItGoes: an import settles its records' passed deadlines as it goes, a few
// records at a time (settleEvery is set to 2 here: each plan with its review), not once at the
// end with every record of the file in memory and in one statement (100,000 plans named more
// children than PostgreSQL takes values in one statement, and the whole import was rolled back
// at its end). Every old plan's passed review is settled, whichever round it fell in; the recent
// one is warned of when its day comes, as before.
func TestImportSettlesAsItGoes(t *testing.T) {
	defer planimports.SetSettleEvery(2)()
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		d := testkit.Day
		var rows []planimports.EHCPlanRow
		for i, k := range []string{"S1", "S2", "S3", "S4", "S5"} {
			child(e, 10, k)
			rows = append(rows, planRow(i+2, k, "SP"+k, d(2023, 3, 14), cwt.Ptr(d(2024, 2, 10)))) // review due 2025-02-09: passed
		}
		recent := child(e, 7, "S6")
		rows = append(rows, planRow(7, "S6", "SPS6", d(2025, 5, 1), nil)) // first review due 2026-04-30: ahead
		got, err := collect(t, e, rows, false)
		if err != nil || len(got) != 6 {
			t.Fatalf("import: %+v %v", got, err)
		}
		if res := cwt.Must(e.App.Deadlines.Sweep(context.Background(), cwt.Today))(t); res.Missed != 0 || res.Warned != 0 || res.ReviewsOverdue != 0 {
			t.Errorf("sweep on the day of the import: %+v, want no warning about history", res)
		}
		res := cwt.Must(e.App.Deadlines.Sweep(context.Background(), d(2026, 4, 5)))(t)
		if res.Warned != 1 || res.Missed != 0 || res.ReviewsOverdue != 0 {
			t.Errorf("sweep in April: %+v, want only the recent plan's review due soon", res)
		}
		reviews := page[annualreview.Review](t)(e.App.Plans.AnnualReviews(cwt.As(e.Officer()), annualreview.Filter{}, paging.Page{Limit: 10}))
		for _, r := range reviews {
			for _, n := range e.Notices(r.ID) {
				if n.Type == outbox.DeadlineDueSoon.Name && r.YoungPersonID != recent.ID || n.Type == outbox.DeadlineMissed.Name ||
					n.Type == outbox.AnnualReviewDeadlineMissed.Name {
					t.Errorf("review of %s: %s sent", r.YoungPersonID, n.Type)
				}
			}
		}
	})
}

// TestImportPlanRefusedRowRollsBack: a row the database refuses (a child no record holds, a
// second plan for a child) stops the import and nothing of the rows before it is kept.
func TestImportPlanRefusedRowRollsBack(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		child(e, 9, "B1")
		d := testkit.Day
		for name, rows := range map[string][]planimports.EHCPlanRow{
			"unknown child":       {planRow(2, "B1", "P1", d(2024, 1, 10), nil), planRow(3, "B9", "P2", d(2024, 1, 10), nil)},
			"second plan":         {planRow(2, "B1", "P1", d(2024, 1, 10), nil), planRow(3, "B1", "P2", d(2024, 1, 10), nil)},
			"issued before birth": {planRow(2, "B1", "P1", d(2010, 1, 10), nil)},
		} {
			_, err := collect(t, e, rows, false)
			var re *casework.RowError
			if !errors.As(err, &re) || re.Row != rows[len(rows)-1].Row {
				t.Errorf("%s: %v, want the last row refused", name, err)
			}
			if plans := page[ehcplan.Plan](t)(e.App.Plans.EHCPlans(cwt.As(e.Officer()), ehcplan.Filter{}, paging.Page{Limit: 10})); len(plans) != 0 {
				t.Errorf("%s: %d plans kept", name, len(plans))
			}
		}
	})
}

// TestImportTransitionPlans: a transition plan keeps its real start; its CHC identification,
// overdue since before the import, is never warned of; a re-run changes nothing; a second
// current plan is refused.
func TestImportTransitionPlans(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		teen := child(e, 16, "T1")
		d := testkit.Day
		row := planimports.TransitionPlanRow{Row: 2, Child: planimports.Child{Key: &externalid.ID{System: bridge, Value: "T1"}},
			Plan: transition.Plan{StartedOn: d(2024, 9, 1), CareAct: transition.CareActAssessment{Status: transition.CareActNotYetDue}}}
		var got []casework.ImportResult
		run := func(rows ...planimports.TransitionPlanRow) error {
			got = nil
			return e.App.PlanImports.ImportTransitionPlans(cwt.As(e.Officer()), slices.Values(rows), false, func(r casework.ImportResult) { got = append(got, r) })
		}
		if err := run(row); err != nil || len(got) != 1 || !got[0].Created {
			t.Fatalf("import: %+v %v", got, err)
		}
		tp := cwt.Must(e.App.Transitions.TransitionPlan(cwt.As(e.Officer()), got[0].ID))(t)
		if !tp.StartedOn.Equal(d(2024, 9, 1)) || tp.YoungPersonID != teen.ID {
			t.Fatalf("plan: %+v", tp)
		}
		e.WantWritten(tp.ID, "create", outbox.TransitionPlanCreated)
		if res := cwt.Must(e.App.Deadlines.Sweep(context.Background(), cwt.Today))(t); res.Missed != 0 {
			t.Errorf("sweep: %+v, want no missed warning about history", res)
		}
		if err := run(row); err != nil || len(got) != 1 || got[0].Created || got[0].ID != tp.ID {
			t.Fatalf("re-run: %+v %v", got, err)
		}
		second := row
		second.Plan.StartedOn = d(2025, 9, 1)
		var re *casework.RowError
		if err := run(second); !errors.As(err, &re) || re.Row != 2 {
			t.Fatalf("a second current plan: %v", err)
		}
		current := true
		if n := len(page[transition.Plan](t)(e.App.Transitions.TransitionPlans(cwt.As(e.Officer()), transition.Filter{Current: &current}, paging.Page{Limit: 5}))); n != 1 {
			t.Errorf("%d current plans", n)
		}
	})
}
