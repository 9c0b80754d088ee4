package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDatesFromNineteenHundred: a date or instant before 1900-01-01 is a 400 naming it. Year 0001
// is Go's zero date, which the server reads as "not given" (a referral received on 0001-01-01 was
// recorded as received today), and a report compared with the period before year 0000's was a 500.
func TestDatesFromNineteenHundred(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(9))
		for _, on := range []string{"0001-01-01", "0000-01-01", "1899-12-31"} {
			body := `{"young_person_id": "` + yp + `", "referrer_practitioner_id": "` + e.schoolSENCO + `", "reasons": ["sen"], ` +
				`"services_involved": ["school", "camhs"], "received_on": "` + on + `"}`
			p := e.do(http.MethodPost, "/v1/referrals", e.officer, body).problem(t, http.StatusBadRequest)
			if !hasPointer(p, "/received_on") || !strings.Contains((*p.Errors)[0].Detail, "from 1900-01-01") {
				t.Errorf("received_on %s: %+v", on, *p.Errors)
			}
		}
		// Nor before the child was born (a referral so dated had an eligibility of age -1).
		born := e.mustGet("/v1/young-people/"+yp, e.officer)["date_of_birth"].(string)
		dob, err := time.Parse("2006-01-02", born)
		if err != nil {
			t.Fatal(err)
		}
		before := dob.AddDate(0, 0, -1).Format("2006-01-02")
		body := `{"young_person_id": "` + yp + `", "referrer_practitioner_id": "` + e.schoolSENCO + `", "reasons": ["sen"], ` +
			`"services_involved": ["school", "camhs"], "received_on": "` + before + `"}`
		if p := e.do(http.MethodPost, "/v1/referrals", e.officer, body).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/received_on") {
			t.Errorf("a referral received before the child was born: %v", pointers(p))
		}
		body = `{"young_person_id": "` + yp + `", "requested_by": "parent", "received_on": "` + before + `"}`
		if p := e.do(http.MethodPost, "/v1/ehc-needs-assessments", e.officer, body).problem(t, http.StatusBadRequest); !hasPointer(p, "/received_on") {
			t.Errorf("an EHC needs assessment request received before the child was born: %v", pointers(p))
		}
		for _, c := range []struct{ path, pointer string }{
			{"/v1/reports/transitions?from=0000-01-01&to=0000-12-31&compare=true", "/query/from"},
			{"/v1/reports/activity?from=0001-01-01&to=2026-12-31", "/query/from"},
			{"/v1/referrals?updated_since=0001-01-01T00:00:00Z", "/query/updated_since"},
		} {
			p := e.do(http.MethodGet, c.path, e.officer, nil).problem(t, http.StatusBadRequest)
			if !hasPointer(p, c.pointer) {
				t.Errorf("%s: %v, want %s", c.path, pointers(p), c.pointer)
			}
		}
		// The first year itself can be reported, but not compared with the year before it.
		if r := e.do(http.MethodGet, "/v1/reports/transitions?from=1900-01-01&to=1900-12-31", e.officer, nil); r.status != http.StatusOK {
			t.Errorf("the first year: %d %s", r.status, r.body)
		}
		if p := e.do(http.MethodGet, "/v1/reports/activity?from=1900-01-01&to=1900-12-31&compare=true", e.officer, nil).problem(t, http.StatusBadRequest); !hasPointer(p, "/query/compare") {
			t.Errorf("the first year compared: %v", pointers(p))
		}
		if r := e.do(http.MethodGet, "/v1/reports/activity?from=1901-01-01&to=1901-12-31&compare=true", e.officer, nil); r.status != http.StatusOK {
			t.Errorf("the second year compared: %d %s", r.status, r.body)
		}
		if got := e.do(http.MethodGet, "/v1/referrals?young_person_id="+yp, e.officer, nil); len(items(t, got)) != 0 {
			t.Errorf("a refused referral was recorded")
		}
	})
}
