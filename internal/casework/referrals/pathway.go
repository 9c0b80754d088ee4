package referrals

import (
	"context"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/timeline"
)

// reachStage records the day r first reached its current status (the event's day on), timed by
// referral.Reach; a stage reached before keeps its first day.
func (s *Service) reachStage(tx Tx, r referral.Referral, on time.Time) error {
	reached, err := tx.Referrals().Stages(r.ID)
	if err != nil {
		return err
	}
	if _, ok := reached[r.Status]; ok {
		return nil
	}
	return tx.Referrals().ReachStage(r, referral.Reach(r.ReceivedOn, reached, r.Status, on, s.Today()))
}

// Visible loads a referral the caller may see, or answers 404.
func (s *Service) Visible(tx Tx, p auth.Principal, id string) (referral.Referral, error) {
	return tx.Referrals().Get(id, s.Scope(p))
}

// ForWrite loads a visible referral for a record hanging off it (an assessment, a
// meeting, feedback): an unknown one is a bad reference in the body, not a missing resource.
func (s *Service) ForWrite(tx Tx, p auth.Principal, id string) (referral.Referral, error) {
	r, err := s.Visible(tx, p, id)
	return r, casework.Referenced(err, "/referral_id", "no such referral")
}

// saveReferral writes a changed referral with its audit, outbox and timeline events; on is the day
// the change happened.
func (s *Service) saveReferral(ctx context.Context, tx Tx, p auth.Principal, r *referral.Referral, on time.Time, action string, changed []string, summary string) error {
	if err := versionedReferrals.SaveNext(s.Core, tx, r); err != nil {
		return err
	}
	return s.referralEvents(ctx, tx, p, *r, on, action, changed, summary)
}

// referralEvents writes the audit, outbox and timeline events of a referral's change, and the day
// on which its stage was first reached (for the funnel report).
func (s *Service) referralEvents(ctx context.Context, tx Tx, p auth.Principal, r referral.Referral, on time.Time, action string, changed []string, summary string) error {
	if err := s.reachStage(tx, r, on); err != nil {
		return err
	}
	if err := s.OnTimeline(tx, r.YoungPersonID, r.ID, s.Today(), "referral."+string(r.Status), audit.Referral, r.ID, summary); err != nil {
		return err
	}
	return casework.Record(tx, s.Event(ctx, p, action, audit.Referral, r.ID, r.YoungPersonID, changed),
		s.Notice(outbox.ReferralStatusChanged, r.ID, map[string]any{"status": r.Status, "young_person_id": r.YoungPersonID}))
}

// Advance moves a referral along the pathway as a consequence of another record (an assessment
// started, a MAM held), when the state machine allows that move from where it stands. Where it
// does not (a TAF meeting before the referral was even accepted), the status is left alone.
// on is the day the event happened (a meeting's date), which dates the stage.
func (s *Service) Advance(ctx context.Context, tx Tx, p auth.Principal, r *referral.Referral, to referral.Status, why string, on time.Time) (err error) {
	defer casework.Wrap(&err, "advance referral")
	if r.Status == to || !referral.CanMove(r.Status, to) {
		return nil
	}
	r.Status = to
	return s.saveReferral(ctx, tx, p, r, on, audit.Transition, []string{"status"}, "Referral "+r.Reference+" "+string(to)+": "+why)
}

// Allocate records the allocation meeting's choice of engagement lead.
func (s *Service) Allocate(ctx context.Context, id string, ifMatch *int, practitionerID, reason, meetingID string) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "allocate referral %s", id)
	var role string
	return versionedReferrals.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch, func(tx Tx, _ auth.Principal, rp *referral.Referral) (bool, error) {
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
		c, err := sharing.Authorise(consents, org.ID, org.Type, s.Today(), safeguarding)
		if err != nil {
			return false, err
		}
		if err := s.endLead(tx, r); err != nil {
			return false, err
		}
		if err := tx.Referrals().Allocate(referral.Allocation{ID: casework.NewID(), ReferralID: r.ID, PractitionerID: lead.ID, OrganisationID: org.ID,
			Reason: reason, MeetingID: meetingID, StartedAt: s.Now()}); err != nil {
			return false, err
		}
		inv := sharing.Involvement{ID: casework.NewID(), YoungPersonID: r.YoungPersonID, OrganisationID: org.ID, PractitionerID: lead.ID,
			Role: sharing.RoleEngagementLead, StartedOn: s.Today(), ConsentID: c.ID, SafeguardingReason: safeguarding,
			CreatedAt: s.Now(), UpdatedAt: s.Now(), Version: 1}
		if err := tx.Sharing().CreateInvolvement(inv); err != nil {
			return false, err
		}
		*rp, role = next, lead.Role
		return true, nil
	}, func(tx Tx, p auth.Principal, r referral.Referral) error {
		return s.referralEvents(ctx, tx, p, r, s.Today(), audit.Allocate, []string{"engagement_lead_practitioner_id"},
			"Engagement lead allocated on "+r.Reference+" ("+role+")")
	})
}

// endLead ends the current engagement lead's team involvement on re-allocation.
func (s *Service) endLead(tx Tx, r referral.Referral) error {
	if r.EngagementLeadID == "" {
		return nil
	}
	today := s.Today()
	current, _, err := tx.Sharing().Involvements(r.YoungPersonID, &today, paging.Page{Limit: 200})
	if err != nil {
		return err
	}
	for _, i := range current {
		if i.Role == sharing.RoleEngagementLead && i.PractitionerID == r.EngagementLeadID {
			i.EndedOn, i.UpdatedAt, i.Version = &today, s.Now(), i.Version+1
			if err := tx.Sharing().UpdateInvolvement(i); err != nil {
				return err
			}
		}
	}
	return nil
}

// Allocations lists a referral's engagement leads, current and past.
func (s *Service) Allocations(ctx context.Context, id string, since time.Time) (out []referral.Allocation, err error) {
	defer casework.Wrap(&err, "list allocations of referral %s", id)
	p, err := casework.Allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		r, err := s.Visible(tx, p, id)
		if err != nil {
			return err
		}
		all, err := tx.Referrals().Allocations(id)
		if err != nil {
			return err
		}
		// updated_since: the allocations started or ended at or after since.
		for _, a := range all {
			changed := a.StartedAt
			if a.EndedAt != nil && a.EndedAt.After(changed) {
				changed = *a.EndedAt
			}
			if (paging.Page{UpdatedSince: since}).Changed(changed) {
				out = append(out, a)
			}
		}
		return tx.Audit(s.Event(ctx, p, audit.List, audit.Allocation, id, r.YoungPersonID, nil))
	})
	return out, err
}

// TransitionReferral makes one of the pathway's explicit moves.
func (s *Service) TransitionReferral(ctx context.Context, id string, ifMatch *int, to referral.Status, reason string) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "transition referral %s", id)
	return versionedReferrals.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(_ Tx, _ auth.Principal, r *referral.Referral) (bool, error) { return true, r.Transition(to) },
		func(tx Tx, p auth.Principal, r referral.Referral) error {
			return s.referralEvents(ctx, tx, p, r, s.Today(), audit.Transition, []string{"status"}, "Referral "+r.Reference+" "+string(to))
		})
}

// CloseReferral ends the pathway with its outcome.
func (s *Service) CloseReferral(ctx context.Context, id string, ifMatch *int, outcome, reason string) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "close referral %s", id)
	return versionedReferrals.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(_ Tx, _ auth.Principal, r *referral.Referral) (bool, error) {
			return true, r.Close(outcome, reason, s.Now())
		},
		func(tx Tx, p auth.Principal, r referral.Referral) error {
			if err := tx.Publish(s.Notice(outbox.ReferralClosed, r.ID, map[string]any{"outcome": outcome})); err != nil {
				return err
			}
			return s.referralEvents(ctx, tx, p, r, s.Today(), audit.Close, []string{"status", "closure"}, "Referral "+r.Reference+" closed: "+outcome)
		})
}

// RaiseSafeguardingConcern records a safeguarding concern found after the referral was received
// (referral.RaiseSafeguardingConcern): the concern, its day and reason, and a triaged referral's
// move to the safeguarding assessment route. When the current engagement lead is not a social
// worker the referral says a social worker must take over (LeadMustBeSocialWorker); allocation
// then accepts only a social worker. Needs RunPathway: the SEND team, who triage, and the
// engagement lead, who runs the assessment where such concerns come to light.
func (s *Service) RaiseSafeguardingConcern(ctx context.Context, id string, ifMatch *int, reason string, on time.Time) (_ referral.Referral, err error) {
	defer casework.Wrap(&err, "raise safeguarding concern on referral %s", id)
	var out referral.ConcernOutcome
	return versionedReferrals.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(tx Tx, _ auth.Principal, r *referral.Referral) (bool, error) {
			socialWorker := false
			if r.EngagementLeadID != "" {
				lead, err := tx.Directory().Practitioner(r.EngagementLeadID)
				if err != nil {
					return false, err
				}
				socialWorker = lead.Role == directory.SocialWorker
			}
			o, err := r.RaiseSafeguardingConcern(reason, on, s.Today(), socialWorker)
			out = o
			return true, err
		},
		func(tx Tx, p auth.Principal, r referral.Referral) error {
			changed := []string{"safeguarding_concern", "safeguarding_raised"}
			summary := "Safeguarding concern raised on referral " + r.Reference
			if out.RouteChanged {
				changed = append(changed, "route")
				summary += "; route " + r.Route
			}
			if out.ReplaceLead {
				summary += "; a social worker must take over as engagement lead"
			}
			// The reason is free text about the family: it stays on the referral, off the timeline.
			if err := s.OnTimeline(tx, r.YoungPersonID, r.ID, r.SafeguardingRaised.RaisedOn, referral.TimelineSafeguardingRaised,
				audit.Referral, r.ID, summary); err != nil {
				return err
			}
			return casework.Record(tx, s.Event(ctx, p, audit.Update, audit.Referral, r.ID, r.YoungPersonID, changed),
				s.Notice(outbox.ReferralSafeguardingRaised, r.ID, map[string]any{"young_person_id": r.YoungPersonID, "status": r.Status,
					"route": r.Route, "route_changed": out.RouteChanged, "raised_on": r.SafeguardingRaised.RaisedOn.Format("2006-01-02"),
					"lead_must_be_social_worker": out.ReplaceLead}))
		})
}

// Timeline reads one page of a child's pathway, oldest first.
func (s *Service) Timeline(ctx context.Context, youngPersonID string, pg paging.Page) (out []timeline.Event, next string, err error) {
	defer casework.Wrap(&err, "read timeline")
	p, err := casework.Allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, "", err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := s.team.VisibleYoungPerson(tx, p, youngPersonID); err != nil {
			return err
		}
		if out, next, err = tx.Timelines().Page(youngPersonID, pg); err != nil {
			return err
		}
		if p.Role == auth.RoleFamily {
			out = slices.DeleteFunc(out, func(ev timeline.Event) bool { return referral.FamilyHides(ev.Kind) })
		}
		return tx.Audit(s.Event(ctx, p, audit.Read, audit.YoungPerson, youngPersonID, youngPersonID, []string{"timeline"}))
	})
	return out, next, err
}
