package tcare

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/money"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// BudgetRecordType names personal budgets in the audit trail, outbox and timeline.
const BudgetRecordType = "personal_budget"

// Funding streams, arrangements and periods of a personal budget (DOMAIN.md section 5; the
// Special Educational Needs (Personal Budgets) Regulations 2014).
var (
	Streams      = []string{"education", "social_care", "health"}
	Arrangements = []string{"notional", "third_party", "direct_payment"}
	Periods      = []string{"week", "month", "year"}
)

// Budget statuses.
const (
	BudgetRequested = "requested"
	BudgetAgreed    = "agreed"
	BudgetRefused   = "refused"
	BudgetEnded     = "ended"
)

// Part is one funding stream's share of a budget and how it is held.
type Part struct {
	Stream, Arrangement string
	AmountPence         int64
	Period              string
	// AgreementSignedOn: a direct payment needs the family's written agreement (reg. 8).
	AgreementSignedOn time.Time
	Monitoring        string // how the direct payment is monitored (reg. 9)
}

// Payment is money paid or spent against one stream of a budget.
type Payment struct {
	ID          string
	Stream      string
	PaidOn      time.Time
	AmountPence int64
	Note        string
	RecordedAt  time.Time
}

// Budget is a family's personal budget: the request, the council's decision, its parts and what
// has been paid.
type Budget struct {
	ID, YoungPersonID string
	EHCPlanID         string // the plan whose section J it is, when there is one
	RequestedOn       time.Time
	RequestedBy       string // parent or young_person
	// What the family asked for: the funding streams, the outcomes the budget is for (their words)
	// and the arrangement they would prefer; all optional.
	RequestedStreams     []string
	OutcomesSought       string
	PreferredArrangement string
	// RequestedThrough is who recorded the request: ThroughCouncil, or ThroughFamily when the family
	// made it themselves.
	RequestedThrough string
	Status           string
	DecidedOn        time.Time
	RefusalReasons   string // required on refusal: the council must say why (reg. 6, 8)
	Parts            []Part
	ReviewDueOn      time.Time
	// The review of a refusal the family asked for: the day asked and the outcome (ReviewUpheld or
	// ReviewOverturned).
	ReviewRequestedOn time.Time
	ReviewOutcome     string
	EndedOn           time.Time // the day an agreed budget ended
	Payments          []Payment
	// StoredPayments is how many of Payments the store holds.
	StoredPayments       int
	CreatedAt, UpdatedAt time.Time
	Version              int
}

// Integrated reports whether the budget pools more than one funding stream.
func (b Budget) Integrated() bool {
	seen := map[string]bool{}
	for _, p := range b.Parts {
		seen[p.Stream] = true
	}
	return len(seen) > 1
}

// Spent sums the payments by stream. Pay refuses a payment whose stream's sum would not fit an
// int64; the sum saturates all the same, so that amounts stored before the contract's maximum
// never show as a negative total.
func (b Budget) Spent() map[string]int64 {
	out := map[string]int64{}
	for _, p := range b.Payments {
		out[p.Stream] = money.SaturatingAdd(out[p.Stream], p.AmountPence)
	}
	return out
}

// Who recorded a request.
const (
	ThroughCouncil = "council" // the SEND team or a practitioner, for the family
	ThroughFamily  = "family"  // the family themselves
)

// NewBudget validates a family's request for a personal budget, recorded by the council or, with
// RequestedThrough ThroughFamily, made by the family themselves: then it is dated the day it
// arrives (today; another day is refused on /requested_on).
func NewBudget(b Budget, today time.Time) (Budget, error) {
	b.RequestedOn = statutory.Civil(b.RequestedOn)
	b.Status, b.DecidedOn, b.RefusalReasons, b.Parts, b.Payments = BudgetRequested, time.Time{}, "", nil, nil
	if b.RequestedThrough == "" {
		b.RequestedThrough = ThroughCouncil
	}
	var bad []fault.FieldError
	if b.RequestedBy != "parent" && b.RequestedBy != "young_person" {
		bad = append(bad, fault.FieldError{Pointer: "/requested_by", Detail: "must be parent or young_person"})
	}
	bad = statutory.AppendDay(bad, "/requested_on", b.RequestedOn, time.Time{}, "", today)
	if b.RequestedThrough == ThroughFamily && !b.RequestedOn.IsZero() && !b.RequestedOn.Equal(statutory.Civil(today)) {
		bad = append(bad, fault.FieldError{Pointer: "/requested_on", Detail: "is the day the request arrives: give today's date"})
	}
	seen := map[string]bool{}
	for i, st := range b.RequestedStreams {
		ptr := "/requested_streams/" + strconv.Itoa(i)
		if !slices.Contains(Streams, st) {
			bad = append(bad, fault.FieldError{Pointer: ptr, Detail: "must be education, social_care or health"})
		} else if seen[st] {
			bad = append(bad, fault.FieldError{Pointer: ptr, Detail: "each stream appears once"})
		}
		seen[st] = true
	}
	if b.PreferredArrangement != "" && !slices.Contains(Arrangements, b.PreferredArrangement) {
		bad = append(bad, fault.FieldError{Pointer: "/preferred_arrangement", Detail: "must be notional, third_party or direct_payment"})
	}
	if len(b.OutcomesSought) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: "/outcomes_sought", Detail: "is too long"})
	}
	return b, fault.Fields(fault.Invalid, bad)
}

// ForFamily is the budget as the family reads it: the council's notes on payments left out.
func (b Budget) ForFamily() Budget {
	b.Payments = slices.Clone(b.Payments)
	for i := range b.Payments {
		b.Payments[i].Note = ""
	}
	return b
}

// Decide records the council's decision: agreed with its parts, or refused with the reasons.
func (b *Budget) Decide(agreed bool, on time.Time, reasons string, parts []Part, reviewDue, today time.Time) error {
	if b.Status != BudgetRequested {
		return fault.StateConflict("The request has already been decided.", b.Status)
	}
	var bad []fault.FieldError
	bad = statutory.AppendDay(bad, "/decided_on", on, b.RequestedOn, "requested_on", today)
	if len(reasons) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: "/reasons", Detail: "is too long"})
	}
	if !agreed {
		if strings.TrimSpace(reasons) == "" {
			bad = append(bad, fault.FieldError{Pointer: "/reasons", Detail: "is required on refusal: the council must say why, and the family may ask for a review"})
		}
		if len(parts) > 0 {
			bad = append(bad, fault.FieldError{Pointer: "/parts", Detail: "a refused request has no parts"})
		}
	} else {
		if len(parts) == 0 {
			bad = append(bad, fault.FieldError{Pointer: "/parts", Detail: "an agreed budget has at least one part"})
		}
		seen := map[string]bool{}
		for i, p := range parts {
			ptr := "/parts/" + strconv.Itoa(i)
			if !slices.Contains(Streams, p.Stream) {
				bad = append(bad, fault.FieldError{Pointer: ptr + "/stream", Detail: "must be education, social_care or health"})
			} else if seen[p.Stream] {
				bad = append(bad, fault.FieldError{Pointer: ptr + "/stream", Detail: "each stream appears once"})
			}
			seen[p.Stream] = true
			if !slices.Contains(Arrangements, p.Arrangement) {
				bad = append(bad, fault.FieldError{Pointer: ptr + "/arrangement", Detail: "must be notional, third_party or direct_payment"})
			}
			if !slices.Contains(Periods, p.Period) {
				bad = append(bad, fault.FieldError{Pointer: ptr + "/period", Detail: "must be week, month or year"})
			}
			if p.AmountPence <= 0 {
				bad = append(bad, fault.FieldError{Pointer: ptr + "/amount_pence", Detail: "must be positive"})
			} else if year, ok := money.Mul(p.AmountPence, perYear[p.Period]); !ok || year > money.MaxPence {
				// Section J shows each part as a year's amount, bounded as the contract bounds J's lines.
				bad = append(bad, fault.FieldError{Pointer: ptr + "/amount_pence", Detail: "comes to more than " + money.MaxPounds + " a year"})
			}
			if p.Arrangement == "direct_payment" && p.AgreementSignedOn.IsZero() {
				bad = append(bad, fault.FieldError{Pointer: ptr + "/agreement_signed_on", Detail: "a direct payment needs the family's signed agreement"})
			}
			if len(p.Monitoring) > MaxText {
				bad = append(bad, fault.FieldError{Pointer: ptr + "/monitoring", Detail: "is too long"})
			}
		}
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	b.DecidedOn, b.RefusalReasons, b.Parts, b.ReviewDueOn = statutory.Civil(on), reasons, parts, statutory.Civil(reviewDue)
	b.Status = BudgetRefused
	if agreed {
		b.Status = BudgetAgreed
	}
	return nil
}

// Outcomes of the review of a refusal.
const (
	ReviewUpheld     = "upheld"     // the refusal stands
	ReviewOverturned = "overturned" // the request is open again for a new decision
)

// ReviewRefusal records the review of a refusal the family asked for on requestedOn (not before
// the refusal, not in the future) and its outcome: upheld, the refusal stands; overturned, the
// request is open again (requested, undecided) for the council to decide anew. Once per budget.
func (b *Budget) ReviewRefusal(requestedOn time.Time, outcome string, today time.Time) error {
	if b.Status != BudgetRefused {
		return fault.StateConflict("Only a refused request can be reviewed.", b.Status)
	}
	if b.ReviewOutcome != "" {
		return fault.StateConflict("The refusal has already been reviewed.", b.Status)
	}
	var bad []fault.FieldError
	bad = statutory.AppendDay(bad, "/requested_on", requestedOn, b.DecidedOn, "the refusal", today)
	if outcome != ReviewUpheld && outcome != ReviewOverturned {
		bad = append(bad, fault.FieldError{Pointer: "/outcome", Detail: "must be upheld or overturned"})
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	b.ReviewRequestedOn, b.ReviewOutcome = statutory.Civil(requestedOn), outcome
	if outcome == ReviewOverturned {
		// The refusal's reasons stay on the record; the new decision replaces them.
		b.Status, b.DecidedOn = BudgetRequested, time.Time{}
	}
	return nil
}

// End ends an agreed budget on day on (not before the decision, not in the future), once.
func (b *Budget) End(on, today time.Time) error {
	if b.Status != BudgetAgreed {
		return fault.StateConflict("Only an agreed budget can end.", b.Status)
	}
	if err := statutory.DayError("/ended_on", on, b.DecidedOn, "the decision", today); err != nil {
		return err
	}
	b.Status, b.EndedOn = BudgetEnded, statutory.Civil(on)
	return nil
}

// Pay records a payment or spend against one of an agreed budget's streams.
func (b *Budget) Pay(p Payment, today time.Time) error {
	if b.Status != BudgetAgreed {
		return fault.StateConflict("Payments are recorded against an agreed budget only.", b.Status)
	}
	var bad []fault.FieldError
	bad = statutory.AppendDay(bad, "/paid_on", p.PaidOn, b.DecidedOn, "the decision", today)
	found := false
	for _, part := range b.Parts {
		found = found || part.Stream == p.Stream
	}
	if !found {
		bad = append(bad, fault.FieldError{Pointer: "/stream", Detail: "is not one of the budget's streams"})
	}
	if p.AmountPence <= 0 {
		bad = append(bad, fault.FieldError{Pointer: "/amount_pence", Detail: "must be positive"})
	} else if p.AmountPence > money.MaxPence {
		bad = append(bad, fault.FieldError{Pointer: "/amount_pence", Detail: "must be at most " + money.MaxPounds})
	}
	if len(p.Note) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: "/note", Detail: "is too long"})
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	// The stream's total must still be one number: checked, so it can never wrap (amounts stored
	// before the maximum may already be near the limit).
	total, ok := int64(0), true
	for _, q := range b.Payments {
		if ok && q.Stream == p.Stream {
			total, ok = money.Add(total, q.AmountPence)
		}
	}
	if ok {
		_, ok = money.Add(total, p.AmountPence)
	}
	if !ok {
		return fault.Field(fault.Unprocessable, "/amount_pence", "the "+p.Stream+" stream's payments would come to more than can be held")
	}
	p.PaidOn = statutory.Civil(p.PaidOn)
	b.Payments = append(b.Payments, p)
	return nil
}

var streamNames = map[string]string{"education": "Education", "social_care": "Social care", "health": "Health"}
var arrangementNames = map[string]string{"notional": "notional budget (arranged by the council)", "third_party": "third-party arrangement",
	"direct_payment": "direct payment"}

// SectionJ is the plan's section J computed from the budget: one line per stream with its
// arrangement and amount, headed as an integrated budget when it pools streams. A request not
// agreed says so; the plan never holds a second, typed copy.
func (b Budget) SectionJ() string {
	switch b.Status {
	case BudgetRequested:
		return "A personal budget was requested on " + b.RequestedOn.Format(time.DateOnly) + "; the decision is awaited."
	case BudgetRefused:
		return "A personal budget was requested on " + b.RequestedOn.Format(time.DateOnly) + " and refused on " + b.DecidedOn.Format(time.DateOnly) +
			". Reasons: " + b.RefusalReasons
	}
	head := "Personal budget"
	if b.Integrated() {
		head = "Integrated personal budget"
	}
	lines := []string{head + " agreed on " + b.DecidedOn.Format(time.DateOnly) + "."}
	parts := slices.Clone(b.Parts)
	slices.SortFunc(parts, func(x, y Part) int { return slices.Index(Streams, x.Stream) - slices.Index(Streams, y.Stream) })
	for _, p := range parts {
		line := fmt.Sprintf("%s: %s a %s, as a %s", streamNames[p.Stream], money.Pounds(p.AmountPence), p.Period, arrangementNames[p.Arrangement])
		if p.Arrangement == "direct_payment" {
			line += " (agreement signed " + p.AgreementSignedOn.Format(time.DateOnly) + ")"
		}
		lines = append(lines, line+".")
	}
	if !b.ReviewDueOn.IsZero() {
		lines = append(lines, "To be reviewed by "+b.ReviewDueOn.Format(time.DateOnly)+".")
	}
	if b.Status == BudgetEnded {
		lines = append(lines, "Ended on "+b.EndedOn.Format(time.DateOnly)+".")
	}
	return strings.Join(lines, "\n")
}

// perYear is how many of each period make a year.
var perYear = map[string]int64{"week": 52, "month": 12, "year": 1}

// PlanJ is the plan's section J computed from an agreed (or ended) budget: its type (the
// arrangement when every part has the same one, mixed otherwise), one line per stream with its
// arrangement and the amount a year (a week's amount times 52, a month's times 12), and the
// wording of SectionJ. A budget not agreed makes no section J (nil).
func (b Budget) PlanJ() *ehcplan.PersonalBudget {
	if b.Status != BudgetAgreed && b.Status != BudgetEnded {
		return nil
	}
	j := &ehcplan.PersonalBudget{Source: ehcplan.JPersonalBudget, BudgetID: b.ID, BudgetStatus: b.Status, Text: b.SectionJ()}
	parts := slices.Clone(b.Parts)
	slices.SortFunc(parts, func(x, y Part) int { return slices.Index(Streams, x.Stream) - slices.Index(Streams, y.Stream) })
	for _, p := range parts {
		switch {
		case j.Type == "":
			j.Type = p.Arrangement
		case j.Type != p.Arrangement:
			j.Type = "mixed"
		}
		j.Lines = append(j.Lines, ehcplan.BudgetLine{Stream: p.Stream, Arrangement: p.Arrangement, AmountPence: money.SaturatingMul(p.AmountPence, perYear[p.Period])})
	}
	return j
}

// PlanBudget picks the budget whose section J a plan shows among those linked to it: the newest
// agreed one, else the newest ended one; false when none is agreed or ended. budgets are newest
// first.
func PlanBudget(budgets []Budget) (Budget, bool) {
	for _, status := range []string{BudgetAgreed, BudgetEnded} {
		for _, b := range budgets {
			if b.Status == status {
				return b, true
			}
		}
	}
	return Budget{}, false
}

// EHCBasis is what the council holds about a young person's EHC needs when a personal budget is
// requested: the plans in force today and the EHC needs assessments under way (a request the
// council decided to assess, or one whose plan is being drafted).
type EHCBasis struct {
	PlansInForce        []string // plan ids
	AssessmentsUnderWay []string // EHC request ids
	// DraftPlans are plans being drafted (not yet issued) for a request under way: a budget may be
	// that draft's section J.
	DraftPlans []string
}

// Regulation5 is the rule of regulation 5 of the Special Educational Needs (Personal Budgets)
// Regulations 2014: a personal budget may be requested only for a young person with an EHC plan in
// force or for whom an EHC needs assessment is under way. planID is the plan the request names
// ("" when none); the answer is the plan whose section J the budget is: the named plan, or the
// young person's plan in force when none is named (so section J is never typed twice), or "" while
// only the assessment is under way. A request that names a plan not in force (nor a draft while the
// assessment is under way) is refused on /ehc_plan_id; a young person with neither on
// /young_person_id.
func Regulation5(b EHCBasis, planID string) (string, error) {
	const rule = "regulation 5 of the SEN (Personal Budgets) Regulations 2014: a personal budget may be requested only for a young person with an EHC plan in force or an EHC needs assessment under way"
	underWay := len(b.AssessmentsUnderWay) > 0
	if planID != "" {
		if slices.Contains(b.PlansInForce, planID) || (underWay && slices.Contains(b.DraftPlans, planID)) {
			return planID, nil
		}
		return "", fault.Field(fault.Unprocessable, "/ehc_plan_id", "the plan is not in force (nor a draft for an assessment under way): "+rule)
	}
	if len(b.PlansInForce) > 0 {
		return b.PlansInForce[0], nil
	}
	if underWay {
		return "", nil
	}
	return "", fault.Field(fault.Unprocessable, "/young_person_id", "the young person has no EHC plan in force and no EHC needs assessment under way: "+rule)
}
