package plans

import (
	"context"
	"strconv"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// FamilyViewsInput is what the family say about a served draft plan.
type FamilyViewsInput struct {
	Views            string
	PreferredSetting *ehcplan.PreferredSetting
	WantsMeeting     bool
}

// GiveFamilyViews records the family's views on the plan's served draft, within their 15-day
// comment period (s.38-39, Reg 13(1)): given by the family for their own child, or recorded for them
// by the SEND team or the engagement lead. The plan itself is unchanged; the views are kept against
// the draft version served, announced, audited and put on the child's timeline. A request for a
// meeting puts the views on the SEND team's worklist (FamilyViews with WantsMeeting).
func (s *Service) GiveFamilyViews(ctx context.Context, planID string, in FamilyViewsInput) (v ehcplan.FamilyViews, err error) {
	defer casework.Wrap(&err, "give family views on EHC plan %s", planID)
	p, err := casework.Allow(ctx, auth.GiveFamilyViews)
	if err != nil {
		return v, err
	}
	givenBy := ehcplan.GivenByOfficer
	if p.Role == auth.RoleFamily {
		givenBy = ehcplan.GivenByFamily
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		v, err = s.giveViews(ctx, tx, p, planID, in, givenBy)
		return err
	})
	return v, err
}

// giveViews records the views within the caller's transaction, for p (whose permission the caller
// has checked).
func (s *Service) giveViews(ctx context.Context, tx Tx, p auth.Principal, planID string, in FamilyViewsInput, givenBy string) (v ehcplan.FamilyViews, err error) {
	err = func() error {
		pl, err := tx.Plans().Get(planID, s.Scope(p))
		if err != nil {
			return err
		}
		if v, err = pl.GiveViews(in.Views, in.PreferredSetting, in.WantsMeeting, givenBy, s.Today()); err != nil {
			return err
		}
		v.ID, v.CreatedAt = casework.NewID(), s.Now()
		if err := tx.Plans().AddFamilyViews(v); err != nil {
			return err
		}
		payload := map[string]any{"young_person_id": v.YoungPersonID, "family_views_id": v.ID, "draft_version": v.DraftVersion,
			"given_by": v.GivenBy, "given_on": v.GivenOn.Format("2006-01-02"), "comments_due_on": v.CommentsDueOn.Format("2006-01-02"),
			"preferred_setting_named": v.PreferredSetting != nil, "wants_meeting": v.WantsMeeting}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, ehcplan.FamilyViewsRecordType, v.ID, v.YoungPersonID, nil),
			s.Notice(outbox.EHCPlanFamilyViewsGiven, pl.ID, payload)); err != nil {
			return err
		}
		text := "The family's views on the draft EHC plan (version " + strconv.Itoa(v.DraftVersion) + ") were "
		if v.GivenBy == ehcplan.GivenByFamily {
			text += "given"
		} else {
			text += "recorded by the council"
		}
		if v.PreferredSetting != nil {
			text += "; a preferred setting was named"
		}
		if v.WantsMeeting {
			text += "; the family asked for a meeting"
		}
		return s.OnTimeline(tx, v.YoungPersonID, "", v.GivenOn, outbox.EHCPlanFamilyViewsGiven.Name, ehcplan.RecordType, pl.ID, text)
	}()
	return v, err
}

// FamilyViews lists the family's views the caller may see (one plan's, one child's, or those
// asking for a meeting), newest first, auditing each hit.
func (s *Service) FamilyViews(ctx context.Context, f ehcplan.FamilyViewsFilter, pg paging.Page) (_ []ehcplan.FamilyViews, _ string, err error) {
	defer casework.Wrap(&err, "list family views")
	return casework.ListAudited(ctx, s.Core, s.db, ehcplan.FamilyViewsRecordType,
		func(tx Tx, sc access.Scope) ([]ehcplan.FamilyViews, string, error) {
			return tx.Plans().FamilyViews(f, sc, pg)
		},
		func(v ehcplan.FamilyViews) (string, string) { return v.ID, v.YoungPersonID })
}
