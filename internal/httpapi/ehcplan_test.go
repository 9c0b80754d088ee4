package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

func daysAgo(n int) string { return time.Now().AddDate(0, 0, -n).Format("2006-01-02") }

// minimalSections is a draft good enough to become a final once section I is named.
func minimalSections() map[string]any {
	return map[string]any{
		"a": map[string]any{"views": "I like trains and drawing.", "aspirations": "To read by myself.", "whose_words": "child_young_person"},
		"b": []any{map[string]any{"ref": "B1", "sen_type": "SLCN", "rank": 1, "description": "Difficulty understanding spoken language."}},
		"e": []any{map[string]any{"ref": "E1", "description": "Follows two-step instructions in class by July.", "needs": []any{"B1"}}},
		"f": []any{map[string]any{"ref": "F1", "what": "Speech and language therapy programme", "who": "NHS speech and language therapist",
			"how_often": "Weekly, 30 minutes", "how_long": "Two school terms", "outcomes": []any{"E1"}}},
	}
}

var placement = map[string]any{"setting_name": "Oak Primary School", "setting_type": "mainstream_school", "urn": "123456"}

// The setups below walk a request through the statutory process as the SEND officer. The record
// the row acts on rides in the fixture's feedback slot; an advice id in the action slot.

func withAssessing(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child,
		"received_on": daysAgo(60), "requested_by": "parent"}, http.StatusCreated)["id"].(string)
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/decision-to-assess", map[string]any{"decision": "assess",
		"decided_on": daysAgo(40), "reason": "May need a plan."}, http.StatusOK)
}

func withAdvice(e *env, f *fixture) {
	withAssessing(e, f)
	r := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": "educational_psychologist",
		"requested_on": daysAgo(39)}, http.StatusOK)
	f.action = r["advice"].([]any)[0].(map[string]any)["id"].(string)
}

func withPlanDrafting(e *env, f *fixture) {
	withAssessing(e, f)
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/decision-to-issue", map[string]any{"decision": "issue",
		"decided_on": daysAgo(30), "reason": "Needs call for a plan."}, http.StatusOK)
}

func withDraftPlan(e *env, f *fixture) {
	withPlanDrafting(e, f)
	f.feedback = e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": f.child, "ehc_request_id": f.feedback,
		"sections": minimalSections()}, http.StatusCreated)["id"].(string)
}

func withServedDraft(e *env, f *fixture) {
	withDraftPlan(e, f)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/serve-draft", map[string]any{"served_on": daysAgo(25)}, http.StatusOK)
}

func withIssuedPlan(e *env, f *fixture) {
	withServedDraft(e, f)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/issue", map[string]any{"issued_on": daysAgo(5), "placement": placement}, http.StatusOK)
}

func withReview(e *env, f *fixture) {
	withIssuedPlan(e, f)
	page := e.mustDo(http.MethodGet, "/v1/annual-reviews?plan_id="+f.feedback, nil, http.StatusOK)
	f.feedback = page["items"].([]any)[0].(map[string]any)["id"].(string)
}

func withHeldReview(e *env, f *fixture) {
	withReview(e, f)
	e.mustDo(http.MethodPost, "/v1/annual-reviews/"+f.feedback+"/meeting", map[string]any{"meeting_on": daysAgo(1),
		"attendees": []any{map[string]any{"role": "parent"}}, "recommendation": "maintain"}, http.StatusOK)
}

// planRun: the SEND team and the engagement lead run the statutory process.
var planRun = pathwayRun

func TestEHCPlanSetupsWork(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withHeldReview(e, &f)
	})
}
