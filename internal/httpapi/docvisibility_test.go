package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// TestDocumentFamilyVisibility: a family sees only the documents shown to them: letters and
// plans when added, anything else once the SEND team shows it. A hidden document is 404 to them
// (its record and its bytes) and left out of their list; showing it is audited and announced.
func TestDocumentFamilyVisibility(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		report := e.upload(e.officer, "referral", f.referral, testPDF, "application/octet-stream").json(t)
		letter := e.do(http.MethodPost, "/v1/documents?record_type=referral&record_id="+f.referral+"&kind=decision_letter&title=Decision",
			e.officer, testPDF, "Content-Type", "application/octet-stream").json(t)
		if report["family_visible"] != false || letter["family_visible"] != true {
			t.Fatalf("defaults: report %v, letter %v", report["family_visible"], letter["family_visible"])
		}
		hidden, shown := report["id"].(string), letter["id"].(string)
		list := func(key string) []string {
			var ids []string
			for _, d := range items(t, e.do(http.MethodGet, "/v1/documents?record_type=referral&record_id="+f.referral, key, nil)) {
				ids = append(ids, d.(map[string]any)["id"].(string))
			}
			return ids
		}
		if got := list(family); len(got) != 1 || got[0] != shown {
			t.Errorf("the family's list: %v", got)
		}
		if got := list(e.officer); len(got) != 2 {
			t.Errorf("the officer's list: %v", got)
		}
		e.do(http.MethodGet, "/v1/documents/"+hidden, family, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/documents/"+hidden+"/content", family, nil).problem(t, http.StatusNotFound)
		if r := e.do(http.MethodGet, "/v1/documents/"+shown+"/content", family, nil); r.status != http.StatusOK {
			t.Errorf("the family reads the letter: %d", r.status)
		}

		// Only the SEND team (or an engagement lead) may show or hide a document.
		patch := func(key string, body any, headers ...string) reply {
			return e.do(http.MethodPatch, "/v1/documents/"+hidden, key, body, headers...)
		}
		patch(family, map[string]any{"family_visible": true}).problem(t, http.StatusForbidden)
		patch(e.practitioner, map[string]any{"family_visible": true}).problem(t, http.StatusForbidden)
		patch(e.officer, map[string]any{"family_visible": "yes"}).problem(t, http.StatusBadRequest)
		patch(e.officer, map[string]any{"family_visible": true}, "If-Match", `"7"`).problem(t, http.StatusPreconditionFailed)
		r := patch(e.officer, map[string]any{"family_visible": true}, "If-Match", `"1"`)
		if r.status != http.StatusOK || r.json(t)["family_visible"] != true || r.json(t)["version"] != 2.0 {
			t.Fatalf("show: %d %s", r.status, r.body)
		}
		if r := e.do(http.MethodGet, "/v1/documents/"+hidden, family, nil); r.status != http.StatusOK {
			t.Errorf("the family reads the shown report: %d", r.status)
		}
		if got := list(family); len(got) != 2 {
			t.Errorf("the family's list once shown: %v", got)
		}
		if e.outboxTypes(hidden)["document.visibility_changed"] != 1 {
			t.Errorf("events: %v", e.outboxTypes(hidden))
		}
		if evs := items(t, e.do(http.MethodGet, "/v1/audit-events?record_type=document&action=update&record_id="+hidden, e.admin, nil)); len(evs) != 1 {
			t.Errorf("audit: %v", evs)
		}
		// Hidden again.
		if r := patch(e.officer, map[string]any{"family_visible": false}); r.status != http.StatusOK || r.json(t)["family_visible"] != false {
			t.Fatalf("hide: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, "/v1/documents/"+hidden, family, nil).problem(t, http.StatusNotFound)
	})
}
