package httpapi_test

import (
	"net/http"
	"testing"
)

// TestCloseReceivedReferral: a referral still awaiting triage closes only because the family moved
// away or withdrew; any other outcome is triage's to give (409 naming the status). The close is
// announced and reaches the funnel's closed stage like any other.
func TestCloseReceivedReferral(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		ref := "/v1/referrals/" + f.referral
		for _, outcome := range []string{"needs_met", "ehc_needs_assessment_requested", "moved_to_adult_services", "other"} {
			p := e.do(http.MethodPost, ref+"/close", e.officer, map[string]any{"outcome": outcome, "reason": "x"}).problem(t, http.StatusConflict)
			if p.CurrentStatus == nil || *p.CurrentStatus != "received" {
				t.Fatalf("closing a received referral as %s: the 409 must name the status: %+v", outcome, p)
			}
		}
		// Who may not run the pathway may not close it either.
		e.do(http.MethodPost, ref+"/close", e.practitioner, map[string]any{"outcome": "moved_away", "reason": "x"}).problem(t, http.StatusForbidden)
		closed := e.mustDo(http.MethodPost, ref+"/close", map[string]any{"outcome": "moved_away", "reason": "The family moved to Leeds."}, http.StatusOK)
		if closed["status"] != "closed" || closed["closure"].(map[string]any)["outcome"] != "moved_away" || closed["triage"] != nil {
			t.Fatalf("closed: %s", mustJSON(closed))
		}
		e.do(http.MethodPost, ref+"/close", e.officer, map[string]any{"outcome": "family_withdrew", "reason": "x"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, ref+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x"}).problem(t, http.StatusConflict)

		// The family withdrawing closes another received referral the same way.
		other := e.referral(e.officer, referralFor(f.child, e.schoolSENCO))
		withdrawn := e.mustDo(http.MethodPost, "/v1/referrals/"+other.ID.String()+"/close", map[string]any{"outcome": "family_withdrew",
			"reason": "The family no longer want the referral."}, http.StatusOK)
		if withdrawn["status"] != "closed" {
			t.Fatalf("withdrawn: %s", mustJSON(withdrawn))
		}
		events, err := outboxOf(e, f.referral)
		if err != nil {
			t.Fatal(err)
		}
		if !events["referral.closed"] {
			t.Fatalf("no referral.closed event: %v", events)
		}
	})
}
