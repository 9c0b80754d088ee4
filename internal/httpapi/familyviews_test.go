package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/httpapi"
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

		// The subject access export holds them.
		x := e.do(http.MethodGet, "/v1/young-people/"+f.child+"/export", "", nil, "Authorization", family)
		if x.status != http.StatusOK || len(x.json(t)["ehc_plan_family_views"].([]any)) != 2 {
			t.Errorf("export: %d %.300s", x.status, x.body)
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

// TestFamilyInvitationLinks: a family without an account acts through a link the council made:
// views on the draft through a give_views link, an assessment request through a request_assessment
// link; each link once (409 after), for its own purpose only (409), and not after its last day
// (410). A refused action leaves the link unused. The link names no child.
func TestFamilyInvitationLinks(t *testing.T) {
	clock := &svClock{}
	each(t, func(t *testing.T, e *env) {
		clock.set(time.Time{})
		f, g := e.fixture(), e.fixture()
		withDraftServedToday(e, &f)
		invite := func(key string, body map[string]any) reply {
			return e.do(http.MethodPost, "/v1/family-invitations", key, body)
		}
		r := invite(e.officer, map[string]any{"young_person_id": f.child, "purpose": "give_views", "ehc_plan_id": f.feedback})
		if r.status != http.StatusCreated {
			t.Fatalf("invitation: %d %s", r.status, r.body)
		}
		views := r.json(t)
		token := views["token"].(string)
		if views["status"] != "pending" || views["link_path"] != "/v1/family-links/"+token {
			t.Errorf("invitation: %v", views)
		}
		// The link, with no credentials: the purpose and the comment period, no child.
		link := e.do(http.MethodGet, "/v1/family-links/"+token, "", nil)
		if link.status != http.StatusOK || link.json(t)["comments_due_on"] != time.Now().AddDate(0, 0, 14).Format("2006-01-02") ||
			strings.Contains(string(link.body), f.child) {
			t.Fatalf("link: %d %s", link.status, link.body)
		}
		e.do(http.MethodPost, "/v1/family-links/"+token+"/ehc-request", "", map[string]any{"requested_by": "parent"}).problem(t, http.StatusConflict)
		if p := e.do(http.MethodPost, "/v1/family-links/"+token+"/family-views", "", map[string]any{"views": " "}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/views") {
			t.Errorf("blank views: %v", pointers(p))
		}
		give := e.do(http.MethodPost, "/v1/family-links/"+token+"/family-views", "", map[string]any{"views": "We would like Riverside Primary.",
			"preferred_setting": map[string]any{"name": "Riverside Primary School"}, "wants_meeting": true})
		if give.status != http.StatusCreated {
			t.Fatalf("views by link: %d %s", give.status, give.body)
		}
		e.do(http.MethodPost, "/v1/family-links/"+token+"/family-views", "", map[string]any{"views": "Again."}).problem(t, http.StatusConflict)
		e.do(http.MethodGet, "/v1/family-links/"+token, "", nil).problem(t, http.StatusConflict)
		listed := items(t, e.do(http.MethodGet, "/v1/family-views?ehc_plan_id="+f.feedback, e.officer, nil))
		if len(listed) != 1 || listed[0].(map[string]any)["given_by"] != "family" || listed[0].(map[string]any)["wants_meeting"] != true {
			t.Errorf("views given by link: %v", listed)
		}
		events, err := outboxOf(e, views["id"].(string))
		if err != nil || !events["family_invitation.created"] || !events["family_invitation.used"] {
			t.Errorf("invitation events: %v %v", events, err)
		}

		// An assessment request through a link: received today, the clock started.
		ask := invite(e.practitioner, map[string]any{"young_person_id": g.child, "purpose": "request_assessment"}).json(t)["token"].(string)
		e.do(http.MethodPost, "/v1/family-links/"+ask+"/ehc-request", "", map[string]any{"requested_by": "school_or_college"}).problem(t, http.StatusBadRequest)
		req := e.do(http.MethodPost, "/v1/family-links/"+ask+"/ehc-request", "", map[string]any{"requested_by": "parent", "notes": "We are worried."})
		if req.status != http.StatusCreated || req.json(t)["received_on"] != time.Now().UTC().Format("2006-01-02") ||
			!strings.Contains(req.json(t)["what_happens_next"].(string), "deciding whether") {
			t.Fatalf("request by link: %d %s", req.status, req.body)
		}
		if got := items(t, e.do(http.MethodGet, "/v1/ehc-needs-assessments?young_person_id="+g.child, e.officer, nil)); len(got) != 1 ||
			got[0].(map[string]any)["requested_by"] != "parent" {
			t.Errorf("requests: %v", got)
		}
		e.do(http.MethodPost, "/v1/family-links/"+ask+"/ehc-request", "", map[string]any{"requested_by": "parent"}).problem(t, http.StatusConflict)

		// Refusals when inviting: another child, another child's plan, a role that may not.
		invite(e.outsider, map[string]any{"young_person_id": f.child, "purpose": "request_assessment"}).problem(t, http.StatusUnprocessableEntity)
		if p := invite(e.officer, map[string]any{"young_person_id": g.child, "purpose": "give_views", "ehc_plan_id": f.feedback}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/ehc_plan_id") {
			t.Errorf("another child's plan: %v", pointers(p))
		}
		invite(e.panel, map[string]any{"young_person_id": f.child, "purpose": "request_assessment"}).problem(t, http.StatusForbidden)
		e.do(http.MethodGet, "/v1/family-links/ofi_"+strings.Repeat("A", 43), "", nil).problem(t, http.StatusNotFound)

		// Past the end of its last day, a link is gone.
		late := invite(e.officer, map[string]any{"young_person_id": g.child, "purpose": "request_assessment",
			"expires_on": time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")}).json(t)
		expires, err := time.Parse(time.RFC3339, late["expires_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		clock.set(expires)
		e.do(http.MethodGet, "/v1/family-links/"+late["token"].(string), "", nil).problem(t, http.StatusGone)
		e.do(http.MethodPost, "/v1/family-links/"+late["token"].(string)+"/ehc-request", "", map[string]any{"requested_by": "parent"}).
			problem(t, http.StatusGone)
	}, func(_ *httpapi.Options, c *app.Options) { c.Clock = clock.now })
}

// withAssessmentInvitation: a link for the family to request an assessment; its token in f.token.
func withAssessmentInvitation(e *env, f *fixture) {
	f.token = e.mustDo(http.MethodPost, "/v1/family-invitations", map[string]any{"young_person_id": f.child, "purpose": "request_assessment"},
		http.StatusCreated)["token"].(string)
}

// withViewsInvitation: a served draft and a link for the family to give views on it.
func withViewsInvitation(e *env, f *fixture) {
	withDraftServedToday(e, f)
	f.token = e.mustDo(http.MethodPost, "/v1/family-invitations", map[string]any{"young_person_id": f.child, "purpose": "give_views",
		"ehc_plan_id": f.feedback}, http.StatusCreated)["token"].(string)
}
