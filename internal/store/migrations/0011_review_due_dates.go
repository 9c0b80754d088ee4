package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0011 corrects the annual review dates stored before s.44(1) of the Children and Families Act
// 2014 was counted inclusively. The 12 months "starting with" the day a plan was made (or last
// reviewed) end the day before the anniversary; OnePlan stored the anniversary, one day late, in
// ehc_plans.review_due_on and in the due_on of every annual review scheduled from it. Only a date
// equal to the old computation is moved, so a date set some other way, or already corrected, is
// left alone and a second run changes nothing. No DDL.
var m0011 = &gormigrate.Migration{ID: "0011_review_due_dates",
	Migrate: then(m0011FixPlanReviewDue, m0011FixAnnualReviewDue)}

// m0011Plan is the part of an ehc_plans row that 0011 reads, as it stood at 0011.
type m0011Plan struct {
	ID             string
	FirstIssuedOn  *string
	LastReviewedOn *string
	ReviewDueOn    *string
}

// m0011Review is the part of an annual_reviews row that 0011 reads, as it stood at 0011.
type m0011Review struct {
	ID        string
	PlanID    string
	Sequence  int
	DueOn     string
	DecidedOn *string
}

// m0011FixPlanReviewDue moves each plan's review_due_on back one day when it is the anniversary
// of its base: the last review decision when there is one, else the first issue. A corrected row
// gets a new version, so an ETag read before the migration no longer matches.
func m0011FixPlanReviewDue(db *gorm.DB) error {
	var plans []m0011Plan
	if err := db.Table("ehc_plans").Select("id, first_issued_on, last_reviewed_on, review_due_on").
		Where("review_due_on IS NOT NULL").Order("id").Find(&plans).Error; err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, p := range plans {
		base := m0011DateOf(p.FirstIssuedOn)
		if p.LastReviewedOn != nil {
			base = m0011DateOf(p.LastReviewedOn)
		}
		due, changed := m0011LegacyReviewDueFix(base, parseDate(*p.ReviewDueOn))
		if !changed {
			continue
		}
		if err := db.Exec(`UPDATE ehc_plans SET review_due_on = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			dateText(due), now, p.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

// m0011FixAnnualReviewDue moves each annual review's due_on back one day when it is the
// anniversary of its base: the plan's first issue for the first review, the previous review's
// decision for a later one (the dates the plan's review date was computed from when the review
// was scheduled).
func m0011FixAnnualReviewDue(db *gorm.DB) error {
	var reviews []m0011Review
	if err := db.Table("annual_reviews").Select("id, plan_id, sequence, due_on, decided_on").Order("plan_id, sequence").
		Find(&reviews).Error; err != nil {
		return err
	}
	var plans []m0011Plan
	if err := db.Table("ehc_plans").Select("id, first_issued_on").Find(&plans).Error; err != nil {
		return err
	}
	firstIssued := make(map[string]time.Time, len(plans))
	for _, p := range plans {
		firstIssued[p.ID] = m0011DateOf(p.FirstIssuedOn)
	}
	decided := map[string]map[int]time.Time{} // plan -> sequence -> decided_on
	for _, r := range reviews {
		if decided[r.PlanID] == nil {
			decided[r.PlanID] = map[int]time.Time{}
		}
		decided[r.PlanID][r.Sequence] = m0011DateOf(r.DecidedOn)
	}
	now := time.Now().UTC()
	for _, r := range reviews {
		base := firstIssued[r.PlanID]
		if r.Sequence > 1 {
			base = decided[r.PlanID][r.Sequence-1] // zero when there is no such review: left alone
		}
		due, changed := m0011LegacyReviewDueFix(base, parseDate(r.DueOn))
		if !changed {
			continue
		}
		if err := db.Exec(`UPDATE annual_reviews SET due_on = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			dateText(due), now, r.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

func m0011DateOf(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	return parseDate(*s)
}

// The rule below is a private copy of statutory.LegacyReviewDueFix (and of the date arithmetic
// under it) as it stood when 0011 shipped; ehcplan.Plan.CorrectedReviewDue and
// annualreview.Review.CorrectedDueOn apply the same rule to the domain's types. It is frozen on
// purpose: never change it, even when the law or the live rules change, because this migration
// must write on any database what it wrote when it shipped. Rows that need another rule get a new
// migration.

// m0011LegacyReviewDueFix: when stored equals base + 12 months (month-end clamped), the date
// OnePlan used to compute, it returns stored - 1 day and true; any other stored date, or a zero
// base or stored date, is returned unchanged with false.
func m0011LegacyReviewDueFix(base, stored time.Time) (time.Time, bool) {
	stored = m0011Civil(stored)
	if base.IsZero() || stored.IsZero() || !stored.Equal(m0011AddMonths(base, 12)) {
		return stored, false
	}
	y, m, d := stored.Date()
	return time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC), true
}

// m0011AddMonths is the civil date n calendar months after d, clamped to the target month's last
// day (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February).
func m0011AddMonths(d time.Time, n int) time.Time {
	y, m, day := m0011Civil(d).Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day(); day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// m0011Civil is t's calendar date as midnight UTC; the zero time stays zero.
func m0011Civil(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
