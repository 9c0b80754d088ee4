package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// docTitles lists the titles of the documents in an export.
func docTitles(x map[string]any) []string {
	var out []string
	ds, _ := x["documents"].([]any)
	for _, d := range ds {
		out = append(out, d.(map[string]any)["title"].(string))
	}
	return out
}

// TestFamilyExportShowsWhatTheFamilyReads: a family's own subject access export holds what their
// own reads show and nothing more: no document not shown to them (an internal council report, an
// adviser's unsubmitted report), no council notes on requests for advice, no advice requests.
// The SEND team's export keeps everything.
func TestFamilyExportShowsWhatTheFamilyReads(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withAssessing(e, &f)
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		adviser := e.adviserToken(t)
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": "educational_psychologist",
			"requested_on": daysAgo(10), "adviser_practitioner_id": e.otherWorker, "notes": "Internal: school doubts the parents"}, http.StatusOK)
		upload := func(key, recordType, recordID, kind, title string) {
			t.Helper()
			r := e.do(http.MethodPost, "/v1/documents?record_type="+recordType+"&record_id="+recordID+"&kind="+kind+"&title="+title,
				key, testPDF, "Content-Type", "application/octet-stream")
			if r.status != http.StatusCreated {
				t.Fatalf("upload %s: %d %s", title, r.status, r.body)
			}
		}
		upload(e.officer, "referral", f.referral, "report", "Internal+council+report")
		upload(e.officer, "ehc_request", f.feedback, "decision_letter", "Decision+to+assess")
		upload(adviser, "ehc_request", f.feedback, "report", "EP+draft+report")

		x := e.do(http.MethodGet, "/v1/young-people/"+f.child+"/export", family, nil)
		if x.status != http.StatusOK {
			t.Fatalf("family export: %d %s", x.status, x.body)
		}
		if got := docTitles(x.json(t)); len(got) != 1 || got[0] != "Decision to assess" {
			t.Errorf("the family's export lists documents %v, want only the letter", got)
		}
		if strings.Contains(string(x.body), "school doubts") {
			t.Errorf("the family's export holds the council's note on the advice request: %s", x.body)
		}
		if got, _ := x.json(t)["advice_requests"].([]any); len(got) != 0 {
			t.Errorf("the family's export holds advice requests: %v", got)
		}
		// The family's own reads agree.
		if got := items(t, e.do(http.MethodGet, "/v1/documents?record_type=ehc_request&record_id="+f.feedback, family, nil)); len(got) != 1 {
			t.Errorf("the family's list: %v", got)
		}
		// The SEND team's export keeps everything.
		o := e.mustDoAs(e.officer, http.MethodGet, "/v1/young-people/"+f.child+"/export")
		if got := docTitles(o); len(got) != 3 {
			t.Errorf("the officer's export lists documents %v", got)
		}
		if got, _ := o["advice_requests"].([]any); len(got) != 1 {
			t.Errorf("the officer's export: advice requests %v", got)
		}
		if got := o["ehc_needs_assessments"].([]any)[0].(map[string]any)["advice"].([]any)[0].(map[string]any)["notes"]; got == nil {
			t.Errorf("the officer's export lost the council's note")
		}
	})
}

// TestFamilyDoesNotSeeSafeguarding: a family reads that an organisation is involved with their
// child, but not the safeguarding reason it was shared on (nor the basis that would tell it), and
// reads their child's referral without its safeguarding concern, the concern raised since, or the
// referrer's summary: in the team, the referral, its list, the timeline, the access log and their
// export. The SEND team reads them all.
func TestFamilyDoesNotSeeSafeguarding(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		const reason = "S47 enquiry: concern about father"
		const raised = "Bruising disclosed: father"
		path := "/v1/young-people/" + f.child
		sg := e.do(http.MethodPost, path+"/involvements", e.officer, map[string]any{"organisation_id": e.other, "role": "team_member",
			"safeguarding_reason": reason})
		if sg.status != http.StatusCreated {
			t.Fatalf("involve: %d %s", sg.status, sg.body)
		}
		if r := e.do(http.MethodPost, "/v1/referrals/"+f.referral+"/safeguarding-concern", e.officer,
			map[string]any{"reason": raised, "raised_on": daysAgo(0)}); r.status != http.StatusOK {
			t.Fatalf("raise: %d %s", r.status, r.body)
		}
		leaks := func(what string, r reply) {
			t.Helper()
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", what, r.status, r.body)
			}
			for _, s := range []string{"S47", "father", "safeguarding_reason", "safeguarding_raised", `"safeguarding_concern":true`,
				"safeguarding_concern_raised", `"summary"`, "review_needed", `"lawful_basis"`, `"consent_id"`} {
				if s == `"summary"` && what == "the timeline" {
					continue // each line's own summary, not the referral's
				}
				if strings.Contains(string(r.body), s) {
					t.Errorf("%s shows the family %s: %s", what, s, r.body)
				}
			}
		}
		leaks("the team", e.do(http.MethodGet, path+"/involvements", family, nil))
		leaks("the referral", e.do(http.MethodGet, "/v1/referrals/"+f.referral, family, nil))
		leaks("the referrals", e.do(http.MethodGet, "/v1/referrals?young_person_id="+f.child, family, nil))
		leaks("the timeline", e.do(http.MethodGet, path+"/timeline", family, nil))
		leaks("the access log", e.do(http.MethodGet, path+"/access-log", family, nil))
		leaks("the export", e.do(http.MethodGet, path+"/export", family, nil))
		// The FHIR facade answers from the same services: a concern raised on the referral does
		// not make it urgent for the family (the SEND team's shows it).
		for what, p := range map[string]string{"the FHIR ServiceRequest": "/fhir/R4/ServiceRequest/" + f.referral,
			"the FHIR ServiceRequest search": "/fhir/R4/ServiceRequest?patient=" + f.child, "the FHIR Task": "/fhir/R4/Task/" + f.referral} {
			r := e.do(http.MethodGet, p, family, nil)
			leaks(what, r)
			if strings.Contains(string(r.body), "urgent") {
				t.Errorf("%s shows the family a safeguarding priority: %s", what, r.body)
			}
		}
		if r := e.do(http.MethodGet, "/fhir/R4/ServiceRequest/"+f.referral, e.officer, nil); !strings.Contains(string(r.body), `"priority":"urgent"`) {
			t.Errorf("the officer's ServiceRequest lost its urgency: %s", r.body)
		}
		// The fact of the involvement stays.
		var orgs []string
		for _, i := range items(t, e.do(http.MethodGet, path+"/involvements", family, nil)) {
			orgs = append(orgs, i.(map[string]any)["organisation_id"].(string))
		}
		if !strings.Contains(strings.Join(orgs, ","), e.other) {
			t.Errorf("the family's team lacks the organisation involved: %v", orgs)
		}
		// The SEND team reads it all.
		for what, p := range map[string]string{"team": path + "/involvements", "referral": "/v1/referrals/" + f.referral, "export": path + "/export"} {
			r := e.do(http.MethodGet, p, e.officer, nil)
			if !strings.Contains(string(r.body), "father") {
				t.Errorf("the officer's %s lost the safeguarding text: %s", what, r.body)
			}
		}
	})
}

// uploadKind attaches testPDF to a record as kind.
func (e *env) uploadKind(key, recordType, recordID, kind string) reply {
	e.t.Helper()
	return e.do(http.MethodPost, "/v1/documents?record_type="+recordType+"&record_id="+recordID+"&kind="+kind+"&title="+kind,
		key, testPDF, "Content-Type", "application/octet-stream")
}

// TestWhoAttachesLettersAndPlans: an adviser signed in attaches advice and reports only, as
// through their link (a decision letter from them would be shown to the family as the council's);
// decision letters and plans are the council's to attach (SEND team, engagement lead), a 403
// naming /query/kind for another professional of the team.
func TestWhoAttachesLettersAndPlans(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withAssessing(e, &f)
		adviser := e.adviserToken(t)
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": "educational_psychologist",
			"requested_on": daysAgo(10), "adviser_practitioner_id": e.otherWorker}, http.StatusOK)
		for _, kind := range []string{"decision_letter", "plan", "minutes"} {
			if p := e.uploadKind(adviser, "ehc_request", f.feedback, kind).problem(t, http.StatusBadRequest); !hasPointer(p, "/query/kind") {
				t.Errorf("the adviser's %s: %v", kind, pointers(p))
			}
		}
		for _, kind := range []string{"advice", "report"} {
			if r := e.uploadKind(adviser, "ehc_request", f.feedback, kind); r.status != http.StatusCreated {
				t.Errorf("the adviser's %s: %d %s", kind, r.status, r.body)
			}
		}
		for _, kind := range []string{"decision_letter", "plan"} {
			p := e.uploadKind(e.practitioner, "referral", f.referral, kind).problem(t, http.StatusForbidden)
			if !hasPointer(p, "/query/kind") || p.MissingPermission == nil || *p.MissingPermission != "pathway:run" {
				t.Errorf("a team practitioner's %s: %+v", kind, p)
			}
			for _, key := range []string{e.officer, e.leadKey} {
				if r := e.uploadKind(key, "referral", f.referral, kind); r.status != http.StatusCreated {
					t.Errorf("the council's %s: %d %s", kind, r.status, r.body)
				}
			}
		}
		if r := e.uploadKind(e.practitioner, "referral", f.referral, "evidence"); r.status != http.StatusCreated {
			t.Errorf("a team practitioner's evidence: %d %s", r.status, r.body)
		}
	})
}

// show shows a document to the family, as the SEND team.
func (e *env) show(id string) {
	e.t.Helper()
	if r := e.do(http.MethodPatch, "/v1/documents/"+id, e.officer, map[string]any{"family_visible": true}); r.status != http.StatusOK {
		e.t.Fatalf("show %s: %d %s", id, r.status, r.body)
	}
}

// TestAdviserDraftsPerDocument: an adviser's report is hidden from the family until that advice
// is submitted, and only it: a report the family was shown stays shown when the same adviser's
// organisation is asked for more advice, and so does a council letter.
func TestAdviserDraftsPerDocument(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withAssessing(e, &f)
		family := e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
		adviser := e.adviserToken(t)
		ask := func(kind string) string {
			r := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": kind,
				"requested_on": daysAgo(10), "adviser_practitioner_id": e.otherWorker}, http.StatusOK)
			as := r["advice"].([]any)
			return as[len(as)-1].(map[string]any)["id"].(string)
		}
		first := ask("educational_psychologist")
		report := e.uploadKind(adviser, "ehc_request", f.feedback, "report").json(t)["id"].(string)
		e.show(report)
		// Shown, but the advice is not in: still the adviser's draft.
		e.do(http.MethodGet, "/v1/documents/"+report, family, nil).problem(t, http.StatusNotFound)
		if r := e.do(http.MethodPost, "/v1/advice-requests/"+first+"/submission", adviser, map[string]any{"sections": map[string]any{"needs": "x"},
			"document_ids": []string{report}}); r.status != http.StatusOK {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		letter := e.uploadKind(e.officer, "ehc_request", f.feedback, "decision_letter").json(t)["id"].(string)
		list := func() []string {
			var ids []string
			for _, d := range items(t, e.do(http.MethodGet, "/v1/documents?record_type=ehc_request&record_id="+f.feedback, family, nil)) {
				ids = append(ids, d.(map[string]any)["id"].(string))
			}
			return ids
		}
		if got := list(); len(got) != 2 {
			t.Fatalf("the family's list once the advice is in: %v", got)
		}
		// The same adviser is asked again: their new report is a draft, the rest stays shown.
		second := ask("social_care")
		draft := e.uploadKind(adviser, "ehc_request", f.feedback, "report").json(t)["id"].(string)
		e.show(draft)
		for _, id := range []string{report, letter} {
			if r := e.do(http.MethodGet, "/v1/documents/"+id, family, nil); r.status != http.StatusOK {
				t.Errorf("the family lost document %s while more advice is awaited: %d", id, r.status)
			}
		}
		e.do(http.MethodGet, "/v1/documents/"+draft, family, nil).problem(t, http.StatusNotFound)
		if got := list(); len(got) != 2 || strings.Contains(strings.Join(got, ","), draft) {
			t.Errorf("the family's list while more advice is awaited: %v (draft %s)", got, draft)
		}
		if got := docTitles(e.do(http.MethodGet, "/v1/young-people/"+f.child+"/export", family, nil).json(t)); len(got) != 2 {
			t.Errorf("the family's export while more advice is awaited: %v", got)
		}
		_ = second
	})
}

// TestAdviserCitesOnlyTheirDocuments: an adviser outside the child's team cites in their advice
// only what they attached for it; another document on the same assessment (one they are told 404
// for) is refused exactly as an id that does not exist, naming /document_ids/N.
func TestAdviserCitesOnlyTheirDocuments(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withAssessing(e, &f)
		adviser := e.adviserToken(t)
		r := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": "educational_psychologist",
			"requested_on": daysAgo(10), "adviser_practitioner_id": e.otherWorker}, http.StatusOK)
		id := r["advice"].([]any)[0].(map[string]any)["id"].(string)
		own := e.uploadKind(adviser, "ehc_request", f.feedback, "report").json(t)["id"].(string)
		council := e.uploadKind(e.officer, "ehc_request", f.feedback, "report").json(t)["id"].(string)
		e.do(http.MethodGet, "/v1/documents/"+council, adviser, nil).problem(t, http.StatusNotFound)
		submit := func(ids ...string) reply {
			return e.do(http.MethodPost, "/v1/advice-requests/"+id+"/submission", adviser, map[string]any{"sections": map[string]any{"needs": "x"},
				"document_ids": ids})
		}
		theirs := submit(own, council).problem(t, http.StatusUnprocessableEntity)
		unknown := submit(own, "0190a5e0-0000-7000-8000-000000000999").problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(theirs, "/document_ids/1") || (*theirs.Errors)[0].Detail != (*unknown.Errors)[0].Detail || *theirs.Detail != *unknown.Detail || !hasPointer(unknown, "/document_ids/1") {
			t.Errorf("another's document %+v, an unknown id %+v", theirs, unknown)
		}
		if r := submit(own); r.status != http.StatusOK {
			t.Errorf("their own report: %d %s", r.status, r.body)
		}
	})
}
