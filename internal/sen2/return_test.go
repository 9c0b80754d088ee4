package sen2_test

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/sen2"
)

// fixture is a small council: every kind of row, and some bad data.
func fixture() sen2.Snapshot {
	able, baker, cole, dunn, evans, ford := person("yp-a", "Able"), person("yp-b", "Baker"), person("yp-c", "Cole"),
		person("yp-d", "Dunn"), person("yp-e", "Evans"), person("yp-f", "Ford")
	ford.Ethnicity, ford.UPN, ford.Sex = "XXXX", "", ""
	persons := []sen2.Person{able, baker, cole, dunn, evans, ford, person("yp-x", "Unused")}

	requests := []sen2.Request{
		// Able: received and assessed in P, plan issued in P.
		{ID: "ra", PersonID: "yp-a", ReceivedOn: d(2025, 1, 20), Decision: "assess", DecidedOn: pd(2025, 3, 1),
			IssueDecision: "issue", IssueDecidedOn: pd(2025, 5, 1), PlanIssuedOn: pd(2025, 6, 2), Week20: true},
		// Baker: an old plan in force (H) and a reassessment request in P, still pending.
		{ID: "rb-old", PersonID: "yp-b", ReceivedOn: d(2020, 2, 1), Decision: "assess", DecidedOn: pd(2020, 3, 1), PlanIssuedOn: pd(2020, 6, 1)},
		{ID: "rb-new", PersonID: "yp-b", ReceivedOn: d(2025, 11, 5), RequestMediation: true},
		// Dunn: an old plan ceased in P.
		{ID: "rd", PersonID: "yp-d", ReceivedOn: d(2019, 9, 1), Decision: "assess", DecidedOn: pd(2019, 10, 1), PlanIssuedOn: pd(2020, 1, 15)},
		// Evans: refused in P, withdrawn in P, refused to issue in P, and one long closed.
		{ID: "re1", PersonID: "yp-e", ReceivedOn: d(2025, 4, 1), Decision: "not_assess", DecidedOn: pd(2025, 5, 10), RequestTribunal: true},
		{ID: "re2", PersonID: "yp-e", ReceivedOn: d(2025, 7, 1), WithdrawnOn: pd(2025, 7, 20)},
		{ID: "re3", PersonID: "yp-e", ReceivedOn: d(2024, 10, 1), Decision: "assess", DecidedOn: pd(2024, 11, 1),
			IssueDecision: "not_issue", IssueDecidedOn: pd(2025, 2, 1), AssessmentTribunal: true},
		{ID: "re4", PersonID: "yp-e", ReceivedOn: d(2022, 1, 1), Decision: "not_assess", DecidedOn: pd(2022, 2, 1)},
		// Ford: plan issued in P with no placement and no needs.
		{ID: "rf", PersonID: "yp-f", ReceivedOn: d(2024, 12, 1), Decision: "assess", DecidedOn: pd(2025, 1, 10), PlanIssuedOn: pd(2025, 4, 1)},
		// A person the snapshot does not hold.
		{ID: "rg", PersonID: "yp-ghost", ReceivedOn: d(2025, 8, 8)},
		// Received after R.
		{ID: "rz", PersonID: "yp-x", ReceivedOn: d(2026, 1, 20)},
	}
	sen := &sen2.Placement{SettingType: "sen_unit", URN: "100001", Residential: ptr(false), WorkBased: ptr(false), From: d(2025, 6, 2)}
	plans := []sen2.Plan{
		{ID: "pa", PersonID: "yp-a", RequestID: "ra", FirstIssuedOn: d(2025, 6, 2), Placement: sen, BudgetType: "mixed",
			Needs: []sen2.Need{{Type: "SLCN", Rank: 2}, {Type: "ASD", Rank: 1}}},
		{ID: "pb", PersonID: "yp-b", RequestID: "rb-old", FirstIssuedOn: d(2020, 6, 1), Placement: school(),
			Needs: []sen2.Need{{Type: "MLD", Rank: 1}}, LastReviewMeetingOn: pd(2025, 6, 1), LastReviewDecision: "maintain", LastReviewDecidedOn: pd(2025, 6, 20)},
		{ID: "pc", PersonID: "yp-c", TransferredFromLA: "802", FirstIssuedOn: d(2025, 9, 1), Placement: school(),
			Needs: []sen2.Need{{Type: "HI", Rank: 1}}},
		{ID: "pd", PersonID: "yp-d", RequestID: "rd", FirstIssuedOn: d(2020, 1, 15), CeasedOn: pd(2025, 7, 31), CeaseReason: "4", Placement: school()},
		{ID: "pf", PersonID: "yp-f", RequestID: "rf", FirstIssuedOn: d(2025, 4, 1)},
		// A plan whose request is not in the snapshot.
		{ID: "pg", PersonID: "yp-c", RequestID: "r-missing", FirstIssuedOn: d(2018, 1, 1), Placement: school(),
			Needs: []sen2.Need{{Type: "VI", Rank: 1}}},
		// Issued after R.
		{ID: "pz", PersonID: "yp-x", RequestID: "rz", FirstIssuedOn: d(2026, 2, 1)},
	}
	return snapshot(persons, requests, plans)
}

// parents are each child module's parent column and module.
var parents = []struct{ child, column, parent string }{
	{"person", "sen2tableid", "sen2"},
	{"requests", "persontableid", "person"},
	{"assessment", "requeststableid", "requests"},
	{"namedplan", "assessmenttableid", "assessment"},
	{"plandetail", "namedplantableid", "namedplan"},
	{"activeplans", "requeststableid", "requests"},
	{"placementdetail", "activeplanstableid", "activeplans"},
	{"senneed", "activeplanstableid", "activeplans"},
}

// TestHierarchy: ids run 1..n in each module and every child's parent exists.
func TestHierarchy(t *testing.T) {
	r := sen2.Build(fixture())
	ids := map[string]map[string]bool{}
	for _, m := range r.Modules {
		ids[m.Name] = map[string]bool{}
		for i, row := range m.Rows {
			if row[0] != strconv.Itoa(i+1) {
				t.Errorf("%s row %d has id %s", m.Name, i+1, row[0])
			}
			ids[m.Name][row[0]] = true
		}
	}
	for _, p := range parents {
		for _, row := range rows(t, r, p.child) {
			if !ids[p.parent][row[p.column]] {
				t.Errorf("%s row %s: %s %q is not a %s row", p.child, row[p.child+"tableid"], p.column, row[p.column], p.parent)
			}
		}
	}
	// Every person row has a child, and no person appears twice.
	used := map[string]bool{}
	for _, q := range rows(t, r, "requests") {
		used[q["persontableid"]] = true
	}
	if len(used) != len(ids["person"]) {
		t.Errorf("%d persons, %d with requests", len(ids["person"]), len(used))
	}

	counts := map[string]int{}
	for _, m := range r.Modules {
		counts[m.Name] = len(m.Rows)
	}
	want := map[string]int{"sen2": 1, "person": 7, "requests": 11, "assessment": 4, "namedplan": 3, "plandetail": 2,
		"activeplans": 5, "placementdetail": 4, "senneed": 5}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("row counts = %v, want %v", counts, want)
	}

	// The outcomes in table id order: the person missing from the snapshot (blank surname sorts
	// first), then Able, Baker, Cole, Dunn, Evans, Ford; each person's requests by received date,
	// synthesised ones last.
	var outcomes []string
	for _, q := range rows(t, r, "requests") {
		outcomes = append(outcomes, q["persontableid"]+q["requestoutcome"])
	}
	wantOutcomes := []string{"1A", "2Y", "3H", "3A", "4H", "4H", "5H", "6Y", "6N", "6W", "7Y"}
	if !slices.Equal(outcomes, wantOutcomes) {
		t.Errorf("requests = %v, want %v", outcomes, wantOutcomes)
	}
	var assessments []string
	for _, a := range rows(t, r, "assessment") {
		assessments = append(assessments, a["requeststableid"]+a["assessmentoutcome"])
	}
	if want := []string{"2Y", "7H", "8N", "11Y"}; !slices.Equal(assessments, want) {
		t.Errorf("assessments = %v, want %v", assessments, want)
	}
}

// TestPeople: Return.People names exactly the children of the person rows, in table id order, so
// the export audits who was disclosed and no one else: not Unused (asked only after the reference
// date), and the person missing from the snapshot, who has a row, is named.
func TestPeople(t *testing.T) {
	r := sen2.Build(fixture())
	want := []string{"yp-ghost", "yp-a", "yp-b", "yp-c", "yp-d", "yp-e", "yp-f"}
	if !slices.Equal(r.People, want) {
		t.Fatalf("People = %v, want %v", r.People, want)
	}
	if n := len(rows(t, r, "person")); n != len(r.People) {
		t.Fatalf("%d person rows, %d people", n, len(r.People))
	}
	if got := sen2.Build(snapshot([]sen2.Person{person("yp-x", "Unused")}, nil, nil)).People; len(got) != 0 {
		t.Fatalf("an empty return names %v", got)
	}
}

// TestDeterministic: the same data in any order gives the same return and the same zip bytes.
func TestDeterministic(t *testing.T) {
	s := fixture()
	want := sen2.Build(s)
	var wantZip bytes.Buffer
	if err := want.WriteZip(&wantZip); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 25 {
		sh := s
		sh.Persons, sh.Requests, sh.Plans = slices.Clone(s.Persons), slices.Clone(s.Requests), slices.Clone(s.Plans)
		rng.Shuffle(len(sh.Persons), func(i, j int) { sh.Persons[i], sh.Persons[j] = sh.Persons[j], sh.Persons[i] })
		rng.Shuffle(len(sh.Requests), func(i, j int) { sh.Requests[i], sh.Requests[j] = sh.Requests[j], sh.Requests[i] })
		rng.Shuffle(len(sh.Plans), func(i, j int) { sh.Plans[i], sh.Plans[j] = sh.Plans[j], sh.Plans[i] })
		got := sen2.Build(sh)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: return differs", i)
		}
		var zip bytes.Buffer
		if err := got.WriteZip(&zip); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(zip.Bytes(), wantZip.Bytes()) {
			t.Fatalf("shuffle %d: zip bytes differ", i)
		}
	}
}

// TestIssues: every kind of issue, with the row and person it belongs to.
func TestIssues(t *testing.T) {
	bare := sen2.Person{ID: "yp-1"}
	q, p := newPlan()
	cases := []struct {
		name string
		s    sen2.Snapshot
		want []sen2.Issue
	}{
		{"person items missing", snapshot([]sen2.Person{bare}, []sen2.Request{{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 1)}}, nil), []sen2.Issue{
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "ethnicity"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "forename"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "personbirthdate"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "postcode"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "sex"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "surname"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "upn/uniquelearnernumber/upnunknown"},
		}},
		{"person not in the snapshot", snapshot(nil, []sen2.Request{{ID: "r1", PersonID: "yp-9", ReceivedOn: d(2025, 2, 1)}}, nil), []sen2.Issue{
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-9", Field: "ethnicity"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-9", Field: "forename"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-9", Field: "personbirthdate"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-9", Field: "postcode"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-9", Field: "sex"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-9", Field: "surname"},
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-9", Field: "upn/uniquelearnernumber/upnunknown"},
		}},
		{"ethnicity not a DfE code", withPerson(func(p *sen2.Person) { p.Ethnicity = "WELSH" }), []sen2.Issue{
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "ethnicity", Problem: "not a DfE ethnicity code"},
		}},
		{"sex not female or male", withPerson(func(p *sen2.Person) { p.Sex = "unknown" }), []sen2.Issue{
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "sex"},
		}},
		{"UPN-unknown reason instead of a UPN: fine", withPerson(func(p *sen2.Person) { p.UPN, p.UPNUnknown = "", "UN2" }), nil},
		{"ULN instead of a UPN: fine", withPerson(func(p *sen2.Person) { p.UPN, p.ULN = "", "1000000043" }), nil},
		{"UPN-unknown reason not a DfE code", withPerson(func(p *sen2.Person) { p.UPN, p.UPNUnknown = "", "UN4" }), []sen2.Issue{
			{Module: "person", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "upn/uniquelearnernumber/upnunknown"},
		}},
		{"request with no received date", snapshot(yp, []sen2.Request{{ID: "r1", PersonID: "yp-1"}}, nil), []sen2.Issue{
			{Module: "requests", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "receiveddate"},
		}},
		{"decision with no date", snapshot(yp, []sen2.Request{{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 1), Decision: "assess"}}, nil), []sen2.Issue{
			{Module: "requests", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "requestoutcomedate"},
		}},
		{"refusal to issue with no date", snapshot(yp, []sen2.Request{{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 1),
			Decision: "assess", DecidedOn: pd(2025, 3, 1), IssueDecision: "not_issue"}}, nil), []sen2.Issue{
			{Module: "assessment", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "assessmentoutcomedate"},
		}},
		{"placement flags not recorded", withPlan(func(p *sen2.Plan) { p.Placement.Residential, p.Placement.WorkBased = nil, nil }), []sen2.Issue{
			{Module: "namedplan", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "planres"},
			{Module: "namedplan", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "planwbp"},
		}},
		{"ceased with no reason", withPlan(func(p *sen2.Plan) { p.CeasedOn = pd(2025, 11, 1) }), []sen2.Issue{
			{Module: "namedplan", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "ceasereason"},
		}},
		{"ceased with a reason not 1 to 9", withPlan(func(p *sen2.Plan) { p.CeasedOn, p.CeaseReason = pd(2025, 11, 1), "10" }), []sen2.Issue{
			{Module: "namedplan", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "ceasereason"},
		}},
		{"no placement", withPlan(func(p *sen2.Plan) { p.Placement = nil }), []sen2.Issue{
			{Module: "namedplan", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "planres"},
			{Module: "namedplan", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "planwbp"},
			{Module: "plandetail", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "placement"},
			{Module: "placementdetail", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "placement"},
		}},
		{"setting not identifiable", withPlan(func(p *sen2.Plan) { p.Placement.URN, p.Placement.SettingType = "", "" }), []sen2.Issue{
			{Module: "plandetail", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "urn/ukprn/sensetting"},
			{Module: "placementdetail", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "urn/ukprn/sensetting"},
		}},
		{"no primary need", withPlan(func(p *sen2.Plan) { p.Needs = []sen2.Need{{Type: "ASD", Rank: 2}} }), []sen2.Issue{
			{Module: "senneed", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "sentype"},
		}},
		{"no needs", withPlan(func(p *sen2.Plan) { p.Needs = nil }), []sen2.Issue{
			{Module: "senneed", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "sentype"},
		}},
		{"need type not SEN2", withPlan(func(p *sen2.Plan) { p.Needs = []sen2.Need{{Type: "ADHD", Rank: 1}} }), []sen2.Issue{
			{Module: "senneed", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "sentype"},
		}},
		{"transferred in during P, LA not recorded", snapshot(yp, nil, []sen2.Plan{{ID: "p1", PersonID: "yp-1", FirstIssuedOn: d(2025, 5, 1),
			Placement: school(), Needs: []sen2.Need{{Type: "PD", Rank: 1}}}}), []sen2.Issue{
			{Module: "activeplans", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "transferla"},
		}},
		{"transferred in during P, LA malformed", snapshot(yp, nil, []sen2.Plan{{ID: "p1", PersonID: "yp-1", FirstIssuedOn: d(2025, 5, 1),
			TransferredFromLA: "Salford", Placement: school(), Needs: []sen2.Need{{Type: "PD", Rank: 1}}}}), []sen2.Issue{
			{Module: "activeplans", TableID: "1", PersonTableID: "1", YoungPersonID: "yp-1", Field: "transferla"},
		}},
		{"LA not configured", func() sen2.Snapshot { s := snapshot(nil, nil, nil); s.LA = ""; return s }(), []sen2.Issue{
			{Module: "sen2", TableID: "1", Field: "lea"},
		}},
		{"LA malformed", func() sen2.Snapshot { s := snapshot(nil, nil, nil); s.LA = "35"; return s }(), []sen2.Issue{
			{Module: "sen2", TableID: "1", Field: "lea"},
		}},
		{"complete", snapshot(yp, []sen2.Request{q}, []sen2.Plan{p}), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sen2.Build(c.s)
			got := slices.Clone(r.Issues)
			for i := range got {
				if got[i].Problem == "" {
					t.Errorf("issue %v has no problem text", got[i])
				}
				if c.want != nil && i < len(c.want) && c.want[i].Problem == "" {
					got[i].Problem = ""
				}
			}
			if !reflect.DeepEqual(got, c.want) && (len(got) != 0 || len(c.want) != 0) {
				t.Errorf("issues =\n%v\nwant\n%v", got, c.want)
			}
		})
	}
}

func withPerson(edit func(*sen2.Person)) sen2.Snapshot {
	p := person("yp-1", "Able")
	edit(&p)
	return snapshot([]sen2.Person{p}, []sen2.Request{{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 1)}}, nil)
}

func withPlan(edit func(*sen2.Plan)) sen2.Snapshot {
	q, p := newPlan()
	edit(&p)
	return snapshot(yp, []sen2.Request{q}, []sen2.Plan{p})
}

// TestIssueOrder: the header first, then by person table id, module order and field; and the
// problems never repeat a personal value.
func TestIssueOrder(t *testing.T) {
	s := fixture()
	s.LA = ""
	r := sen2.Build(s)
	var got []string
	for _, is := range r.Issues {
		got = append(got, strings.Join([]string{is.PersonTableID, is.Module, is.TableID, is.YoungPersonID, is.Field}, "|"))
	}
	// The person missing from the snapshot has a blank surname, so is person 1; Ford (person 7)
	// has a bad ethnicity, no sex and no identifiers, and a plan with no placement and no needs.
	// Everyone else is complete.
	want := []string{
		"|sen2|1||lea",
		"1|person|1|yp-ghost|ethnicity",
		"1|person|1|yp-ghost|forename",
		"1|person|1|yp-ghost|personbirthdate",
		"1|person|1|yp-ghost|postcode",
		"1|person|1|yp-ghost|sex",
		"1|person|1|yp-ghost|surname",
		"1|person|1|yp-ghost|upn/uniquelearnernumber/upnunknown",
		"7|person|7|yp-f|ethnicity",
		"7|person|7|yp-f|sex",
		"7|person|7|yp-f|upn/uniquelearnernumber/upnunknown",
		"7|namedplan|3|yp-f|planres",
		"7|namedplan|3|yp-f|planwbp",
		"7|plandetail|3|yp-f|placement",
		"7|placementdetail|5|yp-f|placement",
		"7|senneed|5|yp-f|sentype",
	}
	if !slices.Equal(got, want) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Person before module: person 1's need issue comes before person 2's missing postcode.
	q1 := sen2.Request{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 1)}
	q2 := sen2.Request{ID: "r2", PersonID: "yp-2", ReceivedOn: d(2025, 2, 1)}
	baker := person("yp-2", "Baker")
	baker.Postcode = ""
	p := oldPlan("p1", "")
	p.Needs = nil
	two := sen2.Build(snapshot([]sen2.Person{baker, person("yp-1", "Able")}, []sen2.Request{q2, q1}, []sen2.Plan{p}))
	got = nil
	for _, is := range two.Issues {
		got = append(got, is.PersonTableID+"|"+is.Module+"|"+is.Field)
	}
	if want := []string{"1|senneed|sentype", "2|person|postcode"}; !slices.Equal(got, want) {
		t.Errorf("issues = %v, want %v", got, want)
	}

	for _, is := range r.Issues {
		for _, pv := range []string{"Able", "Ford", "Sam", "2014-05-02", "M5 4WT", "XXXX", "B801200005001", "802"} {
			if strings.Contains(is.Problem, pv) {
				t.Errorf("problem %q holds a personal value", is.Problem)
			}
		}
	}
}
