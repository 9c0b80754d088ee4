package store

import (
	"time"

	"gorm.io/gorm/clause"

	"github.com/oneplan-send/oneplan/internal/deadline"
)

type deadlineNoticeRow struct {
	ID            string `gorm:"primaryKey"`
	NoticeKey     string
	Kind          string
	Clock         string
	RecordType    string
	RecordID      string
	YoungPersonID *string
	DueOn         string
	EventID       string
	SentAt        time.Time
}

func (deadlineNoticeRow) TableName() string { return "deadline_notices" }

type deadlineNoticeRepo struct{ conn }

// DeadlineNotices is the record of deadline warnings sent.
func (tx *Tx) DeadlineNotices() deadline.Notices { return deadlineNoticeRepo{tx.conn} }

// Claim inserts the notice unless its (key, kind) is there: on PostgreSQL a concurrent sweep's
// insert of the same key waits for this one's commit and then inserts nothing.
func (tx deadlineNoticeRepo) Claim(n deadline.Notice) (bool, error) {
	d := n.Deadline
	row := deadlineNoticeRow{ID: n.ID, NoticeKey: d.Key(), Kind: string(n.Kind), Clock: string(d.Clock), RecordType: d.RecordType,
		RecordID: d.RecordID, YoungPersonID: nullable(d.YoungPersonID), DueOn: fromDate(d.DueOn), EventID: n.EventID, SentAt: n.SentAt}
	res := tx.w().Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "notice_key"}, {Name: "kind"}}, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, translate(res.Error)
	}
	return res.RowsAffected == 1, nil
}
