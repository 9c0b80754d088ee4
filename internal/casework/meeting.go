package casework

import (
	"time"

	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
)

// checkMeetingReferences refuses attendees and action owners naming practitioners or
// organisations that do not exist, each by its pointer.
func (s *Service) checkMeetingReferences(tx *store.Tx, m meeting.Meeting, withActions bool) error {
	var errs []fault.FieldError
	exists := func(err error, pointer, detail string) error {
		if fault.KindOf(err) == fault.NotFound {
			errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail})
			return nil
		}
		return err
	}
	for i, a := range m.Attendees {
		at := "/attendees/" + itoa(i)
		if a.PractitionerID != "" {
			_, err := tx.Directory().Practitioner(a.PractitionerID)
			if err := exists(err, at+"/practitioner_id", "no such practitioner"); err != nil {
				return err
			}
		}
		if a.OrganisationID != "" {
			_, err := tx.Directory().Organisation(a.OrganisationID)
			if err := exists(err, at+"/organisation_id", "no such organisation"); err != nil {
				return err
			}
		}
	}
	if withActions {
		for i, a := range m.Actions {
			if a.OwnerPractitionerID != "" {
				_, err := tx.Directory().Practitioner(a.OwnerPractitionerID)
				if err := exists(err, "/actions/"+itoa(i)+"/owner_practitioner_id", "no such practitioner"); err != nil {
					return err
				}
			}
		}
	}
	return fault.Fields(fault.Unprocessable, errs)
}

// CreateMeeting records a meeting on a referral, with the actions agreed at it. A MAM moves the
// referral to mam_held and a MAP to panel, where the pathway allows that move.
func (s *Service) CreateMeeting(ctx context.Context, m meeting.Meeting) (meeting.Meeting, error) {
	p, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return m, err
	}
	if err := m.Validate(s.today()); err != nil {
		return m, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.referralForWrite(tx, p, m.ReferralID)
		if err != nil {
			return err
		}
		if err := m.Attach(r.ReceivedOn); err != nil {
			return err
		}
		if err := s.checkMeetingReferences(tx, m, true); err != nil {
			return err
		}
		m.ID, m.YoungPersonID, m.CreatedAt, m.UpdatedAt, m.Version = newID(), r.YoungPersonID, s.now(), s.now(), 1
		for i := range m.Actions {
			a := &m.Actions[i]
			a.ID, a.MeetingID, a.ReferralID, a.YoungPersonID, a.Status = newID(), m.ID, r.ID, r.YoungPersonID, meeting.Open
			a.CompletedAt, a.CompletedByPractitionerID, a.CompletionNote = nil, "", ""
		}
		if err := tx.Meetings().Create(m); err != nil {
			return err
		}
		actionIDs := make([]string, len(m.Actions))
		for i, a := range m.Actions {
			actionIDs[i] = a.ID
			if err := tx.Audit(s.event(ctx, p, audit.Create, audit.Action, a.ID, a.YoungPersonID, nil)); err != nil {
				return err
			}
		}
		payload := map[string]any{"referral_id": r.ID, "young_person_id": r.YoungPersonID, "type": m.Type,
			"held_on": m.HeldOn.Format("2006-01-02"), "before_referral": m.BeforeReferral, "action_ids": actionIDs}
		if m.MapDecision != nil {
			payload["map_outcome"], payload["map_cost_band"] = m.MapDecision.Outcome, m.MapDecision.CostBand
		}
		if err := record(tx, s.event(ctx, p, audit.Create, audit.Meeting, m.ID, m.YoungPersonID, nil),
			s.notice("meeting.held", audit.Meeting, m.ID, payload)); err != nil {
			return err
		}
		if err := s.onTimeline(tx, m.YoungPersonID, r.ID, m.HeldOn, "meeting.held", audit.Meeting, m.ID, m.Summary()); err != nil {
			return err
		}
		switch m.Type {
		case meeting.MAM:
			err = s.advance(ctx, tx, p, &r, referral.MAMHeld, "MAM held", m.HeldOn)
		case meeting.MAP:
			// A request for an EHC needs assessment is recorded with the decision; the statutory
			// process starts on its own record.
			err = s.advance(ctx, tx, p, &r, referral.Panel, "MAP held", m.HeldOn)
		}
		if fault.KindOf(err) == fault.PreconditionFailed {
			// The caller sent no If-Match: a referral changed under us is a conflict, not a 412.
			return fault.New(fault.Conflict, "The referral changed while this meeting was being recorded; read it and try again.")
		}
		return err
	})
	return m, err
}

// Meeting reads one meeting the caller may see.
func (s *Service) Meeting(ctx context.Context, id string) (meeting.Meeting, error) {
	return readAudited(ctx, s, audit.Meeting, id,
		func(tx *store.Tx, sc access.Scope) (meeting.Meeting, error) { return tx.Meetings().Get(id, sc) },
		func(r meeting.Meeting) string { return r.YoungPersonID })
}

// Meetings lists the meetings the caller may see, auditing each hit.
func (s *Service) Meetings(ctx context.Context, f meeting.Filter, pg paging.Page) ([]meeting.Meeting, string, error) {
	return listAudited(ctx, s, audit.Meeting,
		func(tx *store.Tx, sc access.Scope) ([]meeting.Meeting, string, error) {
			return tx.Meetings().List(f, sc, pg)
		},
		func(r meeting.Meeting) (string, string) { return r.ID, r.YoungPersonID })
}

// UpdateMeeting corrects a meeting's record. Its type, referral and actions stay as they are.
func (s *Service) UpdateMeeting(ctx context.Context, id string, ifMatch *int, mutate Mutation[meeting.Meeting]) (meeting.Meeting, error) {
	return meetings.patch(ctx, s, auth.WriteCasework, id, ifMatch, mutate, nil,
		func(tx *store.Tx, p auth.Principal, cur meeting.Meeting, next *meeting.Meeting) error {
			next.ID, next.ReferralID, next.YoungPersonID, next.Type, next.Actions = cur.ID, cur.ReferralID, cur.YoungPersonID, cur.Type, cur.Actions
			next.CreatedAt = cur.CreatedAt
			if err := next.Validate(s.today()); err != nil {
				return err
			}
			r, err := s.visibleReferral(tx, p, cur.ReferralID)
			if err != nil {
				return err
			}
			if err := next.Attach(r.ReceivedOn); err != nil {
				return err
			}
			return s.checkMeetingReferences(tx, *next, false)
		},
		func(tx *store.Tx, p auth.Principal, _, m meeting.Meeting, changed []string) error {
			if err := record(tx, s.event(ctx, p, audit.Update, audit.Meeting, id, m.YoungPersonID, changed),
				s.notice("meeting.updated", audit.Meeting, id, map[string]any{"referral_id": m.ReferralID, "young_person_id": m.YoungPersonID,
					"type": m.Type, "changed_fields": changed})); err != nil {
				return err
			}
			// A corrected date or panel decision changes what the pathway reads; say so on the timeline.
			for _, f := range changed {
				if f == "held_on" || f == "map_decision" {
					return s.onTimeline(tx, m.YoungPersonID, m.ReferralID, s.today(), "meeting.corrected", audit.Meeting, id,
						"Meeting record corrected: "+m.Summary())
				}
			}
			return nil
		})
}

var meetings = versioned[meeting.Meeting]{load: loadVia((*store.Tx).Meetings, meeting.Repository.Get), save: saveVia((*store.Tx).Meetings, meeting.Repository.Update),
	stamp: func(m *meeting.Meeting) (*int, *time.Time) { return &m.Version, &m.UpdatedAt }}

// Actions lists the actions the caller may see, auditing each hit.
func (s *Service) Actions(ctx context.Context, f meeting.ActionFilter, pg paging.Page) ([]meeting.Action, string, error) {
	f.Today = s.today()
	return listAudited(ctx, s, audit.Action,
		func(tx *store.Tx, sc access.Scope) ([]meeting.Action, string, error) {
			return tx.Meetings().Actions(f, sc, pg)
		},
		func(a meeting.Action) (string, string) { return a.ID, a.YoungPersonID })
}

// CompleteAction marks an open action done, recording who completed it (the named
// practitioner, else the caller's own) and when.
func (s *Service) CompleteAction(ctx context.Context, id, byPractitionerID, note string) (a meeting.Action, err error) {
	p, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return a, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if a, err = tx.Meetings().Action(id, s.scope(p)); err != nil {
			return err
		}
		by := byPractitionerID
		if by == "" {
			by = p.PractitionerID
		}
		if err := a.Complete(s.now(), by, note); err != nil {
			return err
		}
		if byPractitionerID != "" {
			if _, err := tx.Directory().Practitioner(byPractitionerID); fault.KindOf(err) == fault.NotFound {
				return fault.Field(fault.Unprocessable, "/completed_by_practitioner_id", "no such practitioner")
			} else if err != nil {
				return err
			}
		}
		if err := tx.Meetings().CompleteAction(a); err != nil {
			return err
		}
		if err := record(tx, s.event(ctx, p, audit.Complete, audit.Action, a.ID, a.YoungPersonID,
			[]string{"status", "completed_at", "completed_by_practitioner_id", "completion_note"}),
			s.notice("action.completed", audit.Action, a.ID, map[string]any{"meeting_id": a.MeetingID, "referral_id": a.ReferralID,
				"young_person_id": a.YoungPersonID, "status": a.Status})); err != nil {
			return err
		}
		return s.onTimeline(tx, a.YoungPersonID, a.ReferralID, s.today(), "action.completed", audit.Action, a.ID, "Action completed")
	})
	return a, err
}
