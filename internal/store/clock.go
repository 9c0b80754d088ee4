package store

import (
	"slices"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

type clockNoticeRow struct {
	Key       string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (clockNoticeRow) TableName() string { return "clock_notices" }

// ClaimNotice records that the time-driven notice key has been sent and reports whether this
// call claimed it: each notice is sent once, however often the sweeper runs.
func (tx noticeRepo) Claim(key string, at time.Time) (bool, error) {
	res := tx.w().Clauses(clause.OnConflict{DoNothing: true}).Create(&clockNoticeRow{Key: key, CreatedAt: at})
	if res.Error != nil {
		return false, translate(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// EHCRequestsDecisionDue lists received requests whose (adjusted) decision date falls in
// [from, to].
func (tx ehcRequestRepo) DecisionDue(from, to time.Time) ([]ehc.Request, error) {
	var rows []ehcRequestRow
	if err := tx.q().Where("status = ? AND decision_due_on >= ? AND decision_due_on <= ?", string(ehc.Received), fromDate(from), fromDate(to)).
		Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]ehc.Request, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// ClaimAll claims the keys not claimed before, one statement per ownerChunk keys, and returns
// those it claimed. Keys go in sorted, so sweeps claiming at once queue behind each other on the
// same keys rather than deadlock; a key another sweep claimed first is skipped, not an error.
func (tx noticeRepo) ClaimAll(keys []string, at time.Time) (map[string]bool, error) {
	keys = slices.Sorted(slices.Values(keys))
	keys = slices.Compact(keys)
	out := map[string]bool{}
	for chunk := range slices.Chunk(keys, ownerChunk) {
		vals := make([]string, len(chunk))
		args := make([]any, 0, 2*len(chunk))
		for i, k := range chunk {
			vals[i] = "(?, ?)"
			args = append(args, k, at)
		}
		var got []string
		if err := tx.w().Raw("INSERT INTO clock_notices (key, created_at) VALUES "+strings.Join(vals, ", ")+
			" ON CONFLICT (key) DO NOTHING RETURNING key", args...).Scan(&got).Error; err != nil {
			return nil, translate(err)
		}
		for _, k := range got {
			out[k] = true
		}
	}
	return out, nil
}

// NoticesDue reads the requests that may owe the sweeper a notice (ehc.NoticeQuery), by the
// primary key in id order: each limit's test is the one ehc.Request.Deadlines makes, on the
// adjusted due day the row keeps, and a notice already claimed (its clock_notices key built here
// as the sweeper builds it) drops the request, so a sweep after the first reads only what changed
// rather than every request ever received. A limit met after AsOf counts as open, as Deadlines
// judges it.
func (tx ehcRequestRepo) NoticesDue(q ehc.NoticeQuery, after string, limit int) ([]ehc.Request, error) {
	today := fromDate(q.AsOf)
	open := []string{string(ehc.Received), string(ehc.Assessing), string(ehc.PlanDrafting)}
	unclaimed := func(prefix, name, col string) string {
		return `NOT EXISTS (SELECT 1 FROM clock_notices n WHERE n.key = '` + prefix + `' || ehc_requests.id || ':` + name + `:' || ehc_requests.` + col + `)`
	}
	// Each limit: still open on today, and passed (its missed notice unclaimed) or, with a lead,
	// within it (its due_soon notice unclaimed).
	decision := `((ehc_requests.decision IS NULL AND ehc_requests.status IN @open) OR ehc_requests.decided_on > @today)
		AND ehc_requests.decision_due_on < @today AND ` + unclaimed(ehc.KeyDeadlineMissed, "decision_to_assess", "decision_due_on")
	limitCond := func(name, col, openCond string, soon string) string {
		return `((` + openCond + `) AND ((ehc_requests.` + col + ` < @today AND ` + unclaimed(ehc.KeyDeadlineMissed, name, col) + `) OR
			(ehc_requests.` + col + ` >= @today AND ehc_requests.` + col + ` <= ` + soon + ` AND ` + unclaimed(ehc.KeyDeadlineDueSoon, name, col) + `)))`
	}
	noPlan := limitCond("no_plan_notice", "no_plan_notice_due_on",
		`(ehc_requests.issue_decision IS NULL AND ehc_requests.status IN @open) OR ehc_requests.issue_decided_on > @today`, "@no_plan_soon")
	final := limitCond("final_plan", "final_plan_due_on",
		`(ehc_requests.plan_issued_on IS NULL AND ehc_requests.status IN @open) OR ehc_requests.plan_issued_on > @today`, "@final_soon")
	db := tx.q().Model(&ehcRequestRow{}).Where("(("+decision+") OR "+noPlan+" OR "+final+")", map[string]any{"open": open, "today": today,
		"no_plan_soon": fromDate(statutory.AddDays(q.AsOf, q.NoPlanLead)), "final_soon": fromDate(statutory.AddDays(q.AsOf, q.FinalPlanLead))})
	if after != "" {
		db = db.Where("ehc_requests.id > ?", after)
	}
	var rows []ehcRequestRow
	if err := db.Order("ehc_requests.id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]ehc.Request, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
