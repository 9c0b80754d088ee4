// Package nextsteps says, in plain words for a family, where their child's EHC needs assessment
// requests and EHC plans stand and which statutory dates come next. It reads only the statutory
// facts of a record (statuses, dates); never notes, reasons or professionals' fields. The dates
// are the ones packages ehc, ehcplan and statutory compute, so a family never sees a date the
// rest of the API does not.
package nextsteps

import (
	"sort"
	"time"

	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// What names a coming date, so a front end can show its own words or icon.
type What string

// The dates a family is told about.
const (
	DecisionToAssess What = "decision_to_assess" // the council says whether it will assess (Reg 5: 6 weeks)
	NoPlanNotice     What = "no_plan_notice"     // the council says if it will not write a plan (Reg 10: 16 weeks)
	FinalPlan        What = "final_plan"         // the final plan is due (Reg 13(2): 20 weeks)
	AppealBy         What = "appeal_by"          // the last day to appeal to the SEND Tribunal (2 months)
	CommentsDue      What = "comments_due"       // the last day to comment on a draft or proposed changes (15 days)
	AmendedPlanDue   What = "amended_plan_due"   // the amended plan is due (Reg 22: 8 weeks)
	AnnualReview     What = "annual_review"      // the plan must be reviewed by (s.44: 12 months)
	PhaseTransfer    What = "phase_transfer"     // the plan must be reviewed and amended before a move (Reg 18)
	PlanEnds         What = "plan_ends"          // the last day a ceasing plan is in force
)

// Date is one coming date with what it means.
type Date struct {
	On          time.Time
	What        What
	RecordType  string // ehc.RecordType or ehcplan.RecordType
	RecordID    string
	Explanation string
}

// Request is one request as a family sees it.
type Request struct {
	ID, Status      string
	ReceivedOn      time.Time
	WhatIsHappening string
}

// Plan is one plan as a family sees it.
type Plan struct {
	ID, Status      string
	WhatIsHappening string
	// CommentsOpenUntil is the last day the family may comment on the served draft (or proposed
	// changes), when that period is open today.
	CommentsOpenUntil *time.Time
}

// Summary is everything a family is told about their child's statutory process.
type Summary struct {
	Requests []Request
	Plans    []Plan
	Upcoming []Date // from today on, soonest first
}

// Day writes a date as a family reads it: 2 March 2026.
func Day(t time.Time) string { return t.Format("2 January 2006") }

// Summarise builds the summary as of today.
func Summarise(requests []ehc.Request, plans []ehcplan.Plan, today time.Time) Summary {
	today = statutory.Civil(today)
	s := Summary{Requests: []Request{}, Plans: []Plan{}, Upcoming: []Date{}}
	for _, r := range requests {
		out, dates := ForRequest(r, today)
		s.Requests = append(s.Requests, out)
		s.Upcoming = append(s.Upcoming, dates...)
	}
	for _, p := range plans {
		out, dates := ForPlan(p, today)
		s.Plans = append(s.Plans, out)
		s.Upcoming = append(s.Upcoming, dates...)
	}
	sort.SliceStable(s.Upcoming, func(i, j int) bool { return s.Upcoming[i].On.Before(s.Upcoming[j].On) })
	return s
}

// coming keeps a date only when it is today or later.
func coming(out []Date, today, on time.Time, what What, recordType, id, explanation string) []Date {
	if on.IsZero() || on.Before(today) {
		return out
	}
	return append(out, Date{On: on, What: what, RecordType: recordType, RecordID: id, Explanation: explanation})
}

// ForRequest says where one request stands and its coming dates.
func ForRequest(r ehc.Request, today time.Time) (Request, []Date) {
	today = statutory.Civil(today)
	d := r.Deadlines(today)
	out := Request{ID: r.ID, Status: string(r.Status), ReceivedOn: r.ReceivedOn}
	var dates []Date
	add := func(on time.Time, what What, explanation string) {
		dates = coming(dates, today, on, what, ehc.RecordType, r.ID, explanation)
	}
	final := d.FinalPlan.AdjustedDueOn
	switch r.Status {
	case ehc.Received:
		due := d.DecisionToAssess.AdjustedDueOn
		out.WhatIsHappening = "The council received the request for an EHC needs assessment on " + Day(r.ReceivedOn) +
			". It is now deciding whether to carry out an assessment and must tell you by " + Day(due) + "."
		add(due, DecisionToAssess, "The council must tell you by this day whether it will carry out an EHC needs assessment (6 weeks from the request).")
		add(final, FinalPlan, "If an EHC plan is needed, the final plan must be sent to you by this day (20 weeks from the request).")
	case ehc.Assessing:
		out.WhatIsHappening = "The council is carrying out the EHC needs assessment. It is asking for advice from you, your child's school or " +
			"college, and health and care professionals. Next it decides whether your child needs an EHC plan."
		if d.NoPlanNotice.Status != statutory.StatusNotApplicable {
			add(d.NoPlanNotice.AdjustedDueOn, NoPlanNotice, "If the council decides an EHC plan is not needed, it must tell you by this day (16 weeks from the request).")
		}
		add(final, FinalPlan, "If an EHC plan is needed, the final plan must be sent to you by this day (20 weeks from the request).")
	case ehc.NotAssessed, ehc.NotIssued:
		what, on := "not to carry out an EHC needs assessment", time.Time{}
		if r.Status == ehc.NotAssessed && r.Decision != nil {
			on = r.Decision.DecidedOn
		}
		if r.Status == ehc.NotIssued {
			what = "that an EHC plan is not needed"
			if r.IssueDecision != nil {
				on = r.IssueDecision.DecidedOn
			}
		}
		out.WhatIsHappening = "The council decided " + what + ". If you disagree you can talk to the council, ask for mediation, " +
			"and appeal to the SEND Tribunal. You must get mediation advice before you appeal."
		if !on.IsZero() {
			out.WhatIsHappening = "On " + Day(on) + " the council decided " + what + ". If you disagree you can talk to the council, ask for " +
				"mediation, and appeal to the SEND Tribunal. You must get mediation advice before you appeal."
			add(statutory.AppealDeadline(on, time.Time{}), AppealBy, "The usual last day to appeal to the SEND Tribunal: 2 months from the decision "+
				"(or 1 month from a mediation certificate, if that is later).")
		}
	case ehc.PlanDrafting:
		out.WhatIsHappening = "The council decided your child needs an EHC plan and is writing a draft. When the draft is sent to you, you have " +
			"15 days to comment, to ask for a meeting, and to say which school or college you would like named."
		add(final, FinalPlan, "The final EHC plan must be sent to you by this day (20 weeks from the request).")
	case ehc.PlanIssued:
		out.WhatIsHappening = "The final EHC plan was issued"
		if r.PlanIssuedOn != nil {
			out.WhatIsHappening += " on " + Day(*r.PlanIssuedOn)
		}
		out.WhatIsHappening += ". This request is complete; the plan now shows what happens next."
	case ehc.Withdrawn:
		out.WhatIsHappening = "This request was withdrawn"
		if r.Withdrawal != nil {
			out.WhatIsHappening += " on " + Day(r.Withdrawal.On)
		}
		out.WhatIsHappening += ". You can make a new request at any time."
	}
	return out, dates
}

// ForPlan says where one plan stands and its coming dates.
func ForPlan(p ehcplan.Plan, today time.Time) (Plan, []Date) {
	today = statutory.Civil(today)
	status := p.StatusOn(today)
	out := Plan{ID: p.ID, Status: string(status)}
	var dates []Date
	add := func(on time.Time, what What, explanation string) {
		dates = coming(dates, today, on, what, ehcplan.RecordType, p.ID, explanation)
	}
	open := func(v ehcplan.Version) bool {
		return v.ServedOn != nil && v.CommentsDueOn != nil && !today.Before(*v.ServedOn) && !today.After(*v.CommentsDueOn)
	}
	l := p.Latest()
	switch status {
	case ehcplan.Draft:
		switch {
		case l.ServedOn == nil:
			out.WhatIsHappening = "The council is writing a draft EHC plan. When it is sent to you, you will have 15 days to comment, to ask " +
				"for a meeting, and to say which school or college you would like named."
		case open(l):
			due := *l.CommentsDueOn
			out.CommentsOpenUntil = &due
			out.WhatIsHappening = "The draft EHC plan was sent to you on " + Day(*l.ServedOn) + ". You have until " + Day(due) +
				" to tell the council what you think, to ask for a meeting, and to say which school or college you would like named."
			add(due, CommentsDue, "The last day to comment on the draft plan and to name the school or college you would like (15 days from when it was sent).")
		default:
			out.WhatIsHappening = "The time to comment on the draft EHC plan ended on " + Day(*l.CommentsDueOn) +
				". The council is now preparing the final plan, which names the school or college."
		}
	case ehcplan.Issued:
		out.WhatIsHappening = "Your child's EHC plan is in force"
		if p.LastIssuedOn != nil {
			out.WhatIsHappening += " (last issued on " + Day(*p.LastIssuedOn) + ")"
		}
		out.WhatIsHappening += ". It must be reviewed at least every 12 months, and you will be invited to the review."
		if a := p.PendingAmendment(); a != nil {
			if open(*a) {
				due := *a.CommentsDueOn
				out.CommentsOpenUntil = &due
				add(due, CommentsDue, "The last day to comment on the proposed changes to the plan (15 days from when they were sent).")
			}
			out.WhatIsHappening += " The council has proposed changes to the plan; the amended plan must be issued by " + Day(*a.FinalDueOn) + "."
			add(*a.FinalDueOn, AmendedPlanDue, "The amended EHC plan must be sent to you by this day (8 weeks from the proposed changes).")
		}
		if p.ReviewDueOn != nil {
			add(*p.ReviewDueOn, AnnualReview, "The plan's annual review must be held and decided by this day.")
		}
		if t := p.PhaseTransfer; t != nil {
			add(t.DueOn, PhaseTransfer, "Before your child moves to their next school or college, the plan must be reviewed and changed by this day, naming where they will go.")
		}
	case ehcplan.Ceasing:
		c := p.Cessation
		last := statutory.AddDays(c.CeasesOn, -1)
		out.WhatIsHappening = "On " + Day(c.DecidedOn) + " the council decided to stop maintaining the EHC plan. The plan stays in force until " +
			Day(last) + ". If you disagree you can ask for mediation and appeal to the SEND Tribunal; the plan stays in force while an appeal is heard."
		add(statutory.AppealDeadline(c.DecidedOn, time.Time{}), AppealBy, "The usual last day to appeal to the SEND Tribunal against the decision to stop the plan: 2 months from the decision.")
		add(last, PlanEnds, "The last day the EHC plan is in force, unless you appeal.")
	case ehcplan.Ceased:
		out.WhatIsHappening = "The EHC plan is no longer in force."
		if c := p.Cessation; c != nil {
			out.WhatIsHappening = "The EHC plan ended on " + Day(statutory.AddDays(c.CeasesOn, -1)) + " and is no longer in force."
		}
	}
	return out, dates
}
