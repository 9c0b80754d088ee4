// Package deadline is every statutory clock as one kind of thing: a deadline of a record, due on a
// day, with the lead time before it at which a caseworker is warned. The sweeper turns deadlines
// into deadline.due_soon and deadline.missed events (each once) and GET /v1/deadlines lists them
// as a worklist. Standard library and the other domain packages only.
package deadline

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Clock names one statutory deadline.
type Clock string

// The clocks.
const (
	DecisionToAssess Clock = "decision_to_assess"  // Reg 5(1): 6 weeks from the request
	NoPlanNotice     Clock = "no_plan_notice"      // Reg 10(1): 16 weeks
	FinalPlan        Clock = "final_plan"          // Reg 13(2): 20 weeks
	Advice           Clock = "advice"              // Reg 8: 6 weeks from the request for advice
	DraftComments    Clock = "draft_comments"      // Reg 13(1)(a), 22(2): the family's 15 days on a draft or proposal
	Amendment        Clock = "amendment"           // Reg 22(3): the amended plan 8 weeks after the proposal
	AnnualReview     Clock = "annual_review"       // s.44: the review meeting within 12 months
	ReviewReport     Clock = "review_report"       // Reg 20(7): report 2 weeks after the meeting
	ReviewDecision   Clock = "review_decision"     // Reg 20(10): decision 4 weeks after the meeting
	PhaseTransfer    Clock = "phase_transfer"      // Reg 18: plan reviewed and amended before the transfer
	TransitionYear9  Clock = "transition_year9"    // a transition plan from Year 9 (Code of Practice 8.9)
	CareAct          Clock = "care_act_assessment" // Care Act s.58: transition assessment by 17½
	CHCIdentify      Clock = "chc_identify"        // CHC framework: identified by 14
	CHCRefer         Clock = "chc_refer"           // referred for screening by 16
	CHCEligibility   Clock = "chc_eligibility"     // eligibility decided by 17 and 3 months
	CHCInPlace       Clock = "chc_in_place"        // package in place by 18
	// Re-assessments and plans transferred in (Regs 25, 27 and 15).
	ReassessmentDecision  Clock = "reassessment_decision"   // Reg 25(1): 15 days from a request to re-assess
	ReassessmentFinalPlan Clock = "reassessment_final_plan" // Reg 27(2): 14 weeks from the notification or own-motion decision
	TransferFamilyNotice  Clock = "transfer_family_notice"  // Reg 15(4): tell the family within 6 weeks of a transfer in
	TransferReview        Clock = "transfer_review"         // Reg 15(5): the first review of a plan transferred in
)

// Info describes a clock: the record type it belongs to, its short aliases for configuration, and
// its default lead in days.
type Info struct {
	Clock       Clock
	RecordType  string
	Aliases     []string
	DefaultLead int
}

// Clocks lists every clock, in the order the worklist documents them.
var Clocks = []Info{
	{DecisionToAssess, "ehc_request", []string{"6w", "decision"}, 7},
	{NoPlanNotice, "ehc_request", []string{"16w"}, 14},
	{FinalPlan, "ehc_request", []string{"20w"}, 14},
	{Advice, "ehc_request", nil, 7},
	{DraftComments, "ehc_plan", []string{"15d", "comments"}, 5},
	{Amendment, "ehc_plan", nil, 14},
	{AnnualReview, "ehc_plan", []string{"review"}, 28},
	{ReviewReport, "annual_review", nil, 7},
	{ReviewDecision, "annual_review", nil, 7},
	{PhaseTransfer, "ehc_plan", []string{"transfer"}, 28},
	{TransitionYear9, "young_person", []string{"year9"}, 56},
	{CareAct, "transition_plan", []string{"17.5", "care_act"}, 56},
	{CHCIdentify, "transition_plan", nil, 56},
	{CHCRefer, "transition_plan", nil, 56},
	{CHCEligibility, "transition_plan", nil, 56},
	{CHCInPlace, "transition_plan", nil, 56},
	{ReassessmentDecision, "reassessment", nil, 5},
	{ReassessmentFinalPlan, "reassessment", []string{"14w"}, 14},
	{TransferFamilyNotice, "ehc_plan", nil, 7},
	{TransferReview, "ehc_plan", nil, 28},
}

// Known reports whether c is a clock.
func Known(c Clock) bool {
	for _, i := range Clocks {
		if i.Clock == c {
			return true
		}
	}
	return false
}

// Leads is how many days before each clock's due date its due_soon warning is sent.
type Leads map[Clock]int

// DefaultLeads: 2 weeks for the 16- and 20-week limits and amendments, 1 week for the decision to
// assess, advice and a review's report and decision, 5 days for draft comments, 4 weeks for
// annual reviews and phase transfers, 8 weeks for transition milestones; 5 days for a
// re-assessment decision, 2 weeks for its final plan, 1 week for telling the family of a plan
// transferred in and 4 weeks for that plan's first review.
func DefaultLeads() Leads {
	l := Leads{}
	for _, i := range Clocks {
		l[i.Clock] = i.DefaultLead
	}
	return l
}

// Lead is the clock's lead in days.
func (l Leads) Lead(c Clock) int { return l[c] }

// ParseLeads reads ONEPLAN_DEADLINE_LEADS over the defaults: comma-separated clock=duration, the
// clock by name or alias ("20w", "advice", "chc" for all four CHC milestones, "transition" for
// every transition clock) and the duration in days or weeks ("14d", "2w", "10"), at most a year.
func ParseLeads(s string) (Leads, error) {
	l := DefaultLeads()
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, dur, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("deadline leads: %q is not clock=duration", part)
		}
		clocks := resolve(strings.TrimSpace(name))
		if len(clocks) == 0 {
			return nil, fmt.Errorf("deadline leads: unknown clock %q", name)
		}
		days, err := parseDays(strings.TrimSpace(dur))
		if err != nil {
			return nil, fmt.Errorf("deadline leads: %s: %w", name, err)
		}
		for _, c := range clocks {
			l[c] = days
		}
	}
	return l, nil
}

func resolve(name string) []Clock {
	switch name {
	case "chc":
		return []Clock{CHCIdentify, CHCRefer, CHCEligibility, CHCInPlace}
	case "transition":
		return []Clock{TransitionYear9, CareAct, CHCIdentify, CHCRefer, CHCEligibility, CHCInPlace}
	}
	for _, i := range Clocks {
		if string(i.Clock) == name {
			return []Clock{i.Clock}
		}
		for _, a := range i.Aliases {
			if a == name {
				return []Clock{i.Clock}
			}
		}
	}
	return nil
}

func parseDays(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "w"):
		mult, s = 7, strings.TrimSuffix(s, "w")
	case strings.HasSuffix(s, "d"):
		s = strings.TrimSuffix(s, "d")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n*mult > 366 {
		return 0, fmt.Errorf("%q is not a lead of 0 to 366 days (e.g. 14d or 2w)", s)
	}
	return n * mult, nil
}

// Status is where an open deadline stands on a day.
type Status string

// The statuses.
const (
	Upcoming Status = "upcoming" // due later than its lead
	DueSoon  Status = "due_soon" // within its lead, the due day included
	Missed   Status = "missed"   // the due day has passed, unmet
)

// ParseStatus returns the status spelled s.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case Upcoming, DueSoon, Missed:
		return st, true
	}
	return "", false
}

// Deadline is one open (not yet met, still applicable) deadline of a record.
type Deadline struct {
	Clock         Clock
	RecordType    string
	RecordID      string
	YoungPersonID string
	DueOn         time.Time
	// Part tells deadlines of the same clock on one record apart (the advice request's id, the
	// plan version's number); empty when a record has one of the clock.
	Part string
	// Changed is when the record last changed (zero: not known, as for the Year 9 deadline of a
	// young person without a transition plan); the worklist's UpdatedSince is judged on it.
	Changed time.Time
	// Owner is the practitioner who answers for the deadline (see Owners); empty when no one does.
	Owner string
}

// Key identifies the deadline: a moved due date is a new deadline, warned again.
func (d Deadline) Key() string {
	k := d.RecordType + ":" + d.RecordID + ":" + string(d.Clock) + ":" + d.DueOn.Format("2006-01-02")
	if d.Part != "" {
		k += ":" + d.Part
	}
	return k
}

// StatusOn is the deadline's status on asOf with a lead of lead days.
func (d Deadline) StatusOn(asOf time.Time, lead int) Status {
	asOf, due := statutory.Civil(asOf), statutory.Civil(d.DueOn)
	switch {
	case asOf.After(due):
		return Missed
	case !asOf.Before(statutory.AddDays(due, -lead)):
		return DueSoon
	}
	return Upcoming
}

// Open reports whether a milestone of the given status is an open deadline: applicable and not
// yet met (not due, due or overdue).
func Open(s statutory.Status) bool {
	return s == statutory.StatusNotDue || s == statutory.StatusDue || s == statutory.StatusOverdue
}

// Sort orders deadlines by due date, then key: the worklist's order, and the order the sweeper
// claims notices in (the same order on every replica, so two sweeps never deadlock).
func Sort(ds []Deadline) {
	sort.Slice(ds, func(i, j int) bool {
		if !ds[i].DueOn.Equal(ds[j].DueOn) {
			return ds[i].DueOn.Before(ds[j].DueOn)
		}
		return ds[i].Key() < ds[j].Key()
	})
}

// Notice is one warning sent about a deadline.
type Notice struct {
	ID, EventID string
	Kind        Status // DueSoon or Missed
	Deadline    Deadline
	SentAt      time.Time
}

// Notices remembers the warnings sent. The store implements it.
type Notices interface {
	// Claim records n and reports whether this call recorded it: false when the same warning
	// (deadline key and kind) was already recorded, by this sweep or a concurrent one.
	Claim(n Notice) (bool, error)
	// Claimed reports which of keys (deadline keys) already have a notice of kind.
	Claimed(kind Status, keys []string) (map[string]bool, error)
}

// Owners finds who owns deadlines. The store implements it.
//
// Who owns a deadline: the adviser named on an advice request owns its advice deadline; every
// other deadline is owned by the engagement lead of the referral its record comes from (an EHC
// request's referral, a plan's through its request, a review's through its plan), or, when that
// referral has none or there is no such referral (a plan transferred in, a request made without a
// referral, a transition plan, the Year 9 clock of a young person), by the engagement lead of the
// young person's latest referral that has one. A deadline nobody was ever allocated to has no owner.
type Owners interface {
	// Leads returns the engagement lead of each of referralIDs that has one, and for each of
	// youngPersonIDs the engagement lead of their latest referral (by day received) that has one.
	Leads(referralIDs, youngPersonIDs []string) (byReferral, byYoungPerson map[string]string, err error)
	// YoungPeopleOf lists the young people whose deadlines practitionerID may own: those with a
	// referral of which they are engagement lead, or an advice request that names them.
	YoungPeopleOf(practitionerID string) ([]string, error)
}

// Owner is the ownership rule of Owners for one deadline: the practitioner named on the record
// itself (an advice request's adviser), else the engagement lead of the referral the record comes
// from, else the engagement lead of the young person's latest referral that has one; "" when
// nobody was ever allocated.
func Owner(named, referralLead, youngPersonLead string) string {
	switch {
	case named != "":
		return named
	case referralLead != "":
		return referralLead
	}
	return youngPersonLead
}

// Worklists keeps the worklist as a table: every open deadline with its owner, so a page of it is
// one indexed query rather than a reading of every area. The sweeper writes it whole on each sweep;
// a write that changes a young person's records marks them stale (in the write's own
// transaction), and their rows are recomputed before the next page is read. The store implements it.
type Worklists interface {
	// Replace makes the stored deadlines of youngPeople (nil: of everyone) exactly ds.
	Replace(youngPeople []string, ds []Deadline) error
	// Population lists up to limit young people's ids after the id after, in id order.
	Population(after string, limit int) ([]string, error)
	// Prune forgets the deadlines of young people no longer on record.
	Prune() error
	// Stale lists up to limit marks of young people whose records changed since their deadlines
	// were last stored: the marks' ids and the young people they name.
	Stale(limit int) (marks, youngPeople []string, err error)
	// Refreshed forgets the marks once their young people's deadlines are stored again.
	Refreshed(marks []string) error
	// Page is one page of the stored worklist within scope, filtered by q (as Worklist filters),
	// in the worklist's order (due day, then key) after pg.Cursor.
	Page(q Query, leads Leads, sc access.Scope, pg paging.Page) ([]Item, string, error)
}

// Query asks for a worklist of deadlines on AsOf.
type Query struct {
	AsOf          time.Time
	Clock         Clock     // empty: every clock
	Status        Status    // empty: every status
	DueBefore     time.Time // zero: no bound; else due on or before
	YoungPersonID string
	Owner         string // a practitioner id: only the deadlines they own
	// UpdatedSince keeps the deadlines of records changed at or after it (not those whose record's
	// changes are not known).
	UpdatedSince time.Time
}

// Item is a deadline on the worklist with its status and the day its warning is sent.
type Item struct {
	Deadline
	Status   Status
	WarnFrom time.Time
}

// Worklist filters the sorted deadlines ds by q under leads.
func Worklist(ds []Deadline, q Query, leads Leads) []Item {
	var out []Item
	for _, d := range ds {
		if (q.Clock != "" && d.Clock != q.Clock) || (q.YoungPersonID != "" && d.YoungPersonID != q.YoungPersonID) ||
			(q.Owner != "" && d.Owner != q.Owner) ||
			(!q.DueBefore.IsZero() && d.DueOn.After(statutory.Civil(q.DueBefore))) ||
			(!q.UpdatedSince.IsZero() && (d.Changed.IsZero() || d.Changed.Before(q.UpdatedSince))) {
			continue
		}
		lead := leads.Lead(d.Clock)
		st := d.StatusOn(q.AsOf, lead)
		if q.Status != "" && st != q.Status {
			continue
		}
		out = append(out, Item{Deadline: d, Status: st, WarnFrom: statutory.AddDays(d.DueOn, -lead)})
	}
	return out
}

// Cursor is the opaque position after item d in the worklist's order.
func Cursor(d Deadline) string {
	return base64.RawURLEncoding.EncodeToString([]byte("d1:" + d.DueOn.Format("2006-01-02") + "|" + d.Key()))
}

// ParseCursor reads a cursor made by Cursor: the due day and key of the last item of the page
// before. A cursor this API did not issue is a field error.
func ParseCursor(cursor string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	due, key, ok := strings.Cut(strings.TrimPrefix(string(b), "d1:"), "|")
	day, derr := time.Parse("2006-01-02", due)
	if err != nil || !strings.HasPrefix(string(b), "d1:") || !ok || derr != nil || key == "" {
		return time.Time{}, "", fault.Field(fault.Invalid, "/query/cursor", "is not a cursor this API issued")
	}
	return day, key, nil
}

// PageOf returns the items after cursor (empty: from the start), at most limit, and the cursor of
// the next page ("" on the last). A cursor this API did not issue is a field error.
func PageOf(items []Item, cursor string, limit int) ([]Item, string, error) {
	start := 0
	if cursor != "" {
		day, key, err := ParseCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		start = sort.Search(len(items), func(i int) bool {
			d := items[i].DueOn
			return d.After(day) || (d.Equal(day) && items[i].Key() > key)
		})
	}
	end := min(start+limit, len(items))
	page := items[start:end]
	if end < len(items) && len(page) > 0 {
		return page, Cursor(page[len(page)-1].Deadline), nil
	}
	return page, "", nil
}
