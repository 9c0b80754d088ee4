// Package letter composes the letters the SEND Regulations 2014 require (the decisions whether to
// assess and whether to issue a plan, the draft plan with its 15-day notice, the final plan with
// appeal rights, the amendment notice with its 15 days and 8 weeks, the decision to cease) and the
// EHC plan as a document, from the records alone. Every date a letter shows is one the API shows
// for the same record (the statutory calendar's), and a letter depends on nothing but the record
// version and the council's configured details, so the same version always composes the same
// letter. Rendering is package letter's HTML and package letter/pdf's PDF. Standard library only.
package letter

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// Kind is which letter.
type Kind string

// The letters.
const (
	DecisionNotToAssess Kind = "decision_not_to_assess" // Reg 5(3)
	DecisionToAssess    Kind = "decision_to_assess"     // Reg 5(3)
	DecisionNotToIssue  Kind = "decision_not_to_issue"  // s.36(9), Reg 10
	DraftPlan           Kind = "draft_plan"             // Reg 13(1), s.38
	FinalPlan           Kind = "final_plan"             // Reg 14, s.39-40
	AmendmentNotice     Kind = "amendment_notice"       // Reg 22(2)-(3)
	Cease               Kind = "cease"                  // Reg 31, s.45
)

// Kinds lists every letter, in the order of the process.
var Kinds = []Kind{DecisionNotToAssess, DecisionToAssess, DecisionNotToIssue, DraftPlan, FinalPlan, AmendmentNotice, Cease}

// OfPlan reports whether k is a letter about the plan (composed from the request's plan).
func (k Kind) OfPlan() bool {
	return k == DraftPlan || k == FinalPlan || k == AmendmentNotice || k == Cease
}

// Council is who writes: the council's name and contact details, from configuration.
type Council struct {
	Name, Address, Email, Phone string
}

// Child is who a letter is about.
type Child struct {
	Name        string
	DateOfBirth time.Time
}

// Date is one dated line: what, and the day the API shows for it.
type Date struct {
	Label string
	On    time.Time
	Field string // the API field this date is, for integrators and tests (e.g. "decision.decided_on")
}

// Section is a heading and its lines (the plan's sections A to K).
type Section struct {
	Heading string
	Lines   []string
}

// Letter is one composed letter or plan document.
type Letter struct {
	Kind       string
	Title      string
	Council    Council
	Dated      time.Time // the letter's date
	Created    time.Time // the record version's last change: the document's creation date
	RecordType string
	RecordID   string
	Version    int
	Child      Child
	Paragraphs []string
	Dates      []Date
	Sections   []Section
}

// DateFormat is how letters write dates ("4 May 2026").
const DateFormat = "2 January 2006"

func notYet(what string) error {
	return fault.StateConflict("There is no "+what+" letter for this record yet.", "not_applicable")
}

const appealRights = "You have the right to appeal to the First-tier Tribunal (Special Educational Needs and Disability) " +
	"within two months of the date of this letter, or one month from the date of a mediation certificate if that is later. " +
	"Before you appeal you must contact a mediation adviser (unless the appeal is only about the school or setting named). " +
	"Your local SEND Information, Advice and Support Service can help you, free of charge."

// ForRequest composes a letter about an EHC needs assessment. plan is the request's plan, when
// there is one (the draft, final and cease letters need it).
func ForRequest(k Kind, r ehc.Request, plan *ehcplan.Plan, child Child, c Council) (Letter, error) {
	d := r.Deadlines(r.UpdatedAt)
	l := Letter{Kind: string(k), Council: c, Child: child, Created: r.UpdatedAt.UTC(), RecordType: ehc.RecordType, RecordID: r.ID, Version: r.Version}
	received := Date{"Your request was received", r.ReceivedOn, "received_on"}
	switch k {
	case DecisionNotToAssess, DecisionToAssess:
		want := ehc.NotAssess
		if k == DecisionToAssess {
			want = ehc.Assess
		}
		if r.Decision == nil || r.Decision.Decision != want {
			return l, notYet(strings.ReplaceAll(string(k), "_", " "))
		}
		l.Dated = r.Decision.DecidedOn
		l.Dates = []Date{received, {"The decision was due by", d.DecisionToAssess.AdjustedDueOn, "deadlines.decision_to_assess.adjusted_due_on"},
			{"The decision was made on", r.Decision.DecidedOn, "decision.decided_on"}}
		if k == DecisionNotToAssess {
			l.Title = "Decision not to carry out an EHC needs assessment"
			l.Paragraphs = []string{"We have considered the request for an education, health and care (EHC) needs assessment for " + child.Name +
				" and have decided not to carry out an assessment.", "Our reasons: " + orNone(r.Decision.Reason), appealRights}
		} else {
			l.Title = "Decision to carry out an EHC needs assessment"
			l.Dates = append(l.Dates, Date{"We will decide whether to issue an EHC plan by", d.NoPlanNotice.AdjustedDueOn, "deadlines.no_plan_notice.adjusted_due_on"},
				Date{"If we issue a plan, the final plan is due by", d.FinalPlan.AdjustedDueOn, "deadlines.final_plan.adjusted_due_on"})
			l.Paragraphs = []string{"We have decided to carry out an education, health and care (EHC) needs assessment for " + child.Name + ".",
				"We will now ask for advice and information from you, from " + child.Name + "'s school or setting, and from health, " +
					"social care and an educational psychologist. You can tell us about anyone else you would like us to ask.",
				"Our reasons: " + orNone(r.Decision.Reason)}
		}
	case DecisionNotToIssue:
		if r.IssueDecision == nil || r.IssueDecision.Decision != ehc.NotIssue {
			return l, notYet("decision not to issue a plan")
		}
		l.Title, l.Dated = "Decision not to issue an EHC plan", r.IssueDecision.DecidedOn
		l.Dates = []Date{received, {"The decision was due by", d.NoPlanNotice.AdjustedDueOn, "deadlines.no_plan_notice.adjusted_due_on"},
			{"The decision was made on", r.IssueDecision.DecidedOn, "issue_decision.decided_on"}}
		l.Paragraphs = []string{"We have finished the EHC needs assessment for " + child.Name + " and have decided not to issue an EHC plan.",
			"Our reasons: " + orNone(r.IssueDecision.Reason), appealRights}
	case DraftPlan, FinalPlan, AmendmentNotice, Cease:
		if plan == nil {
			return l, notYet(strings.ReplaceAll(string(k), "_", " "))
		}
		pl, err := ForPlanLetter(k, *plan, child, c)
		if err != nil {
			return pl, err
		}
		if k == DraftPlan || k == FinalPlan {
			pl.Dates = append(pl.Dates, Date{"The final plan is due by", d.FinalPlan.AdjustedDueOn, "deadlines.final_plan.adjusted_due_on"})
		}
		return pl, nil
	default:
		return l, fault.New(fault.NotFound, "No such letter.")
	}
	return l, nil
}

// ForPlanLetter composes the draft plan, final plan, amendment notice or cease letter of a plan.
func ForPlanLetter(k Kind, p ehcplan.Plan, child Child, c Council) (Letter, error) {
	l := Letter{Kind: string(k), Council: c, Child: child, Created: p.UpdatedAt.UTC(), RecordType: ehcplan.RecordType, RecordID: p.ID, Version: p.Version}
	switch k {
	case DraftPlan:
		var v *ehcplan.Version
		for i := range p.Versions {
			if p.Versions[i].Kind == ehcplan.KindDraft && p.Versions[i].ServedOn != nil {
				v = &p.Versions[i]
			}
		}
		if v == nil || v.CommentsDueOn == nil {
			return l, notYet("draft plan")
		}
		l.Title, l.Dated = "Your child's draft EHC plan", *v.ServedOn
		l.Dates = []Date{{"The draft plan was sent on", *v.ServedOn, "versions[].served_on"},
			{"Your comments and the setting you would like named are due by", *v.CommentsDueOn, "versions[].comments_due_on"}}
		l.Paragraphs = []string{"With this letter is the draft education, health and care (EHC) plan for " + child.Name + " (version " +
			strconv.Itoa(v.Number) + ").", "You have 15 days, until the date below, to tell us your views on the draft, to ask for a meeting " +
			"with us to discuss it, and to ask us to name a particular school, college or other setting in section I. Section I is left blank in the draft.",
			"You may also ask for a personal budget for some of the provision."}
	case FinalPlan:
		var v *ehcplan.Version
		for i := range p.Versions {
			if p.Versions[i].Kind == ehcplan.KindFinal {
				v = &p.Versions[i]
			}
		}
		if v == nil || v.IssuedOn == nil {
			return l, notYet("final plan")
		}
		l.Title, l.Dated = "Your child's final EHC plan", *v.IssuedOn
		l.Dates = []Date{{"The final plan was issued on", *v.IssuedOn, "versions[].issued_on"}}
		if p.ReviewDueOn != nil && p.Status == ehcplan.Issued {
			l.Dates = append(l.Dates, Date{"The plan will be reviewed by", *p.ReviewDueOn, "next_review.due_on"})
		}
		l.Paragraphs = []string{"With this letter is the final education, health and care (EHC) plan for " + child.Name + ".",
			"If you disagree with the needs described in section B, the provision in section F or the setting named in section I, " + appealRights}
	case AmendmentNotice:
		var v *ehcplan.Version
		for i := range p.Versions {
			if p.Versions[i].Kind == ehcplan.KindAmendment {
				v = &p.Versions[i]
			}
		}
		if v == nil || v.ServedOn == nil || v.CommentsDueOn == nil || v.FinalDueOn == nil {
			return l, notYet("amendment notice")
		}
		l.Title, l.Dated = "Proposed amendments to your child's EHC plan", *v.ServedOn
		l.Dates = []Date{{"The proposed amendments were sent on", *v.ServedOn, "versions[].served_on"},
			{"Your views, and the setting you would like named, are due by", *v.CommentsDueOn, "versions[].comments_due_on"},
			{"We will tell you our decision, and send any amended plan, by", *v.FinalDueOn, "versions[].amendment_final.due_on"}}
		l.Paragraphs = []string{"We propose to amend the education, health and care (EHC) plan for " + child.Name +
			". With this letter are the proposed changes (version " + strconv.Itoa(v.Number) + ") and the evidence supporting them.",
			"Our reasons: " + orNone(v.Reason),
			"You have at least 15 days, until the date below, to tell us your views on the proposed changes, to ask for a meeting " +
				"with us to discuss them, and to ask us to name a particular school, college or other setting in section I.",
			"We must then decide whether to make the changes and, if we do, send you the amended plan, within 8 weeks of sending " +
				"you the proposals (by the date below). If we decide not to amend the plan we will tell you, with our reasons.",
			"If you disagree with the amended plan, " + appealRights}
	case Cease:
		cs := p.Cessation
		if cs == nil {
			return l, notYet("decision to cease")
		}
		l.Title, l.Dated = "Decision to cease to maintain the EHC plan", cs.DecidedOn
		l.Dates = []Date{{"The decision was made on", cs.DecidedOn, "cessation.decided_on"},
			{"The plan stops being maintained on", cs.CeasesOn, "cessation.ceases_on"}}
		l.Paragraphs = []string{"We have decided to cease to maintain the EHC plan for " + child.Name + ".",
			"Our reason: " + ehcplan.CeaseReasons[cs.Reason] + ".", appealRights}
	default:
		return l, fault.New(fault.NotFound, "No such letter.")
	}
	return l, nil
}

// ForPlan composes the plan itself as a document: its latest version's sections A to K.
func ForPlan(p ehcplan.Plan, child Child, c Council) Letter {
	v := p.Latest()
	l := Letter{Kind: "ehc_plan", Council: c, Child: child, Created: p.UpdatedAt.UTC(), RecordType: ehcplan.RecordType, RecordID: p.ID, Version: p.Version,
		Title: "Education, health and care plan (version " + strconv.Itoa(v.Number) + ", " + strings.ReplaceAll(string(v.Kind), "_", " ") + ")"}
	l.Dated = v.CreatedAt.UTC()
	for _, d := range []struct {
		label, field string
		on           *time.Time
	}{{"Sent to the family on", "served_on", v.ServedOn}, {"Comments due by", "comments_due_on", v.CommentsDueOn}, {"Issued on", "issued_on", v.IssuedOn}} {
		if d.on != nil {
			l.Dates = append(l.Dates, Date{d.label, *d.on, "versions[]." + d.field})
			l.Dated = *d.on
		}
	}
	if p.ReviewDueOn != nil && p.Status == ehcplan.Issued {
		l.Dates = append(l.Dates, Date{"Next review due by", *p.ReviewDueOn, "next_review.due_on"})
	}
	s := v.Sections
	s.J = p.SectionJ(v.Number) // computed from the linked personal budget when there is one
	needs := func(ns []ehcplan.Need) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = n.Ref + ". " + n.Description
			if n.SENType != "" {
				out[i] += " (" + n.SENType + ")"
			}
		}
		return out
	}
	provision := func(ps []ehcplan.Provision) []string {
		out := make([]string, len(ps))
		for i, pr := range ps {
			out[i] = fmt.Sprintf("%s. %s - by %s, %s, for %s (outcomes %s)", pr.Ref, pr.What, pr.Who, pr.HowOften, pr.HowLong, strings.Join(pr.Outcomes, ", "))
		}
		return out
	}
	var outcomes []string
	for _, o := range s.E {
		outcomes = append(outcomes, o.Ref+". "+o.Description+" (needs "+strings.Join(o.Needs, ", ")+")")
	}
	var views []string
	for _, t := range []string{s.A.Views, s.A.Interests, s.A.Aspirations} {
		if strings.TrimSpace(t) != "" {
			views = append(views, t)
		}
	}
	var placement []string
	if !s.I.Empty() {
		placement = append(placement, s.I.SettingName+" ("+strings.ReplaceAll(s.I.SettingType, "_", " ")+")")
	}
	var budget []string
	if s.J != nil && s.J.Text != "" {
		budget = strings.Split(s.J.Text, "\n")
	} else if s.J != nil {
		for _, b := range s.J.Lines {
			budget = append(budget, fmt.Sprintf("%s: £%d.%02d a year (%s)", b.Stream, b.AmountPence/100, b.AmountPence%100, s.J.Type))
		}
	}
	var advice []string
	for _, a := range s.K {
		advice = append(advice, a.Adviser+": "+a.Source+", "+a.On.Format(DateFormat))
	}
	l.Sections = []Section{
		{"A. Views, interests and aspirations", views}, {"B. Special educational needs", needs(s.B)}, {"C. Health needs", needs(s.C)},
		{"D. Social care needs", needs(s.D)}, {"E. Outcomes", outcomes}, {"F. Special educational provision", provision(s.F)},
		{"G. Health provision", provision(s.G)}, {"H1. Social care provision (section 2 CSDPA 1970)", provision(s.H1)},
		{"H2. Other social care provision", provision(s.H2)}, {"I. Placement", placement}, {"J. Personal budget", budget},
		{"K. Advice and information", advice},
	}
	return l
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none were recorded."
	}
	return s
}
