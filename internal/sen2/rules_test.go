package sen2_test

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/sen2"
)

var yp = []sen2.Person{person("yp-1", "Able")}

// TestRequestInclusion: rules (a) received in the period and (b) received before it and still open
// at its start or decided within it, on either side of the period's edges and of R. No plan is in
// the snapshot, so rule (c) never applies here.
func TestRequestInclusion(t *testing.T) {
	cases := []struct {
		name    string
		r       sen2.Request
		want    bool
		outcome string // requestoutcome when included
		date    string // requestoutcomedate
	}{
		{"received on the first day of P", sen2.Request{ReceivedOn: d(2025, 1, 1)}, true, "A", ""},
		{"received on the last day of P", sen2.Request{ReceivedOn: d(2025, 12, 31), Decision: "not_assess", DecidedOn: pd(2026, 1, 10)}, true, "N", "2026-01-10"},
		{"received in P and refused in P", sen2.Request{ReceivedOn: d(2025, 2, 1), Decision: "not_assess", DecidedOn: pd(2025, 3, 1)}, true, "N", "2025-03-01"},
		{"received after P, before R", sen2.Request{ReceivedOn: d(2026, 1, 2)}, false, "", ""},
		{"received on R", sen2.Request{ReceivedOn: d(2026, 1, 15)}, false, "", ""},
		{"received after R", sen2.Request{ReceivedOn: d(2026, 1, 16)}, false, "", ""},
		{"received the day before P, open", sen2.Request{ReceivedOn: d(2024, 12, 31)}, true, "A", ""},
		{"received before P, refused the day before P", sen2.Request{ReceivedOn: d(2024, 11, 1), Decision: "not_assess", DecidedOn: pd(2024, 12, 31)}, false, "", ""},
		{"received before P, refused on P's first day", sen2.Request{ReceivedOn: d(2024, 11, 1), Decision: "not_assess", DecidedOn: pd(2025, 1, 1)}, true, "N", "2025-01-01"},
		{"received before P, withdrawn before P", sen2.Request{ReceivedOn: d(2024, 6, 1), WithdrawnOn: pd(2024, 12, 31)}, false, "", ""},
		{"received before P, withdrawn in P", sen2.Request{ReceivedOn: d(2024, 6, 1), WithdrawnOn: pd(2025, 2, 1)}, true, "W", "2025-02-01"},
		{"received before P, withdrawn after R: still open", sen2.Request{ReceivedOn: d(2024, 6, 1), WithdrawnOn: pd(2026, 1, 16)}, true, "A", ""},
		{"received before P, plan issued before P, no plan in scope", sen2.Request{ReceivedOn: d(2024, 6, 1), Decision: "assess", DecidedOn: pd(2024, 7, 1), PlanIssuedOn: pd(2024, 12, 31)}, false, "", ""},
		{"received before P, plan issued on P's first day", sen2.Request{ReceivedOn: d(2024, 6, 1), Decision: "assess", DecidedOn: pd(2024, 7, 1), PlanIssuedOn: pd(2025, 1, 1)}, true, "Y", "2024-07-01"},
		{"received before P, refused to issue before P", sen2.Request{ReceivedOn: d(2024, 6, 1), Decision: "assess", DecidedOn: pd(2024, 7, 1), IssueDecision: "not_issue", IssueDecidedOn: pd(2024, 10, 1)}, false, "", ""},
		{"received before P, refused to issue in P", sen2.Request{ReceivedOn: d(2024, 6, 1), Decision: "assess", DecidedOn: pd(2024, 7, 1), IssueDecision: "not_issue", IssueDecidedOn: pd(2025, 10, 1)}, true, "Y", "2024-07-01"},
		{"received years before P, assessment still open", sen2.Request{ReceivedOn: d(2023, 3, 1), Decision: "assess", DecidedOn: pd(2023, 4, 1)}, true, "Y", "2023-04-01"},
		{"received before P, assessed and withdrawn before P", sen2.Request{ReceivedOn: d(2024, 3, 1), Decision: "assess", DecidedOn: pd(2024, 4, 1), WithdrawnOn: pd(2024, 8, 1)}, false, "", ""},
		{"received before P, refusal with no date: kept to be reported", sen2.Request{ReceivedOn: d(2024, 3, 1), Decision: "not_assess"}, true, "N", ""},
		{"no received date, open: kept to be reported", sen2.Request{}, true, "A", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.r.ID, c.r.PersonID = "r1", "yp-1"
			r := sen2.Build(snapshot(yp, []sen2.Request{c.r}, nil))
			rs := rows(t, r, "requests")
			if !c.want {
				if len(rs) != 0 || len(rows(t, r, "person")) != 0 {
					t.Fatalf("included: %v", rs)
				}
				return
			}
			if len(rs) != 1 {
				t.Fatalf("%d request rows, want 1", len(rs))
			}
			check(t, "request", rs[0], map[string]string{"requestoutcome": c.outcome, "requestoutcomedate": c.date,
				"receiveddate": date(c.r.ReceivedOn), "exported": "0"})
		})
	}
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// TestRequestOutcomes: each request outcome code and its date, with events after R not happened.
func TestRequestOutcomes(t *testing.T) {
	base := sen2.Request{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 9, 1), InYouthCustody: true,
		RequestMediation: true, RequestTribunal: false}
	cases := []struct {
		name             string
		edit             func(*sen2.Request)
		outcome, date    string
		assessment, adat string // "-" no assessment row
	}{
		{"pending", func(r *sen2.Request) {}, "A", "", "-", ""},
		{"decision after R is pending", func(r *sen2.Request) { r.Decision, r.DecidedOn = "assess", pd(2026, 1, 16) }, "A", "", "-", ""},
		{"decision on R counts", func(r *sen2.Request) { r.Decision, r.DecidedOn = "assess", pd(2026, 1, 15) }, "Y", "2026-01-15", "A", ""},
		{"assess", func(r *sen2.Request) { r.Decision, r.DecidedOn = "assess", pd(2025, 10, 10) }, "Y", "2025-10-10", "A", ""},
		{"not assess", func(r *sen2.Request) { r.Decision, r.DecidedOn = "not_assess", pd(2025, 10, 10) }, "N", "2025-10-10", "-", ""},
		{"withdrawn before a decision", func(r *sen2.Request) { r.WithdrawnOn = pd(2025, 9, 20) }, "W", "2025-09-20", "-", ""},
		{"withdrawn, decision dated after R", func(r *sen2.Request) {
			r.WithdrawnOn, r.Decision, r.DecidedOn = pd(2025, 9, 20), "assess", pd(2026, 2, 1)
		}, "W", "2025-09-20", "-", ""},
		{"withdrawn before a later decision", func(r *sen2.Request) {
			r.WithdrawnOn, r.Decision, r.DecidedOn = pd(2025, 9, 20), "not_assess", pd(2025, 10, 1)
		}, "W", "2025-09-20", "-", ""},
		{"withdrawal after R did not happen", func(r *sen2.Request) { r.WithdrawnOn = pd(2026, 1, 20) }, "A", "", "-", ""},
		{"withdrawn after the decision to assess", func(r *sen2.Request) {
			r.Decision, r.DecidedOn, r.WithdrawnOn = "assess", pd(2025, 10, 1), pd(2025, 11, 1)
		}, "Y", "2025-10-01", "W", "2025-11-01"},
		{"withdrawn on the day of the decision", func(r *sen2.Request) {
			r.Decision, r.DecidedOn, r.WithdrawnOn = "assess", pd(2025, 10, 1), pd(2025, 10, 1)
		}, "Y", "2025-10-01", "W", "2025-10-01"},
		{"unknown decision value is no decision", func(r *sen2.Request) { r.Decision, r.DecidedOn = "maybe", pd(2025, 10, 1) }, "A", "", "-", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := base
			c.edit(&q)
			r := sen2.Build(snapshot(yp, []sen2.Request{q}, nil))
			check(t, "request", only(t, r, "requests"), map[string]string{"requeststableid": "1", "persontableid": "1",
				"receiveddate": "2025-09-01", "rya": "1", "requestoutcome": c.outcome, "requestoutcomedate": c.date,
				"requestmediation": "1", "requesttribunal": "0", "exported": "0"})
			as := rows(t, r, "assessment")
			if c.assessment == "-" {
				if len(as) != 0 {
					t.Fatalf("assessment rows %v, want none", as)
				}
				return
			}
			if len(as) != 1 {
				t.Fatalf("%d assessment rows, want 1", len(as))
			}
			check(t, "assessment", as[0], map[string]string{"assessmenttableid": "1", "requeststableid": "1",
				"assessmentoutcome": c.assessment, "assessmentoutcomedate": c.adat})
		})
	}
}

// TestAssessmentOutcomes: Y, N, W and A with their dates, week20 only for Y and N, and the flags.
func TestAssessmentOutcomes(t *testing.T) {
	base := sen2.Request{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 3, 1), Decision: "assess", DecidedOn: pd(2025, 4, 10),
		Week20: true, AssessmentMediation: true, AssessmentTribunal: true, OtherMediation: false, OtherTribunal: true}
	cases := []struct {
		name                  string
		edit                  func(*sen2.Request)
		outcome, date, week20 string
	}{
		{"pending", func(r *sen2.Request) {}, "A", "", ""},
		{"plan issued", func(r *sen2.Request) { r.PlanIssuedOn = pd(2025, 7, 20) }, "Y", "2025-07-20", "1"},
		{"plan issued within 20 weeks", func(r *sen2.Request) { r.PlanIssuedOn, r.Week20 = pd(2025, 7, 20), false }, "Y", "2025-07-20", "0"},
		{"plan issued on R", func(r *sen2.Request) { r.PlanIssuedOn = pd(2026, 1, 15) }, "Y", "2026-01-15", "1"},
		{"plan issued after R is pending", func(r *sen2.Request) { r.PlanIssuedOn = pd(2026, 1, 16) }, "A", "", ""},
		{"decided to issue, not yet issued", func(r *sen2.Request) { r.IssueDecision, r.IssueDecidedOn = "issue", pd(2025, 6, 1) }, "A", "", ""},
		{"refused to issue", func(r *sen2.Request) {
			r.IssueDecision, r.IssueDecidedOn, r.Week20 = "not_issue", pd(2025, 6, 30), false
		}, "N", "2025-06-30", "0"},
		{"refusal after R is pending", func(r *sen2.Request) { r.IssueDecision, r.IssueDecidedOn = "not_issue", pd(2026, 1, 30) }, "A", "", ""},
		{"withdrawn after the decision to assess", func(r *sen2.Request) { r.WithdrawnOn = pd(2025, 5, 1) }, "W", "2025-05-01", ""},
		{"withdrawn after R is pending", func(r *sen2.Request) { r.WithdrawnOn = pd(2026, 2, 1) }, "A", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := base
			c.edit(&q)
			r := sen2.Build(snapshot(yp, []sen2.Request{q}, nil))
			check(t, "request", only(t, r, "requests"), map[string]string{"requestoutcome": "Y", "requestoutcomedate": "2025-04-10"})
			check(t, "assessment", only(t, r, "assessment"), map[string]string{"assessmenttableid": "1", "requeststableid": "1",
				"assessmentoutcome": c.outcome, "assessmentoutcomedate": c.date, "week20": c.week20,
				"assessmentmediation": "1", "assessmenttribunal": "1", "othermediation": "0", "othertribunal": "1"})
			if len(rows(t, r, "namedplan")) != 0 {
				t.Error("a named plan with no plan in the snapshot")
			}
		})
	}
}

// oldRequest was received, assessed and issued before the period: it can only appear as history.
func oldRequest(id string) sen2.Request {
	return sen2.Request{ID: id, PersonID: "yp-1", ReceivedOn: d(2022, 1, 10), InYouthCustody: true, Decision: "assess",
		DecidedOn: pd(2022, 2, 1), PlanIssuedOn: pd(2022, 5, 1), Week20: true, RequestMediation: true, OtherTribunal: true}
}

func oldPlan(id, requestID string) sen2.Plan {
	return sen2.Plan{ID: id, PersonID: "yp-1", RequestID: requestID, FirstIssuedOn: d(2022, 5, 1), Placement: school(),
		Needs: []sen2.Need{{Type: "ASD", Rank: 1}}}
}

// TestHistorical: rule (c) and the H rows, against the plan's cease date on either side of P and R.
func TestHistorical(t *testing.T) {
	cases := []struct {
		name       string
		ceased     *sen2.Plan
		inReturn   bool
		active     bool
		named      bool
		ceaseDate  string
		ceaseIssue bool
	}{
		{"in force", &sen2.Plan{}, true, true, false, "", false},
		{"ceased after R: still in force", &sen2.Plan{CeasedOn: pd(2026, 1, 16), CeaseReason: "2"}, true, true, false, "", false},
		{"ceased on R: not in force", &sen2.Plan{CeasedOn: pd(2026, 1, 15), CeaseReason: "2"}, false, false, false, "", false},
		{"ceased between P and R", &sen2.Plan{CeasedOn: pd(2026, 1, 2), CeaseReason: "2"}, false, false, false, "", false},
		{"ceased on P's last day", &sen2.Plan{CeasedOn: pd(2025, 12, 31), CeaseReason: "3"}, true, false, true, "2025-12-31", false},
		{"ceased on P's first day", &sen2.Plan{CeasedOn: pd(2025, 1, 1), CeaseReason: "8"}, true, false, true, "2025-01-01", false},
		{"ceased the day before P", &sen2.Plan{CeasedOn: pd(2024, 12, 31), CeaseReason: "2"}, false, false, false, "", false},
		{"ceased in P, no reason", &sen2.Plan{CeasedOn: pd(2025, 6, 1)}, true, false, true, "2025-06-01", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := oldPlan("p1", "r1")
			p.CeasedOn, p.CeaseReason = c.ceased.CeasedOn, c.ceased.CeaseReason
			r := sen2.Build(snapshot(yp, []sen2.Request{oldRequest("r1")}, []sen2.Plan{p}))
			rs := rows(t, r, "requests")
			if !c.inReturn {
				for _, m := range r.Modules[1:] {
					if len(m.Rows) != 0 {
						t.Errorf("%s: %v, want nothing", m.Name, m.Rows)
					}
				}
				return
			}
			if len(rs) != 1 {
				t.Fatalf("%d request rows, want 1", len(rs))
			}
			// Historical: outcome items blank, the received date and RYA kept.
			check(t, "request", rs[0], map[string]string{"requeststableid": "1", "persontableid": "1", "receiveddate": "2022-01-10",
				"rya": "1", "requestoutcome": "H", "requestoutcomedate": "", "requestmediation": "", "requesttribunal": "", "exported": "0"})
			if got := len(rows(t, r, "activeplans")); (got == 1) != c.active {
				t.Errorf("%d active plans, want active=%v", got, c.active)
			}
			as, nps := rows(t, r, "assessment"), rows(t, r, "namedplan")
			if !c.named {
				if len(as) != 0 || len(nps) != 0 {
					t.Errorf("assessment %v / named plan %v for a plan neither issued nor ceased in P", as, nps)
				}
			} else {
				if len(as) != 1 || len(nps) != 1 {
					t.Fatalf("%d assessment and %d named plan rows, want 1 and 1", len(as), len(nps))
				}
				check(t, "assessment", as[0], map[string]string{"assessmenttableid": "1", "requeststableid": "1",
					"assessmentoutcome": "H", "assessmentoutcomedate": "", "assessmentmediation": "", "assessmenttribunal": "",
					"othermediation": "", "othertribunal": "", "week20": ""})
				check(t, "named plan", nps[0], map[string]string{"namedplantableid": "1", "assessmenttableid": "1",
					"startdate": "2022-05-01", "ceasedate": c.ceaseDate, "ceasereason": c.ceased.CeaseReason})
			}
			if hasIssue(r, "namedplan", "ceasereason") != c.ceaseIssue {
				t.Errorf("ceasereason issue = %v, want %v: %v", !c.ceaseIssue, c.ceaseIssue, r.Issues)
			}
		})
	}
}

func hasIssue(r sen2.Return, module, field string) bool {
	for _, is := range r.Issues {
		if is.Module == module && is.Field == field {
			return true
		}
	}
	return false
}

// TestTransferredIn: a plan with no request gets a synthesised H request; TransferLA only for a
// plan that started in P.
func TestTransferredIn(t *testing.T) {
	cases := []struct {
		name       string
		start      time.Time
		la         string
		ceased     bool
		transferla string
		issue      bool
		named      bool
	}{
		{"started in P", d(2025, 3, 1), "802", false, "802", false, true},
		{"started in P, LA not recorded", d(2025, 3, 1), "", false, "", true, true},
		{"started before P", d(2024, 12, 31), "802", false, "", false, false},
		{"started after P", d(2026, 1, 5), "802", false, "", false, false},
		{"started before P, ceased in P", d(2023, 3, 1), "802", true, "", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := sen2.Plan{ID: "p1", PersonID: "yp-1", TransferredFromLA: c.la, FirstIssuedOn: c.start, Placement: school(),
				Needs: []sen2.Need{{Type: "SLCN", Rank: 1}}}
			if c.ceased {
				p.CeasedOn, p.CeaseReason = pd(2025, 8, 1), "5"
			}
			r := sen2.Build(snapshot(yp, nil, []sen2.Plan{p}))
			check(t, "request", only(t, r, "requests"), map[string]string{"requeststableid": "1", "persontableid": "1",
				"receiveddate": "", "rya": "", "requestoutcome": "H", "requestoutcomedate": "", "exported": "0"})
			only(t, r, "person")
			if c.ceased {
				if len(rows(t, r, "activeplans")) != 0 {
					t.Error("a ceased plan is active")
				}
			} else {
				check(t, "active plan", only(t, r, "activeplans"), map[string]string{"activeplanstableid": "1",
					"requeststableid": "1", "transferla": c.transferla})
			}
			// A plan started within P is a named plan only when this council issued it on a
			// request; a ceased one is named for its cessation.
			nps := rows(t, r, "namedplan")
			if c.ceased {
				if len(nps) != 1 {
					t.Fatalf("%d named plans, want the cessation", len(nps))
				}
				check(t, "assessment", only(t, r, "assessment"), map[string]string{"requeststableid": "1", "assessmentoutcome": "H"})
			} else if len(nps) != 0 {
				t.Errorf("named plans %v for a transferred-in plan", nps)
			}
			if hasIssue(r, "activeplans", "transferla") != c.issue {
				t.Errorf("transferla issue: %v", r.Issues)
			}
		})
	}
}

// TestEventsAfterReference: the store passes later events; none of them may show.
func TestEventsAfterReference(t *testing.T) {
	q := sen2.Request{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 8, 1), Decision: "assess", DecidedOn: pd(2025, 9, 1),
		IssueDecision: "issue", IssueDecidedOn: pd(2026, 1, 10), PlanIssuedOn: pd(2026, 1, 20)}
	later := sen2.Request{ID: "r2", PersonID: "yp-1", ReceivedOn: d(2026, 1, 16)}
	p := oldPlan("p1", "r0")
	p.RequestID = ""
	p.CeasedOn, p.CeaseReason = pd(2026, 2, 1), "4"
	p.LastReviewMeetingOn, p.LastReviewDecision, p.LastReviewDecidedOn = pd(2026, 1, 16), "amend", pd(2026, 1, 30)
	future := sen2.Plan{ID: "p2", PersonID: "yp-1", RequestID: "r1", FirstIssuedOn: d(2026, 1, 20), Placement: school()}
	r := sen2.Build(snapshot(yp, []sen2.Request{q, later}, []sen2.Plan{p, future}))

	rs := rows(t, r, "requests")
	if len(rs) != 2 {
		t.Fatalf("%d request rows, want r1 and the transferred-in plan's", len(rs))
	}
	check(t, "r1", rs[0], map[string]string{"receiveddate": "2025-08-01", "requestoutcome": "Y"})
	check(t, "assessment", only(t, r, "assessment"), map[string]string{"assessmentoutcome": "A", "assessmentoutcomedate": "", "week20": ""})
	if n := len(rows(t, r, "namedplan")); n != 0 {
		t.Errorf("%d named plans, want none (the plan is issued after R)", n)
	}
	check(t, "active plan", only(t, r, "activeplans"), map[string]string{"reviewmeeting": "", "reviewoutcome": "", "lastreview": ""})
}
