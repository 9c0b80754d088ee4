package httpapi_test

import (
	"net/http"
	"testing"
)

func TestDirectory(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		created := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": "Weaste Medical Practice", "type": "gp_practice", "ods_code": "P84001", "locality": "West"})
		if created.status != http.StatusCreated {
			t.Fatalf("create: %d %s", created.status, created.body)
		}
		id := created.json(t)["id"].(string)
		got := e.do(http.MethodGet, "/v1/organisations/"+id, e.practitioner, nil)
		if got.status != http.StatusOK || got.header.Get("ETag") != `"1"` || got.json(t)["ods_code"] != "P84001" {
			t.Fatalf("get: %d %s", got.status, got.body)
		}
		// A second organisation with the same ODS code is a conflict.
		e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": "Dup", "type": "gp_practice", "ods_code": "P84001"}).problem(t, http.StatusConflict)

		patched := e.do(http.MethodPatch, "/v1/organisations/"+id, e.admin, map[string]any{"locality": nil, "name": "Weaste & Seedley Practice"}, "If-Match", `"1"`)
		if patched.status != http.StatusOK || patched.header.Get("ETag") != `"2"` {
			t.Fatalf("patch: %d %s", patched.status, patched.body)
		}
		if m := patched.json(t); m["name"] != "Weaste & Seedley Practice" || m["locality"] != nil || m["ods_code"] != "P84001" {
			t.Fatalf("patched: %s", patched.body)
		}
		// A patch that changes nothing keeps the version.
		same := e.do(http.MethodPatch, "/v1/organisations/"+id, e.admin, map[string]any{"name": "Weaste & Seedley Practice"})
		if same.status != http.StatusOK || same.header.Get("ETag") != `"2"` {
			t.Fatalf("no-op patch: %d %s", same.status, same.body)
		}
		e.do(http.MethodPatch, "/v1/organisations/"+id, e.admin, map[string]any{"type": "castle"}).problem(t, http.StatusBadRequest)
		e.do(http.MethodPatch, "/v1/organisations/"+id, e.officer, map[string]any{"name": "x"}).problem(t, http.StatusForbidden)

		list := e.do(http.MethodGet, "/v1/organisations?type=gp_practice&q=seedley", e.analyst, nil)
		if items := list.json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("filtered list: %s", list.body)
		}

		// Practitioners: SEND officers may register them; unknown organisations are refused.
		p := e.do(http.MethodPost, "/v1/practitioners", e.officer, map[string]any{"organisation_id": id, "name": "Dr Rao", "email": "Rao@Weaste.example", "role": "other"})
		if p.status != http.StatusCreated || p.json(t)["active"] != true {
			t.Fatalf("create practitioner: %d %s", p.status, p.body)
		}
		pid := p.json(t)["id"].(string)
		dup := e.do(http.MethodPost, "/v1/practitioners", e.admin, map[string]any{"organisation_id": id, "name": "Dr R", "email": "rao@weaste.example", "role": "other"})
		if pr := dup.problem(t, http.StatusConflict); !hasPointer(pr, "/email") {
			t.Fatalf("duplicate email should name /email: %s", dup.body)
		}
		bad := e.do(http.MethodPost, "/v1/practitioners", e.admin, map[string]any{"organisation_id": unknownID, "name": "X", "email": "x@example.org", "role": "other"})
		if pr := bad.problem(t, http.StatusUnprocessableEntity); !hasPointer(pr, "/organisation_id") {
			t.Fatalf("unknown organisation should name /organisation_id: %s", bad.body)
		}
		e.do(http.MethodPost, "/v1/practitioners", e.practitioner, map[string]any{"organisation_id": id, "name": "X", "email": "y@example.org", "role": "other"}).problem(t, http.StatusForbidden)
		e.do(http.MethodPost, "/v1/practitioners", e.admin, map[string]any{"organisation_id": id, "name": "X", "email": "not-an-email", "role": "other"}).problem(t, http.StatusBadRequest)

		off := e.do(http.MethodPatch, "/v1/practitioners/"+pid, e.admin, map[string]any{"active": false, "phone": "0161 496 0000"}, "If-Match", `"1"`)
		if off.status != http.StatusOK || off.json(t)["active"] != false {
			t.Fatalf("deactivate: %d %s", off.status, off.body)
		}
		if g := e.do(http.MethodGet, "/v1/practitioners/"+pid, e.analyst, nil); g.status != http.StatusOK || g.json(t)["phone"] != "0161 496 0000" {
			t.Fatalf("get practitioner: %d %s", g.status, g.body)
		}
		if l := e.do(http.MethodGet, "/v1/practitioners?organisation_id="+id+"&role=other&q=rao", e.officer, nil); len(l.json(t)["items"].([]any)) != 1 {
			t.Fatalf("practitioner list: %s", l.body)
		}
		// An inactive practitioner cannot make a referral.
		yp := e.youngPerson(e.officer, child(4))
		r := e.do(http.MethodPost, "/v1/referrals", e.officer, map[string]any{"young_person_id": yp, "referrer_practitioner_id": pid, "reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}})
		if pr := r.problem(t, http.StatusUnprocessableEntity); !hasPointer(pr, "/referrer_practitioner_id") {
			t.Fatalf("inactive referrer: %s", r.body)
		}
	})
}
