package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
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

// versionJ is section J of the plan's version in force.
func versionJ(t *testing.T, plan map[string]any) map[string]any {
	t.Helper()
	for _, v := range plan["versions"].([]any) {
		if v := v.(map[string]any); v["in_force"] == true {
			j, _ := v["sections"].(map[string]any)["j"].(map[string]any)
			return j
		}
	}
	t.Fatalf("no version in force: %v", plan)
	return nil
}

// TestPersonalBudgetProducesSectionJ (issue 17): a personal budget across three streams
// (education, social care, health) produces the plan's section J: streams, arrangements and
// amounts a year, computed from the budget and never typed twice; a typed J is refused while the
// budget is linked; the plan document shows it.
func TestPersonalBudgetProducesSectionJ(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withIssuedPlan(e, &f)
		plan := "/v1/ehc-plans/" + f.feedback
		if j := versionJ(t, e.mustDo(http.MethodGet, plan, nil, http.StatusOK)); j != nil {
			t.Fatalf("typed J before any budget: %v", j)
		}
		// Requested without naming the plan: linked to the plan in force. A request alone makes no J.
		b := e.mustDo(http.MethodPost, "/v1/personal-budgets", map[string]any{"young_person_id": f.child, "requested_on": daysAgo(3),
			"requested_by": "parent"}, http.StatusCreated)
		if b["ehc_plan_id"] != f.feedback {
			t.Fatalf("not linked: %v", b)
		}
		if j := versionJ(t, e.mustDo(http.MethodGet, plan, nil, http.StatusOK)); j != nil {
			t.Fatalf("J from a request not decided: %v", j)
		}
		docTag := func() string {
			r := e.do(http.MethodGet, plan+"/document", e.officer, nil, "Accept", "text/html")
			if r.status != http.StatusOK || r.header.Get("ETag") == "" {
				t.Fatalf("document: %d, ETag %q", r.status, r.header.Get("ETag"))
			}
			return r.header.Get("ETag")
		}
		tagBefore := docTag()
		decision := threeStreams(daysAgo(1))
		decision["parts"].([]map[string]any)[0]["agreement_signed_on"] = daysAgo(2)
		agreed := e.mustDo(http.MethodPost, "/v1/personal-budgets/"+b["id"].(string)+"/decision", decision, http.StatusOK)

		got := e.mustDo(http.MethodGet, plan, nil, http.StatusOK)
		j := versionJ(t, got)
		if j["source"] != "personal_budget" || j["personal_budget_id"] != b["id"] || j["budget_status"] != "agreed" || j["type"] != "mixed" ||
			j["text"] != agreed["section_j"] {
			t.Fatalf("section J: %v", j)
		}
		want := map[string][2]any{"education": {"notional", float64(600000)}, "social_care": {"third_party", float64(1234567)},
			"health": {"direct_payment", float64(120000 * 12)}}
		lines := j["lines"].([]any)
		if len(lines) != 3 {
			t.Fatalf("lines: %v", lines)
		}
		for _, l := range lines {
			l := l.(map[string]any)
			if w := want[l["stream"].(string)]; l["arrangement"] != w[0] || l["amount_pence"] != w[1] {
				t.Fatalf("line %v, want %v", l, w)
			}
		}
		// The list shows it too, and the plan document renders the budget's wording.
		page := e.mustDo(http.MethodGet, "/v1/ehc-plans?young_person_id="+f.child, nil, http.StatusOK)
		if j := versionJ(t, page["items"].([]any)[0].(map[string]any)); j["personal_budget_id"] != b["id"] {
			t.Fatalf("list J: %v", j)
		}
		doc := e.do(http.MethodGet, plan+"/document", e.officer, nil, "Accept", "text/html")
		if doc.status != http.StatusOK || !strings.Contains(string(doc.body), "Integrated personal budget agreed on "+daysAgo(1)) {
			t.Fatalf("document: %d %s", doc.status, doc.body)
		}
		// The plan's version did not move, but its document did: the ETag follows the bytes.
		if tag := docTag(); tag == tagBefore || tag != doc.header.Get("ETag") {
			t.Fatalf("document ETag %q before the budget, %q after (and %q on the read before): a cache would keep the old section J", tagBefore, tag, doc.header.Get("ETag"))
		}
		// Typed J is refused while the budget is linked; leaving j out is fine.
		sections := minimalSections()
		sections["i"] = placement
		sections["j"] = map[string]any{"type": "notional", "lines": []any{map[string]any{"stream": "education", "amount_pence": 100}}}
		amend := map[string]any{"notice_on": daysAgo(0), "reason": "New provision.", "sections": sections}
		e.do(http.MethodPost, plan+"/amendments", e.officer, amend).problem(t, http.StatusConflict)
		delete(sections, "j")
		proposed := e.mustDo(http.MethodPost, plan+"/amendments", amend, http.StatusOK)
		latest := proposed["versions"].([]any)[len(proposed["versions"].([]any))-1].(map[string]any)
		if j := latest["sections"].(map[string]any)["j"].(map[string]any); j["source"] != "personal_budget" {
			t.Fatalf("proposal J: %v", j)
		}
	})
}

// TestSectionIPlacement: the setting named in section I can be the young person's placement record
// (/v1/placements), validated (the same young person, 422 otherwise) and shown in the plan.
func TestSectionIPlacement(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withServedDraft(e, &f)
		other := e.fixture()
		place := func(child string) string {
			return e.mustDo(http.MethodPost, "/v1/placements", map[string]any{"young_person_id": child, "type": "mainstream",
				"setting_name": "Oak Primary School", "start_on": daysAgo(100)}, http.StatusCreated)["id"].(string)
		}
		mine, theirs := place(f.child), place(other.child)
		plan := "/v1/ehc-plans/" + f.feedback
		at := func(id string) map[string]any {
			i := map[string]any{}
			for k, v := range placement {
				i[k] = v
			}
			i["placement_id"] = id
			return map[string]any{"issued_on": daysAgo(5), "placement": i}
		}
		if p := e.do(http.MethodPost, plan+"/issue", e.officer, at(theirs)).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/placement/placement_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		if p := e.do(http.MethodPost, plan+"/issue", e.officer, at("0190a5e0-0000-7000-8000-0000000000ff")).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/placement/placement_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		issued := e.mustDo(http.MethodPost, plan+"/issue", at(mine), http.StatusOK)
		for _, v := range issued["versions"].([]any) {
			if v := v.(map[string]any); v["in_force"] == true {
				if i := v["sections"].(map[string]any)["i"].(map[string]any); i["placement_id"] != mine {
					t.Fatalf("section I: %v", i)
				}
				return
			}
		}
		t.Fatalf("no version in force: %v", issued)
	})
}

// TestFamilyRequestsPersonalBudget (issue 16): a signed-in family asks for a personal budget for
// their own child, dated today, with what they ask for; the request lands in the council's decision
// flow; the family reads their own child's budget without the council's payment notes, and nobody
// else's.
func TestFamilyRequestsPersonalBudget(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f, other := e.fixture(), e.fixture()
		budgetEligible(e, f.child)
		budgetEligible(e, other.child)
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		otherFamily := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{other.child}})
		ask := func(child, on string) map[string]any {
			return map[string]any{"young_person_id": child, "requested_on": on, "requested_by": "parent",
				"requested_streams": []string{"education", "social_care"}, "outcomes_sought": "E1: follows instructions in class; time with friends after school.",
				"preferred_arrangement": "direct_payment"}
		}
		if p := e.do(http.MethodPost, "/v1/personal-budgets", family, ask(f.child, daysAgo(3))).problem(t, http.StatusBadRequest); !hasPointer(p, "/requested_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		if p := e.do(http.MethodPost, "/v1/personal-budgets", family, ask(other.child, daysAgo(0))).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/young_person_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		bad := ask(f.child, daysAgo(0))
		bad["requested_streams"] = []string{"education", "education"}
		if p := e.do(http.MethodPost, "/v1/personal-budgets", family, bad).problem(t, http.StatusBadRequest); !hasPointer(p, "/requested_streams/1") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		res := e.do(http.MethodPost, "/v1/personal-budgets", family, ask(f.child, daysAgo(0)), "Idempotency-Key", "family-budget-1")
		b := res.json(t)
		if res.status != http.StatusCreated || b["requested_through"] != "family" || b["status"] != "requested" || b["preferred_arrangement"] != "direct_payment" ||
			len(b["requested_streams"].([]any)) != 2 || !strings.HasPrefix(b["outcomes_sought"].(string), "E1:") {
			t.Fatalf("family request: %d %s", res.status, res.body)
		}
		id := b["id"].(string)
		if n := e.outboxTypes(id)["personal_budget.requested"]; n != 1 {
			t.Fatalf("outbox: %v", e.outboxTypes(id))
		}
		// The council decides it as any other request; the family cannot.
		e.do(http.MethodPost, "/v1/personal-budgets/"+id+"/decision", family, threeStreams(daysAgo(0))).problem(t, http.StatusForbidden)
		decision := threeStreams(daysAgo(0))
		decision["parts"].([]map[string]any)[0]["agreement_signed_on"] = daysAgo(0)
		e.mustDo(http.MethodPost, "/v1/personal-budgets/"+id+"/decision", decision, http.StatusOK)
		e.mustDo(http.MethodPost, "/v1/personal-budgets/"+id+"/payments", map[string]any{"stream": "health", "paid_on": daysAgo(0), "amount_pence": 120000,
			"note": "Internal: first payment late because of the bank details."}, http.StatusOK)
		theirs := e.do(http.MethodGet, "/v1/personal-budgets/"+id, family, nil)
		if theirs.status != http.StatusOK || strings.Contains(string(theirs.body), "Internal") || theirs.json(t)["status"] != "agreed" {
			t.Fatalf("family read: %d %s", theirs.status, theirs.body)
		}
		if got := e.mustDo(http.MethodGet, "/v1/personal-budgets/"+id, nil, http.StatusOK); !strings.Contains(mustString(got["payments"]), "Internal") {
			t.Fatalf("officer read: %v", got["payments"])
		}
		if items := e.mustDo(http.MethodGet, "/v1/personal-budgets?young_person_id="+f.child, nil, http.StatusOK)["items"].([]any); len(items) != 1 {
			t.Fatalf("officer list: %v", items)
		}
		e.do(http.MethodGet, "/v1/personal-budgets/"+id, otherFamily, nil).problem(t, http.StatusNotFound)
		if r := e.do(http.MethodGet, "/v1/personal-budgets", otherFamily, nil); r.status != http.StatusOK || len(r.json(t)["items"].([]any)) != 0 {
			t.Fatalf("other family list: %d %s", r.status, r.body)
		}
	})
}

func mustString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
