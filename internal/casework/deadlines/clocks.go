package deadlines

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Year9Age: a young person with an EHC plan or an open referral has a transition plan from the
// start of the school year in which they turn 14 (Year 9).
const Year9Age = 14

// collect reads every open deadline on asOf within scope, set-based: one drained list per area
// (requests, plans, reviews, re-assessments, transition plans, young people without a transition plan), never a
// query per record. within is the furthest lead, so the Year 9 clock can look ahead for people
// not yet in scope.
// With owned, each deadline names its owner.
func collect(tx Tx, asOf time.Time, sc access.Scope, within int, owned bool) ([]deadline.Deadline, error) {
	asOf = statutory.Civil(asOf)
	var out []deadline.Deadline
	var changed time.Time // the record being read's last change
	owner := ""           // the practitioner named on the record read, when it names one (an advice request's adviser)
	add := func(c deadline.Clock, recordType, recordID, yp string, due time.Time, part string) {
		if !due.IsZero() {
			out = append(out, deadline.Deadline{Clock: c, RecordType: recordType, RecordID: recordID, YoungPersonID: yp, DueOn: statutory.Civil(due),
				Part: part, Changed: changed, Owner: owner})
		}
	}
	// Where each record comes from, to find its referral's engagement lead (see deadline.Owners).
	requestReferral, planRequest, reviewPlan := map[string]string{}, map[string]string{}, map[string]string{}

	requests, err := paging.Drain(func(pg paging.Page) ([]ehc.Request, string, error) {
		return tx.EHCRequests().List(ehc.Filter{Today: asOf}, sc, pg)
	})
	if err != nil {
		return nil, err
	}
	for _, r := range requests {
		changed = r.UpdatedAt
		requestReferral[r.ID] = r.ReferralID
		d := r.Deadlines(asOf)
		for _, m := range []struct {
			c deadline.Clock
			m ehc.Milestone
		}{{deadline.DecisionToAssess, d.DecisionToAssess}, {deadline.NoPlanNotice, d.NoPlanNotice}, {deadline.FinalPlan, d.FinalPlan}} {
			if deadline.Open(m.m.Status) {
				add(m.c, ehc.RecordType, r.ID, r.YoungPersonID, m.m.AdjustedDueOn, "")
			}
		}
		for _, a := range r.Advice {
			if m := r.AdviceMilestone(a, asOf); deadline.Open(m.Status) {
				owner = a.PractitionerID
				add(deadline.Advice, ehc.RecordType, r.ID, r.YoungPersonID, m.AdjustedDueOn, a.ID)
				owner = ""
			}
		}
	}

	plans, err := paging.Drain(func(pg paging.Page) ([]ehcplan.Plan, string, error) {
		return tx.Plans().List(ehcplan.Filter{Today: asOf}, sc, pg)
	})
	if err != nil {
		return nil, err
	}
	// A plan transferred in whose first review here is still to come: Reg 15(5)'s clock.
	transferred := map[string]bool{}
	for _, p := range plans {
		if p.FirstReviewPending() {
			transferred[p.ID] = true
		}
	}

	reviews, err := paging.Drain(func(pg paging.Page) ([]annualreview.Review, string, error) {
		return tx.Reviews().List(annualreview.Filter{Today: asOf}, sc, pg)
	})
	if err != nil {
		return nil, err
	}
	reviewing := map[string]bool{} // plans with a review scheduled or held: its own clocks apply
	for _, r := range reviews {
		if r.Status == annualreview.Cancelled || r.Status == annualreview.Decided {
			continue
		}
		reviewing[r.PlanID] = true
		reviewPlan[r.ID] = r.PlanID
		changed = r.UpdatedAt
		d := r.Deadlines(asOf)
		for _, m := range []struct {
			c deadline.Clock
			m statutory.Milestone
		}{{deadline.AnnualReview, d.Review}, {deadline.ReviewReport, d.Report}, {deadline.ReviewDecision, d.Decision}} {
			if deadline.Open(m.m.Status) {
				if m.c == deadline.AnnualReview && transferred[r.PlanID] {
					m.c = deadline.TransferReview
				}
				add(m.c, annualreview.RecordType, r.ID, r.YoungPersonID, m.m.DueOn, "")
			}
		}
	}

	for _, p := range plans {
		changed = p.UpdatedAt
		planRequest[p.ID] = p.RequestID
		status := p.StatusOn(asOf)
		if status == ehcplan.Ceased {
			continue
		}
		if m := p.NextReview(asOf); m != nil && !reviewing[p.ID] && deadline.Open(m.Status) {
			c := deadline.AnnualReview
			if transferred[p.ID] {
				c = deadline.TransferReview
			}
			add(c, ehcplan.RecordType, p.ID, p.YoungPersonID, m.DueOn, "")
		}
		if t := p.Transfer; t != nil && t.FamilyNotifiedOn == nil {
			add(deadline.TransferFamilyNotice, ehcplan.RecordType, p.ID, p.YoungPersonID, t.Deadlines().NotifyFamilyBy, "")
		}
		if pt := p.PhaseTransfer; pt != nil && status == ehcplan.Issued && phaseTransferOpen(p, asOf) {
			add(deadline.PhaseTransfer, ehcplan.RecordType, p.ID, p.YoungPersonID, pt.DueOn, "")
		}
		if len(p.Versions) == 0 {
			continue
		}
		// The family's comment period on the draft or proposal served last, until a final is issued.
		if l := p.Latest(); (l.Kind == ehcplan.KindDraft || l.Kind == ehcplan.KindAmendment) && l.CommentsDueOn != nil && l.IssuedOn == nil &&
			(status == ehcplan.Draft || status == ehcplan.Issued) {
			add(deadline.DraftComments, ehcplan.RecordType, p.ID, p.YoungPersonID, *l.CommentsDueOn, strconv.Itoa(l.Number))
		}
		for _, v := range p.Versions {
			if m := p.AmendmentDeadline(v, asOf); m != nil && v.Kind == ehcplan.KindAmendment && deadline.Open(m.Status) && !amendedAfter(p, v) {
				add(deadline.Amendment, ehcplan.RecordType, p.ID, p.YoungPersonID, m.DueOn, strconv.Itoa(v.Number))
			}
		}
	}

	reassessing, err := paging.Drain(func(pg paging.Page) ([]reassessment.Reassessment, string, error) {
		return tx.Reassessments().List(reassessment.Filter{Open: true}, sc, pg)
	})
	if err != nil {
		return nil, err
	}
	for _, r := range reassessing {
		changed = r.UpdatedAt
		d := r.Deadlines()
		switch r.Status {
		case reassessment.Requested:
			add(deadline.ReassessmentDecision, reassessment.RecordType, r.ID, r.YoungPersonID, d.DecisionDue, "")
		case reassessment.Reassessing:
			add(deadline.ReassessmentFinalPlan, reassessment.RecordType, r.ID, r.YoungPersonID, d.FinalPlanAdjusted, "")
		}
	}

	current := true
	tplans, err := paging.Drain(func(pg paging.Page) ([]transition.Plan, string, error) {
		return tx.Transitions().List(transition.Filter{Current: &current}, sc, pg)
	})
	if err != nil {
		return nil, err
	}
	for _, p := range tplans {
		changed = p.UpdatedAt
		if p.DateOfBirth.IsZero() {
			continue
		}
		if p.CareAct.CompletedOn == nil {
			add(deadline.CareAct, transition.RecordType, p.ID, p.YoungPersonID, CareActDue(p.DateOfBirth), "")
		}
		m := p.Milestones(asOf)
		for _, c := range []struct {
			c deadline.Clock
			m transition.Milestone
		}{{deadline.CHCIdentify, m.Identify}, {deadline.CHCRefer, m.Refer}, {deadline.CHCEligibility, m.EligibilityDecided}, {deadline.CHCInPlace, m.InPlace}} {
			// CHC milestones are tracked once the young person was identified as possibly needing
			// it, or from 14 when no one has recorded that they do not.
			if deadline.Open(c.m.Status) && (c.c == deadline.CHCIdentify || p.CHC.IdentifiedOn != nil) {
				add(c.c, transition.RecordType, p.ID, p.YoungPersonID, c.m.DueOn, "")
			}
		}
	}

	// Year 9: everyone with an open referral or a plan who will be in the gap by the furthest
	// lead; the deadline is the day their gap opens.
	gaps, err := paging.Drain(func(pg paging.Page) ([]transition.Gap, string, error) {
		return tx.Transitions().Gaps(transition.GapsOn(statutory.AddDays(asOf, within), Year9Age, true), sc, pg)
	})
	if err != nil {
		return nil, err
	}
	changed = time.Time{}
	for _, g := range gaps {
		add(deadline.TransitionYear9, "young_person", g.YoungPersonID, g.YoungPersonID, g.Since(Year9Age, true), "")
	}
	if owned {
		if err := own(tx, out, requestReferral, planRequest, reviewPlan); err != nil {
			return nil, err
		}
	}
	deadline.Sort(out)
	return out, nil
}

// own names the owner of every deadline in ds not already owned (see deadline.Owners), reading
// the engagement leads in one pass for all of them.
func own(tx Tx, ds []deadline.Deadline, requestReferral, planRequest, reviewPlan map[string]string) error {
	referralOf := func(d deadline.Deadline) string {
		switch d.RecordType {
		case ehc.RecordType:
			return requestReferral[d.RecordID]
		case ehcplan.RecordType:
			return requestReferral[planRequest[d.RecordID]]
		case annualreview.RecordType:
			return requestReferral[planRequest[reviewPlan[d.RecordID]]]
		}
		return ""
	}
	refs, yps := map[string]bool{}, map[string]bool{}
	for _, d := range ds {
		if d.Owner != "" {
			continue
		}
		if r := referralOf(d); r != "" {
			refs[r] = true
		}
		if d.YoungPersonID != "" {
			yps[d.YoungPersonID] = true
		}
	}
	if len(refs) == 0 && len(yps) == 0 {
		return nil
	}
	byReferral, byYoungPerson, err := tx.DeadlineOwners().Leads(keys(refs), keys(yps))
	if err != nil {
		return err
	}
	for i := range ds {
		if ds[i].Owner != "" {
			continue
		}
		ds[i].Owner = deadline.Owner("", byReferral[referralOf(ds[i])], byYoungPerson[ds[i].YoungPersonID])
	}
	return nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CareActDue is when the Care Act transition assessment is due: six months before the 18th
// birthday (at 17½), so support is in place when children's services end.
func CareActDue(dob time.Time) time.Time {
	return statutory.AddMonths(transition.Birthday(dob, 18), -6)
}

// phaseTransferOpen: a Reg 18 deadline is met by a plan issued (amended) in the year before it,
// and no longer applies once the transfer has happened.
func phaseTransferOpen(p ehcplan.Plan, asOf time.Time) bool {
	pt := p.PhaseTransfer
	if asOf.After(pt.TransferOn) {
		return false
	}
	if p.LastIssuedOn != nil && p.LastIssuedOn.After(statutory.AddMonths(pt.DueOn, -12)) && !p.LastIssuedOn.After(pt.DueOn) {
		return false
	}
	return true
}

// amendedAfter reports whether an amended final followed proposal v (its deadline is then met).
func amendedAfter(p ehcplan.Plan, v ehcplan.Version) bool {
	for _, w := range p.Versions {
		if w.Number > v.Number && w.Kind == ehcplan.KindAmendedFinal {
			return true
		}
	}
	return false
}

// RecordType names deadline worklist pages in the audit trail.
const RecordType = "deadline"

// List is the caller's worklist: a page of the stored worklist (see deadline.Worklists), one
// keyset query within the caller's scope, filtered as q asks, with statuses judged on q.AsOf
// (zero: today); the page is audited like any list. The young people whose records changed since
// their deadlines were stored are brought up to date first.
func (s *Service) List(ctx context.Context, q deadline.Query, pg paging.Page) (_ []deadline.Item, _ string, err error) {
	defer casework.Wrap(&err, "list deadlines")
	if q.AsOf.IsZero() {
		q.AsOf = s.Today()
	}
	q.AsOf, q.UpdatedSince = statutory.Civil(q.AsOf), pg.UpdatedSince
	if err := s.RefreshStale(ctx); err != nil {
		return nil, "", err
	}
	return casework.ListAudited(ctx, s.Core, s.db, RecordType, func(tx Tx, sc access.Scope) ([]deadline.Item, string, error) {
		return tx.DeadlineWorklist().Page(q, s.leads, sc, pg)
	}, func(i deadline.Item) (string, string) { return i.RecordID, i.YoungPersonID })
}

// staleBatch bounds the marks one refresh takes; more wait for the next.
const staleBatch = 5000

// RefreshStale recomputes, as of today, the stored deadlines of the young people whose records
// changed since theirs were stored (their marks), 500 young people to a reading of the areas,
// and forgets the marks it read. Replicas may run it at once: each writes the same rows.
func (s *Service) RefreshStale(ctx context.Context) error {
	// Looked for outside a transaction first: a page read while nothing changed takes no write lock
	// (on SQLite, the database's one writer).
	var stale []string
	if err := s.db.Read(ctx, func(tx Tx) (err error) {
		stale, _, err = tx.DeadlineWorklist().Stale(1)
		return err
	}); err != nil || len(stale) == 0 {
		return err
	}
	// A batch of marks to a transaction, until none is left (an import may have marked thousands).
	for more := true; more; {
		if err := s.db.InTx(ctx, func(tx Tx) error {
			marks, yps, err := tx.DeadlineWorklist().Stale(staleBatch)
			if more = len(marks) == staleBatch; err != nil || len(marks) == 0 {
				return err
			}
			slices.Sort(yps)
			yps = slices.Compact(yps)
			asOf := statutory.Civil(s.Today())
			for start := 0; start < len(yps); start += refreshChunk {
				only := yps[start:min(start+refreshChunk, len(yps))]
				ds, err := collect(tx, asOf, access.Scope{Only: only}, s.maxLead(), true)
				if err != nil {
					return err
				}
				if err := tx.DeadlineWorklist().Replace(only, ds); err != nil {
					return err
				}
			}
			return tx.DeadlineWorklist().Refreshed(marks)
		}); err != nil {
			return err
		}
	}
	return nil
}

// refreshChunk is how many young people one reading of the areas covers (SQLite's bound
// parameters, and a reading small enough to hold). A variable only for tests, as sweepPage.
var refreshChunk = 500

// Computed is the worklist computed from the records themselves, every area read as the sweeper
// reads them: the reference the stored worklist is held equal to (tests, and an operator's check
// after a restore), never the API's path.
func (s *Service) Computed(ctx context.Context, q deadline.Query, pg paging.Page) (_ []deadline.Item, _ string, err error) {
	defer casework.Wrap(&err, "compute deadlines")
	if q.AsOf.IsZero() {
		q.AsOf = s.Today()
	}
	q.AsOf, q.UpdatedSince = statutory.Civil(q.AsOf), pg.UpdatedSince
	p, err := casework.Allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, "", err
	}
	var out []deadline.Item
	var next string
	err = s.db.Read(ctx, func(tx Tx) error {
		sc := s.Scope(p)
		// A worklist about one young person or one owner reads only the children it can be about.
		switch {
		case q.YoungPersonID != "":
			sc.Only = []string{q.YoungPersonID}
		case q.Owner != "":
			ids, err := tx.DeadlineOwners().YoungPeopleOf(q.Owner)
			if err != nil || len(ids) == 0 {
				return err
			}
			sc.Only = ids
		}
		ds, err := collect(tx, q.AsOf, sc, s.maxLead(), true)
		if err != nil {
			return err
		}
		out, next, err = deadline.PageOf(deadline.Worklist(ds, q, s.leads), pg.Cursor, pg.Size())
		return err
	})
	return out, next, err
}
