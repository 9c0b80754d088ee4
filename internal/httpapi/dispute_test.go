package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

const disputes = "/v1/disputes"

// withDispute records a complaint about the fixture's referral. The matrix has no placeholder of
// its own for it, so the id rides in the fixture's feedback slot.
func withDispute(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, disputes, complaintOn(f.referral), http.StatusCreated)["id"].(string)
}

func complaintOn(referralID string) map[string]any {
	return map[string]any{"kind": "complaint", "subject_type": "referral", "subject_id": referralID, "about": "delay",
		"brought_by": "parent", "received_on": time.Now().AddDate(0, 0, -3).Format("2006-01-02")}
}

// refusedEHCRequest records an EHC needs assessment request received on 5 January 2026 and
// refused on 10 February 2026 with the appeal rights notified, and returns its id.
func refusedEHCRequest(e *env, f fixture) string {
	id := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child, "received_on": "2026-01-05",
		"requested_by": "parent", "referral_id": f.referral}, http.StatusCreated)["id"].(string)
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+id+"/decision-to-assess", map[string]any{"decision": "not_assess",
		"decided_on": "2026-02-10", "appeal_rights_notified": true, "reason": "Needs can be met at SEN support."}, http.StatusOK)
	return id
}

// TestDisputeAppealDeadline: mediation and a tribunal appeal against a refusal to assess. The
// appeal deadline is the later of 2 months after the decision letter and 1 month after the
// mediation certificate (HESC Rules r.20(1)(c), https://www.legislation.gov.uk/uksi/2008/2699/rule/20):
// letter 10 February 2026 -> 10 April; certificate 25 March -> 25 April.
func TestDisputeAppealDeadline(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		request := refusedEHCRequest(e, f)

		res := e.do(http.MethodPost, disputes, e.leadKey, map[string]any{"kind": "mediation", "subject_type": "ehc_request", "subject_id": request,
			"about": "refusal_to_assess", "brought_by": "parent", "received_on": "2026-02-20", "decision_letter_on": "2026-02-10",
			"notes": "Parent asked for mediation."})
		if res.status != http.StatusCreated {
			t.Fatalf("mediation: %d %s", res.status, res.body)
		}
		m := res.json(t)
		med := m["id"].(string)
		if res.header.Get("Location") != disputes+"/"+med || res.header.Get("ETag") != `"1"` {
			t.Fatalf("headers: %v", res.header)
		}
		if m["young_person_id"] != f.child || m["appeal_deadline"] != "2026-04-10" || m["status"] != "open" || len(m["sections"].([]any)) != 0 {
			t.Fatalf("mediation: %s", res.body)
		}

		// The certificate comes later: 25 March + 1 month beats 10 February + 2 months.
		e.do(http.MethodPatch, disputes+"/"+med, e.officer, map[string]any{"certificate_issued_on": "2026-03-25"}, "If-Match", `"7"`).
			problem(t, http.StatusPreconditionFailed)
		res = e.do(http.MethodPatch, disputes+"/"+med, e.officer, map[string]any{"certificate_issued_on": "2026-03-25", "hearing_on": "2026-03-20"},
			"If-Match", res.header.Get("ETag"))
		if res.status != http.StatusOK || res.json(t)["appeal_deadline"] != "2026-04-25" || res.header.Get("ETag") != `"2"` {
			t.Fatalf("certificate: %d %s", res.status, res.body)
		}
		// An early certificate leaves the letter's 2 months standing; null clears the hearing.
		res = e.do(http.MethodPatch, disputes+"/"+med, e.officer, map[string]any{"certificate_issued_on": "2026-02-23", "hearing_on": nil})
		if r := res.json(t); res.status != http.StatusOK || r["appeal_deadline"] != "2026-04-10" || r["hearing_on"] != nil {
			t.Fatalf("early certificate: %d %s", res.status, res.body)
		}
		// The mediation ends without agreement on Tuesday 24 March; the certificate is due by Friday 27th.
		res = e.do(http.MethodPost, disputes+"/"+med+"/conclude", e.officer, map[string]any{"outcome": "not_agreed", "concluded_on": "2026-03-24"})
		if r := res.json(t); res.status != http.StatusOK || r["status"] != "concluded" || r["outcome"] != "not_agreed" ||
			r["certificate_due_on"] != "2026-03-27" {
			t.Fatalf("mediation concluded: %d %s", res.status, res.body)
		}
		// A concluded mediation still takes its certificate.
		if r := e.mustDo(http.MethodPatch, disputes+"/"+med, map[string]any{"certificate_issued_on": "2026-03-26"}, http.StatusOK); r["appeal_deadline"] != "2026-04-26" {
			t.Fatalf("certificate after conclusion: %v", r)
		}

		// The tribunal appeal: 2 months after the letter.
		res = e.do(http.MethodPost, disputes, e.officer, map[string]any{"kind": "tribunal", "subject_type": "ehc_request", "subject_id": request,
			"about": "refusal_to_assess", "brought_by": "parent", "received_on": "2026-04-01", "decision_letter_on": "2026-02-10"})
		if res.status != http.StatusCreated || res.json(t)["appeal_deadline"] != "2026-04-10" {
			t.Fatalf("tribunal: %d %s", res.status, res.body)
		}
		trib := res.json(t)["id"].(string)
		p := e.do(http.MethodPost, disputes+"/"+trib+"/conclude", e.officer, map[string]any{"outcome": "agreed", "concluded_on": "2026-06-01"}).
			problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/outcome") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		p = e.do(http.MethodPost, disputes+"/"+trib+"/conclude", e.officer, map[string]any{"outcome": "conceded", "concluded_on": "2026-03-31"}).
			problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/concluded_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		p = e.do(http.MethodPost, disputes+"/"+trib+"/conclude", e.officer, map[string]any{"outcome": "conceded",
			"concluded_on": dateOf(time.Now().AddDate(0, 0, 1))}).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/concluded_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		e.do(http.MethodPost, disputes+"/"+trib+"/conclude", e.practitioner, map[string]any{"outcome": "conceded", "concluded_on": "2026-06-01"}).
			problem(t, http.StatusForbidden)
		res = e.do(http.MethodPost, disputes+"/"+trib+"/conclude", e.leadKey, map[string]any{"outcome": "conceded", "concluded_on": "2026-06-01",
			"notes": "The council agreed to assess."}, "If-Match", `"1"`)
		if r := res.json(t); res.status != http.StatusOK || r["outcome"] != "conceded" || r["concluded_on"] != "2026-06-01" || r["certificate_due_on"] != nil {
			t.Fatalf("tribunal concluded: %d %s", res.status, res.body)
		}
		if p := e.do(http.MethodPost, disputes+"/"+trib+"/conclude", e.officer, map[string]any{"outcome": "dismissed", "concluded_on": "2026-06-02"}).
			problem(t, http.StatusConflict); p.CurrentStatus == nil || *p.CurrentStatus != "concluded" {
			t.Fatalf("second conclusion: %+v", p)
		}

		// Who sees it: the team and the family; outsiders get 404 and an empty list.
		if got := e.do(http.MethodGet, disputes+"/"+trib, e.practitioner, nil); got.status != http.StatusOK || got.header.Get("ETag") != `"2"` {
			t.Fatalf("team member read: %d %v", got.status, got.header)
		}
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		if got := items(t, e.do(http.MethodGet, disputes, family, nil)); len(got) != 2 {
			t.Fatalf("family list: %v", got)
		}
		e.do(http.MethodGet, disputes+"/"+trib, e.outsider, nil).problem(t, http.StatusNotFound)
		if got := items(t, e.do(http.MethodGet, disputes, e.outsider, nil)); len(got) != 0 {
			t.Fatalf("outsider list: %v", got)
		}

		// Timeline and outbox carry the moves; the outbox holds codes and dates, not the notes.
		kinds := map[string]int{}
		for _, it := range items(t, e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline?limit=200", e.officer, nil)) {
			kinds[it.(map[string]any)["kind"].(string)]++
		}
		if kinds["dispute.recorded"] != 2 || kinds["dispute.concluded"] != 2 || kinds["dispute.updated"] == 0 {
			t.Fatalf("timeline: %v", kinds)
		}
		for id, want := range map[string][]string{med: {"dispute.recorded", "dispute.updated", "dispute.concluded"}, trib: {"dispute.recorded", "dispute.concluded"}} {
			events, err := outboxOf(e, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				if !events[w] {
					t.Errorf("outbox of %s lacks %s: %v", id, w, events)
				}
			}
		}
	})
}

// TestDisputeRules: what a dispute may be about, the sections a tribunal hears, the subject, and
// the list filters.
func TestDisputeRules(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		request := refusedEHCRequest(e, f)
		body := func(kind, about string, extra ...any) map[string]any {
			b := map[string]any{"kind": kind, "subject_type": "ehc_request", "subject_id": request, "about": about, "brought_by": "parent",
				"received_on": "2026-03-02"}
			for i := 0; i+1 < len(extra); i += 2 {
				b[extra[i].(string)] = extra[i+1]
			}
			return b
		}
		refused := func(b map[string]any, status int, pointer string) {
			t.Helper()
			p := e.do(http.MethodPost, disputes, e.officer, b).problem(t, status)
			if !hasPointer(p, pointer) {
				t.Fatalf("%v: pointers %v, want %s", b, pointers(p), pointer)
			}
		}
		refused(body("complaint", "refusal_to_assess"), http.StatusUnprocessableEntity, "/about")
		refused(body("tribunal", "service"), http.StatusUnprocessableEntity, "/about")
		refused(body("tribunal", "health_social_care"), http.StatusUnprocessableEntity, "/about")
		refused(body("tribunal", "plan_contents"), http.StatusUnprocessableEntity, "/sections")
		refused(body("tribunal", "plan_contents", "sections", []string{"A", "B"}), http.StatusUnprocessableEntity, "/sections")
		refused(body("tribunal", "plan_contents", "sections", []string{"C", "G"}), http.StatusUnprocessableEntity, "/sections")
		refused(body("tribunal", "refusal_to_assess", "sections", []string{"F"}), http.StatusUnprocessableEntity, "/sections")
		refused(body("tribunal", "plan_contents", "sections", []string{"B", "B"}), http.StatusBadRequest, "/sections")
		refused(body("tribunal", "refusal_to_assess", "brought_by", "other"), http.StatusUnprocessableEntity, "/brought_by")
		refused(body("tribunal", "refusal_to_assess", "certificate_issued_on", "2026-03-05"), http.StatusUnprocessableEntity, "/certificate_issued_on")
		refused(body("tribunal", "cease", "subject_type", "ehc_plan"), http.StatusUnprocessableEntity, "/subject_id")                 // a request's id is no plan
		refused(body("tribunal", "refusal_to_amend", "subject_type", "annual_review"), http.StatusUnprocessableEntity, "/subject_id") // nor a review
		refused(body("tribunal", "refusal_to_assess", "subject_type", "referral", "subject_id", f.referral), http.StatusUnprocessableEntity, "/subject_type")
		refused(body("tribunal", "refusal_to_assess", "subject_id", unknownID), http.StatusUnprocessableEntity, "/subject_id")
		refused(body("complaint", "delay", "subject_type", "referral"), http.StatusUnprocessableEntity, "/subject_id") // an EHC request's id is no referral
		refused(body("tribunal", "refusal_to_assess", "received_on", dateOf(time.Now().AddDate(0, 0, 1))), http.StatusBadRequest, "/received_on")
		refused(body("tribunal", "refusal_to_assess", "decision_letter_on", "2026-03-03"), http.StatusBadRequest, "/decision_letter_on")
		refused(body("appeal", "refusal_to_assess"), http.StatusBadRequest, "/kind")
		// Outsiders cannot name a subject they cannot see; practitioners may not record at all.
		e.do(http.MethodPost, disputes, e.outsider, body("complaint", "delay")).problem(t, http.StatusForbidden)
		lead := e.idp.token(t, auth.RoleEngagementLead, e.other, map[string]any{"oneplan_practitioner": e.otherWorker})
		p := e.do(http.MethodPost, disputes, lead, body("tribunal", "refusal_to_assess")).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/subject_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}

		// Recorded: a plan-contents appeal on B and F with a recommendation on G; a complaint on the
		// referral; a mediation on health and social care received in February.
		plan := e.mustDo(http.MethodPost, disputes, body("tribunal", "plan_contents", "sections", []string{"B", "F", "G"}), http.StatusCreated)
		if s := plan["sections"].([]any); len(s) != 3 || s[2] != "G" || plan["appeal_deadline"] != nil {
			t.Fatalf("plan contents appeal: %v", plan)
		}
		complaint := e.mustDo(http.MethodPost, disputes, map[string]any{"kind": "complaint", "subject_type": "referral", "subject_id": f.referral,
			"about": "delay", "brought_by": "other", "received_on": "2026-03-10", "decision_letter_on": "2026-02-10"}, http.StatusCreated)
		if complaint["appeal_deadline"] != nil || complaint["young_person_id"] != f.child {
			t.Fatalf("complaint: %v", complaint)
		}
		mediation := e.mustDo(http.MethodPost, disputes, body("mediation", "health_social_care", "received_on", "2026-02-15", "sections", []string{"C", "H2"}),
			http.StatusCreated)
		e.mustDo(http.MethodPost, disputes+"/"+complaint["id"].(string)+"/conclude", map[string]any{"outcome": "upheld", "concluded_on": "2026-04-01"}, http.StatusOK)

		// Another child's dispute stays out of this child's filters.
		g := e.fixture()
		other := e.mustDo(http.MethodPost, disputes, complaintOn(g.referral), http.StatusCreated)

		ids := func(query string) map[string]bool {
			out := map[string]bool{}
			for _, it := range items(t, e.do(http.MethodGet, disputes+"?"+query, e.officer, nil)) {
				out[it.(map[string]any)["id"].(string)] = true
			}
			return out
		}
		same := func(got map[string]bool, want ...map[string]any) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("got %v, want %d", got, len(want))
			}
			for _, w := range want {
				if !got[w["id"].(string)] {
					t.Fatalf("got %v, lacks %v", got, w["id"])
				}
			}
		}
		child := "young_person_id=" + f.child
		same(ids(child), plan, complaint, mediation)
		same(ids(child+"&kind=tribunal"), plan)
		same(ids(child+"&kind=complaint"), complaint)
		same(ids(child+"&open=true"), plan, mediation)
		same(ids(child+"&open=false"), complaint)
		same(ids("subject_id="+request), plan, mediation)
		same(ids("subject_id="+f.referral), complaint)
		same(ids(child+"&received_from=2026-03-02&received_to=2026-03-10"), plan, complaint)
		same(ids(child+"&received_to=2026-03-01"), mediation)
		same(ids("kind=complaint&young_person_id="+g.child), other)
		// Pages: one at a time, newest first.
		first := e.do(http.MethodGet, disputes+"?limit=1&"+child, e.officer, nil).json(t)
		if len(first["items"].([]any)) != 1 || first["next_cursor"] == nil {
			t.Fatalf("first page: %v", first)
		}

		// Bad patches and filters name the field.
		p = e.do(http.MethodPatch, disputes+"/"+plan["id"].(string), e.officer, map[string]any{"hearing_on": "2026-03-01"}).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/hearing_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		e.do(http.MethodPatch, disputes+"/"+plan["id"].(string), e.officer, map[string]any{"outcome": "upheld"}).problem(t, http.StatusBadRequest)
		e.do(http.MethodGet, disputes+"?open=maybe", e.officer, nil).problem(t, http.StatusBadRequest)
		e.do(http.MethodGet, disputes+"/"+unknownID, e.officer, nil).problem(t, http.StatusNotFound)
	})
}

// TestDisputeExportAndErasure: a child's disputes are in their subject access export and go with
// them when their records are erased.
func TestDisputeExportAndErasure(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture() // aged 8: past a 5-year retention
		d := e.mustDo(http.MethodPost, disputes, complaintOn(f.referral), http.StatusCreated)
		x := e.mustDo(http.MethodGet, "/v1/young-people/"+f.child+"/export", nil, http.StatusOK)
		if got, _ := x["disputes"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != d["id"] {
			t.Fatalf("export disputes: %v", x["disputes"])
		}
		if r := e.do(http.MethodPost, "/v1/retention/due/"+f.child+"/erase", e.admin, nil); r.status != http.StatusNoContent {
			t.Fatalf("erase: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, disputes+"/"+d["id"].(string), e.officer, nil).problem(t, http.StatusNotFound)
		if got := items(t, e.do(http.MethodGet, disputes+"?subject_id="+f.referral, e.officer, nil)); len(got) != 0 {
			t.Fatalf("after erasure: %v", got)
		}
	}, func(_ *httpapi.Options, c *app.Options) { c.RetentionYears = 5 })
}
