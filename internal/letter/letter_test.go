package letter

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
)

func day(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

func ptr[T any](v T) *T { return &v }

var council = Council{Name: "Example Council SEND Team", Address: "1 Town Hall Square", Email: "send@council.example", Phone: "0161 000 0000"}

// request is received Monday 5 January 2026: decision due 16 February (6 weeks), no-plan notice
// 27 April (16 weeks), final plan 25 May (20 weeks).
func request() ehc.Request {
	return ehc.Request{ID: "r1", YoungPersonID: "y1", ReceivedOn: day("2026-01-05"), Status: ehc.Received, Version: 1,
		UpdatedAt: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)}
}

// TestLetterDates: each letter carries exactly the dates the statutory calendar computed for
// the record (the same Deadlines the API answers with), for a table of cases.
func TestLetterDates(t *testing.T) {
	notAssessed := request()
	notAssessed.Status, notAssessed.Decision = ehc.NotAssessed, &ehc.Decision{Decision: ehc.NotAssess, DecidedOn: day("2026-02-10"), Reason: "Needs met."}
	assessing := request()
	assessing.Status, assessing.Decision = ehc.Assessing, &ehc.Decision{Decision: ehc.Assess, DecidedOn: day("2026-02-13")}
	notIssued := assessing
	notIssued.Status, notIssued.IssueDecision = ehc.NotIssued, &ehc.IssueDecision{Decision: ehc.NotIssue, DecidedOn: day("2026-04-20")}
	drafting := assessing
	drafting.Status, drafting.IssueDecision = ehc.PlanDrafting, &ehc.IssueDecision{Decision: ehc.Issue, DecidedOn: day("2026-03-30")}
	plan := ehcplan.Plan{ID: "p1", YoungPersonID: "y1", RequestID: "r1", Version: 3, UpdatedAt: time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC),
		Versions: []ehcplan.Version{{Number: 1, Kind: ehcplan.KindDraft, ServedOn: ptr(day("2026-04-06")), CommentsDueOn: ptr(day("2026-04-20"))}}}
	issued := plan
	issued.Versions = append(issued.Versions, ehcplan.Version{Number: 2, Kind: ehcplan.KindFinal, IssuedOn: ptr(day("2026-05-18"))})
	issued.ReviewDueOn, issued.Status = ptr(day("2027-05-17")), ehcplan.Issued
	ceasing := issued
	ceasing.Status = ehcplan.Ceasing
	ceasing.Cessation = &ehcplan.Cessation{Reason: "2", DecidedOn: day("2026-09-01"), CeasesOn: day("2026-11-02")}

	cases := []struct {
		name string
		kind Kind
		r    ehc.Request
		plan *ehcplan.Plan
		want map[string]string // API field -> date
		err  fault.Kind
	}{
		{"not to assess", DecisionNotToAssess, notAssessed, nil, map[string]string{"received_on": "2026-01-05",
			"deadlines.decision_to_assess.adjusted_due_on": "2026-02-16", "decision.decided_on": "2026-02-10"}, 0},
		{"to assess", DecisionToAssess, assessing, nil, map[string]string{"received_on": "2026-01-05", "decision.decided_on": "2026-02-13",
			"deadlines.decision_to_assess.adjusted_due_on": "2026-02-16", "deadlines.no_plan_notice.adjusted_due_on": "2026-04-27",
			"deadlines.final_plan.adjusted_due_on": "2026-05-25"}, 0},
		{"not to issue", DecisionNotToIssue, notIssued, nil, map[string]string{"received_on": "2026-01-05",
			"deadlines.no_plan_notice.adjusted_due_on": "2026-04-27", "issue_decision.decided_on": "2026-04-20"}, 0},
		{"draft plan", DraftPlan, drafting, &plan, map[string]string{"versions[].served_on": "2026-04-06",
			"versions[].comments_due_on": "2026-04-20", "deadlines.final_plan.adjusted_due_on": "2026-05-25"}, 0},
		{"final plan", FinalPlan, drafting, &issued, map[string]string{"versions[].issued_on": "2026-05-18", "next_review.due_on": "2027-05-17",
			"deadlines.final_plan.adjusted_due_on": "2026-05-25"}, 0},
		{"cease", Cease, drafting, &ceasing, map[string]string{"cessation.decided_on": "2026-09-01", "cessation.ceases_on": "2026-11-02"}, 0},
		{"no refusal to assess yet", DecisionNotToAssess, assessing, nil, nil, fault.Conflict},
		{"no decision yet", DecisionToAssess, request(), nil, nil, fault.Conflict},
		{"no plan yet", FinalPlan, drafting, nil, nil, fault.Conflict},
		{"a draft never served", DraftPlan, drafting, &ehcplan.Plan{Versions: []ehcplan.Version{{Number: 1, Kind: ehcplan.KindDraft}}}, nil, fault.Conflict},
		{"not a letter", Kind("thank_you"), assessing, nil, nil, fault.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := ForRequest(c.kind, c.r, c.plan, Child{Name: "Amara Example", DateOfBirth: day("2017-05-14")}, council)
			if c.err != 0 {
				var f *fault.Error
				if !errors.As(err, &f) || f.Kind != c.err {
					t.Fatalf("err %v, want kind %d", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range l.Dates {
				got[d.Field] = d.On.Format("2006-01-02")
			}
			if len(got) != len(c.want) {
				t.Fatalf("dates %v, want %v", got, c.want)
			}
			for f, want := range c.want {
				if got[f] != want {
					t.Errorf("%s: %s, want %s", f, got[f], want)
				}
			}
			// The deadlines are the request's own (what the API answers), not recomputed here.
			d := c.r.Deadlines(c.r.UpdatedAt)
			if v, ok := got["deadlines.final_plan.adjusted_due_on"]; ok && v != d.FinalPlan.AdjustedDueOn.Format("2006-01-02") {
				t.Errorf("final plan due %s, request says %s", v, d.FinalPlan.AdjustedDueOn)
			}
			html, err := HTML(l)
			if err != nil {
				t.Fatal(err)
			}
			for f, want := range c.want {
				if !strings.Contains(string(html), `data-field="`+f+`"><time datetime="`+want+`">`) {
					t.Errorf("HTML lacks %s %s", f, want)
				}
			}
			if !strings.Contains(string(html), `<html lang="en-GB">`) || !strings.Contains(string(html), council.Phone) {
				t.Errorf("HTML: %s", html)
			}
		})
	}
}

// TestPlanDocument: the plan's sections A to K, in order, with its dates.
func TestPlanDocument(t *testing.T) {
	p := ehcplan.Plan{ID: "p1", Version: 2, Status: ehcplan.Issued, ReviewDueOn: ptr(day("2027-05-17")), Versions: []ehcplan.Version{{Number: 2, Kind: ehcplan.KindFinal,
		IssuedOn: ptr(day("2026-05-18")), Sections: ehcplan.Sections{B: []ehcplan.Need{{Ref: "B1", SENType: "SLCN", Description: "Speech."}},
			I: ehcplan.Placement{SettingName: "Oak Primary", SettingType: "mainstream_school"}}}}}
	l := ForPlan(p, Child{Name: "Amara Example"}, council)
	if len(l.Sections) != 12 || l.Sections[0].Heading[:2] != "A." || l.Sections[11].Heading[:2] != "K." {
		t.Fatalf("sections %v", l.Sections)
	}
	if l.Sections[1].Lines[0] != "B1. Speech. (SLCN)" || l.Sections[9].Lines[0] != "Oak Primary (mainstream school)" || !l.Dated.Equal(day("2026-05-18")) {
		t.Fatalf("%+v", l)
	}
	if len(l.Dates) != 2 || l.Dates[1].Field != "next_review.due_on" {
		t.Fatalf("dates %+v", l.Dates)
	}
}
