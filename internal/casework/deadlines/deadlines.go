// Package deadlines is the statutory clock that runs by itself: it sends the time-driven events
// (a deadline near or missed, a review due, a transition gap opened) and ceases plans whose cease
// date has come, each once however often it runs.
package deadlines

import (
	"context"
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
// the plans whose cease date has come. One transaction: a failed sweep sends nothing.
func (s *Service) Sweep(ctx context.Context, asOf time.Time) (res SweepResult, err error) {
	defer casework.Wrap(&err, "sweep")
	return s.sweep(ctx, asOf, "")
}

// sweep sweeps as of asOf; with a slot, only if no process has swept that slot yet. The slot is
// claimed in the sweep's own transaction, so a replica that loses the race waits for the winner's
// commit and then skips, and a sweep that fails leaves the slot to be swept again.
func (s *Service) sweep(ctx context.Context, asOf time.Time, slot string) (res SweepResult, err error) {
	asOf = statutory.Civil(asOf)
	err = s.db.InTx(ctx, func(tx Tx) error {
		if slot != "" {
			claimed, err := tx.Notices().Claim(slot, s.Now())
			if err != nil || !claimed {
				res.Skipped = err == nil
				return err
			}
		}
		send := func(key string, eventType outbox.Type, recordID string, payload map[string]any) (bool, error) {
			claimed, err := tx.Notices().Claim(key, s.Now())
			if err != nil || !claimed {
				return false, err
			}
			return true, tx.Publish(s.Notice(eventType, recordID, payload))
		}
		day := func(t time.Time) string { return t.Format("2006-01-02") }

		dueSoon, err := tx.EHCRequests().DecisionDue(asOf, statutory.AddDays(asOf, DecisionDueNoticeDays))
		if err != nil {
			return err
		}
		for _, r := range dueSoon {
			due := r.DueDates().DecisionToAssess
			sent, err := send("ehc_request.decision_due:"+r.ID+":"+day(due), outbox.EHCRequestDecisionDue, r.ID,
				map[string]any{"young_person_id": r.YoungPersonID, "due_on": day(due)})
			if err != nil {
				return err
			}
			if sent {
				res.DecisionsDue++
			}
		}

		overdue := true
		missed, err := paging.Drain(func(pg paging.Page) ([]ehc.Request, string, error) {
			return tx.EHCRequests().List(ehc.Filter{Overdue: &overdue, Today: asOf}, access.Scope{}, pg)
		})
		if err != nil {
			return err
		}
		// Due soon: every request's 16- and 20-week limits within their lead, read set-based (the
		// requests with a limit passed were read above; these are the others).
		notOverdue := false
		current, err := paging.Drain(func(pg paging.Page) ([]ehc.Request, string, error) {
			return tx.EHCRequests().List(ehc.Filter{Overdue: &notOverdue, Today: asOf}, access.Scope{}, pg)
		})
		if err != nil {
			return err
		}
		for _, r := range append(current, missed...) {
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
				sent, err := send("ehc_request.deadline_due_soon:"+r.ID+":"+named.name+":"+day(due), outbox.EHCRequestDeadlineDueSoon, r.ID,
					map[string]any{"young_person_id": r.YoungPersonID, "deadline": named.name, "due_on": day(due)})
				if err != nil {
					return err
				}
				if sent {
					res.DeadlinesDueSoon++
				}
			}
		}
		for _, r := range missed {
			d := r.Deadlines(asOf)
			for _, named := range []struct {
				name string
				m    ehc.Milestone
			}{{"decision_to_assess", d.DecisionToAssess}, {"no_plan_notice", d.NoPlanNotice}, {"final_plan", d.FinalPlan}} {
				name, m := named.name, named.m
				if m.Status != statutory.StatusOverdue {
					continue
				}
				sent, err := send("ehc_request.deadline_missed:"+r.ID+":"+name+":"+day(m.AdjustedDueOn), outbox.EHCRequestDeadlineMissed, r.ID,
					map[string]any{"young_person_id": r.YoungPersonID, "deadline": name, "due_on": day(m.AdjustedDueOn)})
				if err != nil {
					return err
				}
				if sent {
					res.DeadlinesMissed++
				}
			}
		}

		reviewsSoon, err := paging.Drain(func(pg paging.Page) ([]annualreview.Review, string, error) {
			return tx.Reviews().List(annualreview.Filter{DueBefore: statutory.AddDays(asOf, ReviewDueNoticeDays), Today: asOf}, access.Scope{}, pg)
		})
		if err != nil {
			return err
		}
		for _, r := range reviewsSoon {
			sent, err := send("annual_review.due:"+r.ID, outbox.AnnualReviewDue, r.ID, plans.ReviewPayload(r))
			if err != nil {
				return err
			}
			if sent {
				res.ReviewsDue++
			}
		}
		late, err := paging.Drain(func(pg paging.Page) ([]annualreview.Review, string, error) {
			return tx.Reviews().List(annualreview.Filter{Overdue: &overdue, Today: asOf}, access.Scope{}, pg)
		})
		if err != nil {
			return err
		}
		for _, r := range late {
			d := r.Deadlines(asOf)
			for _, named := range []struct {
				name string
				m    statutory.Milestone
			}{{"review", d.Review}, {"report", d.Report}, {"decision", d.Decision}} {
				name, m := named.name, named.m
				if m.Status != statutory.StatusOverdue {
					continue
				}
				p := plans.ReviewPayload(r)
				p["deadline"] = name
				sent, err := send("annual_review.deadline_missed:"+r.ID+":"+name, outbox.AnnualReviewDeadlineMissed, r.ID, p)
				if err != nil {
					return err
				}
				if sent {
					res.ReviewsOverdue++
				}
			}
		}

		if res.PlansCeased, err = s.plans.CeaseDue(ctx, tx, sweeper, asOf, ""); err != nil {
			return err
		}
		if err := s.sweepGaps(ctx, tx, asOf, send, &res); err != nil {
			return err
		}
		// One reading of every area serves both the warnings and the stored worklist, written
		// whole (only its difference) after the warnings, as of what this transaction sees.
		marks, _, err := tx.DeadlineWorklist().Stale(staleBatch)
		if err != nil {
			return err
		}
		ds, err := collect(tx, asOf, access.Scope{}, s.maxLead(), true)
		if err != nil {
			return err
		}
		if err := s.warn(tx, asOf, ds, &res); err != nil {
			return err
		}
		if err := tx.DeadlineWorklist().Replace(nil, ds); err != nil {
			return err
		}
		return tx.DeadlineWorklist().Refreshed(marks)
	})
	return res, err
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
// is notified again.
func (s *Service) sweepGaps(_ context.Context, tx Tx, asOf time.Time,
	send func(key string, eventType outbox.Type, recordID string, payload map[string]any) (bool, error), res *SweepResult) error {
	minAge := s.transitions.TransitionGapMinAge()
	q := transition.GapsOn(asOf, minAge, false)
	gaps, err := paging.Drain(func(pg paging.Page) ([]transition.Gap, string, error) {
		return tx.Transitions().Gaps(q, access.Scope{}, pg)
	})
	if err != nil {
		return err
	}
	for _, g := range gaps {
		day := g.Since(minAge, false).Format("2006-01-02")
		sent, err := send("transition_gap.opened:"+g.YoungPersonID+":"+day, outbox.TransitionGapOpened, g.YoungPersonID,
			map[string]any{"young_person_id": g.YoungPersonID, "gap_since": day, "open_referral": g.OpenReferral, "ehc_plan": g.EHCPlan})
		if err != nil {
			return err
		}
		if sent {
			res.GapsOpened++
		}
	}
	return nil
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
			if err := tx.Publish(e); err != nil {
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
