package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// withDraftServedToday: a draft plan served today, so the family's 15 days are open.
func withDraftServedToday(e *env, f *fixture) {
	withDraftPlan(e, f)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/serve-draft", map[string]any{"served_on": daysAgo(0)}, http.StatusOK)
}

// TestFamilyViewsOnDraft: within the 15 days after a draft is served (Reg 13(1)) the family give
// their views and name a school, and ask for a meeting; the SEND team may record views given to
// them. The views are listed on the plan, the meeting request is on the SEND team's worklist, the
// timeline and outbox carry them. Another family sees nothing; a closed or unopened window is 409.
func TestFamilyViewsOnDraft(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f, g := e.fixture(), e.fixture()
		withDraftServedToday(e, &f)
		plan := f.feedback
		family := "Bearer " + e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		otherFamily := "Bearer " + e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{g.child}})
		give := func(auth string, body any) reply {
			return e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/family-views", "", body, "Authorization", auth)
		}
		views := map[string]any{"views": "Section E should say he needs help at lunchtimes too.",
			"preferred_setting": map[string]any{"name": "Riverside Primary School", "urn": "123456", "type": "mainstream_school"}, "wants_meeting": true}
		r := give(family, views)
		if r.status != http.StatusCreated {
			t.Fatalf("the family's views: %d %s", r.status, r.body)
		}
		v := r.json(t)
		due := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
		if v["given_by"] != "family" || v["draft_version"] != 1.0 || v["wants_meeting"] != true || v["comments_due_on"] != due ||
			v["preferred_setting"].(map[string]any)["urn"] != "123456" || v["ehc_plan_id"] != plan {
			t.Errorf("views: %v", v)
		}
		// The SEND team records views the family gave on the phone.
		o := e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/family-views", e.officer, map[string]any{"views": "Mum rang: happy with section F."})
		if o.status != http.StatusCreated || o.json(t)["given_by"] != "officer" {
			t.Fatalf("the officer's record: %d %s", o.status, o.body)
		}

		// Refusals: another family's child is not found; a practitioner may not; the field is named.
		give(otherFamily, views).problem(t, http.StatusNotFound)
		e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/family-views", e.practitioner, views).problem(t, http.StatusForbidden)
		if p := give(family, map[string]any{"views": "   "}).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/views") {
			t.Errorf("blank views: %+v", pointers(p))
		}
		give(family, map[string]any{"views": "Yes.", "preferred_setting": map[string]any{"name": "Oak", "urn": "12"}}).problem(t, http.StatusBadRequest)

		// Listed on the plan for the family and the SEND team; nothing for another family.
		if n := len(items(t, e.do(http.MethodGet, "/v1/family-views?ehc_plan_id="+plan, "", nil, "Authorization", family))); n != 2 {
			t.Errorf("the family lists %d views, want 2", n)
		}
		if n := len(items(t, e.do(http.MethodGet, "/v1/family-views?ehc_plan_id="+plan, "", nil, "Authorization", otherFamily))); n != 0 {
			t.Errorf("another family lists %d views", n)
		}
		if n := len(items(t, e.do(http.MethodGet, "/v1/family-views?ehc_plan_id="+plan, e.outsider, nil))); n != 0 {
			t.Errorf("an uninvolved practitioner lists %d views", n)
		}
		// The meeting asked for is on the SEND team's worklist.
		work := items(t, e.do(http.MethodGet, "/v1/family-views?wants_meeting=true&young_person_id="+f.child, e.officer, nil))
		if len(work) != 1 || work[0].(map[string]any)["id"] != v["id"] {
			t.Errorf("worklist: %v", work)
		}

		// Timeline and outbox.
		kinds := map[string]int{}
		for _, it := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?limit=200", e.officer, nil)) {
			kinds[it.(map[string]any)["kind"].(string)]++
		}
		if kinds["ehc_plan.family_views_given"] != 2 {
			t.Errorf("timeline: %v", kinds)
		}
		events, err := outboxOf(e, plan)
		if err != nil || !events["ehc_plan.family_views_given"] {
			t.Errorf("outbox: %v %v", events, err)
		}

		// Outside the window: a draft served 25 days ago, and a draft never served.
		withServedDraft(e, &g)
		late := e.do(http.MethodPost, "/v1/ehc-plans/"+g.feedback+"/family-views", "", map[string]any{"views": "Too late?"}, "Authorization", otherFamily)
		late.problem(t, http.StatusConflict)
		h := e.fixture()
		withDraftPlan(e, &h)
		e.do(http.MethodPost, "/v1/ehc-plans/"+h.feedback+"/family-views", e.officer, map[string]any{"views": "Early."}).problem(t, http.StatusConflict)
	})
}

// TestFamilySummary: the family reads what happens next for their own child in plain words, with
// the API's own dates and no notes; another family's child is not found.
func TestFamilySummary(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f, g := e.fixture(), e.fixture()
		withDraftServedToday(e, &f)
		// A note only professionals should read, on the request.
		secret := "Internal: mum finds meetings difficult"
		r := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": g.child, "received_on": daysAgo(0),
			"requested_by": "school_or_college", "notes": secret}, http.StatusCreated)
		family := "Bearer " + e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		otherFamily := "Bearer " + e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{g.child}})

		res := e.do(http.MethodGet, "/v1/young-people/"+f.child+"/family-summary", "", nil, "Authorization", family)
		if res.status != http.StatusOK {
			t.Fatalf("summary: %d %s", res.status, res.body)
		}
		s := res.json(t)
		plans := s["plans"].([]any)
		due := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
		if len(plans) != 1 || plans[0].(map[string]any)["comments_open_until"] != due || len(s["requests"].([]any)) != 1 {
			t.Fatalf("summary: %s", res.body)
		}
		plan := e.mustDo(http.MethodGet, "/v1/ehc-plans/"+f.feedback, nil, http.StatusOK)
		versions := plan["versions"].([]any)
		if served := versions[len(versions)-1].(map[string]any); served["comments_due_on"] != due {
			t.Errorf("the plan says comments are due %v, the summary %s", served["comments_due_on"], due)
		}
		upcoming := s["upcoming"].([]any)
		if first := upcoming[0].(map[string]any); first["what"] != "comments_due" || first["on"] != due || first["explanation"] == "" {
			t.Errorf("upcoming: %v", upcoming)
		}

		// The other family's summary holds their request, never its notes.
		o := e.do(http.MethodGet, "/v1/young-people/"+g.child+"/family-summary", "", nil, "Authorization", otherFamily)
		if o.status != http.StatusOK || strings.Contains(string(o.body), secret) || strings.Contains(string(o.body), "school_or_college") {
			t.Fatalf("other summary: %d %s", o.status, o.body)
		}
		if reqs := o.json(t)["requests"].([]any); len(reqs) != 1 || reqs[0].(map[string]any)["id"] != r["id"] {
			t.Errorf("requests: %v", reqs)
		}
		// Neither family sees the other's child.
		e.do(http.MethodGet, "/v1/young-people/"+g.child+"/family-summary", "", nil, "Authorization", family).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/young-people/"+f.child+"/family-summary", "", nil, "Authorization", otherFamily).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/young-people/"+f.child+"/family-summary", e.outsider, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/young-people/"+f.child+"/family-summary", e.admin, nil).problem(t, http.StatusForbidden)
	})
}
