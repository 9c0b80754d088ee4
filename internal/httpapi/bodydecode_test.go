package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestBodyValueNotFittingItsField: a JSON number the contract allows for an integer field (1e3,
// 1.0) or one past a 64-bit integer does not fit the Go field it is bound into. The answer names
// the field as a JSON pointer, with array indices, in plain words; encoding/json's message
// ("Unmarshal type error: expected=int64, ... field=parts.amount_pence") no longer leaks. Several
// operations: the binding is shared by all of them.
func TestBodyValueNotFittingItsField(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withBudget(e, &f)
		budget := "/v1/personal-budgets/" + f.feedback
		agreed := func(second string) string {
			return `{"decision": "agreed", "decided_on": "2026-04-21", "parts": [` +
				`{"stream": "education", "arrangement": "notional", "amount_pence": 1000, "period": "year"}, ` +
				`{"stream": "social_care", "arrangement": "notional", "amount_pence": ` + second + `, "period": "year"}]}`
		}
		check := func(name string, r reply, ptr, detail string) {
			t.Helper()
			p := r.problem(t, http.StatusBadRequest)
			if !hasPointer(p, ptr) || len(pointers(p)) != 1 || (*p.Errors)[0].Detail != detail {
				t.Fatalf("%s: %s", name, r.body)
			}
			for _, leak := range []string{"Unmarshal", "Go value", "int64", "expected=", "offset"} {
				if strings.Contains(string(r.body), leak) {
					t.Fatalf("%s: a Go message leaked (%q): %s", name, leak, r.body)
				}
			}
		}
		const exponent = "must be a whole number written without a decimal point or exponent (-9223372036854775808 to 9223372036854775807)"
		check("decision 1e3", e.do(http.MethodPost, budget+"/decision", e.officer, agreed("1e3")), "/parts/1/amount_pence", exponent)
		check("decision 1.0", e.do(http.MethodPost, budget+"/decision", e.officer, agreed("1.0")), "/parts/1/amount_pence", exponent)
		if b := e.mustDo(http.MethodGet, budget, nil, http.StatusOK); b["status"] != "requested" {
			t.Fatalf("written all the same: %v", b)
		}
		e.mustDo(http.MethodPost, budget+"/decision", map[string]any{"decision": "agreed", "decided_on": "2026-04-21", "parts": []map[string]any{
			{"stream": "education", "arrangement": "notional", "amount_pence": 1000, "period": "year"}}}, http.StatusOK)
		check("payment 1e3", e.do(http.MethodPost, budget+"/payments", e.officer, `{"stream": "education", "paid_on": "2026-05-01", "amount_pence": 1e3}`),
			"/amount_pence", exponent)
		check("placement 1e2", e.do(http.MethodPost, "/v1/placements", e.officer, `{"young_person_id": "`+f.child+
			`", "type": "special", "setting_name": "Vale School", "start_on": "2025-09-01", "education_pct": 1e2}`), "/education_pct", exponent)
		// A number past int64 where the contract sets no maximum.
		check("reassessment completion past int64", e.do(http.MethodPost, "/v1/reassessments/01a24ebf-540d-76ff-81e9-e232f78621bd/completion", e.officer,
			`{"completed_on": "2026-05-01", "plan_version": 9223372036854775808}`), "/plan_version",
			"must be a whole number from -9223372036854775808 to 9223372036854775807")
	})
}
