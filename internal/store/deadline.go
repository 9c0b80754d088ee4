package store

import (
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
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

// Claimed reads which of keys already have a notice of kind, in one query per ownerChunk keys:
// the sweep claims only the rest, so a sweep that finds nothing new writes nothing.
func (tx deadlineNoticeRepo) Claimed(kind deadline.Status, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(keys); start += ownerChunk {
		var got []string
		err := tx.q().Table("deadline_notices").Where("kind = ? AND notice_key IN ?", string(kind), keys[start:min(start+ownerChunk, len(keys))]).
			Pluck("notice_key", &got).Error
		if err != nil {
			return nil, translate(err)
		}
		for _, k := range got {
			out[k] = true
		}
	}
	return out, nil
}

// The stored worklist (deadline.Worklists): one row per open deadline, keyed by the deadline's key
// (record, clock, due day, part), which on PostgreSQL compares byte by byte (COLLATE "C") as Go
// compares it, so the keyset order is the one deadline.Sort gives.
type worklistRow struct {
	DeadlineKey   string `gorm:"primaryKey"`
	Clock         string
	RecordType    string
	RecordID      string
	YoungPersonID *string
	DueOn         string
	Part          string
	OwnerID       *string
	ChangedAt     *time.Time
}

func (worklistRow) TableName() string { return "deadline_worklist" }

func toWorklistRow(d deadline.Deadline) worklistRow {
	r := worklistRow{DeadlineKey: d.Key(), Clock: string(d.Clock), RecordType: d.RecordType, RecordID: d.RecordID,
		YoungPersonID: nullable(d.YoungPersonID), DueOn: fromDate(d.DueOn), Part: d.Part, OwnerID: nullable(d.Owner)}
	if !d.Changed.IsZero() {
		at := d.Changed.UTC()
		r.ChangedAt = &at
	}
	return r
}

func (r worklistRow) toDomain() deadline.Deadline {
	d := deadline.Deadline{Clock: deadline.Clock(r.Clock), RecordType: r.RecordType, RecordID: r.RecordID, YoungPersonID: deref(r.YoungPersonID),
		DueOn: toDate(r.DueOn), Part: r.Part, Owner: deref(r.OwnerID)}
	if r.ChangedAt != nil {
		d.Changed = r.ChangedAt.UTC()
	}
	return d
}

// same reports whether two rows say the same thing (times to the microsecond PostgreSQL keeps).
func (r worklistRow) same(o worklistRow) bool {
	at := func(t *time.Time) int64 {
		if t == nil {
			return -1
		}
		return t.UnixMicro()
	}
	return r.Clock == o.Clock && r.RecordType == o.RecordType && r.RecordID == o.RecordID && deref(r.YoungPersonID) == deref(o.YoungPersonID) &&
		r.DueOn == o.DueOn && r.Part == o.Part && deref(r.OwnerID) == deref(o.OwnerID) && at(r.ChangedAt) == at(o.ChangedAt)
}

type worklistStaleRow struct {
	ID            string `gorm:"primaryKey"`
	YoungPersonID string
	MarkedAt      time.Time
}

func (worklistStaleRow) TableName() string { return "deadline_worklist_stale" }

type worklistRepo struct{ conn }

// DeadlineWorklist is the stored worklist.
func (tx *Tx) DeadlineWorklist() deadline.Worklists { return worklistRepo{tx.conn} }

// Replace writes only the difference: the rows that went or changed are deleted, the new and
// changed ones inserted, each in key order (two refreshes that overlap lock rows in one order, so
// they queue rather than deadlock; an insert that meets a concurrent refresh's row takes its place).
func (tx worklistRepo) Replace(youngPeople []string, ds []deadline.Deadline) error {
	have := map[string]worklistRow{}
	read := func(q *gorm.DB) error {
		var rows []worklistRow
		if err := q.Find(&rows).Error; err != nil {
			return translate(err)
		}
		for _, r := range rows {
			have[r.DeadlineKey] = r
		}
		return nil
	}
	if youngPeople == nil {
		if err := read(tx.q()); err != nil {
			return err
		}
	} else {
		for start := 0; start < len(youngPeople); start += ownerChunk {
			if err := read(tx.q().Where("young_person_id IN ?", youngPeople[start:min(start+ownerChunk, len(youngPeople))])); err != nil {
				return err
			}
		}
	}
	want := map[string]worklistRow{}
	for _, d := range ds {
		r := toWorklistRow(d)
		if _, dup := want[r.DeadlineKey]; !dup {
			want[r.DeadlineKey] = r
		}
	}
	var gone []string
	for k, r := range have {
		if w, ok := want[k]; !ok || !w.same(r) {
			gone = append(gone, k)
		}
	}
	var add []worklistRow
	for k, w := range want {
		if r, ok := have[k]; !ok || !w.same(r) {
			add = append(add, w)
		}
	}
	sort.Strings(gone)
	sort.Slice(add, func(i, j int) bool { return add[i].DeadlineKey < add[j].DeadlineKey })
	for start := 0; start < len(gone); start += ownerChunk {
		if err := tx.w().Where("deadline_key IN ?", gone[start:min(start+ownerChunk, len(gone))]).Delete(&worklistRow{}).Error; err != nil {
			return translate(err)
		}
	}
	if youngPeople == nil {
		// Everyone's rows now say what this transaction sees, its own changes included: nothing
		// it changed needs marking stale.
		tx.touched = nil
	}
	if len(add) == 0 {
		return nil
	}
	return translate(tx.w().Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "deadline_key"}}, UpdateAll: true}).
		CreateInBatches(&add, 500).Error)
}

// Population reads up to limit young people's ids after the id after, in id order: the sweep's
// walk over everyone, a page of young people at a time.
func (tx worklistRepo) Population(after string, limit int) ([]string, error) {
	q := tx.q().Table("young_people").Order("id").Limit(limit)
	if after != "" {
		q = q.Where("id > ?", after)
	}
	var ids []string
	if err := q.Pluck("id", &ids).Error; err != nil {
		return nil, translate(err)
	}
	return ids, nil
}

// Prune deletes the stored deadlines of no young person on record (none is expected: a walk of
// the population replaces only the deadlines of young people it finds, so this keeps what a
// replacement of everyone's did).
func (tx worklistRepo) Prune() error {
	return translate(tx.w().Exec(`DELETE FROM deadline_worklist WHERE young_person_id IS NULL OR NOT EXISTS
		(SELECT 1 FROM young_people y WHERE y.id = deadline_worklist.young_person_id)`).Error)
}

// Stale reads the oldest marks first.
func (tx worklistRepo) Stale(limit int) ([]string, []string, error) {
	var rows []worklistStaleRow
	if err := tx.q().Order("marked_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, nil, translate(err)
	}
	marks, yps := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		marks[i], yps[i] = r.ID, r.YoungPersonID
	}
	return marks, yps, nil
}

// Refreshed deletes exactly the marks read: a mark made since, by a write the refresh may not
// have seen, stays for the next.
func (tx worklistRepo) Refreshed(marks []string) error {
	sort.Strings(marks)
	for start := 0; start < len(marks); start += ownerChunk {
		if err := tx.w().Where("id IN ?", marks[start:min(start+ownerChunk, len(marks))]).Delete(&worklistStaleRow{}).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

// markStale keeps, for the end of the transaction, one mark per young person whose records it
// changed (as its outbox events name them): a kept write, so on PostgreSQL it rides in the same
// statement as the rest and costs no round trip.
func (tx *Tx) markStale(youngPeople map[string]bool, at time.Time) error {
	ids := make([]string, 0, len(youngPeople))
	for yp := range youngPeople {
		ids = append(ids, yp)
	}
	sort.Strings(ids)
	mark := func() error {
		for _, yp := range ids {
			row := worklistStaleRow{ID: uuid.Must(uuid.NewV7()).String(), YoungPersonID: yp, MarkedAt: at}
			if err := tx.keepRow("deadline_worklist_stale", staleColumns, []any{row.ID, row.YoungPersonID, row.MarkedAt},
				func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
				return translate(err)
			}
		}
		return nil
	}
	if len(ids) < staleBatch {
		return mark()
	}
	// An import's thousands of marks: multi-row INSERTs, not a statement (or a CTE) each.
	return tx.Batch(mark)
}

// staleColumns are a worklist mark's columns, made once (see insertHead).
var staleColumns = []string{"id", "young_person_id", "marked_at"}

// staleBatch is how many marks a transaction writes as a batch (see Tx.Batch) rather than kept
// one by one.
const staleBatch = 50

// Page is the worklist's one query: the scope's young people, the filters, the status judged on
// q.AsOf against each clock's lead (as bound days, so no date arithmetic in SQL), and the keyset
// (due_on, deadline_key) after the cursor, read by the deadline_worklist_* indexes.
func (tx worklistRepo) Page(q deadline.Query, leads deadline.Leads, sc access.Scope, pg paging.Page) ([]deadline.Item, string, error) {
	const t = "deadline_worklist"
	db := visibleYoungPeople(tx.q().Table(t), t+".young_person_id", sc)
	asOf := statutory.Civil(q.AsOf)
	if q.Clock != "" {
		db = db.Where(t+".clock = ?", string(q.Clock))
	}
	if q.YoungPersonID != "" {
		db = db.Where(t+".young_person_id = ?", q.YoungPersonID)
	}
	if q.Owner != "" {
		db = db.Where(t+".owner_id = ?", q.Owner)
	}
	if !q.DueBefore.IsZero() {
		db = db.Where(t+".due_on <= ?", fromDate(statutory.Civil(q.DueBefore)))
	}
	if !q.UpdatedSince.IsZero() {
		db = db.Where(t+".changed_at >= ?", q.UpdatedSince.UTC())
	}
	if q.Status != "" {
		// due_soon: not yet passed and no later than the clock's lead from asOf; upcoming: later.
		var conds []string
		var args []any
		op := "<="
		if q.Status == deadline.Upcoming {
			op = ">"
		}
		for _, c := range deadline.Clocks {
			conds = append(conds, "("+t+".clock = ? AND "+t+".due_on "+op+" ?)")
			args = append(args, string(c.Clock), fromDate(statutory.AddDays(asOf, leads.Lead(c.Clock))))
		}
		switch q.Status {
		case deadline.Missed:
			db = db.Where(t+".due_on < ?", fromDate(asOf))
		default:
			db = db.Where(t+".due_on >= ?", fromDate(asOf)).Where("("+strings.Join(conds, " OR ")+")", args...)
		}
	}
	if pg.Cursor != "" {
		day, key, err := deadline.ParseCursor(pg.Cursor)
		if err != nil {
			return nil, "", err
		}
		// A row comparison, which both databases read as one range of the (due_on, deadline_key)
		// indexes; the equivalent OR of two conditions made PostgreSQL scan from the start.
		db = db.Where("("+t+".due_on, "+t+".deadline_key) > (?, ?)", fromDate(day), key)
	}
	size := pg.Size()
	var rows []worklistRow
	if err := db.Order(t + ".due_on, " + t + ".deadline_key").Limit(size + 1).Find(&rows).Error; err != nil {
		return nil, "", translate(err)
	}
	more := len(rows) > size
	if more {
		rows = rows[:size]
	}
	out := make([]deadline.Item, len(rows))
	for i, r := range rows {
		d := r.toDomain()
		lead := leads.Lead(d.Clock)
		out[i] = deadline.Item{Deadline: d, Status: d.StatusOn(asOf, lead), WarnFrom: statutory.AddDays(d.DueOn, -lead)}
	}
	if more && len(out) > 0 {
		return out, deadline.Cursor(out[len(out)-1].Deadline), nil
	}
	return out, "", nil
}
