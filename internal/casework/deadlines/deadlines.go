// Package deadlines is the statutory clock that runs by itself: it sends the time-driven events
// (a deadline near or missed, a review due, a transition gap opened) and ceases plans whose cease
// date has come, each once however often it runs.
package deadlines

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/casework/transitions"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Tx is what the sweeper needs of a transaction.
type Tx interface {
	plans.Tx
	Reassessments() reassessment.Repository
	Transitions() transition.Repository
	Notices() outbox.Notices
	DeadlineNotices() deadline.Notices
	DeadlineOwners() deadline.Owners
	DeadlineWorklist() deadline.Worklists
	// PublishNotice writes a notice's event without marking its young person's deadlines stale
	// (a notice changes no record).
	PublishNotice(events ...outbox.Event) error
}

// Service runs the sweeper.
type Service struct {
	casework.Core
	db          casework.DB[Tx]
	plans       *plans.Service
	transitions *transitions.Service
	leads       deadline.Leads
}

// New returns the sweeper.
func New(core casework.Core, db casework.DB[Tx], plans *plans.Service, transitions *transitions.Service) *Service {
	return &Service{Core: core, db: db, plans: plans, transitions: transitions, leads: deadline.DefaultLeads()}
}

// SetLeads sets the lead times of the deadline.due_soon warnings (ONEPLAN_DEADLINE_LEADS).
func (s *Service) SetLeads(l deadline.Leads) { s.leads = l }

// Leads are the lead times in use.
func (s *Service) Leads() deadline.Leads { return s.leads }

// Notice windows of the sweeper.
const (
	// DecisionDueNoticeDays: warn a week before the decision whether to assess is due.
	DecisionDueNoticeDays = 7
	// ReviewDueNoticeDays: warn six weeks before an annual review is due, so the meeting can be
	// called with the 2 weeks' notice of Reg 20(3) and papers gathered first.
	ReviewDueNoticeDays = 42
)

// Leads are how many days before each deadline its due_soon event is sent.
type Leads struct {
	NoPlanNotice int // the 16-week notice that no plan will be issued
	FinalPlan    int // the 20-week final plan
}

// DefaultLeads: two weeks for the 16- and 20-week limits.
var DefaultLeads = Leads{NoPlanNotice: 14, FinalPlan: 14}

// sweeper is the principal recorded on what the clock does by itself.
var sweeper = auth.Principal{Subject: "oneplan:sweeper", Role: auth.RoleAdmin}

// SweepResult counts what one sweep sent.
type SweepResult struct {
	// Skipped is true when another process had already swept this interval.
	Skipped bool
	// Slot names the interval RunSweeper claimed (empty for Sweep).
	Slot string

	DecisionsDue, DeadlinesMissed, ReviewsDue, ReviewsOverdue, PlansCeased, GapsOpened int
	// DeadlinesDueSoon counts due_soon events of the 16- and 20-week limits.
	DeadlinesDueSoon int
	// Warned and Missed count deadline.due_soon and deadline.missed events, every clock.
	Warned, Missed int
}

// Sweep sends the time-driven outbox events as of asOf, each once however often it runs: an EHC
// decision whether to assess due within 7 days, a statutory limit missed, an annual review due
// within 6 weeks or overdue, and a young person entering the transition gap. It also marks ceased
// the plans whose cease date has come, and stores everyone's deadlines (sending their warnings).
//
// It works a page at a time, each page in its own short transaction holding the page's claims
// and their events together, so memory and transactions stay small whatever the caseload, and a
// sweep that fails part way keeps the pages it committed: the next sweep sends what this one did
// not, and nothing twice (each notice is claimed by a unique key before its event is written).
func (s *Service) Sweep(ctx context.Context, asOf time.Time) (res SweepResult, err error) {
	defer casework.Wrap(&err, "sweep")
	return s.sweep(ctx, asOf, "")
}

// sweepPage bounds the records one transaction of a sweep reads (lists cap their own pages at
// paging.Max). A variable only so tests can sweep many pages over few records.
var sweepPage = 500

// sweep sweeps as of asOf; with a slot, only if no process has swept that slot yet. The slot is
// claimed in a transaction of its own before the sweep, so a replica that loses the race skips at
// once; a sweep that fails after claiming leaves its notices to the next interval's sweep.
func (s *Service) sweep(ctx context.Context, asOf time.Time, slot string) (res SweepResult, err error) {
	asOf = statutory.Civil(asOf)
	if slot != "" {
		claimed := false
		if err := s.db.InTx(ctx, func(tx Tx) (err error) {
			claimed, err = tx.Notices().Claim(slot, s.Now())
			return err
		}); err != nil {
			return res, err
		}
		if !claimed {
			res.Skipped = true
			return res, nil
		}
	}
	for _, step := range []func(context.Context, time.Time, *SweepResult) error{
		s.sweepDecisionsDue, s.sweepRequests, s.sweepReviews, s.ceaseDue, s.sweepGaps, s.sweepWorklist,
	} {
		if err := step(ctx, asOf, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// add counts o's notices in r.
func (r *SweepResult) add(o SweepResult) {
	r.DecisionsDue += o.DecisionsDue
	r.DeadlinesMissed += o.DeadlinesMissed
	r.ReviewsDue += o.ReviewsDue
	r.ReviewsOverdue += o.ReviewsOverdue
	r.PlansCeased += o.PlansCeased
	r.GapsOpened += o.GapsOpened
	r.DeadlinesDueSoon += o.DeadlinesDueSoon
	r.Warned += o.Warned
	r.Missed += o.Missed
}

// inTx runs fn in one transaction and counts what it sent only once it has committed.
func (s *Service) inTx(ctx context.Context, res *SweepResult, fn func(tx Tx, res *SweepResult) error) error {
	var page SweepResult
	if err := s.db.InTx(ctx, func(tx Tx) error {
		page = SweepResult{}
		return fn(tx, &page)
	}); err != nil {
		return err
	}
	res.add(page)
	return nil
}

// notice is one keyed time-driven event to send once.
type notice struct {
	key      string
	typ      outbox.Type
	recordID string
	payload  map[string]any
	count    func(*SweepResult) // what sending it counts
}

// send sends the notices of one page not sent before: the page's keys are claimed in one
// statement (an insert that skips the keys already there), and only the notices whose claim this
// sweep inserted are published, in key order, so concurrent sweeps send each once.
func (s *Service) send(tx Tx, ns []notice, res *SweepResult) error {
	if len(ns) == 0 {
		return nil
	}
	slices.SortFunc(ns, func(a, b notice) int { return strings.Compare(a.key, b.key) })
	keys := make([]string, len(ns))
	for i, n := range ns {
		keys[i] = n.key
	}
	claimed, err := tx.Notices().ClaimAll(keys, s.Now())
	if err != nil {
		return err
	}
	for _, n := range ns {
		if !claimed[n.key] {
			continue
		}
		delete(claimed, n.key) // a key given twice is sent once
		if err := tx.PublishNotice(s.Notice(n.typ, n.recordID, n.payload)); err != nil {
			return err
		}
		n.count(res)
	}
	return nil
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// sweepDecisionsDue warns of the decisions whether to assess due within DecisionDueNoticeDays:
// the requests received in about a week, one short transaction.
func (s *Service) sweepDecisionsDue(ctx context.Context, asOf time.Time, res *SweepResult) error {
	return s.inTx(ctx, res, func(tx Tx, res *SweepResult) error {
		dueSoon, err := tx.EHCRequests().DecisionDue(asOf, statutory.AddDays(asOf, DecisionDueNoticeDays))
		if err != nil {
			return err
		}
		ns := make([]notice, 0, len(dueSoon))
		for _, r := range dueSoon {
			due := r.DueDates().DecisionToAssess
			ns = append(ns, notice{"ehc_request.decision_due:" + r.ID + ":" + day(due), outbox.EHCRequestDecisionDue, r.ID,
				map[string]any{"young_person_id": r.YoungPersonID, "due_on": day(due)}, func(r *SweepResult) { r.DecisionsDue++ }})
		}
		return s.send(tx, ns, res)
	})
}

// sweepRequests sends each EHC request's 16- and 20-week limits' due_soon within their lead, and
// the missed notice of every limit passed unmet (the decision whether to assess too). Only the
// requests that may owe one are read (ehc.NoticeQuery: the test is made in SQL, and a notice
// already claimed drops its request), sweepPage to a transaction in id order.
func (s *Service) sweepRequests(ctx context.Context, asOf time.Time, res *SweepResult) error {
	q := ehc.NoticeQuery{AsOf: asOf, NoPlanLead: DefaultLeads.NoPlanNotice, FinalPlanLead: DefaultLeads.FinalPlan}
	for after, more := "", true; more; {
		if err := s.inTx(ctx, res, func(tx Tx, res *SweepResult) error {
			rs, err := tx.EHCRequests().NoticesDue(q, after, sweepPage)
			if err != nil {
				return err
			}
			if more = len(rs) == sweepPage; len(rs) > 0 {
				after = rs[len(rs)-1].ID
			}
			var ns []notice
			for _, r := range rs {
				ns = append(ns, requestNotices(r, asOf)...)
			}
			return s.send(tx, ns, res)
		}); err != nil {
			return err
		}
	}
	return nil
}

// requestNotices are the notices r owes on asOf: due_soon for a 16- or 20-week limit within its
// lead, missed for any statutory limit passed unmet.
func requestNotices(r ehc.Request, asOf time.Time) []notice {
	var ns []notice
	d := r.Deadlines(asOf)
	for _, named := range []struct {
		name string
		m    ehc.Milestone
		lead int
	}{{"no_plan_notice", d.NoPlanNotice, DefaultLeads.NoPlanNotice}, {"final_plan", d.FinalPlan, DefaultLeads.FinalPlan}} {
		due := named.m.AdjustedDueOn
		if named.m.Status.Done() || named.m.Status == statutory.StatusNotApplicable || named.m.Status == statutory.StatusOverdue ||
			due.IsZero() || asOf.Before(statutory.AddDays(due, -named.lead)) {
			continue
		}
		ns = append(ns, notice{ehc.KeyDeadlineDueSoon + r.ID + ":" + named.name + ":" + day(due), outbox.EHCRequestDeadlineDueSoon, r.ID,
			map[string]any{"young_person_id": r.YoungPersonID, "deadline": named.name, "due_on": day(due)},
			func(r *SweepResult) { r.DeadlinesDueSoon++ }})
	}
	for _, named := range []struct {
		name string
		m    ehc.Milestone
	}{{"decision_to_assess", d.DecisionToAssess}, {"no_plan_notice", d.NoPlanNotice}, {"final_plan", d.FinalPlan}} {
		if named.m.Status != statutory.StatusOverdue {
			continue
		}
		due := day(named.m.AdjustedDueOn)
		ns = append(ns, notice{ehc.KeyDeadlineMissed + r.ID + ":" + named.name + ":" + due, outbox.EHCRequestDeadlineMissed, r.ID,
			map[string]any{"young_person_id": r.YoungPersonID, "deadline": named.name, "due_on": due},
			func(r *SweepResult) { r.DeadlinesMissed++ }})
	}
	return ns
}

// pages runs fetch and handle for each page of a keyset list, each page in its own transaction.
func pages[T any](ctx context.Context, s *Service, res *SweepResult, fetch func(tx Tx, pg paging.Page) ([]T, string, error),
	handle func(tx Tx, items []T, res *SweepResult) error) error {
	for pg := (paging.Page{Limit: paging.Max}); ; {
		next := ""
		if err := s.inTx(ctx, res, func(tx Tx, res *SweepResult) error {
			items, n, err := fetch(tx, pg)
			if err != nil {
				return err
			}
			next = n
			return handle(tx, items, res)
		}); err != nil || next == "" {
			return err
		}
		pg.Cursor = next
	}
}

// sweepReviews sends annual_review.due for the reviews due within ReviewDueNoticeDays and
// annual_review.deadline_missed for each review limit passed, a page to a transaction.
func (s *Service) sweepReviews(ctx context.Context, asOf time.Time, res *SweepResult) error {
	if err := pages(ctx, s, res, func(tx Tx, pg paging.Page) ([]annualreview.Review, string, error) {
		return tx.Reviews().List(annualreview.Filter{DueBefore: statutory.AddDays(asOf, ReviewDueNoticeDays), Today: asOf}, access.Scope{}, pg)
	}, func(tx Tx, rs []annualreview.Review, res *SweepResult) error {
		ns := make([]notice, len(rs))
		for i, r := range rs {
			ns[i] = notice{"annual_review.due:" + r.ID, outbox.AnnualReviewDue, r.ID, plans.ReviewPayload(r), func(r *SweepResult) { r.ReviewsDue++ }}
		}
		return s.send(tx, ns, res)
	}); err != nil {
		return err
	}
	overdue := true
	return pages(ctx, s, res, func(tx Tx, pg paging.Page) ([]annualreview.Review, string, error) {
		return tx.Reviews().List(annualreview.Filter{Overdue: &overdue, Today: asOf}, access.Scope{}, pg)
	}, func(tx Tx, rs []annualreview.Review, res *SweepResult) error {
		var ns []notice
		for _, r := range rs {
			d := r.Deadlines(asOf)
			for _, named := range []struct {
				name string
				m    statutory.Milestone
			}{{"review", d.Review}, {"report", d.Report}, {"decision", d.Decision}} {
				if named.m.Status != statutory.StatusOverdue {
					continue
				}
				p := plans.ReviewPayload(r)
				p["deadline"] = named.name
				ns = append(ns, notice{"annual_review.deadline_missed:" + r.ID + ":" + named.name, outbox.AnnualReviewDeadlineMissed, r.ID, p,
					func(r *SweepResult) { r.ReviewsOverdue++ }})
			}
		}
		return s.send(tx, ns, res)
	})
}

// ceaseDue marks ceased the plans whose cease date has come, sweepPage to a transaction (a plan
// ceased leaves the query, so each transaction reads the next ones).
func (s *Service) ceaseDue(ctx context.Context, asOf time.Time, res *SweepResult) error {
	for more := true; more; {
		if err := s.inTx(ctx, res, func(tx Tx, res *SweepResult) (err error) {
			res.PlansCeased, err = s.plans.CeaseDue(ctx, tx, sweeper, asOf, "", sweepPage)
			more = res.PlansCeased == sweepPage
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// RunSweeper sweeps every interval until ctx ends, logging failures through report.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration, report func(SweepResult, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// Every replica ticks; the first to claim the interval's slot sweeps it, the others skip.
		now := s.Now()
		slot := "sweep:" + interval.String() + ":" + now.Truncate(interval).Format(time.RFC3339)
		res, err := s.sweep(ctx, s.Today(), slot)
		res.Slot = slot
		report(res, err)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepGaps sends transition_gap.opened once per young person and gap: everyone who on asOf is
// past the configured age with an open referral or an EHC plan in force and no current transition
// plan. The key holds the day the gap opened, so a young person who gets a plan and later loses it
// is notified again. A page of gaps to a transaction.
func (s *Service) sweepGaps(ctx context.Context, asOf time.Time, res *SweepResult) error {
	minAge := s.transitions.TransitionGapMinAge()
	q := transition.GapsOn(asOf, minAge, false)
	return pages(ctx, s, res, func(tx Tx, pg paging.Page) ([]transition.Gap, string, error) {
		return tx.Transitions().Gaps(q, access.Scope{}, pg)
	}, func(tx Tx, gaps []transition.Gap, res *SweepResult) error {
		ns := make([]notice, len(gaps))
		for i, g := range gaps {
			since := day(g.Since(minAge, false))
			ns[i] = notice{"transition_gap.opened:" + g.YoungPersonID + ":" + since, outbox.TransitionGapOpened, g.YoungPersonID,
				map[string]any{"young_person_id": g.YoungPersonID, "gap_since": since, "open_referral": g.OpenReferral, "ehc_plan": g.EHCPlan},
				func(r *SweepResult) { r.GapsOpened++ }}
		}
		return s.send(tx, ns, res)
	})
}

// sweepWorklist stores everyone's deadlines and sends their warnings (see warn), refreshChunk
// young people to a transaction in id order: each transaction reads those young people's records
// as it sees them, warns and replaces their stored deadlines together. The stale marks read
// before the walk are forgotten after it (every young person has been brought up to date since
// they were made); marks made during it stay for the next refresh.
func (s *Service) sweepWorklist(ctx context.Context, asOf time.Time, res *SweepResult) error {
	var marks []string
	if err := s.db.Read(ctx, func(tx Tx) (err error) {
		marks, _, err = tx.DeadlineWorklist().Stale(staleBatch)
		return err
	}); err != nil {
		return err
	}
	for after, more := "", true; more; {
		if err := s.inTx(ctx, res, func(tx Tx, res *SweepResult) error {
			only, err := tx.DeadlineWorklist().Population(after, refreshChunk)
			if err != nil || len(only) == 0 {
				more = false
				return err
			}
			more, after = len(only) == refreshChunk, only[len(only)-1]
			ds, err := collect(tx, asOf, access.Scope{Only: only}, s.maxLead(), true)
			if err != nil {
				return err
			}
			if err := s.warn(tx, asOf, ds, res); err != nil {
				return err
			}
			return tx.DeadlineWorklist().Replace(only, ds)
		}); err != nil {
			return err
		}
	}
	return s.db.InTx(ctx, func(tx Tx) error {
		if err := tx.DeadlineWorklist().Prune(); err != nil {
			return err
		}
		return tx.DeadlineWorklist().Refreshed(marks)
	})
}

// maxLead is the furthest lead of any clock, in days.
func (s *Service) maxLead() int {
	m := 0
	for _, d := range s.leads {
		m = max(m, d)
	}
	return m
}

// warn sends deadline.due_soon for every open deadline of ds within its lead and deadline.missed
// for every one whose day has passed, each once, in one set-based pass: the notices already sent
// are read for all of them at once (one query per 500 keys), and only the rest are claimed. A claim
// inserts the notice unless its key and kind are there (deadline_notices, unique on both), and only
// the sweep whose claim inserted the row publishes, so concurrent sweeps still send each once.
// Deadlines are claimed in one order (kind, then due day and key) so concurrent sweeps queue behind
// each other rather than deadlock. A deadline missed without ever being warned gets only its
// missed event.
func (s *Service) warn(tx Tx, asOf time.Time, ds []deadline.Deadline, res *SweepResult) error {
	byKind := map[deadline.Status][]deadline.Deadline{}
	for _, d := range ds {
		if kind := d.StatusOn(asOf, s.leads.Lead(d.Clock)); kind != deadline.Upcoming {
			byKind[kind] = append(byKind[kind], d)
		}
	}
	for _, kind := range []deadline.Status{deadline.DueSoon, deadline.Missed} {
		keys := make([]string, len(byKind[kind]))
		for i, d := range byKind[kind] {
			keys[i] = d.Key()
		}
		sent, err := tx.DeadlineNotices().Claimed(kind, keys)
		if err != nil {
			return err
		}
		for _, d := range byKind[kind] {
			if sent[d.Key()] {
				continue
			}
			t := outbox.DeadlineDueSoon
			if kind == deadline.Missed {
				t = outbox.DeadlineMissed
			}
			e := s.Notice(t, d.RecordID, DeadlinePayload(d, kind))
			e.RecordType, e.YoungPersonID = d.RecordType, d.YoungPersonID
			claimed, err := tx.DeadlineNotices().Claim(deadline.Notice{ID: casework.NewID(), EventID: e.ID, Kind: kind, Deadline: d, SentAt: s.Now()})
			if err != nil {
				return err
			}
			if !claimed {
				continue
			}
			if err := tx.PublishNotice(e); err != nil {
				return err
			}
			if kind == deadline.Missed {
				res.Missed++
			} else {
				res.Warned++
			}
		}
	}
	return nil
}

// DeadlinePayload is the data of a deadline event: ids, the clock, the due day and the status,
// never names.
func DeadlinePayload(d deadline.Deadline, status deadline.Status) map[string]any {
	p := map[string]any{"record_type": d.RecordType, "record_id": d.RecordID, "clock": string(d.Clock),
		"due_on": d.DueOn.Format("2006-01-02"), "status": string(status)}
	if d.YoungPersonID != "" {
		p["young_person_id"] = d.YoungPersonID
	}
	if d.Part != "" {
		p["part"] = d.Part
	}
	return p
}
