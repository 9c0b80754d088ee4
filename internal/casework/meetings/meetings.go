// Package meetings records the multi-agency meetings on a referral's pathway (allocation meetings,
// MAMs, panels), the actions agreed at them, and the feedback on the pathway. A MAM or a panel moves
// the referral on.
package meetings

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// Tx is what the meeting use cases need of a transaction: the pathway's, since a meeting moves
// the referral on.
type Tx interface {
	referrals.Tx
	Meetings() meeting.Repository
	Feedback() feedback.Repository
}

// Service runs the meeting, action and feedback use cases.
type Service struct {
	casework.Core
	db        casework.DB[Tx]
	referrals *referrals.Service
}

// New returns the meeting service.
func New(core casework.Core, db casework.DB[Tx], referrals *referrals.Service) *Service {
	return &Service{Core: core, db: db, referrals: referrals}
}

// checkMeetingReferences refuses attendees and action owners naming practitioners or
// organisations that do not exist, each by its pointer.
func (s *Service) checkMeetingReferences(tx Tx, m meeting.Meeting, withActions bool) error {
	var errs []fault.FieldError
	exists := func(err error, pointer, detail string) error {
		if fault.KindOf(err) == fault.NotFound {
			errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail})
			return nil
		}
		return err
	}
	for i, a := range m.Attendees {
		at := "/attendees/" + strconv.Itoa(i)
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
				if err := exists(err, "/actions/"+strconv.Itoa(i)+"/owner_practitioner_id", "no such practitioner"); err != nil {
					return err
				}
			}
		}
	}
	return fault.Fields(fault.Unprocessable, errs)
}

// referralMeetings reads every meeting recorded on one referral, whoever may see them: the
// pathway's order is judged on the whole record, once the caller's access to the referral has
// been checked.
func referralMeetings(tx Tx, referralID string) ([]meeting.Meeting, error) {
	return paging.Drain(func(pg paging.Page) ([]meeting.Meeting, string, error) {
		return tx.Meetings().List(meeting.Filter{ReferralID: referralID}, access.All, pg)
	})
}

// CreateMeeting records a meeting on a referral, with the actions agreed at it. A MAM moves the
// referral to mam_held and a MAP to panel, where the pathway allows that move.
func (s *Service) CreateMeeting(ctx context.Context, m meeting.Meeting) (_ meeting.Meeting, err error) {
	defer casework.Wrap(&err, "create meeting")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return m, err
	}
	if err := m.Validate(s.Today()); err != nil {
		return m, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		r, err := s.referrals.ForWrite(tx, p, m.ReferralID)
		if err != nil {
			return err
		}
		if err := m.Attach(r.ReceivedOn); err != nil {
			return err
		}
		recorded, err := referralMeetings(tx, r.ID)
		if err != nil {
			return err
		}
		// The pathway's order: no meeting on an ended referral, a MAM only once a lead is
		// allocated, a MAP or review only after a MAM.
		if err := meeting.MayRecord(m.Type, m.HeldOn, r, recorded); err != nil {
			return err
		}
		if err := s.checkMeetingReferences(tx, m, true); err != nil {
			return err
		}
		m.ID, m.YoungPersonID, m.CreatedAt, m.UpdatedAt, m.Version = casework.NewID(), r.YoungPersonID, s.Now(), s.Now(), 1
		for i := range m.Actions {
			a := &m.Actions[i]
			a.ID, a.MeetingID, a.ReferralID, a.YoungPersonID, a.Status = casework.NewID(), m.ID, r.ID, r.YoungPersonID, meeting.Open
			a.CompletedAt, a.CompletedByPractitionerID, a.CompletionNote = nil, "", ""
		}
		if err := tx.Meetings().Create(m); err != nil {
			return err
		}
		actionIDs := make([]string, len(m.Actions))
		for i, a := range m.Actions {
			actionIDs[i] = a.ID
			if err := tx.Audit(s.Event(ctx, p, audit.Create, audit.Action, a.ID, a.YoungPersonID, nil)); err != nil {
				return err
			}
		}
		payload := map[string]any{"referral_id": r.ID, "young_person_id": r.YoungPersonID, "type": m.Type,
			"held_on": m.HeldOn.Format("2006-01-02"), "before_referral": m.BeforeReferral, "action_ids": actionIDs}
		if m.MapDecision != nil {
			payload["map_outcome"], payload["map_cost_band"] = m.MapDecision.Outcome, m.MapDecision.CostBand
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, audit.Meeting, m.ID, m.YoungPersonID, nil),
			s.Notice(outbox.MeetingHeld, m.ID, payload)); err != nil {
			return err
		}
		if err := s.OnTimeline(tx, m.YoungPersonID, r.ID, m.HeldOn, "meeting.held", audit.Meeting, m.ID, m.Summary()); err != nil {
			return err
		}
		switch m.Type {
		case meeting.MAM:
			err = s.referrals.Advance(ctx, tx, p, &r, referral.MAMHeld, "MAM held", m.HeldOn)
		case meeting.MAP:
			// A request for an EHC needs assessment is recorded with the decision; the statutory
			// process starts on its own record.
			err = s.referrals.Advance(ctx, tx, p, &r, referral.Panel, "MAP held", m.HeldOn)
		}
		return err
	})
	if fault.KindOf(err) == fault.PreconditionFailed {
		// The caller sent no If-Match: a referral changed under us (found when the writes are sent,
		// at the end) is a conflict, not a 412.
		return m, fault.New(fault.Conflict, "The referral changed while this meeting was being recorded; read it and try again.")
	}
	return m, err
}

// Meeting reads one meeting the caller may see.
func (s *Service) Meeting(ctx context.Context, id string) (_ meeting.Meeting, err error) {
	defer casework.Wrap(&err, "read meeting %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, audit.Meeting, id,
		func(tx Tx, sc access.Scope) (meeting.Meeting, error) { return tx.Meetings().Get(id, sc) },
		func(r meeting.Meeting) string { return r.YoungPersonID })
}

// Meetings lists the meetings the caller may see, auditing each hit.
func (s *Service) Meetings(ctx context.Context, f meeting.Filter, pg paging.Page) (_ []meeting.Meeting, _ string, err error) {
	defer casework.Wrap(&err, "list meetings")
	return casework.ListAudited(ctx, s.Core, s.db, audit.Meeting,
		func(tx Tx, sc access.Scope) ([]meeting.Meeting, string, error) {
			return tx.Meetings().List(f, sc, pg)
		},
		func(r meeting.Meeting) (string, string) { return r.ID, r.YoungPersonID })
}

// UpdateMeeting corrects a meeting's record. Its type, referral and actions stay as they are.
func (s *Service) UpdateMeeting(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[meeting.Meeting]) (_ meeting.Meeting, err error) {
	defer casework.Wrap(&err, "update meeting %s", id)
	return versionedMeetings.Patch(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch, mutate, nil,
		func(tx Tx, p auth.Principal, cur meeting.Meeting, next *meeting.Meeting) error {
			next.ID, next.ReferralID, next.YoungPersonID, next.Type, next.Actions = cur.ID, cur.ReferralID, cur.YoungPersonID, cur.Type, cur.Actions
			next.CreatedAt = cur.CreatedAt
			if err := next.Validate(s.Today()); err != nil {
				return err
			}
			r, err := s.referrals.Visible(tx, p, cur.ReferralID)
			if err != nil {
				return err
			}
			if err := next.Attach(r.ReceivedOn); err != nil {
				return err
			}
			if !next.HeldOn.Equal(cur.HeldOn) {
				// A corrected date must keep the referral's meetings in the pathway's order.
				recorded, err := referralMeetings(tx, cur.ReferralID)
				if err != nil {
					return err
				}
				for i := range recorded {
					if recorded[i].ID == cur.ID {
						recorded[i] = *next
					}
				}
				if err := meeting.InOrder(recorded); err != nil {
					return err
				}
			}
			return s.checkMeetingReferences(tx, *next, false)
		},
		func(tx Tx, p auth.Principal, _, m meeting.Meeting, changed []string) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, audit.Meeting, id, m.YoungPersonID, changed),
				s.Notice(outbox.MeetingUpdated, id, map[string]any{"referral_id": m.ReferralID, "young_person_id": m.YoungPersonID,
					"type": m.Type, "changed_fields": changed})); err != nil {
				return err
			}
			// A corrected date or panel decision changes what the pathway reads; say so on the timeline.
			for _, f := range changed {
				if f == "held_on" || f == "map_decision" {
					return s.OnTimeline(tx, m.YoungPersonID, m.ReferralID, s.Today(), "meeting.corrected", audit.Meeting, id,
						"Meeting record corrected: "+m.Summary())
				}
			}
			return nil
		})
}

var versionedMeetings = casework.Versioned[meeting.Meeting, Tx]{Load: casework.LoadVia(Tx.Meetings, meeting.Repository.Get), Save: casework.SaveVia(Tx.Meetings, meeting.Repository.Update),
	Stamp: func(m *meeting.Meeting) (*int, *time.Time) { return &m.Version, &m.UpdatedAt }}

// Actions lists the actions the caller may see, auditing each hit.
func (s *Service) Actions(ctx context.Context, f meeting.ActionFilter, pg paging.Page) (_ []meeting.Action, _ string, err error) {
	defer casework.Wrap(&err, "list actions")
	f.Today = s.Today()
	return casework.ListAudited(ctx, s.Core, s.db, audit.Action,
		func(tx Tx, sc access.Scope) ([]meeting.Action, string, error) {
			return tx.Meetings().Actions(f, sc, pg)
		},
		func(a meeting.Action) (string, string) { return a.ID, a.YoungPersonID })
}

// CompleteAction marks an open action done, recording who completed it (the named
// practitioner, else the caller's own) and when.
func (s *Service) CompleteAction(ctx context.Context, id, byPractitionerID, note string) (a meeting.Action, err error) {
	defer casework.Wrap(&err, "complete action")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return a, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if a, err = tx.Meetings().Action(id, s.Scope(p)); err != nil {
			return err
		}
		by := byPractitionerID
		if by == "" {
			by = p.PractitionerID
		}
		if err := a.Complete(s.Now(), by, note); err != nil {
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
		if err := casework.Record(tx, s.Event(ctx, p, audit.Complete, audit.Action, a.ID, a.YoungPersonID,
			[]string{"status", "completed_at", "completed_by_practitioner_id", "completion_note"}),
			s.Notice(outbox.ActionCompleted, a.ID, map[string]any{"meeting_id": a.MeetingID, "referral_id": a.ReferralID,
				"young_person_id": a.YoungPersonID, "status": a.Status})); err != nil {
			return err
		}
		return s.OnTimeline(tx, a.YoungPersonID, a.ReferralID, s.Today(), "action.completed", audit.Action, a.ID, "Action completed")
	})
	return a, err
}
