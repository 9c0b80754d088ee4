package nextsteps

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
func at(t time.Time) *time.Time                { return &t }

// received 2 March 2026: decision to assess due 13 April (6 weeks), no-plan notice 22 June
// (16 weeks), final plan 20 July (20 weeks).
var received = day(2026, 3, 2)

func TestForRequest(t *testing.T) {
	cases := []struct {
		name     string
		r        ehc.Request
		today    time.Time
		says     []string // phrases the explanation must hold
		upcoming []What
		dates    []time.Time
	}{
		{name: "received", r: ehc.Request{Status: ehc.Received}, today: day(2026, 3, 10),
			says: []string{"received the request", "13 April 2026"}, upcoming: []What{DecisionToAssess, FinalPlan},
			dates: []time.Time{day(2026, 4, 13), day(2026, 7, 20)}},
		{name: "assessing", r: ehc.Request{Status: ehc.Assessing, Decision: &ehc.Decision{Decision: ehc.Assess, DecidedOn: day(2026, 4, 1)}},
			today: day(2026, 5, 1), says: []string{"carrying out the EHC needs assessment"}, upcoming: []What{NoPlanNotice, FinalPlan},
			dates: []time.Time{day(2026, 6, 22), day(2026, 7, 20)}},
		{name: "not assessed, appeal window open", r: ehc.Request{Status: ehc.NotAssessed,
			Decision: &ehc.Decision{Decision: ehc.NotAssess, DecidedOn: day(2026, 4, 10)}}, today: day(2026, 4, 20),
			says: []string{"10 April 2026", "not to carry out", "SEND Tribunal", "mediation"}, upcoming: []What{AppealBy}, dates: []time.Time{day(2026, 6, 10)}},
		{name: "not assessed, appeal window over", r: ehc.Request{Status: ehc.NotAssessed,
			Decision: &ehc.Decision{Decision: ehc.NotAssess, DecidedOn: day(2026, 4, 10)}}, today: day(2026, 6, 11),
			says: []string{"not to carry out"}},
		{name: "not issued", r: ehc.Request{Status: ehc.NotIssued, IssueDecision: &ehc.IssueDecision{Decision: ehc.NotIssue, DecidedOn: day(2026, 6, 1)}},
			today: day(2026, 6, 2), says: []string{"an EHC plan is not needed"}, upcoming: []What{AppealBy}, dates: []time.Time{day(2026, 8, 1)}},
		{name: "plan drafting", r: ehc.Request{Status: ehc.PlanDrafting}, today: day(2026, 6, 1),
			says: []string{"writing a draft", "15 days"}, upcoming: []What{FinalPlan}, dates: []time.Time{day(2026, 7, 20)}},
		{name: "plan issued", r: ehc.Request{Status: ehc.PlanIssued, PlanIssuedOn: at(day(2026, 7, 10))}, today: day(2026, 7, 11),
			says: []string{"10 July 2026", "complete"}},
		{name: "withdrawn", r: ehc.Request{Status: ehc.Withdrawn, Withdrawal: &ehc.Withdrawal{On: day(2026, 3, 20)}}, today: day(2026, 3, 21),
			says: []string{"withdrawn on 20 March 2026"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.r.ID, c.r.ReceivedOn = "r1", received
			out, dates := ForRequest(c.r, c.today)
			if out.ID != "r1" || out.Status != string(c.r.Status) || !out.ReceivedOn.Equal(received) {
				t.Errorf("request = %+v", out)
			}
			for _, s := range c.says {
				if !strings.Contains(out.WhatIsHappening, s) {
					t.Errorf("%q does not say %q", out.WhatIsHappening, s)
				}
			}
			checkDates(t, dates, c.upcoming, c.dates, ehc.RecordType)
		})
	}
}

func checkDates(t *testing.T, dates []Date, whats []What, ons []time.Time, recordType string) {
	t.Helper()
	var gotWhat []What
	var gotOn []time.Time
	for _, d := range dates {
		gotWhat, gotOn = append(gotWhat, d.What), append(gotOn, d.On)
		if d.Explanation == "" || d.RecordType != recordType {
			t.Errorf("date %+v", d)
		}
	}
	if !slices.Equal(gotWhat, whats) || !slices.EqualFunc(gotOn, ons, time.Time.Equal) {
		t.Errorf("upcoming = %v on %v, want %v on %v", gotWhat, gotOn, whats, ons)
	}
}

func TestForPlan(t *testing.T) {
	served := day(2026, 6, 1) // comments due 15 June
	draft := ehcplan.Version{Number: 1, Kind: ehcplan.KindDraft}
	servedDraft := draft
	servedDraft.ServedOn, servedDraft.CommentsDueOn = at(served), at(day(2026, 6, 15))
	final := ehcplan.Version{Number: 2, Kind: ehcplan.KindFinal, IssuedOn: at(day(2026, 7, 1))}
	proposal := ehcplan.Version{Number: 3, Kind: ehcplan.KindAmendment, ServedOn: at(day(2027, 3, 1)), CommentsDueOn: at(day(2027, 3, 15)),
		FinalDueOn: at(day(2027, 4, 26))}
	issued := ehcplan.Plan{Status: ehcplan.Issued, Versions: []ehcplan.Version{servedDraft, final}, LastIssuedOn: at(day(2026, 7, 1)),
		ReviewDueOn: at(day(2027, 6, 30))}
	amending := issued
	amending.Versions = []ehcplan.Version{servedDraft, final, proposal}
	transferring := issued
	transferring.PhaseTransfer = &ehcplan.PhaseTransfer{TransferOn: day(2027, 9, 1), DueOn: day(2027, 2, 15)}
	ceasing := ehcplan.Plan{Status: ehcplan.Ceasing, Versions: []ehcplan.Version{servedDraft, final},
		Cessation: &ehcplan.Cessation{Reason: "2", DecidedOn: day(2027, 1, 10), CeasesOn: day(2027, 3, 11)}}
	cases := []struct {
		name     string
		p        ehcplan.Plan
		today    time.Time
		says     []string
		open     *time.Time
		upcoming []What
		dates    []time.Time
	}{
		{name: "draft being written", p: ehcplan.Plan{Status: ehcplan.Draft, Versions: []ehcplan.Version{draft}}, today: served,
			says: []string{"writing a draft", "15 days"}},
		{name: "draft served: comments open", p: ehcplan.Plan{Status: ehcplan.Draft, Versions: []ehcplan.Version{servedDraft}}, today: day(2026, 6, 15),
			says: []string{"1 June 2026", "until 15 June 2026", "school or college"}, open: at(day(2026, 6, 15)),
			upcoming: []What{CommentsDue}, dates: []time.Time{day(2026, 6, 15)}},
		{name: "draft served: comments closed", p: ehcplan.Plan{Status: ehcplan.Draft, Versions: []ehcplan.Version{servedDraft}}, today: day(2026, 6, 16),
			says: []string{"ended on 15 June 2026", "final plan"}},
		{name: "in force", p: issued, today: day(2026, 8, 1), says: []string{"in force", "1 July 2026", "12 months"},
			upcoming: []What{AnnualReview}, dates: []time.Time{day(2027, 6, 30)}},
		{name: "changes proposed", p: amending, today: day(2027, 3, 2), says: []string{"proposed changes", "26 April 2027"}, open: at(day(2027, 3, 15)),
			upcoming: []What{CommentsDue, AmendedPlanDue, AnnualReview}, dates: []time.Time{day(2027, 3, 15), day(2027, 4, 26), day(2027, 6, 30)}},
		{name: "phase transfer", p: transferring, today: day(2026, 9, 1), says: []string{"in force"},
			upcoming: []What{AnnualReview, PhaseTransfer}, dates: []time.Time{day(2027, 6, 30), day(2027, 2, 15)}},
		{name: "ceasing", p: ceasing, today: day(2027, 1, 11), says: []string{"10 January 2027", "stop maintaining", "until 10 March 2027", "SEND Tribunal"},
			upcoming: []What{AppealBy, PlanEnds}, dates: []time.Time{day(2027, 3, 10), day(2027, 3, 10)}},
		{name: "ceased", p: ceasing, today: day(2027, 3, 11), says: []string{"ended on 10 March 2027"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.p.ID = "p1"
			out, dates := ForPlan(c.p, c.today)
			for _, s := range c.says {
				if !strings.Contains(out.WhatIsHappening, s) {
					t.Errorf("%q does not say %q", out.WhatIsHappening, s)
				}
			}
			if (out.CommentsOpenUntil == nil) != (c.open == nil) || (c.open != nil && !out.CommentsOpenUntil.Equal(*c.open)) {
				t.Errorf("comments open until %v, want %v", out.CommentsOpenUntil, c.open)
			}
			checkDates(t, dates, c.upcoming, c.dates, ehcplan.RecordType)
		})
	}
}

// Summarise puts every coming date of every record in one list, soonest first.
func TestSummarise(t *testing.T) {
	r := ehc.Request{ID: "r1", Status: ehc.PlanDrafting, ReceivedOn: received}
	p := ehcplan.Plan{ID: "p1", Status: ehcplan.Draft, Versions: []ehcplan.Version{{Number: 1, Kind: ehcplan.KindDraft,
		ServedOn: at(day(2026, 6, 1)), CommentsDueOn: at(day(2026, 6, 15))}}}
	s := Summarise([]ehc.Request{r}, []ehcplan.Plan{p}, day(2026, 6, 2))
	if len(s.Requests) != 1 || len(s.Plans) != 1 || len(s.Upcoming) != 2 || s.Upcoming[0].What != CommentsDue || s.Upcoming[1].What != FinalPlan {
		t.Fatalf("summary = %+v", s)
	}
	if e := Summarise(nil, nil, day(2026, 6, 2)); e.Requests == nil || e.Plans == nil || e.Upcoming == nil {
		t.Fatalf("an empty summary has empty lists, not nil: %+v", e)
	}
}
