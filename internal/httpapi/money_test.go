package httpapi_test

import (
	"net/http"
	"testing"
)

// TestMoneyBounds: every amount in pence has a maximum (£1,000,000,000) and no total can wrap. An
// outside tester agreed a budget of 9223372036854775807 pence and paid it twice: both were
// accepted and spent_pence showed {"education": -2}.
func TestMoneyBounds(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const maxInt64 = "9223372036854775807"
		f := e.fixture()
		withBudget(e, &f)
		budget := "/v1/personal-budgets/" + f.feedback
		decision := func(amount string, period string) string {
			return `{"decision": "agreed", "decided_on": "2026-04-21", "parts": [{"stream": "education", "arrangement": "notional", "amount_pence": ` +
				amount + `, "period": "` + period + `"}]}`
		}
		for _, c := range []struct{ amount, period string }{{maxInt64, "year"}, {"100000000001", "year"}, {"1923076924", "week"}} {
			if p := e.do(http.MethodPost, budget+"/decision", e.officer, decision(c.amount, c.period)).problem(t, http.StatusBadRequest); !hasPointer(p, "/parts/0/amount_pence") {
				t.Fatalf("%s a %s: pointers %v", c.amount, c.period, pointers(p))
			}
		}
		e.mustDo(http.MethodGet, budget, nil, http.StatusOK)
		if r := e.do(http.MethodPost, budget+"/decision", e.officer, decision("100000000000", "year")); r.status != http.StatusOK {
			t.Fatalf("decision at the maximum: %d %s", r.status, r.body)
		}
		pay := func(amount string) reply {
			return e.do(http.MethodPost, budget+"/payments", e.officer, `{"stream": "education", "paid_on": "2026-05-01", "amount_pence": `+amount+`}`)
		}
		if p := pay(maxInt64).problem(t, http.StatusBadRequest); !hasPointer(p, "/amount_pence") {
			t.Fatalf("pointers %v", pointers(p))
		}
		for range 2 {
			if r := pay("100000000000"); r.status != http.StatusOK {
				t.Fatalf("payment at the maximum: %d %s", r.status, r.body)
			}
		}
		b := e.mustDo(http.MethodGet, budget, nil, http.StatusOK)
		if got := b["spent_pence"].(map[string]any)["education"]; got != float64(200000000000) || len(b["payments"].([]any)) != 2 {
			t.Fatalf("spent %v, payments %v", got, b["payments"])
		}
		// A placement's cost has the same bound.
		in := `{"young_person_id": "` + f.child + `", "type": "special", "setting_name": "Vale School", "start_on": "2025-09-01", ` +
			`"annual_cost_pence": ` + maxInt64 + `, "education_pct": 100}`
		if p := e.do(http.MethodPost, "/v1/placements", e.officer, in).problem(t, http.StatusBadRequest); !hasPointer(p, "/annual_cost_pence") {
			t.Fatalf("placement pointers %v", pointers(p))
		}
	})
}
