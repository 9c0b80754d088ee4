package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store"
)

// TestListAuditNamesThePage: the one audit event of a page of referrals names exactly the
// referrals the page shows, newest first (not the one more read to know there is a next page),
// and each young person whose referral it shows once (in id order); a page of nothing writes no
// event. On PostgreSQL the event is written in the page's own
// statement, on SQLite after it: both must say the same.
func TestListAuditNamesThePage(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, b := e.fixture(), e.fixture()
		a2 := e.referral(e.officer, referralFor(a.child, e.schoolSENCO)).ID.String()
		a3 := e.referral(e.officer, referralFor(a.child, e.schoolSENCO)).ID.String()

		listed := func(path string) (ids, children []string, next string) {
			r := e.do(http.MethodGet, path, e.officer, nil)
			for _, it := range items(t, r) {
				m := it.(map[string]any)
				ids = append(ids, m["id"].(string))
				if c := m["young_person_id"].(string); !slices.Contains(children, c) {
					children = append(children, c)
				}
			}
			next, _ = r.json(t)["next_cursor"].(string)
			return ids, children, next
		}
		events := func(child string) []map[string]any {
			var out []map[string]any
			for _, ev := range items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&action=list&young_person_id="+child, e.admin, nil)) {
				out = append(out, ev.(map[string]any))
			}
			return out
		}
		strs := func(v any) []string {
			var out []string
			for _, s := range v.([]any) {
				out = append(out, s.(string))
			}
			return out
		}

		ids, children, next := listed("/v1/referrals?limit=3")
		if want := []string{a3, a2, b.referral}; !slices.Equal(ids, want) || next == "" {
			t.Fatalf("first page = %v (next %q), want %v and a next page", ids, next, want)
		}
		evs := events(b.child)
		if len(evs) != 1 {
			t.Fatalf("%d list events name the second child, want 1", len(evs))
		}
		if got := strs(evs[0]["record_ids"]); !slices.Equal(got, ids) {
			t.Errorf("record_ids = %v, want the page's %v (not the row read past it)", got, ids)
		}
		if want := slices.Sorted(slices.Values(children)); len(children) != 2 || !slices.Equal(strs(evs[0]["young_person_ids"]), want) {
			t.Errorf("young_person_ids = %v, want %v, each once in id order", evs[0]["young_person_ids"], want)
		}

		ids, _, _ = listed("/v1/referrals?limit=3&cursor=" + next)
		if len(ids) == 0 || ids[0] != a.referral {
			t.Fatalf("second page = %v, want it to start at %s", ids, a.referral)
		}
		if n := len(events(a.child)); n != 2 {
			t.Errorf("%d list events name the first child, want 2 (one per page)", n)
		}

		before := len(events(a.child))
		if got, _, _ := listed("/v1/referrals?status=closed&young_person_id=" + a.child); len(got) != 0 {
			t.Fatalf("closed referrals of a new child: %v", got)
		}
		if n := len(events(a.child)); n != before {
			t.Errorf("an empty page wrote %d list events naming the child", n-before)
		}
	})
}

// TestYoungPeopleListAuditNamesThePage: a page of young people is audited as a page of
// referrals is, by one event naming the children it shows (each both the record and the young
// person), written in the page's own statement on PostgreSQL and after it on SQLite.
func TestYoungPeopleListAuditNamesThePage(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.fixture()
		e.fixture()
		r := e.do(http.MethodGet, "/v1/young-people?limit=1", e.officer, nil)
		var ids []string
		for _, it := range items(t, r) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		if next, _ := r.json(t)["next_cursor"].(string); len(ids) != 1 || next == "" {
			t.Fatalf("first page = %v (next %q), want one young person and a next page", ids, next)
		}
		var listed []map[string]any
		for _, ev := range items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&action=list&young_person_id="+ids[0], e.admin, nil)) {
			if m := ev.(map[string]any); m["record_type"] == "young_person" {
				listed = append(listed, m)
			}
		}
		if len(listed) != 1 {
			t.Fatalf("%d young-person list events name the child, want 1", len(listed))
		}
		for _, field := range []string{"record_ids", "young_person_ids"} {
			got, _ := listed[0][field].([]any)
			if len(got) != 1 || got[0] != ids[0] {
				t.Errorf("%s = %v, want the page's %v (not the row read past it)", field, got, ids)
			}
		}
	})
}

// TestListWithoutItsAuditEventFails: a page whose audit event the database refuses is not
// answered (500, no rows in the body), on both databases: on PostgreSQL the event's insert is a
// data-modifying part of the page's own statement, whose failure must fail the page, not leave it
// read and unaudited.
func TestListWithoutItsAuditEventFails(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		f := e.fixture()
		if e.st.Dialect() == store.Postgres {
			e.exec(`ALTER TABLE audit_events ADD CONSTRAINT test_refuse_lists CHECK (action <> 'list') NOT VALID`)
		} else {
			e.exec(`CREATE TRIGGER test_refuse_lists BEFORE INSERT ON audit_events WHEN NEW.action = 'list'
				BEGIN SELECT RAISE(ABORT, 'refused'); END`)
		}
		plain := *e.env // a 500 is outside the contract: bypass the harness's response validation
		plain.httpc = e.srv.Client()
		for _, path := range []string{"/v1/referrals?limit=5", "/v1/young-people?limit=5"} {
			r := plain.do(http.MethodGet, path, e.officer, nil)
			r.problem(t, http.StatusInternalServerError)
			if body := string(r.body); strings.Contains(body, f.referral) || strings.Contains(body, f.child) {
				t.Errorf("%s: the refused page's answer shows its records: %s", path, body)
			}
		}
		// A read by id is audited too: it goes on answering (only list events are refused here).
		e.mustGet("/v1/referrals/"+f.referral, e.officer)
	})
}
