package httpapi_test

import (
	"net/http"
	"testing"
)

// withReassessment: a plan in force and a request to re-assess it received 3 days ago; the plan
// rides in {feedback}, the re-assessment in {action}.
func withReassessment(e *env, f *fixture) {
	withIssuedPlan(e, f)
	f.action = e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/reassessments", map[string]any{"route": "request",
		"requested_by": "parent", "received_on": daysAgo(3)}, http.StatusCreated)["id"].(string)
}

// withOwnMotionReassessment: the authority decided to re-assess the plan the day its final
// (version 2) was issued, so that version completes it.
func withOwnMotionReassessment(e *env, f *fixture) {
	withIssuedPlan(e, f)
	f.action = e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/reassessments", map[string]any{"route": "own_motion",
		"decided_on": daysAgo(5)}, http.StatusCreated)["id"].(string)
}

// withTransferredDraft: a draft plan with no request here (a plan coming in from another
// authority), in {feedback}.
func withTransferredDraft(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": f.child, "sections": minimalSections()},
		http.StatusCreated)["id"].(string)
}

// amendedSections is a plan's content good enough for an amendment and an amended final.
func amendedSections() map[string]any {
	s := minimalSections()
	s["i"] = placement
	return s
}

// TestReassessmentJourney: request (or own motion), the Reg 25(1) decision, an exception and the
// amended plan that completes it, each date the statutory calendar's. The 14 weeks run from the
// notification (or the own-motion decision), never from the request: a decision notified late
// moves the final plan's date with it, and final_plan_if_notified_on_time shows what it would
// have been.
func TestReassessmentJourney(t *testing.T) {
	cases := []struct {
		name      string
		start     map[string]any
		decide    map[string]any
		exception map[string]any
		issuedOn  string
		deadlines map[string]any
		status    string // after start
		decLate   any    // decision.late; nil: no decision
		late      bool   // completion.late
	}{
		{name: "requested, notified on time, five weeks away from the area",
			start:     map[string]any{"route": "request", "requested_by": "parent", "received_on": "2026-03-02"},
			decide:    map[string]any{"decision": "agree", "notified_on": "2026-03-16"},
			exception: map[string]any{"ground": "d", "from": "2026-04-06", "to": "2026-05-10", "reason": "Family abroad."},
			issuedOn:  "2026-07-20", status: "requested", decLate: false, late: false,
			deadlines: map[string]any{"decision_due_on": "2026-03-17", "started_on": "2026-03-16", "final_plan_due_on": "2026-06-22",
				"final_plan_adjusted_due_on": "2026-07-27", "final_plan_if_notified_on_time": "2026-06-23"}},
		{name: "requested by the school, decision notified late",
			start:    map[string]any{"route": "request", "requested_by": "school_or_college", "received_on": "2026-03-02"},
			decide:   map[string]any{"decision": "agree", "notified_on": "2026-03-25"},
			issuedOn: "2026-07-06", status: "requested", decLate: true, late: true,
			deadlines: map[string]any{"decision_due_on": "2026-03-17", "started_on": "2026-03-25", "final_plan_due_on": "2026-07-01",
				"final_plan_adjusted_due_on": "2026-07-01", "final_plan_if_notified_on_time": "2026-06-23"}},
		{name: "own motion",
			start:    map[string]any{"route": "own_motion", "decided_on": "2026-05-04"},
			issuedOn: "2026-08-10", status: "reassessing", late: false,
			deadlines: map[string]any{"started_on": "2026-05-04", "final_plan_due_on": "2026-08-10", "final_plan_adjusted_due_on": "2026-08-10"}},
	}
	each(t, func(t *testing.T, e *env) {
		for _, c := range cases {
			_, plan := e.transferredPlan("2025-10-01")
			r := e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/reassessments", e.officer, c.start)
			if r.status != http.StatusCreated || r.header.Get("Location") == "" || r.header.Get("ETag") != `"1"` {
				t.Fatalf("%s: start: %d %s", c.name, r.status, r.body)
			}
			ra := r.json(t)
			id := ra["id"].(string)
			if ra["status"] != c.status {
				t.Fatalf("%s: status %v", c.name, ra["status"])
			}
			if again := e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/reassessments", e.officer, c.start); again.status != http.StatusConflict {
				t.Fatalf("%s: a second open re-assessment: %d", c.name, again.status)
			}
			base := "/v1/reassessments/" + id
			version := 1
			etag := func() string { return `"` + string(rune('0'+version)) + `"` }
			if c.decide != nil {
				if got := e.do(http.MethodPost, base+"/decision", e.officer, c.decide, "If-Match", `"9"`); got.status != http.StatusPreconditionFailed {
					t.Fatalf("%s: stale If-Match: %d", c.name, got.status)
				}
				d := e.do(http.MethodPost, base+"/decision", e.officer, c.decide, "If-Match", etag())
				if d.status != http.StatusOK {
					t.Fatalf("%s: decide: %d %s", c.name, d.status, d.body)
				}
				version++
				dec := d.json(t)["decision"].(map[string]any)
				if dec["late"] != c.decLate || dec["notified_on"] != c.decide["notified_on"] {
					t.Fatalf("%s: decision %v", c.name, dec)
				}
				if got := e.do(http.MethodPost, base+"/decision", e.officer, c.decide); got.status != http.StatusConflict {
					t.Fatalf("%s: decided twice: %d", c.name, got.status)
				}
			} else if got := e.do(http.MethodPost, base+"/decision", e.officer, map[string]any{"decision": "agree", "notified_on": "2026-05-04"}); got.status != http.StatusConflict {
				t.Fatalf("%s: no request to decide: %d", c.name, got.status)
			}
			if c.exception != nil {
				x := e.do(http.MethodPost, base+"/exceptions", e.officer, c.exception, "If-Match", etag())
				if x.status != http.StatusOK {
					t.Fatalf("%s: exception: %d %s", c.name, x.status, x.body)
				}
				version++
			}
			// The amended plan: proposed, then issued as version 4 (draft 1, final 2, proposal 3).
			e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/amendments", map[string]any{"notice_on": "2026-03-01", "reason": "Re-assessed.",
				"sections": amendedSections()}, http.StatusOK)
			e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", map[string]any{"issued_on": c.issuedOn, "family_agreed_early": true}, http.StatusOK)
			for name, bad := range map[string]struct {
				body    map[string]any
				pointer string
			}{
				"the first final, before the re-assessment": {map[string]any{"completed_on": "2025-10-01", "plan_version": 2}, "/completed_on"},
				"the first final's version":                 {map[string]any{"completed_on": c.issuedOn, "plan_version": 2}, "/plan_version"},
				"the proposal, not a final":                 {map[string]any{"completed_on": c.issuedOn, "plan_version": 3}, "/plan_version"},
				"another day than its issue":                {map[string]any{"completed_on": "2026-08-20", "plan_version": 4}, "/completed_on"},
			} {
				got := e.do(http.MethodPost, base+"/completion", e.officer, bad.body)
				if got.status != http.StatusBadRequest && got.status != http.StatusUnprocessableEntity {
					t.Fatalf("%s: %s: %d %s", c.name, name, got.status, got.body)
				}
				if p := got.problem(t, got.status); !hasPointer(p, bad.pointer) {
					t.Fatalf("%s: %s: pointers %v", c.name, name, pointers(p))
				}
			}
			done := e.do(http.MethodPost, base+"/completion", e.officer, map[string]any{"completed_on": c.issuedOn, "plan_version": 4}, "If-Match", etag())
			if done.status != http.StatusOK {
				t.Fatalf("%s: complete: %d %s", c.name, done.status, done.body)
			}
			got := e.mustDo(http.MethodGet, base, nil, http.StatusOK)
			if got["status"] != "completed" {
				t.Fatalf("%s: status %v", c.name, got["status"])
			}
			if comp := got["completion"].(map[string]any); comp["late"] != c.late || comp["plan_version"] != float64(4) || comp["completed_on"] != c.issuedOn {
				t.Fatalf("%s: completion %v", c.name, comp)
			}
			dl := got["deadlines"].(map[string]any)
			if len(dl) != len(c.deadlines) {
				t.Fatalf("%s: deadlines %v, want %v", c.name, dl, c.deadlines)
			}
			for k, v := range c.deadlines {
				if dl[k] != v {
					t.Fatalf("%s: %s = %v, want %v (all %v)", c.name, k, dl[k], v, dl)
				}
			}
			if got := e.do(http.MethodPost, base+"/exceptions", e.officer, map[string]any{"ground": "c", "from": "2026-08-01", "to": "2026-08-02",
				"reason": "Late."}); got.status != http.StatusConflict {
				t.Fatalf("%s: exception after completion: %d", c.name, got.status)
			}
			list := e.mustDo(http.MethodGet, "/v1/ehc-plans/"+plan+"/reassessments", nil, http.StatusOK)["items"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["id"] != id {
				t.Fatalf("%s: list %v", c.name, list)
			}
			want := map[string]int{"reassessment.started": 1, "reassessment.completed": 1}
			if c.decide != nil {
				want["reassessment.decided"] = 1
			}
			if c.exception != nil {
				want["reassessment.exception_recorded"] = 1
			}
			if n := e.outboxTypes(id); len(n) != len(want) {
				t.Fatalf("%s: outbox %v, want %v", c.name, n, want)
			} else {
				for k, v := range want {
					if n[k] != v {
						t.Fatalf("%s: outbox %v, want %v", c.name, n, want)
					}
				}
			}
		}
	})
}

// TestReassessmentRefusals: a refusal needs reasons and ends the re-assessment; an outsider is
// told 404; a plan not in force is 409; bad input is 400 naming the field.
func TestReassessmentRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		child, plan := e.transferredPlan("2025-10-01")
		base := "/v1/ehc-plans/" + plan + "/reassessments"
		for name, c := range map[string]struct {
			body    map[string]any
			pointer string
		}{
			"no route":                     {map[string]any{"received_on": "2026-03-02"}, "/route"},
			"a request without who asked":  {map[string]any{"route": "request", "received_on": "2026-03-02"}, "/requested_by"},
			"a request without its day":    {map[string]any{"route": "request", "requested_by": "parent"}, "/received_on"},
			"a request received tomorrow":  {map[string]any{"route": "request", "requested_by": "parent", "received_on": daysAgo(-1)}, "/received_on"},
			"own motion with a requester":  {map[string]any{"route": "own_motion", "requested_by": "parent", "decided_on": "2026-03-02"}, "/requested_by"},
			"own motion without its day":   {map[string]any{"route": "own_motion"}, "/decided_on"},
			"an unknown requester":         {map[string]any{"route": "request", "requested_by": "neighbour", "received_on": "2026-03-02"}, "/requested_by"},
			"a received day that is not a": {map[string]any{"route": "request", "requested_by": "parent", "received_on": "2 March"}, "/received_on"},
		} {
			p := e.do(http.MethodPost, base, e.officer, c.body).problem(t, http.StatusBadRequest)
			if !hasPointer(p, c.pointer) {
				t.Fatalf("%s: pointers %v", name, pointers(p))
			}
		}
		r := e.mustDo(http.MethodPost, base, map[string]any{"route": "request", "requested_by": "young_person", "received_on": "2026-03-02"}, http.StatusCreated)
		id := r["id"].(string)
		if p := e.do(http.MethodPost, "/v1/reassessments/"+id+"/decision", e.officer, map[string]any{"decision": "refuse", "notified_on": "2026-03-10"}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/reasons") {
			t.Fatalf("refused without reasons: %v", pointers(p))
		}
		if p := e.do(http.MethodPost, "/v1/reassessments/"+id+"/decision", e.officer, map[string]any{"decision": "agree", "notified_on": "2026-02-20"}).
			problem(t, http.StatusBadRequest); !hasPointer(p, "/notified_on") {
			t.Fatalf("notified before the request: %v", pointers(p))
		}
		refused := e.mustDo(http.MethodPost, "/v1/reassessments/"+id+"/decision", map[string]any{"decision": "refuse", "notified_on": "2026-03-10",
			"reasons": "The plan still meets the needs."}, http.StatusOK)
		if refused["status"] != "refused" || refused["deadlines"].(map[string]any)["final_plan_due_on"] != nil {
			t.Fatalf("refused: %v", refused)
		}
		if got := e.do(http.MethodPost, "/v1/reassessments/"+id+"/completion", e.officer, map[string]any{"completed_on": "2026-03-10", "plan_version": 2}); got.status != http.StatusConflict {
			t.Fatalf("complete a refusal: %d", got.status)
		}

		// The child's timeline tells the story.
		lines := map[string]bool{}
		for _, it := range e.mustDo(http.MethodGet, "/v1/young-people/"+child+"/timeline?limit=50", nil, http.StatusOK)["items"].([]any) {
			lines[it.(map[string]any)["summary"].(string)] = true
		}
		if !lines["Re-assessment of the EHC plan requested by the young_person (s.44(2)); decision due 2026-03-17"] ||
			!lines["The authority refused to re-assess the EHC plan (Reg 25(1))"] {
			t.Fatalf("timeline %v", lines)
		}

		// The subject access export carries the child's re-assessments.
		if exp := e.mustDo(http.MethodGet, "/v1/young-people/"+child+"/export", nil, http.StatusOK); len(exp["reassessments"].([]any)) != 1 {
			t.Fatalf("export: %v", exp["reassessments"])
		}

		// Need-to-know: a practitioner with no link to the child is told 404, the list included.
		for _, path := range []string{"/v1/reassessments/" + id, base} {
			if got := e.do(http.MethodGet, path, e.outsider, nil); got.status != http.StatusNotFound {
				t.Fatalf("outsider reads %s: %d", path, got.status)
			}
		}
		if got := e.do(http.MethodPost, "/v1/reassessments/"+id+"/exceptions", e.outsider, map[string]any{"ground": "c", "from": "2026-03-03",
			"to": "2026-03-04", "reason": "x"}); got.status != http.StatusForbidden && got.status != http.StatusNotFound {
			t.Fatalf("outsider writes: %d", got.status)
		}

		// A plan not in force: a draft.
		f := e.fixture()
		withTransferredDraft(e, &f)
		if got := e.do(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/reassessments", e.officer, map[string]any{"route": "own_motion",
			"decided_on": "2026-03-02"}); got.status != http.StatusConflict {
			t.Fatalf("a draft plan: %d %s", got.status, got.body)
		}
		// Idempotency-Key replays the first answer.
		_, other := e.transferredPlan("2025-10-01")
		body := map[string]any{"route": "own_motion", "decided_on": "2026-03-02"}
		first := e.do(http.MethodPost, "/v1/ehc-plans/"+other+"/reassessments", e.officer, body, "Idempotency-Key", "reassess-1")
		second := e.do(http.MethodPost, "/v1/ehc-plans/"+other+"/reassessments", e.officer, body, "Idempotency-Key", "reassess-1")
		if first.status != http.StatusCreated || second.status != http.StatusCreated || first.json(t)["id"] != second.json(t)["id"] {
			t.Fatalf("idempotent start: %d %d", first.status, second.status)
		}
	})
}
