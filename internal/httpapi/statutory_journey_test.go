package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

// party is one participant in the statutory process acting over HTTP with their own credential
// (an API key or a token from the council's identity provider).
type party struct {
	e    *env
	t    *testing.T
	name string
	key  string
}

func (p party) do(method, path string, body any, headers ...string) reply {
	p.t.Helper()
	return p.e.do(method, path, p.key, body, headers...)
}

// must sends a request and requires the status; it returns the JSON answer.
func (p party) must(method, path string, body any, status int) map[string]any {
	p.t.Helper()
	r := p.do(method, path, body)
	if r.status != status {
		p.t.Fatalf("%s: %s %s: %d, want %d: %s", p.name, method, path, r.status, status, r.body)
	}
	return r.json(p.t)
}

func (p party) get(path string) map[string]any {
	p.t.Helper()
	return p.must(http.MethodGet, path, nil, http.StatusOK)
}

// cannotSee asserts each path answers this party 404, as if the record did not exist.
func (p party) cannotSee(paths ...string) {
	p.t.Helper()
	for _, path := range paths {
		if r := p.do(http.MethodGet, path, nil); r.status != http.StatusNotFound {
			p.t.Errorf("%s reads %s: %d, want 404: %.300s", p.name, path, r.status, r.body)
		}
	}
}

// lists returns the ids of a list this party reads.
func (p party) lists(path string) []string {
	p.t.Helper()
	var ids []string
	for _, it := range items(p.t, p.do(http.MethodGet, path, nil)) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids
}

// letter reads a letter or the plan as HTML and returns it with its dates by API field.
func (p party) letter(path string) (string, map[string]string) {
	p.t.Helper()
	r := p.do(http.MethodGet, path, nil, "Accept", "text/html")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		p.t.Fatalf("%s reads %s: %d %s %.300s", p.name, path, r.status, r.header.Get("Content-Type"), r.body)
	}
	dates := map[string]string{}
	for _, m := range letterDate.FindAllStringSubmatch(string(r.body), -1) {
		dates[m[1]] = m[2]
	}
	return string(r.body), dates
}

// pdf reads a letter or the plan as PDF.
func (p party) pdf(path string) []byte {
	p.t.Helper()
	r := p.do(http.MethodGet, path, nil, "Accept", "application/pdf")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF-")) {
		p.t.Fatalf("%s reads %s as PDF: %d %s", p.name, path, r.status, r.header.Get("Content-Type"))
	}
	return r.body
}

// ids of a JSON list of strings.
func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		out = append(out, s.(string))
	}
	return out
}

// journeyParties: the council registers an educational psychology service with one of its
// psychologists (a key acting as her) and a primary school the family may name (a key for its
// SENCO), over the admin API. Neither is in the child's team.
func journeyParties(e *env, t *testing.T) (adviser, setting party, settingOrg, adviserID string) {
	admin := party{e: e, t: t, name: "the admin", key: e.admin}
	eps := admin.must(http.MethodPost, "/v1/organisations", map[string]any{"name": "Educational Psychology Service", "type": "other",
		"locality": "Central"}, http.StatusCreated)["id"].(string)
	adviserID = admin.must(http.MethodPost, "/v1/practitioners", map[string]any{"organisation_id": eps, "name": "Dr Ada Byron",
		"email": "ada.byron@eps.example", "role": "educational_psychologist"}, http.StatusCreated)["id"].(string)
	adviserKey := admin.must(http.MethodPost, "/v1/api-keys", map[string]any{"organisation_id": eps, "role": "practitioner", "name": "Dr Byron",
		"practitioner_id": adviserID}, http.StatusCreated)["key"].(string)
	settingOrg = admin.must(http.MethodPost, "/v1/organisations", map[string]any{"name": "Riverside Primary School", "type": "school_primary",
		"locality": "North"}, http.StatusCreated)["id"].(string)
	senco := admin.must(http.MethodPost, "/v1/practitioners", map[string]any{"organisation_id": settingOrg, "name": "Rita SENCO",
		"email": "senco@riverside.example", "role": "senco"}, http.StatusCreated)["id"].(string)
	settingKey := admin.must(http.MethodPost, "/v1/api-keys", map[string]any{"organisation_id": settingOrg, "role": "practitioner",
		"name": "Riverside SENCO", "practitioner_id": senco}, http.StatusCreated)["key"].(string)
	return party{e: e, t: t, name: "the adviser", key: adviserKey}, party{e: e, t: t, name: "the setting", key: settingKey}, settingOrg, adviserID
}

// TestStatutoryJourney plays one child's EHC process from the family's request to the final plan
// over HTTP, each party acting with its own credential, on fixed days of an injected clock:
//
//	Mon 5 Jan 2026   the family request an assessment: received today, decision due 16 Feb (+6 weeks,
//	                 Reg 5(1)), no-plan notice 27 Apr (+16 weeks), final plan 25 May (+20 weeks)
//	Tue 10 Feb       the SEND officer decides to assess
//	Wed 11 Feb       advice asked of the educational psychologist: due 25 Mar (+6 weeks, Reg 8)
//	Fri 20 Mar       the adviser attaches her report and submits her advice by section
//	Mon 6 Apr        decision to issue; the draft is written
//	Fri 10 Apr       the draft is served: comments and a setting named by 24 Apr (15 days, Reg 13(1))
//	Mon 20 Apr       the family give their views and name Riverside Primary
//	Tue 21 Apr       the council consults Riverside: answer due 5 May (15 days, s.39)
//	Tue 28 Apr       Riverside answers that it can meet the child's needs
//	Wed 20 May       the final plan is issued naming Riverside: first review by 19 May 2027 (s.44)
//
// At each step the parties who should not see a record are told 404: the family never reads the
// adviser's draft, another family's request or the professionals' notes; the adviser reads only
// her advice request; the setting only its consultation; an uninvolved practitioner none of the
// child's documents.
func TestStatutoryJourney(t *testing.T) {
	clock := &svClock{}
	each(t, func(t *testing.T, e *env) {
		at := func(day string) {
			d, err := time.Parse("2006-01-02", day)
			if err != nil {
				t.Fatal(err)
			}
			clock.set(d.Add(10 * time.Hour))
		}
		at("2026-01-05")
		officer := party{e: e, t: t, name: "the SEND officer", key: e.officer}
		outsider := party{e: e, t: t, name: "an uninvolved practitioner", key: e.outsider}
		adviser, setting, settingOrg, adviserID := journeyParties(e, t)

		// Two children; each family signs in for their own.
		in := child(8)
		in.NHSNumber, in.UPN = nil, nil
		kid := e.youngPerson(e.officer, in)
		in.GivenName = "Noah"
		otherKid := e.youngPerson(e.officer, in)
		family := party{e: e, t: t, name: "the family", key: e.idp.token(t, auth.RoleFamily, e.council,
			map[string]any{"sub": "parent-amelia", "oneplan_young_people": []string{kid}})}
		otherFamily := party{e: e, t: t, name: "another family", key: e.idp.token(t, auth.RoleFamily, e.council,
			map[string]any{"sub": "parent-noah", "oneplan_young_people": []string{otherKid}})}

		// The other child's school asked for an assessment for him, with a note for professionals.
		otherReq := officer.must(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": otherKid, "received_on": "2026-01-05",
			"requested_by": "school_or_college", "notes": "Internal: dad finds meetings difficult."}, http.StatusCreated)["id"].(string)

		// 1. The family ask for an EHC needs assessment themselves (s.36): received today, the
		// clock starts today.
		r := family.must(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": kid, "received_on": "2026-01-05",
			"requested_by": "parent", "notes": "Amelia is falling further behind even with SEN support."}, http.StatusCreated)
		req := r["id"].(string)
		reqPath := "/v1/ehc-needs-assessments/" + req
		for field, want := range map[string]string{"received_on": "2026-01-05", "requested_by": "parent", "status": "received",
			"deadlines.decision_to_assess.due_on": "2026-02-16", "deadlines.no_plan_notice.due_on": "2026-04-27",
			"deadlines.final_plan.due_on": "2026-05-25"} {
			if got, _ := resolve(r, field); got != want {
				t.Errorf("the family's request: %s = %q, want %s", field, got, want)
			}
		}
		family.get(reqPath)
		family.cannotSee("/v1/ehc-needs-assessments/"+otherReq, "/v1/young-people/"+otherKid, "/v1/young-people/"+otherKid+"/family-summary")
		otherFamily.cannotSee(reqPath, "/v1/young-people/"+kid)
		if got := family.lists("/v1/ehc-needs-assessments"); len(got) != 1 || got[0] != req {
			t.Errorf("the family list requests %v, want only theirs", got)
		}
		if got := officer.lists("/v1/ehc-needs-assessments?young_person_id=" + kid); len(got) != 1 || got[0] != req {
			t.Errorf("the SEND team lists %v", got)
		}
		sum := family.get("/v1/young-people/" + kid + "/family-summary")
		if up := sum["upcoming"].([]any); len(up) == 0 || up[0].(map[string]any)["what"] != "decision_to_assess" || up[0].(map[string]any)["on"] != "2026-02-16" {
			t.Errorf("the family's next step: %v", sum["upcoming"])
		}

		// 2. The officer decides to assess and asks the educational psychologist for advice, with
		// a note for the council's eyes; a second adviser (the health lead) is asked too.
		at("2026-02-10")
		officer.must(http.MethodPost, reqPath+"/decision-to-assess", map[string]any{"decision": "assess", "decided_on": "2026-02-10",
			"reason": "Amelia's needs may call for a plan."}, http.StatusOK)
		at("2026-02-11")
		internalNote := "Internal: the school questions the parents' account."
		a := officer.must(http.MethodPost, reqPath+"/advice", map[string]any{"adviser": "educational_psychologist", "requested_on": "2026-02-11",
			"provider": "Educational Psychology Service", "adviser_practitioner_id": adviserID, "notes": internalNote}, http.StatusOK)
		ep := a["advice"].([]any)[0].(map[string]any)
		advice := ep["id"].(string)
		if due, _ := resolve(ep, "deadline.due_on"); due != "2026-03-25" {
			t.Errorf("advice due %s, want 2026-03-25", due)
		}
		a = officer.must(http.MethodPost, reqPath+"/advice", map[string]any{"adviser": "medical", "requested_on": "2026-02-11",
			"adviser_practitioner_id": e.lead}, http.StatusOK)
		medical := a["advice"].([]any)[1].(map[string]any)["id"].(string)

		// The adviser's inbox holds her request, due when the assessment says; nothing else of
		// the child's, nor the other adviser's request.
		inbox := items(t, adviser.do(http.MethodGet, "/v1/advice-requests", nil))
		if len(inbox) != 1 || inbox[0].(map[string]any)["id"] != advice || inbox[0].(map[string]any)["due_on"] != "2026-03-25" ||
			inbox[0].(map[string]any)["status"] != "requested" {
			t.Fatalf("the adviser's inbox: %v", inbox)
		}
		adviser.get("/v1/advice-requests/" + advice)
		adviser.cannotSee("/v1/advice-requests/"+medical, reqPath, "/v1/young-people/"+kid, "/v1/ehc-needs-assessments/"+otherReq,
			"/v1/young-people/"+kid+"/family-summary")
		// The family cannot read the advice request, the other adviser's either.
		family.cannotSee("/v1/advice-requests/"+advice, "/v1/advice-requests/"+medical)
		if got := family.lists("/v1/advice-requests"); len(got) != 0 {
			t.Errorf("the family list advice requests %v", got)
		}

		// 3. The adviser attaches her report to the assessment and submits her advice by section.
		at("2026-03-20")
		up := adviser.do(http.MethodPost, "/v1/documents?record_type=ehc_request&record_id="+req+"&kind=advice&title=EP+report&file_name=ep-report.pdf",
			testPDF, "Content-Type", "application/octet-stream")
		if up.status != http.StatusCreated {
			t.Fatalf("the adviser's report: %d %s", up.status, up.body)
		}
		report := up.json(t)["id"].(string)
		docs := "/v1/documents?record_type=ehc_request&record_id=" + req
		// Before she submits, her report is her draft: the family may not read it.
		family.cannotSee("/v1/documents/"+report, "/v1/documents/"+report+"/content", "/v1/advice-requests/"+advice)
		if got := family.lists(docs); len(got) != 0 {
			t.Errorf("the family list the adviser's unsubmitted report: %v", got)
		}
		outsider.cannotSee("/v1/documents/"+report, "/v1/documents/"+report+"/content")
		sub := adviser.must(http.MethodPost, "/v1/advice-requests/"+advice+"/submission", map[string]any{
			"sections": map[string]any{"needs": "Significant difficulty with working memory and phonological processing.",
				"outcomes":  "Reads age-appropriate texts with support by the end of Year 4.",
				"provision": "Daily 20-minute structured literacy session with a trained teaching assistant."},
			"document_ids": []string{report}, "informs_sections": []string{"b", "e", "f"}}, http.StatusOK)
		if sub["status"] != "submitted" || sub["submitted_on"] != "2026-03-20" || sub["late"] != false ||
			strings.Join(strs(sub["informs_sections"]), ",") != "b,e,f" || strings.Join(strs(sub["document_ids"]), ",") != report {
			t.Fatalf("the submitted advice: %v", sub)
		}
		// The officer sees it in full and received on the assessment; the family still never read
		// the advice request (the professionals' record), only the report now it is submitted.
		if got := officer.get("/v1/advice-requests/" + advice); got["sections"].(map[string]any)["provision"] == nil ||
			strings.Join(strs(got["informs_sections"]), ",") != "b,e,f" {
			t.Errorf("the officer's view of the advice: %v", got)
		}
		if got := officer.get(reqPath)["advice"].([]any)[0].(map[string]any); got["received_on"] != "2026-03-20" {
			t.Errorf("the assessment's advice: %v", got)
		}
		family.cannotSee("/v1/advice-requests/" + advice)
		// A professional's report is hidden from the family until the SEND team shows it to them.
		family.cannotSee("/v1/documents/" + report)
		if got := family.lists(docs); len(got) != 0 {
			t.Errorf("the family list a report not shown to them: %v", got)
		}
		if r := officer.do(http.MethodPatch, "/v1/documents/"+report, map[string]any{"family_visible": true}, "If-Match", `"1"`); r.status != http.StatusOK {
			t.Fatalf("the officer shows the report to the family: %d %s", r.status, r.body)
		}
		family.get("/v1/documents/" + report)
		if got := family.lists(docs); len(got) != 1 || got[0] != report {
			t.Errorf("the family list the submitted report: %v", got)
		}
		adviser.cannotSee(reqPath, "/v1/young-people/"+kid)
		outsider.cannotSee("/v1/documents/"+report, "/v1/documents/"+report+"/content")
		if got := outsider.lists(docs); len(got) != 0 {
			t.Errorf("an uninvolved practitioner lists the child's documents: %v", got)
		}
		otherFamily.cannotSee("/v1/documents/" + report)

		// 4. The officer decides to issue and drafts the plan from the advice: section K names
		// it, the sections it informs (B, E, F) carry it. The draft is served.
		at("2026-04-06")
		officer.must(http.MethodPost, reqPath+"/decision-to-issue", map[string]any{"decision": "issue", "decided_on": "2026-04-06",
			"reason": "Needs call for a plan."}, http.StatusOK)
		sections := minimalSections()
		sections["b"] = []any{map[string]any{"ref": "B1", "sen_type": "SPLD", "rank": 1, "description": "Working memory and phonological processing."}}
		sections["f"] = []any{map[string]any{"ref": "F1", "what": "Structured literacy session with a trained teaching assistant", "who": "Teaching assistant",
			"how_often": "Daily, 20 minutes", "how_long": "Three school terms", "outcomes": []any{"E1"}}}
		sections["k"] = []any{map[string]any{"adviser": "educational_psychologist", "source": "Educational Psychology Service, advice request " + advice,
			"on": "2026-03-20"}}
		plan := officer.must(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": kid, "ehc_request_id": req, "sections": sections},
			http.StatusCreated)["id"].(string)
		planPath := "/v1/ehc-plans/" + plan
		at("2026-04-10")
		served := officer.must(http.MethodPost, planPath+"/serve-draft", map[string]any{"served_on": "2026-04-10"}, http.StatusOK)
		if v := served["versions"].([]any)[0].(map[string]any); v["comments_due_on"] != "2026-04-24" {
			t.Fatalf("the served draft: %v", v)
		}
		adviser.cannotSee(planPath, planPath+"/document", reqPath+"/letters/draft_plan")
		setting.cannotSee(planPath)
		otherFamily.cannotSee(planPath, planPath+"/document", reqPath+"/letters/draft_plan")

		// 5. The family read the draft and the letter with the 15-day notice, see the date in their
		// summary, and give their views naming Riverside Primary within the window.
		at("2026-04-20")
		draft := family.get(planPath)
		if draft["status"] != "draft" {
			t.Errorf("the family's draft: %v", draft["status"])
		}
		html, dates := family.letter(reqPath + "/letters/draft_plan")
		if !strings.Contains(html, "You have 15 days") || dates["versions[].served_on"] != "2026-04-10" || dates["versions[].comments_due_on"] != "2026-04-24" ||
			dates["deadlines.final_plan.adjusted_due_on"] != "2026-05-25" {
			t.Errorf("the draft plan letter's dates: %v", dates)
		}
		family.pdf(reqPath + "/letters/draft_plan")
		if _, dates := family.letter(planPath + "/document"); dates["versions[].comments_due_on"] != "2026-04-24" {
			t.Errorf("the draft's dates: %v", dates)
		}
		sum = family.get("/v1/young-people/" + kid + "/family-summary")
		if pl := sum["plans"].([]any); len(pl) != 1 || pl[0].(map[string]any)["comments_open_until"] != "2026-04-24" {
			t.Errorf("the family's summary of the draft: %v", sum["plans"])
		}
		views := family.must(http.MethodPost, planPath+"/family-views", map[string]any{"views": "Amelia needs help at lunchtimes too.",
			"preferred_setting": map[string]any{"name": "Riverside Primary School", "urn": "654321", "type": "mainstream_school"},
			"wants_meeting":     false}, http.StatusCreated)
		if views["given_by"] != "family" || views["given_on"] != "2026-04-20" || views["comments_due_on"] != "2026-04-24" || views["draft_version"] != 1.0 {
			t.Errorf("the family's views: %v", views)
		}
		otherFamily.must(http.MethodPost, planPath+"/family-views", map[string]any{"views": "Not ours."}, http.StatusNotFound)
		if got := otherFamily.lists("/v1/family-views?ehc_plan_id=" + plan); len(got) != 0 {
			t.Errorf("another family lists views %v", got)
		}

		// 6. The officer reads the setting the family named and consults it; the setting's staff
		// see only that consultation and answer it.
		at("2026-04-21")
		named := items(t, officer.do(http.MethodGet, "/v1/family-views?ehc_plan_id="+plan, nil))
		if len(named) != 1 || named[0].(map[string]any)["preferred_setting"].(map[string]any)["name"] != "Riverside Primary School" {
			t.Fatalf("the views the officer reads: %v", named)
		}
		consultNote := "Internal: ask about the lunchtime cover they lost."
		c := officer.must(http.MethodPost, planPath+"/consultations", map[string]any{"organisation_id": settingOrg, "requested_by": "family",
			"notes": consultNote}, http.StatusCreated)
		consultation := c["id"].(string)
		if c["sent_on"] != "2026-04-21" || c["due_on"] != "2026-05-05" || c["status"] != "sent" {
			t.Errorf("the consultation: %v", c)
		}
		if got := setting.lists("/v1/consultations"); len(got) != 1 || got[0] != consultation {
			t.Errorf("the setting lists %v", got)
		}
		setting.get("/v1/consultations/" + consultation)
		setting.cannotSee("/v1/young-people/"+kid, reqPath, planPath, planPath+"/document", "/v1/advice-requests/"+advice,
			"/v1/documents/"+report, "/v1/young-people/"+kid+"/family-summary", "/v1/young-people/"+kid+"/timeline")
		if got := setting.lists(docs); len(got) != 0 {
			t.Errorf("the setting lists the child's documents: %v", got)
		}
		family.cannotSee("/v1/consultations/" + consultation)
		if got := family.lists("/v1/consultations?plan_id=" + plan); len(got) != 0 {
			t.Errorf("the family list consultations %v", got)
		}
		adviser.cannotSee("/v1/consultations/" + consultation)
		outsider.cannotSee("/v1/consultations/" + consultation)
		at("2026-04-28")
		ans := setting.must(http.MethodPost, "/v1/consultations/"+consultation+"/response", map[string]any{"response": "can_meet_needs",
			"reasons": "A Year 4 place with a trained teaching assistant."}, http.StatusOK)
		if ans["status"] != "responded" || ans["response"] != "can_meet_needs" || ans["responded_on"] != "2026-04-28" || ans["late"] != false {
			t.Errorf("the setting's answer: %v", ans)
		}
		setting.cannotSee(planPath, "/v1/young-people/"+kid)

		// 7. The officer issues the final plan naming Riverside, section I linked to the
		// consultation; the first review is due within the 12 months starting with the issue.
		at("2026-05-20")
		final := officer.must(http.MethodPost, planPath+"/issue", map[string]any{"issued_on": "2026-05-20", "placement": map[string]any{
			"setting_name": "Riverside Primary School", "setting_type": "mainstream_school", "urn": "654321", "consultation_id": consultation}}, http.StatusOK)
		if final["status"] != "issued" || final["first_issued_on"] != "2026-05-20" {
			t.Fatalf("the final plan: %v", final)
		}
		review, _ := resolve(final, "next_review.due_on")
		if review != "2027-05-19" {
			t.Errorf("next review due %s, want 2027-05-19", review)
		}

		// 8. The family read the final plan, its letter with their appeal rights as HTML and PDF,
		// and their summary of what happens next, every date the API's.
		fp := family.get(planPath)
		vs := fp["versions"].([]any)
		last := vs[len(vs)-1].(map[string]any)
		if last["kind"] != "final" || last["sections"].(map[string]any)["i"].(map[string]any)["consultation_id"] != consultation ||
			!strings.Contains(last["sections"].(map[string]any)["k"].([]any)[0].(map[string]any)["source"].(string), advice) {
			t.Errorf("the family's final plan: %v", last)
		}
		html, dates = family.letter(reqPath + "/letters/final_plan")
		if dates["versions[].issued_on"] != "2026-05-20" || dates["next_review.due_on"] != review || !strings.Contains(html, "Tribunal") {
			t.Errorf("the final plan letter's dates: %v", dates)
		}
		if !bytes.Equal(family.pdf(reqPath+"/letters/final_plan"), officer.pdf(reqPath+"/letters/final_plan")) {
			t.Error("the family and the officer read different final plan letters")
		}
		html, dates = family.letter(planPath + "/document")
		if dates["versions[].issued_on"] != "2026-05-20" || dates["next_review.due_on"] != review || !strings.Contains(html, "Riverside Primary School") {
			t.Errorf("the plan document's dates: %v", dates)
		}
		family.pdf(planPath + "/document")
		sum = family.get("/v1/young-people/" + kid + "/family-summary")
		var next map[string]any
		for _, u := range sum["upcoming"].([]any) {
			if u.(map[string]any)["what"] == "annual_review" {
				next = u.(map[string]any)
			}
		}
		if next == nil || next["on"] != review || next["record_id"] != plan || next["explanation"] == "" || sum["as_of"] != "2026-05-20" {
			t.Errorf("the family's next step: %v", sum)
		}
		if p := sum["plans"].([]any); len(p) != 1 || p[0].(map[string]any)["status"] != "issued" {
			t.Errorf("the family's plans: %v", p)
		}

		// Every party's action is on the child's timeline.
		kinds := map[string]bool{}
		for _, it := range items(t, officer.do(http.MethodGet, "/v1/young-people/"+kid+"/timeline?limit=200", nil)) {
			kinds[it.(map[string]any)["kind"].(string)] = true
		}
		for _, k := range []string{"ehc_request.received", "ehc_advice.submitted", "document.added", "ehc_plan.draft_served",
			"ehc_plan.family_views_given", "setting_consultation.sent", "setting_consultation.responded", "ehc_plan.issued"} {
			if !kinds[k] {
				t.Errorf("the timeline lacks %s: %v", k, kinds)
			}
		}

		// Internal notes never reach the family: not in their summary, not in their reads.
		for path, body := range map[string]reply{
			"summary":        family.do(http.MethodGet, "/v1/young-people/"+kid+"/family-summary", nil),
			"request":        family.do(http.MethodGet, reqPath, nil),
			"requests":       family.do(http.MethodGet, "/v1/ehc-needs-assessments", nil),
			"plan":           family.do(http.MethodGet, planPath, nil),
			"timeline":       family.do(http.MethodGet, "/v1/young-people/"+kid+"/timeline", nil),
			"other summary":  otherFamily.do(http.MethodGet, "/v1/young-people/"+otherKid+"/family-summary", nil),
			"other request":  otherFamily.do(http.MethodGet, "/v1/ehc-needs-assessments/"+otherReq, nil),
			"other requests": otherFamily.do(http.MethodGet, "/v1/ehc-needs-assessments", nil),
			"final letter":   family.do(http.MethodGet, reqPath+"/letters/final_plan", nil, "Accept", "text/html"),
			"views on draft": family.do(http.MethodGet, "/v1/family-views?ehc_plan_id="+plan, nil),
		} {
			for _, note := range []string{internalNote, consultNote, "Internal: dad finds meetings difficult."} {
				if body.status == http.StatusOK && strings.Contains(string(body.body), note) {
					t.Errorf("the family's %s shows a professionals' note %q", path, note)
				}
			}
		}
		// Their own words on their request stay theirs to read.
		if got := family.get(reqPath); got["notes"] != "Amelia is falling further behind even with SEN support." {
			t.Errorf("the family's own notes: %v", got["notes"])
		}
		// Nor does anything of the other child, and outsiders see none of the child's documents.
		family.cannotSee("/v1/ehc-needs-assessments/"+otherReq, "/v1/advice-requests/"+advice, "/v1/consultations/"+consultation)
		otherFamily.cannotSee(planPath, planPath+"/document", reqPath+"/letters/final_plan", "/v1/documents/"+report)
		outsider.cannotSee(planPath, planPath+"/document", reqPath+"/letters/final_plan", "/v1/documents/"+report, "/v1/documents/"+report+"/content")
		adviser.cannotSee(planPath, planPath+"/document", reqPath+"/letters/final_plan", "/v1/consultations/"+consultation)
		setting.cannotSee(planPath+"/document", reqPath+"/letters/final_plan", "/v1/documents/"+report)
	}, func(_ *httpapi.Options, c *app.Options) { c.Clock = clock.now })
}
