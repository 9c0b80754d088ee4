package casework

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// versioned says how to load, stamp and save one kind of record under optimistic locking.
type versioned[T any] struct {
	load  func(tx *store.Tx, id string, sc access.Scope) (T, error)
	save  func(tx *store.Tx, v T) error
	stamp func(v *T) (version *int, updatedAt *time.Time)
}

// The records changed through versioned.change.
var (
	ehcRequests = versioned[ehc.Request]{load: loadVia((*store.Tx).EHCRequests, ehc.Repository.Get), save: saveVia((*store.Tx).EHCRequests, ehc.Repository.Update),
		stamp: func(r *ehc.Request) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}
	ehcPlans = versioned[ehcplan.Plan]{load: loadVia((*store.Tx).Plans, ehcplan.Repository.Get), save: saveVia((*store.Tx).Plans, ehcplan.Repository.Update),
		stamp: func(p *ehcplan.Plan) (*int, *time.Time) { return &p.Version, &p.UpdatedAt }}
	annualReviews = versioned[annualreview.Review]{load: loadVia((*store.Tx).Reviews, annualreview.Repository.Get), save: saveVia((*store.Tx).Reviews, annualreview.Repository.Update),
		stamp: func(r *annualreview.Review) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}
	transitionPlans = versioned[transition.Plan]{load: loadVia((*store.Tx).Transitions, transition.Repository.Get), save: saveVia((*store.Tx).Transitions, transition.Repository.Update),
		stamp: func(p *transition.Plan) (*int, *time.Time) { return &p.Version, &p.UpdatedAt }}
	disputes = versioned[dispute.Dispute]{load: loadVia((*store.Tx).Disputes, dispute.Repository.Get), save: saveVia((*store.Tx).Disputes, dispute.Repository.Update),
		stamp: func(d *dispute.Dispute) (*int, *time.Time) { return &d.Version, &d.UpdatedAt }}
)

// change loads the record id if the caller holds perm and may see it, checks If-Match, applies
// the change and saves it as the next version, then lets after write its audit, outbox and
// timeline events: all in one transaction. apply reports false when nothing changed, and then
// nothing is written.
func (k versioned[T]) change(ctx context.Context, s *Service, perm auth.Permission, id string, ifMatch *int,
	apply func(tx *store.Tx, p auth.Principal, v *T) (bool, error), after func(tx *store.Tx, p auth.Principal, v T) error) (v T, err error) {
	p, err := allow(ctx, perm)
	if err != nil {
		return v, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if v, err = k.load(tx, id, s.scope(p)); err != nil {
			return err
		}
		version, updatedAt := k.stamp(&v)
		if err := checkVersion(ifMatch, *version); err != nil {
			return err
		}
		changed, err := apply(tx, p, &v)
		if err != nil || !changed {
			return err
		}
		*updatedAt, *version = s.now(), *version+1
		if err := k.save(tx, v); err != nil {
			return raced(err, ifMatch)
		}
		return after(tx, p, v)
	})
	return v, err
}

// patch applies a caller's Mutation through change. before, if set, refuses a record that may no
// longer change; a mutation that changes nothing writes nothing; merge turns the caller's version
// into the record to save (keeping what the caller may not change, checking references); after
// writes the events, knowing the record as it was and the fields changed.
func (k versioned[T]) patch(ctx context.Context, s *Service, perm auth.Permission, id string, ifMatch *int, mutate Mutation[T],
	before func(cur T) error, merge func(tx *store.Tx, p auth.Principal, cur T, next *T) error,
	after func(tx *store.Tx, p auth.Principal, cur, next T, changed []string) error) (T, error) {
	var (
		cur     T
		changed []string
	)
	return k.change(ctx, s, perm, id, ifMatch,
		func(tx *store.Tx, p auth.Principal, v *T) (bool, error) {
			cur = *v
			if before != nil {
				if err := before(cur); err != nil {
					return false, err
				}
			}
			next, names, err := mutate(cur)
			if err != nil || len(names) == 0 {
				return false, err
			}
			if err := merge(tx, p, cur, &next); err != nil {
				return false, err
			}
			nv, nu := k.stamp(&next)
			cv, cu := k.stamp(&cur)
			*nv, *nu = *cv, *cu
			changed, *v = names, next
			return true, nil
		},
		func(tx *store.Tx, p auth.Principal, v T) error { return after(tx, p, cur, v, changed) })
}

// dateOfBirth reads a young person's date of birth for rules that depend on age.
func dateOfBirth(tx *store.Tx, youngPersonID string) (time.Time, error) {
	yp, err := tx.People().Get(youngPersonID, access.Scope{})
	return yp.DateOfBirth, err
}

// loadVia and saveVia adapt a repository's Get and Update to versioned's load and save.
func loadVia[R, T any](repo func(*store.Tx) R, get func(R, string, access.Scope) (T, error)) func(*store.Tx, string, access.Scope) (T, error) {
	return func(tx *store.Tx, id string, sc access.Scope) (T, error) { return get(repo(tx), id, sc) }
}

func saveVia[R, T any](repo func(*store.Tx) R, update func(R, T) error) func(*store.Tx, T) error {
	return func(tx *store.Tx, v T) error { return update(repo(tx), v) }
}
