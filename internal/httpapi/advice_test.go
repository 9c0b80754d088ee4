package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// adviserToken is a token for the practitioner of the unrelated nursery (not in the child's
// team), acting as an adviser.
func (e *env) adviserToken(t *testing.T) string {
	return e.idp.token(t, auth.RolePractitioner, e.other, map[string]any{"oneplan_practitioner": e.otherWorker})
}

// withNamedAdvice asks the lead (their key carries their practitioner id) for advice on an
// assessment; the advice request's id rides in the {action} slot.
func withNamedAdvice(e *env, f *fixture) {
	withAssessing(e, f)
	r := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": "medical",
		"requested_on": daysAgo(10), "adviser_practitioner_id": e.lead}, http.StatusOK)
	f.action = r["advice"].([]any)[0].(map[string]any)["id"].(string)
}

// TestAdviserSubmitsAdvice: the adviser the council names sees that request (and only it),
// attaches a report to the assessment and submits the advice by section; the assessment's advice
// is received; a late submission is taken and flagged; nobody else may see or submit it.
func TestAdviserSubmitsAdvice(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withAssessing(e, &f)
		adviser := e.adviserToken(t)
		base := "/v1/ehc-needs-assessments/" + f.feedback + "/advice"

		// An unknown practitioner is refused naming the field.
		if r := e.do(http.MethodPost, base, e.officer, map[string]any{"adviser": "medical", "requested_on": daysAgo(1),
			"adviser_practitioner_id": "0190a5e0-0000-7000-8000-000000000999"}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown adviser: %d %s", r.status, r.body)
		}
		req := e.mustDo(http.MethodPost, base, map[string]any{"adviser": "educational_psychologist", "requested_on": daysAgo(50),
			"adviser_practitioner_id": e.otherWorker}, http.StatusOK)
		entry := req["advice"].([]any)[0].(map[string]any)
		id := entry["id"].(string)
		if entry["adviser_practitioner_id"] != e.otherWorker {
			t.Fatalf("entry: %v", entry)
		}

		// The adviser's inbox holds it, with the due date the assessment shows.
		list := e.do(http.MethodGet, "/v1/advice-requests", adviser, nil)
		items := list.json(t)["items"].([]any)
		if list.status != http.StatusOK || len(items) != 1 {
			t.Fatalf("adviser's list: %d %s", list.status, list.body)
		}
		got := items[0].(map[string]any)
		if got["id"] != id || got["status"] != "requested" || got["due_on"] != entry["deadline"].(map[string]any)["adjusted_due_on"] ||
			got["child"].(map[string]any)["given_name"] == "" {
			t.Fatalf("adviser's view: %v (entry %v)", got, entry)
		}
		// Need-to-know: the adviser cannot read the child's record; others cannot read the request.
		if r := e.do(http.MethodGet, "/v1/young-people/"+f.child, adviser, nil); r.status != http.StatusNotFound {
			t.Fatalf("adviser reads the child's record: %d", r.status)
		}
		for name, key := range map[string]string{"another adviser": e.leadKey, "a practitioner without an id": e.practitioner,
			"the family": e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})} {
			if r := e.do(http.MethodGet, "/v1/advice-requests/"+id, key, nil); r.status != http.StatusNotFound {
				t.Fatalf("%s reads it: %d", name, r.status)
			}
			if r := e.do(http.MethodGet, "/v1/advice-requests", key, nil); len(r.json(t)["items"].([]any)) != 0 {
				t.Fatalf("%s lists it: %s", name, r.body)
			}
		}
		if r := e.do(http.MethodGet, "/v1/advice-requests/"+id, e.officer, nil); r.status != http.StatusOK {
			t.Fatalf("officer reads it: %d", r.status)
		}

		// The adviser attaches their report to the assessment, then submits.
		up := e.upload(adviser, "ehc_request", f.feedback, testPDF, "application/octet-stream")
		if up.status != http.StatusCreated {
			t.Fatalf("adviser's upload: %d %s", up.status, up.body)
		}
		doc := up.json(t)["id"].(string)
		other := e.upload(e.officer, "referral", f.referral, testPDF, "application/octet-stream").json(t)["id"].(string)
		body := map[string]any{"sections": map[string]any{"needs": "Working memory.", "provision": "Daily literacy, 20 minutes."},
			"document_ids": []string{doc}}
		submit := "/v1/advice-requests/" + id + "/submission"
		for name, c := range map[string]struct {
			key    string
			body   any
			status int
		}{
			"the SEND team":            {e.officer, body, http.StatusForbidden},
			"another adviser":          {e.leadKey, body, http.StatusNotFound},
			"nothing written":          {adviser, map[string]any{"sections": map[string]any{"summary": "x"}}, http.StatusBadRequest},
			"a section the plan lacks": {adviser, map[string]any{"sections": map[string]any{"needs": "x"}, "informs_sections": []string{"z"}}, http.StatusBadRequest},
			"another record's document": {adviser, map[string]any{"sections": map[string]any{"needs": "x"}, "document_ids": []string{other}},
				http.StatusUnprocessableEntity},
		} {
			if r := e.do(http.MethodPost, submit, c.key, c.body); r.status != c.status {
				t.Fatalf("%s: %d %s", name, r.status, r.body)
			}
		}
		r := e.do(http.MethodPost, submit, adviser, body)
		if r.status != http.StatusOK {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		sub := r.json(t)
		today := time.Now().Format("2006-01-02")
		if sub["status"] != "submitted" || sub["late"] != true || sub["submitted_on"] != today ||
			len(sub["informs_sections"].([]any)) != 7 || sub["document_ids"].([]any)[0] != doc {
			t.Fatalf("submitted: %s", r.body)
		}
		if r := e.do(http.MethodPost, submit, adviser, body); r.status != http.StatusConflict {
			t.Fatalf("second submission: %d", r.status)
		}
		// The assessment shows the advice received today, and the trail holds the event.
		a := e.mustDoAs(e.officer, http.MethodGet, "/v1/ehc-needs-assessments/"+f.feedback)
		if rec := a["advice"].([]any)[0].(map[string]any); rec["received_on"] != today {
			t.Fatalf("assessment's advice: %v", rec)
		}
		if n := e.outboxTypes(id)["ehc_advice.submitted"]; n != 1 {
			t.Fatalf("outbox: %v", e.outboxTypes(id))
		}
		exp := e.mustDoAs(e.officer, http.MethodGet, "/v1/young-people/"+f.child+"/export")
		if got, _ := exp["advice_requests"].([]any); len(got) != 1 || got[0].(map[string]any)["status"] != "submitted" {
			t.Fatalf("subject access export: %v", exp["advice_requests"])
		}
		tl := e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline", e.officer, nil)
		if tl.status != http.StatusOK || !strings.Contains(string(tl.body), "ehc_advice.submitted") {
			t.Fatalf("timeline: %d %s", tl.status, tl.body)
		}
	})
}
