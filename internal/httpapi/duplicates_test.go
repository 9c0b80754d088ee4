package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/directory"
)

var nhsSeq atomic.Int64

// newNHSNumber returns a valid NHS number in the 999 test range that no other call returned.
func newNHSNumber() string {
	for {
		base := fmt.Sprintf("999%06d", nhsSeq.Add(1))
		sum := 0
		for i, c := range base {
			sum += int(c-'0') * (10 - i)
		}
		if check := (11 - sum%11) % 11; check != 10 {
			return base + strconv.Itoa(check)
		}
	}
}

// kid is a young person's record with the given identifiers ("" for none).
func kid(nhs, upn string) map[string]any {
	m := map[string]any{"given_name": "Robin", "family_name": "Example", "date_of_birth": "2017-09-01"}
	if nhs != "" {
		m["nhs_number"] = nhs
	}
	if upn != "" {
		m["upn"] = upn
	}
	return m
}

// create records a young person as key and requires a 201.
func (e *env) create(key string, body map[string]any) string {
	e.t.Helper()
	r := e.do(http.MethodPost, "/v1/young-people", key, body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create young person: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

// pairs lists the possible duplicates as the SEND officer (every page) with query.
func (e *env) pairs(query string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	cursor := ""
	for {
		r := e.do(http.MethodGet, "/v1/possible-duplicates?limit=2"+query+cursor, e.officer, nil)
		for _, it := range items(e.t, r) {
			out = append(out, it.(map[string]any))
		}
		next, _ := r.json(e.t)["next_cursor"].(string)
		if next == "" {
			return out
		}
		cursor = "&cursor=" + next
	}
}

func pairIDs(p map[string]any) []string {
	var out []string
	for _, id := range p["young_person_ids"].([]any) {
		out = append(out, id.(string))
	}
	return out
}

// getNoRedirect reads path as key without following a redirect.
func (e *env) getNoRedirect(path, key string) reply {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	c := &http.Client{Transport: e.httpc.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// TestDuplicateIdentifierOutsider: a practitioner who cannot see the record already holding an
// NHS number or UPN learns nothing: the child is recorded exactly as a new one, and the SEND team
// finds the pair. The same holds for a change that gives a record such an identifier.
func TestDuplicateIdentifierOutsider(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nhs, upn := newNHSNumber(), "B801200005001"
		known := e.create(e.officer, kid(nhs, upn))

		fresh := e.do(http.MethodPost, "/v1/young-people", e.outsider, kid(newNHSNumber(), ""))
		dup := e.do(http.MethodPost, "/v1/young-people", e.outsider, kid(nhs, ""))
		if dup.status != http.StatusCreated || fresh.status != http.StatusCreated {
			t.Fatalf("outsider's creates: %d %s / %d %s", dup.status, dup.body, fresh.status, fresh.body)
		}
		// The answer is shaped exactly as for a child nobody knew, and names no other record.
		keys := func(r reply) []string {
			var out []string
			for k := range r.json(t) {
				out = append(out, k)
			}
			sort.Strings(out)
			return out
		}
		if !slices.Equal(keys(dup), keys(fresh)) || dup.header.Get("ETag") != `"1"` || !strings.HasPrefix(dup.header.Get("Location"), "/v1/young-people/") {
			t.Fatalf("duplicate's answer differs from a new child's: %v vs %v, %v", keys(dup), keys(fresh), dup.header)
		}
		if bytes.Contains(dup.body, []byte(known)) {
			t.Fatalf("the answer names the record the outsider may not see: %s", dup.body)
		}
		created := dup.json(t)["id"].(string)
		e.do(http.MethodGet, "/v1/young-people/"+known, e.outsider, nil).problem(t, http.StatusNotFound)

		// The SEND team sees the pair, the record recorded first first.
		got := e.pairs("&status=open")
		if len(got) != 1 || !slices.Equal(pairIDs(got[0]), []string{known, created}) || got[0]["matched_on"] != "nhs_number" ||
			got[0]["status"] != "open" || got[0]["found_at"] == nil {
			t.Fatalf("possible duplicates: %+v", got)
		}
		if n := e.outboxTypes(got[0]["id"].(string))["possible_duplicate.found"]; n != 1 {
			t.Fatalf("possible_duplicate.found events: %d", n)
		}
		// Nobody else may read the list.
		for _, key := range []string{e.outsider, e.practitioner, e.admin, e.analyst, e.panel, e.leadKey} {
			e.do(http.MethodGet, "/v1/possible-duplicates", key, nil).problem(t, http.StatusForbidden)
		}

		// A UPN alone is found too.
		byUPN := e.create(e.outsider, kid("", upn))
		if got := e.pairs("&young_person_id=" + byUPN); len(got) != 1 || got[0]["matched_on"] != "upn" ||
			!slices.Equal(pairIDs(got[0]), []string{known, byUPN}) {
			t.Fatalf("UPN pair: %+v", got)
		}

		// A change giving the outsider's own record a number held out of their sight is made, and found.
		other := newNHSNumber()
		hidden := e.create(e.officer, kid(other, ""))
		r := e.do(http.MethodPatch, "/v1/young-people/"+created, e.outsider, map[string]any{"nhs_number": other})
		if r.status != http.StatusOK || r.json(t)["nhs_number"] != other {
			t.Fatalf("outsider's change: %d %s", r.status, r.body)
		}
		if got := e.pairs("&young_person_id=" + hidden); len(got) != 1 || !slices.Equal(pairIDs(got[0]), []string{created, hidden}) {
			t.Fatalf("pair found on a change: %+v", got)
		}
		// Unchanged identifiers are not checked again: a change of locality finds nothing new.
		e.do(http.MethodPatch, "/v1/young-people/"+created, e.outsider, map[string]any{"locality": "North"})
		if got := e.pairs(""); len(got) != 3 {
			t.Fatalf("%d pairs after an unrelated change, want 3", len(got))
		}
	})
}

// TestDuplicateIdentifierVisible: a caller who can see the record already holding the number is
// sent to it (409 naming it) and nothing is recorded; the value is never echoed.
func TestDuplicateIdentifierVisible(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nhs := newNHSNumber()
		mine := e.create(e.practitioner, kid(nhs, "B801200005001")) // the school records it, so sees it
		count := func() int { return len(items(t, e.do(http.MethodGet, "/v1/young-people?q="+nhs, e.officer, nil))) }

		for _, key := range []string{e.practitioner, e.officer} {
			r := e.do(http.MethodPost, "/v1/young-people", key, kid(nhs, ""))
			p := r.problem(t, http.StatusConflict)
			if p.Location == nil || *p.Location != "/v1/young-people/"+mine || !hasPointer(p, "/nhs_number") || hasPointer(p, "/upn") {
				t.Fatalf("409 without the link: %s", r.body)
			}
			if bytes.Contains(r.body, []byte(nhs)) {
				t.Fatalf("409 echoes the NHS number: %s", r.body)
			}
		}
		p := e.do(http.MethodPost, "/v1/young-people", e.practitioner, kid("", "B801200005001")).problem(t, http.StatusConflict)
		if *p.Location != "/v1/young-people/"+mine || !hasPointer(p, "/upn") {
			t.Fatalf("UPN 409: %+v", p)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d records hold the number, want 1", n)
		}

		// A change to a number the caller can see held is refused the same way, and not made.
		second := e.create(e.practitioner, kid("", ""))
		r := e.do(http.MethodPatch, "/v1/young-people/"+second, e.practitioner, map[string]any{"nhs_number": nhs})
		if p := r.problem(t, http.StatusConflict); p.Location == nil || *p.Location != "/v1/young-people/"+mine {
			t.Fatalf("PATCH 409: %s", r.body)
		}
		if got := e.do(http.MethodGet, "/v1/young-people/"+second, e.practitioner, nil).json(t); got["nhs_number"] != nil || got["version"] != float64(1) {
			t.Fatalf("refused change was made: %v", got)
		}
		// A record keeps its own number through a change.
		if r := e.do(http.MethodPatch, "/v1/young-people/"+mine, e.practitioner, map[string]any{"preferred_name": "Rob"}); r.status != http.StatusOK {
			t.Fatalf("change of the holder itself: %d %s", r.status, r.body)
		}
		if got := e.pairs(""); len(got) != 0 {
			t.Fatalf("pairs recorded for visible records: %+v", got)
		}
	})
}

// partnerKeys makes n organisations, each with a practitioner's key, none involved with anyone.
func (e *env) partnerKeys(n int) []string {
	e.t.Helper()
	ctx := context.Background()
	admin := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleAdmin})
	keys := make([]string, n)
	for i := range keys {
		o, err := e.app.Organisations.CreateOrganisation(admin, directory.Organisation{Name: fmt.Sprintf("Partner %d", i), Type: "vcs"})
		if err != nil {
			e.t.Fatal(err)
		}
		if keys[i], _, err = e.app.Keys.IssueAPIKey(ctx, o.ID, auth.RolePractitioner, "partner", ""); err != nil {
			e.t.Fatal(err)
		}
	}
	return keys
}

// createAll sends one create per key at once and returns each answer's status and body.
func (e *env) createAll(keys []string, body map[string]any) ([]int, [][]byte) {
	statuses, bodies := make([]int, len(keys)), make([][]byte, len(keys))
	payload, _ := json.Marshal(body)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, key := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/young-people", bytes.NewReader(payload))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			<-start
			resp, err := e.httpc.Do(req)
			if err != nil {
				e.t.Errorf("create %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			bodies[i], _ = io.ReadAll(resp.Body)
		}()
	}
	close(start)
	wg.Wait()
	return statuses, bodies
}

// TestConcurrentDuplicateCreates: the same NHS number recorded at the same moment. From
// organisations that cannot see each other's records, every record is kept and every pair found;
// from one organisation, one record is kept and the others are sent to it. Never a 500.
func TestConcurrentDuplicateCreates(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const n = 5
		nhs := newNHSNumber()
		statuses, bodies := e.createAll(e.partnerKeys(n), kid(nhs, ""))
		var ids []string
		for i, s := range statuses {
			if s != http.StatusCreated {
				t.Fatalf("partner %d: %d %s", i, s, bodies[i])
			}
			var m map[string]any
			_ = json.Unmarshal(bodies[i], &m)
			ids = append(ids, m["id"].(string))
		}
		found := map[[2]string]bool{}
		for _, p := range e.pairs("&status=open") {
			ps := pairIDs(p)
			if !slices.Contains(ids, ps[0]) || !slices.Contains(ids, ps[1]) || ps[0] >= ps[1] || p["matched_on"] != "nhs_number" {
				t.Fatalf("unexpected pair %v", p)
			}
			found[[2]string{ps[0], ps[1]}] = true
		}
		if len(found) != n*(n-1)/2 {
			t.Fatalf("%d pairs among %d records, want every pair (%d)", len(found), n, n*(n-1)/2)
		}

		// One organisation: the first record stands, the rest are sent to it.
		same := []string{e.practitioner, e.practitioner, e.practitioner, e.practitioner}
		statuses, bodies = e.createAll(same, kid(newNHSNumber(), ""))
		var kept string
		for i, s := range statuses {
			if s == http.StatusCreated {
				if kept != "" {
					t.Fatalf("two records created by one organisation: %v", statuses)
				}
				var m map[string]any
				_ = json.Unmarshal(bodies[i], &m)
				kept = m["id"].(string)
			}
		}
		if kept == "" {
			t.Fatalf("none created: %v", statuses)
		}
		for i, s := range statuses {
			if s == http.StatusCreated {
				continue
			}
			var p map[string]any
			_ = json.Unmarshal(bodies[i], &p)
			if s != http.StatusConflict || p["location"] != "/v1/young-people/"+kept {
				t.Fatalf("concurrent create %d: %d %s, want 409 naming %s", i, s, bodies[i], kept)
			}
		}
	})
}

// lists are the lists filtered by young_person_id, with the path of each.
var lists = []string{"/v1/referrals", "/v1/family-assessments", "/v1/meetings", "/v1/ehc-needs-assessments", "/v1/ehc-plans",
	"/v1/annual-reviews", "/v1/disputes", "/v1/transition-plans", "/v1/survey-responses"}

// listIDs reads every record of a list naming a young person, as the SEND officer.
func (e *env) listIDs(list, youngPersonID string) []string {
	e.t.Helper()
	var out []string
	for _, it := range items(e.t, e.do(http.MethodGet, list+"?limit=200&young_person_id="+youngPersonID, e.officer, nil)) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// etagOf reads a young person's ETag as the SEND officer.
func (e *env) etagOf(id string) string {
	e.t.Helper()
	r := e.do(http.MethodGet, "/v1/young-people/"+id, e.officer, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("read %s: %d %s", id, r.status, r.body)
	}
	return r.header.Get("ETag")
}

func (e *env) merge(kept, from, key string, headers ...string) reply {
	e.t.Helper()
	return e.do(http.MethodPost, "/v1/young-people/"+kept+"/merge", key, map[string]any{"from": from}, headers...)
}

// TestMergeMovesEveryRecord: every kind of record linked to the merged-away child moves to the
// kept one in one merge; the merged-away id answers 301 to those who may see the kept record;
// the history (its details, its audit trail) stays readable through the kept child; the merge is
// audited, announced and on the timeline.
func TestMergeMovesEveryRecord(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		kept, from := e.fixture(), e.fixture()
		// Give the merged-away child one of everything.
		withAssessment(e, &from)
		withMeeting(e, &from)
		withFeedback(e, &from)
		review, dispute, tp, response, invitation := from, from, from, from, from
		withReview(e, &review) // an EHC request, an issued plan and its first review
		withDispute(e, &dispute)
		withTransitionPlan(e, &tp)
		withSurveyResponse(e, &response)
		withSurveyInvitation(e, &invitation)
		// A third record found to share the merged-away child's NHS number.
		nhs := newNHSNumber()
		e.mustDo(http.MethodPatch, "/v1/young-people/"+from.child, map[string]any{"nhs_number": nhs}, http.StatusOK)
		third := e.create(e.outsider, kid(nhs, ""))

		before := map[string][]string{}
		for _, l := range lists {
			if before[l] = e.listIDs(l, from.child); len(before[l]) == 0 {
				t.Fatalf("%s: the merged-away child has none to move", l)
			}
		}
		keptBefore := e.listIDs("/v1/referrals", kept.child)
		etag := e.etagOf(kept.child)

		r := e.merge(kept.child, from.child, e.officer, "If-Match", etag)
		if r.status != http.StatusOK {
			t.Fatalf("merge: %d %s", r.status, r.body)
		}
		res := r.json(t)
		if res["merged_from"] != from.child || res["young_person"].(map[string]any)["id"] != kept.child {
			t.Fatalf("merge result: %s", r.body)
		}
		moved := res["moved"].(map[string]any)
		for _, kind := range []string{"referral", "family_assessment", "meeting", "action", "pathway_feedback", "ehc_request", "ehc_plan",
			"annual_review", "dispute", "transition_plan", "survey_response", "survey_invitation", "involvement", "consent", "timeline_event"} {
			if n, _ := moved[kind].(float64); n < 1 {
				t.Errorf("moved %s: %v, want at least one", kind, moved[kind])
			}
		}
		if old, _ := strconv.Atoi(strings.Trim(etag, `"`)); r.header.Get("ETag") != `"`+strconv.Itoa(old+1)+`"` {
			t.Errorf("ETag after merge %s, was %s", r.header.Get("ETag"), etag)
		}

		// Each list by young_person_id: nothing left on the merged-away record, everything on the kept one.
		for _, l := range lists {
			if left := e.listIDs(l, from.child); len(left) != 0 {
				t.Errorf("%s still names the merged-away child: %v", l, left)
			}
			now := e.listIDs(l, kept.child)
			for _, id := range before[l] {
				if !slices.Contains(now, id) {
					t.Errorf("%s: %s did not move to the kept child (has %v)", l, id, now)
				}
			}
		}
		if got := e.listIDs("/v1/referrals", kept.child); len(got) != len(keptBefore)+len(before["/v1/referrals"]) {
			t.Errorf("kept child's referrals %v", got)
		}
		for _, path := range []string{"/v1/pathway-feedback/" + from.feedback, "/v1/survey-invitations/" + invitation.feedback} {
			if got := e.mustDo(http.MethodGet, path, nil, http.StatusOK)["young_person_id"]; got != kept.child {
				t.Errorf("%s names %v, want the kept child", path, got)
			}
		}
		actions := items(t, e.do(http.MethodGet, "/v1/actions?referral_id="+from.referral, e.practitioner, nil))
		if len(actions) != 1 || actions[0].(map[string]any)["id"] != from.action {
			t.Errorf("the moved action, read by the kept child's team: %v", actions)
		}
		involvements := e.mustDo(http.MethodGet, "/v1/young-people/"+kept.child+"/involvements", nil, http.StatusOK)["items"].([]any)
		if !slices.ContainsFunc(involvements, func(i any) bool { return i.(map[string]any)["id"] == from.involvement }) {
			t.Errorf("involvement %s did not move", from.involvement)
		}
		consents := e.mustDo(http.MethodGet, "/v1/young-people/"+kept.child+"/consents", nil, http.StatusOK)["items"].([]any)
		if !slices.ContainsFunc(consents, func(c any) bool { return c.(map[string]any)["id"] == from.consent }) {
			t.Errorf("consent %s did not move", from.consent)
		}
		timeline := e.mustDo(http.MethodGet, "/v1/young-people/"+kept.child+"/timeline?limit=200", nil, http.StatusOK)["items"].([]any)
		if !slices.ContainsFunc(timeline, func(l any) bool { return l.(map[string]any)["referral_id"] == from.referral }) ||
			!slices.ContainsFunc(timeline, func(l any) bool {
				m := l.(map[string]any)
				return m["kind"] == "young_person.merged" && m["record_id"] == from.child
			}) {
			t.Errorf("timeline lacks the moved lines or the merge: %v", timeline)
		}

		// The merged-away id: 301 to the kept record for whoever may see it, 404 for anyone else
		// and for everything but reading it.
		for _, key := range []string{e.officer, e.practitioner} {
			m := e.getNoRedirect("/v1/young-people/"+from.child, key)
			p := m.problem(t, http.StatusMovedPermanently)
			if m.header.Get("Location") != "/v1/young-people/"+kept.child || p.Location == nil || *p.Location != "/v1/young-people/"+kept.child {
				t.Fatalf("301: %v %s", m.header, m.body)
			}
		}
		if followed := e.do(http.MethodGet, "/v1/young-people/"+from.child, e.officer, nil); followed.status != http.StatusOK || followed.json(t)["id"] != kept.child {
			t.Fatalf("following the 301: %d %s", followed.status, followed.body)
		}
		e.getNoRedirect("/v1/young-people/"+from.child, e.outsider).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/young-people/"+from.child+"/involvements", e.officer, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodPatch, "/v1/young-people/"+from.child, e.officer, map[string]any{"locality": "North"}).problem(t, http.StatusNotFound)
		e.merge(kept.child, from.child, e.officer).problem(t, http.StatusUnprocessableEntity) // already merged

		// History: the merged-away child's trail is read with the kept child's access log, and the
		// export holds its details and every moved record.
		log := e.mustDo(http.MethodGet, "/v1/young-people/"+kept.child+"/access-log?limit=200", nil, http.StatusOK)["items"].([]any)
		if !slices.ContainsFunc(log, func(ev any) bool {
			m := ev.(map[string]any)
			return m["young_person_id"] == from.child && m["action"] == "create" && m["record_type"] == "young_person"
		}) {
			t.Errorf("access log lacks the merged-away record's own trail")
		}
		x := e.mustDo(http.MethodGet, "/v1/young-people/"+kept.child+"/export", nil, http.StatusOK)
		merged := x["merged_young_people"].([]any)
		if len(merged) != 1 || merged[0].(map[string]any)["young_person"].(map[string]any)["id"] != from.child ||
			merged[0].(map[string]any)["young_person"].(map[string]any)["nhs_number"] != nhs {
			t.Errorf("export's merged records: %v", merged)
		}
		exported := func(list, id string) bool {
			return slices.ContainsFunc(x[list].([]any), func(v any) bool { return v.(map[string]any)["id"] == id })
		}
		for list, id := range map[string]string{"referrals": from.referral, "family_assessments": from.assessment, "meetings": from.meeting,
			"pathway_feedback": from.feedback, "annual_reviews": review.feedback, "disputes": dispute.feedback, "transition_plans": tp.feedback,
			"survey_responses": response.feedback, "involvements": from.involvement, "consents": from.consent,
			"ehc_needs_assessments": before["/v1/ehc-needs-assessments"][0], "ehc_plans": before["/v1/ehc-plans"][0]} {
			if !exported(list, id) {
				t.Errorf("export's %s lacks %s", list, id)
			}
		}
		if !slices.ContainsFunc(x["access_log"].([]any), func(ev any) bool { return ev.(map[string]any)["young_person_id"] == from.child }) {
			t.Errorf("export's access log lacks the merged-away record's trail")
		}

		// Audited on both records' trails and once per type of record moved; announced.
		trail := items(t, e.do(http.MethodGet, "/v1/audit-events?action=merge&limit=200", e.admin, nil))
		audited := map[string]bool{}
		for _, ev := range trail {
			m := ev.(map[string]any)
			audited[m["record_type"].(string)+":"+fmt.Sprint(m["record_id"])] = true
		}
		for _, want := range []string{"young_person:" + kept.child, "young_person:" + from.child, "referral:<nil>", "ehc_plan:<nil>",
			"consent:<nil>", "timeline_event:<nil>"} {
			if !audited[want] {
				t.Errorf("no merge audit event %s (have %v)", want, audited)
			}
		}
		if n := e.outboxTypes(kept.child)["young_person.merged"]; n != 1 {
			t.Errorf("young_person.merged events: %d", n)
		}

		// The merged-away child's pair with a third record is now the kept child's.
		p := e.pairs("&young_person_id=" + third)
		if len(p) != 1 || !slices.Equal(pairIDs(p[0]), []string{kept.child, third}) || p[0]["status"] != "open" {
			t.Errorf("pair with the third record: %+v", p)
		}
	})
}

// TestMergeSettlesThePair: the SEND team merges the pair an outsider's create made; the pair is
// merged, and the outsider, whose organisation recorded the child, now reaches the kept record.
func TestMergeSettlesThePair(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nhs := newNHSNumber()
		known := e.create(e.officer, kid(nhs, ""))
		dup := e.create(e.outsider, kid(nhs, ""))
		pair := e.pairs("")[0]
		e.merge(known, dup, e.officer).json(t)
		got := e.pairs("&young_person_id=" + dup)
		if len(got) != 1 || got[0]["id"] != pair["id"] || got[0]["status"] != "merged" || got[0]["merged_into"] != known || got[0]["resolved_at"] == nil {
			t.Fatalf("pair after merge: %+v", got)
		}
		if got := e.pairs("&status=open"); len(got) != 0 {
			t.Fatalf("open pairs after the merge: %+v", got)
		}
		if n := e.outboxTypes(pair["id"].(string))["possible_duplicate.updated"]; n != 1 {
			t.Fatalf("possible_duplicate.updated events: %d", n)
		}
		m := e.getNoRedirect("/v1/young-people/"+dup, e.outsider)
		if m.status != http.StatusMovedPermanently || m.header.Get("Location") != "/v1/young-people/"+known {
			t.Fatalf("the outsider's own merged record: %d %s", m.status, m.body)
		}
		// Dismissing a merged pair is a conflict.
		e.do(http.MethodPost, "/v1/possible-duplicates/"+pair["id"].(string)+"/dismiss", e.officer, map[string]any{"reason": "Late."}).
			problem(t, http.StatusConflict)
	})
}

// TestDismissPossibleDuplicate: the SEND team records that a pair are two children, with the
// reason; only once, only the SEND team, and a dismissed pair is not found again.
func TestDismissPossibleDuplicate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nhs := newNHSNumber()
		a := e.create(e.officer, kid(nhs, ""))
		b := e.create(e.outsider, kid(nhs, ""))
		id := e.pairs("")[0]["id"].(string)
		path := "/v1/possible-duplicates/" + id + "/dismiss"

		if p := e.do(http.MethodPost, path, e.officer, map[string]any{"reason": ""}).problem(t, http.StatusBadRequest); !hasPointer(p, "/reason") {
			t.Fatalf("empty reason: %+v", p)
		}
		e.do(http.MethodPost, path, e.practitioner, map[string]any{"reason": "Twins."}).problem(t, http.StatusForbidden)
		e.do(http.MethodPost, path, e.officer, map[string]any{"reason": "Twins."}, "If-Match", `"7"`).problem(t, http.StatusPreconditionFailed)
		e.do(http.MethodPost, "/v1/possible-duplicates/"+unknownID+"/dismiss", e.officer, map[string]any{"reason": "Twins."}).problem(t, http.StatusNotFound)

		r := e.do(http.MethodPost, path, e.officer, map[string]any{"reason": "Twins; the second NHS number was mistyped."}, "If-Match", `"1"`)
		if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
			t.Fatalf("dismiss: %d %s", r.status, r.body)
		}
		d := r.json(t)
		if d["status"] != "dismissed" || d["reason"] != "Twins; the second NHS number was mistyped." || d["resolved_at"] == nil || d["version"] != float64(2) {
			t.Fatalf("dismissed pair: %s", r.body)
		}
		e.do(http.MethodPost, path, e.officer, map[string]any{"reason": "Again."}).problem(t, http.StatusConflict)
		if got := e.pairs("&status=dismissed"); len(got) != 1 || got[0]["id"] != id {
			t.Fatalf("dismissed list: %+v", got)
		}
		if n := e.outboxTypes(id)["possible_duplicate.dismissed"]; n != 1 {
			t.Fatalf("possible_duplicate.dismissed events: %d", n)
		}
		// The same pair on the same number is not found again; the two records stay.
		e.do(http.MethodPatch, "/v1/young-people/"+b, e.outsider, map[string]any{"nhs_number": nil})
		e.do(http.MethodPatch, "/v1/young-people/"+b, e.outsider, map[string]any{"nhs_number": nhs})
		if got := e.pairs(""); len(got) != 1 {
			t.Fatalf("pairs after the number was given again: %+v", got)
		}
		for _, id := range []string{a, b} {
			e.mustDo(http.MethodGet, "/v1/young-people/"+id, nil, http.StatusOK)
		}
	})
}

// withPossibleDuplicate makes a pair (the SEND officer's child and an outsider's with the same
// NHS number) for the matrix; its id rides in the fixture's feedback slot.
func withPossibleDuplicate(e *env, f *fixture) {
	nhs := newNHSNumber()
	e.create(e.officer, kid(nhs, ""))
	dup := e.create(e.outsider, kid(nhs, ""))
	f.feedback = e.pairs("&young_person_id=" + dup)[0]["id"].(string)
}

// withOtherRecord records a second child to merge into the fixture's; its id rides in the
// fixture's feedback slot.
func withOtherRecord(e *env, f *fixture) { f.feedback = e.create(e.officer, kid("", "")) }

// TestMergeRefusals: only the SEND team merges; a merge names two records; If-Match guards the
// kept record; two plans in force are never made one child's.
func TestMergeRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, b := e.fixture(), e.fixture()
		for _, key := range []string{e.practitioner, e.leadKey, e.admin, e.outsider, e.analyst, e.panel} {
			e.merge(a.child, b.child, key).problem(t, http.StatusForbidden)
		}
		if p := e.merge(a.child, a.child, e.officer).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/from") {
			t.Fatalf("merge into itself: %+v", p)
		}
		if p := e.merge(a.child, unknownID, e.officer).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/from") {
			t.Fatalf("merge of an unknown record: %+v", p)
		}
		e.merge(unknownID, b.child, e.officer).problem(t, http.StatusNotFound)
		e.merge(a.child, b.child, e.officer, "If-Match", `"99"`).problem(t, http.StatusPreconditionFailed)
		if p := e.do(http.MethodPost, "/v1/young-people/"+a.child+"/merge", e.officer, map[string]any{}).problem(t, http.StatusBadRequest); !hasPointer(p, "/from") {
			t.Fatalf("no from: %+v", p)
		}

		// Two EHC plans in force: refused, and nothing moved.
		pa, pb := a, b
		withIssuedPlan(e, &pa)
		withIssuedPlan(e, &pb)
		p := e.merge(a.child, b.child, e.officer).problem(t, http.StatusConflict)
		if !strings.Contains(*p.Detail, "EHC plan") {
			t.Fatalf("two plans: %s", *p.Detail)
		}
		if got := e.listIDs("/v1/ehc-plans", b.child); len(got) != 1 || got[0] != pb.feedback {
			t.Fatalf("b's plans after a refused merge: %v", got)
		}
		if got := e.listIDs("/v1/referrals", b.child); len(got) != 1 || got[0] != b.referral {
			t.Fatalf("b's referrals after a refused merge: %v", got)
		}
		e.mustDo(http.MethodGet, "/v1/young-people/"+b.child, nil, http.StatusOK)

		// Two current transition plans: refused too.
		c, d := e.fixture(), e.fixture()
		withTransitionPlan(e, &c)
		withTransitionPlan(e, &d)
		if p := e.merge(c.child, d.child, e.officer).problem(t, http.StatusConflict); !strings.Contains(*p.Detail, "transition plan") {
			t.Fatalf("two transition plans: %s", *p.Detail)
		}
		// Once one has ended, the merge goes ahead.
		e.mustDo(http.MethodPost, "/v1/transition-plans/"+d.feedback+"/end", map[string]any{"reason": "moved_to_adult_services"}, http.StatusOK)
		if r := e.merge(c.child, d.child, e.officer); r.status != http.StatusOK {
			t.Fatalf("merge after ending a plan: %d %s", r.status, r.body)
		}
	})
}
