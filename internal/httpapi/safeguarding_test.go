package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestSafeguardingConcernAfterTriage: a concern found during the family assessment is recorded on
// its own operation. The referral moves to the safeguarding assessment route, says a social worker
// must take over from the current lead (a health visitor) until one is allocated, and the change is
// audited, announced and on the timeline without the reason. A second concern, or one on a closed
// referral, is a 409; the day is checked; If-Match is honoured.
func TestSafeguardingConcernAfterTriage(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		today := mtgDay(0)
		e.walkToAllocated(f, today)
		ref := "/v1/referrals/" + f.referral
		const reason = "Bruising disclosed to the family support worker."
		raise := func(key string, body map[string]any, headers ...string) reply {
			return e.do(http.MethodPost, ref+"/safeguarding-concern", key, body, headers...)
		}
		body := map[string]any{"reason": reason, "raised_on": today}

		before := e.do(http.MethodGet, ref, e.officer, nil)
		if before.json(t)["lead_must_be_social_worker"] != false || before.json(t)["route"] != "family_assessment" {
			t.Fatalf("before: %s", before.body)
		}
		raise(e.practitioner, body).problem(t, http.StatusForbidden)
		raise(e.officer, body, "If-Match", `"1"`).problem(t, http.StatusPreconditionFailed)
		if p := raise(e.officer, map[string]any{"reason": reason, "raised_on": mtgDay(1)}).problem(t, http.StatusBadRequest); !hasPointer(p, "/raised_on") {
			t.Fatalf("a day in the future: pointers %v", pointers(p))
		}
		raise(e.officer, map[string]any{"reason": reason}).problem(t, http.StatusBadRequest)

		res := raise(e.leadKey, body, "If-Match", before.header.Get("ETag"))
		if res.status != http.StatusOK || res.header.Get("ETag") == "" || res.header.Get("ETag") == before.header.Get("ETag") {
			t.Fatalf("raise: %d %v %s", res.status, res.header, res.body)
		}
		r := res.json(t)
		sr, _ := r["safeguarding_raised"].(map[string]any)
		if r["safeguarding_concern"] != true || r["route"] != "safeguarding_assessment" || r["status"] != "allocated" ||
			r["engagement_lead_practitioner_id"] != e.lead || r["lead_must_be_social_worker"] != true ||
			sr == nil || sr["reason"] != reason || sr["raised_on"] != today || sr["route_before"] != "family_assessment" {
			t.Fatalf("raised: %s", res.body)
		}
		// A later read says the same; the lead stays until a social worker takes over.
		if got := e.mustDo(http.MethodGet, ref, nil, http.StatusOK); got["lead_must_be_social_worker"] != true {
			t.Fatalf("read after: %v", got["lead_must_be_social_worker"])
		}
		if p := raise(e.officer, body).problem(t, http.StatusConflict); p.CurrentStatus == nil || *p.CurrentStatus != "allocated" {
			t.Fatalf("a second concern: %+v", p)
		}
		// The intake details stay closed: a correction cannot take the concern away either.
		e.do(http.MethodPatch, ref, e.officer, map[string]any{"safeguarding_concern": false}).problem(t, http.StatusConflict)

		// Audited (who and which fields), announced, and on the timeline without the reason.
		events, err := outboxOf(e, f.referral)
		if err != nil {
			t.Fatal(err)
		}
		if !events["referral.safeguarding_concern_raised"] {
			t.Fatalf("outbox: %v", events)
		}
		audits := items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&action=update&record_id="+f.referral, e.admin, nil))
		found := false
		for _, a := range audits {
			a := a.(map[string]any)
			if fields, _ := a["changed_fields"].([]any); slices.Contains(fields, any("safeguarding_raised")) && slices.Contains(fields, any("route")) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no audit of the concern: %v", audits)
		}
		var line map[string]any
		for _, ev := range e.mtgTimeline(f.child) {
			if ev["kind"] == "referral.safeguarding_concern_raised" {
				line = ev
			}
			if strings.Contains(ev["summary"].(string), "Bruising") {
				t.Errorf("the timeline shows the reason: %v", ev)
			}
		}
		if line == nil || !strings.Contains(line["summary"].(string), "social worker must take over") {
			t.Fatalf("timeline line: %v", line)
		}

		// Allocation now needs a social worker; once one is allocated nothing waits.
		if p := e.do(http.MethodPost, ref+"/allocation", e.officer, map[string]any{"practitioner_id": e.otherWorker, "reason": "x"}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/practitioner_id") {
			t.Fatalf("a lead who is not a social worker: pointers %v", pointers(p))
		}
		sw := e.socialWorker()
		al := e.mustDo(http.MethodPost, ref+"/allocation", map[string]any{"practitioner_id": sw, "reason": "Safeguarding lead."}, http.StatusOK)
		if al["engagement_lead_practitioner_id"] != sw || al["lead_must_be_social_worker"] != false {
			t.Fatalf("after a social worker was allocated: %v %v", al["engagement_lead_practitioner_id"], al["lead_must_be_social_worker"])
		}

		// Before triage the route comes at triage; on a closed referral nothing can be raised.
		early := e.referral(e.officer, referralFor(f.child, e.schoolSENCO)).ID.String()
		got := e.mustDo(http.MethodPost, "/v1/referrals/"+early+"/safeguarding-concern", body, http.StatusOK)
		if got["route"] != nil || got["lead_must_be_social_worker"] != false || got["safeguarding_raised"].(map[string]any)["route_before"] != nil {
			t.Fatalf("raised before triage: %v", got)
		}
		tri := e.mustDo(http.MethodPost, "/v1/referrals/"+early+"/triage", map[string]any{"decision": "accept", "reason": "Meets the pathway."}, http.StatusOK)
		if tri["route"] != "safeguarding_assessment" {
			t.Fatalf("triage after the concern: route %v", tri["route"])
		}
		closed := e.referral(e.officer, referralFor(f.child, e.schoolSENCO)).ID.String()
		e.mustDo(http.MethodPost, "/v1/referrals/"+closed+"/close", map[string]any{"outcome": "moved_away", "reason": "Moved."}, http.StatusOK)
		if p := e.do(http.MethodPost, "/v1/referrals/"+closed+"/safeguarding-concern", e.officer, body).problem(t, http.StatusConflict); p.CurrentStatus == nil || *p.CurrentStatus != "closed" {
			t.Fatalf("on a closed referral: %+v", p)
		}
		e.do(http.MethodPost, "/v1/referrals/"+unknownID+"/safeguarding-concern", e.officer, body).problem(t, http.StatusNotFound)
	})
}
