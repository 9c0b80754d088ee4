package httpapi_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
)

// faAccept accepts a referral at triage as the SEND officer.
func (e *env) faAccept(referralID string) {
	e.t.Helper()
	if r := e.do(http.MethodPost, "/v1/referrals/"+referralID+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x"}); r.status != http.StatusOK {
		e.t.Fatalf("triage: %d %s", r.status, r.body)
	}
}

// faStatus reads a referral's status as the SEND officer.
func (e *env) faStatus(id string) string {
	e.t.Helper()
	return e.mustDo(http.MethodGet, "/v1/referrals/"+id, nil, http.StatusOK)["status"].(string)
}

// faTimeline lists a child's timeline events of one kind, as the SEND officer.
func (e *env) faTimeline(child, kind string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, ev := range items(e.t, e.do(http.MethodGet, "/v1/young-people/"+child+"/timeline?limit=200", e.officer, nil)) {
		if m := ev.(map[string]any); m["kind"] == kind {
			out = append(out, m)
		}
	}
	return out
}

// faOutbox lists the types of a record's outbox events.
func (e *env) faOutbox(id string) []string {
	e.t.Helper()
	var out []string
	err := e.st.InTx(context.Background(), func(tx *store.Tx) error {
		evs, err := tx.Outbox().ForRecord(id)
		for _, ev := range evs {
			out = append(out, ev.Type)
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// faAudits counts a record's audit events with one action.
func (e *env) faAudits(id, action string) int {
	e.t.Helper()
	return len(items(e.t, e.do(http.MethodGet, "/v1/audit-events?limit=200&record_type=family_assessment&action="+action+"&record_id="+id, e.admin, nil)))
}

func faConflict(t *testing.T, r reply, status string) {
	t.Helper()
	if p := r.problem(t, http.StatusConflict); p.CurrentStatus == nil || *p.CurrentStatus != status {
		t.Fatalf("current_status = %v, want %s: %s", p.CurrentStatus, status, r.body)
	}
}

// TestFamilyAssessmentLifecycle: an assessment starts only on an accepted referral, once, of the
// referral's route, and moves the referral to assessing; a draft is patched and submitted; a
// review marks it reviewed and starts version 2 with its content, leaving version 1 otherwise
// as it was; stale ETags, bad bodies and illegal moves are refused.
func TestFamilyAssessmentLifecycle(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		const path = "/v1/family-assessments"
		sections := map[string]any{"health": "Asthma, well managed.", "child_voice": "I like drawing.",
			"family_views": map[string]any{"who_we_are": "Mum, Amelia and her brother."}}
		body := map[string]any{"referral_id": f.referral, "assessor_practitioner_id": e.lead, "sections": sections}

		// Not before the referral is accepted.
		faConflict(t, e.do(http.MethodPost, path, e.officer, body), "received")
		e.faAccept(f.referral)

		// Bad references and bad bodies.
		if p := e.do(http.MethodPost, path, e.officer, map[string]any{"referral_id": unknownID}).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/referral_id") {
			t.Fatalf("unknown referral: %v", pointers(p))
		}
		if p := e.do(http.MethodPost, path, e.outsider, map[string]any{"referral_id": f.referral}).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/referral_id") {
			t.Fatalf("outsider's referral: %v", pointers(p))
		}
		if p := e.do(http.MethodPost, path, e.officer, map[string]any{"referral_id": f.referral, "assessor_practitioner_id": unknownID}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/assessor_practitioner_id") {
			t.Fatalf("unknown assessor: %v", pointers(p))
		}
		if p := e.do(http.MethodPost, path, e.officer, map[string]any{"referral_id": "not-a-uuid"}).problem(t, http.StatusBadRequest); !hasPointer(p, "/referral_id") {
			t.Fatalf("bad referral id: %v", pointers(p))
		}
		long := map[string]any{"referral_id": f.referral, "sections": map[string]any{"health": strings.Repeat("x", 8001)}}
		if p := e.do(http.MethodPost, path, e.officer, long).problem(t, http.StatusBadRequest); !hasPointer(p, "/sections/health") {
			t.Fatalf("long section: %v", pointers(p))
		}
		if got := e.faStatus(f.referral); got != "accepted" {
			t.Fatalf("a refused create moved the referral to %s", got)
		}

		// Start it.
		cr := e.do(http.MethodPost, path, e.officer, body)
		if cr.status != http.StatusCreated {
			t.Fatalf("create: %d %s", cr.status, cr.body)
		}
		v1 := cr.json(t)
		id1 := v1["id"].(string)
		if cr.header.Get("Location") != path+"/"+id1 || cr.header.Get("ETag") != `"1"` {
			t.Fatalf("headers: %v", cr.header)
		}
		if v1["kind"] != "family_assessment" || v1["status"] != "draft" || v1["assessment_number"].(float64) != 1 || v1["previous_id"] != nil ||
			v1["referral_id"] != f.referral || v1["young_person_id"] != f.child || v1["assessor_practitioner_id"] != e.lead ||
			v1["submitted_at"] != nil || v1["reviewed_at"] != nil || v1["version"].(float64) != 1 || !reflect.DeepEqual(v1["sections"], sections) {
			t.Fatalf("created: %s", cr.body)
		}
		if got := e.faStatus(f.referral); got != "assessing" {
			t.Fatalf("referral after start: %s", got)
		}
		if ev := e.faTimeline(f.child, "assessment.started"); len(ev) != 1 || ev[0]["summary"] != "Family assessment 1 started" || ev[0]["record_id"] != id1 {
			t.Fatalf("timeline: %v", ev)
		}
		if len(e.faTimeline(f.child, "referral.assessing")) != 1 {
			t.Fatal("no referral.assessing on the timeline")
		}

		// Once per referral.
		if p := e.do(http.MethodPost, path, e.officer, map[string]any{"referral_id": f.referral}).problem(t, http.StatusConflict); p.Detail == nil {
			t.Fatal("second create")
		}

		// Who can read it: the team, not an outsider.
		if r := e.do(http.MethodGet, path+"/"+id1, e.practitioner, nil); r.status != http.StatusOK || r.header.Get("ETag") != `"1"` || r.json(t)["id"] != id1 {
			t.Fatalf("practitioner get: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, path+"/"+id1, e.outsider, nil).problem(t, http.StatusNotFound)
		if got := items(t, e.do(http.MethodGet, path+"?referral_id="+f.referral, e.outsider, nil)); len(got) != 0 {
			t.Fatalf("outsider list: %v", got)
		}
		if got := items(t, e.do(http.MethodGet, path, e.outsider, nil)); len(got) != 0 {
			t.Fatalf("outsider unfiltered list: %v", got)
		}
		if got := items(t, e.do(http.MethodGet, path+"?referral_id="+f.referral, e.practitioner, nil)); len(got) != 1 {
			t.Fatalf("practitioner list: %v", got)
		}

		// Patch the draft: merge patch into the sections; a stale ETag or a bad body is refused.
		e.do(http.MethodPatch, path+"/"+id1, e.officer, map[string]any{"sections": map[string]any{"education": "Year 3."}}, "If-Match", `"7"`).
			problem(t, http.StatusPreconditionFailed)
		if p := e.do(http.MethodPatch, path+"/"+id1, e.officer, map[string]any{"assessor_practitioner_id": "nope"}).problem(t, http.StatusBadRequest); !hasPointer(p, "/assessor_practitioner_id") {
			t.Fatalf("bad patch: %v", pointers(p))
		}
		if p := e.do(http.MethodPatch, path+"/"+id1, e.officer, map[string]any{"assessor_practitioner_id": unknownID}).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/assessor_practitioner_id") {
			t.Fatalf("unknown assessor patch: %v", pointers(p))
		}
		pr := e.do(http.MethodPatch, path+"/"+id1, e.practitioner, map[string]any{"assessor_practitioner_id": e.schoolSENCO,
			"sections": map[string]any{"education": "Year 3.", "child_voice": "", "family_views": map[string]any{"what_matters": "Staying together."}}}, "If-Match", `"1"`)
		if pr.status != http.StatusOK || pr.header.Get("ETag") != `"2"` {
			t.Fatalf("patch: %d %s", pr.status, pr.body)
		}
		want := map[string]any{"health": "Asthma, well managed.", "education": "Year 3.",
			"family_views": map[string]any{"who_we_are": "Mum, Amelia and her brother.", "what_matters": "Staying together."}}
		if got := pr.json(t); got["status"] != "draft" || got["assessor_practitioner_id"] != e.schoolSENCO || !reflect.DeepEqual(got["sections"], want) {
			t.Fatalf("patched: %s", pr.body)
		}
		if n := e.faAudits(id1, "update"); n != 1 {
			t.Fatalf("update audits: %d", n)
		}

		// Submit: stale ETag refused; then draft -> submitted, and no more patching or submitting.
		e.do(http.MethodPost, path+"/"+id1+"/submit", e.officer, nil, "If-Match", `"1"`).problem(t, http.StatusPreconditionFailed)
		faConflict(t, e.do(http.MethodPost, path+"/"+id1+"/review", e.officer, nil), "draft")
		sr := e.do(http.MethodPost, path+"/"+id1+"/submit", e.leadKey, nil, "If-Match", `"2"`)
		if sr.status != http.StatusOK || sr.header.Get("ETag") != `"3"` {
			t.Fatalf("submit: %d %s", sr.status, sr.body)
		}
		if s := sr.json(t); s["status"] != "submitted" || s["submitted_at"] == nil || s["reviewed_at"] != nil {
			t.Fatalf("submitted: %s", sr.body)
		}
		if ev := e.faTimeline(f.child, "assessment.submitted"); len(ev) != 1 || ev[0]["summary"] != "Family assessment 1 submitted" {
			t.Fatalf("submit timeline: %v", ev)
		}
		faConflict(t, e.do(http.MethodPatch, path+"/"+id1, e.officer, map[string]any{"sections": map[string]any{"health": "Changed."}}), "submitted")
		faConflict(t, e.do(http.MethodPost, path+"/"+id1+"/submit", e.officer, nil), "submitted")
		before := e.mustDo(http.MethodGet, path+"/"+id1, nil, http.StatusOK)

		// Review: version 1 becomes reviewed; version 2 is a new draft with its content.
		rv := e.do(http.MethodPost, path+"/"+id1+"/review", e.officer, nil, "If-Match", `"3"`)
		if rv.status != http.StatusCreated {
			t.Fatalf("review: %d %s", rv.status, rv.body)
		}
		v2 := rv.json(t)
		id2 := v2["id"].(string)
		if id2 == id1 || rv.header.Get("Location") != path+"/"+id2 || rv.header.Get("ETag") != `"1"` {
			t.Fatalf("review headers: %v", rv.header)
		}
		if v2["status"] != "draft" || v2["assessment_number"].(float64) != 2 || v2["previous_id"] != id1 || v2["kind"] != "family_assessment" ||
			v2["referral_id"] != f.referral || v2["young_person_id"] != f.child || v2["assessor_practitioner_id"] != e.schoolSENCO ||
			v2["submitted_at"] != nil || v2["reviewed_at"] != nil || v2["version"].(float64) != 1 || !reflect.DeepEqual(v2["sections"], want) {
			t.Fatalf("version 2: %s", rv.body)
		}
		after := e.mustDo(http.MethodGet, path+"/"+id1, nil, http.StatusOK)
		if after["status"] != "reviewed" || after["reviewed_at"] == nil || after["version"].(float64) != 4 {
			t.Fatalf("version 1 after review: %v", after)
		}
		for _, k := range []string{"id", "referral_id", "young_person_id", "kind", "assessment_number", "assessor_practitioner_id", "sections",
			"submitted_at", "created_at"} {
			if !reflect.DeepEqual(before[k], after[k]) {
				t.Errorf("review changed version 1's %s: %v -> %v", k, before[k], after[k])
			}
		}
		if _, ok := after["previous_id"]; ok {
			t.Errorf("version 1 gained a previous_id: %v", after)
		}
		if ev := e.faTimeline(f.child, "assessment.review_started"); len(ev) != 1 || ev[0]["record_id"] != id2 ||
			ev[0]["summary"] != "Family assessment 1 reviewed; version 2 started" {
			t.Fatalf("review timeline: %v", ev)
		}
		// The reviewed version is closed for good; the new draft is open.
		faConflict(t, e.do(http.MethodPost, path+"/"+id1+"/review", e.officer, nil), "reviewed")
		faConflict(t, e.do(http.MethodPost, path+"/"+id1+"/submit", e.officer, nil), "reviewed")
		faConflict(t, e.do(http.MethodPatch, path+"/"+id1, e.officer, map[string]any{"sections": map[string]any{"health": "Changed."}}), "reviewed")
		faConflict(t, e.do(http.MethodPost, path+"/"+id2+"/review", e.officer, nil), "draft")
		if r := e.do(http.MethodPatch, path+"/"+id2, e.officer, map[string]any{"sections": map[string]any{"health": "Inhaler twice a day."}}); r.status != http.StatusOK {
			t.Fatalf("patch version 2: %d %s", r.status, r.body)
		}
		if got := e.mustDo(http.MethodGet, path+"/"+id1, nil, http.StatusOK)["sections"].(map[string]any)["health"]; got != "Asthma, well managed." {
			t.Fatalf("editing version 2 changed version 1: %v", got)
		}

		// Lists: newest first, filtered, paged.
		all := items(t, e.do(http.MethodGet, path+"?referral_id="+f.referral, e.officer, nil))
		if len(all) != 2 || all[0].(map[string]any)["id"] != id2 || all[1].(map[string]any)["id"] != id1 {
			t.Fatalf("list: %v", all)
		}
		if got := items(t, e.do(http.MethodGet, path+"?young_person_id="+f.child+"&status=reviewed", e.practitioner, nil)); len(got) != 1 || got[0].(map[string]any)["id"] != id1 {
			t.Fatalf("reviewed: %v", got)
		}
		p1 := e.do(http.MethodGet, path+"?young_person_id="+f.child+"&limit=1", e.officer, nil).json(t)
		cursor, _ := p1["next_cursor"].(string)
		if len(p1["items"].([]any)) != 1 || cursor == "" {
			t.Fatalf("page 1: %v", p1)
		}
		p2 := e.do(http.MethodGet, path+"?young_person_id="+f.child+"&limit=1&cursor="+cursor, e.officer, nil).json(t)
		if got := p2["items"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != id1 || p2["next_cursor"] != nil {
			t.Fatalf("page 2: %v", p2)
		}
		if p := e.do(http.MethodGet, path+"?status=closed", e.officer, nil).problem(t, http.StatusBadRequest); !hasPointer(p, "/query/status") {
			t.Fatalf("bad status: %v", pointers(p))
		}

		// Every write is audited with its outbox event; reads are audited.
		for action, n := range map[string]int{"create": 1, "update": 1, "submit": 1, "review": 1} {
			if got := e.faAudits(id1, action); got != n {
				t.Errorf("version 1 %s audits: %d, want %d", action, got, n)
			}
		}
		if e.faAudits(id1, "read") == 0 || e.faAudits(id1, "list") == 0 || e.faAudits(id2, "create") != 1 {
			t.Error("reads, lists or the new version's creation not audited")
		}
		if got := e.faOutbox(id1); !reflect.DeepEqual(got, []string{"family_assessment.created", "family_assessment.updated",
			"family_assessment.submitted", "family_assessment.reviewed"}) {
			t.Errorf("version 1 outbox: %v", got)
		}
		if got := e.faOutbox(id2); len(got) < 1 || got[0] != "family_assessment.created" {
			t.Errorf("version 2 outbox: %v", got)
		}
	})
}

// TestFamilyAssessmentSafeguardingRoute: a referral with a safeguarding concern is assessed
// by a CAFA, and starting it moves the referral to assessing.
func TestFamilyAssessmentSafeguardingRoute(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := child(10)
		in.NHSNumber, in.UPN = nil, nil
		kid := e.youngPerson(e.officer, in)
		ref := referralFor(kid, e.schoolSENCO)
		ref.SafeguardingConcern = ptr(true)
		r := e.referral(e.officer, ref).ID.String()
		e.faAccept(r)
		cr := e.do(http.MethodPost, "/v1/family-assessments", e.officer, map[string]any{"referral_id": r})
		if cr.status != http.StatusCreated {
			t.Fatalf("create: %d %s", cr.status, cr.body)
		}
		a := cr.json(t)
		if a["kind"] != "safeguarding_assessment" || a["status"] != "draft" || a["young_person_id"] != kid ||
			!reflect.DeepEqual(a["sections"], map[string]any{}) || a["assessor_practitioner_id"] != nil {
			t.Fatalf("created: %s", cr.body)
		}
		if got := e.faStatus(r); got != "assessing" {
			t.Fatalf("referral after start: %s", got)
		}
		if ev := e.faTimeline(kid, "assessment.started"); len(ev) != 1 || ev[0]["summary"] != "Safeguarding assessment (CAFA) 1 started" {
			t.Fatalf("timeline: %v", ev)
		}
		// A closed referral takes no assessment.
		e.mustDo(http.MethodPost, "/v1/referrals/"+r+"/close", map[string]any{"outcome": "needs_met", "reason": "Done."}, http.StatusOK)
		faConflict(t, e.do(http.MethodPost, "/v1/family-assessments", e.officer, map[string]any{"referral_id": r}), "closed")

		// A referral already past assessing keeps its status; with no route recorded, the kind
		// follows the safeguarding concern (none here).
		f := e.fixture()
		e.setStatus(f.referral, referral.Allocated)
		cr = e.do(http.MethodPost, "/v1/family-assessments", e.practitioner, map[string]any{"referral_id": f.referral})
		if cr.status != http.StatusCreated || cr.json(t)["kind"] != "family_assessment" {
			t.Fatalf("create on allocated: %d %s", cr.status, cr.body)
		}
		if got := e.faStatus(f.referral); got != "allocated" {
			t.Fatalf("allocated referral moved to %s", got)
		}
	})
}
