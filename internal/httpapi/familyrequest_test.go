package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// TestFamilyRequestsAssessment: a parent signed in for their own child asks for an EHC needs
// assessment themselves (s.36); it is received today, so the 6-week clock starts today. They may
// not backdate it, speak for the school, name the council's referral, or ask for another child.
func TestFamilyRequestsAssessment(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		today := time.Now().UTC()
		ask := func(body map[string]any) reply {
			return e.do(http.MethodPost, "/v1/ehc-needs-assessments", "", body, "Authorization", "Bearer "+family)
		}
		r := ask(map[string]any{"young_person_id": f.child, "received_on": today.Format("2006-01-02"), "requested_by": "parent",
			"notes": "We think Amelia needs more help than school can give."})
		if r.status != http.StatusCreated {
			t.Fatalf("the family's request: %d %s", r.status, r.body)
		}
		req := r.json(t)
		due := req["deadlines"].(map[string]any)["decision_to_assess"].(map[string]any)["due_on"]
		if req["requested_by"] != "parent" || req["received_on"] != today.Format("2006-01-02") || due != today.AddDate(0, 0, 42).Format("2006-01-02") {
			t.Errorf("request: %v (decision due %v)", req, due)
		}
		// The family follows it; the SEND team sees it in their list.
		if g := e.do(http.MethodGet, "/v1/ehc-needs-assessments/"+req["id"].(string), "", nil, "Authorization", "Bearer "+family); g.status != http.StatusOK {
			t.Errorf("the family reads their request: %d", g.status)
		}
		if n := len(items(t, e.do(http.MethodGet, "/v1/ehc-needs-assessments?young_person_id="+f.child, e.officer, nil))); n != 1 {
			t.Errorf("the SEND team lists %d requests", n)
		}
		for name, c := range map[string]struct {
			body    map[string]any
			status  int
			pointer string
		}{
			"backdated": {map[string]any{"young_person_id": f.child, "received_on": today.AddDate(0, 0, -10).Format("2006-01-02"), "requested_by": "parent"},
				http.StatusUnprocessableEntity, "/received_on"},
			"as the school": {map[string]any{"young_person_id": f.child, "received_on": today.Format("2006-01-02"), "requested_by": "school_or_college"},
				http.StatusUnprocessableEntity, "/requested_by"},
			"naming a referral": {map[string]any{"young_person_id": f.child, "received_on": today.Format("2006-01-02"), "requested_by": "parent", "referral_id": f.referral},
				http.StatusUnprocessableEntity, "/referral_id"},
			"for another child": {map[string]any{"young_person_id": unknownID, "received_on": today.Format("2006-01-02"), "requested_by": "parent"},
				http.StatusUnprocessableEntity, "/young_person_id"},
		} {
			p := ask(c.body).problem(t, c.status)
			if p.Errors == nil || (*p.Errors)[0].Pointer != c.pointer {
				t.Errorf("%s: %+v", name, p)
			}
		}
	})
}
