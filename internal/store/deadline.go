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

type deadlineOwnerRepo struct{ conn }

// DeadlineOwners finds the engagement leads who own deadlines.
func (tx *Tx) DeadlineOwners() deadline.Owners { return deadlineOwnerRepo{tx.conn} }

// ownerChunk bounds the ids in one IN list (SQLite's limit on bound parameters).
const ownerChunk = 500

// Leads reads the engagement lead of each named referral, and of each young person's latest
// referral (by day received, then id) that has one.
func (tx deadlineOwnerRepo) Leads(referralIDs, youngPersonIDs []string) (map[string]string, map[string]string, error) {
	type leadRow struct {
		ID, YoungPersonID, EngagementLeadID, ReceivedOn string
	}
	read := func(col string, ids []string, each func(leadRow)) error {
		for start := 0; start < len(ids); start += ownerChunk {
			var rows []leadRow
			err := tx.q().Table("referrals").Select("id, young_person_id, engagement_lead_id, received_on").
				Where("engagement_lead_id IS NOT NULL AND "+col+" IN ?", ids[start:min(start+ownerChunk, len(ids))]).
				Order("received_on, id").Scan(&rows).Error
			if err != nil {
				return translate(err)
			}
			for _, r := range rows {
				each(r)
			}
		}
		return nil
	}
	byReferral, byYoungPerson := map[string]string{}, map[string]string{}
	if err := read("id", referralIDs, func(r leadRow) { byReferral[r.ID] = r.EngagementLeadID }); err != nil {
		return nil, nil, err
	}
	// In order received, so the latest referral's lead is the one left.
	if err := read("young_person_id", youngPersonIDs, func(r leadRow) { byYoungPerson[r.YoungPersonID] = r.EngagementLeadID }); err != nil {
		return nil, nil, err
	}
	return byReferral, byYoungPerson, nil
}

// YoungPeopleOf reads the young people with a referral led by practitionerID (by the
// referrals_engagement_lead index) or an advice request naming them (ehc_advice_practitioner).
func (tx deadlineOwnerRepo) YoungPeopleOf(practitionerID string) ([]string, error) {
	var ids []string
	err := tx.q().Raw(`SELECT young_person_id FROM referrals WHERE engagement_lead_id = ?
		UNION SELECT young_person_id FROM ehc_advice WHERE practitioner_id = ?`, practitionerID, practitionerID).Scan(&ids).Error
	return ids, translate(err)
}
