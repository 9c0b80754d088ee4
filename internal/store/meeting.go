package store

import (
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Meetings.

type meetingRow struct {
	ID            string
	ReferralID    string
	YoungPersonID string
	Type          string
	HeldOn        string
	Attendees     string
	FamilySaid    *string
	Decisions     string
	MapDecision   *string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

func (meetingRow) TableName() string { return "meetings" }

// meetingReadRow is a meeting with its referral's date of receipt, which decides before_referral.
// The embedded row is a named, exported field: GORM skips unexported embedded types.
type meetingReadRow struct {
	Meeting            meetingRow `gorm:"embedded"`
	ReferralReceivedOn string
}

func toMeetingRow(m meeting.Meeting) meetingRow {
	attendees, decisions := m.Attendees, m.Decisions
	if attendees == nil {
		attendees = []meeting.Attendee{}
	}
	if decisions == nil {
		decisions = []string{}
	}
	return meetingRow{ID: m.ID, ReferralID: m.ReferralID, YoungPersonID: m.YoungPersonID, Type: m.Type, HeldOn: fromDate(m.HeldOn),
		Attendees: toJSON(attendees), FamilySaid: nullable(m.FamilySaid), Decisions: toJSON(decisions),
		MapDecision: toJSONOrNull(m.MapDecision, m.MapDecision == nil), CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Version: m.Version}
}

func (rr meetingReadRow) toDomain() meeting.Meeting {
	r := rr.Meeting
	held := toDate(r.HeldOn)
	return meeting.Meeting{ID: r.ID, ReferralID: r.ReferralID, YoungPersonID: r.YoungPersonID, Type: r.Type, HeldOn: held,
		BeforeReferral: held.Before(toDate(rr.ReferralReceivedOn)), Attendees: fromJSON[[]meeting.Attendee](&r.Attendees),
		FamilySaid: deref(r.FamilySaid), Decisions: fromJSON[[]string](&r.Decisions), MapDecision: fromJSON[*meeting.MapDecision](r.MapDecision),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// meetingsQuery selects meetings with their referral's date of receipt.
func (tx conn) meetingsQuery() *gorm.DB {
	return tx.q().Table("meetings").Select("meetings.*, referrals.received_on AS referral_received_on").
		Joins("JOIN referrals ON referrals.id = meetings.referral_id")
}

// CreateMeeting inserts m, the practitioners who took part in it and the actions agreed at it.
func (tx meetingRepo) Create(m meeting.Meeting) error {
	row := toMeetingRow(m)
	if err := tx.w().Create(&row).Error; err != nil {
		return translate(err)
	}
	for _, id := range participants(m) {
		if err := tx.keepParticipant(m.ID, id, ""); err != nil {
			return err
		}
	}
	for _, a := range m.Actions {
		ar := toActionRow(a)
		if err := tx.w().Create(&ar).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

// Meeting loads one meeting within scope, with its actions.
func (tx meetingRepo) Get(id string, s access.Scope) (meeting.Meeting, error) {
	var row meetingReadRow
	err := visibleYoungPeople(tx.meetingsQuery().Where("meetings.id = ?", id), "meetings.young_person_id", s).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return meeting.Meeting{}, fault.New(fault.NotFound, "No such meeting.")
	}
	if err != nil {
		return meeting.Meeting{}, translate(err)
	}
	out := []meeting.Meeting{row.toDomain()}
	if err := tx.withActions(out); err != nil {
		return meeting.Meeting{}, err
	}
	return out[0], nil
}

// UpdateMeeting writes m, and who took part in it, if m.Version-1 is still current. Its actions
// are not touched.
func (tx meetingRepo) Update(m meeting.Meeting) error {
	row := toMeetingRow(m)
	if err := updateVersioned(tx.conn, &row, "meetings", m.ID, m.Version-1); err != nil {
		return err
	}
	return tx.writeParticipants(m)
}

// Who took part in a meeting: meeting_participants holds one row per practitioner who took part
// (meeting.Attendee.Participated), written with the meeting, so that a panel member's reach
// (visibleConditionAs) reads it by practitioner rather than searching the attendees JSON, which
// could not tell an attendee who took part from one recorded as not taking part.

// participantColumns are a meeting_participants row's columns, in keepParticipant's order.
var participantColumns = []string{"meeting_id", "practitioner_id"}

// participants lists the practitioners who took part in m, each once.
func participants(m meeting.Meeting) []string {
	var out []string
	for _, a := range m.Attendees {
		if a.PractitionerID != "" && a.Participated() && !slices.Contains(out, a.PractitionerID) {
			out = append(out, a.PractitionerID)
		}
	}
	return out
}

// keepParticipant writes that practitionerID took part in the meeting meetingID, with the unit's
// other writes; tail is the insert's ON CONFLICT clause, if any.
func (tx conn) keepParticipant(meetingID, practitionerID, tail string) error {
	vals := []any{meetingID, practitionerID}
	switch {
	case tx.batch != nil:
		return tx.gatherRow(tx.insertHead("meeting_participants", participantColumns), tail, vals, "")
	case tx.deferWrites:
		tx.keepInsert("meeting_participants", participantColumns, vals, nil, tail)
		return nil
	}
	return translate(tx.later(func(db *gorm.DB) *gorm.DB {
		return db.Exec("INSERT INTO meeting_participants (meeting_id, practitioner_id) VALUES (?, ?)"+tail, vals...)
	}))
}

// writeParticipants makes m's participants what its attendees now say: the rows of practitioners
// no longer taking part go, and those taking part are added where missing. The two touch
// different rows, so both are kept for the unit's one statement on PostgreSQL (whose parts run in
// no set order) and are held back, with the rest, unless the meeting's versioned update succeeds.
func (tx conn) writeParticipants(m meeting.Meeting) error {
	ids := participants(m)
	if err := tx.later(func(db *gorm.DB) *gorm.DB {
		if len(ids) == 0 {
			return db.Exec("DELETE FROM meeting_participants WHERE meeting_id = ?", m.ID)
		}
		return db.Exec("DELETE FROM meeting_participants WHERE meeting_id = ? AND practitioner_id NOT IN ?", m.ID, ids)
	}); err != nil {
		return translate(err)
	}
	for _, id := range ids {
		if err := tx.keepParticipant(m.ID, id, " ON CONFLICT (meeting_id, practitioner_id) DO NOTHING"); err != nil {
			return err
		}
	}
	return nil
}

// Meetings lists one page within scope, newest first, each with its actions.
func (tx meetingRepo) List(f meeting.Filter, s access.Scope, p paging.Page) ([]meeting.Meeting, string, error) {
	q := visibleYoungPeople(tx.meetingsQuery(), "meetings.young_person_id", s)
	if f.ReferralID != "" {
		q = q.Where("meetings.referral_id = ?", f.ReferralID)
	}
	if f.YoungPersonID != "" {
		q = q.Where("meetings.young_person_id = ?", f.YoungPersonID)
	}
	if f.Type != "" {
		q = q.Where("meetings.type = ?", f.Type)
	}
	if f.HeldAfter != nil {
		q = q.Where("meetings.held_on >= ?", fromDate(*f.HeldAfter))
	}
	if f.HeldBefore != nil {
		q = q.Where("meetings.held_on < ?", fromDate(*f.HeldBefore))
	}
	out, next, err := listPage(q, "meetings", p, func(r meetingReadRow) string { return r.Meeting.ID }, meetingReadRow.toDomain)
	if err != nil {
		return nil, "", err
	}
	return out, next, tx.withActions(out)
}

// withActions fills in each meeting's actions, oldest first, in one query.
func (tx conn) withActions(ms []meeting.Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	var rows []actionRow
	if err := tx.q().Where("meeting_id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return translate(err)
	}
	byMeeting := map[string][]meeting.Action{}
	for _, r := range rows {
		byMeeting[r.MeetingID] = append(byMeeting[r.MeetingID], r.toDomain())
	}
	for i := range ms {
		ms[i].Actions = byMeeting[ms[i].ID]
	}
	return nil
}

// Actions agreed at meetings.

type actionRow struct {
	ID                        string
	MeetingID                 string
	ReferralID                string
	YoungPersonID             string
	What                      string
	OwnerPractitionerID       *string
	OwnerDescription          *string
	DueOn                     string
	Status                    string
	CompletedAt               *time.Time
	CompletedByPractitionerID *string
	CompletionNote            *string
}

func (actionRow) TableName() string { return "meeting_actions" }

func toActionRow(a meeting.Action) actionRow {
	return actionRow{ID: a.ID, MeetingID: a.MeetingID, ReferralID: a.ReferralID, YoungPersonID: a.YoungPersonID, What: a.What,
		OwnerPractitionerID: nullable(a.OwnerPractitionerID), OwnerDescription: nullable(a.OwnerDescription), DueOn: fromDate(a.DueOn),
		Status: a.Status, CompletedAt: a.CompletedAt, CompletedByPractitionerID: nullable(a.CompletedByPractitionerID),
		CompletionNote: nullable(a.CompletionNote)}
}

func (r actionRow) toDomain() meeting.Action {
	a := meeting.Action{ID: r.ID, MeetingID: r.MeetingID, ReferralID: r.ReferralID, YoungPersonID: r.YoungPersonID, What: r.What,
		OwnerPractitionerID: deref(r.OwnerPractitionerID), OwnerDescription: deref(r.OwnerDescription), DueOn: toDate(r.DueOn),
		Status: r.Status, CompletedByPractitionerID: deref(r.CompletedByPractitionerID), CompletionNote: deref(r.CompletionNote)}
	if r.CompletedAt != nil {
		t := r.CompletedAt.UTC()
		a.CompletedAt = &t
	}
	return a
}

// Action loads one action within scope.
func (tx meetingRepo) Action(id string, s access.Scope) (meeting.Action, error) {
	row, err := visibleByID[actionRow](tx.conn, "meeting_actions", id, s, "No such action.")
	if err != nil {
		return meeting.Action{}, err
	}
	return row.toDomain(), nil
}

// CompleteAction records a's completion if it is still open, so two completions racing each
// other cannot both succeed: the loser is told the action is done.
func (tx meetingRepo) CompleteAction(a meeting.Action) error {
	res := tx.w().Model(&actionRow{}).Where("id = ? AND status = ?", a.ID, meeting.Open).Updates(map[string]any{
		"status": a.Status, "completed_at": a.CompletedAt, "completed_by_practitioner_id": nullable(a.CompletedByPractitionerID),
		"completion_note": nullable(a.CompletionNote)})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return fault.StateConflict("This action is already done.", meeting.Done)
	}
	return nil
}

// Actions lists one page within scope, newest first.
func (tx meetingRepo) Actions(f meeting.ActionFilter, s access.Scope, p paging.Page) ([]meeting.Action, string, error) {
	q := visibleYoungPeople(tx.q().Model(&actionRow{}), "meeting_actions.young_person_id", s)
	if f.OwnerPractitionerID != "" {
		q = q.Where("meeting_actions.owner_practitioner_id = ?", f.OwnerPractitionerID)
	}
	if f.ReferralID != "" {
		q = q.Where("meeting_actions.referral_id = ?", f.ReferralID)
	}
	if f.Status != "" {
		q = q.Where("meeting_actions.status = ?", f.Status)
	}
	if f.Overdue != nil {
		today := fromDate(f.Today)
		if *f.Overdue {
			q = q.Where("meeting_actions.status = ? AND meeting_actions.due_on < ?", meeting.Open, today)
		} else {
			q = q.Where("(meeting_actions.status <> ? OR meeting_actions.due_on >= ?)", meeting.Open, today)
		}
	}
	return listPage(q, "meeting_actions", p, func(r actionRow) string { return r.ID }, actionRow.toDomain)
}
