package store

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/timeline"
)

// Timeline.

type timelineRow struct {
	ID            string
	YoungPersonID string
	ReferralID    *string
	OccurredOn    string
	RecordedAt    time.Time
	Kind          string
	RecordType    string
	RecordID      string
	Summary       string
}

func (timelineRow) TableName() string { return "timeline_events" }

// AddTimeline records events on children's timelines.
func (tx *Tx) AddTimeline(events ...timeline.Event) error {
	for _, e := range events {
		row := timelineRow{ID: e.ID, YoungPersonID: e.YoungPersonID, ReferralID: nullable(e.ReferralID), OccurredOn: fromDate(e.OccurredOn),
			RecordedAt: e.RecordedAt, Kind: e.Kind, RecordType: e.RecordType, RecordID: e.RecordID, Summary: e.Summary}
		if err := tx.keepRow("timeline_events", timelineColumns, []any{row.ID, row.YoungPersonID, row.ReferralID, row.OccurredOn, row.RecordedAt,
			row.Kind, row.RecordType, row.RecordID, row.Summary}, func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
			return translate(err)
		}
	}
	return nil
}

// timelineColumns are timelineRow's columns, in its order.
var timelineColumns = []string{"id", "young_person_id", "referral_id", "occurred_on", "recorded_at", "kind", "record_type", "record_id", "summary"}

// Timeline lists one page of a child's events, oldest first by the day they happened. The keyset
// is (occurred_on, id), so events recorded late still sort where they belong.
func (tx timelineRepo) Page(youngPersonID string, p paging.Page) ([]timeline.Event, string, error) {
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	q := tx.q().Model(&timelineRow{}).Where("young_person_id = ?", youngPersonID)
	if p.Cursor != "" {
		day, id, err := decodeTimelineCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("(occurred_on > ? OR (occurred_on = ? AND id > ?))", day, day, id)
	}
	var rows []timelineRow
	if err := q.Order("occurred_on, id").Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		last := rows[len(rows)-1]
		next = base64.RawURLEncoding.EncodeToString([]byte("t1:" + last.OccurredOn + "/" + last.ID))
	}
	out := make([]timeline.Event, len(rows))
	for i, r := range rows {
		out[i] = timeline.Event{ID: r.ID, YoungPersonID: r.YoungPersonID, ReferralID: deref(r.ReferralID), OccurredOn: toDate(r.OccurredOn),
			RecordedAt: r.RecordedAt.UTC(), Kind: r.Kind, RecordType: r.RecordType, RecordID: r.RecordID, Summary: r.Summary}
	}
	return out, next, nil
}

func decodeTimelineCursor(c string) (day, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	bad := fault.Field(fault.Invalid, "/query/cursor", "is not a cursor this API issued")
	if err != nil || !strings.HasPrefix(string(b), "t1:") {
		return "", "", bad
	}
	day, id, ok := strings.Cut(string(b[3:]), "/")
	if _, perr := time.Parse(dateLayout, day); !ok || perr != nil || !uuidPattern.MatchString(id) {
		return "", "", bad
	}
	return day, id, nil
}

// Allocations.

type allocationRow struct {
	ID             string
	ReferralID     string
	PractitionerID string
	OrganisationID string
	Reason         string
	MeetingID      *string
	StartedAt      time.Time
	EndedAt        *time.Time
}

func (allocationRow) TableName() string { return "allocations" }

// Allocate ends the referral's active allocation, if any, and starts a. The partial unique index
// allows one active allocation per referral, so two concurrent allocations cannot both succeed.
func (tx referralRepo) Allocate(a referral.Allocation) error {
	if err := tx.w().Model(&allocationRow{}).Where("referral_id = ? AND ended_at IS NULL", a.ReferralID).
		Update("ended_at", a.StartedAt).Error; err != nil {
		return translate(err)
	}
	row := allocationRow{ID: a.ID, ReferralID: a.ReferralID, PractitionerID: a.PractitionerID, OrganisationID: a.OrganisationID,
		Reason: a.Reason, MeetingID: nullable(a.MeetingID), StartedAt: a.StartedAt}
	err := translate(tx.w().Create(&row).Error)
	if errors.Is(err, fault.ErrConflict) {
		return fault.New(fault.Conflict, "Another allocation of this referral was made at the same time; read it and try again.")
	}
	return err
}

// Allocations lists a referral's allocations, newest first.
func (tx referralRepo) Allocations(referralID string) ([]referral.Allocation, error) {
	var rows []allocationRow
	if err := tx.q().Where("referral_id = ?", referralID).Order("id DESC").Find(&rows).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, translate(err)
	}
	out := make([]referral.Allocation, len(rows))
	for i, r := range rows {
		out[i] = referral.Allocation{ID: r.ID, ReferralID: r.ReferralID, PractitionerID: r.PractitionerID, OrganisationID: r.OrganisationID,
			Reason: r.Reason, MeetingID: deref(r.MeetingID), StartedAt: r.StartedAt.UTC(), EndedAt: r.EndedAt}
		if r.EndedAt != nil {
			t := r.EndedAt.UTC()
			out[i].EndedAt = &t
		}
	}
	return out, nil
}
