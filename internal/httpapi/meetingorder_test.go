package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

// walkToAllocated takes the fixture's referral along the pathway as the SEND officer: accepted at
// triage, family assessment started, allocation meeting held on held, engagement lead (the health
// trust's practitioner) allocated. It returns the allocation meeting's id.
func (e *env) walkToAllocated(f fixture, held string) string {
	e.t.Helper()
	e.mustDo(http.MethodPost, "/v1/referrals/"+f.referral+"/triage", map[string]any{"decision": "accept", "reason": "Meets the pathway."}, http.StatusOK)
	e.mustDo(http.MethodPost, "/v1/family-assessments", map[string]any{"referral_id": f.referral, "sections": map[string]any{"child_voice": "Trains."}},
		http.StatusCreated)
	id := e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "allocation", "held_on": held,
		"decisions": []string{"Lead agreed."}}, http.StatusCreated)["id"].(string)
	e.mustDo(http.MethodPost, "/v1/referrals/"+f.referral+"/allocation", map[string]any{"practitioner_id": e.lead, "reason": "Knows the family."},
		http.StatusOK)
	return id
}

// walkToMAM is walkToAllocated followed by a MAM held on the same day: the referral is at
// mam_held, where a MAP or a review meeting may follow. It returns the MAM's id.
func (e *env) walkToMAM(f fixture, held string) string {
	e.t.Helper()
	e.walkToAllocated(f, held)
	return e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "mam", "held_on": held,
		"decisions": []string{"Plan agreed with the family."}}, http.StatusCreated)["id"].(string)
}

// TestMeetingsInPathwayOrder: a meeting is recorded only where the pathway has got to (409 naming
// the referral's status), a MAP or review is not dated before the first MAM (422 on /held_on),
// corrections keep that order, and nothing is added to a closed referral.
func TestMeetingsInPathwayOrder(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		// A referral received ten days ago, so the meetings can be dated in between.
		f.referral = e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": f.child, "referrer_practitioner_id": e.schoolSENCO,
			"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}, "received_on": mtgDay(-10)}, http.StatusCreated)["id"].(string)
		meet := func(typ string, held string) reply {
			body := map[string]any{"referral_id": f.referral, "type": typ, "held_on": held}
			if typ == "map" {
				body["map_decision"] = map[string]any{"solution": "Resource base place", "cost_band": "20k_to_50k", "outcome": "approved"}
			}
			return e.do(http.MethodPost, "/v1/meetings", e.officer, body)
		}
		refused := func(typ, held, status string) {
			t.Helper()
			p := meet(typ, held).problem(t, http.StatusConflict)
			if p.CurrentStatus == nil || *p.CurrentStatus != status {
				t.Fatalf("%s on a %s referral: the 409 must name the status: %+v", typ, status, p)
			}
		}
		today := mtgDay(0)
		// Before triage only the team around the family's own meetings.
		for _, typ := range []string{"allocation", "mam", "map", "review"} {
			refused(typ, today, "received")
		}
		if r := meet("taf", mtgDay(-30)); r.status != http.StatusCreated {
			t.Fatalf("a TAF before triage: %d %s", r.status, r.body)
		}
		e.mustDo(http.MethodPost, "/v1/referrals/"+f.referral+"/triage", map[string]any{"decision": "accept", "reason": "Meets the pathway."}, http.StatusOK)
		refused("allocation", today, "accepted") // the family assessment has not started
		e.mustDo(http.MethodPost, "/v1/family-assessments", map[string]any{"referral_id": f.referral, "sections": map[string]any{"child_voice": "Trains."}},
			http.StatusCreated)
		refused("mam", today, "assessing") // no engagement lead yet
		if r := meet("allocation", mtgDay(-3)); r.status != http.StatusCreated {
			t.Fatalf("allocation meeting: %d %s", r.status, r.body)
		}
		e.mustDo(http.MethodPost, "/v1/referrals/"+f.referral+"/allocation", map[string]any{"practitioner_id": e.lead, "reason": "Knows the family."},
			http.StatusOK)
		refused("map", today, "allocated")
		refused("review", today, "allocated")
		if got := e.mtgStatus(f.referral); got != "allocated" {
			t.Fatalf("refused meetings moved the referral to %s", got)
		}

		mam := meet("mam", mtgDay(-2))
		if mam.status != http.StatusCreated || e.mtgStatus(f.referral) != "mam_held" {
			t.Fatalf("MAM: %d %s", mam.status, mam.body)
		}
		// Not before the first MAM.
		for _, typ := range []string{"map", "review"} {
			if p := meet(typ, mtgDay(-3)).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/held_on") {
				t.Fatalf("%s before the MAM: pointers %v", typ, pointers(p))
			}
		}
		mp := meet("map", mtgDay(-1))
		if mp.status != http.StatusCreated || e.mtgStatus(f.referral) != "panel" {
			t.Fatalf("MAP: %d %s", mp.status, mp.body)
		}
		if r := meet("review", mtgDay(-2)); r.status != http.StatusCreated {
			t.Fatalf("a review on the MAM's day: %d %s", r.status, r.body)
		}

		// Corrections keep the order: the MAM cannot move after the MAP, but may move earlier.
		mamID := mam.json(t)["id"].(string)
		p := e.do(http.MethodPatch, "/v1/meetings/"+mamID, e.officer, map[string]any{"held_on": today}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/held_on") {
			t.Fatalf("MAM moved after the MAP: pointers %v", pointers(p))
		}
		mapID := mp.json(t)["id"].(string)
		e.do(http.MethodPatch, "/v1/meetings/"+mapID, e.officer, map[string]any{"held_on": mtgDay(-4)}).problem(t, http.StatusUnprocessableEntity)
		if r := e.do(http.MethodPatch, "/v1/meetings/"+mamID, e.officer, map[string]any{"held_on": mtgDay(-3)}); r.status != http.StatusOK {
			t.Fatalf("MAM moved earlier: %d %s", r.status, r.body)
		}

		// Nothing is added to a closed referral, not even a TAF.
		e.mustDo(http.MethodPost, "/v1/referrals/"+f.referral+"/close", map[string]any{"outcome": "needs_met", "reason": "Outcomes met."}, http.StatusOK)
		for _, typ := range []string{"taf", "family_service_plan", "mam"} {
			refused(typ, today, "closed")
		}
		// A referral declined at triage takes no meeting either.
		other := e.referral(e.officer, referralFor(f.child, e.schoolSENCO)).ID.String()
		e.mustDo(http.MethodPost, "/v1/referrals/"+other+"/triage", map[string]any{"decision": "decline", "reason": "Single service."}, http.StatusOK)
		e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": other, "type": "taf", "held_on": today}).problem(t, http.StatusConflict)
	})
}

// TestActivityAgreesWithFunnel: every MAM the activity report counts is on a referral the funnel
// shows as having reached mam_held, and every MAP on one that reached panel. MAMs asked for out
// of the pathway's order (before triage, before an engagement lead, on a closed referral) are
// refused, so they are never counted where the referral's status did not move.
func TestActivityAgreesWithFunnel(t *testing.T) {
	clock := time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)
	at := func(_ *httpapi.Options, c *app.Options) { c.Clock = func() time.Time { return clock } }
	each(t, func(t *testing.T, e *env) {
		on := func(d int) string { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02") }
		refer := func() fixture {
			kid := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Order", "family_name": "Child",
				"date_of_birth": "2017-01-01", "locality": "South"}, http.StatusCreated)["id"].(string)
			ref := e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": kid, "referrer_practitioner_id": e.schoolSENCO,
				"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}, "received_on": on(2),
				"consent": map[string]any{"given_by": "Parent", "relationship": "parent", "given_on": on(2)}}, http.StatusCreated)["id"].(string)
			return fixture{child: kid, referral: ref}
		}
		mam := func(f fixture, d int) int {
			return e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": f.referral, "type": "mam", "held_on": on(d)}).status
		}
		// In order: a MAM, then a MAP.
		inOrder := refer()
		e.walkToAllocated(inOrder, on(5))
		if s := mam(inOrder, 6); s != http.StatusCreated {
			t.Fatalf("MAM in order: %d", s)
		}
		e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": inOrder.referral, "type": "map", "held_on": on(7),
			"map_decision": map[string]any{"solution": "Resource base place", "cost_band": "20k_to_50k", "outcome": "approved"}}, http.StatusCreated)
		// Out of order: before triage, accepted without a lead, on a closed referral.
		received, accepted, closed := refer(), refer(), refer()
		e.mustDo(http.MethodPost, "/v1/referrals/"+accepted.referral+"/triage", map[string]any{"decision": "accept", "reason": "x"}, http.StatusOK)
		e.mustDo(http.MethodPost, "/v1/referrals/"+closed.referral+"/close", map[string]any{"outcome": "moved_away", "reason": "Moved."}, http.StatusOK)
		for name, f := range map[string]fixture{"received": received, "accepted": accepted, "closed": closed} {
			if s := mam(f, 8); s != http.StatusConflict {
				t.Errorf("a MAM on a %s referral: %d, want 409", name, s)
			}
		}

		activity := e.report(e.officer, "/v1/reports/activity?from=2026-03-01&to=2026-03-31")
		funnel := e.report(e.officer, "/v1/reports/funnel?from=2026-03-01&to=2026-03-31")
		value := func(d reportDoc, table, category, measure string) float64 {
			t.Helper()
			f := d.fig(t, table, "", category, measure)
			if f.value == nil {
				t.Fatalf("%s %s %s: no value", table, category, measure)
			}
			return *f.value
		}
		mams, mamHeld := value(activity, "meetings_by_type", "mam", "meetings"), value(funnel, "stages", "mam_held", "referrals")
		maps, panel := value(activity, "meetings_by_type", "map", "meetings"), value(funnel, "stages", "panel", "referrals")
		if mams != 1 || mamHeld != 1 || maps != 1 || panel != 1 {
			t.Fatalf("activity counts %v MAMs and %v MAPs; the funnel %v referrals at mam_held and %v at panel: want 1 of each", mams, maps, mamHeld, panel)
		}
	}, at)
}
