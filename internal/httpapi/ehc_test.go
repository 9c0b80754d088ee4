package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
)

// withEHCRequest records an EHC needs assessment request for the fixture child. The matrix has no
// placeholder of its own for it, so the id rides in the fixture's feedback slot.
func withEHCRequest(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child,
		"received_on": time.Now().AddDate(0, 0, -30).Format("2006-01-02"), "requested_by": "parent"}, http.StatusCreated)["id"].(string)
}

func deadline(t *testing.T, m map[string]any, name string) map[string]any {
	t.Helper()
	return m["deadlines"].(map[string]any)[name].(map[string]any)
}

// TestEHCNeedsAssessmentClock: a request starts the statutory clock; the decision, exceptions and
// withdrawal move it along with its SEN2 codes; outsiders see nothing.
// Dates: received Monday 5 January 2026, decision due +6 weeks (Reg 5(1)) on 16 February, final
// plan +20 weeks (Reg 13(2)) on 25 May; https://www.legislation.gov.uk/uksi/2014/1530/regulation/13.
func TestEHCNeedsAssessmentClock(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		const base = "/v1/ehc-needs-assessments"

		res := e.do(http.MethodPost, base, e.officer, map[string]any{"young_person_id": f.child, "received_on": "2026-01-05",
			"requested_by": "parent", "referral_id": f.referral, "notes": "Request letter from parent."})
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		r := res.json(t)
		id := r["id"].(string)
		if res.header.Get("Location") != base+"/"+id || res.header.Get("ETag") == "" {
			t.Fatalf("headers: %v", res.header)
		}
		if r["status"] != "received" || r["request_outcome"] != "A" || r["week20_exceptions_apply"] != false {
			t.Fatalf("created: %s", res.body)
		}
		for name, due := range map[string]string{"decision_to_assess": "2026-02-16", "no_plan_notice": "2026-04-27",
			"draft_plan_target": "2026-04-13", "final_plan": "2026-05-25"} {
			if d := deadline(t, r, name); d["due_on"] != due || d["adjusted_due_on"] != due {
				t.Errorf("%s: %v, want %s", name, d, due)
			}
		}

		// A refusal must carry the appeal rights; a practitioner may not decide.
		e.do(http.MethodPost, base+"/"+id+"/decision-to-assess", e.practitioner, map[string]any{"decision": "assess", "decided_on": "2026-02-10",
			"reason": "x"}).problem(t, http.StatusForbidden)
		p := e.do(http.MethodPost, base+"/"+id+"/decision-to-assess", e.officer, map[string]any{"decision": "not_assess", "decided_on": "2026-02-10",
			"reason": "Needs can be met at SEN support."}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/appeal_rights_notified") {
			t.Fatalf("pointers: %v", pointers(p))
		}

		// Two weeks of exceptional personal circumstances (ground c) move the adjusted dates only.
		p = e.do(http.MethodPost, base+"/"+id+"/exceptions", e.practitioner, map[string]any{"ground": "d", "from": "2026-01-19", "to": "2026-01-25",
			"reason": "Away."}).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/to") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		res = e.do(http.MethodPost, base+"/"+id+"/exceptions", e.practitioner, map[string]any{"ground": "c", "from": "2026-01-19", "to": "2026-02-01",
			"reason": "Family bereavement."})
		if res.status != http.StatusOK {
			t.Fatalf("exception: %d %s", res.status, res.body)
		}
		r = res.json(t)
		if d := deadline(t, r, "decision_to_assess"); d["due_on"] != "2026-02-16" || d["adjusted_due_on"] != "2026-03-02" {
			t.Fatalf("decision after exception: %v", d)
		}
		if d := deadline(t, r, "final_plan"); d["due_on"] != "2026-05-25" || d["adjusted_due_on"] != "2026-06-08" {
			t.Fatalf("final plan after exception: %v", d)
		}
		if r["week20_exceptions_apply"] != true || len(r["exceptions"].([]any)) != 1 {
			t.Fatalf("exceptions: %s", res.body)
		}

		// The engagement lead decides to assess, within the adjusted 6 weeks; a second decision conflicts.
		res = e.do(http.MethodPost, base+"/"+id+"/decision-to-assess", e.leadKey, map[string]any{"decision": "assess", "decided_on": "2026-02-20",
			"reason": "Evidence of needs that may call for a plan."}, "If-Match", res.header.Get("ETag"))
		if res.status != http.StatusOK {
			t.Fatalf("decide: %d %s", res.status, res.body)
		}
		r = res.json(t)
		if r["status"] != "assessing" || r["request_outcome"] != "Y" || r["assessment_outcome"] != "A" || r["request_outcome_date"] != "2026-02-20" {
			t.Fatalf("assessing: %s", res.body)
		}
		if d := deadline(t, r, "decision_to_assess"); d["completed_on"] != "2026-02-20" || d["status"] != "met_on_time" {
			t.Fatalf("decision milestone: %v", d)
		}
		e.do(http.MethodPost, base+"/"+id+"/decision-to-assess", e.officer, map[string]any{"decision": "assess", "decided_on": "2026-02-21",
			"reason": "again"}).problem(t, http.StatusConflict)

		// Outsiders: 404 on the record, nothing in the list, and the child is unknown to them.
		e.do(http.MethodGet, base+"/"+id, e.outsider, nil).problem(t, http.StatusNotFound)
		if got := items(t, e.do(http.MethodGet, base, e.outsider, nil)); len(got) != 0 {
			t.Fatalf("outsider list: %v", got)
		}
		p = e.do(http.MethodPost, base, e.outsider, map[string]any{"young_person_id": f.child, "received_on": "2026-01-05",
			"requested_by": "parent"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/young_person_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		if got := e.do(http.MethodGet, base+"/"+id, e.practitioner, nil); got.status != http.StatusOK {
			t.Fatalf("team member read: %d", got.status)
		}

		// Withdrawn while assessing: SEN2 assessment outcome W; nothing is overdue any more.
		res = e.do(http.MethodPost, base+"/"+id+"/withdraw", e.practitioner, map[string]any{"withdrawn_on": "2026-03-10", "reason": "Family moved away."})
		if res.status != http.StatusOK {
			t.Fatalf("withdraw: %d %s", res.status, res.body)
		}
		r = res.json(t)
		if r["status"] != "withdrawn" || r["request_outcome"] != "Y" || r["assessment_outcome"] != "W" || r["assessment_outcome_date"] != "2026-03-10" {
			t.Fatalf("withdrawn: %s", res.body)
		}
		if d := deadline(t, r, "final_plan"); d["status"] != "not_applicable" {
			t.Fatalf("final plan after withdrawal: %v", d)
		}
		e.do(http.MethodPost, base+"/"+id+"/withdraw", e.officer, map[string]any{"reason": "again"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, base+"/"+id+"/exceptions", e.officer, map[string]any{"ground": "c", "from": "2026-03-01", "to": "2026-03-02",
			"reason": "x"}).problem(t, http.StatusConflict)

		// The timeline and the outbox carry the moves.
		kinds := map[string]bool{}
		for _, it := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?limit=200", e.officer, nil)) {
			kinds[it.(map[string]any)["kind"].(string)] = true
		}
		for _, k := range []string{"ehc_request.received", "ehc_request.exception_recorded", "ehc_request.decided", "ehc_request.withdrawn"} {
			if !kinds[k] {
				t.Errorf("timeline lacks %s: %v", k, kinds)
			}
		}
		events, err := outboxOf(e, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"ehc_request.received", "ehc_request.decided", "ehc_request.withdrawn"} {
			if !events[want] {
				t.Errorf("outbox lacks %s: %v", want, events)
			}
		}
	})
}

// TestEHCNeedsAssessmentRules: who may request, references, refusal and the overdue filter.
func TestEHCNeedsAssessmentRules(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		const base = "/v1/ehc-needs-assessments"
		today := time.Now().UTC()

		// A young person asks for themselves only from 16.
		in := child(12)
		in.NHSNumber, in.UPN = nil, nil
		twelve := e.youngPerson(e.officer, in)
		p := e.do(http.MethodPost, base, e.officer, map[string]any{"young_person_id": twelve, "received_on": dateOf(today),
			"requested_by": "young_person"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/requested_by") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		in = child(17)
		in.NHSNumber, in.UPN = nil, nil
		seventeen := e.youngPerson(e.officer, in)
		e.mustDo(http.MethodPost, base, map[string]any{"young_person_id": seventeen, "received_on": dateOf(today), "requested_by": "young_person"}, http.StatusCreated)

		// Not in the future; the referral must be the same child's.
		p = e.do(http.MethodPost, base, e.officer, map[string]any{"young_person_id": f.child, "received_on": dateOf(today.AddDate(0, 0, 1)),
			"requested_by": "parent"}).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/received_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		p = e.do(http.MethodPost, base, e.officer, map[string]any{"young_person_id": seventeen, "received_on": dateOf(today),
			"requested_by": "parent", "referral_id": f.referral}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/referral_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}

		// Received 10 weeks ago with no decision: the 6-week decision is overdue. Received today: not.
		late := e.mustDo(http.MethodPost, base, map[string]any{"young_person_id": f.child, "received_on": dateOf(today.AddDate(0, 0, -70)),
			"requested_by": "school_or_college"}, http.StatusCreated)
		if d := deadline(t, late, "decision_to_assess"); d["status"] != "overdue" {
			t.Fatalf("late decision: %v", d)
		}
		fresh := e.mustDo(http.MethodPost, base, map[string]any{"young_person_id": f.child, "received_on": dateOf(today),
			"requested_by": "parent"}, http.StatusCreated)
		ids := func(path string) map[string]bool {
			out := map[string]bool{}
			for _, it := range items(t, e.do(http.MethodGet, path, e.practitioner, nil)) {
				out[it.(map[string]any)["id"].(string)] = true
			}
			return out
		}
		overdue := ids(base + "?overdue=true&young_person_id=" + f.child)
		if !overdue[late["id"].(string)] || overdue[fresh["id"].(string)] || len(overdue) != 1 {
			t.Fatalf("overdue=true: %v", overdue)
		}
		notOverdue := ids(base + "?overdue=false&young_person_id=" + f.child)
		if notOverdue[late["id"].(string)] || !notOverdue[fresh["id"].(string)] {
			t.Fatalf("overdue=false: %v", notOverdue)
		}
		if got := ids(base + "?status=received&young_person_id=" + f.child); len(got) != 2 {
			t.Fatalf("status filter: %v", got)
		}

		// A refusal with the appeal rights notified: SEN2 N, and no longer overdue.
		res := e.do(http.MethodPost, base+"/"+late["id"].(string)+"/decision-to-assess", e.officer, map[string]any{"decision": "not_assess",
			"decided_on": dateOf(today), "appeal_rights_notified": true, "reason": "Needs can be met at SEN support."})
		if res.status != http.StatusOK {
			t.Fatalf("refuse: %d %s", res.status, res.body)
		}
		r := res.json(t)
		if r["status"] != "not_assessed" || r["request_outcome"] != "N" || deadline(t, r, "decision_to_assess")["status"] != "met_late" {
			t.Fatalf("refused: %s", res.body)
		}
		if got := ids(base + "?overdue=true&young_person_id=" + f.child); len(got) != 0 {
			t.Fatalf("overdue after refusal: %v", got)
		}

		// Withdrawn before any decision: SEN2 request outcome W.
		res = e.do(http.MethodPost, base+"/"+fresh["id"].(string)+"/withdraw", e.officer, map[string]any{"reason": "Parent withdrew."})
		if r := res.json(t); res.status != http.StatusOK || r["request_outcome"] != "W" || r["assessment_outcome"] != nil {
			t.Fatalf("withdrawn: %d %s", res.status, res.body)
		}
	})
}

// outboxOf lists the outbox event types published for a record.
func outboxOf(e *env, id string) (map[string]bool, error) {
	out := map[string]bool{}
	err := e.st.InTx(context.Background(), func(tx *store.Tx) error {
		evs, err := tx.Outbox().ForRecord(id)
		for _, ev := range evs {
			out[ev.Type] = true
		}
		return err
	})
	return out, err
}

// TestEHCRequestFromPanel: a request that came through the pathway names the panel that decided
// to ask for an assessment; any other meeting is refused.
func TestEHCRequestFromPanel(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f, g := e.fixture(), e.fixture()
		panel := func(f fixture, outcome string) string {
			e.walkToMAM(f, daysAgo(0))
			return e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "map", "held_on": daysAgo(0),
				"map_decision": map[string]any{"solution": "EHC needs assessment", "cost_band": "under_5k", "outcome": outcome}}, http.StatusCreated)["id"].(string)
		}
		asked, approved := panel(f, "request_ehc_needs_assessment"), panel(g, "approved")
		body := func(child, meeting string) map[string]any {
			return map[string]any{"young_person_id": child, "received_on": daysAgo(0), "requested_by": "other", "meeting_id": meeting}
		}
		for _, b := range []map[string]any{body(f.child, approved), body(g.child, asked), body(f.child, unknownID)} {
			if p := e.do(http.MethodPost, "/v1/ehc-needs-assessments", e.officer, b).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/meeting_id") {
				t.Fatalf("%v: pointers %v", b, pointers(p))
			}
		}
		r := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", body(f.child, asked), http.StatusCreated)
		if r["meeting_id"] != asked {
			t.Fatalf("meeting: %v", r["meeting_id"])
		}
	})
}
