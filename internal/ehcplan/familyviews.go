package ehcplan

import (
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// FamilyViewsRecordType names the family's views on a draft plan in the audit trail.
const FamilyViewsRecordType = "ehc_plan_family_views"

// Who gave the views.
const (
	GivenByFamily  = "family"  // the family themselves
	GivenByOfficer = "officer" // recorded by the council on the family's behalf
)

// PreferredSetting is the school or other institution the family ask to be named (s.38(2)(b)).
type PreferredSetting struct {
	Name, URN, Type string
}

// FamilyViews is what a family said about a served draft plan (s.38, Reg 13(1)): their views,
// the setting they would like named, and whether they want to meet an officer about it.
type FamilyViews struct {
	ID, PlanID, YoungPersonID string
	DraftVersion              int
	Views                     string
	PreferredSetting          *PreferredSetting
	WantsMeeting              bool
	GivenBy                   string
	GivenOn                   time.Time
	CommentsDueOn             time.Time
	CreatedAt                 time.Time
}

// FamilyViewsFilter selects views.
type FamilyViewsFilter struct {
	PlanID, YoungPersonID string
	WantsMeeting          *bool
}

// GiveViews checks that the family's comment period on the latest served draft is open on today
// and returns the views to keep against that draft. Outside the period (no draft served yet, the
// period over, the plan final) it is a state conflict; blank views or a setting without a name
// name the field.
func (p Plan) GiveViews(views string, setting *PreferredSetting, wantsMeeting bool, givenBy string, today time.Time) (FamilyViews, error) {
	today = statutory.Civil(today)
	if p.Status != Draft {
		return FamilyViews{}, fault.StateConflict("Views on a draft plan are given while it is a draft; this plan is "+string(p.Status)+".", string(p.Status))
	}
	l := p.Latest()
	if l.ServedOn == nil || l.CommentsDueOn == nil {
		return FamilyViews{}, fault.StateConflict("No draft of this plan has been sent to the family yet, so there is nothing to comment on.", "unserved")
	}
	if today.Before(*l.ServedOn) || today.After(*l.CommentsDueOn) {
		return FamilyViews{}, fault.StateConflict("The family's comment period on this draft ran from "+l.ServedOn.Format("2006-01-02")+
			" to "+l.CommentsDueOn.Format("2006-01-02")+"; it is not open today.", "comment_period_closed")
	}
	views = strings.TrimSpace(views)
	var errs []fault.FieldError
	if views == "" {
		errs = append(errs, fault.FieldError{Pointer: "/views", Detail: "is required: what the family think of the draft"})
	}
	if setting != nil {
		s := PreferredSetting{Name: strings.TrimSpace(setting.Name), URN: strings.TrimSpace(setting.URN), Type: setting.Type}
		if s.Name == "" {
			errs = append(errs, fault.FieldError{Pointer: "/preferred_setting/name", Detail: "is required when a setting is named"})
		}
		setting = &s
	}
	if err := fault.Fields(fault.Unprocessable, errs); err != nil {
		return FamilyViews{}, err
	}
	if givenBy != GivenByFamily {
		givenBy = GivenByOfficer
	}
	return FamilyViews{PlanID: p.ID, YoungPersonID: p.YoungPersonID, DraftVersion: l.Number, Views: views, PreferredSetting: setting,
		WantsMeeting: wantsMeeting, GivenBy: givenBy, GivenOn: today, CommentsDueOn: *l.CommentsDueOn}, nil
}
