package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
)

const fbPath = "/v1/pathway-feedback"

// fbAllocateLead makes e.lead the fixture referral's engagement lead: accepted at triage, put
// into assessing directly, then allocated through the API.
func (e *env) fbAllocateLead(f fixture) {
	e.t.Helper()
	if r := e.do(http.MethodPost, "/v1/referrals/"+f.referral+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x"}); r.status != http.StatusOK {
		e.t.Fatalf("triage: %d %s", r.status, r.body)
	}
	e.setStatus(f.referral, referral.Assessing)
	r := e.do(http.MethodPost, "/v1/referrals/"+f.referral+"/allocation", e.officer, map[string]any{"practitioner_id": e.lead, "reason": "x"})
	if r.status != http.StatusOK || r.json(e.t)["engagement_lead_practitioner_id"] != e.lead {
		e.t.Fatalf("allocation: %d %s", r.status, r.body)
	}
}

// fbFamily is a family member's token for their own child.
func (e *env) fbFamily(child string) string {
	e.t.Helper()
	return e.idp.token(e.t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{child}})
}

// fbGive posts feedback and requires a 201, returning the record.
func (e *env) fbGive(key string, body map[string]any) map[string]any {
	e.t.Helper()
	r := e.do(http.MethodPost, fbPath, key, body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("give feedback: %d %s", r.status, r.body)
	}
	out := r.json(e.t)
	if r.header.Get("Location") != fbPath+"/"+out["id"].(string) || r.header.Get("ETag") != `"1"` {
		e.t.Fatalf("headers: Location %q ETag %q", r.header.Get("Location"), r.header.Get("ETag"))
	}
	return out
}

// fbOtherChild is a second child with a referral, whose team the fixture's family and school are not part of.
func (e *env) fbOtherChild() (kid, ref string) {
	e.t.Helper()
	in := child(9)
	in.NHSNumber, in.UPN = nil, nil
	kid = e.youngPerson(e.officer, in)
	return kid, e.referral(e.officer, referralFor(kid, e.otherWorker)).ID.String()
}

func fbIDs(list []any) []string {
	var out []string
	for _, v := range list {
		out = append(out, v.(map[string]any)["id"].(string))
	}
	slices.Sort(out)
	return out
}

// TestFeedbackProfessionalRoles: a professional's role is worked out from the referral, not
// given: the current engagement lead is "engagement_lead", anyone else "other". The record is
// audited, published and put on the timeline without its free text.
func TestFeedbackProfessionalRoles(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		// Before any allocation the health visitor is just another professional.
		early := e.fbGive(e.leadKey, map[string]any{"referral_id": f.referral, "from": "professional", "practitioner_id": e.lead,
			"working_well": "Early days."})
		if early["professional_role"] != "other" {
			t.Fatalf("before allocation: %v", early["professional_role"])
		}

		e.fbAllocateLead(f)
		secret := "Dad finds the evening routine really hard"
		lead := e.fbGive(e.leadKey, map[string]any{"referral_id": f.referral, "from": "professional", "practitioner_id": e.lead,
			"not_working": secret, "outcome_ratings": []any{map[string]any{"outcome": "Uses 50 words", "rating": 3},
				map[string]any{"outcome": "Sleeps through", "rating": 2}}})
		if lead["professional_role"] != "engagement_lead" || lead["practitioner_id"] != e.lead || lead["from"] != "professional" ||
			lead["referral_id"] != f.referral || lead["young_person_id"] != f.child || lead["version"] != float64(1) || lead["not_working"] != secret {
			t.Fatalf("engagement lead feedback: %v", lead)
		}
		if rs := lead["outcome_ratings"].([]any); len(rs) != 2 || rs[1].(map[string]any)["rating"] != float64(2) {
			t.Fatalf("ratings: %v", rs)
		}
		senco := e.fbGive(e.practitioner, map[string]any{"referral_id": f.referral, "from": "professional", "practitioner_id": e.schoolSENCO,
			"next_steps": "Share the class plan."})
		if senco["professional_role"] != "other" || senco["practitioner_id"] != e.schoolSENCO {
			t.Fatalf("other professional: %v", senco)
		}
		if rs, ok := senco["outcome_ratings"].([]any); !ok || len(rs) != 0 {
			t.Fatalf("no ratings is an empty list: %v", senco["outcome_ratings"])
		}
		// The SEND officer may record a professional's view too; the role still follows the referral.
		byOfficer := e.fbGive(e.officer, map[string]any{"referral_id": f.referral, "from": "professional", "practitioner_id": e.lead,
			"working_well": "x"})
		if byOfficer["professional_role"] != "engagement_lead" {
			t.Fatalf("recorded by the officer: %v", byOfficer)
		}

		// Read back as stored.
		got := e.do(http.MethodGet, fbPath+"/"+lead["id"].(string), e.officer, nil)
		if got.status != http.StatusOK || got.header.Get("ETag") != `"1"` || got.json(t)["professional_role"] != "engagement_lead" ||
			got.json(t)["not_working"] != secret {
			t.Fatalf("get: %d %s", got.status, got.body)
		}

		// Timeline: one feedback.given event each, in codes and counts only.
		var summaries []string
		for _, ev := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?limit=200", e.officer, nil)) {
			m := ev.(map[string]any)
			if m["kind"] != "feedback.given" {
				continue
			}
			if m["record_type"] != "pathway_feedback" {
				t.Errorf("record type: %v", m)
			}
			s := m["summary"].(string)
			summaries = append(summaries, s)
			if strings.Contains(s, secret) || strings.Contains(s, "words") || strings.Contains(s, "Sleeps") {
				t.Errorf("timeline leaks free text: %q", s)
			}
		}
		if len(summaries) != 4 || !slices.Contains(summaries, "Feedback from professional (engagement lead): 2 outcomes rated") ||
			!slices.Contains(summaries, "Feedback from professional: no outcomes rated") {
			t.Fatalf("timeline summaries: %q", summaries)
		}

		// Audit and outbox in the same transaction as the record.
		id := lead["id"].(string)
		if n := len(items(t, e.do(http.MethodGet, "/v1/audit-events?record_type=pathway_feedback&action=create&record_id="+id, e.admin, nil))); n != 1 {
			t.Fatalf("create audited %d times", n)
		}
		if n := len(items(t, e.do(http.MethodGet, "/v1/audit-events?record_type=pathway_feedback&action=read&record_id="+id, e.admin, nil))); n != 1 {
			t.Fatalf("read audited %d times", n)
		}
		err := e.st.Read(context.Background(), func(tx *store.Tx) error {
			evs, err := tx.Outbox().ForRecord(id)
			if err != nil {
				return err
			}
			if len(evs) != 1 || evs[0].Type != "pathway_feedback.recorded" || evs[0].Payload["professional_role"] != "engagement_lead" ||
				evs[0].Payload["referral_id"] != f.referral {
				t.Errorf("outbox: %+v", evs)
			}
			for _, v := range evs[0].Payload {
				if s, ok := v.(string); ok && strings.Contains(s, secret) {
					t.Error("outbox payload carries free text")
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestFeedbackFromFamily: a family signed in as themselves records their own or their child's
// view of their own child only. Asking to record a professional's view is refused with 403: it is
// who the caller is, not what they sent, that rules it out, and it is refused before the referral
// is even looked at, so it says nothing about other children's records.
func TestFeedbackFromFamily(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		family := e.fbFamily(f.child)
		mine := e.fbGive(family, map[string]any{"referral_id": f.referral, "from": "family", "working_well": "We feel listened to.",
			"outcome_ratings": []any{map[string]any{"outcome": "Listened to", "rating": 5}, map[string]any{"outcome": "Involved in decisions", "rating": 4},
				map[string]any{"outcome": "Confidence and trust", "rating": 4}}})
		if mine["from"] != "family" || mine["practitioner_id"] != nil || mine["professional_role"] != nil || mine["young_person_id"] != f.child {
			t.Fatalf("family feedback: %v", mine)
		}
		childs := e.fbGive(family, map[string]any{"referral_id": f.referral, "from": "child_young_person", "next_steps": "More time outside."})
		if childs["from"] != "child_young_person" {
			t.Fatalf("child's feedback: %v", childs)
		}

		// Not a professional's view, whatever the referral.
		p := e.do(http.MethodPost, fbPath, family, map[string]any{"referral_id": f.referral, "from": "professional",
			"practitioner_id": e.lead, "working_well": "x"}).problem(t, http.StatusForbidden)
		if !strings.Contains(*p.Detail, "professional") {
			t.Errorf("403 should say why: %s", *p.Detail)
		}
		_, otherRef := e.fbOtherChild()
		e.do(http.MethodPost, fbPath, family, map[string]any{"referral_id": otherRef, "from": "professional",
			"practitioner_id": e.lead, "working_well": "x"}).problem(t, http.StatusForbidden)
		// Nor about another child: that referral does not exist for them.
		p = e.do(http.MethodPost, fbPath, family, map[string]any{"referral_id": otherRef, "from": "family", "working_well": "x"}).
			problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/referral_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		// A family's own view names no practitioner.
		p = e.do(http.MethodPost, fbPath, family, map[string]any{"referral_id": f.referral, "from": "family", "practitioner_id": e.lead,
			"working_well": "x"}).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/practitioner_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}

		// A professional records what the family said at a review, and the family can read it.
		relayed := e.fbGive(e.practitioner, map[string]any{"referral_id": f.referral, "from": "family", "not_working": "Transport."})
		if relayed["professional_role"] != nil {
			t.Fatalf("relayed: %v", relayed)
		}
		if r := e.do(http.MethodGet, fbPath+"/"+relayed["id"].(string), family, nil); r.status != http.StatusOK {
			t.Fatalf("family reads their own: %d %s", r.status, r.body)
		}

		// The family sees their own child's feedback and nothing else.
		other := e.fbGive(e.officer, map[string]any{"referral_id": otherRef, "from": "family", "working_well": "x"})
		e.do(http.MethodGet, fbPath+"/"+other["id"].(string), family, nil).problem(t, http.StatusNotFound)
		got := fbIDs(items(t, e.do(http.MethodGet, fbPath, family, nil)))
		want := []string{mine["id"].(string), childs["id"].(string), relayed["id"].(string)}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("family list = %v, want %v", got, want)
		}

		// The timeline summary counts the ratings and keeps the words out.
		found := false
		for _, ev := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?limit=200", family, nil)) {
			m := ev.(map[string]any)
			if m["record_id"] == mine["id"] {
				found = m["summary"] == "Feedback from family: 3 outcomes rated" && m["kind"] == "feedback.given"
			}
		}
		if !found {
			t.Fatal("no timeline event for the family's feedback")
		}
	})
}

// TestFeedbackValidation: shape problems are 400s and bad references 422s, each by its pointer.
func TestFeedbackValidation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		_, otherRef := e.fbOtherChild()
		today := time.Now().UTC().Format("2006-01-02")
		meet := func(ref string) string {
			r := e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": ref, "type": "taf", "held_on": today})
			if r.status != http.StatusCreated {
				t.Fatalf("meeting: %d %s", r.status, r.body)
			}
			return r.json(t)["id"].(string)
		}
		mine, theirs := meet(f.referral), meet(otherRef)
		rate := func(rs ...any) []any { return rs }
		r := func(outcome string, rating int) map[string]any {
			return map[string]any{"outcome": outcome, "rating": rating}
		}
		cases := []struct {
			name    string
			body    map[string]any
			status  int
			pointer string
		}{
			{"nothing said", map[string]any{"from": "family"}, 400, ""},
			{"only blanks", map[string]any{"from": "family", "working_well": "  ", "outcome_ratings": []any{}}, 400, ""},
			{"duplicate outcome", map[string]any{"from": "family", "outcome_ratings": rate(r("Speech", 2), r("Sleep", 3), r("speech", 4))}, 400, "/outcome_ratings/2/outcome"},
			{"rating above 5", map[string]any{"from": "family", "outcome_ratings": rate(r("Speech", 6))}, 400, "/outcome_ratings/0/rating"},
			{"rating below 1", map[string]any{"from": "family", "outcome_ratings": rate(r("Speech", 0))}, 400, "/outcome_ratings/0/rating"},
			{"blank outcome", map[string]any{"from": "family", "outcome_ratings": rate(r(" ", 3))}, 400, "/outcome_ratings/0/outcome"},
			{"professional without practitioner", map[string]any{"from": "professional", "working_well": "x"}, 400, "/practitioner_id"},
			{"child naming a practitioner", map[string]any{"from": "child_young_person", "practitioner_id": e.lead, "working_well": "x"}, 400, "/practitioner_id"},
			{"unknown source", map[string]any{"from": "neighbour", "working_well": "x"}, 400, "/from"},
			{"role is not given", map[string]any{"from": "family", "working_well": "x", "professional_role": "engagement_lead"}, 400, "/professional_role"},
			{"unknown practitioner", map[string]any{"from": "professional", "practitioner_id": unknownID, "working_well": "x"}, 422, "/practitioner_id"},
			{"unknown meeting", map[string]any{"from": "family", "meeting_id": unknownID, "working_well": "x"}, 422, "/meeting_id"},
			{"another referral's meeting", map[string]any{"from": "family", "meeting_id": theirs, "working_well": "x"}, 422, "/meeting_id"},
		}
		for _, c := range cases {
			c.body["referral_id"] = f.referral
			p := e.do(http.MethodPost, fbPath, e.officer, c.body).problem(t, c.status)
			if !hasPointer(p, c.pointer) {
				t.Errorf("%s: pointers %q, want %q", c.name, pointers(p), c.pointer)
			}
		}
		p := e.do(http.MethodPost, fbPath, e.officer, map[string]any{"referral_id": unknownID, "from": "family", "working_well": "x"}).
			problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/referral_id") {
			t.Errorf("unknown referral: %v", pointers(p))
		}
		e.do(http.MethodPost, fbPath, e.officer, map[string]any{"from": "family", "working_well": "x"}).problem(t, http.StatusBadRequest)

		// A meeting of the same referral is fine, and the text is kept as written (trimmed).
		ok := e.fbGive(e.officer, map[string]any{"referral_id": f.referral, "meeting_id": mine, "from": "child_young_person",
			"working_well": "  I like my new teacher. ", "outcome_ratings": rate(r(" Speech ", 4))})
		if ok["meeting_id"] != mine || ok["working_well"] != "I like my new teacher." || ok["outcome_ratings"].([]any)[0].(map[string]any)["outcome"] != "Speech" {
			t.Fatalf("with meeting: %v", ok)
		}
		// Nothing was written by the refused requests.
		if n := len(items(t, e.do(http.MethodGet, fbPath+"?referral_id="+f.referral, e.officer, nil))); n != 1 {
			t.Fatalf("%d records after one success", n)
		}
	})
}

// TestFeedbackListAndScope: filters, keyset pagination, audit per item, and partners outside the
// child's team see nothing.
func TestFeedbackListAndScope(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		_, otherRef := e.fbOtherChild()
		today := time.Now().UTC().Format("2006-01-02")
		e.walkToMAM(f, today) // a review meeting follows a MAM
		m := e.do(http.MethodPost, "/v1/meetings", e.officer, map[string]any{"referral_id": f.referral, "type": "review", "held_on": today})
		if m.status != http.StatusCreated {
			t.Fatalf("meeting: %d %s", m.status, m.body)
		}
		meetingID := m.json(t)["id"].(string)
		a := e.fbGive(e.officer, map[string]any{"referral_id": f.referral, "from": "family", "working_well": "a"})
		b := e.fbGive(e.officer, map[string]any{"referral_id": f.referral, "meeting_id": meetingID, "from": "child_young_person", "working_well": "b"})
		c := e.fbGive(e.officer, map[string]any{"referral_id": f.referral, "meeting_id": meetingID, "from": "professional",
			"practitioner_id": e.schoolSENCO, "working_well": "c"})
		d := e.fbGive(e.officer, map[string]any{"referral_id": otherRef, "from": "family", "working_well": "d"})
		id := func(m map[string]any) string { return m["id"].(string) }
		sorted := func(s ...string) []string { slices.Sort(s); return s }

		for _, q := range []struct {
			query string
			want  []string
		}{
			{"", sorted(id(a), id(b), id(c), id(d))},
			{"?referral_id=" + f.referral, sorted(id(a), id(b), id(c))},
			{"?referral_id=" + otherRef, []string{id(d)}},
			{"?meeting_id=" + meetingID, sorted(id(b), id(c))},
			{"?from=family", sorted(id(a), id(d))},
			{"?from=professional&referral_id=" + f.referral, []string{id(c)}},
			{"?meeting_id=" + meetingID + "&from=family", nil},
		} {
			if got := fbIDs(items(t, e.do(http.MethodGet, fbPath+q.query, e.officer, nil))); !slices.Equal(got, q.want) {
				t.Errorf("list%s = %v, want %v", q.query, got, q.want)
			}
		}
		e.do(http.MethodGet, fbPath+"?from=neighbour", e.officer, nil).problem(t, http.StatusBadRequest)
		e.do(http.MethodGet, fbPath+"?cursor=bad", e.officer, nil).problem(t, http.StatusBadRequest)

		// Newest first, one page at a time, never repeating.
		var paged []string
		cursor := ""
		for i := 0; i < 10; i++ {
			r := e.do(http.MethodGet, fbPath+"?limit=1"+cursor, e.officer, nil)
			page := items(t, r)
			for _, v := range page {
				paged = append(paged, v.(map[string]any)["id"].(string))
			}
			next, _ := r.json(t)["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = "&cursor=" + next
		}
		if !slices.Equal(paged, []string{id(d), id(c), id(b), id(a)}) {
			t.Fatalf("pages = %v", paged)
		}

		// A list is audited once, naming every item it returned; the child's access log finds it.
		before := len(items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&record_type=pathway_feedback&action=list&young_person_id="+f.child, e.admin, nil)))
		e.do(http.MethodGet, fbPath+"?referral_id="+f.referral, e.officer, nil)
		listed := items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&record_type=pathway_feedback&action=list&young_person_id="+f.child, e.admin, nil))
		if len(listed)-before != 1 {
			t.Fatalf("a three-item list wrote %d audit events", len(listed)-before)
		}
		if ids, _ := listed[0].(map[string]any)["record_ids"].([]any); len(ids) != 3 {
			t.Fatalf("the list's event names %v, want the three items", listed[0])
		}

		// The school in the child's team sees this child's feedback only.
		if got := fbIDs(items(t, e.do(http.MethodGet, fbPath, e.practitioner, nil))); !slices.Equal(got, sorted(id(a), id(b), id(c))) {
			t.Fatalf("school list = %v", got)
		}
		// An outsider sees nothing, cannot read it, and cannot write against it.
		if got := items(t, e.do(http.MethodGet, fbPath+"?referral_id="+f.referral, e.outsider, nil)); len(got) != 0 {
			t.Fatalf("outsider list: %v", got)
		}
		e.do(http.MethodGet, fbPath+"/"+id(a), e.outsider, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, fbPath+"/"+unknownID, e.officer, nil).problem(t, http.StatusNotFound)
		p := e.do(http.MethodPost, fbPath, e.outsider, map[string]any{"referral_id": f.referral, "from": "family", "working_well": "x"}).
			problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/referral_id") {
			t.Fatalf("outsider write: %v", pointers(p))
		}
		// Roles without the feedback permission are refused outright.
		e.do(http.MethodPost, fbPath, e.analyst, map[string]any{"referral_id": f.referral, "from": "family", "working_well": "x"}).
			problem(t, http.StatusForbidden)
		e.do(http.MethodPost, fbPath, e.panel, map[string]any{"referral_id": f.referral, "from": "family", "working_well": "x"}).
			problem(t, http.StatusForbidden)
		e.do(http.MethodGet, fbPath, e.analyst, nil).problem(t, http.StatusForbidden)
	})
}

// TestFeedbackImmutable: feedback records what was said on the day; there is no way to change
// or remove it through the API.
func TestFeedbackImmutable(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		fb := e.fbGive(e.officer, map[string]any{"referral_id": f.referral, "from": "family", "working_well": "Good."})
		path := fbPath + "/" + fb["id"].(string)
		e.do(http.MethodPatch, path, e.officer, map[string]any{"working_well": "Changed."}).problem(t, http.StatusMethodNotAllowed)
		e.do(http.MethodPut, path, e.officer, map[string]any{"referral_id": f.referral, "from": "family", "working_well": "Changed."}).
			problem(t, http.StatusMethodNotAllowed)
		e.do(http.MethodDelete, path, e.officer, nil).problem(t, http.StatusMethodNotAllowed)
		got := e.do(http.MethodGet, path, e.officer, nil)
		if got.status != http.StatusOK || got.json(t)["working_well"] != "Good." || got.json(t)["version"] != float64(1) {
			t.Fatalf("after attempts to change: %d %s", got.status, got.body)
		}
	})
}
