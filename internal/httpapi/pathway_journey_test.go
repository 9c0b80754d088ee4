package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPathwayJourney runs the Salford pathway end to end over HTTP: referral, triage, family
// assessment, allocation meeting and engagement lead, MAM with the family, MAP, plan, feedback,
// review and closure; once on the family-assessment route and once on the safeguarding route.
func TestPathwayJourney(t *testing.T) {
	for _, safeguarding := range []bool{false, true} {
		name := "family_assessment"
		if safeguarding {
			name = "safeguarding_assessment"
		}
		t.Run(name, func(t *testing.T) {
			each(t, func(t *testing.T, e *env) { journey(t, e, safeguarding) })
		})
	}
}

func journey(t *testing.T, e *env, safeguarding bool) {
	today := time.Now().Format("2006-01-02")
	must := func(r reply, status int) map[string]any {
		t.Helper()
		if r.status != status {
			t.Fatalf("%d, want %d: %s", r.status, status, r.body)
		}
		return r.json(t)
	}
	in := child(7)
	in.NHSNumber, in.UPN = nil, nil
	kid := e.youngPerson(e.officer, in)
	body := map[string]any{"young_person_id": kid, "referrer_practitioner_id": e.schoolSENCO, "reasons": []string{"speech_language"},
		"services_involved": []string{"school", "speech_and_language_therapy"}, "safeguarding_concern": safeguarding}
	if !safeguarding {
		body["consent"] = map[string]any{"given_by": "Jo Example", "relationship": "parent", "given_on": today}
	}
	ref := must(e.do(http.MethodPost, "/v1/referrals", e.officer, body), http.StatusCreated)["id"].(string)
	r := "/v1/referrals/" + ref
	tri := must(e.do(http.MethodPost, r+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "Meets the pathway."}), http.StatusOK)
	wantRoute := map[bool]string{false: "family_assessment", true: "safeguarding_assessment"}[safeguarding]
	if tri["route"] != wantRoute {
		t.Fatalf("route %v", tri["route"])
	}

	// Family assessment (a CAFA on the safeguarding route), submitted.
	fa := must(e.do(http.MethodPost, "/v1/family-assessments", e.officer, map[string]any{"referral_id": ref,
		"sections": map[string]any{"child_voice": "I like trains.", "family_views": map[string]any{"what_matters": "Being understood."}}}), http.StatusCreated)
	if fa["kind"] != wantRoute {
		t.Fatalf("assessment kind %v", fa["kind"])
	}
	must(e.do(http.MethodPost, "/v1/family-assessments/"+fa["id"].(string)+"/submit", e.officer, nil), http.StatusOK)
	if s := must(e.do(http.MethodGet, r, e.officer, nil), http.StatusOK)["status"]; s != "assessing" {
		t.Fatalf("status after assessment: %v", s)
	}

	// Allocation meeting names the engagement lead: a social worker when safeguarding.
	must(e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": ref, "type": "allocation", "held_on": today,
		"decisions": []string{"Lead allocated."}}), http.StatusCreated)
	lead := e.lead
	if safeguarding {
		e.do(http.MethodPost, r+"/allocation", e.officer, map[string]any{"practitioner_id": e.lead, "reason": "x"}).problem(t, http.StatusUnprocessableEntity)
		lead = e.socialWorker()
	}
	al := must(e.do(http.MethodPost, r+"/allocation", e.officer, map[string]any{"practitioner_id": lead, "reason": "Knows the family."}), http.StatusOK)
	if al["status"] != "allocated" || al["engagement_lead_practitioner_id"] != lead {
		t.Fatalf("allocation: %v", al)
	}

	// MAM with the family and the child's views; an action for the lead.
	mam := must(e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": ref, "type": "mam", "held_on": today,
		"attendees": []any{map[string]any{"kind": "practitioner", "practitioner_id": lead}, map[string]any{"kind": "family_member", "name": "Jo Example", "relationship": "mother"},
			map[string]any{"kind": "child_young_person", "name": "Amelia", "how": "views_shared_beforehand"}},
		"family_said": "One plan, please.", "decisions": []string{"SALT block"},
		"actions": []any{map[string]any{"what": "Refer to SALT clinic", "owner_practitioner_id": lead, "due_on": today}}}), http.StatusCreated)
	if s := must(e.do(http.MethodGet, r, e.officer, nil), http.StatusOK)["status"]; s != "mam_held" {
		t.Fatalf("status after MAM: %v", s)
	}
	actions := items(t, e.do(http.MethodGet, "/v1/actions?owner="+lead+"&status=open", e.officer, nil))
	if len(actions) != 1 {
		t.Fatalf("actions: %v", actions)
	}
	must(e.do(http.MethodPost, "/v1/actions/"+actions[0].(map[string]any)["id"].(string)+"/complete", e.officer, map[string]any{"note": "Referred."}), http.StatusOK)

	// MAP for a high-cost option, then the plan.
	must(e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": ref, "type": "map", "held_on": today,
		"map_decision": map[string]any{"solution": "Resource base place", "cost_band": "20k_to_50k", "outcome": "approved"}}), http.StatusCreated)
	if s := must(e.do(http.MethodGet, r, e.officer, nil), http.StatusOK)["status"]; s != "panel" {
		t.Fatalf("status after MAP: %v", s)
	}
	must(e.do(http.MethodPost, r+"/transitions", e.officer, map[string]any{"to": "plan_in_place", "reason": "Panel approved."}), http.StatusOK)

	// Feedback from the lead, the family and the child; then review and closure.
	fb := must(e.do(http.MethodPost, "/v1/pathway-feedback", e.officer, map[string]any{"referral_id": ref, "from": "professional", "practitioner_id": lead,
		"working_well": "One plan.", "outcome_ratings": []any{map[string]any{"outcome": "Can ask for help", "rating": 4}}}), http.StatusCreated)
	if fb["professional_role"] != "engagement_lead" {
		t.Fatalf("professional role: %v", fb["professional_role"])
	}
	must(e.do(http.MethodPost, "/v1/pathway-feedback", e.officer, map[string]any{"referral_id": ref, "meeting_id": mam["id"], "from": "family",
		"working_well": "We were listened to."}), http.StatusCreated)
	parent := "Bearer " + e.idp.token(t, "family", e.council, map[string]any{"oneplan_young_people": []string{kid}})
	must(e.do(http.MethodPost, "/v1/pathway-feedback", "", map[string]any{"referral_id": ref, "from": "child_young_person", "working_well": "Trains!"},
		"Authorization", parent), http.StatusCreated)
	must(e.do(http.MethodPost, r+"/transitions", e.officer, map[string]any{"to": "reviewing", "reason": "Six-week review."}), http.StatusOK)
	closed := must(e.do(http.MethodPost, r+"/close", e.officer, map[string]any{"outcome": "needs_met", "reason": "Outcomes met."}), http.StatusOK)
	if closed["status"] != "closed" {
		t.Fatalf("closed: %v", closed)
	}
	e.do(http.MethodPost, r+"/transitions", e.officer, map[string]any{"to": "reviewing", "reason": "x"}).problem(t, http.StatusConflict)

	// The timeline tells the whole story, in order, and the family can read it.
	var kinds []string
	for _, ev := range items(t, e.do(http.MethodGet, "/v1/young-people/"+kid+"/timeline?limit=200", "", nil, "Authorization", parent)) {
		kinds = append(kinds, ev.(map[string]any)["kind"].(string))
	}
	story := strings.Join(kinds, " ")
	for _, step := range []string{"referral.received", "referral.triaged", "assessment.started", "assessment.submitted", "meeting.held",
		"referral.allocated", "referral.mam_held", "action.completed", "referral.panel", "referral.plan_in_place", "feedback.given",
		"referral.reviewing", "referral.closed"} {
		i := strings.Index(story, step)
		if i < 0 {
			t.Fatalf("timeline lacks %s: %s", step, story)
		}
		story = story[i:]
	}
	// A subject access export holds the whole pathway.
	x := must(e.do(http.MethodGet, "/v1/young-people/"+kid+"/export", e.officer, nil), http.StatusOK)
	for field, n := range map[string]int{"referrals": 1, "allocations": 1, "family_assessments": 1, "meetings": 3, "pathway_feedback": 3} {
		if got := len(x[field].([]any)); got != n {
			t.Errorf("export %s: %d, want %d", field, got, n)
		}
	}
	for _, secret := range []string{"Jo Example", "I like trains", "One plan"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("log output contains %q", secret)
		}
	}
}
