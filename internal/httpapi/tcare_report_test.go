package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/report"
)

// TestTransformingCareReport: the register by rating on the last day and month by month, C(E)TRs
// on time and overdue, children in inpatient units and residential placements, personal budgets;
// the locality filter, comparison, CSV, and disclosure control for analysts and open data.
func TestTransformingCareReport(t *testing.T) {
	policy := func(_ *httpapi.Options, c *app.Options) {
		c.OpenData = []string{report.TransformingCare}
		c.Disclosure = report.Policy{Threshold: 3}
	}
	each(t, func(t *testing.T, e *env) {
		kid := func(locality string) string {
			return e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Child", "family_name": "Register",
				"date_of_birth": "2012-05-01", "locality": locality}, http.StatusCreated)["id"].(string)
		}
		enter := func(child string, rating map[string]any) string {
			in := redEntry(child)
			in["rating"] = rating
			return e.mustDo(http.MethodPost, register, in, http.StatusCreated)["id"].(string)
		}
		// Four rated red in South on 2 March, one amber in North, one admitted in South on 10 April
		// (unplanned: a post-admission review due by 24 April, held that day).
		for range 4 {
			enter(kid("South"), map[string]any{"rating": "red", "reasons": []string{"risk"}, "decided_on": "2026-03-02"})
		}
		enter(kid("North"), map[string]any{"rating": "amber", "reasons": []string{"risk"}, "decided_on": "2026-02-02"})
		admitted := kid("South")
		entry := enter(admitted, map[string]any{"rating": "blue", "reasons": []string{"admitted under s.2"}, "decided_on": "2026-04-10",
			"admitted_on": "2026-04-10", "admission_planned": false})
		ctr := e.mustDo(http.MethodPost, "/v1/care-treatment-reviews", map[string]any{"register_entry_id": entry, "kind": "ctr",
			"setting": "inpatient", "scheduled_on": "2026-04-24"}, http.StatusCreated)["id"].(string)
		held := heldReview("2026-04-24")
		held["outcome"] = "continued_inpatient_care"
		e.mustDo(http.MethodPost, "/v1/care-treatment-reviews/"+ctr+"/held", held, http.StatusOK)
		e.mustDo(http.MethodPost, "/v1/placements", map[string]any{"young_person_id": admitted, "type": "inpatient", "setting_name": "Unit",
			"start_on": "2026-04-10"}, http.StatusCreated)
		budgetEligible(e, admitted)
		pb := e.mustDo(http.MethodPost, "/v1/personal-budgets", map[string]any{"young_person_id": admitted, "requested_on": "2026-04-01",
			"requested_by": "parent"}, http.StatusCreated)["id"].(string)
		e.mustDo(http.MethodPost, "/v1/personal-budgets/"+pb+"/decision", threeStreams("2026-04-21"), http.StatusOK)

		path := "/v1/reports/transforming-care?from=2026-01-01&to=2026-06-30"
		d := e.report(e.officer, path+"&compare=true")
		if d["report"] != "transforming-care" || d["previous_period"].(map[string]any)["to"] != "2025-12-31" {
			t.Fatalf("report %v, previous %v", d["report"], d["previous_period"])
		}
		for cat, n := range map[string]float64{"red": 4, "blue": 1, "amber": 1, "green": 0, "total": 6} {
			d.want(t, "register_by_rating", cat, "young_people", n, 0)
		}
		trend := func(group, day string, want float64) {
			t.Helper()
			if f := d.fig(t, "register_by_rating_by_month", group, day, "young_people"); deref(f.value) != want {
				t.Errorf("%s on %s = %v, want %v", group, day, deref(f.value), want)
			}
		}
		trend("total", "2026-01-31", 0)
		trend("amber", "2026-02-28", 1)
		trend("red", "2026-03-31", 4)
		trend("blue", "2026-04-30", 1)
		trend("total", "2026-06-30", 6)
		d.want(t, "ctrs_held", "on_time", "reviews", 1, 0)
		d.want(t, "ctrs_held", "total", "reviews", 1, 0)
		d.want(t, "ctrs_held", "overdue_on_last_day", "young_people", 4, 0) // the red four; the inpatient's next is due in July
		d.want(t, "ctrs_by_outcome", "continued_inpatient_care", "reviews", 1, 0)
		d.want(t, "residential_and_inpatient", "inpatient", "young_people", 1, 0)
		d.want(t, "residential_and_inpatient", "total", "young_people", 1, 0)
		d.want(t, "personal_budget_decisions", "agreed", "budgets", 1, 0)
		d.want(t, "personal_budgets_by_stream", "health", "budgets", 1, 0)
		if f := d.fig(t, "personal_budget_parts_by_arrangement", "health", "direct_payment", "budgets"); deref(f.value) != 1.0 {
			t.Errorf("health direct payments = %v", deref(f.value))
		}

		// The locality filter: the children living in North now.
		n := e.report(e.officer, path+"&locality=north")
		n.want(t, "register_by_rating", "amber", "young_people", 1)
		n.want(t, "register_by_rating", "total", "young_people", 1)
		n.want(t, "residential_and_inpatient", "total", "young_people", 0)

		// CSV.
		r := e.do(http.MethodGet, path, e.officer, nil, "Accept", "text/csv")
		if r.status != http.StatusOK || !strings.Contains(string(r.body), "transforming-care,register_by_rating,,category,red,Red (high or immediate risk),young_people,4,") {
			t.Fatalf("csv: %d\n%s", r.status, r.body)
		}

		// Analysts, the published form and open data are disclosure-controlled: the red four are
		// shown, the ones and zeros withheld, and no single withheld count sits beside a published total.
		additive := []string{"register_by_rating", "residential_and_inpatient", "personal_budget_decisions"}
		for _, c := range []reportDoc{e.report(e.analyst, path+"&compare=true"), e.report(e.officer, path+"&disclosure=open"),
			e.report("", "/v1/open-data/transforming-care?from=2026-01-01&to=2026-06-30")} {
			checkControlled(t, c, 3, additive)
			c.want(t, "register_by_rating", "red", "young_people", 4)
			c.want(t, "register_by_rating", "total", "young_people", 6)
			for _, hidden := range []string{"blue", "amber", "green"} {
				if f := c.fig(t, "register_by_rating", "", hidden, "young_people"); !f.suppressed || f.value != nil {
					t.Errorf("%s should be withheld: %+v", hidden, f)
				}
			}
			c.want(t, "ctrs_held", "overdue_on_last_day", "young_people", 4)
		}
		e.do(http.MethodGet, path+"&disclosure=exact", e.analyst, nil).problem(t, http.StatusForbidden)
		e.do(http.MethodGet, path, e.practitioner, nil).problem(t, http.StatusForbidden)
	}, policy)
}

// TestCareTreatmentRecommendationDone: a held review's recommendation is marked done once, with
// the day and a note; only the register group may.
func TestCareTreatmentRecommendationDone(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withCareReview(e, &f)
		id := f.feedback
		done := "/v1/care-treatment-reviews/" + id + "/recommendations/0/done"
		// Not held yet: no recommendations.
		e.do(http.MethodPost, done, e.officer, map[string]any{"done_on": "2026-03-20"}).problem(t, http.StatusNotFound)
		e.mustDo(http.MethodPost, "/v1/care-treatment-reviews/"+id+"/held", heldReview("2026-03-20"), http.StatusOK)
		e.do(http.MethodPost, done, e.practitioner, map[string]any{"done_on": "2026-03-25"}).problem(t, http.StatusForbidden)
		if p := e.do(http.MethodPost, done, e.officer, map[string]any{"done_on": "2026-03-19"}).problem(t, http.StatusBadRequest); !hasPointer(p, "/done_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		e.do(http.MethodPost, "/v1/care-treatment-reviews/"+id+"/recommendations/3/done", e.officer, map[string]any{"done_on": "2026-03-25"}).
			problem(t, http.StatusNotFound)
		e.do(http.MethodPost, done, e.officer, map[string]any{"done_on": "2026-03-25"}, "If-Match", `"1"`).problem(t, http.StatusPreconditionFailed)
		res := e.do(http.MethodPost, done, e.panel, map[string]any{"done_on": "2026-03-25", "note": "Visits started."}, "If-Match", `"2"`)
		if res.status != http.StatusOK || res.header.Get("ETag") != `"3"` {
			t.Fatalf("done: %d %s", res.status, res.body)
		}
		rec := res.json(t)["recommendations"].([]any)[0].(map[string]any)
		if rec["done"] != true || rec["done_on"] != "2026-03-25" || rec["note"] != "Visits started." || rec["overdue"] == true {
			t.Fatalf("recommendation: %v", rec)
		}
		e.do(http.MethodPost, done, e.officer, map[string]any{"done_on": "2026-03-26"}).problem(t, http.StatusConflict)
		if n := e.outboxTypes(id)["care_treatment_review.recommendation_done"]; n != 1 {
			t.Fatalf("outbox: %v", e.outboxTypes(id))
		}
	})
}

// TestPersonalBudgetReviewAndEnd: a refusal is reviewed (overturned: decided anew and agreed),
// then the budget ends and takes no more payments.
func TestPersonalBudgetReviewAndEnd(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withBudget(e, &f)
		id, base := f.feedback, "/v1/personal-budgets/"+f.feedback
		e.do(http.MethodPost, base+"/review", e.officer, map[string]any{"requested_on": "2026-04-20", "outcome": "upheld"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, base+"/end", e.officer, map[string]any{"ended_on": "2026-05-01"}).problem(t, http.StatusConflict)
		e.mustDo(http.MethodPost, base+"/decision", map[string]any{"decision": "refused", "decided_on": "2026-04-10", "reasons": "Not yet."}, http.StatusOK)
		e.do(http.MethodPost, base+"/review", e.practitioner, map[string]any{"requested_on": "2026-04-20", "outcome": "upheld"}).problem(t, http.StatusForbidden)
		if p := e.do(http.MethodPost, base+"/review", e.officer, map[string]any{"requested_on": "2026-04-09", "outcome": "upheld"}).
			problem(t, http.StatusBadRequest); !hasPointer(p, "/requested_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		e.do(http.MethodPost, base+"/review", e.officer, map[string]any{"requested_on": "2026-04-20", "outcome": "maybe"}).problem(t, http.StatusBadRequest)
		res := e.do(http.MethodPost, base+"/review", e.officer, map[string]any{"requested_on": "2026-04-20", "outcome": "overturned"}, "If-Match", `"2"`)
		b := res.json(t)
		if res.status != http.StatusOK || b["status"] != "requested" || b["review_outcome"] != "overturned" || b["review_requested_on"] != "2026-04-20" ||
			b["decided_on"] != nil || res.header.Get("ETag") != `"3"` {
			t.Fatalf("review: %d %s", res.status, res.body)
		}
		e.mustDo(http.MethodPost, base+"/decision", threeStreams("2026-04-25"), http.StatusOK)
		e.do(http.MethodPost, base+"/review", e.officer, map[string]any{"requested_on": "2026-04-26", "outcome": "upheld"}).problem(t, http.StatusConflict)
		if p := e.do(http.MethodPost, base+"/end", e.officer, map[string]any{"ended_on": "2026-04-24"}).problem(t, http.StatusBadRequest); !hasPointer(p, "/ended_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		e.do(http.MethodPost, base+"/end", e.practitioner, map[string]any{"ended_on": "2026-08-31"}).problem(t, http.StatusForbidden)
		res = e.do(http.MethodPost, base+"/end", e.officer, map[string]any{"ended_on": "2026-08-31"})
		b = res.json(t)
		if res.status != http.StatusOK || b["status"] != "ended" || b["ended_on"] != "2026-08-31" ||
			!strings.HasSuffix(b["section_j"].(string), "Ended on 2026-08-31.") {
			t.Fatalf("end: %d %s", res.status, res.body)
		}
		e.do(http.MethodPost, base+"/end", e.officer, map[string]any{"ended_on": "2026-08-31"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, base+"/payments", e.officer, map[string]any{"stream": "health", "paid_on": "2026-09-01", "amount_pence": 1}).
			problem(t, http.StatusConflict)
		types := e.outboxTypes(id)
		if types["personal_budget.reviewed"] != 1 || types["personal_budget.ended"] != 1 {
			t.Fatalf("outbox: %v", types)
		}
		// The family's timeline shows both.
		var lines []string
		for _, it := range e.mustDo(http.MethodGet, "/v1/young-people/"+f.child+"/timeline", nil, http.StatusOK)["items"].([]any) {
			lines = append(lines, it.(map[string]any)["kind"].(string))
		}
		if !strings.Contains(strings.Join(lines, ","), "personal_budget.reviewed") || !strings.Contains(strings.Join(lines, ","), "personal_budget.ended") {
			t.Fatalf("timeline: %v", lines)
		}
	})
}
