package transitions

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// ImportedMatch names the young person's transition plan that started on startedOn, which a
// re-run of an import matches a row on ("" when there is none).
func ImportedMatch(tx Tx, youngPersonID string, startedOn time.Time) (string, error) {
	plans, err := paging.Drain(func(pg paging.Page) ([]transition.Plan, string, error) {
		return tx.Transitions().List(transition.Filter{YoungPersonID: youngPersonID}, access.All, pg)
	})
	if err != nil {
		return "", err
	}
	for _, p := range plans {
		if p.StartedOn.Equal(startedOn) {
			return p.ID, nil
		}
	}
	return "", nil
}

// RecordImported writes in tx a transition plan made before OnePlan, for the young person it
// names, exactly as CreateTransitionPlan writes one: the same rules (the plan's dates, the
// young person's age on the day it started, one current plan, none starting before the last
// ended), its create audit event, transition_plan.created outbox event and timeline entry on
// the day it started. An ended plan (p.Ending set) is recorded ended.
func (s *Service) RecordImported(ctx context.Context, tx Tx, pr auth.Principal, p *transition.Plan) error {
	yp, err := tx.People().Get(p.YoungPersonID, access.All)
	if err != nil {
		return err
	}
	ending := p.Ending
	p.DateOfBirth, p.Ending = yp.DateOfBirth, nil
	if err := p.Validate(s.Today()); err != nil {
		return err
	}
	if ending != nil {
		if err := p.End(ending.On, ending.Reason, ending.Notes, s.Today()); err != nil {
			return err
		}
	} else if id, err := tx.Transitions().CurrentID(yp.ID); err != nil || id != "" {
		if err == nil {
			err = transition.CurrentPlanConflict()
		}
		return err
	}
	if err := checkAfterLastPlan(tx, *p); err != nil {
		return err
	}
	p.ID, p.CreatedAt, p.UpdatedAt, p.Version = casework.NewID(), s.Now(), s.Now(), 1
	if err := tx.Transitions().Create(*p); err != nil {
		return err
	}
	if err := casework.Record(tx, s.Event(ctx, pr, audit.Create, transition.RecordType, p.ID, p.YoungPersonID, nil),
		s.Notice(outbox.TransitionPlanCreated, p.ID, transitionPayload(*p))); err != nil {
		return err
	}
	return s.OnTimeline(tx, p.YoungPersonID, "", p.StartedOn, "transition_plan.created", transition.RecordType, p.ID,
		"Transition plan started (aged "+strconv.Itoa(age.YearsOn(p.DateOfBirth, p.StartedOn))+"; recorded by import)")
}
