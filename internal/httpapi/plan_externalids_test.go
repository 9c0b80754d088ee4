package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// TestEHCPlanExternalIDs: a plan keeps other systems' ids (on create, read and list), is found by
// ?external_id=, an id held by another plan is 409 (naming it only to a caller who may see it),
// If-None-Exist drafts once and then answers the plan, and PATCH replaces the ids (audited,
// announced, If-Match).
func TestEHCPlanExternalIDs(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		kid := func() string {
			c := child(6)
			c.NHSNumber, c.UPN = nil, nil
			return e.youngPerson(e.officer, c)
		}
		body := func(yp string, ids ...string) map[string]any {
			m := map[string]any{"young_person_id": yp, "transferred_from_la": "202", "sections": minimalSections()}
			var xs []map[string]any
			for i := 0; i+1 < len(ids); i += 2 {
				xs = append(xs, map[string]any{"system": ids[i], "value": ids[i+1]})
			}
			if xs != nil {
				m["external_ids"] = xs
			}
			return m
		}
		r := e.do(http.MethodPost, "/v1/ehc-plans", e.officer, body(kid(), "ems", "P-1"))
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		id := r.json(t)["id"].(string)
		if xs, _ := e.do(http.MethodGet, "/v1/ehc-plans/"+id, e.officer, nil).json(t)["external_ids"].([]any); len(xs) != 1 {
			t.Fatalf("external ids not on read")
		}
		list := func(key, q string) []any {
			return items(t, e.do(http.MethodGet, "/v1/ehc-plans?external_id="+url.QueryEscape(q), key, nil))
		}
		if l := list(e.officer, "ems|P-1"); len(l) != 1 || l[0].(map[string]any)["id"] != id {
			t.Fatalf("found by external id: %v", l)
		}
		if l := list(e.outsider, "ems|P-1"); len(l) != 0 {
			t.Fatalf("an outsider found the plan: %v", l)
		}
		e.do(http.MethodGet, "/v1/ehc-plans?external_id="+url.QueryEscape("nowhere|1"), e.officer, nil).problem(t, http.StatusBadRequest)
		e.do(http.MethodPost, "/v1/ehc-plans", e.officer, body(kid(), "nowhere", "1")).problem(t, http.StatusBadRequest)
		second := kid()
		p := e.do(http.MethodPost, "/v1/ehc-plans", e.officer, body(second, "ems", "P-1")).problem(t, http.StatusConflict)
		if p.Location == nil || *p.Location != "/v1/ehc-plans/"+id || !hasPointer(p, "/external_ids/0") {
			t.Fatalf("conflict: %+v", p)
		}

		// Conditional create: once, then the same plan; 409 naming nothing to a caller who may not see it.
		first := e.do(http.MethodPost, "/v1/ehc-plans", e.officer, body(second), "If-None-Exist", "ems|P-5")
		if first.status != http.StatusCreated {
			t.Fatalf("first conditional create: %d %s", first.status, first.body)
		}
		cid := first.json(t)["id"].(string)
		again := e.do(http.MethodPost, "/v1/ehc-plans", e.officer, body(second), "If-None-Exist", "ems|P-5")
		if again.status != http.StatusOK || again.json(t)["id"] != cid || again.header.Get("Location") != "/v1/ehc-plans/"+cid {
			t.Fatalf("second conditional create: %d %s", again.status, again.body)
		}
		lead := e.idp.token(t, auth.RoleEngagementLead, e.other, map[string]any{"oneplan_practitioner": e.otherWorker})
		out := e.do(http.MethodPost, "/v1/ehc-plans", lead, body(second), "If-None-Exist", "ems|P-5")
		out.problem(t, http.StatusConflict)
		if bytes.Contains(out.body, []byte(cid)) {
			t.Fatalf("the outsider's conflict names the plan: %s", out.body)
		}

		// PATCH replaces the ids: P-1 becomes P-2 and a URI system's id is added.
		tag := e.do(http.MethodGet, "/v1/ehc-plans/"+id, e.officer, nil).header.Get("ETag")
		ids := func(pairs ...string) map[string]any {
			return map[string]any{"external_ids": body("", pairs...)["external_ids"]}
		}
		e.do(http.MethodPatch, "/v1/ehc-plans/"+id, e.officer, ids("ems", "P-2"), "If-Match", `"99"`).problem(t, http.StatusPreconditionFailed)
		ch := e.do(http.MethodPatch, "/v1/ehc-plans/"+id, e.officer, ids("ems", "P-2", "https://capita.example/plan", "9"), "If-Match", tag)
		if ch.status != http.StatusOK || ch.header.Get("ETag") == tag {
			t.Fatalf("patch: %d %s", ch.status, ch.body)
		}
		if xs, _ := ch.json(t)["external_ids"].([]any); len(xs) != 2 {
			t.Fatalf("ids after the patch: %s", ch.body)
		}
		if l := list(e.officer, "ems|P-1"); len(l) != 0 {
			t.Fatalf("the replaced id still finds the plan: %v", l)
		}
		if l := list(e.officer, "ems|P-2"); len(l) != 1 {
			t.Fatalf("the new id finds nothing: %v", l)
		}
		// The old id is free again; one another plan holds is a conflict naming it.
		p = e.do(http.MethodPatch, "/v1/ehc-plans/"+id, e.officer, ids("ems", "P-5")).problem(t, http.StatusConflict)
		if p.Location == nil || *p.Location != "/v1/ehc-plans/"+cid || !hasPointer(p, "/external_ids/0") {
			t.Fatalf("patch conflict: %+v", p)
		}
		e.do(http.MethodPatch, "/v1/ehc-plans/"+id, e.officer, ids("nowhere", "1")).problem(t, http.StatusBadRequest)
		db, err := e.st.SQL()
		if err != nil {
			t.Fatal(err)
		}
		count := func(q string) int {
			var n int
			if err := db.QueryRow(q + " AND record_id = '" + id + "'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count("SELECT count(*) FROM outbox_events WHERE event_type = 'ehc_plan.updated'"); n != 1 {
			t.Errorf("ehc_plan.updated events: %d, want 1", n)
		}
		if n := count("SELECT count(*) FROM audit_events WHERE action = 'update' AND record_type = 'ehc_plan'"); n != 1 {
			t.Errorf("update audit events: %d, want 1", n)
		}
	}, withSystems("ems"))
}

// TestOrganisationExternalIDsPatch: an organisation's PATCH replaces its ids (a PATCH of other
// fields keeps them); an id another organisation holds is 409 naming it.
func TestOrganisationExternalIDsPatch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		org := func(name, value string) reply {
			r := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": name, "type": "school_primary",
				"external_ids": []map[string]any{{"system": "ems", "value": value}}})
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			return r
		}
		a, b := org("Ash Primary", "S-1"), org("Beech Primary", "S-2")
		aID, bID := a.json(t)["id"].(string), b.json(t)["id"].(string)
		list := func(q string) []any {
			return items(t, e.do(http.MethodGet, "/v1/organisations?external_id="+url.QueryEscape(q), e.admin, nil))
		}
		renamed := e.do(http.MethodPatch, "/v1/organisations/"+aID, e.admin, map[string]any{"name": "Ash Primary Academy"}, "If-Match", a.header.Get("ETag"))
		if renamed.status != http.StatusOK || len(list("ems|S-1")) != 1 {
			t.Fatalf("a rename lost the ids: %d %s", renamed.status, renamed.body)
		}
		ch := e.do(http.MethodPatch, "/v1/organisations/"+aID, e.admin, map[string]any{"external_ids": []map[string]any{{"system": "ems", "value": "S-3"}}},
			"If-Match", renamed.header.Get("ETag"))
		if ch.status != http.StatusOK {
			t.Fatalf("patch: %d %s", ch.status, ch.body)
		}
		if len(list("ems|S-1")) != 0 || len(list("ems|S-3")) != 1 {
			t.Fatalf("ids after the patch: %s", ch.body)
		}
		p := e.do(http.MethodPatch, "/v1/organisations/"+aID, e.admin, map[string]any{"external_ids": []map[string]any{{"system": "ems", "value": "S-2"}}}).
			problem(t, http.StatusConflict)
		if p.Location == nil || *p.Location != "/v1/organisations/"+bID || !hasPointer(p, "/external_ids/0") {
			t.Fatalf("conflict: %+v", p)
		}
		e.do(http.MethodPatch, "/v1/organisations/"+aID, e.admin, map[string]any{"external_ids": []map[string]any{{"system": "nowhere", "value": "1"}}}).
			problem(t, http.StatusBadRequest)
	}, withSystems("ems"))
}

// TestReferralExternalIDsPatch: a referral's PATCH (before triage) replaces its ids, a PATCH of
// other fields keeps them, and an id another referral holds is 409 naming it.
func TestReferralExternalIDsPatch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(6))
		refer := func(value string) reply {
			r := e.do(http.MethodPost, "/v1/referrals", e.officer, map[string]any{"young_person_id": yp, "referrer_practitioner_id": e.schoolSENCO,
				"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"},
				"external_ids": []map[string]any{{"system": "ems", "value": value}}})
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			return r
		}
		a, b := refer("R-1"), refer("R-2")
		aID, bID := a.json(t)["id"].(string), b.json(t)["id"].(string)
		list := func(q string) []any {
			return items(t, e.do(http.MethodGet, "/v1/referrals?external_id="+url.QueryEscape(q), e.officer, nil))
		}
		corrected := e.do(http.MethodPatch, "/v1/referrals/"+aID, e.officer, map[string]any{"summary": "Corrected."}, "If-Match", a.header.Get("ETag"))
		if corrected.status != http.StatusOK || len(list("ems|R-1")) != 1 {
			t.Fatalf("a correction lost the ids: %d %s", corrected.status, corrected.body)
		}
		ch := e.do(http.MethodPatch, "/v1/referrals/"+aID, e.officer, map[string]any{"external_ids": []map[string]any{{"system": "ems", "value": "R-3"}}},
			"If-Match", corrected.header.Get("ETag"))
		if ch.status != http.StatusOK || len(list("ems|R-1")) != 0 || len(list("ems|R-3")) != 1 {
			t.Fatalf("patch: %d %s", ch.status, ch.body)
		}
		p := e.do(http.MethodPatch, "/v1/referrals/"+aID, e.officer, map[string]any{"external_ids": []map[string]any{{"system": "ems", "value": "R-2"}}}).
			problem(t, http.StatusConflict)
		if p.Location == nil || *p.Location != "/v1/referrals/"+bID || !hasPointer(p, "/external_ids/0") {
			t.Fatalf("conflict: %+v", p)
		}
	}, withSystems("ems"))
}
