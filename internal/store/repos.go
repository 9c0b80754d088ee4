package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/report"
)

// get loads one row by id, or a NotFound naming what.
func get[R any](tx conn, what, id string) (R, error) {
	var row R
	err := tx.q().Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, fault.New(fault.NotFound, "No such "+what+".")
	}
	return row, translate(err)
}

// updateVersioned writes row if its stored version is still version, so a concurrent change is
// never overwritten: the loser gets a stale-precondition error naming the current version.
func updateVersioned(tx conn, row any, table, id string, version int) error {
	// UpdateColumns, not Updates: the caller's updated_at stands (GORM would stamp its own clock).
	update := func(db *gorm.DB) *gorm.DB {
		return db.Table(table).Where("id = ? AND version = ?", id, version).Select("*").Omit("id", "created_at").UpdateColumns(row)
	}
	if tx.deferWrites {
		// Sent with the rest of the unit's writes, which happen only if it finds the version.
		return tx.laterGuard(table, id, update)
	}
	res := tx.w().Table(table).Where("id = ? AND version = ?", id, version).Select("*").Omit("id", "created_at").UpdateColumns(row)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var current int
	err := tx.q().Table(table).Where("id = ?", id).Select("version").Row().Scan(&current)
	if err != nil {
		return fault.New(fault.NotFound, "No such record.")
	}
	return fault.Stale(current)
}

// key is the case-folded form kept in *_key and search_name columns. Folding happens in Go
// because SQLite's LOWER() folds ASCII letters only.
func key(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// localityKey is a locality as the *_locality_key columns keep it: the report package's rule,
// which its disclosure control (report.Localities) matches the council's localities by.
var localityKey = report.LocalityKey

func like(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(key(q)) + "%"
}

// Organisations.

// CreateOrganisation inserts o.
func (tx directoryRepo) CreateOrganisation(o directory.Organisation) error {
	row := toOrganisationRow(o)
	return translate(tx.w().Create(&row).Error)
}

// Organisation loads one organisation.
func (tx directoryRepo) Organisation(id string) (directory.Organisation, error) {
	row, err := get[organisationRow](tx.conn, "organisation", id)
	return row.toDomain(), err
}

// UpdateOrganisation writes o if o.Version-1 is still current.
func (tx directoryRepo) UpdateOrganisation(o directory.Organisation) error {
	row := toOrganisationRow(o)
	return updateVersioned(tx.conn, &row, "organisations", o.ID, o.Version-1)
}

// organisationCodes are the columns of the codes CodeHolder may look for, by field.
var organisationCodes = map[string]string{"urn": "urn", "ukprn": "ukprn", "ods_code": "ods_code"}

// CodeHolder finds an organisation other than except holding one of codes.
func (tx directoryRepo) CodeHolder(codes []directory.Code, except string) (directory.Code, string, error) {
	conds := make([]string, 0, len(codes))
	args := make([]any, 0, len(codes))
	for _, c := range codes {
		col, ok := organisationCodes[c.Field]
		if !ok {
			return directory.Code{}, "", fmt.Errorf("store: no organisation code %q", c.Field)
		}
		conds, args = append(conds, col+" = ?"), append(args, c.Value)
	}
	var rows []organisationRow
	if len(conds) > 0 {
		if err := tx.q().Select("id", "urn", "ukprn", "ods_code").Where("("+strings.Join(conds, " OR ")+")", args...).
			Where("id <> ?", except).Limit(len(codes)).Find(&rows).Error; err != nil {
			return directory.Code{}, "", translate(err)
		}
	}
	for _, c := range codes {
		for _, r := range rows {
			if slices.Contains(r.toDomain().Codes(), c) {
				return c, r.ID, nil
			}
		}
	}
	return directory.Code{}, "", fault.New(fault.NotFound, "No such record.")
}

// Organisations lists one page.
func (tx directoryRepo) Organisations(f directory.OrganisationFilter, p paging.Page) ([]directory.Organisation, string, error) {
	q := tx.q().Model(&organisationRow{})
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.Locality != "" {
		q = q.Where("locality_key = ?", localityKey(f.Locality))
	}
	if f.Query != "" {
		q = q.Where(`search_name LIKE ? ESCAPE '\'`, like(f.Query))
	}
	if f.ExternalID != nil {
		q = q.Where("id IN (SELECT x.record_id FROM external_ids x WHERE x.record_type = 'organisation' AND x.system = ? AND x.value = ?)",
			f.ExternalID.System, f.ExternalID.Value)
	}
	return listPage(q, "organisations", p, func(r organisationRow) string { return r.ID }, organisationRow.toDomain)
}

// Practitioners.

// CreatePractitioner inserts p.
func (tx directoryRepo) CreatePractitioner(p directory.Practitioner) error {
	row := toPractitionerRow(p)
	return translate(tx.w().Create(&row).Error)
}

// Practitioner loads one practitioner.
func (tx directoryRepo) Practitioner(id string) (directory.Practitioner, error) {
	row, err := get[practitionerRow](tx.conn, "practitioner", id)
	return row.toDomain(), err
}

// UpdatePractitioner writes p if p.Version-1 is still current.
func (tx directoryRepo) UpdatePractitioner(p directory.Practitioner) error {
	row := toPractitionerRow(p)
	if err := updateVersioned(tx.conn, &row, "practitioners", p.ID, p.Version-1); err != nil {
		return err
	}
	// Every replica checks sign-in tokens naming practitioners against the directory again
	// (keys.Service.SignedIn) when this commits: one made inactive or moved loses access at once.
	return translate(notify(tx.conn, KeysChannel, auth.SignInsChanged))
}

// Practitioners lists one page.
func (tx directoryRepo) Practitioners(f directory.PractitionerFilter, p paging.Page) ([]directory.Practitioner, string, error) {
	q := tx.q().Model(&practitionerRow{})
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.Query != "" {
		q = q.Where(`search_name LIKE ? ESCAPE '\'`, like(f.Query))
	}
	return listPage(q, "practitioners", p, func(r practitionerRow) string { return r.ID }, practitionerRow.toDomain)
}

// PractitionerByEmail finds the practitioner registered with email (stored in lower case).
func (tx directoryRepo) PractitionerByEmail(email string) (directory.Practitioner, error) {
	var rows []practitionerRow
	if err := tx.q().Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Limit(1).Find(&rows).Error; err != nil {
		return directory.Practitioner{}, translate(err)
	}
	if len(rows) == 0 {
		return directory.Practitioner{}, fault.ErrNotFound
	}
	return rows[0].toDomain(), nil
}

// Young people.

// visibleByID reads the row of table with id when its young person is within scope; a row out of
// scope is as absent as one that does not exist (404 with notFound, never 403).
func visibleByID[R any](tx conn, table, id string, s access.Scope, notFound string) (R, error) {
	var row R
	err := visibleYoungPeople(tx.q().Where(table+".id = ?", id), table+".young_person_id", s).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, fault.New(fault.NotFound, notFound)
	}
	return row, translate(err)
}

// visibleYoungPeople restricts q (whose young-person id column is col) to the scope.
func visibleYoungPeople(q *gorm.DB, col string, s access.Scope) *gorm.DB {
	switch {
	case s.Only == nil:
	case len(s.Only) == 0:
		q = q.Where("1 = 0")
	default:
		q = q.Where(col+" IN ?", s.Only)
	}
	if !s.Restricted {
		return q
	}
	cond, args := visibleCondition(col, s)
	return q.Where(cond, args...)
}

// seesAll reports whether visibleYoungPeople adds nothing for s: it reaches every record.
func seesAll(s access.Scope) bool { return s.Only == nil && !s.Restricted }

// visibleCondition is the condition visibleYoungPeople applies, for a caller that combines it
// with others (s must be restricted).
func visibleCondition(col string, s access.Scope) (string, []any) {
	return visibleConditionAs(col, s, false)
}

// visibleConditionAs is visibleCondition with the team's children read as an array first
// (PostgreSQL only) when asArray; see listQuery.visible.
func visibleConditionAs(col string, s access.Scope, asArray bool) (string, []any) {
	var conds []string
	var args []any
	on := fromDate(s.On)
	if s.OrganisationID != "" || s.PractitionerID != "" {
		ways := []struct{ col, id string }{{"organisation_id", s.OrganisationID}, {"practitioner_id", s.PractitionerID}}
		var teams []string
		for _, who := range ways {
			if who.id != "" {
				teams = append(teams, `SELECT i.young_person_id FROM involvements i WHERE i.`+who.col+` = ? AND i.started_on <= ? AND (i.ended_on IS NULL OR i.ended_on > ?)`)
				args = append(args, who.id, on, on)
			}
		}
		if asArray {
			// The array is read once, so one index-only read per way in, not "organisation OR
			// practitioner": that joined both indexes' matches as a bitmap and so read every
			// involvement's row (a school's 2,000 children at a million referrals: 2,040 table
			// pages, where each index holds the dates and answers from 40).
			conds = append(conds, col+` = ANY(ARRAY(`+strings.Join(teams, " UNION ALL ")+`))`)
		} else {
			// As a semi-join the union misleads the planner (a nested loop testing each worklist
			// row against the whole team: seconds), so the subquery stays one statement.
			who := "i.organisation_id = ?"
			args = []any{s.OrganisationID}
			switch {
			case s.OrganisationID == "":
				who, args = "i.practitioner_id = ?", []any{s.PractitionerID}
			case s.PractitionerID != "":
				who, args = "(i.organisation_id = ? OR i.practitioner_id = ?)", []any{s.OrganisationID, s.PractitionerID}
			}
			conds = append(conds, col+` IN (SELECT i.young_person_id FROM involvements i WHERE `+who+` AND i.started_on <= ? AND (i.ended_on IS NULL OR i.ended_on > ?))`)
			args = append(args, on, on)
		}
	}
	if len(s.YoungPersonIDs) > 0 {
		conds = append(conds, col+" IN ?")
		args = append(args, s.YoungPersonIDs)
	}
	if s.PanelPractitionerID != "" {
		// Only a member who took part in the panel (meeting_participants, written with each
		// meeting), not one listed as not taking part; read down its (practitioner_id) index.
		conds = append(conds, col+` IN (SELECT m.young_person_id FROM meeting_participants mp JOIN meetings m ON m.id = mp.meeting_id
			WHERE mp.practitioner_id = ? AND m.type = 'map')`)
		args = append(args, s.PanelPractitionerID)
	}
	if len(conds) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// CreateYoungPerson inserts p.
func (tx peopleRepo) Create(p person.YoungPerson) error {
	row := toYoungPersonRow(p)
	// Kept with the unit's other writes: nothing reads it back before they are sent.
	return translate(tx.laterRow("", &row))
}

// YoungPerson loads one young person within scope.
func (tx peopleRepo) Get(id string, s access.Scope) (person.YoungPerson, error) {
	var row youngPersonRow
	err := tx.takeAudited(visibleYoungPeople(tx.q().Where("young_people.id = ?", id), "young_people.id", s), &row, "id")
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return person.YoungPerson{}, fault.New(fault.NotFound, "No such young person.")
	}
	return row.toDomain(), translate(err)
}

// GetAll reads the records of ids within scope, by id, a parameter-limit's worth per query.
func (tx peopleRepo) GetAll(ids []string, s access.Scope) (map[string]person.YoungPerson, error) {
	out := make(map[string]person.YoungPerson, len(ids))
	for part := range slices.Chunk(ids, batchVars(tx.dialect)) {
		var rows []youngPersonRow
		in, arg := inStrings(tx.dialect, "young_people.id", part)
		if err := visibleYoungPeople(tx.q().Where(in, arg), "young_people.id", s).Find(&rows).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			out[r.ID] = r.toDomain()
		}
	}
	return out, nil
}

// UpdateYoungPerson writes p if p.Version-1 is still current.
func (tx peopleRepo) Update(p person.YoungPerson) error {
	row := toYoungPersonRow(p)
	return updateVersioned(tx.conn, &row, "young_people", p.ID, p.Version-1)
}

// YoungPeople lists one page within scope.
func (tx peopleRepo) List(f person.Filter, s access.Scope, p paging.Page) ([]person.YoungPerson, string, error) {
	q := listQuery{table: "young_people"}
	cursor := func(r youngPersonWithIDs) string { return EncodeCursor(r.ID) }
	if !p.UpdatedSince.IsZero() {
		// Changes since an instant, ordered by the change (see pageOrder).
		q.order = &updatedOrder
		cursor = func(r youngPersonWithIDs) string {
			return encodeOrderedCursor(updatedOrder.name, r.ID, instantText(r.UpdatedAt))
		}
	}
	q.visible("young_people.id", s, tx.dialect)
	if f.Query != "" {
		q.where(`(young_people.search_name LIKE ? ESCAPE '\' OR young_people.nhs_number = ? OR young_people.upn = ?)`,
			like(f.Query), f.Query, strings.ToUpper(f.Query))
	}
	if f.Locality != "" {
		q.where("young_people.locality_key = ?", localityKey(f.Locality))
	}
	if f.PrimarySENNeed != "" {
		q.where("young_people.primary_sen_need = ?", f.PrimarySENNeed)
	}
	if f.NHSNumber != "" {
		q.where("young_people.nhs_number = ?", f.NHSNumber)
	}
	if f.DateOfBirth != nil {
		q.where("young_people.date_of_birth = ?", fromDate(*f.DateOfBirth))
	}
	if f.EducationSettingID != "" {
		q.where("young_people.education_setting_id = ?", f.EducationSettingID)
	}
	if f.ExternalID != nil {
		q.where("young_people.id IN (SELECT x.record_id FROM external_ids x WHERE x.record_type = 'young_person' AND x.system = ? AND x.value = ?)",
			f.ExternalID.System, f.ExternalID.Value)
	}
	var err error
	if p.Cursor, err = q.cursorInOrder(tx.conn, p.Cursor); err != nil {
		return nil, "", err
	}
	// As the referrals' page: one statement for the page, its audit event and its external ids.
	o := pageOf[youngPersonWithIDs]{table: "young_people", recordType: audit.YoungPerson, cols: youngPersonColumns,
		ypCol: "young_people.id", fields: func(r *youngPersonWithIDs, dst []any) []any { return r.appendFields(dst) }}
	inline := tx.inlinesExternalIDs()
	if inline {
		o.extType, o.extIDs = externalid.YoungPerson, func(r *youngPersonWithIDs) **string { return &r.ids }
		if tx.inlinedIDs == nil {
			tx.inlinedIDs = make(map[inlineKey][]externalid.ID, pageLimit(p)+1)
		}
	}
	return scanAuditedPage(tx.conn, q, o, p, cursor,
		func(r youngPersonWithIDs) person.YoungPerson {
			if inline {
				tx.keepInlined(externalid.YoungPerson, r.ID, r.ids)
			}
			return r.toDomain()
		})
}

// youngPersonWithIDs is a young person's row with their external identifiers (externalIDsOf).
type youngPersonWithIDs struct {
	youngPersonRow
	ids *string
}

// Referrals.

// CreateReferral inserts r.
func (tx referralRepo) Create(r referral.Referral) error {
	row := toReferralRow(r)
	if err := tx.keepRow("referrals", referralInsertColumns, []any{row.ID, row.Reference, row.Status, row.YoungPersonID,
		row.ReferrerPractitionerID, row.ReferrerOrganisationID, row.Reasons, row.MainReason, row.ServicesInvolved, row.ServicesCount,
		row.SafeguardingConcern, row.Consent, row.Summary, row.ReceivedOn, row.Locality, row.LocalityKey, row.Route, row.Eligible,
		row.Eligibility, row.Triage, row.EngagementLeadID, row.Closure, row.SafeguardingRaised, row.CreatedAt, row.UpdatedAt, row.Version},
		func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
		return translate(err)
	}
	return tx.insertReasons(r)
}

// writeReasons keeps one referral_reasons row per reason, so reports group reasons in SQL on both
// databases rather than unpacking the JSON array.
func (tx conn) writeReasons(r referral.Referral) error {
	if err := tx.w().Exec("DELETE FROM referral_reasons WHERE referral_id = ?", r.ID).Error; err != nil {
		return translate(err)
	}
	return tx.insertReasons(r)
}

// insertReasons adds r's reason rows (a new referral has none to replace).
func (tx conn) insertReasons(r referral.Referral) error {
	if len(r.Reasons) == 0 {
		return nil
	}
	for _, reason := range r.Reasons {
		row := map[string]any{"referral_id": r.ID, "reason": reason, "main": reason == r.MainReason, "young_person_id": r.YoungPersonID,
			"received_on": fromDate(r.ReceivedOn), "locality_key": nullable(localityKey(r.Locality))}
		vals := []any{row["referral_id"], row["reason"], row["main"], row["young_person_id"], row["received_on"], row["locality_key"]}
		if err := tx.keepRow("referral_reasons", reasonColumns, vals,
			func(db *gorm.DB) *gorm.DB { return db.Table("referral_reasons").Create(row) }); err != nil {
			return translate(err)
		}
	}
	return nil
}

// reasonColumns are a referral_reasons row's columns, in insertReasons' order.
var reasonColumns = []string{"referral_id", "reason", "main", "young_person_id", "received_on", "locality_key"}

// Referral loads one referral within scope.
func (tx referralRepo) Get(id string, s access.Scope) (referral.Referral, error) {
	var (
		row referralRow
		ids *string
	)
	cols, fields := referralColumns, row.fields()
	if tx.inlinesExternalIDs() {
		cols, fields = cols+", "+inlineExternalIDs(externalid.Referral, "referrals.id"), append(fields, &ids)
	}
	done, err := false, error(nil)
	if tx.inlinesExternalIDs() && seesAll(s) {
		// The busiest read: its statement written once, not built through GORM each time.
		done, err = tx.takeDirect(referralByID, []any{id}, fields, "young_person_id")
	}
	if !done {
		err = tx.takeAuditedRow(visibleYoungPeople(tx.q().Where("referrals.id = ?", id), "referrals.young_person_id", s),
			&referralRow{}, cols, fields, "young_person_id")
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return referral.Referral{}, fault.New(fault.NotFound, "No such referral.")
	}
	if err == nil {
		tx.rememberRow("referrals:"+id, row)
		if tx.inlinesExternalIDs() {
			tx.keepInlined(externalid.Referral, row.ID, ids)
		}
	}
	return row.toDomain(), translate(err)
}

// ReferralStages returns the day a referral first reached each stage it has reached.
func (tx referralRepo) Stages(referralID string) (map[referral.Status]time.Time, error) {
	var rows []struct{ Stage, ReachedOn string }
	if err := tx.q().Table("referral_stages").Select("stage, reached_on").Where("referral_id = ?", referralID).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[referral.Status]time.Time, len(rows))
	for _, r := range rows {
		out[referral.Status(r.Stage)] = toDate(r.ReachedOn)
	}
	return out, nil
}

// stageColumns are referral_stages' columns as ReachStage writes them.
var stageColumns = []string{"referral_id", "stage", "reached_on", "young_person_id", "received_on", "locality_key",
	"days_from_received", "days_from_previous"}

// ReachStage records the first day r reached a stage, with the referral's dimensions the funnel
// report filters by; a stage already recorded keeps its first day.
func (tx referralRepo) ReachStage(r referral.Referral, s referral.StageReached) error {
	return tx.reachStage(r, s, " ON CONFLICT (referral_id, stage) DO NOTHING")
}

// FirstStage is ReachStage for the referral just created in the transaction, which has no stage
// recorded: with no conflict to resolve the row is a plain insert, which an import sends by COPY
// (ON CONFLICT made its stages the one shape of a referral's that went as an INSERT).
func (tx referralRepo) FirstStage(r referral.Referral, s referral.StageReached) error {
	return tx.reachStage(r, s, "")
}

func (tx referralRepo) reachStage(r referral.Referral, s referral.StageReached, tail string) error {
	vals := []any{r.ID, string(s.Stage), fromDate(s.On), r.YoungPersonID, fromDate(r.ReceivedOn), nullable(localityKey(r.Locality)), s.DaysFromReceived,
		s.DaysFromPrevious}
	if tx.batch != nil {
		return tx.gatherRow(tx.insertHead("referral_stages", stageColumns), tail, vals, "")
	}
	if tx.deferWrites {
		tx.keepInsert("referral_stages", stageColumns, vals, nil, tail)
		return nil
	}
	return translate(tx.later(func(db *gorm.DB) *gorm.DB {
		return db.Exec(`INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key,
		days_from_received, days_from_previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`+tail, vals...)
	}))
}

// Referrals lists one page within scope.
func (tx referralRepo) List(f referral.Filter, s access.Scope, p paging.Page) ([]referral.Referral, string, error) {
	var (
		q   listQuery
		err error
	)
	statuses := distinctStatuses(f.AnyStatus)
	if len(statuses) == 1 && f.Status == "" {
		// One status, however asked for, is read down its (status, id) index.
		f.Status, f.AnyStatus, statuses = string(statuses[0]), nil, nil
	}
	order := referralOrder(f, p)
	switch {
	case order != nil:
		// Ordered by the time filtered on, the page is read down that time's index (or the
		// young person's or organisation's, and sorted), other conditions filtering as it goes.
		q = tx.filtered(f, s, order)
		if p.Cursor, err = q.cursorInOrder(tx.conn, p.Cursor); err != nil {
			return nil, "", err
		}
		if past, err := pastRange(*order, p.Cursor, f); err != nil {
			return nil, "", err
		} else if past {
			p.Cursor = ""
		}
	case len(statuses) > 1 && f.Status == "":
		if q, err = tx.anyStatus(f, statuses, s, p); err != nil {
			return nil, "", err
		}
	default:
		q = tx.filtered(f, s, nil)
	}
	o := pageOf[referralWithIDs]{table: "referrals", recordType: audit.Referral, cols: referralColumns,
		ypCol: "referrals.young_person_id", fields: func(r *referralWithIDs, dst []any) []any { return r.appendFields(dst) }}
	inline := tx.inlinesExternalIDs()
	if inline {
		o.extType, o.extIDs = externalid.Referral, func(r *referralWithIDs) **string { return &r.ids }
		if tx.inlinedIDs == nil {
			// Sized for the page at once: growing it row by row was half the cost of keeping them.
			tx.inlinedIDs = make(map[inlineKey][]externalid.ID, pageLimit(p)+1)
		}
	}
	cursor := func(r referralWithIDs) string { return EncodeCursor(r.ID) }
	if order != nil {
		cursor = func(r referralWithIDs) string { return referralCursor(*order, r.referralRow) }
	}
	return scanAuditedPage(tx.conn, q, o, p, cursor,
		func(r referralWithIDs) referral.Referral {
			if inline {
				tx.keepInlined(externalid.Referral, r.ID, r.ids)
			}
			return r.toDomain()
		})
}

// pastRange reports whether the time of cursor (of order) is past the end of f's range, where
// it holds back nothing in it: left in, PostgreSQL 15 starts its backward scan at the cursor, not
// at the range's end, and reads every entry in between (33 ms for four years of referrals at a
// million). Only a cursor the client made or changed can be there: the list's own are in range.
func pastRange(order pageOrder, cursor string, f referral.Filter) (bool, error) {
	if cursor == "" {
		return false, nil
	}
	_, at, err := decodeOrderedCursor(cursor, order)
	if err != nil {
		return false, err
	}
	switch at := at.(type) {
	case string:
		return f.ReceivedTo != nil && at > fromDate(*f.ReceivedTo), nil
	case time.Time:
		return order == createdOrder && f.CreatedBefore != nil && !at.Before(*f.CreatedBefore), nil
	}
	return false, nil
}

// referralCursor is the cursor of a page ordered by order whose last row is r.
func referralCursor(order pageOrder, r referralRow) string {
	switch order.name {
	case receivedOrder.name:
		return encodeOrderedCursor(order.name, r.ID, r.ReceivedOn)
	case createdOrder.name:
		return encodeOrderedCursor(order.name, r.ID, instantText(r.CreatedAt))
	}
	return encodeOrderedCursor(order.name, r.ID, instantText(r.UpdatedAt))
}

// referralOrder is the order of page p of referrals filtered as f: by the day received when f
// asks for a range of it, else by the instant created when f asks for a range of that, else by
// the last change when p asks for changes since, else nil (newest id first).
func referralOrder(f referral.Filter, p paging.Page) *pageOrder {
	switch {
	case f.ReceivedFrom != nil || f.ReceivedTo != nil:
		return &receivedOrder
	case f.CreatedAfter != nil || f.CreatedBefore != nil:
		return &createdOrder
	case !p.UpdatedSince.IsZero():
		return &updatedOrder
	}
	return nil
}

// distinctStatuses is statuses without repeats, in their first order.
func distinctStatuses(statuses []referral.Status) []referral.Status {
	var out []referral.Status
	for _, st := range statuses {
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out
}

// anyStatus is the page of referrals in any of several statuses (FHIR's status=active is four of
// ours) as the merge of one keyset page per status, each read down the index that page alone would
// use: the page's rows are among the first of each status's, and statuses are disjoint, so the
// merge holds exactly the rows (and order) of "status IN (...)". Left as IN, no one index yields
// the order, and while the newest referrals are all in another status the planner walks past them.
func (tx referralRepo) anyStatus(f referral.Filter, statuses []referral.Status, s access.Scope, p paging.Page) (listQuery, error) {
	f.AnyStatus = nil
	limit := pageLimit(p)
	parts := make([]string, len(statuses))
	args := make([]any, len(statuses))
	for i, st := range statuses {
		one := f
		one.Status = string(st)
		page := tx.filtered(one, s, nil)
		if err := page.page(p); err != nil {
			return listQuery{}, err
		}
		parts[i], args[i] = fmt.Sprintf("SELECT id FROM (?) s%d", i), page.part("referrals.id", limit+1)
	}
	// Only the page's ids (and the one after) are fetched, not every status's page.
	q := listQuery{table: "referrals"}
	q.where(fmt.Sprintf("referrals.id IN (SELECT id FROM (%s) u ORDER BY id DESC LIMIT %d)", strings.Join(parts, " UNION ALL "), limit+1), args...)
	return q, nil
}

// filtered is the query for the referrals matching f within scope, not yet paged, in order
// (nil: newest id first).
func (tx referralRepo) filtered(f referral.Filter, s access.Scope, order *pageOrder) listQuery {
	q := listQuery{table: "referrals", order: order}
	q.visible("referrals.young_person_id", s, tx.dialect)
	if f.Status != "" {
		q.whereEquals("referrals.status", f.Status)
	}
	if len(f.AnyStatus) > 0 {
		q.where("referrals.status IN ?", f.AnyStatus)
	}
	if f.ReceivedFrom != nil {
		q.where("referrals.received_on >= ?", fromDate(*f.ReceivedFrom))
	}
	if f.ReceivedTo != nil {
		q.where("referrals.received_on <= ?", fromDate(*f.ReceivedTo))
	}
	if f.Reason != "" {
		// One row per reason a referral gives, so the join neither repeats nor loses a referral.
		if lit, ok := enumLiteral(f.Reason); ok {
			q.join("JOIN referral_reasons rr ON rr.referral_id = referrals.id AND rr.reason = " + lit)
		} else {
			q.join("JOIN referral_reasons rr ON rr.referral_id = referrals.id AND rr.reason = ?", f.Reason)
		}
	}
	if f.OrganisationID != "" {
		q.where("referrals.referrer_organisation_id = ?", f.OrganisationID)
	}
	if f.YoungPersonID != "" {
		q.where("referrals.young_person_id = ?", f.YoungPersonID)
	}
	if f.CreatedAfter != nil {
		q.where("referrals.created_at >= ?", f.CreatedAfter.UTC())
	}
	if f.CreatedBefore != nil {
		q.where("referrals.created_at < ?", f.CreatedBefore.UTC())
	}
	if f.ExternalID != nil {
		q.where("referrals.id IN (SELECT x.record_id FROM external_ids x WHERE x.record_type = 'referral' AND x.system = ? AND x.value = ?)",
			f.ExternalID.System, f.ExternalID.Value)
	}
	// The page is read down one (column, id) index. Left to itself the planner walks the primary
	// key backwards, filtering, which is slow when the matches are old (it cannot see that the
	// newest referrals are unlike the rest): a degenerate range on the column, first in the order,
	// makes that index the one that yields the order. The most selective filter drives.
	drive := func(col, v string) {
		if lit, ok := enumLiteral(v); ok && (col == "rr.reason" || col == "referrals.status") {
			q.where(col + " >= " + lit + " AND " + col + " <= " + lit)
		} else {
			q.where(col+" >= ? AND "+col+" <= ?", v, v)
		}
		q.lead = append(q.lead, col)
	}
	switch {
	case f.YoungPersonID != "":
		drive("referrals.young_person_id", f.YoungPersonID)
	case f.OrganisationID != "":
		drive("referrals.referrer_organisation_id", f.OrganisationID)
	case order != nil:
		// A reason or a status holds a large share of the referrals, in id order: the time's
		// own index yields the page's order, the code filtering as it goes.
	case f.Reason != "":
		// (reason, referral_id) yields referrals in id order, as referrals.id = rr.referral_id.
		drive("rr.reason", f.Reason)
	case f.Status != "":
		drive("referrals.status", f.Status)
	}
	if f.Locality != "" || f.Query != "" {
		var (
			conds []string
			args  []any
		)
		byRef := f.Query != "" && strings.HasPrefix(strings.ToUpper(f.Query), "REF-")
		if f.Locality != "" {
			conds, args = append(conds, "yp.locality_key = ?"), append(args, localityKey(f.Locality))
		}
		if f.Query != "" && !byRef {
			conds, args = append(conds, `yp.search_name LIKE ? ESCAPE '\'`), append(args, like(f.Query))
		}
		if byRef {
			q.where("referrals.reference = ?", strings.ToUpper(f.Query))
		}
		if len(conds) > 0 {
			q.where("referrals.young_person_id IN (SELECT yp.id FROM young_people yp WHERE "+strings.Join(conds, " AND ")+")", args...)
		}
	}
	return q
}

// referralWithIDs is a referral's row with its external identifiers (inlineExternalIDs, externalIDsOf).
type referralWithIDs struct {
	referralRow
	ids *string
}

// Audit and outbox.

type auditRow struct {
	ID                  string
	OccurredAt          time.Time
	Action              string
	RecordType          string
	RecordID            *string
	YoungPersonID       *string
	ActorKeyID          *string
	ActorSubject        *string
	ActorPractitionerID *string
	ActorOrgID          *string
	ActorRole           string
	Purpose             *string
	ChangedFields       *string
	RequestID           *string
	IP                  *string `gorm:"column:ip"`
	RecordIDs           *string
	YoungPersonIDs      *string
	RecordIDList        *string // uuid[] on PostgreSQL (0123), written as an array literal
	YoungPersonIDList   *string
}

func (auditRow) TableName() string { return "audit_events" }

// Audit appends events to the trail.
func (tx *Tx) Audit(events ...audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	for _, e := range events {
		row := auditRow{ID: e.ID, OccurredAt: e.OccurredAt, Action: e.Action, RecordType: e.RecordType,
			RecordID: nullable(e.RecordID), YoungPersonID: nullable(e.YoungPersonID), ActorKeyID: nullable(e.ActorKeyID),
			ActorSubject: nullable(e.ActorSubject), ActorPractitionerID: nullable(e.ActorPractitionerID), ActorOrgID: nullable(e.ActorOrgID), ActorRole: e.ActorRole, Purpose: nullable(e.Purpose),
			ChangedFields: toJSONOrNull(e.ChangedFields, len(e.ChangedFields) == 0), RequestID: nullable(e.RequestID), IP: nullable(e.IP)}
		row.RecordIDs, row.RecordIDList = tx.idList(e.RecordIDs)
		row.YoungPersonIDs, row.YoungPersonIDList = tx.idList(e.YoungPersonIDs)
		if err := tx.keepRow("audit_events", auditColumns, []any{row.ID, row.OccurredAt, row.Action, row.RecordType, row.RecordID,
			row.YoungPersonID, row.ActorKeyID, row.ActorSubject, row.ActorPractitionerID, row.ActorOrgID, row.ActorRole, row.Purpose,
			row.ChangedFields, row.RequestID, row.IP, row.RecordIDs, row.YoungPersonIDs, row.RecordIDList, row.YoungPersonIDList},
			func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
			return translate(err)
		}
	}
	return nil
}

// auditColumns are auditRow's columns, in its order.
var auditColumns = []string{"id", "occurred_at", "action", "record_type", "record_id", "young_person_id", "actor_key_id",
	"actor_subject", "actor_practitioner_id", "actor_org_id", "actor_role", "purpose", "changed_fields", "request_id", "ip",
	"record_ids", "young_person_ids", "record_id_list", "young_person_id_list"}

// AuditEvents lists one page of the trail.
func (tx auditRepo) Events(f audit.Filter, p paging.Page) ([]audit.Event, string, error) {
	q := tx.q().Model(&auditRow{})
	if rest := (audit.Filter{OccurredAfter: f.OccurredAfter, OccurredBefore: f.OccurredBefore}); f == rest && f.OccurredBefore != nil {
		r := timeRange{col: "occurred_at"}
		if f.OccurredAfter != nil {
			r.add("occurred_at >= ?", f.OccurredAfter.UTC())
		}
		r.add("occurred_at < ?", f.OccurredBefore.UTC())
		cond, args, used, err := timeRangePage(tx.conn, "audit_events", r, p)
		if err != nil {
			return nil, "", err
		}
		if used {
			return listPage(q.Where(cond, args...), "audit_events", p, func(r auditRow) string { return r.ID }, auditRow.toDomain)
		}
	}
	// A child's events are their own, those of the records merged into them (whose trail stays
	// under its own id), and those of the lists that showed any of them; a record's likewise.
	ids := map[string][]string{"young_person_id": nil, "record_id": nil}
	if f.YoungPersonID != "" {
		merged, err := tx.mergedIDs(f.YoungPersonID)
		if err != nil {
			return nil, "", err
		}
		ids["young_person_id"] = append(merged, f.YoungPersonID)
	}
	if f.RecordID != "" {
		ids["record_id"] = []string{f.RecordID}
	}
	for col, vs := range ids {
		if len(vs) == 0 {
			continue
		}
		list := strings.TrimSuffix(col, "_id") + "_ids"
		conds, args := []string{col + " IN ?"}, []any{vs}
		for _, v := range vs {
			if tx.dialect == Postgres {
				conds, args = append(conds, list+" @> ?::jsonb"), append(args, toJSON([]string{v}))
				if _, ok := parseHyphenated(v); ok {
					// The lists written since 0123; an id of another form is in none of them.
					conds, args = append(conds, col+"_list @> ARRAY[?::uuid]"), append(args, v)
				}
			} else {
				conds, args = append(conds, "EXISTS (SELECT 1 FROM json_each(audit_events."+list+") WHERE value = ?)"), append(args, v)
			}
		}
		q = q.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
	for col, v := range map[string]string{"record_type": f.RecordType,
		"action": f.Action, "actor_key_id": f.ActorKeyID, "actor_org_id": f.ActorOrgID, "request_id": f.RequestID} {
		if v != "" {
			q = q.Where(fmt.Sprintf("%s = ?", col), v)
		}
	}
	if f.OccurredAfter != nil {
		q = q.Where("occurred_at >= ?", f.OccurredAfter.UTC())
	}
	if f.OccurredBefore != nil {
		q = q.Where("occurred_at < ?", f.OccurredBefore.UTC())
	}
	return listPage(q, "audit_events", p, func(r auditRow) string { return r.ID }, auditRow.toDomain)
}

func (r auditRow) toDomain() audit.Event {
	return audit.Event{ID: r.ID, OccurredAt: r.OccurredAt.UTC(), Action: r.Action, RecordType: r.RecordType,
		RecordID: deref(r.RecordID), YoungPersonID: deref(r.YoungPersonID), ActorKeyID: deref(r.ActorKeyID),
		ActorSubject: deref(r.ActorSubject), ActorPractitionerID: deref(r.ActorPractitionerID), ActorOrgID: deref(r.ActorOrgID),
		ActorRole: r.ActorRole, Purpose: deref(r.Purpose), ChangedFields: fromJSON[[]string](r.ChangedFields),
		RequestID: deref(r.RequestID), IP: deref(r.IP),
		RecordIDs: idsOf(r.RecordIDs, r.RecordIDList), YoungPersonIDs: idsOf(r.YoungPersonIDs, r.YoungPersonIDList)}
}

type outboxRow struct {
	ID            string
	OccurredAt    time.Time
	EventType     string
	RecordType    string
	RecordID      string
	Payload       string
	PublishedAt   *time.Time
	YoungPersonID *string
	Seq           *int64
}

func (outboxRow) TableName() string { return "outbox_events" }

// toOutboxRow is the row of an event to publish. The child it is about, which decides who may
// receive it, is the one the service named, else the one its payload names, else the record
// itself when that is a young person's.
func toOutboxRow(e outbox.Event) outboxRow {
	yp := e.YoungPersonID
	if yp == "" {
		if v, ok := e.Payload["young_person_id"].(string); ok {
			yp = v
		} else if e.RecordType == "young_person" {
			yp = e.RecordID
		}
	}
	return outboxRow{ID: e.ID, OccurredAt: e.OccurredAt, EventType: e.Type, RecordType: e.RecordType, RecordID: e.RecordID,
		Payload: toJSON(e.Payload), YoungPersonID: nullable(yp)}
}

// Publish writes events to the outbox, for delivery after commit.
func (tx *Tx) Publish(events ...outbox.Event) error {
	for _, e := range events {
		row := toOutboxRow(e)
		if row.YoungPersonID != nil {
			if tx.touched == nil {
				tx.touched = map[string]bool{}
			}
			tx.touched[*row.YoungPersonID] = true
		}
		if err := tx.keepRow("outbox_events", outboxColumns, row.values(), func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
			return translate(err)
		}
	}
	return nil
}

// PublishNotice writes the sweeper's notices to the outbox like Publish, but marks no young
// person's stored deadlines stale: a notice changes no record, so no deadline, and marking would
// only queue a needless refresh of every young person a sweep notified.
func (tx *Tx) PublishNotice(events ...outbox.Event) error {
	touched := tx.touched
	err := tx.Publish(events...)
	tx.touched = touched
	return err
}

// values are the row's values in outboxColumns' order.
func (r outboxRow) values() []any {
	return []any{r.ID, r.OccurredAt, r.EventType, r.RecordType, r.RecordID, r.Payload, r.PublishedAt, r.YoungPersonID, r.Seq}
}

// outboxColumns are outboxRow's columns, in its order.
var outboxColumns = []string{"id", "occurred_at", "event_type", "record_type", "record_id", "payload", "published_at",
	"young_person_id", "seq"}

// OutboxEvents returns the events about one record, oldest first (for tests and delivery).
func (tx outboxRepo) ForRecord(recordID string) ([]outbox.Event, error) {
	var rows []outboxRow
	if err := tx.q().Where("record_id = ?", recordID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]outbox.Event, len(rows))
	for i, r := range rows {
		out[i] = outbox.Event{ID: r.ID, OccurredAt: r.OccurredAt.UTC(), Type: r.EventType, RecordType: r.RecordType, RecordID: r.RecordID,
			Payload: fromJSON[map[string]any](&r.Payload)}
	}
	return out, nil
}

// API keys.

type apiKeyRow struct {
	ID             string
	Prefix         string
	Hash           string
	Name           string
	OrganisationID string
	Role           string
	PractitionerID *string
	CreatedAt      time.Time
	RevokedAt      *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func (r apiKeyRow) toDomain() auth.APIKey {
	k := auth.APIKey{ID: r.ID, Prefix: r.Prefix, Hash: r.Hash, Name: r.Name, OrganisationID: r.OrganisationID,
		Role: auth.Role(r.Role), PractitionerID: deref(r.PractitionerID), CreatedAt: r.CreatedAt.UTC()}
	if r.RevokedAt != nil {
		at := r.RevokedAt.UTC()
		k.RevokedAt = &at
	}
	return k
}

// CreateAPIKey stores a key's hash.
func (tx keyRepo) Create(k auth.APIKey) error {
	row := apiKeyRow{ID: k.ID, Prefix: k.Prefix, Hash: k.Hash, Name: k.Name, OrganisationID: k.OrganisationID, Role: string(k.Role),
		PractitionerID: nullable(k.PractitionerID), CreatedAt: k.CreatedAt}
	return translate(tx.w().Create(&row).Error)
}

// APIKeyByPrefix finds a key by its lookup prefix.
func (tx keyRepo) ByPrefix(prefix string) (auth.APIKey, error) {
	var row apiKeyRow
	err := tx.q().Where("prefix = ?", prefix).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return auth.APIKey{}, fault.New(fault.NotFound, "No such key.")
	}
	return row.toDomain(), translate(err)
}

// APIKey loads a key by id.
func (tx keyRepo) Get(id string) (auth.APIKey, error) {
	row, err := get[apiKeyRow](tx.conn, "API key", id)
	return row.toDomain(), err
}

// APIKeys lists one page of keys.
func (tx keyRepo) List(f auth.KeyFilter, p paging.Page) ([]auth.APIKey, string, error) {
	q := tx.q().Model(&apiKeyRow{})
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if !f.IncludeRevoked {
		q = q.Where("revoked_at IS NULL")
	}
	return listPage(q, "api_keys", p, func(r apiKeyRow) string { return r.ID }, apiKeyRow.toDomain)
}

// RevokeAPIKey marks a key revoked; revoking twice is a conflict.
func (tx keyRepo) Revoke(id string, at time.Time) error {
	res := tx.w().Model(&apiKeyRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at.UTC())
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := (keyRepo{tx.conn}).Get(id); err != nil {
			return err
		}
		return fault.StateConflict("This key is already revoked.", "revoked")
	}
	// Every replica drops the key from its cache when this commits.
	return translate(notify(tx.conn, KeysChannel, id))
}

// ActiveKeysWithRole counts unrevoked keys holding role.
func (tx keyRepo) ActiveWithRole(role auth.Role) (int64, error) {
	var n int64
	err := tx.q().Model(&apiKeyRow{}).Where("role = ? AND revoked_at IS NULL", string(role)).Count(&n).Error
	return n, translate(err)
}
