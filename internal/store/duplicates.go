package store

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/consultation"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/tcare"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// One child, one record: the identifiers that name a child, the possible duplicates found, and
// merging two records of one child.

// identifierColumns maps each identifier that names one child to its young_people column.
var identifierColumns = map[person.Identifier]string{person.ByNHSNumber: "nhs_number", person.ByUPN: "upn"}

// identifierLockClass is the first key of the PostgreSQL advisory locks on identifiers, so that
// they never collide with another use of advisory locks; identifiersLockClass's one lock stands
// for all of them together.
const (
	identifierLockClass  = 0x4f50_4944 // "OPID"
	identifiersLockClass = 0x4f50_4941 // "OPIA"
)

// LockIdentifiers takes, on PostgreSQL, a transaction-scoped advisory lock per identifier value,
// in one order, so that two transactions writing the same value run one after the other and the
// second sees the first's record; READ COMMITTED gives each later statement a fresh snapshot.
// Before them it takes the shared side of the one lock an import takes whole
// (LockAllIdentifiers), so that a write waits for an import and an import for the writes under
// way. SQLite needs none: its transactions begin IMMEDIATE, so one writer runs at a time.
func (tx peopleRepo) LockIdentifiers(claims []person.Claim) error {
	if tx.dialect != Postgres || tx.allIdentifiers {
		return nil
	}
	keys := make([]int32, 0, len(claims))
	for _, c := range claims {
		h := fnv.New32a()
		_, _ = h.Write([]byte(string(c.On) + ":" + c.Value))
		keys = append(keys, int32(h.Sum32())) //nolint:gosec // a hash folded into the lock's int4 key: wrapping is intended
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if len(keys) == 1 {
		return translate(tx.w().Exec("SELECT pg_advisory_xact_lock_shared(?, 0), pg_advisory_xact_lock(?, ?)",
			identifiersLockClass, identifierLockClass, keys[0]).Error)
	}
	if err := tx.w().Exec("SELECT pg_advisory_xact_lock_shared(?, 0)", identifiersLockClass).Error; err != nil {
		return translate(err)
	}
	// Many: one statement taking them in ascending order, as every writer does.
	arr := make([]string, len(keys))
	for i, k := range keys {
		arr[i] = strconv.Itoa(int(k))
	}
	return translate(tx.w().Exec("SELECT pg_advisory_xact_lock(?, k) FROM unnest(CAST(? AS int4[])) WITH ORDINALITY AS u(k, n) ORDER BY n",
		identifierLockClass, "{"+strings.Join(arr, ",")+"}").Error)
}

// LockAllIdentifiers takes, on PostgreSQL, the one lock that holds every identifier until the
// transaction ends (an import: a lock per value would fill PostgreSQL's lock table, sized by
// max_locks_per_transaction, after some thousands). It waits for the writes of identifiers under
// way and holds back the next until the import commits; this transaction's own LockIdentifiers
// then take nothing more. It is taken before anything else the transaction locks, so nothing
// waiting on it holds what it needs.
func (tx peopleRepo) LockAllIdentifiers() error {
	if tx.dialect != Postgres || tx.allIdentifiers {
		return nil
	}
	if err := tx.w().Exec("SELECT pg_advisory_xact_lock(?, 0)", identifiersLockClass).Error; err != nil {
		return translate(err)
	}
	tx.allIdentifiers = true
	return nil
}

// Holders lists the records within scope, other than except, holding any of claims: one query
// per identifier (an import's chunk asks for many values at once), in claims' order.
func (tx peopleRepo) Holders(claims []person.Claim, except string, s access.Scope) ([]person.Holder, error) {
	values := map[person.Identifier][]string{}
	for _, c := range claims {
		if _, ok := identifierColumns[c.On]; !ok {
			return nil, fmt.Errorf("holders: no column for identifier %q", c.On)
		}
		values[c.On] = append(values[c.On], c.Value)
	}
	held := map[person.Claim][]string{} // each value's holders, by id
	for on, vs := range values {
		col := identifierColumns[on]
		for len(vs) > 0 {
			part := vs[:min(len(vs), batchVars(tx.dialect))]
			vs = vs[len(part):]
			in, arg := inStrings(tx.dialect, "young_people."+col, part)
			q := visibleYoungPeople(tx.q().Model(&youngPersonRow{}).Where(in, arg), "young_people.id", s)
			if except != "" {
				q = q.Where("young_people.id <> ?", except)
			}
			var rows []struct{ ID, Value string }
			if err := q.Order("young_people.id").Select("young_people.id AS id, young_people." + col + " AS value").Scan(&rows).Error; err != nil {
				return nil, translate(err)
			}
			for _, r := range rows {
				c := person.Claim{On: on, Value: r.Value}
				held[c] = append(held[c], r.ID)
			}
		}
	}
	var out []person.Holder
	for _, c := range claims {
		for _, id := range held[c] {
			out = append(out, person.Holder{YoungPersonID: id, On: c.On})
		}
	}
	slices.SortStableFunc(out, func(a, b person.Holder) int {
		switch {
		case a.YoungPersonID < b.YoungPersonID:
			return -1
		case a.YoungPersonID > b.YoungPersonID:
			return 1
		}
		return 0
	})
	return out, nil
}

// linkedTable is a table holding a young person's id, and what a merge does with it.
type linkedTable struct {
	table string
	// recordType counts the rows moved under this type; "" for rows that belong to another
	// record and move with it (a referral's reasons, a response's answers).
	recordType string
	// version and updatedAt: the row carries a version (bumped, since what it shows changed) and
	// an updated_at (stamped).
	version, updatedAt bool
}

// linkedTables is every table that holds a young person's id, except the audit trail, which is
// never rewritten. A merge moves every row of each onto the kept record. A new table with a
// young_person_id column belongs here; TestMergeCoversEveryLinkedTable fails until it is.
var linkedTables = []linkedTable{
	{"referrals", audit.Referral, true, true},
	{"referral_reasons", "", false, false},
	{"referral_stages", "", false, false},
	{"family_assessments", audit.FamilyAssessment, true, true},
	{"meetings", audit.Meeting, true, true},
	{"meeting_actions", audit.Action, false, false},
	{"pathway_feedback", audit.PathwayFeedback, true, false},
	{"ehc_requests", ehc.RecordType, true, true},
	{"ehc_plans", ehcplan.RecordType, true, true},
	{"annual_reviews", annualreview.RecordType, true, true},
	{"disputes", dispute.RecordType, true, true},
	{"documents", document.RecordType, true, false},
	{"ehc_plan_family_views", "", false, false}, // move with their plan
	{"family_invitations", "", true, false},     // move with the child; not counted as records
	{"ehc_advice", advice.RecordType, true, true},
	{"adviser_invitations", "", true, true}, // move with their advice request; not counted as records
	{"setting_consultations", consultation.RecordType, true, true},
	{"reassessments", reassessment.RecordType, true, true},
	{"transition_plans", transition.RecordType, true, true},
	{"survey_responses", survey.RecordType, true, false},
	{"survey_answers", "", false, false},
	{"survey_invitations", survey.InvitationRecordType, true, false},
	{"involvements", audit.Involvement, true, true},
	{"consents", audit.Consent, true, true},
	{"timeline_events", "timeline_event", false, false},
	// Transforming Care (issue 17). Two open register entries cannot both move onto one record
	// (one open entry per young person): the merge is refused until one is closed.
	{"support_register_entries", tcare.RecordType, true, true},
	{"care_treatment_reviews", tcare.ReviewRecordType, true, true},
	{"placements", tcare.PlacementRecordType, true, true},
	{"personal_budgets", tcare.BudgetRecordType, true, true},
	{"personal_budget_payments", "", false, false},
	// A deadline warned of stays warned of once its child's records are merged.
	{"deadline_notices", "", false, false},
	// The stored worklist's rows move with their records; the kept child's are recomputed when the
	// merge's events mark them stale.
	{"deadline_worklist", "", false, false},
	{"deadline_worklist_stale", "", false, false},
	// Events follow the child, so the feed and webhooks judge them on the record kept.
	{"outbox_events", "", false, false},
}

// lockYoungPeople locks the rows of ids against every other writer until the transaction ends,
// in id order so two merges of the same pair cannot deadlock, and returns the ids still there.
// SQLite's IMMEDIATE transactions hold the whole database already.
func (tx conn) lockYoungPeople(ids ...string) ([]string, error) {
	q := "SELECT id FROM young_people WHERE id IN ? ORDER BY id"
	if tx.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var found []string
	// w: a locking read holds its locks only inside the transaction.
	err := tx.w().Raw(q, ids).Scan(&found).Error
	return found, translate(err)
}

// Merge moves every record linked to from onto into, keeps from as a snapshot merged into into,
// and removes it from young_people. Records merged into from before now name into.
func (tx peopleRepo) Merge(from, into string, at time.Time) (person.Moved, error) {
	if from == into {
		return nil, fault.New(fault.Unprocessable, "A record cannot be merged into itself.")
	}
	found, err := tx.lockYoungPeople(from, into)
	if err != nil {
		return nil, err
	}
	if len(found) != 2 {
		return nil, fault.New(fault.NotFound, "No such young person.")
	}
	row, err := get[youngPersonRow](tx.conn, "young person", from)
	if err != nil {
		return nil, err
	}
	moved := person.Moved{}
	for _, t := range linkedTables {
		set, args := "young_person_id = ?", []any{into}
		if t.version {
			set += ", version = version + 1"
		}
		if t.updatedAt {
			set += ", updated_at = ?"
			args = append(args, at.UTC())
		}
		res := tx.w().Exec("UPDATE "+t.table+" SET "+set+" WHERE young_person_id = ?", append(args, from)...)
		if res.Error != nil {
			return nil, fmt.Errorf("move %s: %w", t.table, translate(res.Error))
		}
		if t.recordType != "" {
			moved[t.recordType] += int(res.RowsAffected)
		}
	}
	if err := tx.w().Exec("UPDATE merged_young_people SET merged_into = ? WHERE merged_into = ?", into, from).Error; err != nil {
		return nil, translate(err)
	}
	snap := toSnapshot(row.toDomain())
	if err := tx.w().Exec("INSERT INTO merged_young_people (id, merged_into, merged_at, snapshot) VALUES (?, ?, ?, ?)",
		from, into, at.UTC(), toJSON(snap)).Error; err != nil {
		return nil, translate(err)
	}
	if err := tx.w().Exec("DELETE FROM young_people WHERE id = ?", from).Error; err != nil {
		// A table holding the child's id that linkedTables does not know still refers to it.
		return nil, translate(err)
	}
	return moved, nil
}

type mergedRow struct {
	ID         string
	MergedInto string
	MergedAt   time.Time
	Snapshot   string
}

func (mergedRow) TableName() string { return "merged_young_people" }

// MergedInto names the record id was merged into.
func (tx peopleRepo) MergedInto(id string) (string, error) {
	row, err := get[mergedRow](tx.conn, "young person", id)
	return row.MergedInto, err
}

// MergedFrom lists the records merged into id, oldest first.
func (tx peopleRepo) MergedFrom(id string) ([]person.Merged, error) {
	var rows []mergedRow
	if err := tx.q().Where("merged_into = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]person.Merged, len(rows))
	for i, r := range rows {
		out[i] = person.Merged{YoungPerson: fromJSON[youngPersonSnapshot](&r.Snapshot).toDomain(), MergedInto: r.MergedInto, MergedAt: r.MergedAt.UTC()}
	}
	return out, nil
}

// mergedIDs lists the records merged into id.
func (tx conn) mergedIDs(id string) ([]string, error) {
	var ids []string
	err := tx.q().Model(&mergedRow{}).Where("merged_into = ?", id).Order("id").Pluck("id", &ids).Error
	return ids, translate(err)
}

// youngPersonSnapshot is a merged-away record as kept in merged_young_people.snapshot. The JSON
// names are the stored format: change them only with a migration that rewrites the snapshots.
type youngPersonSnapshot struct {
	ID                 string                `json:"id"`
	GivenName          string                `json:"given_name"`
	FamilyName         string                `json:"family_name"`
	PreferredName      string                `json:"preferred_name,omitempty"`
	DateOfBirth        string                `json:"date_of_birth"`
	NHSNumber          string                `json:"nhs_number,omitempty"`
	UPN                string                `json:"upn,omitempty"`
	ULN                string                `json:"uln,omitempty"`
	UPNUnknown         string                `json:"upn_unknown,omitempty"`
	Gender             string                `json:"gender,omitempty"`
	Sex                string                `json:"sex,omitempty"`
	Ethnicity          string                `json:"ethnicity,omitempty"`
	Locality           string                `json:"locality,omitempty"`
	Postcode           string                `json:"postcode,omitempty"`
	PrimarySENNeed     string                `json:"primary_sen_need,omitempty"`
	EducationSettingID string                `json:"education_setting_id,omitempty"`
	Contacts           []person.Contact      `json:"contacts"`
	Communication      *person.Communication `json:"communication,omitempty"`
	RecordedByOrgID    string                `json:"recorded_by_org_id"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
	Version            int                   `json:"version"`
}

func toSnapshot(p person.YoungPerson) youngPersonSnapshot {
	return youngPersonSnapshot{ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, PreferredName: p.PreferredName,
		DateOfBirth: fromDate(p.DateOfBirth), NHSNumber: p.NHSNumber, UPN: p.UPN, ULN: p.ULN, UPNUnknown: p.UPNUnknown, Gender: p.Gender,
		Sex: p.Sex, Ethnicity: p.Ethnicity, Locality: p.Locality, Postcode: p.Postcode, PrimarySENNeed: p.PrimarySENNeed,
		EducationSettingID: p.EducationSettingID, Contacts: p.Contacts, Communication: p.Communication, RecordedByOrgID: p.RecordedByOrgID,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Version: p.Version}
}

func (s youngPersonSnapshot) toDomain() person.YoungPerson {
	return person.YoungPerson{ID: s.ID, GivenName: s.GivenName, FamilyName: s.FamilyName, PreferredName: s.PreferredName,
		DateOfBirth: toDate(s.DateOfBirth), NHSNumber: s.NHSNumber, UPN: s.UPN, ULN: s.ULN, UPNUnknown: s.UPNUnknown, Gender: s.Gender,
		Sex: s.Sex, Ethnicity: s.Ethnicity, Locality: s.Locality, Postcode: s.Postcode, PrimarySENNeed: s.PrimarySENNeed,
		EducationSettingID: s.EducationSettingID, Contacts: s.Contacts, Communication: s.Communication, RecordedByOrgID: s.RecordedByOrgID,
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(), Version: s.Version}
}

// Possible duplicates.

type duplicateRepo struct{ conn }

// Duplicates is the repository that keeps the possible duplicates for the SEND team.
func (tx *Tx) Duplicates() person.DuplicateRepository { return duplicateRepo{tx.conn} }

type duplicateRow struct {
	ID                 string
	YoungPersonID      string
	OtherYoungPersonID string
	MatchedOn          string
	FoundAt            time.Time
	Status             string
	ResolvedAt         *time.Time
	Reason             *string
	MergedInto         *string
	UpdatedAt          time.Time
	Version            int
}

func (duplicateRow) TableName() string { return "possible_duplicates" }

func toDuplicateRow(d person.Duplicate) duplicateRow {
	var resolved *time.Time
	if d.ResolvedAt != nil {
		at := d.ResolvedAt.UTC()
		resolved = &at
	}
	return duplicateRow{ID: d.ID, YoungPersonID: d.YoungPersonIDs[0], OtherYoungPersonID: d.YoungPersonIDs[1], MatchedOn: string(d.MatchedOn),
		FoundAt: d.FoundAt.UTC(), Status: string(d.Status), ResolvedAt: resolved, Reason: nullable(d.Reason), MergedInto: nullable(d.MergedInto),
		UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

func (r duplicateRow) toDomain() person.Duplicate {
	d := person.Duplicate{ID: r.ID, YoungPersonIDs: [2]string{r.YoungPersonID, r.OtherYoungPersonID}, MatchedOn: person.Identifier(r.MatchedOn),
		FoundAt: r.FoundAt.UTC(), Status: person.DuplicateStatus(r.Status), Reason: deref(r.Reason), MergedInto: deref(r.MergedInto),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.ResolvedAt != nil {
		at := r.ResolvedAt.UTC()
		d.ResolvedAt = &at
	}
	return d
}

// Record adds the pairs not yet recorded on their identifier and returns them.
func (tx duplicateRepo) Record(ds ...person.Duplicate) ([]person.Duplicate, error) {
	var added []person.Duplicate
	for _, d := range ds {
		r := toDuplicateRow(d)
		res := tx.w().Exec(`INSERT INTO possible_duplicates (id, young_person_id, other_young_person_id, matched_on, found_at, status,
			resolved_at, reason, merged_into, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (young_person_id, other_young_person_id, matched_on) DO NOTHING`,
			r.ID, r.YoungPersonID, r.OtherYoungPersonID, r.MatchedOn, r.FoundAt, r.Status, r.ResolvedAt, r.Reason, r.MergedInto, r.UpdatedAt, r.Version)
		if res.Error != nil {
			return nil, translate(res.Error)
		}
		if res.RowsAffected == 1 {
			added = append(added, d)
		}
	}
	return added, nil
}

// Get loads one possible duplicate.
func (tx duplicateRepo) Get(id string) (person.Duplicate, error) {
	var row duplicateRow
	err := tx.q().Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return person.Duplicate{}, fault.New(fault.NotFound, "No such possible duplicate.")
	}
	return row.toDomain(), translate(err)
}

// Update writes d if d.Version-1 is still current.
func (tx duplicateRepo) Update(d person.Duplicate) error {
	row := toDuplicateRow(d)
	return updateVersioned(tx.conn, &row, "possible_duplicates", d.ID, d.Version-1)
}

// List lists one page, newest first.
func (tx duplicateRepo) List(f person.DuplicateFilter, p paging.Page) ([]person.Duplicate, string, error) {
	q := tx.q().Model(&duplicateRow{})
	if f.Status != "" {
		q = q.Where("possible_duplicates.status = ?", string(f.Status))
	}
	if f.YoungPersonID != "" {
		q = q.Where("(possible_duplicates.young_person_id = ? OR possible_duplicates.other_young_person_id = ?)", f.YoungPersonID, f.YoungPersonID)
	}
	return listPage(q, "possible_duplicates", p, func(r duplicateRow) string { return r.ID }, duplicateRow.toDomain)
}
