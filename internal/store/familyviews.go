package store

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/paging"
)

type familyViewsRow struct {
	ID            string
	PlanID        string
	YoungPersonID string
	DraftVersion  int
	Views         string
	SettingName   *string
	SettingURN    *string `gorm:"column:setting_urn"`
	SettingType   *string
	WantsMeeting  bool
	GivenBy       string
	GivenOn       string
	CommentsDueOn string
	CreatedAt     time.Time
}

func (familyViewsRow) TableName() string { return "ehc_plan_family_views" }

func (r familyViewsRow) toDomain() ehcplan.FamilyViews {
	v := ehcplan.FamilyViews{ID: r.ID, PlanID: r.PlanID, YoungPersonID: r.YoungPersonID, DraftVersion: r.DraftVersion, Views: r.Views,
		WantsMeeting: r.WantsMeeting, GivenBy: r.GivenBy, GivenOn: toDate(r.GivenOn), CommentsDueOn: toDate(r.CommentsDueOn),
		CreatedAt: r.CreatedAt.UTC()}
	if r.SettingName != nil {
		v.PreferredSetting = &ehcplan.PreferredSetting{Name: *r.SettingName, URN: deref(r.SettingURN), Type: deref(r.SettingType)}
	}
	return v
}

// AddFamilyViews keeps the family's views on a served draft.
func (tx planRepo) AddFamilyViews(v ehcplan.FamilyViews) error {
	row := familyViewsRow{ID: v.ID, PlanID: v.PlanID, YoungPersonID: v.YoungPersonID, DraftVersion: v.DraftVersion, Views: v.Views,
		WantsMeeting: v.WantsMeeting, GivenBy: v.GivenBy, GivenOn: fromDate(v.GivenOn), CommentsDueOn: fromDate(v.CommentsDueOn),
		CreatedAt: v.CreatedAt}
	if s := v.PreferredSetting; s != nil {
		row.SettingName, row.SettingURN, row.SettingType = &s.Name, nullable(s.URN), nullable(s.Type)
	}
	return translate(tx.w().Create(&row).Error)
}

// FamilyViews lists views whose child is within scope, newest first.
func (tx planRepo) FamilyViews(f ehcplan.FamilyViewsFilter, s access.Scope, p paging.Page) ([]ehcplan.FamilyViews, string, error) {
	q := visibleYoungPeople(tx.q().Model(&familyViewsRow{}), "ehc_plan_family_views.young_person_id", s)
	if f.PlanID != "" {
		q = q.Where("ehc_plan_family_views.plan_id = ?", f.PlanID)
	}
	if f.YoungPersonID != "" {
		q = q.Where("ehc_plan_family_views.young_person_id = ?", f.YoungPersonID)
	}
	if f.WantsMeeting != nil {
		q = q.Where("ehc_plan_family_views.wants_meeting = ?", *f.WantsMeeting)
	}
	return listPage(q, "ehc_plan_family_views", p, func(r familyViewsRow) string { return r.ID }, familyViewsRow.toDomain)
}
