package httpapi_test

import (
	"net/http"
	"testing"
)

// TestEHCTimelinessReport seeds four plans issued in 2026 and checks the exact percentages, with
// and without exceptions. Due dates (Reg 5(1): +6 weeks; Reg 13(2): +20 weeks):
//
//	A received 5 Jan: decided 10 Feb (due 16 Feb), issued 20 May (due 25 May): on time.
//	B received 5 Jan, ground (c) 19 Jan-1 Feb (14 days): decided 20 Feb (raw due 16 Feb, adjusted
//	  2 Mar), issued 1 Jun (raw due 25 May, adjusted 8 Jun): late raw, on time adjusted; Week20.
//	C received 12 Jan: decided 23 Feb (due 23 Feb, the last day), issued 10 Jun (due 1 Jun): late.
//	D received 2 Feb, ground (d) 2-29 Mar (28 days): decided 16 Mar (due 16 Mar), issued 25 Jul
//	  (raw due 22 Jun, adjusted 20 Jul): late both ways; Week20.
//
// Plans within 20 weeks: 1 of 4 = 25.0%; exception-adjusted: 2 of 4 = 50.0%; excluding
// exceptions (A, C): 1 of 2 = 50.0%. Decisions within 6 weeks: 3 of 4 = 75.0%; adjusted: 100.0%.
// Plus one refusal to issue and one plan issued in 2025, which are not 2026 plans.
func TestEHCTimelinessReport(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		type exception struct{ ground, from, to string }
		run := func(received, decided, issueDecided, served, issued string, ex *exception) {
			t.Helper()
			f := e.fixture()
			id := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child, "received_on": received,
				"requested_by": "parent"}, http.StatusCreated)["id"].(string)
			req := "/v1/ehc-needs-assessments/" + id
			if ex != nil {
				e.mustDo(http.MethodPost, req+"/exceptions", map[string]any{"ground": ex.ground, "from": ex.from, "to": ex.to, "reason": "Recorded."}, http.StatusOK)
			}
			e.mustDo(http.MethodPost, req+"/decision-to-assess", map[string]any{"decision": "assess", "decided_on": decided, "reason": "x"}, http.StatusOK)
			if served == "" {
				e.mustDo(http.MethodPost, req+"/decision-to-issue", map[string]any{"decision": "not_issue", "decided_on": issueDecided,
					"appeal_rights_notified": true, "reason": "Needs met at SEN support."}, http.StatusOK)
				return
			}
			e.mustDo(http.MethodPost, req+"/decision-to-issue", map[string]any{"decision": "issue", "decided_on": issueDecided, "reason": "x"}, http.StatusOK)
			plan := e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": f.child, "ehc_request_id": id,
				"sections": minimalSections()}, http.StatusCreated)["id"].(string)
			e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/serve-draft", map[string]any{"served_on": served}, http.StatusOK)
			e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", map[string]any{"issued_on": issued, "placement": placement,
				"family_agreed_early": true}, http.StatusOK)
		}
		run("2026-01-05", "2026-02-10", "2026-04-01", "2026-04-10", "2026-05-20", nil)                                         // A
		run("2026-01-05", "2026-02-20", "2026-04-01", "2026-04-20", "2026-06-01", &exception{"c", "2026-01-19", "2026-02-01"}) // B
		run("2026-01-12", "2026-02-23", "2026-04-01", "2026-05-01", "2026-06-10", nil)                                         // C
		run("2026-02-02", "2026-03-16", "2026-05-01", "2026-06-01", "2026-07-25", &exception{"d", "2026-03-02", "2026-03-29"}) // D
		run("2025-06-02", "2025-07-01", "2025-09-01", "2025-09-15", "2025-10-13", nil)                                         // 2025
		run("2026-03-02", "2026-04-06", "2026-06-15", "", "", nil)                                                             // refused

		r := e.mustDo(http.MethodGet, "/v1/reports/ehc-timeliness?from=2026-01-01&to=2026-12-31", nil, http.StatusOK)
		check := func(group, measure string, count, onTime float64, percent any) {
			t.Helper()
			m := r[group].(map[string]any)[measure].(map[string]any)
			if m["count"] != count || m["on_time"] != onTime || m["percent"] != percent {
				t.Errorf("%s.%s = %v, want %v of %v (%v%%)", group, measure, m, onTime, count, percent)
			}
		}
		check("plans_issued", "within_20_weeks", 4, 1, 25.0)
		check("plans_issued", "exception_adjusted", 4, 2, 50.0)
		check("plans_issued", "excluding_exceptions", 2, 1, 50.0)
		// Decisions in 2026: A, B, C, D and the refused request's (6 Apr, due 13 Apr): 4 of 5 raw.
		check("decisions_to_assess", "within_6_weeks", 5, 4, 80.0)
		check("decisions_to_assess", "exception_adjusted", 5, 5, 100.0)
		check("annual_reviews", "held_by_due_date", 0, 0, nil)

		// The timeliness report gives the same figures as tables: on time, late, all and the share.
		g := reportDoc(e.mustDo(http.MethodGet, "/v1/reports/timeliness?from=2026-01-01&to=2026-12-31", nil, http.StatusOK))
		for _, c := range []struct {
			table                 string
			onTime, late, percent float64
		}{{"plans_issued", 1, 3, 25}, {"plans_issued_adjusted", 2, 2, 50}, {"plans_issued_excluding_exceptions", 1, 1, 50},
			{"decisions_to_assess", 4, 1, 80}, {"decisions_to_assess_adjusted", 5, 0, 100}} {
			g.want(t, c.table, "on_time", "count", c.onTime)
			g.want(t, c.table, "late", "count", c.late)
			g.want(t, c.table, "total", "count", c.onTime+c.late)
			g.want(t, c.table, "on_time", "percent", c.percent)
		}
		if f := g.fig(t, "annual_reviews_held", "", "on_time", "percent"); f.value != nil || f.suppressed {
			t.Errorf("a share of no reviews is no figure, not a withheld one: %+v", f)
		}

		r = e.mustDo(http.MethodGet, "/v1/reports/ehc-timeliness?from=2025-01-01&to=2025-12-31", nil, http.StatusOK)
		check("plans_issued", "within_20_weeks", 1, 1, 100.0)
		p := e.do(http.MethodGet, "/v1/reports/ehc-timeliness?from=2026-12-31&to=2026-01-01", e.officer, nil).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/to") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		e.do(http.MethodGet, "/v1/reports/ehc-timeliness?from=2026-01-01&to=2026-12-31", e.practitioner, nil).problem(t, http.StatusForbidden)
	})
}
