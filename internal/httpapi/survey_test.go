package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
)

const (
	svTemplates   = "/v1/survey-templates"
	svResponses   = "/v1/survey-responses"
	svInvitations = "/v1/survey-invitations"
	svLinks       = "/v1/survey-links/"
)

// svPost posts body as key and requires status, returning the answer's body.
func (e *env) svPost(key, path string, body any, status int) map[string]any {
	e.t.Helper()
	r := e.do(http.MethodPost, path, key, body)
	if r.status != status {
		e.t.Fatalf("POST %s: %d, want %d: %s", path, r.status, status, r.body)
	}
	return r.json(e.t)
}

// svGet reads path as key and requires a 200.
func (e *env) svGet(key, path string) map[string]any {
	e.t.Helper()
	r := e.do(http.MethodGet, path, key, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return r.json(e.t)
}

// svRefused requires a problem with status holding a field error at pointer whose detail has
// every one of want (one error when several share the pointer), and returns the problem.
func svRefused(t *testing.T, r reply, status int, pointer string, want ...string) api.Problem {
	t.Helper()
	p := r.problem(t, status)
	var details []string
	if p.Errors != nil {
		for _, f := range *p.Errors {
			if f.Pointer == pointer {
				details = append(details, f.Detail)
			}
		}
	}
	if len(details) == 0 {
		t.Fatalf("no field error at %s: %v: %s", pointer, pointers(p), r.body)
	}
	for _, d := range details {
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(d, w)
		}
		if ok {
			return p
		}
	}
	t.Fatalf("field errors at %s = %q, want one saying all of %q", pointer, details, want)
	return p
}

// svQuestionIDs lists the question ids of a template's version number (1-based) as answered.
func svQuestionIDs(t *testing.T, tpl map[string]any, number int) []string {
	t.Helper()
	for _, v := range tpl["versions"].([]any) {
		set := v.(map[string]any)
		if set["number"] != float64(number) {
			continue
		}
		var out []string
		for _, q := range set["questions"].([]any) {
			out = append(out, q.(map[string]any)["id"].(string))
		}
		return out
	}
	t.Fatalf("template %v has no version %d", tpl["id"], number)
	return nil
}

// svIDs lists the ids of a list's items, sorted.
func svIDs(list []any) []string {
	out := []string{}
	for _, v := range list {
		out = append(out, v.(map[string]any)["id"].(string))
	}
	slices.Sort(out)
	return out
}

func svSorted(s ...string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// transitionAnswers answer the council template of surveyTemplateBody, in its order.
func transitionAnswers() []map[string]any {
	return []map[string]any{{"question_id": "felt_prepared", "value": 4}, {"question_id": "met_adult_team", "value": true},
		{"question_id": "next_step", "value": "college"}, {"question_id": "anything_else", "value": "More visits, please."}}
}

// svInvite invites the family to answer a template about a referral as the SEND officer and
// returns the issued invitation's body.
func (e *env) svInvite(template, referralID string, extra map[string]any) map[string]any {
	e.t.Helper()
	body := map[string]any{"template_id": template, "point": "at_closure", "referral_id": referralID}
	for k, v := range extra {
		body[k] = v
	}
	return e.svPost(e.officer, svInvitations, body, http.StatusCreated)
}

// svAnswer is the body of an answer through a link.
func svAnswer(answers []map[string]any) map[string]any { return map[string]any{"answers": answers} }

// svAudits reads a record's audit events from the store (the trail's own query).
func (e *env) svAudits(recordID string) []audit.Event {
	e.t.Helper()
	var out []audit.Event
	err := e.st.Read(context.Background(), func(tx *store.Tx) (err error) {
		out, _, err = tx.AuditTrail().Events(audit.Filter{RecordID: recordID}, paging.Page{Limit: 200})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// svAuditsOf keeps the events with action.
func svAuditsOf(events []audit.Event, action string) []audit.Event {
	var out []audit.Event
	for _, ev := range events {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

// svTimeline lists the child's survey events on their timeline, as the SEND officer.
func (e *env) svTimeline(child string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, ev := range items(e.t, e.do(http.MethodGet, "/v1/young-people/"+child+"/timeline?limit=200", e.officer, nil)) {
		if m := ev.(map[string]any); m["kind"] == "survey_response.recorded" {
			out = append(out, m)
		}
	}
	return out
}

// svToday is the service's date today (UTC, as casework.Service.today reads it).
func svToday() time.Time {
	n := time.Now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// TestSurveyTemplates: the two built-in instruments are listed with their questions; a council
// adds its own (201 with Location and ETag "1", trimmed text), a taken code is 409 on /code,
// bad questions are 400s naming each one, a new version is published under If-Match (412 when
// stale), a question keeps its type across versions (422), and built-ins never change (409).
func TestSurveyTemplates(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		list := items(t, e.do(http.MethodGet, svTemplates, e.analyst, nil))
		byCode := map[string]map[string]any{}
		for _, it := range list {
			m := it.(map[string]any)
			byCode[m["code"].(string)] = m
		}
		if len(list) != 2 || len(byCode) != 2 {
			t.Fatalf("a fresh council lists the two built-ins only: %v", list)
		}
		parent, professional := byCode["parent_carer_experience"], byCode["professional_experience"]
		if parent == nil || parent["id"] != parentTemplate || parent["audience"] != "parent_carer" || parent["built_in"] != true ||
			parent["current_version"] != float64(1) || parent["version"] != float64(1) || parent["name"] != "Parent and carer experience" {
			t.Fatalf("parent and carer instrument: %v", parent)
		}
		if professional == nil || professional["id"] != professionalTemplate || professional["audience"] != "professional" ||
			professional["built_in"] != true || professional["current_version"] != float64(1) {
			t.Fatalf("professional instrument: %v", professional)
		}
		if got, want := svQuestionIDs(t, parent, 1), []string{"listened_to", "involved_in_decisions", "understood", "confidence_and_trust", "comments"}; !slices.Equal(got, want) {
			t.Fatalf("parent questions = %v, want %v", got, want)
		}
		if got, want := svQuestionIDs(t, professional, 1), []string{"information_sharing", "accessing_information", "mam_successful",
			"success_for_parents", "success_for_professionals", "comments"}; !slices.Equal(got, want) {
			t.Fatalf("professional questions = %v, want %v", got, want)
		}
		q0 := parent["versions"].([]any)[0].(map[string]any)["questions"].([]any)
		if first, last := q0[0].(map[string]any), q0[4].(map[string]any); first["type"] != "likert_5" || first["required"] != true ||
			last["type"] != "text" || last["required"] != false || last["options"] != nil {
			t.Fatalf("parent question types: %v %v", first, last)
		}
		only := items(t, e.do(http.MethodGet, svTemplates+"?audience=professional", e.officer, nil))
		if len(only) != 1 || only[0].(map[string]any)["id"] != professionalTemplate {
			t.Fatalf("audience filter: %v", only)
		}
		if got := items(t, e.do(http.MethodGet, svTemplates+"?audience=child_young_person", e.officer, nil)); len(got) != 0 {
			t.Fatalf("no child template yet: %v", got)
		}

		// A council's own: a transition engagement survey, created as data.
		code := uniqueCode()
		body := surveyTemplateBody(code)
		body["name"] = "  Transition engagement  "
		body["description"] = " Asked at 14+ reviews. "
		qs := body["questions"].([]map[string]any)
		qs[2]["options"] = []string{" college ", "work", "apprenticeship", "not sure"}
		qs[3]["text"] = "  Anything else?  "
		r := e.do(http.MethodPost, svTemplates, e.officer, body)
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		own := r.json(t)
		id := own["id"].(string)
		if r.header.Get("Location") != svTemplates+"/"+id || r.header.Get("ETag") != `"1"` {
			t.Fatalf("headers: Location %q ETag %q", r.header.Get("Location"), r.header.Get("ETag"))
		}
		if own["code"] != code || own["name"] != "Transition engagement" || own["description"] != "Asked at 14+ reviews." ||
			own["audience"] != "child_young_person" || own["built_in"] != false || own["current_version"] != float64(1) || own["version"] != float64(1) {
			t.Fatalf("created template: %v", own)
		}
		if got := svQuestionIDs(t, own, 1); !slices.Equal(got, []string{"felt_prepared", "met_adult_team", "next_step", "anything_else"}) {
			t.Fatalf("created questions: %v", got)
		}
		created := own["versions"].([]any)[0].(map[string]any)["questions"].([]any)
		if opts := created[2].(map[string]any)["options"].([]any); len(opts) != 4 || opts[0] != "college" {
			t.Fatalf("options are trimmed: %v", opts)
		}
		if created[3].(map[string]any)["text"] != "Anything else?" || created[3].(map[string]any)["required"] != false {
			t.Fatalf("question text is trimmed, required defaults to false: %v", created[3])
		}
		got := e.do(http.MethodGet, svTemplates+"/"+id, e.practitioner, nil)
		if got.status != http.StatusOK || got.header.Get("ETag") != `"1"` || !jsonEqual(t, svMicros(t, got.body), svMicros(t, r.body)) {
			t.Fatalf("read back: %d %s\nwant %s", got.status, got.body, r.body)
		}
		if n := len(items(t, e.do(http.MethodGet, svTemplates, e.officer, nil))); n != 3 {
			t.Fatalf("listed after create: %d", n)
		}

		// The code is the council's handle on it: taken is 409 naming /code, built-ins' codes too.
		svRefused(t, e.do(http.MethodPost, svTemplates, e.officer, surveyTemplateBody(code)), http.StatusConflict, "/code", "code")
		svRefused(t, e.do(http.MethodPost, svTemplates, e.officer, surveyTemplateBody("parent_carer_experience")), http.StatusConflict, "/code")

		// Questions the contract allows but the domain refuses: each named by its pointer.
		bad := surveyTemplateBody(uniqueCode())
		bad["questions"] = []map[string]any{
			{"id": "same", "text": "One", "type": "likert_5"},
			{"id": "same", "text": "Two", "type": "yes_no"},
			{"id": "pick", "text": "Three", "type": "choice", "options": []string{"Yes", "yes"}},
			{"id": "blank", "text": "   ", "type": "text"},
			{"id": "yn", "text": "Five", "type": "yes_no", "options": []string{"a", "b"}},
			{"id": "none", "text": "Six", "type": "choice"},
		}
		p := svRefused(t, e.do(http.MethodPost, svTemplates, e.officer, bad), http.StatusBadRequest, "/questions/1/id", "same", "/questions/0")
		for _, ptr := range []string{"/questions/2/options", "/questions/3/text", "/questions/4/options", "/questions/5/options"} {
			if !hasPointer(p, ptr) {
				t.Errorf("no error at %s: %v", ptr, pointers(p))
			}
		}
		if hasPointer(p, "/questions/0/id") || len(pointers(p)) != 5 {
			t.Errorf("only the faulty questions are named: %v", pointers(p))
		}
		// Shapes the contract refuses, by the same pointers.
		shape := surveyTemplateBody(uniqueCode())
		shape["questions"] = []map[string]any{{"id": "Bad Id", "text": "x", "type": "likert_5"}, {"id": "ok", "text": "x", "type": "stars"}}
		p = e.do(http.MethodPost, svTemplates, e.officer, shape).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/questions/0/id") || !hasPointer(p, "/questions/1/type") {
			t.Fatalf("schema pointers: %v", pointers(p))
		}
		empty := surveyTemplateBody(uniqueCode())
		empty["questions"] = []map[string]any{}
		if p := e.do(http.MethodPost, svTemplates, e.officer, empty).problem(t, http.StatusBadRequest); !hasPointer(p, "/questions") {
			t.Fatalf("no questions: %v", pointers(p))
		}
		if n := len(items(t, e.do(http.MethodGet, svTemplates, e.officer, nil))); n != 3 {
			t.Fatalf("refused templates were stored: %d listed", n)
		}

		// Version 2: the first question reworded, a new one added, the yes/no dropped.
		v2 := []map[string]any{
			{"id": "felt_prepared", "text": "I feel ready for adult life", "type": "likert_5", "required": true},
			{"id": "has_plan", "text": "I have a written transition plan", "type": "yes_no", "required": true},
		}
		vpath := svTemplates + "/" + id + "/versions"
		r = e.do(http.MethodPost, vpath, e.officer, map[string]any{"questions": v2}, "If-Match", `"1"`)
		if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
			t.Fatalf("version 2: %d %s (ETag %q)", r.status, r.body, r.header.Get("ETag"))
		}
		second := r.json(t)
		if second["current_version"] != float64(2) || second["version"] != float64(2) || len(second["versions"].([]any)) != 2 {
			t.Fatalf("after version 2: %v", second)
		}
		if got := svQuestionIDs(t, second, 1); !slices.Equal(got, []string{"felt_prepared", "met_adult_team", "next_step", "anything_else"}) {
			t.Fatalf("version 1 changed: %v", got)
		}
		if got := svQuestionIDs(t, second, 2); !slices.Equal(got, []string{"felt_prepared", "has_plan"}) {
			t.Fatalf("version 2: %v", got)
		}
		if !jsonEqual(t, svMicros(t, mustJSON(second["versions"].([]any)[0])), svMicros(t, mustJSON(own["versions"].([]any)[0]))) {
			t.Fatalf("version 1 must stay as published:\n%v\n%v", second["versions"].([]any)[0], own["versions"].([]any)[0])
		}
		if got := e.do(http.MethodGet, svTemplates+"/"+id, e.officer, nil); got.header.Get("ETag") != `"2"` {
			t.Fatalf("ETag after version 2: %q", got.header.Get("ETag"))
		}
		// A stale If-Match is 412 with the current ETag, and publishes nothing.
		p = e.do(http.MethodPost, vpath, e.officer, map[string]any{"questions": v2}, "If-Match", `"1"`).problem(t, http.StatusPreconditionFailed)
		if p.CurrentEtag == nil || *p.CurrentEtag != `"2"` {
			t.Fatalf("412 current_etag: %v", p.CurrentEtag)
		}
		svRefused(t, e.do(http.MethodPost, vpath, e.officer, map[string]any{"questions": v2}, "If-Match", "yesterday"), http.StatusBadRequest, "/header/If-Match")
		// Same id, other type: refused whether the id is in the current version or only an earlier one.
		retyped := []map[string]any{{"id": "has_plan", "text": "x", "type": "yes_no"}, {"id": "felt_prepared", "text": "Ready?", "type": "yes_no"}}
		svRefused(t, e.do(http.MethodPost, vpath, e.officer, map[string]any{"questions": retyped}), http.StatusUnprocessableEntity,
			"/questions/1/type", "felt_prepared", "likert_5")
		revived := []map[string]any{{"id": "met_adult_team", "text": "How much have you seen adult services?", "type": "likert_5"}}
		svRefused(t, e.do(http.MethodPost, vpath, e.officer, map[string]any{"questions": revived}), http.StatusUnprocessableEntity,
			"/questions/0/type", "met_adult_team", "version 1")
		badV := []map[string]any{{"id": "x", "text": "x", "type": "choice", "options": []string{"only one"}}}
		svRefused(t, e.do(http.MethodPost, vpath, e.officer, map[string]any{"questions": badV}), http.StatusBadRequest, "/questions/0/options")
		if got := e.svGet(e.officer, svTemplates+"/"+id); got["current_version"] != float64(2) || len(got["versions"].([]any)) != 2 {
			t.Fatalf("refused versions were published: %v", got)
		}
		// Without If-Match a valid version goes on top.
		r = e.do(http.MethodPost, vpath, e.officer, map[string]any{"questions": v2[:1]})
		if r.status != http.StatusOK || r.header.Get("ETag") != `"3"` {
			t.Fatalf("version 3: %d %s", r.status, r.body)
		}

		// Built-ins are compared across councils and never change, If-Match or not.
		p = e.do(http.MethodPost, svTemplates+"/"+parentTemplate+"/versions", e.officer, map[string]any{"questions": v2}, "If-Match", `"1"`).
			problem(t, http.StatusConflict)
		if !strings.Contains(*p.Detail, "Built-in") {
			t.Fatalf("409 should say why: %s", *p.Detail)
		}
		e.do(http.MethodPost, svTemplates+"/"+professionalTemplate+"/versions", e.officer, map[string]any{"questions": v2}).problem(t, http.StatusConflict)
		if got := e.svGet(e.officer, svTemplates+"/"+parentTemplate); got["current_version"] != float64(1) || len(got["versions"].([]any)) != 1 {
			t.Fatalf("built-in changed: %v", got)
		}
		e.do(http.MethodPost, svTemplates+"/0190a5e0-0000-7000-8000-0000000000ff/versions", e.officer, map[string]any{"questions": v2}).
			problem(t, http.StatusNotFound)
		e.do(http.MethodGet, svTemplates+"/0190a5e0-0000-7000-8000-0000000000ff", e.officer, nil).problem(t, http.StatusNotFound)
	})
}

// svMicros rewrites a JSON document's instants to microseconds, the precision PostgreSQL keeps:
// a 201 answers with the service clock's nanoseconds, later reads with what was stored.
func svMicros(t *testing.T, doc []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, inner := range x {
				x[k] = walk(inner)
			}
		case []any:
			for i, inner := range x {
				x[i] = walk(inner)
			}
		case string:
			if at, err := time.Parse(time.RFC3339Nano, x); err == nil && strings.Contains(x, "T") {
				return at.Truncate(time.Microsecond).Format(time.RFC3339Nano)
			}
		}
		return v
	}
	return mustJSON(walk(v))
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return string(mustJSON(x)) == string(mustJSON(y))
}

// TestSurveyResponseAnswersChecked: a response's answers are checked against the version it
// answers. Accepted answers come back normalised (in question order, trimmed, 4.0 read as 4);
// each refused one is a 400 pointing at the answer and naming its question, and nothing is kept.
func TestSurveyResponseAnswersChecked(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		own := e.svPost(e.officer, svTemplates, surveyTemplateBody(uniqueCode()), http.StatusCreated)["id"].(string)

		// Answers given out of order, padded, with a score written as 4.0.
		raw := fmt.Sprintf(`{"template_id":%q,"point":"at_review","referral_id":%q,"answers":[
			{"question_id":"anything_else","value":"  More visits, please.  "},
			{"question_id":"next_step","value":" college "},
			{"question_id":"met_adult_team","value":false},
			{"question_id":"felt_prepared","value":4.0}]}`, own, f.referral)
		r := e.do(http.MethodPost, svResponses, e.officer, raw)
		if r.status != http.StatusCreated {
			t.Fatalf("valid response: %d %s", r.status, r.body)
		}
		resp := r.json(t)
		id := resp["id"].(string)
		if r.header.Get("Location") != svResponses+"/"+id || r.header.Get("ETag") != `"1"` {
			t.Fatalf("headers: Location %q ETag %q", r.header.Get("Location"), r.header.Get("ETag"))
		}
		want := `[{"question_id":"felt_prepared","value":4},{"question_id":"met_adult_team","value":false},` +
			`{"question_id":"next_step","value":"college"},{"question_id":"anything_else","value":"More visits, please."}]`
		if !jsonEqual(t, mustJSON(resp["answers"]), []byte(want)) {
			t.Fatalf("answers = %s, want %s", mustJSON(resp["answers"]), want)
		}
		if resp["template_id"] != own || resp["template_version"] != float64(1) || resp["audience"] != "child_young_person" ||
			resp["point"] != "at_review" || resp["referral_id"] != f.referral || resp["young_person_id"] != f.child || resp["via"] != "staff" ||
			resp["submitted_on"] != dateOf(svToday()) || resp["professional_role"] != nil || resp["ehc_plan_id"] != nil || resp["version"] != float64(1) {
			t.Fatalf("response: %v", resp)
		}
		// Stored as normalised: the read gives the same answers.
		if got := e.svGet(e.officer, svResponses+"/"+id); !jsonEqual(t, mustJSON(got["answers"]), []byte(want)) {
			t.Fatalf("read back: %v", got["answers"])
		}
		// Optional questions may be left out; a paper form keeps its own date.
		short := map[string]any{"template_id": own, "point": "other", "submitted_on": dateOf(svToday().AddDate(0, 0, -10)),
			"answers": transitionAnswers()[:2]}
		if got := e.svPost(e.officer, svResponses, short, http.StatusCreated); len(got["answers"].([]any)) != 2 ||
			got["submitted_on"] != dateOf(svToday().AddDate(0, 0, -10)) || got["referral_id"] != nil || got["young_person_id"] != nil {
			t.Fatalf("short anonymous response: %v", got)
		}

		// The built-in parent instrument: answer 2 ("understood") is a likert_5.
		likert := []struct {
			name  string
			value string // raw JSON
		}{{"zero", "0"}, {"six", "6"}, {"fraction", "4.5"}, {"negative", "-1"}, {"string", `"4"`}, {"boolean", "true"},
			{"huge", "1e300"}, {"object", `{"score":4}`}, {"list", "[4]"}, {"text", `"agree"`}}
		for _, c := range likert {
			body := fmt.Sprintf(`{"template_id":%q,"point":"after_mam","referral_id":%q,"answers":[
				{"question_id":"listened_to","value":5},{"question_id":"involved_in_decisions","value":4},
				{"question_id":"understood","value":%s},{"question_id":"confidence_and_trust","value":3}]}`, parentTemplate, f.referral, c.value)
			p := svRefused(t, e.do(http.MethodPost, svResponses, e.officer, body), http.StatusBadRequest, "/answers/2/value",
				"understood", "whole number from 1 to 5")
			if len(pointers(p)) != 1 {
				t.Errorf("%s: only answer 2 is wrong: %v", c.name, pointers(p))
			}
		}

		// A null answer is refused by the contract itself (value is not nullable), at the same
		// pointer; that detail does not name the question.
		nullBody := fmt.Sprintf(`{"template_id":%q,"point":"after_mam","answers":[{"question_id":"listened_to","value":5},
			{"question_id":"involved_in_decisions","value":4},{"question_id":"understood","value":null},{"question_id":"confidence_and_trust","value":3}]}`, parentTemplate)
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, nullBody), http.StatusBadRequest, "/answers/2/value")

		// The council template: yes/no, choice and text answers, and the answers list itself.
		cases := []struct {
			name    string
			edit    func([]map[string]any) []map[string]any
			pointer string
			want    []string
		}{
			{"yes_no as text", set(1, "yes"), "/answers/1/value", []string{"met_adult_team", "true or false"}},
			{"yes_no as a number", set(1, 1), "/answers/1/value", []string{"met_adult_team", "true or false"}},
			{"unknown choice", set(2, "university"), "/answers/2/value", []string{"next_step", "college, work, apprenticeship, not sure"}},
			{"choice in another case", set(2, "College"), "/answers/2/value", []string{"next_step"}},
			{"choice as a number", set(2, 1), "/answers/2/value", []string{"next_step"}},
			{"empty text", set(3, ""), "/answers/3/value", []string{"anything_else", "1 to 2000 characters"}},
			{"blank text", set(3, "   "), "/answers/3/value", []string{"anything_else"}},
			{"text too long", set(3, strings.Repeat("a", 2001)), "/answers/3/value", []string{"anything_else"}},
			{"text as a number", set(3, 5), "/answers/3/value", []string{"anything_else"}},
			{"unknown question", func(a []map[string]any) []map[string]any {
				return append(a, map[string]any{"question_id": "favourite_colour", "value": "blue"})
			}, "/answers/4/question_id", []string{"favourite_colour", "version 1"}},
			{"question answered twice", func(a []map[string]any) []map[string]any {
				return append(a, map[string]any{"question_id": "felt_prepared", "value": 5})
			}, "/answers/4/question_id", []string{"felt_prepared", "twice"}},
			{"required question missing", func(a []map[string]any) []map[string]any { return slices.Delete(a, 1, 2) },
				"/answers", []string{"met_adult_team", "required"}},
		}
		for _, c := range cases {
			body := map[string]any{"template_id": own, "point": "after_mam", "referral_id": f.referral, "answers": c.edit(transitionAnswers())}
			p := svRefused(t, e.do(http.MethodPost, svResponses, e.officer, body), http.StatusBadRequest, c.pointer, c.want...)
			if len(pointers(p)) != 1 {
				t.Errorf("%s: one fault, one error: %v", c.name, pointers(p))
			}
		}
		// A question id that is not even shaped like one is not echoed back.
		odd := append(transitionAnswers(), map[string]any{"question_id": "<b>Hello</b>", "value": 1})
		p := svRefused(t, e.do(http.MethodPost, svResponses, e.officer, map[string]any{"template_id": own, "point": "after_mam", "answers": odd}),
			http.StatusBadRequest, "/answers/4/question_id", "not a question")
		if strings.Contains(string(mustJSON(p)), "Hello") {
			t.Fatalf("an odd id is echoed: %v", *p.Errors)
		}
		// Every fault at once: all named, the missing required ones under /answers.
		all := map[string]any{"template_id": parentTemplate, "point": "at_closure", "professional_role": "other",
			"submitted_on": dateOf(svToday().AddDate(0, 0, 1)), "answers": []map[string]any{
				{"question_id": "listened_to", "value": 0}, {"question_id": "comments", "value": ""}, {"question_id": "listened_to", "value": 3}}}
		p = e.do(http.MethodPost, svResponses, e.officer, all).problem(t, http.StatusBadRequest)
		for _, ptr := range []string{"/professional_role", "/submitted_on", "/answers/0/value", "/answers/1/value", "/answers/2/question_id", "/answers"} {
			if !hasPointer(p, ptr) {
				t.Errorf("no error at %s: %v", ptr, pointers(p))
			}
		}
		missing := 0
		for _, fe := range *p.Errors {
			if fe.Pointer == "/answers" {
				missing++
			}
		}
		if missing != 3 {
			t.Errorf("three required questions unanswered, %d named: %v", missing, *p.Errors)
		}
		// A referral and a plan at once cannot say which the response is about.
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, map[string]any{"template_id": own, "point": "after_mam", "referral_id": f.referral,
			"ehc_plan_id": f.referral, "answers": transitionAnswers()}), http.StatusBadRequest, "/ehc_plan_id")
		// Shapes the contract refuses.
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, map[string]any{"template_id": own, "point": "whenever", "answers": transitionAnswers()}),
			http.StatusBadRequest, "/point")
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, map[string]any{"template_id": own, "point": "other", "answers": []any{}}),
			http.StatusBadRequest, "/answers")

		// Only the two accepted responses were kept.
		if got := items(t, e.do(http.MethodGet, svResponses+"?template_id="+own, e.officer, nil)); len(got) != 2 {
			t.Fatalf("responses kept: %d", len(got))
		}
		if got := items(t, e.do(http.MethodGet, svResponses+"?template_id="+parentTemplate, e.officer, nil)); len(got) != 0 {
			t.Fatalf("refused parent responses kept: %d", len(got))
		}
	})
}

// set replaces answer i's value.
func set(i int, v any) func([]map[string]any) []map[string]any {
	return func(a []map[string]any) []map[string]any {
		a[i]["value"] = v
		return a
	}
}

// TestSurveyResponseReferences: what a response names must exist. A professional says which
// part they played; a version or template that does not exist is 422; an older version can
// still be answered once a new one is published; an anonymous response is for the council's
// SEND team only.
func TestSurveyResponseReferences(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		prof := func(role any) map[string]any {
			b := map[string]any{"template_id": professionalTemplate, "point": "after_mam", "referral_id": f.referral, "answers": []map[string]any{
				{"question_id": "information_sharing", "value": 4}, {"question_id": "accessing_information", "value": 3},
				{"question_id": "mam_successful", "value": 5}, {"question_id": "success_for_parents", "value": 4},
				{"question_id": "success_for_professionals", "value": 4}}}
			if role != nil {
				b["professional_role"] = role
			}
			return b
		}
		svRefused(t, e.do(http.MethodPost, svResponses, e.practitioner, prof(nil)), http.StatusBadRequest, "/professional_role", "engagement_lead, other")
		svRefused(t, e.do(http.MethodPost, svResponses, e.practitioner, prof("headteacher")), http.StatusBadRequest, "/professional_role")
		lead := e.svPost(e.leadKey, svResponses, prof("engagement_lead"), http.StatusCreated)
		if lead["professional_role"] != "engagement_lead" || lead["audience"] != "professional" || lead["via"] != "staff" || lead["young_person_id"] != f.child {
			t.Fatalf("engagement lead's response: %v", lead)
		}

		// Versions and templates that do not exist are bad references.
		v2 := parentResponse(f.referral, 4, 4, 4, 4)
		v2["template_version"] = 2
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, v2), http.StatusUnprocessableEntity, "/template_version")
		unknown := parentResponse(f.referral, 4, 4, 4, 4)
		unknown["template_id"] = "0190a5e0-0000-7000-8000-0000000000ff"
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, unknown), http.StatusUnprocessableEntity, "/template_id")
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, parentResponse("0190a5e0-0000-7000-8000-0000000000ff", 4, 4, 4, 4)),
			http.StatusUnprocessableEntity, "/referral_id")
		onPlan := parentResponse("", 4, 4, 4, 4)
		delete(onPlan, "referral_id")
		onPlan["ehc_plan_id"] = "0190a5e0-0000-7000-8000-0000000000ff"
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, onPlan), http.StatusUnprocessableEntity, "/ehc_plan_id")
		// A referral outside the caller's reach does not exist for them.
		svRefused(t, e.do(http.MethodPost, svResponses, e.outsider, parentResponse(f.referral, 4, 4, 4, 4)), http.StatusUnprocessableEntity, "/referral_id")
		v1 := parentResponse(f.referral, 4, 4, 4, 4)
		v1["template_version"] = 1
		got := e.svPost(e.officer, svResponses, v1, http.StatusCreated)
		if got["template_version"] != float64(1) {
			t.Fatalf("explicit version 1: %v", got)
		}
		v1id := got["id"].(string)

		// A council template moves to version 2; version 1 may still be answered (a paper form
		// printed last month), and each response names the version it answers.
		own := e.svPost(e.officer, svTemplates, surveyTemplateBody(uniqueCode()), http.StatusCreated)["id"].(string)
		e.svPost(e.officer, svTemplates+"/"+own+"/versions", map[string]any{"questions": []map[string]any{
			{"id": "felt_prepared", "text": "I feel ready for adult life", "type": "likert_5", "required": true},
			{"id": "has_plan", "text": "I have a written transition plan", "type": "yes_no", "required": true},
		}}, http.StatusOK)
		old := map[string]any{"template_id": own, "template_version": 1, "point": "at_review", "referral_id": f.referral, "answers": transitionAnswers()}
		if got := e.svPost(e.officer, svResponses, old, http.StatusCreated); got["template_version"] != float64(1) || len(got["answers"].([]any)) != 4 {
			t.Fatalf("older version answered: %v", got)
		}
		// Without a version, the current one: version 1's answers no longer fit.
		delete(old, "template_version")
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, old), http.StatusBadRequest, "/answers/1/question_id", "met_adult_team", "version 2")
		current := map[string]any{"template_id": own, "point": "at_review", "referral_id": f.referral, "answers": []map[string]any{
			{"question_id": "felt_prepared", "value": 2}, {"question_id": "has_plan", "value": true}}}
		if got := e.svPost(e.officer, svResponses, current, http.StatusCreated); got["template_version"] != float64(2) {
			t.Fatalf("current version: %v", got)
		}
		// Version 1 does not know version 2's questions either.
		current["template_version"] = 1
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, current), http.StatusBadRequest, "/answers/1/question_id", "has_plan", "version 1")
		current["template_version"] = 3
		svRefused(t, e.do(http.MethodPost, svResponses, e.officer, current), http.StatusUnprocessableEntity, "/template_version")

		// An anonymous response (a paper form typed in by the SEND team) belongs to no child:
		// the council's SEND team sees it, practitioners of any setting do not.
		anon := parentResponse("", 3, 3, 3, 3)
		delete(anon, "referral_id")
		a := e.svPost(e.officer, svResponses, anon, http.StatusCreated)
		aid := a["id"].(string)
		if a["referral_id"] != nil || a["young_person_id"] != nil || a["ehc_plan_id"] != nil {
			t.Fatalf("anonymous response names someone: %v", a)
		}
		if got := e.svGet(e.officer, svResponses+"/"+aid); got["id"] != aid {
			t.Fatalf("officer reads the anonymous response: %v", got)
		}
		e.do(http.MethodGet, svResponses+"/"+aid, e.practitioner, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, svResponses+"/"+aid, e.leadKey, nil).problem(t, http.StatusNotFound)
		if got := svIDs(items(t, e.do(http.MethodGet, svResponses+"?limit=200", e.officer, nil))); !slices.Contains(got, aid) || len(got) != 5 {
			t.Fatalf("officer's list: %v", got)
		}
		// The school is around the child, so it sees the responses about them, and only those.
		school := svIDs(items(t, e.do(http.MethodGet, svResponses+"?limit=200", e.practitioner, nil)))
		if slices.Contains(school, aid) || len(school) != 4 {
			t.Fatalf("practitioner's list: %v", school)
		}
		if got := items(t, e.do(http.MethodGet, svResponses+"?template_id="+parentTemplate, e.practitioner, nil)); len(got) != 1 {
			t.Fatalf("practitioner's parent responses: %v", got)
		}
		if got := items(t, e.do(http.MethodGet, svResponses, e.outsider, nil)); len(got) != 0 {
			t.Fatalf("an organisation with no part in the child's care sees: %v", got)
		}
		e.do(http.MethodGet, svResponses+"/"+lead["id"].(string), e.outsider, nil).problem(t, http.StatusNotFound)
		// Filters.
		if got := svIDs(items(t, e.do(http.MethodGet, svResponses+"?point=after_mam&young_person_id="+f.child, e.officer, nil))); !slices.Equal(got, svSorted(lead["id"].(string), v1id)) {
			t.Fatalf("after_mam responses about the child: %v", got)
		}
		if got := items(t, e.do(http.MethodGet, svResponses+"?referral_id="+f.referral, e.officer, nil)); len(got) != 4 {
			t.Fatalf("responses about the referral: %d", len(got))
		}

		// A retried POST with the same Idempotency-Key records one response.
		key := "survey-" + f.referral
		first := e.do(http.MethodPost, svResponses, e.officer, parentResponse(f.referral, 5, 5, 5, 5), "Idempotency-Key", key)
		again := e.do(http.MethodPost, svResponses, e.officer, parentResponse(f.referral, 5, 5, 5, 5), "Idempotency-Key", key)
		if first.status != http.StatusCreated || again.status != http.StatusCreated || first.json(t)["id"] != again.json(t)["id"] {
			t.Fatalf("idempotent retry: %d %s / %d %s", first.status, first.body, again.status, again.body)
		}
		if got := items(t, e.do(http.MethodGet, svResponses+"?referral_id="+f.referral, e.officer, nil)); len(got) != 5 {
			t.Fatalf("after a retried POST: %d responses", len(got))
		}
	})
}

// TestSurveyFamilyResponses: a family signed in as themselves answers parent and carer or child
// and young person surveys about their own child only; never anonymously, never another
// child's referral, never a professional's survey. They read their own child's responses only.
func TestSurveyFamilyResponses(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		family := e.fbFamily(f.child)
		mine := e.svPost(family, svResponses, parentResponse(f.referral, 5, 4, 4, 5), http.StatusCreated)
		if mine["via"] != "family" || mine["young_person_id"] != f.child || mine["referral_id"] != f.referral || mine["audience"] != "parent_carer" {
			t.Fatalf("family response: %v", mine)
		}
		// Their child's own view, on the council's child and young person template.
		own := e.svPost(e.officer, svTemplates, surveyTemplateBody(uniqueCode()), http.StatusCreated)["id"].(string)
		childs := e.svPost(family, svResponses, map[string]any{"template_id": own, "point": "at_review", "referral_id": f.referral,
			"answers": transitionAnswers()}, http.StatusCreated)
		if childs["via"] != "family" || childs["audience"] != "child_young_person" {
			t.Fatalf("child's response: %v", childs)
		}

		_, otherRef := e.fbOtherChild()
		svRefused(t, e.do(http.MethodPost, svResponses, family, parentResponse(otherRef, 5, 5, 5, 5)), http.StatusUnprocessableEntity, "/referral_id")
		anon := parentResponse("", 5, 5, 5, 5)
		delete(anon, "referral_id")
		svRefused(t, e.do(http.MethodPost, svResponses, family, anon), http.StatusUnprocessableEntity, "/referral_id", "own child")
		professional := map[string]any{"template_id": professionalTemplate, "point": "after_mam", "referral_id": f.referral, "professional_role": "other",
			"answers": []map[string]any{{"question_id": "information_sharing", "value": 1}, {"question_id": "accessing_information", "value": 1},
				{"question_id": "mam_successful", "value": 1}, {"question_id": "success_for_parents", "value": 1},
				{"question_id": "success_for_professionals", "value": 1}}}
		svRefused(t, e.do(http.MethodPost, svResponses, family, professional), http.StatusUnprocessableEntity, "/template_id", "families")
		// ... even about another child, where it says nothing about that child's referral.
		professional["referral_id"] = otherRef
		svRefused(t, e.do(http.MethodPost, svResponses, family, professional), http.StatusUnprocessableEntity, "/template_id")

		// The family reads their child's responses, whoever recorded them, and nothing else.
		byStaff := e.svPost(e.officer, svResponses, parentResponse(f.referral, 3, 3, 3, 3), http.StatusCreated)["id"].(string)
		other := e.svPost(e.officer, svResponses, parentResponse(otherRef, 2, 2, 2, 2), http.StatusCreated)["id"].(string)
		e.do(http.MethodGet, svResponses+"/"+other, family, nil).problem(t, http.StatusNotFound)
		if got := e.svGet(family, svResponses+"/"+mine["id"].(string)); got["id"] != mine["id"] {
			t.Fatalf("family reads their own: %v", got)
		}
		got := svIDs(items(t, e.do(http.MethodGet, svResponses, family, nil)))
		if want := svSorted(mine["id"].(string), childs["id"].(string), byStaff); !slices.Equal(got, want) {
			t.Fatalf("family list = %v, want %v", got, want)
		}
		// Refused responses were not kept: the officer sees the three about this child and the other.
		if n := len(items(t, e.do(http.MethodGet, svResponses+"?limit=200", e.officer, nil))); n != 4 {
			t.Fatalf("responses kept: %d", n)
		}
		// A professional's answers about the child's pathway are the professional's: the family
		// neither reads nor lists them.
		professional["referral_id"] = f.referral
		prof := e.svPost(e.officer, svResponses, professional, http.StatusCreated)["id"].(string)
		e.do(http.MethodGet, svResponses+"/"+prof, family, nil).problem(t, http.StatusNotFound)
		if got := svIDs(items(t, e.do(http.MethodGet, svResponses, family, nil))); slices.Contains(got, prof) {
			t.Fatalf("family list holds a professional's response: %v", got)
		}
	})
}

// TestSurveyInvitationLink: the SEND officer invites a parent to answer without an account. The
// token is shown once; the link shows the questions and nothing about the child; bad answers are
// 400s naming the question and leave the link usable; it is answered once (then 409); unknown
// tokens are 404 and malformed ones 400; the token never reaches the logs.
func TestSurveyInvitationLink(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		r := e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": parentTemplate, "point": "at_closure", "referral_id": f.referral})
		if r.status != http.StatusCreated {
			t.Fatalf("invite: %d %s", r.status, r.body)
		}
		issued := r.json(t)
		token := issued["token"].(string)
		inv := issued["invitation"].(map[string]any)
		invID := inv["id"].(string)
		if issued["link_path"] != svLinks+token || !strings.HasPrefix(token, "osi_") || len(token) != 47 {
			t.Fatalf("issued: %v", issued)
		}
		if r.header.Get("Location") != svInvitations+"/"+invID {
			t.Fatalf("Location %q", r.header.Get("Location"))
		}
		expires := svToday().AddDate(0, 0, 31) // the default: answerable to the end of the 30th day on
		if inv["status"] != "pending" || inv["template_id"] != parentTemplate || inv["template_version"] != float64(1) || inv["audience"] != "parent_carer" ||
			inv["point"] != "at_closure" || inv["referral_id"] != f.referral || inv["young_person_id"] != f.child || inv["expires_at"] != expires.Format(time.RFC3339) ||
			inv["answered_at"] != nil || inv["response_id"] != nil {
			t.Fatalf("invitation: %v", inv)
		}
		// The token is never shown again.
		l := e.do(http.MethodGet, svInvitations, e.officer, nil)
		if ids := svIDs(items(t, l)); !slices.Equal(ids, []string{invID}) || strings.Contains(string(l.body), token) || strings.Contains(string(l.body), token[4:]) {
			t.Fatalf("list: %s", l.body)
		}

		// The link, with no credentials: the questions, and nothing that names the child.
		link := e.do(http.MethodGet, svLinks+token, "", nil)
		if link.status != http.StatusOK {
			t.Fatalf("link: %d %s", link.status, link.body)
		}
		lm := link.json(t)
		if lm["name"] != "Parent and carer experience" || lm["audience"] != "parent_carer" || lm["point"] != "at_closure" ||
			lm["expires_at"] != expires.Format(time.RFC3339) || len(lm["questions"].([]any)) != 5 ||
			lm["questions"].([]any)[0].(map[string]any)["id"] != "listened_to" {
			t.Fatalf("link: %v", lm)
		}
		for _, secret := range []string{f.child, f.referral, invID, "Amelia", "Okonkwo", e.council, e.school, token} {
			if strings.Contains(string(link.body), secret) {
				t.Fatalf("the link shows %q: %s", secret, link.body)
			}
		}

		// Bad answers are 400s naming the question, and the link is still usable.
		bad := parentAnswers(5, 4, 7, 4)
		svRefused(t, e.do(http.MethodPost, svLinks+token+"/response", "", svAnswer(bad)), http.StatusBadRequest, "/answers/2/value", "understood")
		svRefused(t, e.do(http.MethodPost, svLinks+token+"/response", "", svAnswer(parentAnswers(5, 4, 4, 4)[:3])), http.StatusBadRequest,
			"/answers", "confidence_and_trust", "required")
		svRefused(t, e.do(http.MethodPost, svLinks+token+"/response", "", map[string]any{"answers": parentAnswers(5, 4, 4, 4), "referral_id": f.referral}),
			http.StatusBadRequest, "/referral_id")
		if got := e.do(http.MethodGet, svLinks+token, "", nil); got.status != http.StatusOK {
			t.Fatalf("link after refused answers: %d %s", got.status, got.body)
		}
		if got := items(t, e.do(http.MethodGet, svInvitations+"?status=pending", e.officer, nil)); len(got) != 1 {
			t.Fatalf("pending after refused answers: %v", got)
		}

		// Answered once: 201 with the day received; then 409 for the link and its answer.
		answers := append(parentAnswers(5, 4, 4, 5), map[string]any{"question_id": "comments", "value": "Thank you to Ms Patel"})
		a := e.do(http.MethodPost, svLinks+token+"/response", "", svAnswer(answers))
		if a.status != http.StatusCreated || a.json(t)["received_on"] != dateOf(svToday()) {
			t.Fatalf("answer: %d %s", a.status, a.body)
		}
		if strings.Contains(string(a.body), f.child) || strings.Contains(string(a.body), "Patel") {
			t.Fatalf("the receipt echoes: %s", a.body)
		}
		p := e.do(http.MethodPost, svLinks+token+"/response", "", svAnswer(parentAnswers(1, 1, 1, 1))).problem(t, http.StatusConflict)
		if !strings.Contains(*p.Detail, "already been answered") {
			t.Fatalf("409 detail: %s", *p.Detail)
		}
		e.do(http.MethodGet, svLinks+token, "", nil).problem(t, http.StatusConflict)
		// A bad answer to an answered invitation is still 409: nothing to correct.
		e.do(http.MethodPost, svLinks+token+"/response", "", svAnswer(bad)).problem(t, http.StatusConflict)

		// The invitation records its response; the response is about the child, via the invitation.
		answered := items(t, e.do(http.MethodGet, svInvitations+"?status=answered", e.officer, nil))
		if len(answered) != 1 {
			t.Fatalf("answered: %v", answered)
		}
		am := answered[0].(map[string]any)
		rid, _ := am["response_id"].(string)
		if am["id"] != invID || am["status"] != "answered" || rid == "" || am["answered_at"] == nil {
			t.Fatalf("answered invitation: %v", am)
		}
		if got := items(t, e.do(http.MethodGet, svInvitations+"?status=pending", e.officer, nil)); len(got) != 0 {
			t.Fatalf("still pending: %v", got)
		}
		resp := e.svGet(e.officer, svResponses+"/"+rid)
		if resp["via"] != "invitation" || resp["referral_id"] != f.referral || resp["young_person_id"] != f.child || resp["point"] != "at_closure" ||
			resp["template_id"] != parentTemplate || resp["template_version"] != float64(1) || len(resp["answers"].([]any)) != 5 {
			t.Fatalf("response through the link: %v", resp)
		}
		if got := items(t, e.do(http.MethodGet, svResponses+"?referral_id="+f.referral, e.officer, nil)); len(got) != 1 {
			t.Fatalf("responses after one answer, two refusals and a repeat: %d", len(got))
		}

		// Unknown but well-formed: 404. Malformed: 400 by the contract's pattern.
		unknown := "osi_" + strings.Repeat("A", 43)
		e.do(http.MethodGet, svLinks+unknown, "", nil).problem(t, http.StatusNotFound)
		e.do(http.MethodPost, svLinks+unknown+"/response", "", svAnswer(answers)).problem(t, http.StatusNotFound)
		for _, junk := range []string{"osi_short", "not-a-token", token + "A", "osx_" + token[4:], token[:46] + "!"} {
			svRefused(t, e.do(http.MethodGet, svLinks+junk, "", nil), http.StatusBadRequest, "/path/token")
			svRefused(t, e.do(http.MethodPost, svLinks+junk+"/response", "", svAnswer(answers)), http.StatusBadRequest, "/path/token")
		}
		// A credential is not needed, and a family's own token does not open another's link.
		g := e.fixture()
		other := e.svInvite(parentTemplate, g.referral, nil)["token"].(string)
		if got := e.do(http.MethodGet, svLinks+other, e.fbFamily(f.child), nil); got.status != http.StatusOK {
			t.Fatalf("the token is the key, whoever asks: %d %s", got.status, got.body)
		}

		// Invitations are for families, about one record the inviter may see, for 1 to 90 days.
		svRefused(t, e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": professionalTemplate, "point": "after_mam",
			"referral_id": f.referral}), http.StatusUnprocessableEntity, "/template_id")
		svRefused(t, e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": parentTemplate, "point": "after_mam"}),
			http.StatusBadRequest, "/referral_id")
		svRefused(t, e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": "0190a5e0-0000-7000-8000-0000000000ff",
			"point": "after_mam", "referral_id": f.referral}), http.StatusUnprocessableEntity, "/template_id")
		svRefused(t, e.do(http.MethodPost, svInvitations, e.outsider, map[string]any{"template_id": parentTemplate, "point": "after_mam",
			"referral_id": f.referral}), http.StatusUnprocessableEntity, "/referral_id")
		for _, days := range []int{-1, 0, 91} {
			svRefused(t, e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": parentTemplate, "point": "after_mam",
				"referral_id": f.referral, "expires_on": dateOf(svToday().AddDate(0, 0, days))}), http.StatusBadRequest, "/expires_on")
		}
		if got := items(t, e.do(http.MethodGet, svInvitations+"?referral_id="+f.referral, e.officer, nil)); len(got) != 1 {
			t.Fatalf("refused invitations were kept: %d", len(got))
		}

		// The token and the answers never reach the request log.
		if logs := e.logs.String(); strings.Contains(logs, token[4:]) || strings.Contains(logs, other[4:]) || strings.Contains(logs, "Patel") {
			t.Fatal("the request log holds a token or an answer")
		}
		if !strings.Contains(e.logs.String(), "/v1/survey-links/:token") {
			t.Fatalf("the request log names the route: %s", e.logs.String())
		}
	})
}

// TestSurveyInvitationExpiresOn: expires_on is the last day the link can be answered, from
// tomorrow to 90 days on, whatever the time of day the invitation is made.
func TestSurveyInvitationExpiresOn(t *testing.T) {
	clock := &svClock{}
	each(t, func(t *testing.T, e *env) {
		clock.set(time.Time{})
		f := e.fixture()
		for _, at := range []string{"00:00:01", "09:30:00", "23:59:59"} {
			clock.set(svAt(t, svToday(), at))
			today := clock.today()
			for _, days := range []int{1, 30, 90} {
				last := today.AddDate(0, 0, days)
				r := e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": parentTemplate, "point": "after_mam",
					"referral_id": f.referral, "expires_on": dateOf(last)})
				if r.status != http.StatusCreated {
					t.Errorf("at %s, expires_on %d days on: %d %s", at, days, r.status, r.body)
					continue
				}
				// Answerable to the end of the last day.
				if got := r.json(t)["invitation"].(map[string]any)["expires_at"]; got != last.AddDate(0, 0, 1).Format(time.RFC3339) {
					t.Errorf("at %s, expires_on %d days on: expires_at %v", at, days, got)
				}
			}
			for _, days := range []int{0, 91} {
				svRefused(t, e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": parentTemplate, "point": "after_mam",
					"referral_id": f.referral, "expires_on": dateOf(today.AddDate(0, 0, days))}), http.StatusBadRequest, "/expires_on")
			}
		}
	}, func(_ *httpapi.Options, c *app.Options) { c.Clock = clock.now })
}

// svClock is a settable clock for the service; zero reads the real time.
type svClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *svClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *svClock) set(at time.Time) {
	c.mu.Lock()
	c.at = at
	c.mu.Unlock()
}

func (c *svClock) today() time.Time {
	n := c.now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// svAt is day at a clock time ("15:04:05", UTC).
func svAt(t *testing.T, day time.Time, clock string) time.Time {
	t.Helper()
	at, err := time.Parse(time.DateOnly+" "+time.TimeOnly, dateOf(day)+" "+clock)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestSurveyInvitationExpiry: past the end of its last day an invitation is gone (410) for the
// link and its answer, while an answered one still says it was answered; the list's status
// filter agrees with each invitation's status at the service's clock.
func TestSurveyInvitationExpiry(t *testing.T) {
	clock := &svClock{}
	each(t, func(t *testing.T, e *env) {
		clock.set(time.Time{})
		f := e.fixture()
		start := time.Now().UTC()
		clock.set(start)
		soon := e.svInvite(parentTemplate, f.referral, map[string]any{"expires_on": dateOf(clock.today().AddDate(0, 0, 1))})
		later := e.svInvite(parentTemplate, f.referral, nil)
		done := e.svInvite(parentTemplate, f.referral, map[string]any{"expires_on": dateOf(clock.today().AddDate(0, 0, 1))})
		e.svPost("", svLinks+done["token"].(string)+"/response", svAnswer(parentAnswers(4, 4, 4, 4)), http.StatusCreated)
		soonID, laterID, doneID := soon["invitation"].(map[string]any)["id"].(string), later["invitation"].(map[string]any)["id"].(string),
			done["invitation"].(map[string]any)["id"].(string)
		expiresAt, err := time.Parse(time.RFC3339, soon["invitation"].(map[string]any)["expires_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		statuses := func() map[string]string {
			out := map[string]string{}
			for _, it := range items(t, e.do(http.MethodGet, svInvitations, e.officer, nil)) {
				m := it.(map[string]any)
				out[m["id"].(string)] = m["status"].(string)
			}
			return out
		}
		filtered := func(status string) []string {
			return svIDs(items(t, e.do(http.MethodGet, svInvitations+"?status="+status, e.officer, nil)))
		}

		// The last second of its last day: still open.
		clock.set(expiresAt.Add(-time.Second))
		if got := e.do(http.MethodGet, svLinks+soon["token"].(string), "", nil); got.status != http.StatusOK {
			t.Fatalf("a second before expiry: %d %s", got.status, got.body)
		}
		if got := filtered("pending"); !slices.Equal(got, svSorted(soonID, laterID)) {
			t.Fatalf("pending a second before expiry: %v", got)
		}
		if got := filtered("expired"); len(got) != 0 {
			t.Fatalf("expired a second before expiry: %v", got)
		}

		// From the start of the next day: gone.
		clock.set(expiresAt)
		p := e.do(http.MethodGet, svLinks+soon["token"].(string), "", nil).problem(t, http.StatusGone)
		if !strings.Contains(*p.Detail, "expired") {
			t.Fatalf("410 detail: %s", *p.Detail)
		}
		e.do(http.MethodPost, svLinks+soon["token"].(string)+"/response", "", svAnswer(parentAnswers(4, 4, 4, 4))).problem(t, http.StatusGone)
		// Answered before it lapsed: it still says so.
		e.do(http.MethodGet, svLinks+done["token"].(string), "", nil).problem(t, http.StatusConflict)
		e.do(http.MethodPost, svLinks+done["token"].(string)+"/response", "", svAnswer(parentAnswers(4, 4, 4, 4))).problem(t, http.StatusConflict)
		// The other, on its default 30 days, is still open.
		if got := e.do(http.MethodGet, svLinks+later["token"].(string), "", nil); got.status != http.StatusOK {
			t.Fatalf("30-day invitation: %d %s", got.status, got.body)
		}

		if got, want := statuses(), map[string]string{soonID: "expired", laterID: "pending", doneID: "answered"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
		for status, want := range map[string][]string{"expired": {soonID}, "pending": {laterID}, "answered": {doneID}} {
			if got := filtered(status); !slices.Equal(got, want) {
				t.Errorf("status=%s: %v, want %v", status, got, want)
			}
		}
		// Only the answer given in time was kept.
		if got := items(t, e.do(http.MethodGet, svResponses+"?referral_id="+f.referral, e.officer, nil)); len(got) != 1 {
			t.Fatalf("responses: %d", len(got))
		}

		// Much later, all unanswered ones have lapsed.
		clock.set(start.AddDate(0, 0, 40))
		if got := filtered("expired"); !slices.Equal(got, svSorted(soonID, laterID)) {
			t.Fatalf("expired after 40 days: %v", got)
		}
		e.do(http.MethodGet, svLinks+later["token"].(string), "", nil).problem(t, http.StatusGone)
	}, func(_ *httpapi.Options, c *app.Options) { c.Clock = clock.now })
}

// svAnswerRaw answers a link without the test's Fatal, for use from goroutines.
func (e *env) svAnswerRaw(token string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+svLinks+token+"/response", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.httpc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// TestSurveyInvitationAnsweredOnceConcurrently: answers sent at the same moment leave one
// response; the others are told it has been answered.
func TestSurveyInvitationAnsweredOnceConcurrently(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		const rounds, senders = 3, 2
		body := mustJSON(svAnswer(parentAnswers(5, 5, 4, 4)))
		for round := range rounds {
			token := e.svInvite(parentTemplate, f.referral, nil)["token"].(string)
			statuses := make([]int, senders)
			errs := make([]error, senders)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					statuses[i], errs[i] = e.svAnswerRaw(token, body)
				}()
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict}) {
				t.Fatalf("round %d: statuses %v, want one 201 and one 409", round, statuses)
			}
		}
		resps := items(t, e.do(http.MethodGet, svResponses+"?referral_id="+f.referral, e.officer, nil))
		if len(resps) != rounds {
			t.Fatalf("%d responses for %d invitations", len(resps), rounds)
		}
		answered := items(t, e.do(http.MethodGet, svInvitations+"?status=answered", e.officer, nil))
		linked := map[string]bool{}
		for _, it := range answered {
			linked[it.(map[string]any)["response_id"].(string)] = true
		}
		if len(answered) != rounds || len(linked) != rounds {
			t.Fatalf("answered invitations: %v", answered)
		}
		for _, r := range resps {
			if id := r.(map[string]any)["id"].(string); !linked[id] {
				t.Fatalf("response %s is not the one its invitation records", id)
			}
		}
	})
}

// TestSurveyAuditOutboxTimeline: recording and reading a response about a child is audited
// under the child; an answer through a link is audited with the invitation as the actor; each
// response is published as survey_response.recorded with ids only, and lands on the child's
// timeline with codes only. Template changes are audited and published too.
func TestSurveyAuditOutboxTimeline(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		secret := "Dad finds mornings really hard"
		body := parentResponse(f.referral, 5, 4, 4, 5)
		body["answers"] = append(body["answers"].([]map[string]any), map[string]any{"question_id": "comments", "value": secret})
		staff := e.svPost(e.officer, svResponses, body, http.StatusCreated)
		sid := staff["id"].(string)

		created := svAuditsOf(e.svAudits(sid), audit.Create)
		if len(created) != 1 || created[0].RecordType != "survey_response" || created[0].YoungPersonID != f.child ||
			created[0].ActorRole != "send_officer" || created[0].ActorKeyID == "" || created[0].ActorOrgID != e.council {
			t.Fatalf("create audit: %+v", created)
		}
		// Every read and every listed record is audited under the child.
		e.svGet(e.officer, svResponses+"/"+sid)
		e.svGet(e.practitioner, svResponses+"/"+sid)
		items(t, e.do(http.MethodGet, svResponses+"?referral_id="+f.referral, e.practitioner, nil))
		evs := e.svAudits(sid)
		reads, lists := svAuditsOf(evs, audit.Read), svAuditsOf(evs, audit.List)
		if len(reads) != 2 || len(lists) != 1 || len(evs) != 4 {
			t.Fatalf("audit after two reads and a list: %+v", evs)
		}
		orgs := []string{reads[0].ActorOrgID, reads[1].ActorOrgID}
		slices.Sort(orgs)
		if want := svSorted(e.council, e.school); !slices.Equal(orgs, want) {
			t.Fatalf("readers: %v, want %v", orgs, want)
		}
		for _, ev := range evs {
			filed := ev.YoungPersonID == f.child || (ev.Action == audit.List && slices.Contains(ev.YoungPersonIDs, f.child))
			if !filed || ev.RecordType != "survey_response" {
				t.Fatalf("audit event not filed under the child: %+v", ev)
			}
		}
		// A refused read (out of reach) records nothing.
		e.do(http.MethodGet, svResponses+"/"+sid, e.outsider, nil).problem(t, http.StatusNotFound)
		if n := len(e.svAudits(sid)); n != 4 {
			t.Fatalf("a refused read was audited: %d events", n)
		}

		// Through a link: audited with the invitation as the actor, under the child.
		issued := e.svInvite(parentTemplate, f.referral, nil)
		invID := issued["invitation"].(map[string]any)["id"].(string)
		if inv := svAuditsOf(e.svAudits(invID), audit.Create); len(inv) != 1 || inv[0].RecordType != "survey_invitation" || inv[0].YoungPersonID != f.child {
			t.Fatalf("invitation audit: %+v", inv)
		}
		e.svPost("", svLinks+issued["token"].(string)+"/response", svAnswer(parentAnswers(3, 3, 3, 3)), http.StatusCreated)
		var lid string
		for _, it := range items(t, e.do(http.MethodGet, svInvitations+"?status=answered", e.officer, nil)) {
			if m := it.(map[string]any); m["id"] == invID {
				lid = m["response_id"].(string)
			}
		}
		linked := e.svAudits(lid)
		if len(linked) != 1 || linked[0].Action != audit.Create || linked[0].ActorSubject != "survey-invitation:"+invID || linked[0].ActorRole != "family" ||
			linked[0].ActorKeyID != "" || linked[0].ActorOrgID != "" || linked[0].YoungPersonID != f.child {
			t.Fatalf("link answer audit: %+v", linked)
		}

		// The outbox carries ids and codes, never answers.
		var published []map[string]any
		err := e.st.Read(context.Background(), func(tx *store.Tx) error {
			for _, id := range []string{sid, lid} {
				evs, err := tx.Outbox().ForRecord(id)
				if err != nil {
					return err
				}
				if len(evs) != 1 || evs[0].Type != "survey_response.recorded" || evs[0].RecordType != "survey_response" {
					return fmt.Errorf("outbox of %s: %+v", id, evs)
				}
				published = append(published, evs[0].Payload)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		allowed := []string{"id", "template_id", "template_version", "point", "via", "referral_id", "ehc_plan_id", "young_person_id"}
		for i, want := range []map[string]any{
			{"id": sid, "template_id": parentTemplate, "point": "after_mam", "via": "staff", "referral_id": f.referral, "young_person_id": f.child},
			{"id": lid, "template_id": parentTemplate, "point": "at_closure", "via": "invitation", "referral_id": f.referral, "young_person_id": f.child},
		} {
			got := published[i]
			for k, v := range want {
				if got[k] != v {
					t.Errorf("outbox payload %d: %s = %v, want %v", i, k, got[k], v)
				}
			}
			if fmt.Sprint(got["template_version"]) != "1" {
				t.Errorf("outbox payload %d: template_version %v", i, got["template_version"])
			}
			for k := range got {
				if !slices.Contains(allowed, k) {
					t.Errorf("outbox payload %d carries %q: %v", i, k, got)
				}
			}
			if s := string(mustJSON(got)); strings.Contains(s, secret) || strings.Contains(s, "answers") || strings.Contains(s, "listened_to") {
				t.Errorf("outbox payload %d carries answers: %s", i, s)
			}
		}
		// An anonymous response is published without a child or a referral.
		anon := parentResponse("", 2, 2, 2, 2)
		delete(anon, "referral_id")
		aid := e.svPost(e.officer, svResponses, anon, http.StatusCreated)["id"].(string)
		err = e.st.Read(context.Background(), func(tx *store.Tx) error {
			evs, err := tx.Outbox().ForRecord(aid)
			if err == nil && (len(evs) != 1 || evs[0].Payload["young_person_id"] != nil || evs[0].Payload["referral_id"] != nil || evs[0].Payload["via"] != "staff") {
				err = fmt.Errorf("anonymous outbox: %+v", evs)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if a := svAuditsOf(e.svAudits(aid), audit.Create); len(a) != 1 || a[0].YoungPersonID != "" {
			t.Fatalf("anonymous audit: %+v", a)
		}

		// The child's timeline: one event per response about them, in codes only.
		tl := e.svTimeline(f.child)
		if len(tl) != 2 {
			t.Fatalf("timeline survey events: %v", tl)
		}
		byRecord := map[string]map[string]any{}
		for _, ev := range tl {
			byRecord[ev["record_id"].(string)] = ev
			if ev["record_type"] != "survey_response" || ev["referral_id"] != f.referral || ev["occurred_on"] != dateOf(svToday()) {
				t.Errorf("timeline event: %v", ev)
			}
			if strings.Contains(ev["summary"].(string), secret) {
				t.Errorf("timeline leaks an answer: %v", ev)
			}
		}
		if byRecord[sid]["summary"] != "Survey answered (parent_carer, after_mam)" || byRecord[lid]["summary"] != "Survey answered (parent_carer, at_closure)" {
			t.Fatalf("timeline summaries: %v", tl)
		}
		// The family sees it on their child's timeline too.
		found := false
		for _, ev := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?limit=200", e.fbFamily(f.child), nil)) {
			found = found || ev.(map[string]any)["record_id"] == sid
		}
		if !found {
			t.Fatal("the family's view of the timeline lacks the survey")
		}

		// Templates: created and versioned, each audited and published.
		own := e.svPost(e.officer, svTemplates, surveyTemplateBody(uniqueCode()), http.StatusCreated)["id"].(string)
		e.svPost(e.officer, svTemplates+"/"+own+"/versions", map[string]any{"questions": surveyTemplateBody("x")["questions"]}, http.StatusOK)
		tevs := e.svAudits(own)
		if len(tevs) != 2 || len(svAuditsOf(tevs, audit.Create)) != 1 || len(svAuditsOf(tevs, audit.Update)) != 1 ||
			!slices.Equal(svAuditsOf(tevs, audit.Update)[0].ChangedFields, []string{"questions"}) || tevs[0].RecordType != "survey_template" {
			t.Fatalf("template audit: %+v", tevs)
		}
		if got := e.outboxTypes(own); got["survey_template.created"] != 1 || got["survey_template.versioned"] != 1 || len(got) != 2 {
			t.Fatalf("template outbox: %v", got)
		}
	})
}

// TestSurveyErasure: erasing a child's record removes the survey responses about them, their
// reportable answers and their invitations; anonymous responses stay; the audit trail stays.
func TestSurveyErasure(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture() // aged 8: past a 5-year retention
		staff := e.svPost(e.officer, svResponses, parentResponse(f.referral, 5, 4, 4, 5), http.StatusCreated)["id"].(string)
		done := e.svInvite(parentTemplate, f.referral, nil)["token"].(string)
		e.svPost("", svLinks+done+"/response", svAnswer(parentAnswers(3, 3, 3, 3)), http.StatusCreated)
		pending := e.svInvite(parentTemplate, f.referral, nil)["token"].(string)
		anon := parentResponse("", 2, 2, 2, 2)
		delete(anon, "referral_id")
		aid := e.svPost(e.officer, svResponses, anon, http.StatusCreated)["id"].(string)
		answerCount := func() int64 {
			var n int64
			err := e.st.Read(context.Background(), func(tx *store.Tx) error {
				counts, err := tx.Reports().SurveyAnswerCounts(svToday().AddDate(-1, 0, 0), svToday(), report.Filter{}, parentTemplate, "")
				for _, c := range counts {
					n += c.N
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := answerCount(); n != 12 {
			t.Fatalf("reportable answers before erasure: %d, want 3 responses x 4", n)
		}

		if r := e.do(http.MethodPost, "/v1/retention/due/"+f.child+"/erase", e.admin, nil); r.status != http.StatusNoContent {
			t.Fatalf("erase: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, svResponses+"/"+staff, e.officer, nil).problem(t, http.StatusNotFound)
		if got := svIDs(items(t, e.do(http.MethodGet, svResponses, e.officer, nil))); !slices.Equal(got, []string{aid}) {
			t.Fatalf("responses after erasure: %v, want the anonymous one only", got)
		}
		if got := items(t, e.do(http.MethodGet, svInvitations, e.officer, nil)); len(got) != 0 {
			t.Fatalf("invitations after erasure: %v", got)
		}
		e.do(http.MethodGet, svLinks+pending, "", nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, svLinks+done, "", nil).problem(t, http.StatusNotFound)
		if n := answerCount(); n != 4 {
			t.Fatalf("reportable answers after erasure: %d, want the anonymous response's 4", n)
		}
		// The trail of ids is kept.
		if evs := svAuditsOf(e.svAudits(staff), audit.Create); len(evs) != 1 {
			t.Fatalf("audit after erasure: %+v", evs)
		}
	}, func(_ *httpapi.Options, c *app.Options) { c.RetentionYears = 5 })
}

// TestSurveyRecordsInTheContract: the subject access export carries the responses about the
// child, and the audit trail of survey records can be read through the API. Both answers hold
// audit events of the survey record types, so the contract's RecordType must name them.
func TestSurveyRecordsInTheContract(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		sid := e.svPost(e.officer, svResponses, parentResponse(f.referral, 5, 4, 4, 5), http.StatusCreated)["id"].(string)
		token := e.svInvite(parentTemplate, f.referral, nil)["token"].(string)
		e.svPost("", svLinks+token+"/response", svAnswer(parentAnswers(3, 3, 3, 3)), http.StatusCreated)
		g := e.fixture()
		other := e.svPost(e.officer, svResponses, parentResponse(g.referral, 1, 1, 1, 1), http.StatusCreated)["id"].(string)

		x := e.do(http.MethodGet, "/v1/young-people/"+f.child+"/export", e.officer, nil)
		if x.status != http.StatusOK {
			t.Fatalf("export: %d %s", x.status, x.body)
		}
		exported := x.json(t)["survey_responses"].([]any)
		ids := svIDs(exported)
		if len(ids) != 2 || !slices.Contains(ids, sid) || slices.Contains(ids, other) {
			t.Fatalf("exported responses: %v", ids)
		}
		for _, r := range exported {
			if m := r.(map[string]any); m["young_person_id"] != f.child || len(m["answers"].([]any)) != 4 {
				t.Fatalf("exported response: %v", m)
			}
		}
		events := items(t, e.do(http.MethodGet, "/v1/audit-events?record_id="+sid, e.admin, nil))
		if len(events) != 1 || events[0].(map[string]any)["record_type"] != "survey_response" ||
			events[0].(map[string]any)["young_person_id"] != f.child {
			t.Fatalf("audit events: %v", events)
		}
		if got := items(t, e.do(http.MethodGet, "/v1/audit-events?record_type=survey_response&young_person_id="+f.child, e.admin, nil)); len(got) < 2 {
			t.Fatalf("audit events by record type: %v", got)
		}
		// The family's view of who touched their child's record names the survey records too,
		// without the invitation's own subject.
		seen := 0
		for _, ev := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/access-log?limit=200", e.fbFamily(f.child), nil)) {
			m := ev.(map[string]any)
			if m["record_type"] == "survey_response" && m["action"] == "create" {
				seen++
				if m["actor"].(map[string]any)["subject"] != nil {
					t.Errorf("the family sees an actor's subject: %v", m)
				}
			}
		}
		if seen != 2 {
			t.Fatalf("survey responses in the family's access log: %d", seen)
		}
	})
}

// TestSurveyAboutAPlan: a response or an invitation may be about an EHC plan instead of a
// referral; it is filed under the plan's child, with no referral, and the family may answer
// about their own child's plan only.
func TestSurveyAboutAPlan(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withIssuedPlan(e, &f)
		plan := f.feedback
		onPlan := func() map[string]any {
			return map[string]any{"template_id": parentTemplate, "point": "at_review", "ehc_plan_id": plan, "answers": parentAnswers(4, 4, 3, 4)}
		}
		staff := e.svPost(e.officer, svResponses, onPlan(), http.StatusCreated)
		if staff["ehc_plan_id"] != plan || staff["young_person_id"] != f.child || staff["referral_id"] != nil {
			t.Fatalf("response about a plan: %v", staff)
		}
		if got := e.svPost(e.fbFamily(f.child), svResponses, onPlan(), http.StatusCreated); got["via"] != "family" || got["ehc_plan_id"] != plan {
			t.Fatalf("family response about their child's plan: %v", got)
		}
		g := e.fixture()
		svRefused(t, e.do(http.MethodPost, svResponses, e.fbFamily(g.child), onPlan()), http.StatusUnprocessableEntity, "/ehc_plan_id")
		svRefused(t, e.do(http.MethodPost, svResponses, e.outsider, onPlan()), http.StatusUnprocessableEntity, "/ehc_plan_id")

		issued := e.svPost(e.officer, svInvitations, map[string]any{"template_id": parentTemplate, "point": "at_review", "ehc_plan_id": plan}, http.StatusCreated)
		if inv := issued["invitation"].(map[string]any); inv["ehc_plan_id"] != plan || inv["referral_id"] != nil || inv["young_person_id"] != f.child {
			t.Fatalf("invitation about a plan: %v", inv)
		}
		svRefused(t, e.do(http.MethodPost, svInvitations, e.officer, map[string]any{"template_id": parentTemplate, "point": "at_review",
			"ehc_plan_id": plan, "referral_id": f.referral}), http.StatusBadRequest, "/referral_id", "not both")
		e.svPost("", svLinks+issued["token"].(string)+"/response", svAnswer(parentAnswers(2, 2, 2, 2)), http.StatusCreated)

		list := items(t, e.do(http.MethodGet, svResponses+"?ehc_plan_id="+plan, e.officer, nil))
		vias := []string{}
		for _, r := range list {
			m := r.(map[string]any)
			vias = append(vias, m["via"].(string))
			if m["young_person_id"] != f.child || m["referral_id"] != nil {
				t.Errorf("response about the plan: %v", m)
			}
		}
		if slices.Sort(vias); !slices.Equal(vias, []string{"family", "invitation", "staff"}) {
			t.Fatalf("responses about the plan: %v", vias)
		}
		if got := items(t, e.do(http.MethodGet, svInvitations+"?ehc_plan_id="+plan+"&status=answered", e.officer, nil)); len(got) != 1 {
			t.Fatalf("answered invitations about the plan: %v", got)
		}
		tl := e.svTimeline(f.child)
		if len(tl) != 3 {
			t.Fatalf("timeline: %v", tl)
		}
		for _, ev := range tl {
			if ev["referral_id"] != nil || ev["summary"] != "Survey answered (parent_carer, at_review)" {
				t.Errorf("timeline event: %v", ev)
			}
		}
	})
}

// TestSurveyInvitationPinsItsVersion: an invitation asks the questions current when it was
// sent, even once the template has moved on, and the answer names that version.
func TestSurveyInvitationPinsItsVersion(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		own := e.svPost(e.officer, svTemplates, surveyTemplateBody(uniqueCode()), http.StatusCreated)["id"].(string)
		token := e.svInvite(own, f.referral, nil)["token"].(string)
		e.svPost(e.officer, svTemplates+"/"+own+"/versions", map[string]any{"questions": []map[string]any{
			{"id": "has_plan", "text": "I have a written transition plan", "type": "yes_no", "required": true}}}, http.StatusOK)

		link := e.svGet("", svLinks+token)
		var qids []string
		for _, q := range link["questions"].([]any) {
			qids = append(qids, q.(map[string]any)["id"].(string))
		}
		if !slices.Equal(qids, []string{"felt_prepared", "met_adult_team", "next_step", "anything_else"}) || link["audience"] != "child_young_person" {
			t.Fatalf("link after version 2: %v", link)
		}
		// Version 2's question is not one the invitation asks.
		svRefused(t, e.do(http.MethodPost, svLinks+token+"/response", "", svAnswer(append(transitionAnswers(),
			map[string]any{"question_id": "has_plan", "value": true}))), http.StatusBadRequest, "/answers/4/question_id", "has_plan", "version 1")
		e.svPost("", svLinks+token+"/response", svAnswer(transitionAnswers()), http.StatusCreated)
		resp := items(t, e.do(http.MethodGet, svResponses+"?template_id="+own, e.officer, nil))
		if len(resp) != 1 || resp[0].(map[string]any)["template_version"] != float64(1) || resp[0].(map[string]any)["via"] != "invitation" {
			t.Fatalf("response through the pinned invitation: %v", resp)
		}
		// A new invitation asks version 2.
		fresh := e.svInvite(own, f.referral, nil)
		if fresh["invitation"].(map[string]any)["template_version"] != float64(2) {
			t.Fatalf("new invitation: %v", fresh["invitation"])
		}
		if q := e.svGet("", svLinks+fresh["token"].(string))["questions"].([]any); len(q) != 1 || q[0].(map[string]any)["id"] != "has_plan" {
			t.Fatalf("new invitation's questions: %v", q)
		}
	})
}
