package httpapi_test

import (
	"net/http"
	"strconv"
	"sync/atomic"
)

// The built-in instruments (internal/survey.BuiltIns).
const (
	parentTemplate       = "0190a5e0-0000-7000-8000-000000000001"
	professionalTemplate = "0190a5e0-0000-7000-8000-000000000002"
)

var codes atomic.Int64

// uniqueCode is a template code no other test in this process has used.
func uniqueCode() string { return "council_survey_" + strconv.FormatInt(codes.Add(1), 10) }

// surveyTemplateBody is a council's own template: a transition engagement survey.
func surveyTemplateBody(code string) map[string]any {
	return map[string]any{"code": code, "name": "Transition engagement", "audience": "child_young_person", "questions": []map[string]any{
		{"id": "felt_prepared", "text": "I feel ready for what comes next", "type": "likert_5", "required": true},
		{"id": "met_adult_team", "text": "I have met someone from adult services", "type": "yes_no", "required": true},
		{"id": "next_step", "text": "What comes next for you?", "type": "choice", "options": []string{"college", "work", "apprenticeship", "not sure"}},
		{"id": "anything_else", "text": "Anything else?", "type": "text"},
	}}
}

// parentAnswers answers the parent and carer instrument's four scored questions.
func parentAnswers(listened, involved, understood, trust int) []map[string]any {
	return []map[string]any{{"question_id": "listened_to", "value": listened}, {"question_id": "involved_in_decisions", "value": involved},
		{"question_id": "understood", "value": understood}, {"question_id": "confidence_and_trust", "value": trust}}
}

// parentResponse is a parent's response about a referral after the MAM.
func parentResponse(referralID string, listened, involved, understood, trust int) map[string]any {
	return map[string]any{"template_id": parentTemplate, "point": "after_mam", "referral_id": referralID,
		"answers": parentAnswers(listened, involved, understood, trust)}
}

func withSurveyTemplate(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/survey-templates", surveyTemplateBody(uniqueCode()), http.StatusCreated)["id"].(string)
}

func withSurveyResponse(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/survey-responses", parentResponse(f.referral, 5, 4, 4, 5), http.StatusCreated)["id"].(string)
}

func withSurveyInvitation(e *env, f *fixture) {
	r := e.mustDo(http.MethodPost, "/v1/survey-invitations", map[string]any{"template_id": parentTemplate, "point": "at_closure",
		"referral_id": f.referral}, http.StatusCreated)
	f.token = r["token"].(string)
	f.feedback = r["invitation"].(map[string]any)["id"].(string)
}
