package store

import (
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"gorm.io/gorm"
)

type involvementRow struct {
	ID                 string
	YoungPersonID      string
	OrganisationID     string
	PractitionerID     *string
	Role               string
	StartedOn          string
	EndedOn            *string
	ConsentID          *string
	SafeguardingReason *string
	LawfulBasis        *string
	StatutoryDuty      *string
	ReviewNeeded       *string
	Notes              *string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

func (involvementRow) TableName() string { return "involvements" }

func optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := fromDate(*t)
	return &s
}

func toOptDate(s *string) *time.Time {
	if s == nil {
		return nil
	}
	t := toDate(*s)
	return &t
}

func toInvolvementRow(i sharing.Involvement) involvementRow {
	return involvementRow{ID: i.ID, YoungPersonID: i.YoungPersonID, OrganisationID: i.OrganisationID, PractitionerID: nullable(i.PractitionerID),
		Role: i.Role, StartedOn: fromDate(i.StartedOn), EndedOn: optDate(i.EndedOn), ConsentID: nullable(i.ConsentID),
		SafeguardingReason: nullable(i.SafeguardingReason), LawfulBasis: nullable(string(i.LawfulBasis)), StatutoryDuty: nullable(i.StatutoryDuty),
		ReviewNeeded: nullable(i.ReviewNeeded), Notes: nullable(i.Notes), CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Version: i.Version}
}

func (r involvementRow) toDomain() sharing.Involvement {
	return sharing.Involvement{ID: r.ID, YoungPersonID: r.YoungPersonID, OrganisationID: r.OrganisationID, PractitionerID: deref(r.PractitionerID),
		Role: r.Role, StartedOn: toDate(r.StartedOn), EndedOn: toOptDate(r.EndedOn), ConsentID: deref(r.ConsentID),
		SafeguardingReason: deref(r.SafeguardingReason), LawfulBasis: sharing.LawfulBasis(deref(r.LawfulBasis)), StatutoryDuty: deref(r.StatutoryDuty),
		ReviewNeeded: deref(r.ReviewNeeded), Notes: deref(r.Notes), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// CreateInvolvement inserts i.
// Join adds i unless an identical current involvement exists. On PostgreSQL it reads nothing:
// the involvement and its announcement are kept writes that each hold back when one exists, judged
// on the same snapshot in the unit's one statement, so they agree.
func (tx sharingRepo) Join(i sharing.Involvement, announce outbox.Event) error {
	if tx.batch != nil {
		return tx.joinBatched(i, announce)
	}
	on := fromDate(i.StartedOn)
	if !tx.deferWrites {
		var n int64
		q := tx.q().Model(&involvementRow{}).Where("young_person_id = ? AND organisation_id = ? AND role = ? AND started_on <= ? AND (ended_on IS NULL OR ended_on > ?)",
			i.YoungPersonID, i.OrganisationID, i.Role, on, on)
		if i.PractitionerID == "" {
			q = q.Where("practitioner_id IS NULL")
		} else {
			q = q.Where("practitioner_id = ?", i.PractitionerID)
		}
		if err := q.Count(&n).Error; err != nil || n > 0 {
			return translate(err)
		}
		if err := tx.CreateInvolvement(i); err != nil {
			return err
		}
		return (&Tx{tx.conn}).Publish(announce)
	}
	unless := func(vars int) (string, []any) {
		n := func(k int) string { return "$" + strconv.Itoa(vars+k) }
		return " WHERE NOT EXISTS (SELECT 1 FROM involvements x WHERE x.young_person_id = " + n(1) + " AND x.organisation_id = " + n(2) +
				" AND x.role = " + n(3) + " AND COALESCE(x.practitioner_id::text, '') = " + n(4) + " AND x.started_on <= " + n(5) +
				" AND (x.ended_on IS NULL OR x.ended_on > " + n(5) + "))",
			[]any{i.YoungPersonID, i.OrganisationID, i.Role, i.PractitionerID, on}
	}
	row := toInvolvementRow(i)
	if err := tx.keepRowUnless("involvements", involvementColumns, []any{row.ID, row.YoungPersonID, row.OrganisationID, row.PractitionerID,
		row.Role, row.StartedOn, row.EndedOn, row.ConsentID, row.SafeguardingReason, row.LawfulBasis, row.StatutoryDuty, row.ReviewNeeded,
		row.Notes, row.CreatedAt, row.UpdatedAt, row.Version}, unless, func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
		return translate(err)
	}
	out := toOutboxRow(announce)
	return translate(tx.keepRowUnless("outbox_events", outboxColumns, []any{out.ID, out.OccurredAt, out.EventType, out.RecordType, out.RecordID,
		out.Payload, out.PublishedAt, out.YoungPersonID, out.Seq}, unless, func(db *gorm.DB) *gorm.DB { return db.Create(&out) }))
}

// involvementColumns are involvementRow's columns, in its order.
var involvementColumns = []string{"id", "young_person_id", "organisation_id", "practitioner_id", "role", "started_on", "ended_on", "consent_id",
	"safeguarding_reason", "lawful_basis", "statutory_duty", "review_needed", "notes", "created_at", "updated_at", "version"}

func (tx sharingRepo) CreateInvolvement(i sharing.Involvement) error {
	row := toInvolvementRow(i)
	return translate(tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }))
}

// Involvement loads one involvement of a young person.
func (tx sharingRepo) Involvement(youngPersonID, id string) (sharing.Involvement, error) {
	row, err := get[involvementRow](tx.conn, "involvement", id)
	if err == nil && row.YoungPersonID != youngPersonID {
		err = fault.New(fault.NotFound, "No such involvement.")
	}
	return row.toDomain(), err
}

// UpdateInvolvement writes i if i.Version-1 is still current.
func (tx sharingRepo) UpdateInvolvement(i sharing.Involvement) error {
	row := toInvolvementRow(i)
	return updateVersioned(tx.conn, &row, "involvements", i.ID, i.Version-1)
}

// Involvements lists one page of a young person's team, newest first.
func (tx sharingRepo) Involvements(youngPersonID string, currentOn *time.Time, p paging.Page) ([]sharing.Involvement, string, error) {
	q := tx.q().Model(&involvementRow{}).Where("young_person_id = ?", youngPersonID)
	if currentOn != nil {
		on := fromDate(*currentOn)
		q = q.Where("started_on <= ? AND (ended_on IS NULL OR ended_on > ?)", on, on)
	}
	return listPage(q, "involvements", p, func(r involvementRow) string { return r.ID }, involvementRow.toDomain)
}

type consentRow struct {
	ID                string
	YoungPersonID     string
	GivenBy           string
	Relationship      string
	Scope             string
	OrganisationIDs   string `gorm:"column:organisation_ids"`
	OrganisationTypes string
	GivenOn           string
	WithdrawnOn       *string
	WithdrawnReason   *string
	Notes             *string
	RecordedByOrgID   *string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
}

func (consentRow) TableName() string { return "consents" }

func toConsentRow(c sharing.Consent) consentRow {
	ids, types := c.OrganisationIDs, c.OrganisationTypes
	if ids == nil {
		ids = []string{}
	}
	if types == nil {
		types = []string{}
	}
	return consentRow{ID: c.ID, YoungPersonID: c.YoungPersonID, GivenBy: c.GivenBy, Relationship: c.Relationship, Scope: c.Scope,
		OrganisationIDs: toJSON(ids), OrganisationTypes: toJSON(types), GivenOn: fromDate(c.GivenOn), WithdrawnOn: optDate(c.WithdrawnOn),
		WithdrawnReason: nullable(c.WithdrawnReason), Notes: nullable(c.Notes), RecordedByOrgID: nullable(c.RecordedByOrgID),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func (r consentRow) toDomain() sharing.Consent {
	return sharing.Consent{ID: r.ID, YoungPersonID: r.YoungPersonID, GivenBy: r.GivenBy, Relationship: r.Relationship, Scope: r.Scope,
		OrganisationIDs: fromJSON[[]string](&r.OrganisationIDs), OrganisationTypes: fromJSON[[]string](&r.OrganisationTypes),
		GivenOn: toDate(r.GivenOn), WithdrawnOn: toOptDate(r.WithdrawnOn), WithdrawnReason: deref(r.WithdrawnReason), Notes: deref(r.Notes),
		RecordedByOrgID: deref(r.RecordedByOrgID), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// CreateConsent inserts c.
func (tx sharingRepo) CreateConsent(c sharing.Consent) error {
	row := toConsentRow(c)
	return translate(tx.w().Create(&row).Error)
}

// Consent loads one consent of a young person.
func (tx sharingRepo) Consent(youngPersonID, id string) (sharing.Consent, error) {
	row, err := get[consentRow](tx.conn, "consent", id)
	if err == nil && row.YoungPersonID != youngPersonID {
		err = fault.New(fault.NotFound, "No such consent.")
	}
	return row.toDomain(), err
}

// UpdateConsent writes c if c.Version-1 is still current.
func (tx sharingRepo) UpdateConsent(c sharing.Consent) error {
	row := toConsentRow(c)
	return updateVersioned(tx.conn, &row, "consents", c.ID, c.Version-1)
}

// Consents lists every consent recorded for a young person, newest first. A child has few.
func (tx sharingRepo) Consents(youngPersonID string) ([]sharing.Consent, error) {
	var rows []consentRow
	if err := tx.q().Where("young_person_id = ?", youngPersonID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]sharing.Consent, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// RetentionDue lists young people born on or before bornBy (so past retention), oldest first by id.
func (tx peopleRepo) RetentionDue(bornBy time.Time, p paging.Page) ([]person.YoungPerson, string, error) {
	q := tx.q().Model(&youngPersonRow{}).Where("date_of_birth <= ?", fromDate(bornBy))
	return listPage(q, "young_people", p, func(r youngPersonRow) string { return r.ID }, youngPersonRow.toDomain)
}

// EraseYoungPerson deletes a young person and every record hanging off them. The audit trail,
// which holds ids only, is kept; so is the outbox.
func (tx peopleRepo) Erase(id string) error {
	// The records merged into this one go with it, and so do the pairs naming either.
	merged, err := tx.mergedIDs(id)
	if err != nil {
		return err
	}
	if err := tx.w().Exec("DELETE FROM possible_duplicates WHERE young_person_id IN ? OR other_young_person_id IN ?",
		append(merged, id), append(merged, id)).Error; err != nil {
		return translate(err)
	}
	// Children first, so no foreign key is ever left dangling.
	stmts := []string{
		"DELETE FROM merged_young_people WHERE merged_into = ?",
		// Transforming Care (issue 17): payments before budgets, budgets and placements before the
		// plans they name, reviews and ratings before their register entries.
		"DELETE FROM personal_budget_payments WHERE young_person_id = ?",
		"DELETE FROM personal_budgets WHERE young_person_id = ?",
		"DELETE FROM placements WHERE young_person_id = ?",
		"DELETE FROM care_treatment_reviews WHERE young_person_id = ?",
		"DELETE FROM support_register_ratings WHERE entry_id IN (SELECT id FROM support_register_entries WHERE young_person_id = ?)",
		"DELETE FROM support_register_entries WHERE young_person_id = ?",
		"DELETE FROM timeline_events WHERE young_person_id = ?",
		// The stored deadline worklist (migration 0024) is live data about the child, not a record of what was sent.
		"DELETE FROM deadline_worklist WHERE young_person_id = ?",
		"DELETE FROM deadline_worklist_stale WHERE young_person_id = ?",
		"DELETE FROM pathway_feedback WHERE young_person_id = ?",
		// Survey answers about the child go with them; anonymous responses hold no young person.
		"DELETE FROM survey_answers WHERE young_person_id = ?",
		"DELETE FROM survey_invitations WHERE young_person_id = ?",
		"DELETE FROM survey_responses WHERE young_person_id = ?",
		"DELETE FROM meeting_actions WHERE young_person_id = ?",
		"DELETE FROM meeting_participants WHERE meeting_id IN (SELECT id FROM meetings WHERE young_person_id = ?)",
		"DELETE FROM meetings WHERE young_person_id = ?",
		"UPDATE family_assessments SET previous_id = NULL WHERE young_person_id = ?",
		"DELETE FROM family_assessments WHERE young_person_id = ?",
		"DELETE FROM annual_reviews WHERE young_person_id = ?",
		// Other systems' identifiers for the child, their referrals and plans (migration 0040).
		"DELETE FROM external_ids WHERE record_type = 'young_person' AND record_id = ?",
		"DELETE FROM external_ids WHERE record_type = 'referral' AND record_id IN (SELECT id FROM referrals WHERE young_person_id = ?)",
		"DELETE FROM external_ids WHERE record_type = 'ehc_plan' AND record_id IN (SELECT id FROM ehc_plans WHERE young_person_id = ?)",
		"DELETE FROM ehc_plan_family_views WHERE young_person_id = ?",
		"DELETE FROM family_invitations WHERE young_person_id = ?",
		"DELETE FROM setting_consultations WHERE young_person_id = ?",
		"DELETE FROM reassessments WHERE young_person_id = ?",
		"DELETE FROM ehc_plan_versions WHERE plan_id IN (SELECT id FROM ehc_plans WHERE young_person_id = ?)",
		"DELETE FROM ehc_plans WHERE young_person_id = ?",
		"DELETE FROM adviser_invitations WHERE young_person_id = ?",
		"DELETE FROM ehc_advice WHERE young_person_id = ?",
		"DELETE FROM ehc_requests WHERE young_person_id = ?",
		"DELETE FROM disputes WHERE young_person_id = ?",
		"DELETE FROM documents WHERE young_person_id = ?",
		"DELETE FROM transition_plans WHERE young_person_id = ?",
		"DELETE FROM allocations WHERE referral_id IN (SELECT id FROM referrals WHERE young_person_id = ?)",
		"DELETE FROM referral_reasons WHERE referral_id IN (SELECT id FROM referrals WHERE young_person_id = ?)",
		"DELETE FROM referral_stages WHERE referral_id IN (SELECT id FROM referrals WHERE young_person_id = ?)",
		"DELETE FROM consents WHERE young_person_id = ?",
		"DELETE FROM involvements WHERE young_person_id = ?",
		"DELETE FROM referrals WHERE young_person_id = ?",
	}
	for _, stmt := range stmts {
		if err := tx.w().Exec(stmt, id).Error; err != nil {
			return translate(err)
		}
	}
	res := tx.w().Exec("DELETE FROM young_people WHERE id = ?", id)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return fault.New(fault.NotFound, "No such young person.")
	}
	return nil
}
