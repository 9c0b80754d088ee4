package casework

import (
	"time"

	"context"
	"fmt"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
)

// CreateReferral receives a referral: it gets a reference, status received and its eligibility.
func (s *Service) CreateReferral(ctx context.Context, r referral.Referral) (referral.Referral, error) {
	p, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return r, err
	}
	if r.ReceivedOn.IsZero() {
		r.ReceivedOn = s.today()
	}
	if err := r.Normalise(s.today()); err != nil {
		return r, err
	}
	r.ID, r.Status, r.CreatedAt, r.UpdatedAt, r.Version = newID(), referral.Received, s.now(), s.now(), 1
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := s.fillReferrer(tx, p, &r); err != nil {
			return err
		}
		if err := s.assess(tx, p, &r); err != nil {
			return err
		}
		n, err := tx.Referrals().NextReference(fmt.Sprintf("referral:%d", r.ReceivedOn.Year()))
		if err != nil {
			return err
		}
		r.Reference = referral.FormatReference(r.ReceivedOn.Year(), n)
		if err := tx.Referrals().Create(r); err != nil {
			return err
		}
		if err := s.reachStage(tx, r, r.ReceivedOn); err != nil {
			return err
		}
		if err := s.onTimeline(tx, r.YoungPersonID, r.ID, r.ReceivedOn, "referral.received", audit.Referral, r.ID,
			"Referral "+r.Reference+" received"); err != nil {
			return err
		}
		if err := s.involve(tx, p, r.YoungPersonID, r.ReferrerOrganisationID, r.ReferrerPractitionerID, sharing.RoleReferrer); err != nil {
			return err
		}
		if r.Consent != nil {
			// Consent given on the referral form is recorded as consent to share with the team.
			if _, err := s.recordConsent(ctx, tx, p, sharing.Consent{YoungPersonID: r.YoungPersonID, GivenBy: r.Consent.GivenBy,
				Relationship: r.Consent.Relationship, Scope: sharing.ScopeAllInvolved, GivenOn: r.Consent.GivenOn,
				Notes: "Given on referral " + r.Reference + "."}); err != nil {
				return err
			}
		}
		return record(tx, s.event(ctx, p, audit.Create, audit.Referral, r.ID, r.YoungPersonID, nil),
			s.notice("referral.received", audit.Referral, r.ID, map[string]any{"reference": r.Reference, "status": r.Status, "young_person_id": r.YoungPersonID}))
	})
	return r, err
}

// fillReferrer checks the referring practitioner and takes their organisation. A partner's
// practitioner can only refer in their own organisation's name.
func (s *Service) fillReferrer(tx *store.Tx, p auth.Principal, r *referral.Referral) error {
	pr, err := tx.Directory().Practitioner(r.ReferrerPractitionerID)
	if fault.KindOf(err) == fault.NotFound {
		return fault.Field(fault.Unprocessable, "/referrer_practitioner_id", "no such practitioner")
	}
	if err != nil {
		return err
	}
	if !pr.Active {
		return fault.Field(fault.Unprocessable, "/referrer_practitioner_id", "the practitioner is not active")
	}
	if !p.SeesWholeCouncil() && pr.OrganisationID != p.OrganisationID {
		return fault.Field(fault.Unprocessable, "/referrer_practitioner_id", "must be a practitioner of your own organisation")
	}
	r.ReferrerOrganisationID = pr.OrganisationID
	return nil
}

// assess works out eligibility on the day of receipt from the young person's record.
func (s *Service) assess(tx *store.Tx, p auth.Principal, r *referral.Referral) error {
	yp, err := tx.People().Get(r.YoungPersonID, s.scope(p))
	if fault.KindOf(err) == fault.NotFound {
		return fault.Field(fault.Unprocessable, "/young_person_id", "no such young person")
	}
	if err != nil {
		return err
	}
	settingLocality := ""
	if yp.EducationSettingID != "" {
		if o, err := tx.Directory().Organisation(yp.EducationSettingID); err == nil {
			settingLocality = o.Locality
		}
	}
	if r.Locality == "" {
		r.Locality = yp.Locality // first known, then kept
	}
	inArea := referral.InArea(s.opts.Area, yp.Locality, settingLocality)
	r.Eligibility = referral.AssessEligibility(yp.DateOfBirth, r.ReceivedOn, len(r.ServicesInvolved), inArea)
	return nil
}

// Referral reads one referral the caller may see, auditing the read.
func (s *Service) Referral(ctx context.Context, id string) (referral.Referral, error) {
	return readAudited(ctx, s, audit.Referral, id,
		func(tx *store.Tx, sc access.Scope) (referral.Referral, error) { return tx.Referrals().Get(id, sc) },
		func(r referral.Referral) string { return r.YoungPersonID })
}

// Referrals lists the referrals the caller may see, auditing each hit.
func (s *Service) Referrals(ctx context.Context, f referral.Filter, pg paging.Page) ([]referral.Referral, string, error) {
	return listAudited(ctx, s, audit.Referral, func(tx *store.Tx, sc access.Scope) ([]referral.Referral, string, error) {
		return tx.Referrals().List(f, sc, pg)
	}, func(r referral.Referral) (string, string) { return r.ID, r.YoungPersonID })
}

// UpdateReferral corrects a referral that has not been triaged yet; eligibility is recomputed.
func (s *Service) UpdateReferral(ctx context.Context, id string, ifMatch *int, mutate Mutation[referral.Referral]) (referral.Referral, error) {
	return referrals.patch(ctx, s, auth.WriteCasework, id, ifMatch, mutate,
		func(cur referral.Referral) error { return cur.CheckEditable() },
		func(tx *store.Tx, p auth.Principal, _ referral.Referral, next *referral.Referral) error {
			if err := next.Normalise(s.today()); err != nil {
				return err
			}
			return s.assess(tx, p, next)
		},
		func(tx *store.Tx, p auth.Principal, _, r referral.Referral, changed []string) error {
			return record(tx, s.event(ctx, p, audit.Update, audit.Referral, id, r.YoungPersonID, changed),
				s.notice("referral.updated", audit.Referral, id, map[string]any{"changed_fields": changed}))
		})
}

var referrals = versioned[referral.Referral]{load: loadVia((*store.Tx).Referrals, referral.Repository.Get), save: saveVia((*store.Tx).Referrals, referral.Repository.Update),
	stamp: func(r *referral.Referral) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}

// TriageReferral records the front door's decision on a received referral.
func (s *Service) TriageReferral(ctx context.Context, id string, ifMatch *int, t referral.Triage) (r referral.Referral, err error) {
	p, err := allow(ctx, auth.TriageReferrals)
	if err != nil {
		return r, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if r, err = tx.Referrals().Get(id, s.scope(p)); err != nil {
			return err
		}
		if err := checkVersion(ifMatch, r.Version); err != nil {
			return err
		}
		t.TriagedAt, t.TriagedBy = s.now(), p.KeyID
		if err := r.ApplyTriage(t); err != nil {
			return err
		}
		r.UpdatedAt, r.Version = s.now(), r.Version+1
		if err := tx.Referrals().Update(r); err != nil {
			return err
		}
		if err := s.reachStage(tx, r, s.today()); err != nil {
			return err
		}
		summary := "Referral " + r.Reference + " " + string(r.Status)
		if r.Route != "" {
			summary += " (" + r.Route + ")"
		}
		if err := s.onTimeline(tx, r.YoungPersonID, r.ID, s.today(), "referral.triaged", audit.Referral, r.ID, summary); err != nil {
			return err
		}
		return record(tx, s.event(ctx, p, audit.Triage, audit.Referral, id, r.YoungPersonID, []string{"status", "route", "triage"}),
			s.notice("referral.triaged", audit.Referral, id, map[string]any{"status": r.Status, "decision": t.Decision, "route": r.Route}))
	})
	return r, err
}

// AuditEvents lists the audit trail.
func (s *Service) AuditEvents(ctx context.Context, f audit.Filter, pg paging.Page) (out []audit.Event, next string, err error) {
	if _, err := allow(ctx, auth.ReadAudit); err != nil {
		return nil, "", err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		out, next, err = tx.AuditTrail().Events(f, pg)
		return err
	})
	return out, next, err
}
