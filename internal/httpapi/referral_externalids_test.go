package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"
)

// TestReferralExternalIDs: a referral keeps other systems' ids (on create, read and list), is
// found by ?external_id=, an id held by another referral is 409, and If-None-Exist receives a
// referral once: 200 with the same referral after, 409 naming nothing to a caller who may not see it.
func TestReferralExternalIDs(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(6))
		body := func(ids ...string) map[string]any {
			m := map[string]any{"young_person_id": yp, "referrer_practitioner_id": e.schoolSENCO, "reasons": []string{"sen"},
				"services_involved": []string{"school", "camhs"}}
			var xs []map[string]any
			for i := 0; i+1 < len(ids); i += 2 {
				xs = append(xs, map[string]any{"system": ids[i], "value": ids[i+1]})
			}
			if xs != nil {
				m["external_ids"] = xs
			}
			return m
		}
		r := e.do(http.MethodPost, "/v1/referrals", e.officer, body("ems", "R-1"))
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		id := r.json(t)["id"].(string)
		if xs, _ := r.json(t)["external_ids"].([]any); len(xs) != 1 {
			t.Fatalf("external ids on create: %s", r.body)
		}
		if xs, _ := e.do(http.MethodGet, "/v1/referrals/"+id, e.officer, nil).json(t)["external_ids"].([]any); len(xs) != 1 {
			t.Fatalf("external ids not on read: %s", e.do(http.MethodGet, "/v1/referrals/"+id, e.officer, nil).body)
		}
		list := func(key, q string) []any {
			return items(t, e.do(http.MethodGet, "/v1/referrals?external_id="+url.QueryEscape(q), key, nil))
		}
		if l := list(e.officer, "ems|R-1"); len(l) != 1 || l[0].(map[string]any)["id"] != id {
			t.Fatalf("found by external id: %v", l)
		}
		if l := list(e.officer, "ems|R-2"); len(l) != 0 {
			t.Fatalf("another value matched: %v", l)
		}
		if l := list(e.outsider, "ems|R-1"); len(l) != 0 {
			t.Fatalf("an outsider found the referral: %v", l)
		}
		e.do(http.MethodGet, "/v1/referrals?external_id="+url.QueryEscape("nowhere|1"), e.officer, nil).problem(t, http.StatusBadRequest)
		e.do(http.MethodPost, "/v1/referrals", e.officer, body("nowhere", "1")).problem(t, http.StatusBadRequest)
		p := e.do(http.MethodPost, "/v1/referrals", e.officer, body("ems", "R-1")).problem(t, http.StatusConflict)
		if p.Location == nil || *p.Location != "/v1/referrals/"+id || !hasPointer(p, "/external_ids/0") {
			t.Fatalf("conflict: %+v", p)
		}

		// Conditional create.
		first := e.do(http.MethodPost, "/v1/referrals", e.officer, body(), "If-None-Exist", "ems|R-5")
		if first.status != http.StatusCreated {
			t.Fatalf("first conditional create: %d %s", first.status, first.body)
		}
		cid := first.json(t)["id"].(string)
		again := e.do(http.MethodPost, "/v1/referrals", e.officer, body(), "If-None-Exist", "ems|R-5")
		if again.status != http.StatusOK || again.json(t)["id"] != cid || again.header.Get("Location") != "/v1/referrals/"+cid {
			t.Fatalf("second conditional create: %d %s", again.status, again.body)
		}
		if xs, _ := again.json(t)["external_ids"].([]any); len(xs) != 1 {
			t.Fatalf("the referral found lacks its external id: %s", again.body)
		}
		if l := list(e.officer, "ems|R-5"); len(l) != 1 {
			t.Fatalf("referrals holding the id: %d", len(l))
		}
		out := e.do(http.MethodPost, "/v1/referrals", e.outsider, body(), "If-None-Exist", "ems|R-5")
		out.problem(t, http.StatusConflict)
		if bytes.Contains(out.body, []byte(cid)) {
			t.Fatalf("the outsider's conflict names the referral: %s", out.body)
		}
		e.do(http.MethodPost, "/v1/referrals", e.officer, body(), "If-None-Exist", "nowhere|1").problem(t, http.StatusBadRequest)
	}, withSystems("ems"))
}

// TestReferralListShowsExternalIDs: a page of referrals shows each one's external ids exactly as
// reading it does (several ids in the same order, none at all for a referral holding none), on
// both databases; PostgreSQL brings them with the page in one aggregate over its ids.
func TestReferralListShowsExternalIDs(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(6))
		create := func(ids ...string) string {
			m := map[string]any{"young_person_id": yp, "referrer_practitioner_id": e.schoolSENCO, "reasons": []string{"sen"},
				"services_involved": []string{"school", "camhs"}}
			var xs []map[string]any
			for i := 0; i+1 < len(ids); i += 2 {
				xs = append(xs, map[string]any{"system": ids[i], "value": ids[i+1]})
			}
			if xs != nil {
				m["external_ids"] = xs
			}
			r := e.do(http.MethodPost, "/v1/referrals", e.officer, m)
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			return r.json(t)["id"].(string)
		}
		made := []string{create("mis", "B-2", "ems", "Z-9", "ems", "A-1"), create(), create("ems", "Q-7"), create()}
		page := items(t, e.do(http.MethodGet, "/v1/referrals?limit=200", e.officer, nil))
		seen := 0
		for _, it := range page {
			m := it.(map[string]any)
			id := m["id"].(string)
			if !slices.Contains(made, id) {
				continue
			}
			seen++
			want := e.do(http.MethodGet, "/v1/referrals/"+id, e.officer, nil).json(t)["external_ids"]
			if !reflect.DeepEqual(m["external_ids"], want) {
				t.Errorf("referral %s: listed external_ids %v, read %v", id, m["external_ids"], want)
			}
		}
		if seen != len(made) {
			t.Fatalf("the page showed %d of the %d referrals", seen, len(made))
		}
		first := e.do(http.MethodGet, "/v1/referrals/"+made[0], e.officer, nil).json(t)["external_ids"]
		if xs, _ := first.([]any); len(xs) != 3 || xs[0].(map[string]any)["value"] != "A-1" || xs[2].(map[string]any)["system"] != "mis" {
			t.Fatalf("external ids of the first referral, in system and value order: %v", first)
		}
	}, withSystems("ems", "mis"))
}
