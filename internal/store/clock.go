package store

import (
	"time"

	"gorm.io/gorm/clause"

	"github.com/oneplan-send/oneplan/internal/ehc"
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
