package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
)

// setStatus puts a referral straight into a pathway status, for tests of later stages.
func (e *env) setStatus(id string, s referral.Status) {
	e.t.Helper()
	err := e.st.InTx(context.Background(), func(tx *store.Tx) error {
		r, err := tx.Referrals().Get(id, access.Scope{})
		if err != nil {
			return err
		}
		r.Status, r.Version = s, r.Version+1
		return tx.Referrals().Update(r)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) socialWorker() string {
	e.t.Helper()
	r := e.do(http.MethodPost, "/v1/practitioners", e.admin, map[string]any{"organisation_id": e.health, "name": "Sol Worker",
		"email": "sol" + e.t.Name()[len(e.t.Name())-3:] + "@health.example", "role": "social_worker"})
	if r.status != http.StatusCreated {
		e.t.Fatalf("social worker: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

func TestAllocation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		ref := "/v1/referrals/" + f.referral
		allocate := func(practitioner string, headers ...string) reply {
			return e.do(http.MethodPost, ref+"/allocation", e.officer, map[string]any{"practitioner_id": practitioner, "reason": "Knows the family."}, headers...)
		}
		// Not before the family assessment has started.
		if p := allocate(e.lead).problem(t, http.StatusConflict); p.CurrentStatus == nil || *p.CurrentStatus != "received" {
			t.Fatalf("current status: %v", p.CurrentStatus)
		}
		e.setStatus(f.referral, referral.Assessing)
		first := allocate(e.lead)
		if first.status != http.StatusOK || first.json(t)["status"] != "allocated" || first.json(t)["engagement_lead_practitioner_id"] != e.lead {
			t.Fatalf("allocate: %d %s", first.status, first.body)
		}
		allocate(e.lead).problem(t, http.StatusConflict)
		// Re-allocation keeps the history, one active lead.
		second := allocate(e.schoolSENCO)
		if second.status != http.StatusOK || second.json(t)["engagement_lead_practitioner_id"] != e.schoolSENCO {
			t.Fatalf("re-allocate: %d %s", second.status, second.body)
		}
		hist := items(t, e.do(http.MethodGet, ref+"/allocations", e.officer, nil))
		if len(hist) != 2 || hist[0].(map[string]any)["active"] != true || hist[1].(map[string]any)["active"] != false || hist[1].(map[string]any)["ended_at"] == nil {
			t.Fatalf("history: %v", hist)
		}
		// The former lead's engagement-lead involvement has ended.
		for _, i := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/involvements?current=true", e.officer, nil)) {
			m := i.(map[string]any)
			if m["role"] == "engagement_lead" && m["practitioner_id"] == e.lead {
				if _, ended := m["ended_on"]; !ended {
					t.Fatalf("former lead still current: %v", m)
				}
			}
		}
		// Partners cannot allocate; unknown practitioners are refused.
		e.do(http.MethodPost, ref+"/allocation", e.practitioner, map[string]any{"practitioner_id": e.lead, "reason": "x"}).problem(t, http.StatusForbidden)
		if p := allocate(unknownID).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/practitioner_id") {
			t.Fatalf("pointers %v", pointers(p))
		}
	})
}

func TestSafeguardingNeedsASocialWorker(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		kid := e.youngPerson(e.officer, child(11))
		in := referralFor(kid, e.schoolSENCO)
		in.SafeguardingConcern = ptr(true)
		r := e.referral(e.officer, in)
		e.do(http.MethodPost, "/v1/referrals/"+r.ID.String()+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x"})
		e.setStatus(r.ID.String(), referral.Assessing)
		// No consent recorded at all: safeguarding makes the sharing lawful, but the lead must be a social worker.
		p := e.do(http.MethodPost, "/v1/referrals/"+r.ID.String()+"/allocation", e.officer, map[string]any{"practitioner_id": e.lead, "reason": "x"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/practitioner_id") {
			t.Fatalf("pointers %v", pointers(p))
		}
		sw := e.socialWorker()
		ok := e.do(http.MethodPost, "/v1/referrals/"+r.ID.String()+"/allocation", e.officer, map[string]any{"practitioner_id": sw, "reason": "Allocated social worker."})
		if ok.status != http.StatusOK {
			t.Fatalf("social worker lead: %d %s", ok.status, ok.body)
		}
		// Without a safeguarding concern and without consent, the lead's organisation may not be involved.
		plain := e.youngPerson(e.officer, func() clientYP { c := child(12); c.NHSNumber, c.UPN = nil, nil; return c }())
		r2 := e.referral(e.officer, referralFor(plain, e.schoolSENCO))
		e.do(http.MethodPost, "/v1/referrals/"+r2.ID.String()+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x"})
		e.setStatus(r2.ID.String(), referral.Assessing)
		p = e.do(http.MethodPost, "/v1/referrals/"+r2.ID.String()+"/allocation", e.officer, map[string]any{"practitioner_id": e.lead, "reason": "x"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/safeguarding_reason") {
			t.Fatalf("missing consent should be named: %v", pointers(p))
		}
	})
}

// TestConcurrentAllocations: two allocations of the same referral, both based on the same read,
// end with exactly one active engagement lead and one refusal (409 or 412).
func TestConcurrentAllocations(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for round := range 5 {
			f := e.fixture()
			e.setStatus(f.referral, referral.Assessing)
			et := e.do(http.MethodGet, "/v1/referrals/"+f.referral, e.officer, nil).header.Get("ETag")
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i, who := range []string{e.lead, e.schoolSENCO} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = e.do(http.MethodPost, "/v1/referrals/"+f.referral+"/allocation", e.officer,
						map[string]any{"practitioner_id": who, "reason": "x"}, "If-Match", et).status
				}()
			}
			wg.Wait()
			won, lost := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusOK:
					won++
				case http.StatusConflict, http.StatusPreconditionFailed:
					lost++
				}
			}
			if won != 1 || lost != 1 {
				t.Fatalf("round %d: statuses %v", round, statuses)
			}
			active := 0
			for _, a := range items(t, e.do(http.MethodGet, "/v1/referrals/"+f.referral+"/allocations", e.officer, nil)) {
				if a.(map[string]any)["active"] == true {
					active++
				}
			}
			if active != 1 {
				t.Fatalf("round %d: %d active leads", round, active)
			}
		}
	})
}

func TestTransitionsCloseAndTimeline(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		ref := "/v1/referrals/" + f.referral
		move := func(to string) reply {
			return e.do(http.MethodPost, ref+"/transitions", e.officer, map[string]any{"to": to, "reason": "Agreed at review."})
		}
		// Triage is the only way out of received.
		if p := move("accepted").problem(t, http.StatusConflict); p.CurrentStatus == nil || *p.CurrentStatus != "received" {
			t.Fatal("409 must name the current status")
		}
		e.do(http.MethodPost, ref+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x"})
		move("plan_in_place").problem(t, http.StatusConflict)
		e.setStatus(f.referral, referral.MAMHeld)
		for _, to := range []string{"plan_in_place", "reviewing", "mam_held"} {
			if r := move(to); r.status != http.StatusOK || r.json(t)["status"] != to {
				t.Fatalf("move to %s: %d %s", to, r.status, r.body)
			}
		}
		move("closed").problem(t, http.StatusConflict)
		e.do(http.MethodPost, ref+"/close", e.officer, map[string]any{"outcome": "lost", "reason": "x"}).problem(t, http.StatusBadRequest)
		closed := e.do(http.MethodPost, ref+"/close", e.officer, map[string]any{"outcome": "needs_met", "reason": "Outcomes achieved."})
		if closed.status != http.StatusOK || closed.json(t)["status"] != "closed" || closed.json(t)["closure"].(map[string]any)["outcome"] != "needs_met" {
			t.Fatalf("close: %d %s", closed.status, closed.body)
		}
		e.do(http.MethodPost, ref+"/close", e.officer, map[string]any{"outcome": "needs_met", "reason": "x"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, ref+"/transitions", e.practitioner, map[string]any{"to": "reviewing", "reason": "x"}).problem(t, http.StatusForbidden)

		// The timeline tells the story in order, and pages without gaps.
		var kinds []string
		path := "/v1/young-people/" + f.child + "/timeline?limit=2"
		for pages := 0; pages < 20; pages++ {
			r := e.do(http.MethodGet, path, e.practitioner, nil)
			page := r.json(t)
			for _, ev := range page["items"].([]any) {
				kinds = append(kinds, ev.(map[string]any)["kind"].(string))
			}
			next, ok := page["next_cursor"].(string)
			if !ok || next == "" {
				break
			}
			path = "/v1/young-people/" + f.child + "/timeline?limit=2&cursor=" + next
		}
		want := []string{"referral.received", "referral.triaged", "referral.plan_in_place", "referral.reviewing", "referral.mam_held", "referral.closed"}
		if len(kinds) != len(want) {
			t.Fatalf("timeline kinds = %v, want %v", kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Fatalf("timeline kinds = %v, want %v", kinds, want)
			}
		}
		e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline", e.outsider, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?cursor=bad", e.officer, nil).problem(t, http.StatusBadRequest)
	})
}

// TestPanelMembersSeeWhatWasPutBeforeTheirPanel: a panel member reads the records of children
// whose MAP they sat on, and nothing else.
func TestPanelMembersSeeWhatWasPutBeforeTheirPanel(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		member := e.socialWorker()
		panelKey := e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": e.health, "role": "panel_member", "name": "panel",
			"practitioner_id": member}).json(t)["key"].(string)
		before, other := e.fixture(), e.fixture()
		for _, f := range []fixture{before, other} {
			e.walkToMAM(f, dateOf(time.Now())) // a MAP follows a MAM
		}
		e.do(http.MethodGet, "/v1/young-people/"+before.child, panelKey, nil).problem(t, http.StatusNotFound)
		e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": before.referral, "type": "map", "held_on": dateOf(time.Now()),
			"attendees":    []any{map[string]any{"kind": "practitioner", "practitioner_id": member}},
			"map_decision": map[string]any{"solution": "Short breaks", "cost_band": "5k_to_20k", "outcome": "approved"}}, http.StatusCreated)
		for _, path := range []string{"/v1/young-people/" + before.child, "/v1/referrals/" + before.referral, "/v1/young-people/" + before.child + "/timeline"} {
			if r := e.do(http.MethodGet, path, panelKey, nil); r.status != http.StatusOK {
				t.Fatalf("%s as the panel member: %d %s", path, r.status, r.body)
			}
		}
		e.do(http.MethodGet, "/v1/young-people/"+other.child, panelKey, nil).problem(t, http.StatusNotFound)
		if n := len(items(t, e.do(http.MethodGet, "/v1/referrals", panelKey, nil))); n != 1 {
			t.Fatalf("panel member lists %d referrals, want 1", n)
		}
		e.do(http.MethodPatch, "/v1/young-people/"+before.child, panelKey, map[string]any{"preferred_name": "X"}).problem(t, http.StatusForbidden)
	})
}

// TestPanelReachOnlyForMembersWhoTookPart: a practitioner listed at a child's MAP as not taking
// part (took_part false, or how did_not_take_part) gains no reach to the child through it; one who
// took part does. A correction of the attendees moves the reach with it.
func TestPanelReachOnlyForMembersWhoTookPart(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		practitioner := func(name string) string {
			return e.do(http.MethodPost, "/v1/practitioners", e.admin, map[string]any{"organisation_id": e.health, "name": name,
				"email": strings.ToLower(name) + "@health.example", "role": "social_worker"}).json(t)["id"].(string)
		}
		keyOf := func(member string) string {
			return e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": e.health, "role": "panel_member",
				"name": "panel", "practitioner_id": member}).json(t)["key"].(string)
		}
		present, absent, excused := practitioner("Present"), practitioner("Absent"), practitioner("Excused")
		keys := map[string]string{present: keyOf(present), absent: keyOf(absent), excused: keyOf(excused)}
		f := e.fixture()
		e.walkToMAM(f, dateOf(time.Now()))
		attendee := func(id string, tookPart bool, how string) map[string]any {
			a := map[string]any{"kind": "practitioner", "practitioner_id": id, "took_part": tookPart}
			if how != "" {
				a["how"] = how
			}
			return a
		}
		mp := e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "map", "held_on": dateOf(time.Now()),
			"attendees":    []any{attendee(present, true, "in_person"), attendee(absent, false, ""), attendee(excused, true, "did_not_take_part")},
			"map_decision": map[string]any{"solution": "Short breaks", "cost_band": "5k_to_20k", "outcome": "approved"}}, http.StatusCreated)["id"].(string)
		reaches := func(member string, want bool) {
			t.Helper()
			key := keys[member]
			for _, path := range []string{"/v1/young-people/" + f.child, "/v1/referrals/" + f.referral, "/v1/meetings/" + mp} {
				r := e.do(http.MethodGet, path, key, nil)
				if want && r.status != http.StatusOK {
					t.Fatalf("%s as a member who took part: %d %s", path, r.status, r.body)
				}
				if !want {
					r.problem(t, http.StatusNotFound)
				}
			}
			n := 0
			if want {
				n = 1
			}
			for _, path := range []string{"/v1/young-people", "/v1/referrals", "/v1/meetings?type=map"} {
				if got := len(items(t, e.do(http.MethodGet, path, key, nil))); got != n {
					t.Fatalf("%s lists %d as panel member (took part: %v), want %d", path, got, want, n)
				}
			}
		}
		reaches(present, true)
		reaches(absent, false)
		reaches(excused, false)

		// Corrected: the member who was there did not take part after all, the absentee did.
		e.mustDo(http.MethodPatch, "/v1/meetings/"+mp, map[string]any{"attendees": []any{attendee(present, false, ""),
			attendee(absent, true, "video"), attendee(excused, true, "did_not_take_part")}}, http.StatusOK)
		reaches(present, false)
		reaches(absent, true)
		reaches(excused, false)
	})
}
