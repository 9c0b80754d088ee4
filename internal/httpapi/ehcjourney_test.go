package httpapi_test

import (
	"net/http"
	"testing"
)

// TestEHCJourney runs one child's statutory process end to end as the SEND officer, on fixed
// past dates so every due date can be checked against the regulations:
//
//	received Mon 5 Jan 2026; decision to assess due 16 Feb (+6 weeks, Reg 5(1)); no-plan notice
//	due 27 Apr (+16 weeks, Reg 10(1)); draft target 13 Apr (+14 weeks, practice); final plan due
//	25 May (+20 weeks, Reg 13(2)); advice asked 11 Feb due 25 Mar (+6 weeks, Reg 8); draft
//	served 10 Apr, comments to 24 Apr (15 days beginning with service, Reg 13(1)); first review
//	due 19 May 2027 (the 12 months starting with the issue, s.44(1)(a)); review meeting 2 Nov 2026: papers due 19
//	Oct, report due 16 Nov, decision due 30 Nov (Reg 20); amendment notice 17 Nov: comments to 1
//	Dec, amended plan due 12 Jan 2027 (Reg 22); cease decided 21 Nov: appeal window to 21 Jan
//	2027 (HESC r.20), plan in force until then.
func TestEHCJourney(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		ok := func(method, path string, body any) map[string]any {
			t.Helper()
			res := e.do(method, path, e.officer, body)
			if res.status != http.StatusOK && res.status != http.StatusCreated {
				t.Fatalf("%s %s: %d %s", method, path, res.status, res.body)
			}
			return res.json(t)
		}
		status := func(m map[string]any, name string) string {
			t.Helper()
			return m[name].(map[string]any)["status"].(string)
		}

		// The request and the decision to assess.
		r := ok(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child, "received_on": "2026-01-05",
			"requested_by": "school_or_college", "referral_id": f.referral})
		req := "/v1/ehc-needs-assessments/" + r["id"].(string)
		r = ok(http.MethodPost, req+"/decision-to-assess", map[string]any{"decision": "assess", "decided_on": "2026-02-10", "reason": "Needs unclear."})
		if r["status"] != "assessing" || r["request_outcome"] != "Y" || r["assessment_outcome"] != "A" {
			t.Fatalf("after decision: %v %v %v", r["status"], r["request_outcome"], r["assessment_outcome"])
		}

		// Advice, each on its own clock. Preparing-for-adulthood advice is refused below Year 9.
		p := e.do(http.MethodPost, req+"/advice", e.officer, map[string]any{"adviser": "preparation_for_adulthood", "requested_on": "2026-02-11"}).
			problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/adviser") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		ok(http.MethodPost, req+"/advice", map[string]any{"adviser": "educational_psychologist", "requested_on": "2026-02-11", "provider": "EP service"})
		r = ok(http.MethodPost, req+"/advice", map[string]any{"adviser": "medical", "requested_on": "2026-02-11"})
		advice := r["advice"].([]any)
		ep, med := advice[0].(map[string]any), advice[1].(map[string]any)
		if d := ep["deadline"].(map[string]any); d["due_on"] != "2026-03-25" || d["status"] != "overdue" {
			t.Fatalf("EP advice deadline: %v", d)
		}
		ok(http.MethodPost, req+"/advice/"+ep["id"].(string)+"/received", map[string]any{"received_on": "2026-03-20"})
		r = ok(http.MethodPost, req+"/advice/"+med["id"].(string)+"/received", map[string]any{"received_on": "2026-04-01"})
		for i, want := range []string{"met_on_time", "met_late"} {
			if got := r["advice"].([]any)[i].(map[string]any)["deadline"].(map[string]any)["status"]; got != want {
				t.Errorf("advice %d: %v, want %s", i, got, want)
			}
		}
		e.do(http.MethodPost, req+"/advice/"+med["id"].(string)+"/received", e.officer, map[string]any{"received_on": "2026-04-02"}).
			problem(t, http.StatusConflict)

		// The decision to issue: the no-plan notice no longer applies.
		r = ok(http.MethodPost, req+"/decision-to-issue", map[string]any{"decision": "issue", "decided_on": "2026-04-06", "reason": "Needs call for a plan."})
		if r["status"] != "plan_drafting" || r["assessment_outcome"] != "A" || status(r["deadlines"].(map[string]any), "no_plan_notice") != "not_applicable" {
			t.Fatalf("after decision to issue: %s", mustJSON(r))
		}

		// The draft: section I must be blank; a second plan for the child is refused.
		draft := minimalSections()
		draft["i"] = placement
		p = e.do(http.MethodPost, "/v1/ehc-plans", e.officer, map[string]any{"young_person_id": f.child, "ehc_request_id": r["id"], "sections": draft}).
			problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/sections/i") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		pl := ok(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": f.child, "ehc_request_id": r["id"], "sections": minimalSections()})
		plan := "/v1/ehc-plans/" + pl["id"].(string)
		e.do(http.MethodPost, "/v1/ehc-plans", e.officer, map[string]any{"young_person_id": f.child, "sections": minimalSections()}).
			problem(t, http.StatusConflict)
		e.do(http.MethodPost, plan+"/issue", e.officer, map[string]any{"issued_on": "2026-04-09", "placement": placement}).problem(t, http.StatusConflict)
		pl = ok(http.MethodPost, plan+"/serve-draft", map[string]any{"served_on": "2026-04-10"})
		if v := pl["versions"].([]any)[0].(map[string]any); v["comments_due_on"] != "2026-04-24" || v["frozen"] != false {
			t.Fatalf("served draft: %v", v)
		}
		r = ok(http.MethodGet, req, nil)
		if d := r["deadlines"].(map[string]any)["draft_plan_target"].(map[string]any); d["completed_on"] != "2026-04-10" || d["status"] != "met_on_time" {
			t.Fatalf("draft target: %v", d)
		}

		// The final plan: not inside the comment period, and only with section I named.
		p = e.do(http.MethodPost, plan+"/issue", e.officer, map[string]any{"issued_on": "2026-04-20", "placement": placement}).
			problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/issued_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		p = e.do(http.MethodPost, plan+"/issue", e.officer, map[string]any{"issued_on": "2026-05-20"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/sections/i") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		pl = ok(http.MethodPost, plan+"/issue", map[string]any{"issued_on": "2026-05-20", "placement": placement})
		if pl["status"] != "issued" || pl["first_issued_on"] != "2026-05-20" || pl["in_force_version"] != 2.0 {
			t.Fatalf("issued: %s", mustJSON(pl))
		}
		if nr := pl["next_review"].(map[string]any); nr["due_on"] != "2027-05-19" {
			t.Fatalf("next review: %v", nr)
		}
		if v := pl["versions"].([]any)[1].(map[string]any); v["kind"] != "final" || v["frozen"] != true || v["sections"].(map[string]any)["i"] == nil {
			t.Fatalf("final version: %v", v)
		}
		r = ok(http.MethodGet, req, nil)
		if r["status"] != "plan_issued" || r["assessment_outcome"] != "Y" || r["assessment_outcome_date"] != "2026-05-20" ||
			status(r["deadlines"].(map[string]any), "final_plan") != "met_on_time" {
			t.Fatalf("request after issue: %s", mustJSON(r))
		}
		e.do(http.MethodPost, plan+"/draft", e.officer, map[string]any{"sections": minimalSections()}).problem(t, http.StatusConflict)

		// The first annual review, held early.
		reviews := ok(http.MethodGet, "/v1/annual-reviews?plan_id="+pl["id"].(string), nil)["items"].([]any)
		if len(reviews) != 1 || reviews[0].(map[string]any)["due_on"] != "2027-05-19" {
			t.Fatalf("reviews: %v", reviews)
		}
		review := "/v1/annual-reviews/" + reviews[0].(map[string]any)["id"].(string)
		rv := ok(http.MethodPost, review+"/meeting", map[string]any{"meeting_on": "2026-11-02", "papers_sent_on": "2026-10-26",
			"attendees":   []any{map[string]any{"role": "parent"}, map[string]any{"role": "setting", "organisation_id": e.school}},
			"child_views": "I want to go to the big school.", "recommendation": "amend", "report_sent_on": "2026-11-10"})
		dl := rv["deadlines"].(map[string]any)
		for name, want := range map[string][2]string{"review": {"2027-05-19", "met_on_time"}, "papers": {"2026-10-19", "met_late"},
			"report": {"2026-11-16", "met_on_time"}} {
			if m := dl[name].(map[string]any); m["due_on"] != want[0] || m["status"] != want[1] {
				t.Errorf("review %s: %v, want %v", name, m, want)
			}
		}
		if m := dl["decision"].(map[string]any); m["due_on"] != "2026-11-30" {
			t.Errorf("review decision due: %v", m)
		}
		rv = ok(http.MethodPost, review+"/decision", map[string]any{"decision": "amend", "decided_on": "2026-11-16", "reason": "New therapy advice."})
		if rv["status"] != "decided" || status(rv["deadlines"].(map[string]any), "decision") != "met_on_time" {
			t.Fatalf("decided review: %s", mustJSON(rv))
		}
		pl = ok(http.MethodGet, plan, nil)
		if pl["last_reviewed_on"] != "2026-11-16" || pl["next_review"].(map[string]any)["due_on"] != "2027-11-15" {
			t.Fatalf("plan after review: %v %v", pl["last_reviewed_on"], pl["next_review"])
		}

		// The amendment, following the review; the family agreed before their 15 days were up.
		amended := minimalSections()
		amended["f"] = []any{map[string]any{"ref": "F1", "what": "Speech and language therapy programme", "who": "NHS speech and language therapist",
			"how_often": "Twice weekly, 30 minutes", "how_long": "Three school terms", "outcomes": []any{"E1"}}}
		amended["i"] = placement
		pl = ok(http.MethodPost, plan+"/amendments", map[string]any{"notice_on": "2026-11-17", "reason": "Therapy doubled after review.",
			"annual_review_id": reviews[0].(map[string]any)["id"], "sections": amended})
		v := pl["versions"].([]any)[2].(map[string]any)
		if v["kind"] != "amendment_proposal" || v["comments_due_on"] != "2026-12-01" || v["amendment_final"].(map[string]any)["due_on"] != "2027-01-12" {
			t.Fatalf("proposal: %v", v)
		}
		e.do(http.MethodPost, plan+"/amendments", e.officer, map[string]any{"notice_on": "2026-11-18", "reason": "Again.", "sections": amended}).
			problem(t, http.StatusConflict)
		pl = ok(http.MethodPost, plan+"/issue", map[string]any{"issued_on": "2026-11-20", "family_agreed_early": true})
		v = pl["versions"].([]any)[3].(map[string]any)
		if v["kind"] != "amended_final" || v["in_force"] != true || pl["in_force_version"] != 4.0 || pl["last_issued_on"] != "2026-11-20" ||
			v["amendment_final"].(map[string]any)["status"] != "met_on_time" {
			t.Fatalf("amended final: %s", mustJSON(v))
		}
		if old := pl["versions"].([]any)[1].(map[string]any); old["in_force"] != false || old["frozen"] != true {
			t.Fatalf("superseded final: %v", old)
		}

		// Cessation: held in force while the appeal window is open; the next review lapses.
		p = e.do(http.MethodPost, plan+"/cease", e.officer, map[string]any{"decided_on": "2026-11-21", "reason": "2", "appeal_rights_notified": true,
			"ceases_on": "2026-12-01"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/ceases_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		pl = ok(http.MethodPost, plan+"/cease", map[string]any{"decided_on": "2026-11-21", "reason": "2", "appeal_rights_notified": true})
		c := pl["cessation"].(map[string]any)
		if pl["status"] != "ceasing" || c["ceases_on"] != "2027-01-22" || pl["in_force_version"] != 4.0 {
			t.Fatalf("ceasing: %s", mustJSON(pl))
		}
		next := ok(http.MethodGet, "/v1/annual-reviews?plan_id="+pl["id"].(string)+"&status=cancelled", nil)["items"].([]any)
		if len(next) != 1 || next[0].(map[string]any)["sequence"] != 2.0 {
			t.Fatalf("cancelled reviews: %v", next)
		}

		// The family appeals the decision to cease.
		d := ok(http.MethodPost, "/v1/disputes", map[string]any{"kind": "tribunal", "subject_type": "ehc_plan", "subject_id": pl["id"], "about": "cease",
			"brought_by": "parent", "received_on": "2026-11-22", "decision_letter_on": "2026-11-21"})
		if d["appeal_deadline"] != "2027-01-21" || d["young_person_id"] != f.child {
			t.Fatalf("appeal: %s", mustJSON(d))
		}

		// The timeline tells the story in order.
		tl := ok(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?limit=100", nil)["items"].([]any)
		kinds := map[string]bool{}
		for _, it := range tl {
			kinds[it.(map[string]any)["kind"].(string)] = true
		}
		for _, k := range []string{"ehc_request.received", "ehc_request.advice_received", "ehc_plan.draft_served", "ehc_plan.issued",
			"annual_review.decided", "ehc_plan.amendment_proposed", "ehc_plan.ceasing"} {
			if !kinds[k] {
				t.Errorf("timeline lacks %s", k)
			}
		}
	})
}
