package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/transition"
)

type transitionPlanRow struct {
	ID                      string
	YoungPersonID           string
	DateOfBirth             string `gorm:"->;column:date_of_birth"` // the young person's, joined on read
	StartedOn               string
	PfA                     string `gorm:"column:pfa"`
	AdultServicesContacts   string
	CareActStatus           string
	CareActRequestedOn      *string
	CareActCompletedOn      *string
	CareActNotes            *string
	CHCIdentifiedOn         *string `gorm:"column:chc_identified_on"`
	CHCReferredOn           *string `gorm:"column:chc_referred_on"`
	CHCEligibilityDecidedOn *string `gorm:"column:chc_eligibility_decided_on"`
	CHCEligible             *bool   `gorm:"column:chc_eligible"`
	CHCInPlaceOn            *string `gorm:"column:chc_in_place_on"`
	EHCPlanExpectedEndOn    *string `gorm:"column:ehc_plan_expected_end_on"`
	Notes                   *string
	EndedOn                 *string
	EndReason               *string
	EndNotes                *string
	CreatedAt               time.Time
	UpdatedAt               time.Time
	Version                 int
}

func (transitionPlanRow) TableName() string { return "transition_plans" }

func toTransitionPlanRow(p transition.Plan) transitionPlanRow {
	contacts := p.Contacts
	if contacts == nil {
		contacts = []transition.Contact{}
	}
	row := transitionPlanRow{ID: p.ID, YoungPersonID: p.YoungPersonID, StartedOn: fromDate(p.StartedOn), PfA: toJSON(p.PfA),
		AdultServicesContacts: toJSON(contacts), CareActStatus: p.CareAct.Status, CareActRequestedOn: optDate(p.CareAct.RequestedOn),
		CareActCompletedOn: optDate(p.CareAct.CompletedOn), CareActNotes: nullable(p.CareAct.Notes),
		CHCIdentifiedOn: optDate(p.CHC.IdentifiedOn), CHCReferredOn: optDate(p.CHC.ReferredOn), CHCEligibilityDecidedOn: optDate(p.CHC.EligibilityDecidedOn),
		CHCEligible: p.CHC.Eligible, CHCInPlaceOn: optDate(p.CHC.InPlaceOn), EHCPlanExpectedEndOn: optDate(p.EHCPlanExpectedEndOn),
		Notes: nullable(p.Notes), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if e := p.Ending; e != nil {
		row.EndedOn, row.EndReason, row.EndNotes = optDate(&e.On), nullable(e.Reason), nullable(e.Notes)
	}
	return row
}

func (r transitionPlanRow) toDomain() transition.Plan {
	p := transition.Plan{ID: r.ID, YoungPersonID: r.YoungPersonID, DateOfBirth: toDate(r.DateOfBirth), StartedOn: toDate(r.StartedOn),
		PfA: fromJSON[transition.PfA](&r.PfA), Contacts: fromJSON[[]transition.Contact](&r.AdultServicesContacts),
		CareAct: transition.CareActAssessment{Status: r.CareActStatus, RequestedOn: toOptDate(r.CareActRequestedOn),
			CompletedOn: toOptDate(r.CareActCompletedOn), Notes: deref(r.CareActNotes)},
		CHC: transition.CHC{IdentifiedOn: toOptDate(r.CHCIdentifiedOn), ReferredOn: toOptDate(r.CHCReferredOn),
			EligibilityDecidedOn: toOptDate(r.CHCEligibilityDecidedOn), Eligible: r.CHCEligible, InPlaceOn: toOptDate(r.CHCInPlaceOn)},
		EHCPlanExpectedEndOn: toOptDate(r.EHCPlanExpectedEndOn), Notes: deref(r.Notes),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.EndedOn != nil {
		p.Ending = &transition.Ending{On: toDate(*r.EndedOn), Reason: deref(r.EndReason), Notes: deref(r.EndNotes)}
	}
	return p
}

// transitionPlans is the base query: plans with their young person's date of birth.
func (tx conn) transitionPlans(s access.Scope) *gorm.DB {
	q := tx.q().Model(&transitionPlanRow{}).Select("transition_plans.*, young_people.date_of_birth").
		Joins("JOIN young_people ON young_people.id = transition_plans.young_person_id")
	return visibleYoungPeople(q, "transition_plans.young_person_id", s)
}

// CreateTransitionPlan inserts p. A second plan not ended for the same young person is a
// conflict naming /young_person_id (the partial unique index decides, so two racing creates
// cannot both win).
func (tx transitionRepo) Create(p transition.Plan) error {
	row := toTransitionPlanRow(p)
	err := translate(tx.w().Omit("date_of_birth").Create(&row).Error)
	if fault.KindOf(err) == fault.Conflict {
		return transition.CurrentPlanConflict()
	}
	return err
}

// CurrentTransitionPlanID returns the id of the young person's plan that has not ended, or "".
func (tx transitionRepo) CurrentID(youngPersonID string) (string, error) {
	var ids []string
	err := tx.q().Model(&transitionPlanRow{}).Where("young_person_id = ? AND ended_on IS NULL", youngPersonID).Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", translate(err)
	}
	return ids[0], nil
}

// LastTransitionPlanEnd returns the latest day one of the young person's plans ended (zero: none).
func (tx transitionRepo) LastEnded(youngPersonID string) (time.Time, error) {
	var last *string
	err := tx.q().Model(&transitionPlanRow{}).Where("young_person_id = ? AND ended_on IS NOT NULL", youngPersonID).
		Select("MAX(ended_on)").Row().Scan(&last)
	if err != nil || last == nil {
		return time.Time{}, translate(err)
	}
	return toDate(*last), nil
}

// TransitionPlan loads one plan within scope.
func (tx transitionRepo) Get(id string, s access.Scope) (transition.Plan, error) {
	var row transitionPlanRow
	err := tx.transitionPlans(s).Where("transition_plans.id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return transition.Plan{}, fault.New(fault.NotFound, "No such transition plan.")
	}
	return row.toDomain(), translate(err)
}

// UpdateTransitionPlan writes p if p.Version-1 is still current.
func (tx transitionRepo) Update(p transition.Plan) error {
	row := toTransitionPlanRow(p)
	// As updateVersioned, but the joined date of birth is not a column of the plan.
	res := tx.w().Table("transition_plans").Where("id = ? AND version = ?", p.ID, p.Version-1).
		Select("*").Omit("id", "created_at", "young_person_id", "date_of_birth").UpdateColumns(&row)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var current int
	if err := tx.q().Table("transition_plans").Where("id = ?", p.ID).Select("version").Row().Scan(&current); err != nil {
		return fault.New(fault.NotFound, "No such transition plan.")
	}
	return fault.Stale(current)
}

// TransitionPlans lists one page within scope, newest first.
func (tx transitionRepo) List(f transition.Filter, s access.Scope, p paging.Page) ([]transition.Plan, string, error) {
	q := tx.transitionPlans(s)
	if f.YoungPersonID != "" {
		q = q.Where("transition_plans.young_person_id = ?", f.YoungPersonID)
	}
	if f.Current != nil {
		if *f.Current {
			q = q.Where("transition_plans.ended_on IS NULL")
		} else {
			q = q.Where("transition_plans.ended_on IS NOT NULL")
		}
	}
	return listPage(q, "transition_plans", p, func(r transitionPlanRow) string { return r.ID }, transitionPlanRow.toDomain)
}

// Gaps and upcoming events. Ages become date-of-birth comparisons (package transition works out
// the cut-offs), so each list is a handful of indexed, dialect-neutral queries.

// closedReferralStatuses end a referral: closed, or ended at triage.
var closedReferralStatuses = []string{string(referral.Closed), string(referral.Redirected), string(referral.Declined)}

// planInForce is the condition for an EHC plan (aliased p) in force on a day, given as its one
// argument: issued, or ceasing and kept in force until its cease date (the appeal window).
const planInForce = `(p.status = 'issued' OR (p.status = 'ceasing' AND p.ceases_on > ?))`

// openReferralOn: the young person in col has a referral received by the day and not closed.
func openReferralOn(col string) string {
	return `EXISTS (SELECT 1 FROM referrals r WHERE r.young_person_id = ` + col + ` AND r.status NOT IN ? AND r.received_on <= ?)`
}

// ehcPlanOn: the young person in col has an EHC plan in force first issued by the day (or with
// no issue date recorded).
func ehcPlanOn(col string) string {
	return `EXISTS (SELECT 1 FROM ehc_plans p WHERE p.young_person_id = ` + col +
		` AND ` + planInForce + ` AND (p.first_issued_on IS NULL OR p.first_issued_on <= ?))`
}

// transitionPlanOn: the young person in col has a transition plan current on the day.
func transitionPlanOn(col string) string {
	return `EXISTS (SELECT 1 FROM transition_plans t WHERE t.young_person_id = ` + col +
		` AND t.started_on <= ? AND (t.ended_on IS NULL OR t.ended_on > ?))`
}

type gapRow struct {
	ID            string
	GivenName     string
	FamilyName    string
	PreferredName *string
	DateOfBirth   string
	OpenReferral  int
	EHCPlan       int `gorm:"column:ehc_plan"`
	ReferralSince *string
	EHCPlanSince  *string `gorm:"column:ehc_plan_since"`
	LastPlanEnded *string
}

func (r gapRow) toGap() transition.Gap {
	g := transition.Gap{YoungPersonID: r.ID, GivenName: r.GivenName, FamilyName: r.FamilyName, PreferredName: deref(r.PreferredName),
		DateOfBirth: toDate(r.DateOfBirth), OpenReferral: r.OpenReferral == 1, EHCPlan: r.EHCPlan == 1}
	for _, f := range []struct {
		to   *time.Time
		from *string
	}{{&g.ReferralSince, r.ReferralSince}, {&g.EHCPlanSince, r.EHCPlanSince}, {&g.LastPlanEnded, r.LastPlanEnded}} {
		if f.from != nil {
			*f.to = toDate(*f.from)
		}
	}
	return g
}

// TransitionGaps lists one page of the young people in scope who on q.AsOf are born in
// (BornAfter, BornBy], have an open referral or an EHC plan in force, and have no current
// transition plan; newest young person record first.
func (tx transitionRepo) Gaps(q transition.GapQuery, s access.Scope, p paging.Page) ([]transition.Gap, string, error) {
	on := fromDate(q.AsOf)
	col := "young_people.id"
	db := tx.q().Table("young_people").Select(`young_people.id, young_people.given_name, young_people.family_name,
		young_people.preferred_name, young_people.date_of_birth,
		CASE WHEN `+openReferralOn(col)+` THEN 1 ELSE 0 END AS open_referral,
		CASE WHEN `+ehcPlanOn(col)+` THEN 1 ELSE 0 END AS ehc_plan,
		(SELECT MIN(r.received_on) FROM referrals r WHERE r.young_person_id = young_people.id AND r.status NOT IN ? AND r.received_on <= ?) AS referral_since,
		(SELECT MIN(p.first_issued_on) FROM ehc_plans p WHERE p.young_person_id = young_people.id AND `+planInForce+` AND p.first_issued_on <= ?) AS ehc_plan_since,
		(SELECT MAX(t.ended_on) FROM transition_plans t WHERE t.young_person_id = young_people.id AND t.ended_on <= ?) AS last_plan_ended`,
		closedReferralStatuses, on, on, on, closedReferralStatuses, on, on, on, on).
		Where("young_people.date_of_birth <= ? AND young_people.date_of_birth > ?", fromDate(q.BornBy), fromDate(q.BornAfter)).
		Where("("+openReferralOn(col)+" OR "+ehcPlanOn(col)+")", closedReferralStatuses, on, on, on).
		Where("NOT "+transitionPlanOn(col), on, on)
	db = visibleYoungPeople(db, col, s)
	return listPage(db, "young_people", p, func(r gapRow) string { return r.ID }, gapRow.toGap)
}

// UpcomingTransitions returns every event in the window for the young people in scope who on
// AsOf have an open referral, an EHC plan in force or a current transition plan. The window
// bounds the result; the caller sorts and pages it.
func (tx transitionRepo) Upcoming(q transition.UpcomingQuery, s access.Scope) ([]transition.Upcoming, error) {
	on, through := fromDate(q.AsOf), fromDate(q.Through)
	population := func(col string) (string, []any) {
		return "(" + openReferralOn(col) + " OR " + ehcPlanOn(col) + " OR " + transitionPlanOn(col) + ")",
			[]any{closedReferralStatuses, on, on, on, on, on}
	}
	var out []transition.Upcoming
	type row struct {
		YoungPersonID string
		DateOfBirth   string
		EventOn       *string
		RelatedID     *string
	}
	run := func(kind, relatedType string, db *gorm.DB) error {
		var rows []row
		if err := db.Find(&rows).Error; err != nil {
			return translate(err)
		}
		for _, r := range rows {
			u := transition.Upcoming{YoungPersonID: r.YoungPersonID, DateOfBirth: toDate(r.DateOfBirth), Kind: kind, RelatedID: deref(r.RelatedID)}
			if u.RelatedID != "" {
				u.RelatedType = relatedType
			}
			if r.EventOn != nil {
				u.On = toDate(*r.EventOn)
			}
			out = append(out, u)
		}
		return nil
	}

	// Children's services end at 18.
	cond, args := population("young_people.id")
	if !q.Turning18.Empty() {
		db := tx.q().Table("young_people").Select("young_people.id AS young_person_id, young_people.date_of_birth").
			Where("young_people.date_of_birth >= ? AND young_people.date_of_birth <= ?", fromDate(q.Turning18.From), fromDate(q.Turning18.Through)).
			Where(cond, args...)
		if err := run(transition.UpcomingTurns18, "", visibleYoungPeople(db, "young_people.id", s)); err != nil {
			return nil, err
		}
	}

	// The current transition plan's expected end of the EHC plan.
	db := tx.q().Table("transition_plans t").Select("t.young_person_id, young_people.date_of_birth, t.ehc_plan_expected_end_on AS event_on, t.id AS related_id").
		Joins("JOIN young_people ON young_people.id = t.young_person_id").
		Where("t.started_on <= ? AND (t.ended_on IS NULL OR t.ended_on > ?)", on, on).
		Where("t.ehc_plan_expected_end_on > ? AND t.ehc_plan_expected_end_on <= ?", on, through)
	if err := run(transition.UpcomingPlanExpectedEnd, "transition_plan", visibleYoungPeople(db, "t.young_person_id", s)); err != nil {
		return nil, err
	}

	// An EHC plan in force reaches its upper age limit: the end of the academic year of turning 25.
	if !q.MaxAgeEnd.Empty() {
		db = tx.q().Table("ehc_plans p").Select("p.young_person_id, young_people.date_of_birth, p.id AS related_id").
			Joins("JOIN young_people ON young_people.id = p.young_person_id").
			Where(planInForce+" AND (p.first_issued_on IS NULL OR p.first_issued_on <= ?)", on, on).
			Where("young_people.date_of_birth >= ? AND young_people.date_of_birth <= ?", fromDate(q.MaxAgeEnd.From), fromDate(q.MaxAgeEnd.Through))
		if err := run(transition.UpcomingPlanMaxAgeEnd, "ehc_plan", visibleYoungPeople(db, "p.young_person_id", s)); err != nil {
			return nil, err
		}
	}

	// A service in the team around the child ends.
	cond, args = population("i.young_person_id")
	db = tx.q().Table("involvements i").Select("i.young_person_id, young_people.date_of_birth, i.ended_on AS event_on, i.id AS related_id").
		Joins("JOIN young_people ON young_people.id = i.young_person_id").
		Where("i.ended_on > ? AND i.ended_on <= ?", on, through).
		Where(cond, args...)
	if err := run(transition.UpcomingServiceEnd, "involvement", visibleYoungPeople(db, "i.young_person_id", s)); err != nil {
		return nil, err
	}
	return out, nil
}

// WithCurrentTransitionPlan returns which of the young people have a transition plan current on day.
func (tx transitionRepo) WithCurrentPlan(youngPersonIDs []string, day time.Time) (map[string]bool, error) {
	out := map[string]bool{}
	if len(youngPersonIDs) == 0 {
		return out, nil
	}
	on := fromDate(day)
	var ids []string
	err := tx.q().Model(&transitionPlanRow{}).Where("young_person_id IN ? AND started_on <= ? AND (ended_on IS NULL OR ended_on > ?)", youngPersonIDs, on, on).
		Distinct().Pluck("young_person_id", &ids).Error
	for _, id := range ids {
		out[id] = true
	}
	return out, translate(err)
}
