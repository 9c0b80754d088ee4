package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTimeFilteredReferralsOrderedByTheirTime: a page of referrals filtered by a time is ordered
// by that time, newest first (then newest id): by the day received for FHIR's authored, by the
// instant created for created_after and created_before; its cursors carry the time and lead
// through every row once. A cursor of the id order (as issued before) still works there, from the
// same referral, for a caller whose list holds it (an outsider's is 400); a time-ordered cursor is
// 400 (naming the cursor) for a list of the id order. The page's audit event names its rows in the
// page's order.
func TestTimeFilteredReferralsOrderedByTheirTime(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		today := time.Now().UTC()
		received := func(daysAgo int) string {
			in := referralFor(f.child, e.schoolSENCO)
			d := day(today.AddDate(0, 0, -daysAgo))
			in.ReceivedOn = &d
			return e.referral(e.officer, in).ID.String()
		}
		// Created in this order; received out of it.
		r10, r30, r20 := received(10), received(30), received(20)

		fhirGet := func(path string) map[string]any {
			return fhirValid(t, e.do(http.MethodGet, path, e.officer, nil, "Accept", "application/fhir+json"), http.StatusOK, "Bundle")
		}
		var seen []string
		b := fhirGet("/fhir/R4/ServiceRequest?patient=" + f.child + "&authored=le" + today.AddDate(0, 0, -5).Format(time.DateOnly) + "&_count=2")
		for pages := 0; ; pages++ {
			for _, r := range entries(t, b) {
				seen = append(seen, r["id"].(string))
			}
			next := nextLink(b)
			if next == "" || pages > 3 {
				break
			}
			u, _ := url.Parse(next)
			b = fhirGet(u.RequestURI())
		}
		if want := []string{r10, r20, r30}; !slices.Equal(seen, want) {
			t.Fatalf("authored=le: %v, want the newest received first %v", seen, want)
		}

		list := func(path string) (ids []string, next string) {
			r := e.do(http.MethodGet, path, e.officer, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			for _, it := range items(t, r) {
				ids = append(ids, it.(map[string]any)["id"].(string))
			}
			next, _ = r.json(t)["next_cursor"].(string)
			return ids, next
		}
		before := url.QueryEscape(today.Add(time.Hour).Format(time.RFC3339))
		path := "/v1/referrals?young_person_id=" + f.child + "&created_before=" + before + "&limit=3"
		first, next := list(path)
		if want := []string{r20, r30, r10}; !slices.Equal(first, want) || next == "" {
			t.Fatalf("created_before, first page: %v (next %q), want the newest created first %v", first, next, want)
		}
		rest, last := list(path + "&cursor=" + next)
		if !slices.Equal(rest, []string{f.referral}) || last != "" {
			t.Fatalf("created_before, second page: %v (next %q), want [%s] and no more", rest, last, f.referral)
		}
		var named []string
		for _, ev := range items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&action=list&young_person_id="+f.child, e.admin, nil)) {
			if ids, ok := ev.(map[string]any)["record_ids"].([]any); ok && len(ids) == 3 {
				for _, id := range ids {
					named = append(named, id.(string))
				}
			}
		}
		if !slices.Equal(named, first) {
			t.Errorf("the first page's audit event names %v, want the page's %v in its order", named, first)
		}

		// A cursor of the id order (every list's, before this order) still pages a list filtered
		// by a time, from the same referral; a time-ordered cursor is refused by a list of ids.
		_, plain := list("/v1/referrals?young_person_id=" + f.child + "&limit=1") // after r20
		if got, _ := list(path + "&cursor=" + plain); !slices.Equal(got, []string{r30, r10, f.referral}) {
			t.Errorf("created_before from an id-ordered cursor: %v, want %v", got, []string{r30, r10, f.referral})
		}
		gone := base64.RawURLEncoding.EncodeToString([]byte("v1:00000000-0000-7000-8000-000000000000"))
		for _, p := range []string{"/v1/referrals?young_person_id=" + f.child + "&limit=1&cursor=" + next, path + "&cursor=" + gone} {
			if pr := e.do(http.MethodGet, p, e.officer, nil).problem(t, http.StatusBadRequest); !hasPointer(pr, "/query/cursor") {
				t.Errorf("%s: %v, want /query/cursor named", p, pointers(pr))
			}
		}
		// The time a cursor of the id order stands for is read through the caller's own list: a
		// caller who may not see the referral is refused it, and learns nothing of its time.
		outside := "/v1/referrals?created_before=" + before + "&limit=3&cursor=" + plain
		if pr := e.do(http.MethodGet, outside, e.outsider, nil).problem(t, http.StatusBadRequest); !hasPointer(pr, "/query/cursor") {
			t.Errorf("an outsider's cursor of a referral it may not see: %v, want /query/cursor named", pointers(pr))
		}
	})
}

// TestChangedSinceOrderedByTheChange: a list filtered by updated_since is ordered by the change,
// newest first, and paged through its own cursors: the young people (read as the busiest lists
// are) and the API keys (whose change is an expression: revoked, else issued), a row at a time,
// give the one-page answer's rows in its order. A cursor of the list without updated_since still
// pages it.
func TestChangedSinceOrderedByTheChange(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		since := url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
		a, b, c := e.fixture(), e.fixture(), e.fixture()
		// b changed last: first in the order, though not the newest id.
		patch := e.do(http.MethodPatch, "/v1/young-people/"+b.child, e.officer, map[string]any{"locality": "North"},
			"Content-Type", "application/merge-patch+json")
		if patch.status != http.StatusOK {
			t.Fatalf("patch: %d %s", patch.status, patch.body)
		}
		for i := range 2 {
			issued := e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": e.school, "role": "practitioner", "name": "mis " + string(rune('a'+i))})
			if issued.status != http.StatusCreated {
				t.Fatalf("key: %d %s", issued.status, issued.body)
			}
		}
		for _, list := range []string{"/v1/young-people?updated_since=" + since, "/v1/api-keys?updated_since=" + since} {
			key := e.admin
			if strings.HasPrefix(list, "/v1/young-people") {
				key = e.officer
			}
			whole := pageIDs(t, e, list+"&limit=200", key)
			var paged []string
			next := ""
			for range 50 {
				u := list + "&limit=1"
				if next != "" {
					u += "&cursor=" + next
				}
				r := e.do(http.MethodGet, u, key, nil)
				if r.status != http.StatusOK {
					t.Fatalf("%s: %d %s", u, r.status, r.body)
				}
				for _, it := range items(t, r) {
					paged = append(paged, it.(map[string]any)["id"].(string))
				}
				if next, _ = r.json(t)["next_cursor"].(string); next == "" {
					break
				}
			}
			if len(whole) < 3 || !slices.Equal(paged, whole) {
				t.Errorf("%s a row at a time: %v, want the one page's %v", list, paged, whole)
			}
		}
		people := pageIDs(t, e, "/v1/young-people?updated_since="+since+"&limit=3", e.officer)
		if want := []string{b.child, c.child, a.child}; !slices.Equal(people[:3], want) {
			t.Errorf("young people changed since: %v, want the last changed first %v", people, want)
		}
		// The plain list's cursor after c (the newest id) pages the changes from c on.
		r := e.do(http.MethodGet, "/v1/young-people?limit=1", e.officer, nil)
		plain, _ := r.json(t)["next_cursor"].(string)
		if got := pageIDs(t, e, "/v1/young-people?updated_since="+since+"&limit=1&cursor="+plain, e.officer); !slices.Equal(got, []string{a.child}) {
			t.Errorf("changed since from the plain list's cursor after %s: %v, want [%s]", c.child, got, a.child)
		}
		// Through the ORM's lists too, the row must be in the caller's list: a key not of this
		// organisation is refused (organisations list every organisation: a key's list is scoped).
		keys := e.do(http.MethodGet, "/v1/api-keys?limit=1", e.admin, nil)
		keyCursor, _ := keys.json(t)["next_cursor"].(string)
		if got := pageIDs(t, e, "/v1/api-keys?updated_since="+since+"&limit=1&cursor="+keyCursor, e.admin); len(got) != 1 {
			t.Errorf("api keys changed since from the plain list's cursor: %v, want one", got)
		}
		scoped := "/v1/api-keys?updated_since=" + since + "&organisation_id=" + e.other + "&limit=1&cursor=" + keyCursor
		if pr := e.do(http.MethodGet, scoped, e.admin, nil).problem(t, http.StatusBadRequest); !hasPointer(pr, "/query/cursor") {
			t.Errorf("a cursor naming a key outside the filtered list: %v, want /query/cursor named", pointers(pr))
		}
	})
}

// pageIDs is the ids of the page at path.
func pageIDs(t *testing.T, e *env, path, key string) []string {
	t.Helper()
	r := e.do(http.MethodGet, path, key, nil)
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.status, r.body)
	}
	var out []string
	for _, it := range items(t, r) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}
