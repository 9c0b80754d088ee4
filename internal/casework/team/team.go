// Package team keeps the team around each child (the organisations involved, which decides who may
// see the child's record) and the consents to share that let an organisation join it.
package team

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
)

// Tx is what the team's use cases need of a transaction. Other areas that add to the team as part
// of their own writes (recording a child, a referral) pass their transaction, which provides this.
type Tx interface {
	casework.Recorder
	People() person.Repository
	Directory() directory.Repository
	Sharing() sharing.Repository
	Referrals() referral.Repository
}

// Service runs the team's use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
}

// New returns the team's service.
func New(core casework.Core, db casework.DB[Tx]) *Service { return &Service{Core: core, db: db} }

// Involve adds an organisation to the team around the child as part of another write (recording,
// referring, a new setting). These hold the record already, so no consent check applies; an
// identical current involvement is not repeated.
func (s *Service) Involve(tx Tx, p auth.Principal, youngPersonID, orgID, practitionerID, role string) error {
	i := sharing.Involvement{ID: casework.NewID(), YoungPersonID: youngPersonID, OrganisationID: orgID, PractitionerID: practitionerID,
		Role: role, StartedOn: s.Today(), CreatedAt: s.Now(), UpdatedAt: s.Now(), Version: 1}
	return tx.Sharing().Join(i, s.Notice(outbox.InvolvementStarted, i.ID,
		map[string]any{"young_person_id": youngPersonID, "organisation_id": orgID, "role": role}))
}

// MoveSetting ends the old education setting's involvement and starts the new one's.
func (s *Service) MoveSetting(tx Tx, p auth.Principal, youngPersonID, from, to string) error {
	today := s.Today()
	if from != "" {
		current, _, err := tx.Sharing().Involvements(youngPersonID, &today, paging.Page{Limit: 200})
		if err != nil {
			return err
		}
		for _, i := range current {
			if i.OrganisationID == from && i.Role == sharing.RoleEducationSetting {
				i.EndedOn, i.UpdatedAt, i.Version = &today, s.Now(), i.Version+1
				if err := tx.Sharing().UpdateInvolvement(i); err != nil {
					return err
				}
			}
		}
	}
	if to == "" {
		return nil
	}
	return s.Involve(tx, p, youngPersonID, to, "", sharing.RoleEducationSetting)
}

// VisibleYoungPerson checks the caller may see the young person, or answers 404.
func (s *Service) VisibleYoungPerson(tx Tx, p auth.Principal, id string) error {
	_, err := tx.People().Get(id, s.Scope(p))
	return err
}

// Involvements lists the team around a child the caller may see.
func (s *Service) Involvements(ctx context.Context, youngPersonID string, currentOnly bool, pg paging.Page) (out []sharing.Involvement, next string, err error) {
	defer casework.Wrap(&err, "list involvements")
	p, err := casework.Allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, "", err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := s.VisibleYoungPerson(tx, p, youngPersonID); err != nil {
			return err
		}
		var on *time.Time
		if currentOnly {
			t := s.Today()
			on = &t
		}
		if out, next, err = tx.Sharing().Involvements(youngPersonID, on, pg); err != nil {
			return err
		}
		if p.Role == auth.RoleFamily {
			for i := range out {
				out[i] = out[i].ForFamily()
			}
		}
		return tx.Audit(s.Event(ctx, p, audit.List, audit.Involvement, "", youngPersonID, nil))
	})
	return out, next, err
}

// CreateInvolvement adds an organisation to the team around the child: with consent in force
// that covers it, for safeguarding with the reason recorded, or under a lawful basis with the
// statutory duty named (sharing.AuthoriseInvolvement).
func (s *Service) CreateInvolvement(ctx context.Context, i sharing.Involvement) (_ sharing.Involvement, err error) {
	defer casework.Wrap(&err, "create involvement")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return i, err
	}
	if i.StartedOn.IsZero() {
		i.StartedOn = s.Today()
	}
	if err := i.Validate(); err != nil {
		return i, err
	}
	if sharing.OwnRole(i.Role) {
		return i, fault.Field(fault.Invalid, "/role", "is recorded by OnePlan itself when the child is recorded, their setting set, or a referral made")
	}
	i.ID, i.CreatedAt, i.UpdatedAt, i.Version = casework.NewID(), s.Now(), s.Now(), 1
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := s.VisibleYoungPerson(tx, p, i.YoungPersonID); err != nil {
			return err
		}
		org, err := tx.Directory().Organisation(i.OrganisationID)
		if err != nil {
			return casework.Referenced(err, "/organisation_id", "no such organisation")
		}
		if i.PractitionerID != "" {
			pr, err := tx.Directory().Practitioner(i.PractitionerID)
			if err != nil || pr.OrganisationID != org.ID {
				return fault.Field(fault.Unprocessable, "/practitioner_id", "no such practitioner in that organisation")
			}
		}
		consents, err := tx.Sharing().Consents(i.YoungPersonID)
		if err != nil {
			return err
		}
		if i.SafeguardingReason == "" {
			if i.SafeguardingReason, err = s.recordedConcern(tx, i.YoungPersonID); err != nil {
				return err
			}
		}
		// Sharing happens now, whatever start date is recorded: judge consent as of today.
		c, err := sharing.AuthoriseInvolvement(consents, i, org.Type, s.Today())
		if err != nil {
			return err
		}
		i.ConsentID, i.ReviewNeeded = c.ID, ""
		if err := tx.Sharing().CreateInvolvement(i); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Create, audit.Involvement, i.ID, i.YoungPersonID, nil),
			s.Notice(outbox.InvolvementStarted, i.ID, map[string]any{"young_person_id": i.YoungPersonID,
				"organisation_id": i.OrganisationID, "role": i.Role, "without_consent": c.ID == ""}))
	})
	return i, err
}

// recordedConcern names an open referral of the child that records a safeguarding concern, as
// the reason for sharing without consent; "" when there is none.
func (s *Service) recordedConcern(tx Tx, youngPersonID string) (string, error) {
	refs, _, err := tx.Referrals().List(referral.Filter{YoungPersonID: youngPersonID}, access.Scope{}, paging.Page{Limit: 200})
	if err != nil {
		return "", err
	}
	for _, r := range refs {
		if r.SafeguardingConcern && !r.Status.Terminal() {
			return "Safeguarding concern recorded on referral " + r.Reference + ".", nil
		}
	}
	return "", nil
}

// UpdateInvolvement changes or ends an involvement.
func (s *Service) UpdateInvolvement(ctx context.Context, youngPersonID, id string, ifMatch *int, mutate casework.Mutation[sharing.Involvement]) (_ sharing.Involvement, err error) {
	defer casework.Wrap(&err, "update involvement %s", id)
	// An involvement is reached through its child, whom the caller must be able to see.
	involvements := casework.Versioned[sharing.Involvement, Tx]{
		Load: func(tx Tx, id string, sc access.Scope) (sharing.Involvement, error) {
			if _, err := tx.People().Get(youngPersonID, sc); err != nil {
				return sharing.Involvement{}, err
			}
			return tx.Sharing().Involvement(youngPersonID, id)
		},
		Save:  casework.SaveVia(Tx.Sharing, sharing.Repository.UpdateInvolvement),
		Stamp: func(i *sharing.Involvement) (*int, *time.Time) { return &i.Version, &i.UpdatedAt }}
	return involvements.Patch(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch, mutate, nil,
		func(tx Tx, _ auth.Principal, cur sharing.Involvement, next *sharing.Involvement) error {
			if err := next.Validate(); err != nil {
				return err
			}
			org, err := tx.Directory().Organisation(cur.OrganisationID)
			if err != nil {
				return err
			}
			consents, err := tx.Sharing().Consents(youngPersonID)
			if err != nil {
				return err
			}
			if *next, err = sharing.AuthoriseChange(cur, *next, consents, org.Type, s.Today()); err != nil {
				return err
			}
			// A review after a consent was withdrawn is settled by ending the involvement or
			// recording a basis of its own; any other change leaves it waiting.
			if next.ReviewNeeded = cur.ReviewNeeded; next.ReviewSettled() {
				next.ReviewNeeded = ""
			}
			if next.PractitionerID != "" && next.PractitionerID != cur.PractitionerID {
				pr, err := tx.Directory().Practitioner(next.PractitionerID)
				if err != nil || pr.OrganisationID != cur.OrganisationID {
					return fault.Field(fault.Unprocessable, "/practitioner_id", "no such practitioner in that organisation")
				}
			}
			return nil
		},
		func(tx Tx, p auth.Principal, cur, next sharing.Involvement, changed []string) error {
			if cur.ReviewNeeded != "" && next.ReviewNeeded == "" {
				changed = append(changed, "review_needed")
			}
			return casework.Record(tx, s.Event(ctx, p, audit.Update, audit.Involvement, id, youngPersonID, changed),
				s.Notice(outbox.InvolvementUpdated, id, map[string]any{"young_person_id": youngPersonID, "changed_fields": changed}))
		})
}

// RecordConsent stores a consent inside a caller's transaction and returns it as stored.
func (s *Service) RecordConsent(ctx context.Context, tx Tx, p auth.Principal, c sharing.Consent) (_ sharing.Consent, err error) {
	defer casework.Wrap(&err, "record consent")
	c.ID, c.RecordedByOrgID, c.CreatedAt, c.UpdatedAt, c.Version = casework.NewID(), p.OrganisationID, s.Now(), s.Now(), 1
	if err := tx.Sharing().CreateConsent(c); err != nil {
		return c, err
	}
	return c, casework.Record(tx, s.Event(ctx, p, audit.Create, audit.Consent, c.ID, c.YoungPersonID, nil),
		s.Notice(outbox.ConsentRecorded, c.ID, map[string]any{"young_person_id": c.YoungPersonID, "scope": c.Scope}))
}

// Consents lists the consents recorded for a child the caller may see.
func (s *Service) Consents(ctx context.Context, youngPersonID string, since time.Time) (out []sharing.Consent, err error) {
	defer casework.Wrap(&err, "list consents")
	p, err := casework.Allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := s.VisibleYoungPerson(tx, p, youngPersonID); err != nil {
			return err
		}
		all, err := tx.Sharing().Consents(youngPersonID)
		if err != nil {
			return err
		}
		// updated_since: the consents changed (recorded, withdrawn) at or after since.
		for _, c := range all {
			if (paging.Page{UpdatedSince: since}).Changed(c.UpdatedAt) {
				out = append(out, c)
			}
		}
		return tx.Audit(s.Event(ctx, p, audit.List, audit.Consent, "", youngPersonID, nil))
	})
	return out, err
}

// CreateConsent records consent to share.
func (s *Service) CreateConsent(ctx context.Context, c sharing.Consent) (_ sharing.Consent, err error) {
	defer casework.Wrap(&err, "create consent")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return c, err
	}
	if err := c.Validate(s.Today()); err != nil {
		return c, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := s.VisibleYoungPerson(tx, p, c.YoungPersonID); err != nil {
			return err
		}
		for i, id := range c.OrganisationIDs {
			if _, err := tx.Directory().Organisation(id); fault.KindOf(err) == fault.NotFound {
				return fault.Field(fault.Unprocessable, "/organisation_ids/"+strconv.Itoa(i), "no such organisation")
			}
		}
		c, err = s.RecordConsent(ctx, tx, p, c)
		return err
	})
	return c, err
}

// WithdrawConsent records the withdrawal of consent and applies it to the team around the child
// (sharing.OnConsentWithdrawn): from the withdrawal day nothing rests on it.
func (s *Service) WithdrawConsent(ctx context.Context, youngPersonID, id string, on time.Time, reason string) (c sharing.Consent, err error) {
	defer casework.Wrap(&err, "withdraw consent %s", id)
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return c, err
	}
	if on.IsZero() {
		on = s.Today()
	}
	if on.After(s.Today()) {
		return c, fault.Field(fault.Invalid, "/withdrawn_on", "must not be in the future")
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := s.VisibleYoungPerson(tx, p, youngPersonID); err != nil {
			return err
		}
		if c, err = tx.Sharing().Consent(youngPersonID, id); err != nil {
			return err
		}
		if err := c.Withdraw(on, reason); err != nil {
			return err
		}
		c.UpdatedAt, c.Version = s.Now(), c.Version+1
		if err := tx.Sharing().UpdateConsent(c); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Withdraw, audit.Consent, id, youngPersonID, []string{"withdrawn_on", "withdrawn_reason"}),
			s.Notice(outbox.ConsentWithdrawn, id, map[string]any{"young_person_id": youngPersonID})); err != nil {
			return err
		}
		return s.applyWithdrawal(ctx, tx, p, c)
	})
	return c, err
}

// applyWithdrawal decides what becomes of each involvement that rested on the withdrawn consent c
// and records each decision: ended on the withdrawal day, flagged for a practitioner's review, or
// continuing on another basis. Every decision is audited with its reason (a fixed phrase, never
// free text) and announced; the team's changes are on the child's timeline.
func (s *Service) applyWithdrawal(ctx context.Context, tx Tx, p auth.Principal, c sharing.Consent) error {
	consents, err := tx.Sharing().Consents(c.YoungPersonID)
	if err != nil {
		return err
	}
	all, err := paging.Drain(func(pg paging.Page) ([]sharing.Involvement, string, error) {
		return tx.Sharing().Involvements(c.YoungPersonID, nil, pg)
	})
	if err != nil {
		return err
	}
	orgTypes := map[string]string{}
	for _, i := range all {
		if _, seen := orgTypes[i.OrganisationID]; seen || i.ConsentID != c.ID {
			continue
		}
		org, err := tx.Directory().Organisation(i.OrganisationID)
		if err != nil {
			return err
		}
		orgTypes[i.OrganisationID] = org.Type
	}
	concern, err := s.recordedConcern(tx, c.YoungPersonID)
	if err != nil {
		return err
	}
	w, err := sharing.OnConsentWithdrawn(c, consents, all, orgTypes, concern != "")
	if err != nil {
		return err
	}
	const why = "consent withdrawn: "
	event := func(action, involvementID, reason string, changed []string) audit.Event {
		ev := s.Event(ctx, p, action, audit.Involvement, involvementID, c.YoungPersonID, changed)
		ev.Purpose = why + reason
		return ev
	}
	for _, i := range w.Ended {
		i.UpdatedAt, i.Version = s.Now(), i.Version+1
		if err := tx.Sharing().UpdateInvolvement(i); err != nil {
			return err
		}
		reason := "it rested only on this consent, so it ends on the day consent was withdrawn"
		if err := casework.Record(tx, event(audit.Update, i.ID, reason, []string{"ended_on"}),
			s.Notice(outbox.InvolvementEnded, i.ID, map[string]any{"young_person_id": i.YoungPersonID, "organisation_id": i.OrganisationID,
				"role": i.Role, "consent_id": c.ID, "ended_on": i.EndedOn.Format("2006-01-02")})); err != nil {
			return err
		}
	}
	for _, f := range w.Review {
		i := f.Involvement
		i.ReviewNeeded, i.UpdatedAt, i.Version = f.Why, s.Now(), i.Version+1
		if err := tx.Sharing().UpdateInvolvement(i); err != nil {
			return err
		}
		if err := casework.Record(tx, event(audit.Update, i.ID, f.Why, []string{"review_needed"}),
			s.Notice(outbox.InvolvementReviewNeeded, i.ID, map[string]any{"young_person_id": i.YoungPersonID, "organisation_id": i.OrganisationID,
				"role": i.Role, "consent_id": c.ID})); err != nil {
			return err
		}
	}
	for _, f := range w.Continue {
		// Nothing changes, but the decision to go on sharing is recorded with its basis.
		if err := tx.Audit(event(audit.Review, f.Involvement.ID, f.Why, nil)); err != nil {
			return err
		}
	}
	if len(w.Ended)+len(w.Review) == 0 {
		return nil
	}
	return s.OnTimeline(tx, c.YoungPersonID, "", *c.WithdrawnOn, "consent.withdrawn", audit.Consent, c.ID,
		"Consent to share withdrawn: "+strconv.Itoa(len(w.Ended))+" involvement(s) ended, "+strconv.Itoa(len(w.Review))+" to review, "+
			strconv.Itoa(len(w.Continue))+" continuing on another basis")
}
