package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

// withAdviserInvitation: an advice request naming an adviser, and a link for it; the advice
// request's id in f.action, the token in f.token.
func withAdviserInvitation(e *env, f *fixture) {
	withNamedAdvice(e, f)
	f.token = e.mustDo(http.MethodPost, "/v1/advice-requests/"+f.action+"/invitations", map[string]any{}, http.StatusCreated)["token"].(string)
}

// withRevocableAdviserInvitation: as withAdviserInvitation, with the invitation's id in f.feedback.
func withRevocableAdviserInvitation(e *env, f *fixture) {
	withNamedAdvice(e, f)
	inv := e.mustDo(http.MethodPost, "/v1/advice-requests/"+f.action+"/invitations", map[string]any{}, http.StatusCreated)
	f.token, f.feedback = inv["token"].(string), inv["id"].(string)
}

// linkUpload sends content through an adviser link as a report.
func (e *env) linkUpload(token string, content []byte) reply {
	e.t.Helper()
	return e.do(http.MethodPost, "/v1/adviser-links/"+token+"/documents?kind=report&title=EP+report&file_name=ep-report.pdf", "", content,
		"Content-Type", "application/octet-stream")
}

// TestAdviserInvitationLinks: an external adviser with no account gives the advice through a link
// the council issued: reads what was asked (nothing personal), attaches a report and submits the
// advice by section, once (409 after); late advice is flagged; the link reaches nothing else.
// Wrong tokens are 404, revoked and expired links 410; every act is audited with the link as the
// actor, announced in the outbox and on the timeline.
func TestAdviserInvitationLinks(t *testing.T) {
	clock := &svClock{}
	each(t, func(t *testing.T, e *env) {
		clock.set(time.Time{})
		f := e.fixture()
		withAssessing(e, &f)
		req := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": "educational_psychologist",
			"requested_on": daysAgo(50), "adviser_practitioner_id": e.otherWorker}, http.StatusOK)
		id := req["advice"].([]any)[0].(map[string]any)["id"].(string)
		base := "/v1/advice-requests/" + id + "/invitations"

		// Who may issue: not a panel member (403), not a partner outside the child's team (404).
		e.do(http.MethodPost, base, e.panel, map[string]any{}).problem(t, http.StatusForbidden)
		e.do(http.MethodPost, base, e.outsider, map[string]any{}).problem(t, http.StatusNotFound)
		if p := e.do(http.MethodPost, base, e.officer, map[string]any{"expires_on": daysAgo(0)}).problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/expires_on") {
			t.Errorf("expires today: %v", pointers(p))
		}
		r := e.do(http.MethodPost, base, e.officer, map[string]any{})
		if r.status != http.StatusCreated {
			t.Fatalf("issue: %d %s", r.status, r.body)
		}
		inv := r.json(t)
		token := inv["token"].(string)
		if inv["status"] != "pending" || inv["link_path"] != "/v1/adviser-links/"+token || inv["advice_request_id"] != id {
			t.Fatalf("invitation: %v", inv)
		}

		// The link, with no credentials: what was asked and by when; no child, no record ids.
		link := e.do(http.MethodGet, "/v1/adviser-links/"+token, "", nil)
		if link.status != http.StatusOK {
			t.Fatalf("link: %d %s", link.status, link.body)
		}
		l := link.json(t)
		if l["adviser"] != "educational_psychologist" || l["requested_on"] != daysAgo(50) || l["due_on"] != req["advice"].([]any)[0].(map[string]any)["deadline"].(map[string]any)["adjusted_due_on"] {
			t.Errorf("link: %v", l)
		}
		for _, secret := range []string{f.child, f.feedback, f.referral, id, "given_name", "date_of_birth"} {
			if strings.Contains(string(link.body), secret) {
				t.Errorf("the link shows %q: %s", secret, link.body)
			}
		}
		// Wrong tokens: unknown (404), an invitation token of another kind (404 or 400), none at all.
		e.do(http.MethodGet, "/v1/adviser-links/oai_"+strings.Repeat("A", 43), "", nil).problem(t, http.StatusNotFound)
		if r := e.do(http.MethodGet, "/v1/adviser-links/ofi_"+strings.Repeat("A", 43), "", nil); r.status != http.StatusBadRequest && r.status != http.StatusNotFound {
			t.Errorf("a family token: %d", r.status)
		}
		e.do(http.MethodPost, "/v1/adviser-links/oai_"+strings.Repeat("A", 43)+"/advice", "", map[string]any{"sections": map[string]any{"needs": "x"}}).
			problem(t, http.StatusNotFound)
		// The token is no credential for anything else.
		for _, path := range []string{"/v1/young-people/" + f.child, "/v1/advice-requests/" + id, "/v1/ehc-needs-assessments/" + f.feedback,
			"/v1/documents?record_type=ehc_request&record_id=" + f.feedback} {
			if r := e.do(http.MethodGet, path, token, nil); r.status != http.StatusUnauthorized {
				t.Errorf("%s with the link's token: %d", path, r.status)
			}
		}

		// A report through the link lands on the assessment; a spoofed file is refused.
		e.do(http.MethodPost, "/v1/adviser-links/"+token+"/documents?kind=report&title=x", "", []byte("<html><script>alert(1)</script></html>"),
			"Content-Type", "application/octet-stream").problem(t, http.StatusUnsupportedMediaType)
		e.do(http.MethodPost, "/v1/adviser-links/"+token+"/documents?kind=minutes&title=x", "", testPDF,
			"Content-Type", "application/octet-stream").problem(t, http.StatusBadRequest)
		up := e.linkUpload(token, testPDF)
		if up.status != http.StatusCreated {
			t.Fatalf("upload by link: %d %s", up.status, up.body)
		}
		doc := up.json(t)["id"].(string)
		if strings.Contains(string(up.body), f.child) || strings.Contains(string(up.body), f.feedback) {
			t.Errorf("the upload's answer names the child's records: %s", up.body)
		}
		if d := e.mustDoAs(e.officer, http.MethodGet, "/v1/documents/"+doc); d["record_type"] != "ehc_request" || d["record_id"] != f.feedback {
			t.Errorf("the report's record: %v", d)
		}
		// The council's own document on the same assessment is neither shown nor usable through the link.
		own := e.upload(e.officer, "ehc_request", f.feedback, testPDF, "application/octet-stream").json(t)["id"].(string)
		if docs := e.do(http.MethodGet, "/v1/adviser-links/"+token, "", nil).json(t)["documents"].([]any); len(docs) != 1 || docs[0].(map[string]any)["id"] != doc {
			t.Errorf("documents through the link: %v", docs)
		}
		submit := "/v1/adviser-links/" + token + "/advice"
		if p := e.do(http.MethodPost, submit, "", map[string]any{"sections": map[string]any{"needs": "x"}, "document_ids": []string{own}}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/document_ids/0") {
			t.Errorf("the council's document: %v", pointers(p))
		}
		e.do(http.MethodPost, submit, "", map[string]any{"sections": map[string]any{"summary": "x"}}).problem(t, http.StatusBadRequest)

		// The advice, once: late (requested 50 days ago), flagged and taken.
		body := map[string]any{"sections": map[string]any{"needs": "Working memory.", "provision": "Daily literacy, 20 minutes."}, "document_ids": []string{doc}}
		s := e.do(http.MethodPost, submit, "", body)
		if s.status != http.StatusCreated {
			t.Fatalf("submit by link: %d %s", s.status, s.body)
		}
		today := time.Now().UTC().Format("2006-01-02")
		if got := s.json(t); got["late"] != true || got["submitted_on"] != today || len(got["informs_sections"].([]any)) != 7 || got["document_ids"].([]any)[0] != doc {
			t.Errorf("receipt: %v", got)
		}
		e.do(http.MethodPost, submit, "", body).problem(t, http.StatusConflict)
		e.do(http.MethodGet, "/v1/adviser-links/"+token, "", nil).problem(t, http.StatusConflict)
		e.linkUpload(token, testPDF).problem(t, http.StatusConflict)
		a := e.mustDoAs(e.officer, http.MethodGet, "/v1/advice-requests/"+id)
		if a["status"] != "submitted" || a["late"] != true || a["sections"].(map[string]any)["needs"] != "Working memory." {
			t.Errorf("the advice request: %v", a)
		}
		if rec := e.mustDoAs(e.officer, http.MethodGet, "/v1/ehc-needs-assessments/"+f.feedback)["advice"].([]any)[0].(map[string]any); rec["received_on"] != today {
			t.Errorf("the assessment's advice: %v", rec)
		}
		// A link cannot be issued for advice already given.
		e.do(http.MethodPost, base, e.officer, map[string]any{}).problem(t, http.StatusConflict)

		// Audit (the link is the actor), outbox and timeline.
		actor := "adviser-invitation:" + inv["id"].(string)
		for _, q := range []string{"record_type=ehc_advice&action=submit&record_id=" + id, "record_type=ehc_advice&action=read&record_id=" + id,
			"record_type=document&action=create&record_id=" + doc} {
			evs := items(t, e.do(http.MethodGet, "/v1/audit-events?"+q, e.admin, nil))
			byLink := false
			for _, ev := range evs {
				byLink = byLink || ev.(map[string]any)["actor"].(map[string]any)["subject"] == actor
			}
			if !byLink {
				t.Errorf("audit %s: %v", q, evs)
			}
		}
		if ev := e.outboxTypes(inv["id"].(string)); ev["adviser_invitation.created"] != 1 || ev["adviser_invitation.used"] != 1 {
			t.Errorf("invitation events: %v", ev)
		}
		if e.outboxTypes(id)["ehc_advice.submitted"] != 1 {
			t.Errorf("advice events: %v", e.outboxTypes(id))
		}
		tl := e.do(http.MethodGet, "/v1/young-people/"+f.child+"/timeline", e.officer, nil)
		if !strings.Contains(string(tl.body), "adviser_invitation.created") || !strings.Contains(string(tl.body), "ehc_advice.submitted") {
			t.Errorf("timeline: %s", tl.body)
		}

		// Revoked: 410 at once; revoking twice is 409; outsiders cannot see it.
		g := e.fixture()
		withAdviserInvitation(e, &g)
		revokeOf := func(key string) reply {
			return e.do(http.MethodPost, "/v1/advice-requests/"+g.action+"/invitations", key, map[string]any{})
		}
		second := revokeOf(e.officer).json(t)
		revoke := "/v1/adviser-invitations/" + second["id"].(string) + "/revoke"
		e.do(http.MethodPost, revoke, e.outsider, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodPost, revoke, e.panel, nil).problem(t, http.StatusForbidden)
		rv := e.do(http.MethodPost, revoke, e.officer, nil)
		if rv.status != http.StatusOK || rv.json(t)["status"] != "revoked" || rv.json(t)["revoked_at"] == nil {
			t.Fatalf("revoke: %d %s", rv.status, rv.body)
		}
		e.do(http.MethodPost, revoke, e.officer, nil).problem(t, http.StatusConflict)
		e.do(http.MethodGet, "/v1/adviser-links/"+second["token"].(string), "", nil).problem(t, http.StatusGone)
		e.do(http.MethodPost, "/v1/adviser-links/"+second["token"].(string)+"/advice", "", body).problem(t, http.StatusGone)
		e.linkUpload(second["token"].(string), testPDF).problem(t, http.StatusGone)
		if e.outboxTypes(second["id"].(string))["adviser_invitation.revoked"] != 1 {
			t.Errorf("revoked event: %v", e.outboxTypes(second["id"].(string)))
		}
		// The other link of the same request still works until it is used.
		if r := e.do(http.MethodGet, "/v1/adviser-links/"+g.token, "", nil); r.status != http.StatusOK {
			t.Errorf("the other link: %d", r.status)
		}

		// Past the end of its last day, a link is gone.
		late := revokeOf(e.officer).json(t)
		expires, err := time.Parse(time.RFC3339, late["expires_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		clock.set(expires)
		e.do(http.MethodGet, "/v1/adviser-links/"+late["token"].(string), "", nil).problem(t, http.StatusGone)
		e.do(http.MethodPost, "/v1/adviser-links/"+late["token"].(string)+"/advice", "", body).problem(t, http.StatusGone)
	}, func(_ *httpapi.Options, c *app.Options) { c.Clock = clock.now })
}
