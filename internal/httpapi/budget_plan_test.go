package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPersonalBudgetRegulation5: a personal budget may be requested only for a young person with
// an EHC plan in force or an EHC needs assessment under way (regulation 5 of the SEN (Personal
// Budgets) Regulations 2014); with a plan in force the budget is that plan's section J.
func TestPersonalBudgetRegulation5(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ask := func(child string) reply {
			return e.do(http.MethodPost, "/v1/personal-budgets", e.officer, map[string]any{"young_person_id": child, "requested_on": daysAgo(1),
				"requested_by": "parent"})
		}
		refused := func(child, why string) {
			t.Helper()
			p := ask(child).problem(t, http.StatusUnprocessableEntity)
			if !hasPointer(p, "/young_person_id") || !strings.Contains(*p.Detail, "regulation 5") {
				t.Fatalf("%s: %v", why, p)
			}
		}
		// No plan, no request.
		f := e.fixture()
		refused(f.child, "no EHC record")
		// A request received but not yet decided: the assessment is not under way.
		withEHCRequest(e, &f)
		refused(f.child, "request received")
		// Deciding to assess puts the assessment under way.
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/decision-to-assess", map[string]any{"decision": "assess",
			"decided_on": daysAgo(10), "reason": "May need a plan."}, http.StatusOK)
		if b := ask(f.child); b.status != http.StatusCreated || b.json(t)["ehc_plan_id"] != nil {
			t.Fatalf("assessing: %d %s", b.status, b.body)
		}
		// A refusal to assess does not.
		g := e.fixture()
		withEHCRequest(e, &g)
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+g.feedback+"/decision-to-assess", map[string]any{"decision": "not_assess",
			"decided_on": daysAgo(10), "reason": "Needs met at SEN support.", "appeal_rights_notified": true}, http.StatusOK)
		refused(g.child, "not assessed")
		// A plan in force: the budget is linked to it.
		h := e.fixture()
		withIssuedPlan(e, &h)
		if b := ask(h.child); b.status != http.StatusCreated || b.json(t)["ehc_plan_id"] != h.feedback {
			t.Fatalf("plan in force: %d %s", b.status, b.body)
		}
	})
}
