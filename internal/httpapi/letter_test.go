package httpapi_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
)

var letterDate = regexp.MustCompile(`data-field="([^"]+)"><time datetime="([0-9-]+)">`)

// resolve reads a dotted field of an API answer; "versions[]" is the latest version having the rest.
func resolve(v any, path string) (string, bool) {
	if path == "" {
		s, ok := v.(string)
		return s, ok
	}
	head, rest, _ := strings.Cut(path, ".")
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	if name, isList := strings.CutSuffix(head, "[]"); isList {
		list, _ := m[name].([]any)
		for i := len(list) - 1; i >= 0; i-- {
			if s, ok := resolve(list[i], rest); ok {
				return s, true
			}
		}
		return "", false
	}
	return resolve(m[head], rest)
}

// letterDates reads a letter as HTML and returns its dates by the API field each one is.
func (e *env) letterDates(t *testing.T, path string) map[string]string {
	t.Helper()
	r := e.do(http.MethodGet, path, e.officer, nil, "Accept", "text/html")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("%s: %d %s %s", path, r.status, r.header.Get("Content-Type"), r.body)
	}
	out := map[string]string{}
	for _, m := range letterDate.FindAllStringSubmatch(string(r.body), -1) {
		out[m[1]] = m[2]
	}
	if len(out) == 0 {
		t.Fatalf("%s: no dates: %s", path, r.body)
	}
	return out
}

// TestLettersCarryTheAPIsDates: for a table of cases along the statutory journey, every date a
// letter shows is the date the API answers for the same field; PDFs are the same bytes for the
// same record version; letters that do not apply yet are 409; outsiders get 404.
func TestLettersCarryTheAPIsDates(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		check := func(name, letterPath string, answers ...map[string]any) {
			t.Helper()
			for field, got := range e.letterDates(t, letterPath) {
				want, ok := "", false
				for _, a := range answers {
					if want, ok = resolve(a, field); ok {
						break
					}
				}
				if !ok || got != want {
					t.Errorf("%s: letter shows %s = %s, the API %q", name, field, got, want)
				}
			}
		}
		get := func(path string) map[string]any { return e.mustDoAs(e.officer, http.MethodGet, path) }

		// Refused: decided not to assess.
		f := e.fixture()
		refused := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child, "received_on": daysAgo(30),
			"requested_by": "parent"}, http.StatusCreated)["id"].(string)
		base := "/v1/ehc-needs-assessments/" + refused
		if r := e.do(http.MethodGet, base+"/letters/decision_not_to_assess", e.officer, nil); r.status != http.StatusConflict {
			t.Fatalf("letter before the decision: %d", r.status)
		}
		e.mustDo(http.MethodPost, base+"/decision-to-assess", map[string]any{"decision": "not_assess", "decided_on": daysAgo(20),
			"reason": "Needs met from the school's resources.", "appeal_rights_notified": true}, http.StatusOK)
		check("decision not to assess", base+"/letters/decision_not_to_assess", get(base))
		if r := e.do(http.MethodGet, base+"/letters/decision_to_assess", e.officer, nil); r.status != http.StatusConflict {
			t.Fatalf("the other decision's letter: %d", r.status)
		}

		// Assessed, then decided not to issue.
		g := e.fixture()
		withAssessing(e, &g)
		base = "/v1/ehc-needs-assessments/" + g.feedback
		check("decision to assess", base+"/letters/decision_to_assess", get(base))
		e.mustDo(http.MethodPost, base+"/decision-to-issue", map[string]any{"decision": "not_issue", "decided_on": daysAgo(10),
			"reason": "Needs can be met without a plan.", "appeal_rights_notified": true}, http.StatusOK)
		check("decision not to issue", base+"/letters/decision_not_to_issue", get(base))

		// A plan: draft served, final issued, ceased.
		h := e.fixture()
		withPlanDrafting(e, &h)
		req := "/v1/ehc-needs-assessments/" + h.feedback
		planID := e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": h.child, "ehc_request_id": h.feedback,
			"sections": minimalSections()}, http.StatusCreated)["id"].(string)
		plan := "/v1/ehc-plans/" + planID
		e.mustDo(http.MethodPost, plan+"/serve-draft", map[string]any{"served_on": daysAgo(25)}, http.StatusOK)
		check("draft plan", req+"/letters/draft_plan", get(req), get(plan))
		e.mustDo(http.MethodPost, plan+"/issue", map[string]any{"issued_on": daysAgo(5), "placement": placement}, http.StatusOK)
		check("final plan", req+"/letters/final_plan", get(req), get(plan))
		check("plan document", plan+"/document", get(plan))

		// The same record version renders the same PDF bytes; the family reads their own child's.
		pdf := func(key string) reply {
			r := e.do(http.MethodGet, plan+"/document", key, nil, "Accept", "application/pdf")
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF-")) {
				t.Fatalf("pdf: %d %s", r.status, r.header.Get("Content-Type"))
			}
			return r
		}
		a, b := pdf(e.officer), pdf(e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{h.child}}))
		if !bytes.Equal(a.body, b.body) || a.header.Get("ETag") == "" {
			t.Fatal("the same plan version gave different PDFs")
		}
		if r := e.do(http.MethodGet, req+"/letters/final_plan", e.officer, nil); r.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("default is PDF: %s", r.header.Get("Content-Type"))
		}
		for name, key := range map[string]string{"an uninvolved practitioner": e.outsider, "another family": e.idp.token(t, auth.RoleFamily, e.council,
			map[string]any{"oneplan_young_people": []string{f.child}})} {
			if r := e.do(http.MethodGet, plan+"/document", key, nil); r.status != http.StatusNotFound {
				t.Fatalf("%s: %d", name, r.status)
			}
			if r := e.do(http.MethodGet, req+"/letters/final_plan", key, nil); r.status != http.StatusNotFound {
				t.Fatalf("%s letter: %d", name, r.status)
			}
		}

		// Proposed amendments (Reg 22): the notice carries the 15 days and the 8 weeks the API computed.
		if r := e.do(http.MethodGet, req+"/letters/amendment_notice", e.officer, nil); r.status != http.StatusConflict {
			t.Fatalf("amendment notice before any proposal: %d", r.status)
		}
		amended := minimalSections()
		amended["i"] = placement
		e.mustDo(http.MethodPost, plan+"/amendments", map[string]any{"notice_on": daysAgo(3), "reason": "New therapy advice.", "sections": amended}, http.StatusOK)
		notice := e.letterDates(t, req+"/letters/amendment_notice")
		for _, field := range []string{"versions[].served_on", "versions[].comments_due_on", "versions[].amendment_final.due_on"} {
			if notice[field] == "" {
				t.Errorf("the amendment notice lacks %s: %v", field, notice)
			}
		}
		check("amendment notice", req+"/letters/amendment_notice", get(req), get(plan))

		e.mustDo(http.MethodPost, plan+"/cease", map[string]any{"decided_on": daysAgo(1), "reason": "2", "appeal_rights_notified": true}, http.StatusOK)
		check("cease", req+"/letters/cease", get(req), get(plan))
	})
}
