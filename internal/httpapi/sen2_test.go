package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

// The SEN2 person-level return as the DfE's COLLECT loads it: one CSV per module, the DfE item
// names in lower case, each file's own table id first and its parent's second (DOMAIN.md section
// 3). Hard-coded here, not read from package sen2, so a column renamed, dropped, added or moved
// fails the test.
var sen2Files = []string{"sen2.csv", "person.csv", "requests.csv", "assessment.csv", "namedplan.csv", "plandetail.csv",
	"activeplans.csv", "placementdetail.csv", "senneed.csv", "validation.csv", "README.txt"}

var sen2Columns = map[string][]string{
	"sen2.csv": {"sen2tableid", "collection", "year", "referencedate", "sourcelevel", "lea", "softwarecode", "release", "serialno",
		"datetime"},
	"person.csv": {"persontableid", "sen2tableid", "surname", "forename", "personbirthdate", "sex", "ethnicity", "postcode", "upn",
		"uniquelearnernumber", "upnunknown"},
	"requests.csv": {"requeststableid", "persontableid", "receiveddate", "rya", "requestoutcomedate", "requestoutcome",
		"requestmediation", "requesttribunal", "exported"},
	"assessment.csv": {"assessmenttableid", "requeststableid", "assessmentoutcome", "assessmentoutcomedate", "assessmentmediation",
		"assessmenttribunal", "othermediation", "othertribunal", "week20"},
	"namedplan.csv": {"namedplantableid", "assessmenttableid", "startdate", "planres", "planwbp", "pb", "oa", "dp", "ceasedate",
		"ceasereason"},
	"plandetail.csv": {"plandetailtableid", "namedplantableid", "urn", "ukprn", "sensetting", "sensettingother", "placementrank",
		"senunitindicator", "resourcedprovisionindicator"},
	"activeplans.csv": {"activeplanstableid", "requeststableid", "transferla", "reviewmeeting", "reviewoutcome", "lastreview",
		"phasetransferduedate"},
	"placementdetail.csv": {"placementdetailtableid", "activeplanstableid", "urn", "ukprn", "sensetting", "sensettingother",
		"placementrank", "entrydate", "leavingdate", "res", "wbp", "senunitindicator", "resourcedprovisionindicator"},
	"senneed.csv":    {"senneedtableid", "activeplanstableid", "sentype", "sentyperank"},
	"validation.csv": {"module", "table_id", "person_table_id", "young_person_id", "field", "problem"},
}

// sen2Parents names each module's parent: its second column holds a table id of the parent file.
var sen2Parents = map[string]string{"person.csv": "sen2.csv", "requests.csv": "person.csv", "assessment.csv": "requests.csv",
	"namedplan.csv": "assessment.csv", "plandetail.csv": "namedplan.csv", "activeplans.csv": "requests.csv",
	"placementdetail.csv": "activeplans.csv", "senneed.csv": "activeplans.csv"}

// sen2Clock is the service's clock, so the return's generation time is known and can be moved.
type sen2Clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *sen2Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *sen2Clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// sen2Env configures the council's DfE LA number and release, and the clock.
func sen2Env(la string, clock *sen2Clock) envOption {
	return func(_ *httpapi.Options, c *app.Options) {
		c.LACode, c.Release, c.Clock = la, "test-release", clock.Now
	}
}

// sen2Zip is an export as read back: each file's raw bytes, its CSV records, and the entry order.
type sen2Zip struct {
	names []string
	raw   map[string][]byte
	csv   map[string][][]string
}

// rows are a CSV file's records after the header.
func (z sen2Zip) rows(name string) [][]string { return z.csv[name][1:] }

func readSEN2Zip(t *testing.T, body []byte) sen2Zip {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	z := sen2Zip{raw: map[string][]byte{}, csv: map[string][][]string{}}
	for _, f := range zr.File {
		z.names = append(z.names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		z.raw[f.Name] = b
		if !strings.HasSuffix(f.Name, ".csv") {
			continue
		}
		if len(b) > 0 && !bytes.HasSuffix(b, []byte("\r\n")) {
			t.Errorf("%s: lines do not end in CRLF", f.Name)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s is not CSV: %v", f.Name, err)
		}
		if len(recs) == 0 {
			t.Fatalf("%s has no header row", f.Name)
		}
		z.csv[f.Name] = recs
	}
	return z
}

// checkSEN2Shape asserts the file names in order, every header against the field list, table ids
// 1..n in each module, and every child row's parent id present in its parent file.
func checkSEN2Shape(t *testing.T, z sen2Zip) {
	t.Helper()
	if !slices.Equal(z.names, sen2Files) {
		t.Fatalf("zip entries = %v, want %v", z.names, sen2Files)
	}
	for name, cols := range sen2Columns {
		if got := z.csv[name][0]; !slices.Equal(got, cols) {
			t.Errorf("%s header = %v, want %v", name, got, cols)
		}
		for i, row := range z.rows(name) {
			if len(row) != len(cols) {
				t.Errorf("%s row %d has %d fields, want %d", name, i+1, len(row), len(cols))
			}
		}
	}
	ids := map[string]map[string]bool{}
	for name := range sen2Parents {
		ids[name] = map[string]bool{}
	}
	ids["sen2.csv"] = map[string]bool{}
	for name := range ids {
		for i, row := range z.rows(name) {
			if row[0] != strconv.Itoa(i+1) {
				t.Errorf("%s row %d has table id %q", name, i+1, row[0])
			}
			ids[name][row[0]] = true
		}
	}
	for child, parent := range sen2Parents {
		for _, row := range z.rows(child) {
			if !ids[parent][row[1]] {
				t.Errorf("%s row %s: parent %s %q does not exist", child, row[0], parent, row[1])
			}
		}
	}
}

// checkRows compares a module's rows with the expected ones, row by row.
func checkRows(t *testing.T, z sen2Zip, name string, want [][]string) {
	t.Helper()
	got := z.rows(name)
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("%s: row %d missing, want %q", name, i+1, want[i])
		case i >= len(want):
			t.Errorf("%s: unexpected row %d %q", name, i+1, got[i])
		case !slices.Equal(got[i], want[i]):
			t.Errorf("%s row %d:\n got %q\nwant %q", name, i+1, got[i], want[i])
		}
	}
}

// upn completes a 12-character UPN body with its check letter (DOMAIN.md section 6).
func upn(body string) string {
	const letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
	sum := 0
	for i, c := range body {
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = strings.IndexRune(letters, c)
		}
		sum += v * (i + 2)
	}
	return string(letters[sum%23]) + body
}

// sen2Case builds records through the API as the SEND officer, on backdated days.
type sen2Case struct {
	t *testing.T
	e *env
}

func (c sen2Case) person(surname, forename, dob, sex, ethnicity, postcode, upnValue, uln, unknown string) string {
	c.t.Helper()
	body := map[string]any{"given_name": forename, "family_name": surname, "date_of_birth": dob, "postcode": postcode}
	for k, v := range map[string]string{"sex": sex, "ethnicity": ethnicity, "upn": upnValue, "uln": uln, "upn_unknown": unknown} {
		if v != "" {
			body[k] = v
		}
	}
	return c.e.mustDo(http.MethodPost, "/v1/young-people", body, http.StatusCreated)["id"].(string)
}

func (c sen2Case) request(child, received, by string, custody bool) string {
	c.t.Helper()
	return c.e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": child, "received_on": received,
		"requested_by": by, "in_youth_custody": custody}, http.StatusCreated)["id"].(string)
}

func (c sen2Case) decide(req, decision, on string) {
	c.t.Helper()
	c.e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+req+"/decision-to-assess", map[string]any{"decision": decision,
		"decided_on": on, "appeal_rights_notified": decision == "not_assess", "reason": "Recorded for the return."}, http.StatusOK)
}

func (c sen2Case) issueDecision(req, on string) {
	c.t.Helper()
	c.e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+req+"/decision-to-issue", map[string]any{"decision": "issue",
		"decided_on": on, "reason": "Needs call for a plan."}, http.StatusOK)
}

// plan drafts a plan (on a request, or transferred in when req is ""), serves the draft and
// issues the final with section I.
func (c sen2Case) plan(child, req, transferredFrom string, sections map[string]any, served, issued string, placement map[string]any) string {
	c.t.Helper()
	body := map[string]any{"young_person_id": child, "sections": sections}
	if req != "" {
		body["ehc_request_id"] = req
	}
	if transferredFrom != "" {
		body["transferred_from_la"] = transferredFrom
	}
	id := c.e.mustDo(http.MethodPost, "/v1/ehc-plans", body, http.StatusCreated)["id"].(string)
	c.e.mustDo(http.MethodPost, "/v1/ehc-plans/"+id+"/serve-draft", map[string]any{"served_on": served}, http.StatusOK)
	pl := c.e.mustDo(http.MethodPost, "/v1/ehc-plans/"+id+"/issue", map[string]any{"issued_on": issued, "placement": placement,
		"family_agreed_early": true}, http.StatusOK)
	if pl["first_issued_on"] != issued {
		c.t.Fatalf("plan issued: %s", mustJSON(pl))
	}
	return id
}

// review holds the plan's review that is due and decides it.
func (c sen2Case) review(plan, meeting, decision, decided string) string {
	c.t.Helper()
	items := c.e.mustDo(http.MethodGet, "/v1/annual-reviews?status=due&plan_id="+plan, nil, http.StatusOK)["items"].([]any)
	if len(items) != 1 {
		c.t.Fatalf("due reviews of %s: %v", plan, items)
	}
	id := items[0].(map[string]any)["id"].(string)
	c.e.mustDo(http.MethodPost, "/v1/annual-reviews/"+id+"/meeting", map[string]any{"meeting_on": meeting,
		"attendees": []any{map[string]any{"role": "parent"}}, "recommendation": decision,
		"pfa_focus": []string{"employment_education", "independent_living"}}, http.StatusOK)
	c.e.mustDo(http.MethodPost, "/v1/annual-reviews/"+id+"/decision", map[string]any{"decision": decision, "decided_on": decided,
		"appeal_rights_notified": decision != "amend", "reason": "Recorded for the return."}, http.StatusOK)
	return id
}

// sen2Sections is a plan whose section B holds the given SEN types ranked 1, 2 ... in order,
// with a direct-payment budget when budget is set.
func sen2Sections(budget string, senTypes ...string) map[string]any {
	s := minimalSections()
	var b []any
	for i, st := range senTypes {
		b = append(b, map[string]any{"ref": "B" + strconv.Itoa(i+1), "sen_type": st, "rank": i + 1, "description": "Need " + st + "."})
	}
	s["b"] = b
	// Preparing-for-adulthood outcomes are required from Year 9; harmless before.
	s["e"] = []any{map[string]any{"ref": "E1", "description": "Takes part in choosing the next setting.", "needs": []any{"B1"},
		"pfa_area": "employment_education"}}
	if budget != "" {
		s["j"] = map[string]any{"type": budget, "lines": []any{map[string]any{"stream": "education", "amount_pence": 240000}}}
	}
	return s
}

func setting(typ, urn, ukprn string, residential, workBased bool) map[string]any {
	m := map[string]any{"setting_name": "Setting " + typ, "setting_type": typ, "residential": residential, "work_based_learning": workBased}
	if urn != "" {
		m["urn"] = urn
	}
	if ukprn != "" {
		m["ukprn"] = ukprn
	}
	return m
}

// sen2Caseload is what TestSEN2Export seeds, with the ids the return must hold.
type sen2Caseload struct {
	adams, brown, clarke, davies, evans, foster, green, hughes, irwin, jones string
	upns                                                                     map[string]string
}

const sen2Reference = "2026-01-15" // the 2026 return: caseload on 15 January 2026, activity in 2025

// seedSEN2 records a small council's caseload. The collection period is 2025; the reference date
// 15 January 2026. Everything is backdated; some of it happened after the reference date, which
// the return must not see.
//
//	Adams  received 3 Feb 2025 (exception: Week20 1), assessed 10 Mar, plan issued 16 Jun 2025:
//	       needs ASD 1 and SEMH 2, special school URN 134567 (not residential, no work-based
//	       learning), direct payment; mediation on the plan's contents (OtherMediation). First
//	       review held on 12 Jan 2026 but decided only on 26 Jan: a meeting, no outcome yet.
//	Brown  16, in youth custody (RYA), received 7 Apr 2025, refused 19 May; tribunal appeal on
//	       the refusal (RequestTribunal); mediation asked for only in February 2026 (not counted).
//	Clarke received 3 Nov 2025, decided only on 2 Feb 2026: pending on the reference date. No
//	       ethnicity, no UPN, ULN or UPN-unknown reason: two items in validation.csv.
//	Davies received 4 Mar 2024, plan issued 5 Aug 2024 and in force (historical request row);
//	       review held 14 Jul 2025, maintained 28 Jul; phase transfer to post-16 on 1 Sep 2026
//	       (due 31 Mar 2026). Reviewed again and amended in mid 2026 with a new setting and
//	       needs, which the return as of January must not show.
//	Evans  (ULN, no UPN) a plan transferred in from LA 802, issued 1 Sep 2025, no request here;
//	       review held 1 Dec 2025, amend decided 15 Dec.
//	Foster received 9 Jan 2023, plan issued 15 May 2023 (FE college, UKPRN, work-based
//	       learning), ceased 31 Jul 2025 (reason 4): a named plan row only.
//	Green  received 3 Jun 2024, plan issued 14 Oct 2024 in a resourced provision; review held 17
//	       Nov 2025, cease decided 1 Dec 2025: held in force until 2 Feb 2026, so still active.
//	Hughes refused in 2023 and asked again on 2 Mar 2026: not in the 2026 return at all.
//	Irwin  (UPN unknown UN2) received 2 Jun 2025, assessed 14 Jul, withdrawn 1 Sep (assessment
//	       W); asked again 15 Sep, assessed 20 Oct, plan issued only on 2 Feb 2026 (assessment A).
//	Jones  received 3 Mar 2025, assessed 14 Apr, refused to issue 23 Jun (assessment N, Week20 0);
//	       tribunal appeal on the refusal to issue (AssessmentTribunal).
func seedSEN2(t *testing.T, e *env) sen2Caseload {
	c := sen2Case{t: t, e: e}
	cl := sen2Caseload{upns: map[string]string{}}
	for _, n := range []string{"adams", "brown", "davies", "foster", "green", "hughes", "jones"} {
		cl.upns[n] = upn(fmt.Sprintf("355200125%03d", len(cl.upns)+1))
	}
	cl.adams = c.person("Adams", "Ava", "2017-03-10", "female", "WBRI", "M6 5AB", cl.upns["adams"], "", "")
	cl.brown = c.person("Brown", "Ben", "2009-02-11", "male", "BCRB", "M7 1AA", cl.upns["brown"], "", "")
	cl.clarke = c.person("Clarke", "Cara", "2020-09-01", "female", "", "M5 4WT", "", "", "")
	cl.davies = c.person("Davies", "Dan", "2010-10-05", "male", "APKN", "M30 0AA", cl.upns["davies"], "", "")
	cl.evans = c.person("Evans", "Eve", "2013-04-22", "female", "WIRI", "m27 4bb", "", "1000000043", "")
	cl.foster = c.person("Foster", "Finn", "2006-08-14", "male", "MWBC", "M28 2CC", cl.upns["foster"], "", "")
	cl.green = c.person("Green", "Gil", "2012-01-30", "male", "CHNE", "M6 8DD", cl.upns["green"], "", "")
	cl.hughes = c.person("Hughes", "Hal", "2016-02-02", "male", "WBRI", "M6 7EE", cl.upns["hughes"], "", "")
	cl.irwin = c.person("Irwin", "Ivy", "2014-07-07", "female", "OOTH", "M3 5EE", "", "", "UN2")
	cl.jones = c.person("Jones", "Jay", "2011-11-11", "male", "BAFR", "M8 9FF", cl.upns["jones"], "", "")

	// Adams
	r := c.request(cl.adams, "2025-02-03", "parent", false)
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+r+"/exceptions", map[string]any{"ground": "c", "from": "2025-02-17",
		"to": "2025-03-02", "reason": "Family bereavement."}, http.StatusOK)
	c.decide(r, "assess", "2025-03-10")
	c.issueDecision(r, "2025-05-01")
	plan := c.plan(cl.adams, r, "", sen2Sections("direct_payment", "ASD", "SEMH"), "2025-05-12", "2025-06-16",
		setting("special_school", "134567", "", false, false))
	e.mustDo(http.MethodPost, disputes, map[string]any{"kind": "mediation", "subject_type": "ehc_plan", "subject_id": plan,
		"about": "plan_contents", "sections": []string{"F"}, "brought_by": "parent", "received_on": "2025-07-01",
		"decision_letter_on": "2025-06-16"}, http.StatusCreated)
	c.review(plan, "2026-01-12", "maintain", "2026-01-26")

	// Brown
	r = c.request(cl.brown, "2025-04-07", "young_person", true)
	c.decide(r, "not_assess", "2025-05-19")
	e.mustDo(http.MethodPost, disputes, map[string]any{"kind": "tribunal", "subject_type": "ehc_request", "subject_id": r,
		"about": "refusal_to_assess", "brought_by": "young_person", "received_on": "2025-06-30", "decision_letter_on": "2025-05-19"},
		http.StatusCreated)
	e.mustDo(http.MethodPost, disputes, map[string]any{"kind": "mediation", "subject_type": "ehc_request", "subject_id": r,
		"about": "refusal_to_assess", "brought_by": "young_person", "received_on": "2026-02-10", "decision_letter_on": "2025-05-19"},
		http.StatusCreated)

	// Clarke
	r = c.request(cl.clarke, "2025-11-03", "parent", false)
	c.decide(r, "assess", "2026-02-02")

	// Davies
	r = c.request(cl.davies, "2024-03-04", "school_or_college", false)
	c.decide(r, "assess", "2024-04-15")
	c.issueDecision(r, "2024-06-03")
	plan = c.plan(cl.davies, r, "", sen2Sections("", "SLCN"), "2024-06-10", "2024-08-05",
		setting("mainstream_school", "105432", "", false, false))
	c.review(plan, "2025-07-14", "maintain", "2025-07-28")
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/phase-transfer", map[string]any{"kind": "secondary_to_post16",
		"transfer_on": "2026-09-01"}, http.StatusOK)
	review := c.review(plan, "2026-06-15", "amend", "2026-06-29")
	amended := sen2Sections("", "MLD", "SLCN")
	amended["i"] = setting("further_education", "", "10001234", false, true)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/amendments", map[string]any{"notice_on": "2026-07-01", "reason": "Moving to college.",
		"annual_review_id": review, "sections": amended}, http.StatusOK)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", map[string]any{"issued_on": "2026-07-20", "family_agreed_early": true}, http.StatusOK)

	// Evans
	plan = c.plan(cl.evans, "", "802", sen2Sections("", "SLCN"), "2025-08-20", "2025-09-01",
		setting("mainstream_school", "112233", "", false, false))
	c.review(plan, "2025-12-01", "amend", "2025-12-15")

	// Foster
	r = c.request(cl.foster, "2023-01-09", "parent", false)
	c.decide(r, "assess", "2023-02-20")
	c.issueDecision(r, "2023-04-03")
	plan = c.plan(cl.foster, r, "", sen2Sections("", "SPLD"), "2023-04-10", "2023-05-15",
		setting("further_education", "", "10012345", false, true))
	pl := e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/cease", map[string]any{"decided_on": "2025-05-20", "reason": "4",
		"appeal_rights_notified": true, "ceases_on": "2025-07-31"}, http.StatusOK)
	if pl["cessation"].(map[string]any)["ceases_on"] != "2025-07-31" {
		t.Fatalf("Foster's cessation: %v", pl["cessation"])
	}

	// Green
	r = c.request(cl.green, "2024-06-03", "parent", false)
	c.decide(r, "assess", "2024-07-08")
	c.issueDecision(r, "2024-09-02")
	plan = c.plan(cl.green, r, "", sen2Sections("", "MLD", "SPLD"), "2024-09-09", "2024-10-14",
		setting("resourced_provision", "121212", "", false, false))
	c.review(plan, "2025-11-17", "cease", "2025-12-01")
	pl = e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/cease", map[string]any{"decided_on": "2025-12-01", "reason": "2",
		"appeal_rights_notified": true}, http.StatusOK)
	if pl["cessation"].(map[string]any)["ceases_on"] != "2026-02-02" {
		t.Fatalf("Green's cessation: %v", pl["cessation"])
	}

	// Hughes
	r = c.request(cl.hughes, "2023-03-06", "parent", false)
	c.decide(r, "not_assess", "2023-04-17")
	c.request(cl.hughes, "2026-03-02", "parent", false)

	// Irwin
	r = c.request(cl.irwin, "2025-06-02", "parent", false)
	c.decide(r, "assess", "2025-07-14")
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+r+"/withdraw", map[string]any{"withdrawn_on": "2025-09-01",
		"reason": "Family asked to stop."}, http.StatusOK)
	r = c.request(cl.irwin, "2025-09-15", "parent", false)
	c.decide(r, "assess", "2025-10-20")
	c.issueDecision(r, "2025-12-01")
	c.plan(cl.irwin, r, "", sen2Sections("", "HI"), "2025-12-08", "2026-02-02", setting("mainstream_school", "100200", "", false, false))

	// Jones
	r = c.request(cl.jones, "2025-03-03", "parent", false)
	c.decide(r, "assess", "2025-04-14")
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+r+"/decision-to-issue", map[string]any{"decision": "not_issue",
		"decided_on": "2025-06-23", "appeal_rights_notified": true, "reason": "Needs can be met at SEN support."}, http.StatusOK)
	e.mustDo(http.MethodPost, disputes, map[string]any{"kind": "tribunal", "subject_type": "ehc_request", "subject_id": r,
		"about": "refusal_to_issue", "brought_by": "parent", "received_on": "2025-07-28", "decision_letter_on": "2025-06-23"},
		http.StatusCreated)
	return cl
}

func (e *env) exportSEN2(key, ref string) reply {
	e.t.Helper()
	return e.do(http.MethodGet, "/v1/exports/sen2?reference_date="+url.QueryEscape(ref), key, nil)
}

// exportEvents lists the young people audited as exported by one request.
func (e *env) exportEvents(requestID string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, it := range e.mustDoAs(e.admin, http.MethodGet, "/v1/audit-events?action=export&limit=200&request_id="+url.QueryEscape(requestID))["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func (e *env) mustDoAs(key, method, path string) map[string]any {
	e.t.Helper()
	r := e.do(method, path, key, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
	}
	return r.json(e.t)
}

// TestSEN2Export builds a small caseload through the API and checks the return exactly: file
// names, every header against the field list, every row of every module, the parent links, the
// validation report, what is out of scope, the audit trail and that the same data gives the same
// files.
func TestSEN2Export(t *testing.T) {
	clock := &sen2Clock{}
	each(t, func(t *testing.T, e *env) {
		start := time.Now().UTC().Truncate(time.Second)
		clock.set(start)
		cl := seedSEN2(t, e)

		res := e.exportSEN2(e.officer, sen2Reference)
		if res.status != http.StatusOK {
			t.Fatalf("export: %d %s", res.status, res.body)
		}
		if ct := res.header.Get("Content-Type"); ct != "application/zip" {
			t.Errorf("Content-Type = %q", ct)
		}
		if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename="sen2-355-2026-01-15.zip"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		// Nine children, and Clarke's two missing items.
		if p, i := res.header.Get("X-SEN2-People"), res.header.Get("X-SEN2-Issues"); p != "9" || i != "2" {
			t.Errorf("X-SEN2-People %q, X-SEN2-Issues %q; want 9 and 2", p, i)
		}
		z := readSEN2Zip(t, res.body)
		checkSEN2Shape(t, z)

		checkRows(t, z, "sen2.csv", [][]string{{"1", "SEN2", "2026", "2026-01-15", "L", "355", "OnePlan", "test-release", "1",
			start.Format("2006-01-02T15:04:05")}})

		// Persons by surname; Hughes is not in the return.
		checkRows(t, z, "person.csv", [][]string{
			{"1", "1", "Adams", "Ava", "2017-03-10", "F", "WBRI", "M6 5AB", cl.upns["adams"], "", ""},
			{"2", "1", "Brown", "Ben", "2009-02-11", "M", "BCRB", "M7 1AA", cl.upns["brown"], "", ""},
			{"3", "1", "Clarke", "Cara", "2020-09-01", "F", "", "M5 4WT", "", "", ""},
			{"4", "1", "Davies", "Dan", "2010-10-05", "M", "APKN", "M30 0AA", cl.upns["davies"], "", ""},
			{"5", "1", "Evans", "Eve", "2013-04-22", "F", "WIRI", "M27 4BB", "", "1000000043", ""},
			{"6", "1", "Foster", "Finn", "2006-08-14", "M", "MWBC", "M28 2CC", cl.upns["foster"], "", ""},
			{"7", "1", "Green", "Gil", "2012-01-30", "M", "CHNE", "M6 8DD", cl.upns["green"], "", ""},
			{"8", "1", "Irwin", "Ivy", "2014-07-07", "F", "OOTH", "M3 5EE", "", "", "UN2"},
			{"9", "1", "Jones", "Jay", "2011-11-11", "M", "BAFR", "M8 9FF", cl.upns["jones"], "", ""},
		})

		// Requests by person, then received date; a transferred-in plan's synthesised row has no
		// request details. Historical rows (H) carry no outcome date or dispute flags.
		checkRows(t, z, "requests.csv", [][]string{
			{"1", "1", "2025-02-03", "0", "2025-03-10", "Y", "0", "0", "0"},
			{"2", "2", "2025-04-07", "1", "2025-05-19", "N", "0", "1", "0"},
			{"3", "3", "2025-11-03", "0", "", "A", "0", "0", "0"},
			{"4", "4", "2024-03-04", "0", "", "H", "", "", "0"},
			{"5", "5", "", "", "", "H", "", "", "0"},
			{"6", "6", "2023-01-09", "0", "", "H", "", "", "0"},
			{"7", "7", "2024-06-03", "0", "", "H", "", "", "0"},
			{"8", "8", "2025-06-02", "0", "2025-07-14", "Y", "0", "0", "0"},
			{"9", "8", "2025-09-15", "0", "2025-10-20", "Y", "0", "0", "0"},
			{"10", "9", "2025-03-03", "0", "2025-04-14", "Y", "0", "0", "0"},
		})

		// Assessments of the requests decided Y, and a historical one as the parent of Foster's
		// plan ceased in the period. Week20 only once the plan is issued or refused.
		checkRows(t, z, "assessment.csv", [][]string{
			{"1", "1", "Y", "2025-06-16", "0", "0", "1", "0", "1"},
			{"2", "6", "H", "", "", "", "", "", ""},
			{"3", "8", "W", "2025-09-01", "0", "0", "0", "0", ""},
			{"4", "9", "A", "", "0", "0", "0", "0", ""},
			{"5", "10", "N", "2025-06-23", "0", "1", "0", "0", "0"},
		})

		// Named plans: issued in 2025 (Adams) or ceased in 2025 (Foster).
		checkRows(t, z, "namedplan.csv", [][]string{
			{"1", "1", "2025-06-16", "0", "0", "1", "0", "1", "", ""},
			{"2", "2", "2023-05-15", "0", "1", "0", "0", "0", "2025-07-31", "4"},
		})
		checkRows(t, z, "plandetail.csv", [][]string{
			{"1", "1", "134567", "", "", "", "1", "0", "0"},
			{"2", "2", "", "10012345", "", "", "1", "0", "0"},
		})

		// Active plans on 15 January 2026: Adams (review held, not yet decided), Davies (as reviewed in 2025, not as amended in
		// 2026), Evans (transferred in from 802 in 2025), Green (ceasing only from 2 February).
		checkRows(t, z, "activeplans.csv", [][]string{
			{"1", "1", "", "2026-01-12", "", "", ""},
			{"2", "4", "", "2025-07-14", "M", "2025-07-28", "2026-03-31"},
			{"3", "5", "802", "2025-12-01", "A", "2025-12-15", ""},
			{"4", "7", "", "2025-11-17", "C", "2025-12-01", ""},
		})
		checkRows(t, z, "placementdetail.csv", [][]string{
			{"1", "1", "134567", "", "", "", "1", "2025-06-16", "", "0", "0", "0", "0"},
			{"2", "2", "105432", "", "", "", "1", "2024-08-05", "", "0", "0", "0", "0"},
			{"3", "3", "112233", "", "", "", "1", "2025-09-01", "", "0", "0", "0", "0"},
			{"4", "4", "121212", "", "", "", "1", "2024-10-14", "", "0", "0", "0", "1"},
		})
		checkRows(t, z, "senneed.csv", [][]string{
			{"1", "1", "ASD", "1"},
			{"2", "1", "SEMH", "2"},
			{"3", "2", "SLCN", "1"},
			{"4", "3", "SLCN", "1"},
			{"5", "4", "MLD", "1"},
			{"6", "4", "SPLD", "2"},
		})

		// Only Clarke's missing items, against her person row; nobody else's.
		checkRows(t, z, "validation.csv", [][]string{
			{"person", "3", "3", cl.clarke, "ethnicity", "is missing"},
			{"person", "3", "3", cl.clarke, "upn/uniquelearnernumber/upnunknown", "none of UPN, ULN or a UPN-unknown reason is recorded"},
		})

		// Nothing outside the scope: Hughes, his requests, Irwin's plan issued after the
		// reference date, Davies's 2026 amendment.
		all := string(bytes.Join([][]byte{z.raw["person.csv"], z.raw["requests.csv"], z.raw["assessment.csv"], z.raw["namedplan.csv"],
			z.raw["plandetail.csv"], z.raw["activeplans.csv"], z.raw["placementdetail.csv"], z.raw["senneed.csv"], z.raw["validation.csv"]}, nil))
		for _, s := range []string{"Hughes", cl.upns["hughes"], cl.hughes, "2023-03-06", "2026-03-02", "2026-02-02", "100200",
			"10001234", "2026-06-", "2026-07-", "2026-01-26", "2026-02-10"} {
			if strings.Contains(all, s) {
				t.Errorf("the return holds %q, which is outside it", s)
			}
		}
		readme := string(z.raw["README.txt"])
		for _, s := range []string{"Reference date: 2026-01-15", "Collection period: 2025-01-01 to 2025-12-31", "person.csv: ", "(9 rows)",
			"validation.csv: ", "(2 lines)"} {
			if !strings.Contains(readme, s) {
				t.Errorf("README.txt lacks %q:\n%s", s, readme)
			}
		}

		// Audit: one export event per young person in the return, naming the SEN2 return; none
		// for Hughes.
		inReturn := map[string]string{cl.adams: "Adams", cl.brown: "Brown", cl.clarke: "Clarke", cl.davies: "Davies", cl.evans: "Evans",
			cl.foster: "Foster", cl.green: "Green", cl.irwin: "Irwin", cl.jones: "Jones"}
		everyone := maps.Clone(inReturn)
		everyone[cl.hughes] = "Hughes"
		checkExportAudit(t, e, sen2Reference, res.header.Get("X-Request-Id"), inReturn, everyone)

		// The same data gives the same files: byte for byte at the same moment; an hour later only
		// sen2.csv's datetime moves.
		again := e.exportSEN2(e.officer, sen2Reference)
		if again.status != http.StatusOK || !bytes.Equal(again.body, res.body) {
			t.Errorf("a second export at the same moment differs: %d, %d bytes vs %d", again.status, len(again.body), len(res.body))
		}
		later := start.Add(time.Hour + 7*time.Second)
		clock.set(later)
		third := e.exportSEN2(e.officer, sen2Reference)
		if third.status != http.StatusOK {
			t.Fatalf("third export: %d %s", third.status, third.body)
		}
		z3 := readSEN2Zip(t, third.body)
		for _, name := range sen2Files {
			if name == "sen2.csv" {
				continue
			}
			if !bytes.Equal(z3.raw[name], z.raw[name]) {
				t.Errorf("%s differs between two exports of the same data:\n%s\n---\n%s", name, z.raw[name], z3.raw[name])
			}
		}
		checkRows(t, z3, "sen2.csv", [][]string{{"1", "SEN2", "2026", "2026-01-15", "L", "355", "OnePlan", "test-release", "1",
			later.Format("2006-01-02T15:04:05")}})
		checkExportAudit(t, e, sen2Reference, again.header.Get("X-Request-Id"), inReturn, everyone)
		checkExportAudit(t, e, sen2Reference, third.header.Get("X-Request-Id"), inReturn, everyone)
		if n := len(e.mustDoAs(e.admin, http.MethodGet, "/v1/audit-events?action=export&limit=200")["items"].([]any)); n != 3*len(inReturn) {
			t.Errorf("%d export events in all, want %d (3 exports of %d people)", n, 3*len(inReturn), len(inReturn))
		}
	}, sen2Env("355", clock))
}

// checkExportAudit asserts that request requestID audited exactly the given young people (id to
// surname) as exported, once each, for the SEN2 return as of ref; names tells whom an unexpected
// id is.
func checkExportAudit(t *testing.T, e *env, ref, requestID string, want, names map[string]string) {
	t.Helper()
	if requestID == "" {
		t.Fatal("no X-Request-Id")
	}
	seen := map[string]int{}
	for _, ev := range e.exportEvents(requestID) {
		yp, _ := ev["young_person_id"].(string)
		seen[yp]++
		if ev["record_type"] != "young_person" || ev["record_id"] != yp {
			t.Errorf("export event not about the young person: %v", ev)
		}
		if p, _ := ev["purpose"].(string); !strings.Contains(p, "SEN2 return") || !strings.Contains(p, ref) {
			t.Errorf("export event purpose = %q, want it to name the SEN2 return of %s", p, ref)
		}
		if actor := ev["actor"].(map[string]any); actor["role"] != "send_officer" {
			t.Errorf("export event actor = %v", actor)
		}
	}
	for id, n := range seen {
		if _, ok := want[id]; !ok {
			t.Errorf("%s (%s) audited as exported %d times but is not in the return", id, names[id], n)
		} else if n != 1 {
			t.Errorf("%s (%s) audited as exported %d times, want once", id, want[id], n)
		}
	}
	for id, name := range want {
		if seen[id] == 0 {
			t.Errorf("%s (%s) is in the return but not audited as exported", id, name)
		}
	}
}

// TestSEN2ExportRules: only the SEND officer exports; the reference date must be a real date not
// in the future; a council with no LA number configured still gets the files, with the gap in
// validation.csv; an empty caseload gives the headers alone; refused exports audit nobody.
func TestSEN2ExportRules(t *testing.T) {
	clock := &sen2Clock{}
	each(t, func(t *testing.T, e *env) {
		now := time.Now().UTC().Truncate(time.Second)
		clock.set(now)
		kid := sen2Case{t: t, e: e}.person("Able", "Ann", "2016-05-05", "female", "WBRI", "M6 5AB", "", "", "UN8")
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": kid, "received_on": "2025-03-03",
			"requested_by": "parent"}, http.StatusCreated)

		for _, key := range []string{e.analyst, e.practitioner, e.admin, e.leadKey, e.panel} {
			e.exportSEN2(key, sen2Reference).problem(t, http.StatusForbidden)
		}
		e.exportSEN2("", sen2Reference).problem(t, http.StatusUnauthorized)

		today := now.Format("2006-01-02")
		tomorrow := now.AddDate(0, 0, 1).Format("2006-01-02")
		p := e.exportSEN2(e.officer, tomorrow).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/query/reference_date") {
			t.Errorf("future reference date: pointers %v", pointers(p))
		}
		for _, bad := range []string{"2026-13-01", "15/01/2026", "2026-1-15", "yesterday", ""} {
			e.exportSEN2(e.officer, bad).problem(t, http.StatusBadRequest)
		}
		e.do(http.MethodGet, "/v1/exports/sen2", e.officer, nil).problem(t, http.StatusBadRequest)
		if n := len(e.mustDoAs(e.admin, http.MethodGet, "/v1/audit-events?action=export&limit=200")["items"].([]any)); n != 0 {
			t.Errorf("refused exports left %d export events", n)
		}

		// Today is allowed. No LA number: the file name says so and the header's lea is blank,
		// reported in validation.csv.
		res := e.exportSEN2(e.officer, today)
		if res.status != http.StatusOK {
			t.Fatalf("export as of today: %d %s", res.status, res.body)
		}
		if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename="sen2-LA-`+today+`.zip"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		z := readSEN2Zip(t, res.body)
		checkSEN2Shape(t, z)
		checkRows(t, z, "sen2.csv", [][]string{{"1", "SEN2", strconv.Itoa(now.Year()), today, "L", "", "OnePlan", "test-release", "1",
			now.Format("2006-01-02T15:04:05")}})
		checkRows(t, z, "validation.csv", [][]string{{"sen2", "1", "", "", "lea", "the council's DfE LA number is not configured"}})
		// The request of March 2025 is still pending: in the return, and its child audited.
		checkRows(t, z, "requests.csv", [][]string{{"1", "1", "2025-03-03", "0", "", "A", "0", "0", "0"}})
		checkExportAudit(t, e, today, res.header.Get("X-Request-Id"), map[string]string{kid: "Able"}, nil)

		// A purpose the caller gives is kept, but the event still says it was the SEN2 return (a
		// subject access export is audited with the same action on the same record).
		res = e.do(http.MethodGet, "/v1/exports/sen2?reference_date="+today, e.officer, nil, "X-Purpose", "Checking before submission")
		if res.status != http.StatusOK {
			t.Fatalf("export with a purpose: %d %s", res.status, res.body)
		}
		evs := e.exportEvents(res.header.Get("X-Request-Id"))
		if len(evs) != 1 || evs[0]["purpose"] != "SEN2 return "+today+": Checking before submission" {
			t.Errorf("export events with a purpose: %v", evs)
		}

		// A return whose collection period holds nothing: headers only, and nobody audited.
		res = e.exportSEN2(e.officer, "2024-01-18")
		if res.status != http.StatusOK {
			t.Fatalf("export as of 2024: %d %s", res.status, res.body)
		}
		z = readSEN2Zip(t, res.body)
		checkSEN2Shape(t, z)
		for _, name := range sen2Files[1:9] {
			if rows := z.rows(name); len(rows) != 0 {
				t.Errorf("%s in an empty return: %q", name, rows)
			}
		}
		checkExportAudit(t, e, "2024-01-18", res.header.Get("X-Request-Id"), nil, map[string]string{kid: "Able"})
		if !bytes.Contains(z.raw["README.txt"], []byte("Reference date: 2024-01-18")) {
			t.Errorf("README.txt: %s", z.raw["README.txt"])
		}
	}, sen2Env("", clock))
}
