package casework

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/timeline"
)

// onTimeline adds an event to a child's timeline inside the caller's transaction. summary holds
// codes, statuses and references only: the timeline is shown to everyone who can see the child.
func (s *Service) onTimeline(tx *store.Tx, youngPersonID, referralID string, occurredOn time.Time, kind, recordType, recordID, summary string) error {
	return tx.AddTimeline(timeline.Event{ID: newID(), YoungPersonID: youngPersonID, ReferralID: referralID, OccurredOn: occurredOn,
		RecordedAt: s.now(), Kind: kind, RecordType: recordType, RecordID: recordID, Summary: summary})
}

// reachStage records the day r first reached its current status (the event's day on), timed by
// referral.Reach; a stage reached before keeps its first day.
func (s *Service) reachStage(tx *store.Tx, r referral.Referral, on time.Time) error {
	reached, err := tx.Referrals().Stages(r.ID)
	if err != nil {
		return err
	}
	if _, ok := reached[r.Status]; ok {
		return nil
	}
	return tx.Referrals().ReachStage(r, referral.Reach(r.ReceivedOn, reached, r.Status, on, s.today()))
}

// visibleReferral loads a referral the caller may see, or answers 404.
func (s *Service) visibleReferral(tx *store.Tx, p auth.Principal, id string) (referral.Referral, error) {
	return tx.Referrals().Get(id, s.scope(p))
}

// referralForWrite loads a visible referral for a record hanging off it (an assessment, a
// meeting, feedback): an unknown one is a bad reference in the body, not a missing resource.
func (s *Service) referralForWrite(tx *store.Tx, p auth.Principal, id string) (referral.Referral, error) {
	r, err := s.visibleReferral(tx, p, id)
	if fault.KindOf(err) == fault.NotFound {
		return r, fault.Field(fault.Unprocessable, "/referral_id", "no such referral")
	}
	return r, err
}

// saveReferral writes a changed referral with its audit, outbox and timeline events; on is the day
// the change happened.
func (s *Service) saveReferral(ctx context.Context, tx *store.Tx, p auth.Principal, r *referral.Referral, on time.Time, action string, changed []string, summary string) error {
	r.UpdatedAt, r.Version = s.now(), r.Version+1
	if err := tx.Referrals().Update(*r); err != nil {
		return err
	}
	return s.referralEvents(ctx, tx, p, *r, on, action, changed, summary)
}

// referralEvents writes the audit, outbox and timeline events of a referral's change, and the day
// on which its stage was first reached (for the funnel report).
func (s *Service) referralEvents(ctx context.Context, tx *store.Tx, p auth.Principal, r referral.Referral, on time.Time, action string, changed []string, summary string) error {
	if err := s.reachStage(tx, r, on); err != nil {
		return err
	}
	if err := s.onTimeline(tx, r.YoungPersonID, r.ID, s.today(), "referral."+string(r.Status), audit.Referral, r.ID, summary); err != nil {
		return err
	}
	return record(tx, s.event(ctx, p, action, audit.Referral, r.ID, r.YoungPersonID, changed),
		s.notice("referral.status_changed", audit.Referral, r.ID, map[string]any{"status": r.Status, "young_person_id": r.YoungPersonID}))
}

// advance moves a referral along the pathway as a consequence of another record (an assessment
// started, a MAM held), when the state machine allows that move from where it stands. Where it
// does not (a TAF meeting before the referral was even accepted), the status is left alone.
// on is the day the event happened (a meeting's date), which dates the stage.
func (s *Service) advance(ctx context.Context, tx *store.Tx, p auth.Principal, r *referral.Referral, to referral.Status, why string, on time.Time) error {
	if r.Status == to || !referral.CanMove(r.Status, to) {
		return nil
	}
	r.Status = to
	return s.saveReferral(ctx, tx, p, r, on, audit.Transition, []string{"status"}, "Referral "+r.Reference+" "+string(to)+": "+why)
}

// Allocate records the allocation meeting's choice of engagement lead.
func (s *Service) Allocate(ctx context.Context, id string, ifMatch *int, practitionerID, reason, meetingID string) (referral.Referral, error) {
	var role string
	return referrals.change(ctx, s, auth.RunPathway, id, ifMatch, func(tx *store.Tx, _ auth.Principal, rp *referral.Referral) (bool, error) {
		r := *rp
		if err := r.Allocatable(); err != nil {
			return false, err
		}
		lead, err := tx.Directory().Practitioner(practitionerID)
		if fault.KindOf(err) == fault.NotFound || (err == nil && !lead.Active) {
			return false, fault.Field(fault.Unprocessable, "/practitioner_id", "no such active practitioner")
		}
		if err != nil {
			return false, err
		}
		next := r
		if err := next.AllocateLead(lead.ID, lead.Role == directory.SocialWorker); err != nil {
			return false, err
		}
		org, err := tx.Directory().Organisation(lead.OrganisationID)
		if err != nil {
			return false, err
		}
		// The lead joins the team around the child, which shares the record with them.
		consents, err := tx.Sharing().Consents(r.YoungPersonID)
		if err != nil {
			return false, err
		}
		safeguarding := ""
		if r.SafeguardingConcern {
			safeguarding = "Safeguarding concern recorded on referral " + r.Reference + "."
		}
		c, err := sharing.Authorise(consents, org.ID, org.Type, s.today(), safeguarding)
		if err != nil {
			return false, err
		}
		if err := s.endLead(tx, r); err != nil {
			return false, err
		}
		if err := tx.Referrals().Allocate(referral.Allocation{ID: newID(), ReferralID: r.ID, PractitionerID: lead.ID, OrganisationID: org.ID,
			Reason: reason, MeetingID: meetingID, StartedAt: s.now()}); err != nil {
			return false, err
		}
		inv := sharing.Involvement{ID: newID(), YoungPersonID: r.YoungPersonID, OrganisationID: org.ID, PractitionerID: lead.ID,
			Role: sharing.RoleEngagementLead, StartedOn: s.today(), ConsentID: c.ID, SafeguardingReason: safeguarding,
			CreatedAt: s.now(), UpdatedAt: s.now(), Version: 1}
		if err := tx.Sharing().CreateInvolvement(inv); err != nil {
			return false, err
		}
		*rp, role = next, lead.Role
		return true, nil
	}, func(tx *store.Tx, p auth.Principal, r referral.Referral) error {
		return s.referralEvents(ctx, tx, p, r, s.today(), audit.Allocate, []string{"engagement_lead_practitioner_id"},
			"Engagement lead allocated on "+r.Reference+" ("+role+")")
	})
}

// endLead ends the current engagement lead's team involvement on re-allocation.
func (s *Service) endLead(tx *store.Tx, r referral.Referral) error {
	if r.EngagementLeadID == "" {
		return nil
	}
	today := s.today()
	current, _, err := tx.Sharing().Involvements(r.YoungPersonID, &today, paging.Page{Limit: 200})
	if err != nil {
		return err
	}
	for _, i := range current {
		if i.Role == sharing.RoleEngagementLead && i.PractitionerID == r.EngagementLeadID {
			i.EndedOn, i.UpdatedAt, i.Version = &today, s.now(), i.Version+1
			if err := tx.Sharing().UpdateInvolvement(i); err != nil {
				return err
			}
		}
	}
	return nil
}

// Allocations lists a referral's engagement leads, current and past.
func (s *Service) Allocations(ctx context.Context, id string) (out []referral.Allocation, err error) {
	p, err := allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.visibleReferral(tx, p, id)
		if err != nil {
			return err
		}
		if out, err = tx.Referrals().Allocations(id); err != nil {
			return err
		}
		return tx.Audit(s.event(ctx, p, audit.List, audit.Allocation, id, r.YoungPersonID, nil))
	})
	return out, err
}

// TransitionReferral makes one of the pathway's explicit moves.
func (s *Service) TransitionReferral(ctx context.Context, id string, ifMatch *int, to referral.Status, reason string) (referral.Referral, error) {
	return referrals.change(ctx, s, auth.RunPathway, id, ifMatch,
		func(_ *store.Tx, _ auth.Principal, r *referral.Referral) (bool, error) { return true, r.Transition(to) },
		func(tx *store.Tx, p auth.Principal, r referral.Referral) error {
			return s.referralEvents(ctx, tx, p, r, s.today(), audit.Transition, []string{"status"}, "Referral "+r.Reference+" "+string(to))
		})
}

// CloseReferral ends the pathway with its outcome.
func (s *Service) CloseReferral(ctx context.Context, id string, ifMatch *int, outcome, reason string) (referral.Referral, error) {
	return referrals.change(ctx, s, auth.RunPathway, id, ifMatch,
		func(_ *store.Tx, _ auth.Principal, r *referral.Referral) (bool, error) {
			return true, r.Close(outcome, reason, s.now())
		},
		func(tx *store.Tx, p auth.Principal, r referral.Referral) error {
			if err := tx.Publish(s.notice("referral.closed", audit.Referral, r.ID, map[string]any{"outcome": outcome})); err != nil {
				return err
			}
			return s.referralEvents(ctx, tx, p, r, s.today(), audit.Close, []string{"status", "closure"}, "Referral "+r.Reference+" closed: "+outcome)
		})
}

// Timeline reads one page of a child's pathway, oldest first.
func (s *Service) Timeline(ctx context.Context, youngPersonID string, pg paging.Page) (out []timeline.Event, next string, err error) {
	p, err := allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, "", err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visibleYoungPerson(tx, p, youngPersonID); err != nil {
			return err
		}
		if out, next, err = tx.Timelines().Page(youngPersonID, pg); err != nil {
			return err
		}
		return tx.Audit(s.event(ctx, p, audit.Read, audit.YoungPerson, youngPersonID, youngPersonID, []string{"timeline"}))
	})
	return out, next, err
}
