// Package referrals runs the pathway from the front door: a referral is received, triaged,
// assessed, given an engagement lead, taken to multi-agency meetings and closed. Other areas move
// a referral along through Advance when their records say it has moved.
package referrals

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/team"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/timeline"
)

// Tx is what the pathway's use cases need of a transaction.
type Tx interface {
	team.Tx
	Timelines() timeline.Repository
	ExternalIDs() externalid.Repository
	// Batch sends the single-row inserts fn makes together, as multi-row statements.
	Batch(fn func() error) error
	// BatchAhead is Batch for an import's chunk whose rows the next chunk's reads, made in
	// ReadAhead, need not see: they are sent after those reads, while the next chunk is worked out.
	BatchAhead(fn func() error) error
	// ReadAhead runs fn's reads before the rows the last BatchAhead holds are sent.
	ReadAhead(fn func() error) error
}

// Service runs the pathway's use cases.
type Service struct {
	casework.Core
	db   casework.DB[Tx]
	area []string
	team *team.Service
	refs referral.References
	// Systems are the short names external ids may use besides URIs (ONEPLAN_EXTERNAL_ID_SYSTEMS).
	Systems externalid.Systems
}

// New returns the pathway's service. area lists the localities that make up the council's area
// for eligibility (empty: the whole council); refs numbers the human references.
func New(core casework.Core, db casework.DB[Tx], area []string, team *team.Service, refs referral.References) *Service {
	return &Service{Core: core, db: db, area: area, team: team, refs: refs}
}

// CreateReferral receives a referral: it gets a reference, status received and its eligibility.
func (s *Service) CreateReferral(ctx context.Context, r referral.Referral) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "create referral")
	r, _, err = s.create(ctx, r, nil)
	return r, err
}

// CreateReferralIfNoneExist is a conditional create for a system that resends (a health system's
// FHIR referral): unless a referral already holds cond (the sender's own id for it), it receives r
// and keeps cond as the referral's external id, answering created. When one does and the caller
// may see it, it answers that referral (its read audited); when the caller may not, a Conflict
// that names nothing. A referral number taken for a resend that found its referral is a gap.
func (s *Service) CreateReferralIfNoneExist(ctx context.Context, r referral.Referral, cond externalid.ID) (_ referral.Referral, created bool, err error) {
	defer casework.Wrap(&err, "create referral unless one exists")
	return s.create(ctx, r, &cond)
}

func (s *Service) create(ctx context.Context, r referral.Referral, cond *externalid.ID) (_ referral.Referral, created bool, err error) {
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return r, false, err
	}
	if r.ReceivedOn.IsZero() {
		r.ReceivedOn = s.Today()
	}
	if err := r.Normalise(s.Today()); err != nil {
		return r, false, err
	}
	if err := fault.Fields(fault.Invalid, s.Systems.Validate("/external_ids", r.ExternalIDs)); err != nil {
		return r, false, err
	}
	r.ID, r.Status, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), referral.Received, s.Now(), s.Now(), 1
	// The number is taken before the transaction, outside it: a refused referral leaves a gap in the
	// year's references rather than every create waiting on one counter.
	n, err := s.refs.Next(ctx, fmt.Sprintf("referral:%d", r.ReceivedOn.Year()))
	if err != nil {
		return r, false, err
	}
	r.Reference = referral.FormatReference(r.ReceivedOn.Year(), n)
	var existing *referral.Referral
	in := r
	err = casework.AgainIfTaken(func() error {
		r, existing = in, nil
		return s.db.InTx(ctx, func(tx Tx) error { return s.createIn(ctx, tx, p, &r, cond, &existing) })
	})
	if existing != nil && err == nil {
		return *existing, false, nil
	}
	return r, err == nil, err
}

// createIn records r (numbered, validated) in tx, keeping cond as its external id; when a
// referral already holds cond it sets existing to it (when the caller may see it) instead.
func (s *Service) createIn(ctx context.Context, tx Tx, p auth.Principal, rp *referral.Referral, cond *externalid.ID, existing **referral.Referral) error {
	r := *rp
	defer func() { *rp = r }()
	if cond != nil {
		holder, err := tx.ExternalIDs().Find(externalid.Referral, *cond)
		switch {
		case err == nil:
			found, err := s.Visible(tx, p, holder)
			if fault.KindOf(err) == fault.NotFound {
				return fault.New(fault.Conflict, "A referral already holds this identifier.")
			}
			if err != nil {
				return err
			}
			if err := withExternalIDs(tx, &found); err != nil {
				return err
			}
			*existing = &found
			return tx.Audit(s.Event(ctx, p, audit.Read, audit.Referral, found.ID, found.YoungPersonID, nil))
		case fault.KindOf(err) != fault.NotFound:
			return err
		}
	}
	if err := s.checkExternalIDs(tx, p, r.ExternalIDs, "", cond); err != nil {
		return err
	}
	if err := s.receive(tx, p, &r); err != nil {
		return err
	}
	if cond != nil && !slices.Contains(r.ExternalIDs, *cond) {
		r.ExternalIDs = append(r.ExternalIDs, *cond)
	}
	return s.record(ctx, tx, p, &r)
}

// record writes r, checked and assessed, with everything a new referral brings: the referrer on
// the team, its first stage, the timeline, consent given on the form, its external ids, and its
// audit and outbox events. It reads nothing, so that an import's writes go together (Tx.Batch).
func (s *Service) record(ctx context.Context, tx Tx, p auth.Principal, rp *referral.Referral) error {
	r := *rp
	if err := s.team.Involve(tx, p, r.YoungPersonID, r.ReferrerOrganisationID, r.ReferrerPractitionerID, sharing.RoleReferrer); err != nil {
		return err
	}
	if err := tx.Referrals().Create(r); err != nil {
		return err
	}
	// A new referral has reached no stage yet: receipt is its first.
	if err := tx.Referrals().FirstStage(r, referral.Reach(r.ReceivedOn, nil, r.Status, r.ReceivedOn, s.Today())); err != nil {
		return err
	}
	if err := s.OnTimeline(tx, r.YoungPersonID, r.ID, r.ReceivedOn, "referral.received", audit.Referral, r.ID,
		"Referral "+r.Reference+" received"); err != nil {
		return err
	}
	if r.Consent != nil {
		// Consent given on the referral form is recorded as consent to share with the team.
		if _, err := s.team.RecordConsent(ctx, tx, p, sharing.Consent{YoungPersonID: r.YoungPersonID, GivenBy: r.Consent.GivenBy,
			Relationship: r.Consent.Relationship, Scope: sharing.ScopeAllInvolved, GivenOn: r.Consent.GivenOn,
			Notes: "Given on referral " + r.Reference + "."}); err != nil {
			return err
		}
	}
	if err := tx.ExternalIDs().Add(externalid.Referral, r.ID, r.ExternalIDs, s.Now()); err != nil {
		return err
	}
	return casework.Record(tx, s.Event(ctx, p, audit.Create, audit.Referral, r.ID, r.YoungPersonID, nil),
		s.Notice(outbox.ReferralReceived, r.ID, map[string]any{"reference": r.Reference, "status": r.Status, "young_person_id": r.YoungPersonID}))
}

// checkExternalIDs refuses an id a referral other than except holds (409 naming the field, and
// the referral only when the caller may see it); cond, when set, was checked already.
func (s *Service) checkExternalIDs(tx Tx, p auth.Principal, ids []externalid.ID, except string, cond *externalid.ID) error {
	return externalid.Held(tx.ExternalIDs(), externalid.Referral, ids, except, cond, "another referral", func(holder string) *fault.Ref {
		if _, err := s.Visible(tx, p, holder); err != nil {
			return nil
		}
		return &fault.Ref{Type: audit.Referral, ID: holder}
	})
}

// withExternalIDs fills in the referrals' external ids.
func withExternalIDs(tx Tx, rs ...*referral.Referral) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	held, err := tx.ExternalIDs().Of(externalid.Referral, ids...)
	if err != nil {
		return err
	}
	for _, r := range rs {
		r.ExternalIDs = held[r.ID]
	}
	return nil
}

// ParseExternalID reads system|value given in a query or header named at.
func (s *Service) ParseExternalID(at, text string) (externalid.ID, error) {
	return s.Systems.Parse(at, text)
}

// receive checks a new referral's practitioner and child, read together (one round trip on
// PostgreSQL), takes the referrer's organisation and the child's locality, and assesses
// eligibility on the day of receipt.
func (s *Service) receive(tx Tx, p auth.Principal, r *referral.Referral) error {
	who, err := tx.Referrals().Parties(r.ReferrerPractitionerID, r.YoungPersonID, s.Scope(p))
	if err != nil {
		return err
	}
	if err := s.checkReferrer(p, who.PractitionerFound, who.PractitionerActive, who.PractitionerOrganisationID); err != nil {
		return err
	}
	r.ReferrerOrganisationID = who.PractitionerOrganisationID
	if !who.ChildFound {
		return fault.Field(fault.Unprocessable, "/young_person_id", "no such young person")
	}
	return s.judge(r, who.DateOfBirth, who.Locality, who.SettingLocality)
}

// checkReferrer refuses a practitioner who is missing or not active, and, for a partner, one of
// another organisation: a partner's practitioner can only refer in their own organisation's name.
func (s *Service) checkReferrer(p auth.Principal, found, active bool, organisationID string) error {
	if !found {
		return fault.Field(fault.Unprocessable, "/referrer_practitioner_id", "no such practitioner")
	}
	if !active {
		return fault.Field(fault.Unprocessable, "/referrer_practitioner_id", "the practitioner is not active")
	}
	if !p.SeesWholeCouncil() && organisationID != p.OrganisationID {
		return fault.Field(fault.Unprocessable, "/referrer_practitioner_id", "must be a practitioner of your own organisation")
	}
	return nil
}

// judge assesses r's eligibility on its day of receipt from the child's date of birth and
// localities; the referral keeps the child's locality first known. A referral received before
// the child was born is refused.
func (s *Service) judge(r *referral.Referral, dob time.Time, locality, settingLocality string) error {
	if err := referral.CheckReceived(r.ReceivedOn, dob); err != nil {
		return err
	}
	if r.Locality == "" {
		r.Locality = locality // first known, then kept
	}
	inArea := referral.InArea(s.area, locality, settingLocality)
	r.Eligibility = referral.AssessEligibility(dob, r.ReceivedOn, len(r.ServicesInvolved), inArea)
	return nil
}

// assess works out eligibility on the day of receipt from the young person's record (a
// correction that changes what it is judged on).
func (s *Service) assess(tx Tx, p auth.Principal, r *referral.Referral) error {
	yp, err := tx.People().Get(r.YoungPersonID, s.Scope(p))
	if err != nil {
		return casework.Referenced(err, "/young_person_id", "no such young person")
	}
	settingLocality := ""
	if yp.EducationSettingID != "" {
		if o, err := tx.Directory().Organisation(yp.EducationSettingID); err == nil {
			settingLocality = o.Locality
		}
	}
	return s.judge(r, yp.DateOfBirth, yp.Locality, settingLocality)
}

// Referral reads one referral the caller may see, auditing the read.
func (s *Service) Referral(ctx context.Context, id string) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "read referral %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, audit.Referral, id,
		func(tx Tx, sc access.Scope) (referral.Referral, error) {
			r, err := tx.Referrals().Get(id, sc)
			if err == nil {
				err = withExternalIDs(tx, &r)
			}
			if isFamily(ctx) {
				r = r.ForFamily()
			}
			return r, err
		},
		func(r referral.Referral) string { return r.YoungPersonID })
}

// Referrals lists the referrals the caller may see, auditing each hit.
func (s *Service) Referrals(ctx context.Context, f referral.Filter, pg paging.Page) (_ []referral.Referral, _ string, err error) {
	defer casework.Wrap(&err, "list referrals")
	return casework.ListAudited(ctx, s.Core, s.db, audit.Referral, func(tx Tx, sc access.Scope) ([]referral.Referral, string, error) {
		out, next, err := tx.Referrals().List(f, sc, pg)
		if err != nil {
			return nil, "", err
		}
		ptrs := make([]*referral.Referral, len(out))
		for i := range out {
			if isFamily(ctx) {
				out[i] = out[i].ForFamily()
			}
			ptrs[i] = &out[i]
		}
		return out, next, withExternalIDs(tx, ptrs...)
	}, func(r referral.Referral) (string, string) { return r.ID, r.YoungPersonID })
}

// UpdateReferral corrects a referral that has not been triaged yet; eligibility is recomputed.
func (s *Service) UpdateReferral(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[referral.Referral]) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "update referral %s", id)
	// Once more after a unique index's refusal (see casework.AgainIfTaken): another PATCH gave one
	// of the same external ids to another referral at the same moment.
	return casework.AgainIfTakenFor(func() (referral.Referral, error) { return s.patch(ctx, id, ifMatch, mutate) })
}

func (s *Service) patch(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[referral.Referral]) (referral.Referral, error) {
	return patchedReferrals.Patch(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch, mutate,
		func(cur referral.Referral) error { return cur.CheckEditable() },
		func(tx Tx, p auth.Principal, cur referral.Referral, next *referral.Referral) error {
			if err := s.changeExternalIDs(tx, p, cur, *next); err != nil {
				return err
			}
			if cur.SafeguardingRaised != nil && !next.SafeguardingConcern {
				// A concern raised on its own record (RaiseSafeguardingConcern) is not undone by a correction.
				return fault.StateConflict("A safeguarding concern was raised on this referral after it was received; a correction cannot remove it.",
					string(cur.Status))
			}
			if err := next.Normalise(s.Today()); err != nil {
				return err
			}
			if slices.Equal(next.ServicesInvolved, cur.ServicesInvolved) && next.ReceivedOn.Equal(cur.ReceivedOn) {
				return nil // nothing eligibility is judged on changed: it stands as assessed
			}
			return s.assess(tx, p, next)
		},
		func(tx Tx, p auth.Principal, _, r referral.Referral, changed []string) error {
			return casework.Record(tx, s.Event(ctx, p, audit.Update, audit.Referral, id, r.YoungPersonID, changed),
				s.Notice(outbox.ReferralUpdated, id, map[string]any{"changed_fields": changed}))
		})
}

var versionedReferrals = casework.Versioned[referral.Referral, Tx]{Load: casework.LoadVia(Tx.Referrals, referral.Repository.Get), Save: casework.SaveVia(Tx.Referrals, referral.Repository.Update),
	Stamp: func(r *referral.Referral) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}

// TriageReferral records the front door's decision on a received referral.
func (s *Service) TriageReferral(ctx context.Context, id string, ifMatch *int, t referral.Triage) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "triage referral %s", id)
	return versionedReferrals.Change(ctx, s.Core, s.db, auth.TriageReferrals, id, ifMatch,
		func(_ Tx, p auth.Principal, r *referral.Referral) (bool, error) {
			t.TriagedAt, t.TriagedBy = s.Now(), p.KeyID
			return true, r.ApplyTriage(t)
		},
		func(tx Tx, p auth.Principal, r referral.Referral) error {
			if err := s.reachStage(tx, r, s.Today()); err != nil {
				return err
			}
			summary := "Referral " + r.Reference + " " + string(r.Status)
			if r.Route != "" {
				summary += " (" + r.Route + ")"
			}
			if err := s.OnTimeline(tx, r.YoungPersonID, r.ID, s.Today(), "referral.triaged", audit.Referral, r.ID, summary); err != nil {
				return err
			}
			return casework.Record(tx, s.Event(ctx, p, audit.Triage, audit.Referral, id, r.YoungPersonID, []string{"status", "route", "triage"}),
				s.Notice(outbox.ReferralTriaged, id, map[string]any{"status": r.Status, "decision": t.Decision, "route": r.Route}))
		})
}

// isFamily reports whether the caller is a family, who read referrals without a safeguarding
// concern or the referrer's summary (referral.ForFamily).
func isFamily(ctx context.Context) bool {
	p, _ := auth.FromContext(ctx)
	return p.Role == auth.RoleFamily
}
