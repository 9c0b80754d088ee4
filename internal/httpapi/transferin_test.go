package httpapi_test

import (
	"net/http"
	"testing"
)

// reviewOfPlan is the id of a plan's first scheduled annual review.
func (e *env) reviewOfPlan(plan string) map[string]any {
	e.t.Helper()
	items := e.mustDo(http.MethodGet, "/v1/annual-reviews?plan_id="+plan, nil, http.StatusOK)["items"].([]any)
	if len(items) != 1 {
		e.t.Fatalf("reviews of %s: %v", plan, items)
	}
	return items[0].(map[string]any)
}

// TestPlanTransferIn: a plan transferred in keeps the old authority's made date (Reg 15(3)(a))
// and is reviewed by the later of the end of the 12 months from its making or last review and
// the end of the 3 months beginning with the transfer (Reg 15(5)), whether the transfer is
// recorded before the plan is issued here or after; the family is to be told within 6 weeks.
func TestPlanTransferIn(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// Recorded on the draft, then issued: the 12 months from the making end later (s.44 branch).
		f := e.fixture()
		withTransferredDraft(e, &f)
		plan := f.feedback
		in := map[string]any{"from_la": "352", "moved_on": "2026-04-20", "old_authority_aware_on": "2026-04-10", "transferred_on": "2026-04-20",
			"made_on": "2025-09-15"}
		r := e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/transfer-in", e.officer, in, "If-Match", `"1"`)
		if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
			t.Fatalf("transfer in: %d %s", r.status, r.body)
		}
		pl := r.json(t)
		want := map[string]any{"from_la": "352", "moved_on": "2026-04-20", "old_authority_aware_on": "2026-04-10", "old_authority_due_on": "2026-04-30",
			"transferred_on_move_day_due": false, "transferred_on": "2026-04-20", "made_on": "2025-09-15", "notify_family_by": "2026-06-01",
			"review_by": "2026-09-14"}
		tr := pl["transfer_in"].(map[string]any)
		for k, v := range want {
			if tr[k] != v {
				t.Fatalf("transfer_in.%s = %v, want %v (%v)", k, tr[k], v, tr)
			}
		}
		if pl["transferred_from_la"] != "352" || pl["first_issued_on"] != nil {
			t.Fatalf("draft plan: %v", pl)
		}
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/serve-draft", map[string]any{"served_on": "2026-04-21"}, http.StatusOK)
		issued := e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", map[string]any{"issued_on": "2026-05-20", "placement": placement,
			"family_agreed_early": true}, http.StatusOK)
		if issued["first_issued_on"] != "2025-09-15" || issued["next_review"].(map[string]any)["due_on"] != "2026-09-14" || issued["last_issued_on"] != "2026-05-20" {
			t.Fatalf("issued here after the transfer: %v", issued)
		}
		if rv := e.reviewOfPlan(plan); rv["due_on"] != "2026-09-14" {
			t.Fatalf("review scheduled %v", rv["due_on"])
		}
		if n := e.outboxTypes(plan); n["ehc_plan.transferred_in"] != 1 {
			t.Fatalf("outbox %v", n)
		}

		// Recorded on a plan already issued here: the 3 months from the transfer end later; the
		// old authority knew in time, so the transfer was due on the move day.
		child, issuedPlan := e.transferredPlan("2026-04-22")
		if rv := e.reviewOfPlan(issuedPlan); rv["due_on"] != "2027-04-21" {
			t.Fatalf("before: review due %v", rv["due_on"])
		}
		r2 := e.mustDo(http.MethodPost, "/v1/ehc-plans/"+issuedPlan+"/transfer-in", map[string]any{"from_la": "802", "moved_on": "2026-04-20",
			"old_authority_aware_on": "2026-03-02", "transferred_on": "2026-04-20", "made_on": "2025-06-02"}, http.StatusOK)
		tr2 := r2["transfer_in"].(map[string]any)
		if tr2["old_authority_due_on"] != "2026-04-20" || tr2["transferred_on_move_day_due"] != true || tr2["review_by"] != "2026-07-19" ||
			r2["first_issued_on"] != "2025-06-02" || r2["next_review"].(map[string]any)["due_on"] != "2026-07-19" || r2["transferred_from_la"] != "802" {
			t.Fatalf("issued plan transferred in: %v", r2)
		}
		review := e.reviewOfPlan(issuedPlan)
		if review["due_on"] != "2026-07-19" {
			t.Fatalf("the scheduled review moves to Reg 15(5)'s date: %v", review["due_on"])
		}

		// The old authority's last review counts: 12 months from it.
		_, reviewedPlan := e.transferredPlan("2026-04-22")
		r3 := e.mustDo(http.MethodPost, "/v1/ehc-plans/"+reviewedPlan+"/transfer-in", map[string]any{"from_la": "352", "moved_on": "2026-04-20",
			"old_authority_aware_on": "2026-03-02", "transferred_on": "2026-04-20", "made_on": "2025-09-15", "last_reviewed_on": "2026-01-12",
			"family_notified_on": "2026-05-05"}, http.StatusOK)
		if r3["transfer_in"].(map[string]any)["review_by"] != "2027-01-11" || r3["last_reviewed_on"] != "2026-01-12" {
			t.Fatalf("reviewed before the transfer: %v", r3)
		}

		// Refused: bad days name the field; a plan drafted on this authority's own request is 409.
		for name, c := range map[string]struct {
			body    map[string]any
			pointer string
		}{
			"transferred before the move": {map[string]any{"from_la": "352", "moved_on": "2026-04-20", "old_authority_aware_on": "2026-03-02",
				"transferred_on": "2026-04-19", "made_on": "2025-09-15"}, "/transferred_on"},
			"reviewed after the transfer": {map[string]any{"from_la": "352", "moved_on": "2026-04-20", "old_authority_aware_on": "2026-03-02",
				"transferred_on": "2026-04-20", "made_on": "2025-09-15", "last_reviewed_on": "2026-05-01"}, "/last_reviewed_on"},
			"made after the transfer": {map[string]any{"from_la": "352", "moved_on": "2026-04-20", "old_authority_aware_on": "2026-03-02",
				"transferred_on": "2026-04-20", "made_on": "2026-04-21"}, "/made_on"},
			"no authority number": {map[string]any{"from_la": "35", "moved_on": "2026-04-20", "old_authority_aware_on": "2026-03-02",
				"transferred_on": "2026-04-20", "made_on": "2025-09-15"}, "/from_la"},
			"no move day": {map[string]any{"from_la": "352", "old_authority_aware_on": "2026-03-02", "transferred_on": "2026-04-20",
				"made_on": "2025-09-15"}, "/moved_on"},
		} {
			if p := e.do(http.MethodPost, "/v1/ehc-plans/"+reviewedPlan+"/transfer-in", e.officer, c.body).problem(t, http.StatusBadRequest); !hasPointer(p, c.pointer) {
				t.Fatalf("%s: pointers %v", name, pointers(p))
			}
		}
		g := e.fixture()
		withIssuedPlan(e, &g)
		if got := e.do(http.MethodPost, "/v1/ehc-plans/"+g.feedback+"/transfer-in", e.officer, in); got.status != http.StatusConflict {
			t.Fatalf("a plan made here: %d %s", got.status, got.body)
		}
		if got := e.do(http.MethodGet, "/v1/ehc-plans/"+issuedPlan, e.outsider, nil); got.status != http.StatusNotFound {
			t.Fatalf("outsider: %d", got.status)
		}

		// The clocks: the family notice by 1 June, the first review by 19 July, each warned once
		// and missed once; the worklist lists them.
		reviewID := review["id"].(string)
		e.sweepOn("2026-05-26")
		e.sweepOn("2026-06-02")
		e.sweepOn("2026-06-25")
		e.sweepOn("2026-07-20")
		e.sweepOn("2026-07-20")
		if w := e.warnings(issuedPlan); w["due_soon:transfer_family_notice"] != 1 || w["missed:transfer_family_notice"] != 1 || len(w) != 2 {
			t.Fatalf("plan warnings %v", w)
		}
		if w := e.warnings(reviewID); w["due_soon:transfer_review"] != 1 || w["missed:transfer_review"] != 1 || len(w) != 2 {
			t.Fatalf("review warnings %v", w)
		}
		if w := e.warnings(reviewedPlan); w["due_soon:transfer_family_notice"] != 0 {
			t.Fatalf("the family was told: %v", w)
		}
		clocks := map[string]string{}
		for _, it := range e.mustDo(http.MethodGet, "/v1/deadlines?young_person_id="+child+"&as_of=2026-05-30", nil, http.StatusOK)["items"].([]any) {
			m := it.(map[string]any)
			clocks[m["clock"].(string)] = m["due_on"].(string)
		}
		if clocks["transfer_family_notice"] != "2026-06-01" || clocks["transfer_review"] != "2026-07-19" || clocks["annual_review"] != "" {
			t.Fatalf("worklist %v", clocks)
		}
	})
}

// TestReassessmentClocks: the re-assessment's decision (15 days from the request) and final
// plan (14 weeks from the notification) are each warned once and missed once, and listed.
func TestReassessmentClocks(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		child, plan := e.transferredPlan("2025-10-01")
		id := e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/reassessments", map[string]any{"route": "request", "requested_by": "parent",
			"received_on": "2026-03-02"}, http.StatusCreated)["id"].(string)
		e.sweepOn("2026-03-12")
		e.sweepOn("2026-03-18")
		e.sweepOn("2026-03-18")
		e.mustDo(http.MethodPost, "/v1/reassessments/"+id+"/decision", map[string]any{"decision": "agree", "notified_on": "2026-03-25"}, http.StatusOK)
		items := e.mustDo(http.MethodGet, "/v1/deadlines?young_person_id="+child+"&as_of=2026-06-20&clock=reassessment_final_plan", nil, http.StatusOK)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["due_on"] != "2026-07-01" || items[0].(map[string]any)["record_type"] != "reassessment" {
			t.Fatalf("worklist %v", items)
		}
		e.sweepOn("2026-06-18")
		e.sweepOn("2026-07-02")
		e.sweepOn("2026-07-02")
		w := e.warnings(id)
		if w["due_soon:reassessment_decision"] != 1 || w["missed:reassessment_decision"] != 1 || w["due_soon:reassessment_final_plan"] != 1 ||
			w["missed:reassessment_final_plan"] != 1 || len(w) != 4 {
			t.Fatalf("warnings %v", w)
		}
	})
}
