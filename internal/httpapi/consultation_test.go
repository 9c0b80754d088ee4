package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// withConsultation consults the school (the involved practitioner's organisation) on a served
// draft plan; the plan rides in {feedback}, the consultation in {action}.
func withConsultation(e *env, f *fixture) {
	withServedDraft(e, f)
	f.action = e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/consultations", map[string]any{"organisation_id": e.school,
		"requested_by": "family"}, http.StatusCreated)["id"].(string)
}

// TestSettingConsultation: the council consults settings with 15 days to answer; each setting's
// staff see and answer only their own; section I links the consultation that supports it.
func TestSettingConsultation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withServedDraft(e, &f)
		plan := f.feedback
		base := "/v1/ehc-plans/" + plan + "/consultations"
		sent := time.Now().AddDate(0, 0, -20)
		r := e.do(http.MethodPost, base, e.officer, map[string]any{"organisation_id": e.school, "requested_by": "family", "sent_on": sent.Format("2006-01-02")})
		if r.status != http.StatusCreated || r.header.Get("Location") == "" {
			t.Fatalf("consult school: %d %s", r.status, r.body)
		}
		school := r.json(t)
		if school["due_on"] != sent.AddDate(0, 0, 14).Format("2006-01-02") || school["status"] != "sent" {
			t.Fatalf("15 days beginning with the day sent: %s", r.body)
		}
		other := e.mustDo(http.MethodPost, base, map[string]any{"organisation_id": e.other, "requested_by": "authority"}, http.StatusCreated)
		for name, c := range map[string]struct {
			body   map[string]any
			status int
		}{
			"the school again while it has not answered": {map[string]any{"organisation_id": e.school, "requested_by": "family"}, http.StatusConflict},
			"an unknown organisation": {map[string]any{"organisation_id": "0190a5e0-0000-7000-8000-000000000999", "requested_by": "family"},
				http.StatusUnprocessableEntity},
			"a health trust, which is no setting": {map[string]any{"organisation_id": e.health, "requested_by": "family"}, http.StatusUnprocessableEntity},
			"the council itself":                  {map[string]any{"organisation_id": e.council, "requested_by": "family"}, http.StatusUnprocessableEntity},
			"sent in the future": {map[string]any{"organisation_id": e.health, "requested_by": "family",
				"sent_on": time.Now().AddDate(0, 0, 2).Format("2006-01-02")}, http.StatusBadRequest},
		} {
			if got := e.do(http.MethodPost, base, e.officer, c.body); got.status != c.status {
				t.Fatalf("%s: %d %s", name, got.status, got.body)
			}
		}
		if got := e.do(http.MethodPost, base, e.practitioner, map[string]any{"organisation_id": e.school, "requested_by": "family"}); got.status != http.StatusForbidden {
			t.Fatalf("a school consults itself: %d", got.status)
		}

		// Each setting sees only its own.
		schoolID, otherID := school["id"].(string), other["id"].(string)
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		for name, c := range map[string]struct {
			key  string
			sees []string
		}{
			"the SEND team": {e.officer, []string{schoolID, otherID}},
			"the school":    {e.practitioner, []string{schoolID}},
			"the nursery":   {e.outsider, []string{otherID}},
			"the family":    {family, nil},
		} {
			items := e.do(http.MethodGet, "/v1/consultations?plan_id="+plan, c.key, nil).json(t)["items"].([]any)
			if len(items) != len(c.sees) {
				t.Fatalf("%s lists %d, want %d", name, len(items), len(c.sees))
			}
			for _, id := range []string{schoolID, otherID} {
				want := http.StatusNotFound
				for _, s := range c.sees {
					if s == id {
						want = http.StatusOK
					}
				}
				if got := e.do(http.MethodGet, "/v1/consultations/"+id, c.key, nil); got.status != want {
					t.Fatalf("%s reads %s: %d, want %d", name, id, got.status, want)
				}
			}
		}

		// Only the school answers the school's consultation; late answers are taken and flagged.
		respond := "/v1/consultations/" + schoolID + "/response"
		for name, c := range map[string]struct {
			key    string
			body   map[string]any
			status int
		}{
			"the SEND team":           {e.officer, map[string]any{"response": "can_meet_needs"}, http.StatusForbidden},
			"another setting":         {e.outsider, map[string]any{"response": "can_meet_needs"}, http.StatusNotFound},
			"cannot, without reasons": {e.practitioner, map[string]any{"response": "cannot_meet_needs"}, http.StatusUnprocessableEntity},
			"stale If-Match":          {e.practitioner, map[string]any{"response": "can_meet_needs"}, http.StatusPreconditionFailed},
		} {
			headers := []string{}
			if name == "stale If-Match" {
				headers = []string{"If-Match", `"9"`}
			}
			if got := e.do(http.MethodPost, respond, c.key, c.body, headers...); got.status != c.status {
				t.Fatalf("%s: %d %s", name, got.status, got.body)
			}
		}
		ans := e.do(http.MethodPost, respond, e.practitioner, map[string]any{"response": "can_meet_needs", "reasons": "A Year 3 place."}, "If-Match", `"1"`)
		if ans.status != http.StatusOK {
			t.Fatalf("answer: %d %s", ans.status, ans.body)
		}
		if a := ans.json(t); a["status"] != "responded" || a["response"] != "can_meet_needs" || a["late"] != true ||
			a["responded_on"] != time.Now().Format("2006-01-02") {
			t.Fatalf("answered: %s", ans.body)
		}
		if got := e.do(http.MethodPost, respond, e.practitioner, map[string]any{"response": "can_meet_needs"}); got.status != http.StatusConflict {
			t.Fatalf("answered twice: %d", got.status)
		}
		if n := e.outboxTypes(schoolID); n["setting_consultation.sent"] != 1 || n["setting_consultation.responded"] != 1 {
			t.Fatalf("outbox: %v", n)
		}

		// Section I names the setting and the consultation that supports it.
		pl := map[string]any{"setting_name": "Oakfield Primary", "setting_type": "mainstream_school", "consultation_id": "0190a5e0-0000-7000-8000-000000000998"}
		bad := e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", e.officer, map[string]any{"issued_on": daysAgo(1), "placement": pl})
		if bad.status != http.StatusUnprocessableEntity || !containsPointer(t, bad, "/placement/consultation_id") {
			t.Fatalf("unknown consultation: %d %s", bad.status, bad.body)
		}
		pl["consultation_id"] = schoolID
		issued := e.do(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", e.officer, map[string]any{"issued_on": daysAgo(1), "placement": pl})
		if issued.status != http.StatusOK {
			t.Fatalf("issue: %d %s", issued.status, issued.body)
		}
		got := e.mustDoAs(e.officer, http.MethodGet, "/v1/ehc-plans/"+plan)
		vs := got["versions"].([]any)
		i := vs[len(vs)-1].(map[string]any)["sections"].(map[string]any)["i"].(map[string]any)
		if i["consultation_id"] != schoolID {
			t.Fatalf("section I: %v", i)
		}
	})
}

func containsPointer(t *testing.T, r reply, pointer string) bool {
	t.Helper()
	errs, _ := r.json(t)["errors"].([]any)
	for _, e := range errs {
		if e.(map[string]any)["pointer"] == pointer {
			return true
		}
	}
	return false
}
