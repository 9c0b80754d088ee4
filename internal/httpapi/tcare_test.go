package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

const register = "/v1/support-register"

func redEntry(child string) map[string]any {
	return map[string]any{"young_person_id": child, "conditions": []string{"autism", "learning_disability"}, "consent": "given",
		"keyworker": "A. Keyworker, CAMHS", "actions": []map[string]any{{"description": "Refer to intensive support", "owner": "CAMHS", "due_on": "2026-03-16"}},
		"rating": map[string]any{"rating": "red", "reasons": []string{"placement breakdown risk"}, "evidence": "MAP minutes", "decided_on": "2026-03-02"}}
}

// TestSupportRegister: an entry's rating history and C(E)TR due dates through the API; only the
// register group (SEND team, panel) sees the register, never a practitioner involved with the child.
func TestSupportRegister(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		res := e.do(http.MethodPost, register, e.officer, redEntry(f.child), "Idempotency-Key", "register-create-1")
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		m := res.json(t)
		id := m["id"].(string)
		if res.header.Get("Location") != register+"/"+id || res.header.Get("ETag") != `"1"` {
			t.Fatalf("headers: %v", res.header)
		}
		// Red on Monday 2 March 2026: a C(E)TR by 30 March, long overdue today.
		if m["rating"] != "red" || m["rated_since"] != "2026-03-02" || m["ctr_due_on"] != "2026-03-30" || m["ctr_overdue"] != true ||
			m["status"] != "open" || len(m["history"].([]any)) != 1 {
			t.Fatalf("created: %s", res.body)
		}
		if by := m["history"].([]any)[0].(map[string]any)["decided_by"].(map[string]any); by["role"] != "send_officer" {
			t.Fatalf("decided by: %v", by)
		}
		// The same key replays; a second entry for the child is a conflict.
		if again := e.do(http.MethodPost, register, e.officer, redEntry(f.child), "Idempotency-Key", "register-create-1"); again.status != http.StatusCreated ||
			again.json(t)["id"] != id {
			t.Fatalf("replay: %d %s", again.status, again.body)
		}
		e.do(http.MethodPost, register, e.officer, redEntry(f.child)).problem(t, http.StatusConflict)

		// Bad input names the field.
		bad := redEntry(f.child)
		bad["consent"] = "not_given"
		if p := e.do(http.MethodPost, register, e.officer, bad).problem(t, http.StatusBadRequest); !hasPointer(p, "/lawful_basis") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		bad = redEntry("0190a5e0-0000-7000-8000-0000000000ff")
		if p := e.do(http.MethodPost, register, e.officer, bad).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/young_person_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}

		// Only the register group: the engagement lead and a practitioner involved with the child see nothing.
		for _, key := range []string{e.leadKey, e.practitioner, e.analyst} {
			e.do(http.MethodGet, register+"/"+id, key, nil).problem(t, http.StatusForbidden)
			e.do(http.MethodGet, register, key, nil).problem(t, http.StatusForbidden)
			e.do(http.MethodPost, register, key, redEntry(f.child)).problem(t, http.StatusForbidden)
		}
		if got := e.do(http.MethodGet, register+"/"+id, e.panel, nil); got.status != http.StatusOK || got.header.Get("ETag") != `"1"` {
			t.Fatalf("panel read: %d %s", got.status, got.body)
		}

		// Lists filter by rating and overdue review.
		if items := e.mustDo(http.MethodGet, register+"?rating=red&overdue=true&open=true", nil, http.StatusOK)["items"].([]any); len(items) != 1 {
			t.Fatalf("red overdue: %v", items)
		}
		if items := e.mustDo(http.MethodGet, register+"?rating=green", nil, http.StatusOK)["items"].([]any); len(items) != 0 {
			t.Fatalf("green: %v", items)
		}

		// Admitted on Tuesday 10 March without a C(E)TR: a post-admission review within 10 working days.
		blue := map[string]any{"rating": "blue", "reasons": []string{"admitted under s.2"}, "decided_on": "2026-03-10", "admitted_on": "2026-03-10",
			"admission_planned": false}
		e.do(http.MethodPost, register+"/"+id+"/ratings", e.officer, blue, "If-Match", `"7"`).problem(t, http.StatusPreconditionFailed)
		res = e.do(http.MethodPost, register+"/"+id+"/ratings", e.panel, blue, "If-Match", `"1"`)
		if r := res.json(t); res.status != http.StatusOK || r["rating"] != "blue" || r["ctr_due_on"] != "2026-03-24" || len(r["history"].([]any)) != 2 ||
			res.header.Get("ETag") != `"2"` {
			t.Fatalf("blue: %d %s", res.status, res.body)
		}
		early := map[string]any{"rating": "amber", "reasons": []string{"x"}, "decided_on": "2026-03-05"}
		if p := e.do(http.MethodPost, register+"/"+id+"/ratings", e.officer, early).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/decided_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		// The review held on 20 March: the next one 3 months on.
		res = e.do(http.MethodPost, register+"/"+id+"/ctr-held", e.officer, map[string]any{"held_on": "2026-03-20"})
		if r := res.json(t); res.status != http.StatusOK || r["last_ctr_on"] != "2026-03-20" || r["ctr_due_on"] != "2026-06-20" {
			t.Fatalf("held: %d %s", res.status, res.body)
		}
		// Discharged and stepped down to amber with new actions: no review due.
		res = e.do(http.MethodPost, register+"/"+id+"/ratings", e.officer, map[string]any{"rating": "amber", "reasons": []string{"discharged home"},
			"decided_on": "2026-05-01", "actions": []map[string]any{{"description": "Weekly intensive support visits", "owner": "ISS"}}})
		if r := res.json(t); res.status != http.StatusOK || r["ctr_due_on"] != nil || r["ctr_overdue"] != false || len(r["actions"].([]any)) != 1 ||
			len(r["history"].([]any)) != 3 {
			t.Fatalf("amber: %d %s", res.status, res.body)
		}
		res = e.do(http.MethodPost, register+"/"+id+"/close", e.officer, map[string]any{"closed_on": "2026-06-01"})
		if r := res.json(t); res.status != http.StatusOK || r["status"] != "closed" || r["closed_on"] != "2026-06-01" {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		e.do(http.MethodPost, register+"/"+id+"/close", e.officer, map[string]any{"closed_on": "2026-06-02"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, register+"/"+id+"/ratings", e.officer, early).problem(t, http.StatusConflict)
		// Once closed, a new entry may be opened.
		if res := e.do(http.MethodPost, register, e.officer, redEntry(f.child)); res.status != http.StatusCreated {
			t.Fatalf("reopen: %d %s", res.status, res.body)
		}
		e.do(http.MethodGet, register+"/0190a5e0-0000-7000-8000-0000000000ff", e.officer, nil).problem(t, http.StatusNotFound)
	})
}

// TestPlacements: a 52-week residential placement paid three ways; who sees it; ending it once.
func TestPlacements(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		in := map[string]any{"young_person_id": f.child, "type": "residential_52", "setting_name": "Hill House", "start_on": "2025-09-01",
			"distance_km": 120.5, "annual_cost_pence": 25000000, "education_pct": 50, "social_care_pct": 30, "health_pct": 20}
		res := e.do(http.MethodPost, "/v1/placements", e.officer, in)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		m := res.json(t)
		id := m["id"].(string)
		if m["weeks_per_year"] != float64(52) || m["residential"] != true || len(m["funders"].([]any)) != 3 || m["distance_km"] != 120.5 {
			t.Fatalf("created: %s", res.body)
		}
		short := map[string]any{"young_person_id": f.child, "type": "special", "setting_name": "Vale", "start_on": "2025-09-01",
			"annual_cost_pence": 100, "education_pct": 60}
		if p := e.do(http.MethodPost, "/v1/placements", e.officer, short).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/education_pct") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		// The team around the child sees it; others see nothing.
		if got := e.do(http.MethodGet, "/v1/placements/"+id, e.leadKey, nil); got.status != http.StatusOK {
			t.Fatalf("lead read: %d %s", got.status, got.body)
		}
		e.do(http.MethodGet, "/v1/placements/"+id, e.outsider, nil).problem(t, http.StatusNotFound)
		if items := e.do(http.MethodGet, "/v1/placements", e.outsider, nil).json(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("outsider list: %v", items)
		}
		if items := e.mustDo(http.MethodGet, "/v1/placements?type=residential_52&current_on=2026-01-01&young_person_id="+f.child, nil, http.StatusOK)["items"].([]any); len(items) != 1 {
			t.Fatalf("current: %v", items)
		}
		if items := e.mustDo(http.MethodGet, "/v1/placements?current_on=2025-01-01", nil, http.StatusOK)["items"].([]any); len(items) != 0 {
			t.Fatalf("before: %v", items)
		}
		e.do(http.MethodPost, "/v1/placements/"+id+"/end", e.officer, map[string]any{"end_on": "2025-08-01"}).problem(t, http.StatusBadRequest)
		res = e.do(http.MethodPost, "/v1/placements/"+id+"/end", e.officer, map[string]any{"end_on": "2026-04-01"}, "If-Match", `"1"`)
		if r := res.json(t); res.status != http.StatusOK || r["end_on"] != "2026-04-01" || res.header.Get("ETag") != `"2"` {
			t.Fatalf("end: %d %s", res.status, res.body)
		}
		e.do(http.MethodPost, "/v1/placements/"+id+"/end", e.officer, map[string]any{"end_on": "2026-04-02"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, "/v1/placements", e.analyst, in).problem(t, http.StatusForbidden)
	})
}

// withRegisterEntry puts the fixture's child on the register; the entry's id rides in the
// fixture's feedback slot.
func withRegisterEntry(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, register, redEntry(f.child), http.StatusCreated)["id"].(string)
}

// withPlacement records a placement for the fixture's child, in the feedback slot.
func withPlacement(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/placements", map[string]any{"young_person_id": f.child, "type": "special",
		"setting_name": "Vale School", "start_on": "2025-09-01"}, http.StatusCreated)["id"].(string)
}

// tcareRows are the authorisation matrix's rows for Transforming Care (issue 17): the register is
// the register group's alone (SEND team and panel members); placements follow the child's record.
func tcareRows(today string) []row {
	group := func(success int) map[caller]int { return only(success, sendOfficer, panelMember) }
	return []row{
		{method: "GET", path: "/v1/support-register", want: group(ok)},
		{method: "POST", path: "/v1/support-register", writes: true, want: group(new),
			body: func(_ *env, _ caller, f fixture) any { return redEntry(f.child) }},
		{method: "GET", path: "/v1/support-register/{feedback}", setup: withRegisterEntry, want: group(ok)},
		{method: "POST", path: "/v1/support-register/{feedback}/ratings", writes: true, setup: withRegisterEntry, want: group(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"rating": "amber", "reasons": []string{"support in place"}, "decided_on": today}
			}},
		{method: "POST", path: "/v1/support-register/{feedback}/ctr-held", writes: true, setup: withRegisterEntry, want: group(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"held_on": today} }},
		{method: "POST", path: "/v1/support-register/{feedback}/close", writes: true, setup: withRegisterEntry, want: group(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"closed_on": today} }},

		{method: "GET", path: "/v1/care-treatment-reviews", want: group(ok)},
		{method: "POST", path: "/v1/care-treatment-reviews", writes: true, setup: withRegisterEntry, want: group(new),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"register_entry_id": f.feedback, "kind": "cetr", "setting": "community", "scheduled_on": today}
			}},
		{method: "GET", path: "/v1/care-treatment-reviews/{feedback}", setup: withCareReview, want: group(ok)},
		{method: "POST", path: "/v1/care-treatment-reviews/{feedback}/held", writes: true, setup: withCareReview, want: group(ok),
			body: func(*env, caller, fixture) any { return heldReview(today) }},
		{method: "POST", path: "/v1/care-treatment-reviews/{feedback}/recommendations/0/done", writes: true, want: group(ok),
			setup: func(e *env, f *fixture) {
				withCareReview(e, f)
				e.mustDo(http.MethodPost, "/v1/care-treatment-reviews/"+f.feedback+"/held", heldReview(today), http.StatusOK)
			},
			body: func(*env, caller, fixture) any { return map[string]any{"done_on": today, "note": "Visits started."} }},

		{method: "GET", path: "/v1/personal-budgets", want: caseworkList},
		{method: "POST", path: "/v1/personal-budgets", writes: true, setup: func(e *env, f *fixture) { budgetEligible(e, f.child) },
			want: expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: new, involved: new, leadInvolved: new, admin: fb, analyst: fb,
				panelMember: fb, familyOwn: new}),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"young_person_id": f.child, "requested_on": today, "requested_by": "parent"}
			}},
		{method: "GET", path: "/v1/personal-budgets/{feedback}", setup: withBudget, want: caseworkRead(ok)},
		{method: "POST", path: "/v1/personal-budgets/{feedback}/decision", writes: true, setup: withBudget, want: pathwayRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"decision": "refused", "decided_on": today, "reasons": "Not yet: the assessment is under way."}
			}},
		{method: "POST", path: "/v1/personal-budgets/{feedback}/review", writes: true, want: pathwayRun(ok),
			setup: func(e *env, f *fixture) {
				withBudget(e, f)
				e.mustDo(http.MethodPost, "/v1/personal-budgets/"+f.feedback+"/decision", map[string]any{"decision": "refused", "decided_on": today,
					"reasons": "Not yet."}, http.StatusOK)
			},
			body: func(*env, caller, fixture) any { return map[string]any{"requested_on": today, "outcome": "upheld"} }},
		{method: "POST", path: "/v1/personal-budgets/{feedback}/end", writes: true, want: pathwayRun(ok),
			setup: func(e *env, f *fixture) {
				withBudget(e, f)
				e.mustDo(http.MethodPost, "/v1/personal-budgets/"+f.feedback+"/decision", threeStreams(today), http.StatusOK)
			},
			body: func(*env, caller, fixture) any { return map[string]any{"ended_on": today} }},
		{method: "POST", path: "/v1/personal-budgets/{feedback}/payments", writes: true, want: caseworkWrite(ok),
			setup: func(e *env, f *fixture) {
				withBudget(e, f)
				e.mustDo(http.MethodPost, "/v1/personal-budgets/"+f.feedback+"/decision", threeStreams(today), http.StatusOK)
			},
			body: func(*env, caller, fixture) any {
				return map[string]any{"stream": "health", "paid_on": today, "amount_pence": 120000}
			}},

		{method: "GET", path: "/v1/placements", want: caseworkList},
		{method: "POST", path: "/v1/placements", writes: true,
			want: expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: new, involved: new, leadInvolved: new, admin: fb, analyst: fb,
				panelMember: fb, familyOwn: fb, familyOther: fb}),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"young_person_id": f.child, "type": "residential_38", "setting_name": "Hill House", "start_on": "2025-09-01"}
			}},
		{method: "GET", path: "/v1/placements/{feedback}", setup: withPlacement, want: caseworkRead(ok)},
		{method: "POST", path: "/v1/placements/{feedback}/end", writes: true, setup: withPlacement, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"end_on": today} }},
	}
}

// withCareReview schedules a C(E)TR for a new register entry of the fixture's child, in the feedback slot.
func withCareReview(e *env, f *fixture) {
	withRegisterEntry(e, f)
	f.feedback = e.mustDo(http.MethodPost, "/v1/care-treatment-reviews", map[string]any{"register_entry_id": f.feedback, "kind": "ctr",
		"setting": "community", "scheduled_on": "2026-03-20"}, http.StatusCreated)["id"].(string)
}

func heldReview(on string) map[string]any {
	return map[string]any{"held_on": on, "outcome": "admission_avoided",
		"panel":        map[string]any{"chair": "ICB commissioner", "clinical_expert": "Consultant psychiatrist", "expert_by_experience": "Parent carer"},
		"family_views": "Mum wants support at home.", "young_person_views": "Wants to stay at school.",
		"recommendations": []map[string]any{{"description": "Intensive support team visits", "owner": "ISS", "due_on": "2026-04-01"}}}
}

// TestCareTreatmentReviews: a C(E)TR is scheduled from a register entry, held once with its panel
// and recommendations, and moves the entry's next review; only the register group sees it.
func TestCareTreatmentReviews(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		entry := e.mustDo(http.MethodPost, register, redEntry(f.child), http.StatusCreated)["id"].(string)
		res := e.do(http.MethodPost, "/v1/care-treatment-reviews", e.panel, map[string]any{"register_entry_id": entry, "kind": "cetr",
			"setting": "community", "scheduled_on": "2026-03-20", "key_questions": "Can the placement hold?"})
		if res.status != http.StatusCreated {
			t.Fatalf("schedule: %d %s", res.status, res.body)
		}
		id := res.json(t)["id"].(string)
		if r := res.json(t); r["status"] != "scheduled" || r["young_person_id"] != f.child {
			t.Fatalf("scheduled: %s", res.body)
		}
		if p := e.do(http.MethodPost, "/v1/care-treatment-reviews", e.officer, map[string]any{"register_entry_id": "0190a5e0-0000-7000-8000-0000000000ff",
			"kind": "ctr", "setting": "community", "scheduled_on": "2026-03-20"}).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/register_entry_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		e.do(http.MethodGet, "/v1/care-treatment-reviews/"+id, e.leadKey, nil).problem(t, http.StatusForbidden)
		e.do(http.MethodGet, "/v1/care-treatment-reviews", e.practitioner, nil).problem(t, http.StatusForbidden)

		noExpert := heldReview("2026-03-20")
		noExpert["panel"] = map[string]any{"chair": "c", "clinical_expert": "e", "expert_by_experience": " "}
		if p := e.do(http.MethodPost, "/v1/care-treatment-reviews/"+id+"/held", e.officer, noExpert).problem(t, http.StatusBadRequest); !hasPointer(p, "/panel/expert_by_experience") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		res = e.do(http.MethodPost, "/v1/care-treatment-reviews/"+id+"/held", e.officer, heldReview("2026-03-20"), "If-Match", `"1"`)
		r := res.json(t)
		if res.status != http.StatusOK || r["status"] != "held" || r["outcome"] != "admission_avoided" || res.header.Get("ETag") != `"2"` {
			t.Fatalf("held: %d %s", res.status, res.body)
		}
		if rec := r["recommendations"].([]any)[0].(map[string]any); rec["overdue"] != true || rec["owner"] != "ISS" {
			t.Fatalf("recommendation: %v", rec)
		}
		e.do(http.MethodPost, "/v1/care-treatment-reviews/"+id+"/held", e.officer, heldReview("2026-03-21")).problem(t, http.StatusConflict)
		// The entry was red since 2 March; the review on 20 March meets it.
		if m := e.mustDo(http.MethodGet, register+"/"+entry, nil, http.StatusOK); m["last_ctr_on"] != "2026-03-20" || m["ctr_due_on"] != nil ||
			m["ctr_overdue"] != false || m["version"] != float64(2) {
			t.Fatalf("entry: %v", m)
		}
		if items := e.mustDo(http.MethodGet, "/v1/care-treatment-reviews?status=held&register_entry_id="+entry, nil, http.StatusOK)["items"].([]any); len(items) != 1 {
			t.Fatalf("list: %v", items)
		}
		if items := e.mustDo(http.MethodGet, "/v1/care-treatment-reviews?status=scheduled", nil, http.StatusOK)["items"].([]any); len(items) != 0 {
			t.Fatalf("scheduled list: %v", items)
		}
	})
}

// budgetEligible makes child eligible for a personal budget (regulation 5 of the SEN (Personal
// Budgets) Regulations 2014: a plan in force or an EHC needs assessment under way): it records an
// EHC needs assessment request for them and decides to assess. It returns the request's id.
func budgetEligible(e *env, child string) string {
	e.t.Helper()
	f := fixture{child: child}
	withAssessing(e, &f)
	return f.feedback
}

// withBudget records a parent's request for the fixture's child (being assessed), in the feedback slot.
func withBudget(e *env, f *fixture) {
	budgetEligible(e, f.child)
	f.feedback = e.mustDo(http.MethodPost, "/v1/personal-budgets", map[string]any{"young_person_id": f.child, "requested_on": "2026-04-01",
		"requested_by": "parent"}, http.StatusCreated)["id"].(string)
}

func threeStreams(on string) map[string]any {
	return map[string]any{"decision": "agreed", "decided_on": on, "review_due_on": "2027-04-21", "parts": []map[string]any{
		{"stream": "health", "arrangement": "direct_payment", "amount_pence": 120000, "period": "month", "agreement_signed_on": "2026-04-20",
			"monitoring": "Quarterly statements"},
		{"stream": "education", "arrangement": "notional", "amount_pence": 600000, "period": "year"},
		{"stream": "social_care", "arrangement": "third_party", "amount_pence": 1234567, "period": "year"}}}
}

// TestPersonalBudgets: a request, an integrated three-stream decision producing section J,
// payments by stream; a refusal gives reasons; who sees it.
func TestPersonalBudgets(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		budgetEligible(e, f.child)
		res := e.do(http.MethodPost, "/v1/personal-budgets", e.practitioner, map[string]any{"young_person_id": f.child, "requested_on": "2026-04-01",
			"requested_by": "parent"}, "Idempotency-Key", "budget-request-1")
		if res.status != http.StatusCreated || res.json(t)["status"] != "requested" {
			t.Fatalf("request: %d %s", res.status, res.body)
		}
		id := res.json(t)["id"].(string)
		e.do(http.MethodPost, "/v1/personal-budgets/"+id+"/decision", e.practitioner, threeStreams("2026-04-21")).problem(t, http.StatusForbidden)
		if p := e.do(http.MethodPost, "/v1/personal-budgets/"+id+"/decision", e.officer, map[string]any{"decision": "refused", "decided_on": "2026-04-21"}).
			problem(t, http.StatusBadRequest); !hasPointer(p, "/reasons") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		res = e.do(http.MethodPost, "/v1/personal-budgets/"+id+"/decision", e.officer, threeStreams("2026-04-21"), "If-Match", `"1"`)
		b := res.json(t)
		if res.status != http.StatusOK || b["status"] != "agreed" || b["integrated"] != true || len(b["parts"].([]any)) != 3 {
			t.Fatalf("decision: %d %s", res.status, res.body)
		}
		want := "Integrated personal budget agreed on 2026-04-21.\n" +
			"Education: £6,000.00 a year, as a notional budget (arranged by the council).\n" +
			"Social care: £12,345.67 a year, as a third-party arrangement.\n" +
			"Health: £1,200.00 a month, as a direct payment (agreement signed 2026-04-20).\n" +
			"To be reviewed by 2027-04-21."
		if b["section_j"] != want {
			t.Fatalf("section J: %q", b["section_j"])
		}
		e.do(http.MethodPost, "/v1/personal-budgets/"+id+"/decision", e.officer, threeStreams("2026-04-22")).problem(t, http.StatusConflict)
		for _, on := range []string{"2026-05-01", "2026-06-01"} {
			e.mustDo(http.MethodPost, "/v1/personal-budgets/"+id+"/payments", map[string]any{"stream": "health", "paid_on": on, "amount_pence": 120000}, http.StatusOK)
		}
		if p := e.do(http.MethodPost, "/v1/personal-budgets/"+id+"/payments", e.officer, map[string]any{"stream": "health", "paid_on": "2026-04-01",
			"amount_pence": 1}).problem(t, http.StatusBadRequest); !hasPointer(p, "/paid_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		got := e.do(http.MethodGet, "/v1/personal-budgets/"+id, e.leadKey, nil)
		if g := got.json(t); got.status != http.StatusOK || g["spent_pence"].(map[string]any)["health"] != float64(240000) ||
			len(g["payments"].([]any)) != 2 || got.header.Get("ETag") != `"4"` {
			t.Fatalf("read: %d %s", got.status, got.body)
		}
		e.do(http.MethodGet, "/v1/personal-budgets/"+id, e.outsider, nil).problem(t, http.StatusNotFound)
		if items := e.mustDo(http.MethodGet, "/v1/personal-budgets?status=agreed&young_person_id="+f.child, nil, http.StatusOK)["items"].([]any); len(items) != 1 {
			t.Fatalf("list: %v", items)
		}
		// A refusal carries its reasons into section J.
		other := e.mustDo(http.MethodPost, "/v1/personal-budgets", map[string]any{"young_person_id": f.child, "requested_on": "2026-04-01",
			"requested_by": "young_person"}, http.StatusCreated)["id"].(string)
		r := e.mustDo(http.MethodPost, "/v1/personal-budgets/"+other+"/decision", map[string]any{"decision": "refused", "decided_on": "2026-04-10",
			"reasons": "A direct payment would affect other children at the school."}, http.StatusOK)
		if r["status"] != "refused" || r["section_j"] != "A personal budget was requested on 2026-04-01 and refused on 2026-04-10. Reasons: A direct payment would affect other children at the school." {
			t.Fatalf("refused: %v", r)
		}
		e.do(http.MethodPost, "/v1/personal-budgets/"+other+"/payments", e.officer, map[string]any{"stream": "health", "paid_on": "2026-05-01",
			"amount_pence": 1}).problem(t, http.StatusConflict)
	})
}

// TestTransformingCareExportAndErasure: a child's register entry (with its history), C(E)TRs,
// placements and personal budgets (with payments) are in their subject access export and go with
// them when their records are erased.
func TestTransformingCareExportAndErasure(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture() // aged 8: past a 5-year retention
		var review fixture
		review.child = f.child
		withCareReview(e, &review)
		e.mustDo(http.MethodPost, "/v1/care-treatment-reviews/"+review.feedback+"/held", heldReview("2026-03-20"), http.StatusOK)
		withPlacement(e, &f)
		placement := f.feedback
		withBudget(e, &f)
		e.mustDo(http.MethodPost, "/v1/personal-budgets/"+f.feedback+"/decision", threeStreams("2026-04-21"), http.StatusOK)
		e.mustDo(http.MethodPost, "/v1/personal-budgets/"+f.feedback+"/payments", map[string]any{"stream": "health", "paid_on": "2026-05-01",
			"amount_pence": 100}, http.StatusOK)

		x := e.mustDo(http.MethodGet, "/v1/young-people/"+f.child+"/export", nil, http.StatusOK)
		for name, n := range map[string]int{"support_register": 1, "care_treatment_reviews": 1, "placements": 1, "personal_budgets": 1} {
			if got, _ := x[name].([]any); len(got) != n {
				t.Fatalf("export %s: %v", name, x[name])
			}
		}
		if h := x["support_register"].([]any)[0].(map[string]any)["history"].([]any); len(h) != 1 {
			t.Fatalf("history: %v", h)
		}
		if r := e.do(http.MethodPost, "/v1/retention/due/"+f.child+"/erase", e.admin, nil); r.status != http.StatusNoContent {
			t.Fatalf("erase: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, "/v1/placements/"+placement, e.officer, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/personal-budgets/"+f.feedback, e.officer, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/care-treatment-reviews/"+review.feedback, e.officer, nil).problem(t, http.StatusNotFound)
		if got := items(t, e.do(http.MethodGet, register+"?young_person_id="+f.child, e.officer, nil)); len(got) != 0 {
			t.Fatalf("register after erasure: %v", got)
		}
	}, func(_ *httpapi.Options, c *app.Options) { c.RetentionYears = 5 })
}
