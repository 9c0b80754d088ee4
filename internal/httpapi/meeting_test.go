package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
)

// mtgDay is a date relative to today, as the API writes it.
func mtgDay(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }

// mtgAllocated is the fixture with its referral taken along the pathway to allocated: accepted
// at triage, family assessment started, allocation meeting held today, the health trust's
// practitioner allocated as engagement lead (a MAM needs one).
func (e *env) mtgAllocated() fixture {
	e.t.Helper()
	f := e.fixture()
	e.walkToAllocated(f, mtgDay(0))
	return f
}

func (e *env) mtgStatus(id string) string {
	e.t.Helper()
	return e.mustDo(http.MethodGet, "/v1/referrals/"+id, nil, http.StatusOK)["status"].(string)
}

// mtgTimeline reads a child's whole timeline as the SEND officer.
func (e *env) mtgTimeline(child string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, ev := range items(e.t, e.do(http.MethodGet, "/v1/young-people/"+child+"/timeline?limit=200", e.officer, nil)) {
		out = append(out, ev.(map[string]any))
	}
	return out
}

func mtgIDs(list []any) []string {
	var out []string
	for _, v := range list {
		out = append(out, v.(map[string]any)["id"].(string))
	}
	slices.Sort(out)
	return out
}

func mtgSorted(s ...string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestMeetingsMAMThenMAP: a MAM moves an allocated referral to mam_held, a MAP without its
// decision is refused, a MAP with one moves the referral to panel, and the timeline says so in
// codes only.
func TestMeetingsMAMThenMAP(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.mtgAllocated()
		mam := e.do(http.MethodPost, "/v1/meetings", e.leadKey, map[string]any{
			"referral_id": f.referral, "type": "mam", "held_on": mtgDay(0),
			"attendees": []any{
				map[string]any{"kind": "practitioner", "practitioner_id": e.lead, "how": "in_person"},
				map[string]any{"kind": "organisation", "organisation_id": e.school, "how": "video"},
				map[string]any{"kind": "family_member", "name": "Grace Okonkwo-Test", "relationship": "mother"},
				map[string]any{"kind": "child_young_person", "name": "Amelia", "how": "in_person"},
			},
			"family_said": "Amelia wants to stay at her school.",
			"decisions":   []string{"Ask the panel about a specialist placement."},
			"actions": []any{
				map[string]any{"what": "Book speech and language assessment", "owner_practitioner_id": e.lead, "due_on": mtgDay(14)},
				map[string]any{"what": "Share the school's plan", "owner_description": "The family", "due_on": mtgDay(7)},
			},
		})
		if mam.status != http.StatusCreated {
			t.Fatalf("mam: %d %s", mam.status, mam.body)
		}
		m := mam.json(t)
		if mam.header.Get("Location") != "/v1/meetings/"+m["id"].(string) || mam.header.Get("ETag") == "" {
			t.Fatalf("headers: %v", mam.header)
		}
		if m["young_person_id"] != f.child || m["before_referral"] != false || m["version"].(float64) != 1 || len(m["attendees"].([]any)) != 4 {
			t.Fatalf("mam: %s", mam.body)
		}
		acts := m["actions"].([]any)
		if len(acts) != 2 {
			t.Fatalf("actions: %v", acts)
		}
		for _, a := range acts {
			a := a.(map[string]any)
			if a["status"] != "open" || a["overdue"] != false || a["referral_id"] != f.referral || a["meeting_id"] != m["id"] {
				t.Fatalf("action: %v", a)
			}
		}
		if got := e.mtgStatus(f.referral); got != "mam_held" {
			t.Fatalf("after MAM: %s", got)
		}

		// A MAP needs its decision.
		mapBody := map[string]any{"referral_id": f.referral, "type": "map", "held_on": mtgDay(0),
			"attendees": []any{map[string]any{"kind": "practitioner", "practitioner_id": e.schoolSENCO}}}
		if p := e.do(http.MethodPost, "/v1/meetings", e.officer, mapBody).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/map_decision") {
			t.Fatalf("pointers %v", pointers(p))
		}
		if got := e.mtgStatus(f.referral); got != "mam_held" {
			t.Fatalf("a refused MAP moved the referral to %s", got)
		}
		mapBody["map_decision"] = map[string]any{"solution": "Specialist placement for Amelia", "cost_band": "20k_to_50k", "outcome": "approved"}
		mp := e.do(http.MethodPost, "/v1/meetings", e.officer, mapBody)
		if mp.status != http.StatusCreated || mp.json(t)["map_decision"].(map[string]any)["outcome"] != "approved" {
			t.Fatalf("map: %d %s", mp.status, mp.body)
		}
		if got := e.mtgStatus(f.referral); got != "panel" {
			t.Fatalf("after MAP: %s", got)
		}

		// Back from the panel to another MAM; then a MAP asking for an EHC needs assessment is
		// simply recorded.
		if r := e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": f.referral, "type": "mam", "held_on": mtgDay(0)}); r.status != http.StatusCreated {
			t.Fatalf("second mam: %d %s", r.status, r.body)
		}
		if got := e.mtgStatus(f.referral); got != "mam_held" {
			t.Fatalf("panel -> MAM: %s", got)
		}
		mapBody["map_decision"] = map[string]any{"solution": "Statutory assessment", "cost_band": "over_100k", "outcome": "request_ehc_needs_assessment"}
		if r := e.do(http.MethodPost, "/v1/meetings", e.officer, mapBody); r.status != http.StatusCreated {
			t.Fatalf("EHC request: %d %s", r.status, r.body)
		}
		if got := e.mtgStatus(f.referral); got != "panel" {
			t.Fatalf("after second MAP: %s", got)
		}

		// The timeline: meetings on the day they were held, summaries in codes and counts.
		var held []string
		var kinds []string
		for _, ev := range e.mtgTimeline(f.child) {
			kinds = append(kinds, ev["kind"].(string))
			if ev["kind"] == "meeting.held" {
				held = append(held, ev["summary"].(string))
			}
			for _, secret := range []string{"Grace", "Amelia", "school's plan", "placement", "Statutory"} {
				if strings.Contains(ev["summary"].(string), secret) {
					t.Errorf("timeline summary leaks %q: %s", secret, ev["summary"])
				}
			}
		}
		want := []string{"Allocation meeting held (0 attendees)", "MAM held (4 attendees, child took part)", "MAP held (1 attendee); MAP decision: approved (20k_to_50k)",
			"MAM held (0 attendees)", "MAP held (1 attendee); MAP decision: request_ehc_needs_assessment (over_100k)"}
		if !slices.Equal(held, want) {
			t.Fatalf("meeting summaries = %q, want %q", held, want)
		}
		for _, k := range []string{"referral.mam_held", "referral.panel"} {
			if !slices.Contains(kinds, k) {
				t.Fatalf("timeline %v lacks %s", kinds, k)
			}
		}

		// Reading: the team sees it (with its actions), an outsider does not; lists filter.
		got := e.do(http.MethodGet, "/v1/meetings/"+m["id"].(string), e.practitioner, nil)
		if got.status != http.StatusOK || len(got.json(t)["actions"].([]any)) != 2 || got.header.Get("ETag") == "" {
			t.Fatalf("get: %d %s", got.status, got.body)
		}
		e.do(http.MethodGet, "/v1/meetings/"+m["id"].(string), e.outsider, nil).problem(t, http.StatusNotFound)
		if n := len(items(t, e.do(http.MethodGet, "/v1/meetings?referral_id="+f.referral, e.practitioner, nil))); n != 5 { // with the allocation meeting
			t.Fatalf("meetings of the referral: %d", n)
		}
		maps := items(t, e.do(http.MethodGet, "/v1/meetings?type=map&young_person_id="+f.child, e.officer, nil))
		if len(maps) != 2 || maps[0].(map[string]any)["map_decision"].(map[string]any)["outcome"] != "request_ehc_needs_assessment" {
			t.Fatalf("maps, newest first: %v", maps)
		}
		if n := len(items(t, e.do(http.MethodGet, "/v1/meetings", e.outsider, nil))); n != 0 {
			t.Fatalf("outsider sees %d meetings", n)
		}
		// Paging walks every meeting once.
		var seen []string
		path := "/v1/meetings?referral_id=" + f.referral + "&limit=3"
		for range 5 {
			page := e.do(http.MethodGet, path, e.officer, nil).json(t)
			for _, it := range page["items"].([]any) {
				seen = append(seen, it.(map[string]any)["id"].(string))
			}
			next, ok := page["next_cursor"].(string)
			if !ok || next == "" {
				break
			}
			path = "/v1/meetings?referral_id=" + f.referral + "&limit=3&cursor=" + next
		}
		if len(seen) != 5 || len(slices.Compact(mtgSorted(seen...))) != 5 {
			t.Fatalf("paged: %v", seen)
		}

		// Each read and each list is audited (a list once, naming every meeting on it).
		audits := func(action string) int {
			return len(items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&record_type=meeting&action="+action+"&young_person_id="+f.child, e.admin, nil)))
		}
		reads, lists := audits("read"), audits("list")
		e.do(http.MethodGet, "/v1/meetings/"+m["id"].(string), e.officer, nil)
		e.do(http.MethodGet, "/v1/meetings?type=mam&referral_id="+f.referral, e.officer, nil)
		if audits("read") != reads+1 || audits("list") != lists+1 {
			t.Fatalf("audit: reads %d->%d, lists %d->%d", reads, audits("read"), lists, audits("list"))
		}
		if n := audits("create"); n != 5 { // the allocation meeting, two MAMs, two MAPs
			t.Fatalf("%d meeting creations audited", n)
		}
	})
}

// TestMeetingsBeforeReferral: TAF and family service plan meetings may predate the referral;
// a MAM may not. Date filters select on the day held.
func TestMeetingsBeforeReferral(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture() // received today
		taf := e.do(http.MethodPost, "/v1/meetings", e.practitioner, map[string]any{"referral_id": f.referral, "type": "taf", "held_on": mtgDay(-30),
			"attendees": []any{map[string]any{"kind": "practitioner", "practitioner_id": e.schoolSENCO}}})
		if taf.status != http.StatusCreated || taf.json(t)["before_referral"] != true {
			t.Fatalf("taf: %d %s", taf.status, taf.body)
		}
		fsp := e.do(http.MethodPost, "/v1/meetings", e.practitioner, map[string]any{"referral_id": f.referral, "type": "family_service_plan", "held_on": mtgDay(-10)})
		if fsp.status != http.StatusCreated || fsp.json(t)["before_referral"] != true {
			t.Fatalf("family service plan: %d %s", fsp.status, fsp.body)
		}
		for _, typ := range []string{"mam", "review", "allocation"} {
			p := e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": f.referral, "type": typ, "held_on": mtgDay(-1)}).
				problem(t, http.StatusUnprocessableEntity)
			if !hasPointer(p, "/held_on") {
				t.Fatalf("%s before referral: %v", typ, pointers(p))
			}
		}
		// A MAM on a referral not yet at allocation is refused (the pathway's order), and the
		// status left alone.
		if p := e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": f.referral, "type": "mam", "held_on": mtgDay(0)}).
			problem(t, http.StatusConflict); p.CurrentStatus == nil || *p.CurrentStatus != "received" {
			t.Fatalf("a MAM before allocation: %+v", p)
		}
		if got := e.mtgStatus(f.referral); got != "received" {
			t.Fatalf("status moved to %s", got)
		}
		// Once the lead is allocated, the MAM is recorded on the day.
		allocID := e.walkToAllocated(f, mtgDay(0))
		mam := e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": f.referral, "type": "mam", "held_on": mtgDay(0)})
		if mam.status != http.StatusCreated || mam.json(t)["before_referral"] != false {
			t.Fatalf("mam: %d %s", mam.status, mam.body)
		}
		// The earlier meetings sit where they happened on the timeline.
		tl := e.mtgTimeline(f.child)
		if tl[0]["kind"] != "meeting.held" || tl[0]["occurred_on"] != mtgDay(-30) || !strings.Contains(tl[0]["summary"].(string), "before referral") {
			t.Fatalf("timeline starts with %v", tl[0])
		}

		list := func(q string) []string {
			return mtgIDs(items(t, e.do(http.MethodGet, "/v1/meetings?referral_id="+f.referral+q, e.officer, nil)))
		}
		tafID, fspID, mamID := taf.json(t)["id"].(string), fsp.json(t)["id"].(string), mam.json(t)["id"].(string)
		if got := list("&held_before=" + mtgDay(0)); !slices.Equal(got, mtgSorted(tafID, fspID)) {
			t.Fatalf("held_before today: %v", got)
		}
		if got := list("&held_after=" + mtgDay(0)); !slices.Equal(got, mtgSorted(allocID, mamID)) {
			t.Fatalf("held_after today: %v", got)
		}
		if got := list("&held_after=" + mtgDay(-10) + "&held_before=" + mtgDay(0)); !slices.Equal(got, []string{fspID}) {
			t.Fatalf("window: %v", got)
		}
		if got := list("&type=taf"); !slices.Equal(got, []string{tafID}) {
			t.Fatalf("type: %v", got)
		}
	})
}

// TestMeetingValidation: each bad field is named by its pointer, 400 for the request's own
// mistakes and 422 for references that do not resolve.
func TestMeetingValidation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.mtgAllocated() // a MAM is in order: each refusal below is the field's own
		post := func(key string, body map[string]any) reply {
			b := map[string]any{"referral_id": f.referral, "type": "mam", "held_on": mtgDay(0)}
			for k, v := range body {
				b[k] = v
			}
			return e.do(http.MethodPost, "/v1/meetings", key, b)
		}
		cases := []struct {
			name   string
			key    string
			body   map[string]any
			status int
			want   []string
		}{
			{"held tomorrow", e.officer, map[string]any{"held_on": mtgDay(1)}, 400, []string{"/held_on"}},
			{"decision on a MAM", e.officer, map[string]any{"map_decision": map[string]any{"solution": "x", "cost_band": "under_5k", "outcome": "deferred"}}, 400, []string{"/map_decision"}},
			{"unknown type", e.officer, map[string]any{"type": "coffee"}, 400, []string{"/type"}},
			{"attendees without their identifiers", e.officer, map[string]any{"attendees": []any{
				map[string]any{"kind": "practitioner"}, map[string]any{"kind": "family_member"}, map[string]any{"kind": "organisation"},
				map[string]any{"kind": "child_young_person", "took_part": false}}},
				400, []string{"/attendees/0/practitioner_id", "/attendees/1/name", "/attendees/2/organisation_id", "/attendees/3/name"}},
			{"unknown attendees", e.officer, map[string]any{"attendees": []any{
				map[string]any{"kind": "practitioner", "practitioner_id": unknownID}, map[string]any{"kind": "organisation", "organisation_id": unknownID}}},
				422, []string{"/attendees/0/practitioner_id", "/attendees/1/organisation_id"}},
			{"unknown action owner", e.officer, map[string]any{"actions": []any{
				map[string]any{"what": "a", "owner_practitioner_id": e.lead, "due_on": mtgDay(3)},
				map[string]any{"what": "b", "owner_practitioner_id": unknownID, "due_on": mtgDay(3)}}},
				422, []string{"/actions/1/owner_practitioner_id"}},
			{"unknown referral", e.officer, map[string]any{"referral_id": unknownID}, 422, []string{"/referral_id"}},
			{"referral the caller cannot see", e.outsider, nil, 422, []string{"/referral_id"}},
		}
		for _, c := range cases {
			p := post(c.key, c.body).problem(t, c.status)
			for _, ptr := range c.want {
				if !hasPointer(p, ptr) {
					t.Errorf("%s: pointers %v lack %s", c.name, pointers(p), ptr)
				}
			}
		}
		post(e.panel, nil).problem(t, http.StatusForbidden)
		post(e.analyst, nil).problem(t, http.StatusForbidden)
		// Nothing refused was written: the allocation meeting is the only one.
		if n := len(items(t, e.do(http.MethodGet, "/v1/meetings?referral_id="+f.referral, e.officer, nil))); n != 1 {
			t.Fatalf("%d meetings written by refused requests", n)
		}
		if n := len(items(t, e.do(http.MethodGet, "/v1/actions?referral_id="+f.referral, e.officer, nil))); n != 0 {
			t.Fatalf("%d actions written by refused requests", n)
		}
	})
}

// TestMeetingPatch: corrections with If-Match, the same rules as at creation, type and actions
// untouched.
func TestMeetingPatch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.mtgAllocated()
		created := e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "mam", "held_on": mtgDay(0),
			"actions": []any{map[string]any{"what": "Book SALT", "owner_practitioner_id": e.lead, "due_on": mtgDay(7)}}}, http.StatusCreated)
		path := "/v1/meetings/" + created["id"].(string)
		etag := e.do(http.MethodGet, path, e.officer, nil).header.Get("ETag")

		ok := e.do(http.MethodPatch, path, e.practitioner, map[string]any{"decisions": []string{"Meet again in six weeks."}, "family_said": "Happier at school.",
			"attendees": []any{map[string]any{"kind": "child_young_person", "name": "Amelia"}}}, "If-Match", etag)
		if ok.status != http.StatusOK {
			t.Fatalf("patch: %d %s", ok.status, ok.body)
		}
		m := ok.json(t)
		if m["version"].(float64) != 2 || m["family_said"] != "Happier at school." || len(m["decisions"].([]any)) != 1 || m["type"] != "mam" ||
			len(m["actions"].([]any)) != 1 || m["attendees"].([]any)[0].(map[string]any)["took_part"] != true || ok.header.Get("ETag") == etag {
			t.Fatalf("patched: %s", ok.body)
		}
		e.do(http.MethodPatch, path, e.officer, map[string]any{"family_said": "x"}, "If-Match", etag).problem(t, http.StatusPreconditionFailed)
		// Clearing a field.
		if r := e.do(http.MethodPatch, path, e.officer, map[string]any{"family_said": nil}); r.status != http.StatusOK || r.json(t)["family_said"] != nil {
			t.Fatalf("clear: %d %s", r.status, r.body)
		}

		cases := []struct {
			name   string
			body   map[string]any
			status int
			want   string
		}{
			{"type cannot change", map[string]any{"type": "map"}, 400, "/type"},
			{"referral cannot change", map[string]any{"referral_id": unknownID}, 400, "/referral_id"},
			{"actions are not patched here", map[string]any{"actions": []any{}}, 400, "/actions"},
			{"held tomorrow", map[string]any{"held_on": mtgDay(1)}, 400, "/held_on"},
			{"MAM before the referral", map[string]any{"held_on": mtgDay(-3)}, 422, "/held_on"},
			{"decision on a MAM", map[string]any{"map_decision": map[string]any{"solution": "x", "cost_band": "under_5k", "outcome": "deferred"}}, 400, "/map_decision"},
			{"family member without a name", map[string]any{"attendees": []any{map[string]any{"kind": "family_member"}}}, 400, "/attendees/0/name"},
			{"unknown practitioner", map[string]any{"attendees": []any{map[string]any{"kind": "practitioner", "practitioner_id": unknownID}}}, 422, "/attendees/0/practitioner_id"},
		}
		for _, c := range cases {
			if p := e.do(http.MethodPatch, path, e.officer, c.body).problem(t, c.status); !hasPointer(p, c.want) {
				t.Errorf("%s: pointers %v lack %s", c.name, pointers(p), c.want)
			}
		}
		e.do(http.MethodPatch, path, e.outsider, map[string]any{"family_said": "x"}).problem(t, http.StatusNotFound)
		e.do(http.MethodPatch, path, e.panel, map[string]any{"family_said": "x"}).problem(t, http.StatusForbidden)

		// A MAP keeps its decision; a corrected decision shows on the timeline.
		mp := e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "map", "held_on": mtgDay(0),
			"map_decision": map[string]any{"solution": "Outreach support", "cost_band": "5k_to_20k", "outcome": "deferred"}}, http.StatusCreated)
		mpath := "/v1/meetings/" + mp["id"].(string)
		if p := e.do(http.MethodPatch, mpath, e.officer, map[string]any{"map_decision": nil}).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/map_decision") {
			t.Fatalf("pointers %v", pointers(p))
		}
		r := e.do(http.MethodPatch, mpath, e.officer, map[string]any{"map_decision": map[string]any{"solution": "Outreach support", "cost_band": "5k_to_20k", "outcome": "approved"}})
		if r.status != http.StatusOK || r.json(t)["map_decision"].(map[string]any)["outcome"] != "approved" ||
			r.json(t)["map_decision"].(map[string]any)["solution"] != "Outreach support" {
			t.Fatalf("decision: %d %s", r.status, r.body)
		}
		var corrected []string
		for _, ev := range e.mtgTimeline(f.child) {
			if ev["kind"] == "meeting.corrected" {
				corrected = append(corrected, ev["summary"].(string))
			}
		}
		if !slices.Equal(corrected, []string{"Meeting record corrected: MAP held (0 attendees); MAP decision: approved (5k_to_20k)"}) {
			t.Fatalf("corrections on the timeline: %q", corrected)
		}
	})
}

// TestActionsListAndComplete: actions across meetings by owner and overdue, completion once,
// with who and when, audit, outbox and timeline.
func TestActionsListAndComplete(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.mtgAllocated()
		m := e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "mam", "held_on": mtgDay(0),
			"actions": []any{
				map[string]any{"what": "Book SALT", "owner_practitioner_id": e.lead, "due_on": mtgDay(-1)},
				map[string]any{"what": "Visit home", "owner_practitioner_id": e.lead, "due_on": mtgDay(7)},
				map[string]any{"what": "Send the IEP", "owner_practitioner_id": e.schoolSENCO, "due_on": mtgDay(-3)},
				map[string]any{"what": "Call the GP", "owner_description": "The family", "due_on": mtgDay(0)},
			}}, http.StatusCreated)
		var a []string
		for i, act := range m["actions"].([]any) {
			act := act.(map[string]any)
			a = append(a, act["id"].(string))
			if want := i == 0 || i == 2; act["overdue"] != want {
				t.Fatalf("action %d overdue = %v", i, act["overdue"])
			}
		}
		list := func(key, q string) []string {
			return mtgIDs(items(t, e.do(http.MethodGet, "/v1/actions?"+q, key, nil)))
		}
		byRef := "referral_id=" + f.referral
		checks := []struct {
			key, q string
			want   []string
		}{
			{e.officer, "owner=" + e.lead, mtgSorted(a[0], a[1])},
			{e.officer, "owner=" + e.lead + "&overdue=true", []string{a[0]}},
			{e.leadKey, byRef + "&overdue=true", mtgSorted(a[0], a[2])},
			{e.practitioner, byRef + "&overdue=false", mtgSorted(a[1], a[3])},
			{e.officer, byRef + "&status=open", mtgSorted(a...)},
			{e.officer, byRef + "&status=done", nil},
			{e.outsider, byRef, nil},
			{e.outsider, "", nil},
			{e.panel, "", nil},
		}
		for _, c := range checks {
			if got := list(c.key, c.q); !slices.Equal(got, c.want) {
				t.Errorf("?%s = %v, want %v", c.q, got, c.want)
			}
		}

		// Completing: the caller's practitioner by default, once only.
		done := e.do(http.MethodPost, "/v1/actions/"+a[0]+"/complete", e.leadKey, map[string]any{"note": "Booked for next Tuesday."})
		if done.status != http.StatusOK {
			t.Fatalf("complete: %d %s", done.status, done.body)
		}
		d := done.json(t)
		if d["status"] != "done" || d["overdue"] != false || d["completed_by_practitioner_id"] != e.lead || d["completion_note"] != "Booked for next Tuesday." || d["completed_at"] == nil {
			t.Fatalf("completed: %s", done.body)
		}
		p := e.do(http.MethodPost, "/v1/actions/"+a[0]+"/complete", e.officer, map[string]any{}).problem(t, http.StatusConflict)
		if p.CurrentStatus == nil || *p.CurrentStatus != "done" || !strings.Contains(*p.Detail, "done") {
			t.Fatalf("second completion: %+v", p)
		}
		// Someone else named as the completer; an unknown one is refused.
		if p := e.do(http.MethodPost, "/v1/actions/"+a[2]+"/complete", e.officer, map[string]any{"completed_by_practitioner_id": unknownID}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/completed_by_practitioner_id") {
			t.Fatalf("pointers %v", pointers(p))
		}
		by := e.do(http.MethodPost, "/v1/actions/"+a[2]+"/complete", e.officer, map[string]any{"completed_by_practitioner_id": e.schoolSENCO})
		if by.status != http.StatusOK || by.json(t)["completed_by_practitioner_id"] != e.schoolSENCO {
			t.Fatalf("complete for someone: %d %s", by.status, by.body)
		}
		// Refusals: no such action, a child the caller cannot see, a read-only role.
		e.do(http.MethodPost, "/v1/actions/"+unknownID+"/complete", e.officer, map[string]any{}).problem(t, http.StatusNotFound)
		e.do(http.MethodPost, "/v1/actions/"+a[1]+"/complete", e.outsider, map[string]any{}).problem(t, http.StatusNotFound)
		e.do(http.MethodPost, "/v1/actions/"+a[1]+"/complete", e.panel, map[string]any{}).problem(t, http.StatusForbidden)

		for _, c := range []struct {
			q    string
			want []string
		}{
			{byRef + "&status=done", mtgSorted(a[0], a[2])},
			{byRef + "&overdue=true", nil},
			{byRef + "&overdue=false", mtgSorted(a...)},
			{"owner=" + e.lead + "&status=open", []string{a[1]}},
		} {
			if got := list(e.officer, c.q); !slices.Equal(got, c.want) {
				t.Errorf("after completion ?%s = %v, want %v", c.q, got, c.want)
			}
		}
		// The meeting shows its actions as they now stand.
		for _, act := range e.mustDo(http.MethodGet, "/v1/meetings/"+m["id"].(string), nil, http.StatusOK)["actions"].([]any) {
			act := act.(map[string]any)
			if (act["id"] == a[0] || act["id"] == a[2]) != (act["status"] == "done") {
				t.Fatalf("meeting action %v", act)
			}
		}

		// Keyset pages of one.
		var seen []string
		path := "/v1/actions?" + byRef + "&limit=1"
		for range 10 {
			page := e.do(http.MethodGet, path, e.officer, nil).json(t)
			for _, it := range page["items"].([]any) {
				seen = append(seen, it.(map[string]any)["id"].(string))
			}
			next, ok := page["next_cursor"].(string)
			if !ok || next == "" {
				break
			}
			path = "/v1/actions?" + byRef + "&limit=1&cursor=" + next
		}
		if !slices.Equal(mtgSorted(seen...), mtgSorted(a...)) {
			t.Fatalf("paged %v", seen)
		}
		e.do(http.MethodGet, "/v1/actions?cursor=bad", e.officer, nil).problem(t, http.StatusBadRequest)

		// Audit, outbox and timeline.
		completes := items(t, e.do(http.MethodGet, "/v1/audit-events?record_type=action&action=complete&record_id="+a[0], e.admin, nil))
		if len(completes) != 1 {
			t.Fatalf("complete audited %d times", len(completes))
		}
		lists := len(items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&record_type=action&action=list&young_person_id="+f.child, e.admin, nil)))
		list(e.officer, byRef+"&status=done")
		listed := items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&record_type=action&action=list&young_person_id="+f.child, e.admin, nil))
		if len(listed) != lists+1 {
			t.Fatalf("a two-item list wrote %d audit events", len(listed)-lists)
		}
		if ids, _ := listed[0].(map[string]any)["record_ids"].([]any); len(ids) != 2 {
			t.Fatalf("the list's event names %v, want the two actions", listed[0])
		}
		err := e.st.InTx(context.Background(), func(tx *store.Tx) error {
			events, err := tx.Outbox().ForRecord(a[0])
			if err != nil {
				return err
			}
			for _, ev := range events {
				if ev.Type == "action.completed" {
					return nil
				}
			}
			t.Errorf("outbox for the action: %v", events)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range e.mtgTimeline(f.child) {
			if ev["kind"] == "action.completed" {
				n++
				if ev["summary"] != "Action completed" || ev["record_type"] != "action" {
					t.Fatalf("timeline event %v", ev)
				}
			}
		}
		if n != 2 {
			t.Fatalf("%d action.completed events on the timeline", n)
		}
	})
}
