package httpapi_test

import (
	"net/http"
	"sort"
	"testing"
)

// TestDeadlineOwner: each deadline names its owner, and owner= (an id or me) is a caseworker's
// worklist across records. An EHC request made from a referral is owned by that referral's
// engagement lead; one made without a referral by the young person's latest allocated lead; an
// advice deadline by the adviser named on it; nobody owns a child's deadlines until a lead is
// allocated.
func TestDeadlineOwner(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// A child whose referral has e.lead as engagement lead; the request names the referral, and
		// asks e.otherWorker for medical advice.
		a := e.fixture()
		e.fbAllocateLead(a)
		reqA := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": a.child, "received_on": daysAgo(20),
			"requested_by": "parent", "referral_id": a.referral}, http.StatusCreated)["id"].(string)
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+reqA+"/decision-to-assess", map[string]any{"decision": "assess",
			"decided_on": daysAgo(10), "reason": "May need a plan."}, http.StatusOK)
		advice := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+reqA+"/advice", map[string]any{"adviser": "medical",
			"requested_on": daysAgo(5), "adviser_practitioner_id": e.otherWorker}, http.StatusOK)["advice"].([]any)[0].(map[string]any)["id"].(string)
		// A child whose referral has no lead yet.
		b := e.fixture()
		reqB := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": b.child, "received_on": daysAgo(3),
			"requested_by": "parent", "referral_id": b.referral}, http.StatusCreated)["id"].(string)
		// A child with an allocated lead whose request names no referral.
		c := e.fixture()
		e.fbAllocateLead(c)
		reqC := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": c.child, "received_on": daysAgo(3),
			"requested_by": "parent"}, http.StatusCreated)["id"].(string)

		list := func(key, query string) []map[string]any {
			t.Helper()
			r := e.do(http.MethodGet, "/v1/deadlines?"+query, key, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", query, r.status, r.body)
			}
			var out []map[string]any
			for _, it := range r.json(t)["items"].([]any) {
				out = append(out, it.(map[string]any))
			}
			return out
		}
		summary := func(items []map[string]any) []string {
			var out []string
			for _, it := range items {
				owner, _ := it["owner_practitioner_id"].(string)
				rec := map[string]string{reqA: "A", reqB: "B", reqC: "C"}[it["record_id"].(string)]
				out = append(out, rec+":"+it["clock"].(string)+":"+map[string]string{e.lead: "lead", e.otherWorker: "adviser", "": "none"}[owner])
			}
			sort.Strings(out)
			return out
		}
		want := func(got []string, want ...string) {
			t.Helper()
			sort.Strings(want)
			if len(got) != len(want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
		}
		// The officer's view names every owner.
		all := list(e.officer, "limit=200")
		var mine []map[string]any
		for _, it := range all {
			if yp := it["young_person_id"]; yp == a.child || yp == b.child || yp == c.child {
				mine = append(mine, it)
			}
		}
		want(summary(mine), "A:no_plan_notice:lead", "A:final_plan:lead", "A:advice:adviser",
			"B:decision_to_assess:none", "B:no_plan_notice:none", "B:final_plan:none",
			"C:decision_to_assess:lead", "C:no_plan_notice:lead", "C:final_plan:lead")
		for _, it := range mine {
			if it["clock"] == "advice" && it["part"] != advice {
				t.Fatalf("advice deadline part = %v, want %s", it["part"], advice)
			}
		}
		// The lead's own worklist, by me and by id, across both children's records.
		byMe := summary(list(e.leadKey, "owner=me&limit=200"))
		want(byMe, "A:no_plan_notice:lead", "A:final_plan:lead", "C:decision_to_assess:lead", "C:no_plan_notice:lead", "C:final_plan:lead")
		want(summary(list(e.officer, "owner="+e.lead+"&limit=200")), byMe...)
		// Combined with the other filters, in the database's order.
		want(summary(list(e.officer, "owner="+e.lead+"&clock=final_plan")), "A:final_plan:lead", "C:final_plan:lead")
		want(summary(list(e.officer, "owner="+e.lead+"&young_person_id="+c.child+"&limit=1")), "C:decision_to_assess:lead")
		// The adviser named owns the advice deadline only.
		want(summary(list(e.officer, "owner="+e.otherWorker)), "A:advice:adviser")
		// Need-to-know still applies: an organisation outside the children's care sees none of them.
		if got := list(e.outsider, "owner="+e.lead); len(got) != 0 {
			t.Fatalf("outsider sees %v", got)
		}
		// me needs a caller acting as a practitioner; anything but an id or me is refused.
		if p := e.do(http.MethodGet, "/v1/deadlines?owner=me", e.officer, nil).problem(t, http.StatusUnprocessableEntity); p.Errors == nil ||
			(*p.Errors)[0].Pointer != "/query/owner" {
			t.Fatalf("owner=me without a practitioner: %+v", p)
		}
		e.do(http.MethodGet, "/v1/deadlines?owner=someone", e.officer, nil).problem(t, http.StatusBadRequest)
	})
}
