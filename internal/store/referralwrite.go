package store

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// The referral write path, kept lean because it is the busiest write: a correction reads the
// referral with its external ids in one query and writes back only the columns it changed.

// GetWithExternalIDs is Get with the referral's external ids filled in: on PostgreSQL in the same
// query (a PATCH needs both, and each round trip was a wait of its own under load).
func (tx referralRepo) GetWithExternalIDs(id string, s access.Scope) (referral.Referral, error) {
	if tx.dialect != Postgres {
		// In-process: a second query costs next to nothing.
		r, err := tx.Get(id, s)
		if err != nil {
			return r, err
		}
		held, err := externalIDRepo(tx).Of(externalid.Referral, id)
		r.ExternalIDs = held[id]
		return r, err
	}
	var row struct {
		Row     referralRow
		HeldIDs *string
	}
	if seesAll(s) {
		// Written once, sent without GORM (see takeDirect), when nothing kept must go first.
		done, err := tx.takeDirect(referralByID, []any{id}, append(row.Row.fields(), &row.HeldIDs), "young_person_id")
		if done {
			return tx.withReferralRead(id, row.Row, row.HeldIDs, err)
		}
	}
	// Scanned through the row's field pointers, not the ORM's reflection (as the lists are).
	q := tx.q().Table("referrals").Select(referralColumns+", "+inlineExternalIDs(externalid.Referral, "referrals.id")).Where("referrals.id = ?", id)
	err := visibleYoungPeople(q, "referrals.young_person_id", s).Limit(1).Row().Scan(append(row.Row.fields(), &row.HeldIDs)...)
	return tx.withReferralRead(id, row.Row, row.HeldIDs, err)
}

// referralByID reads one referral with its external ids, for a caller who sees every record (a
// restricted caller's read adds the condition of their scope).
var referralByID = "SELECT " + referralColumns + ", " + inlineExternalIDs(externalid.Referral, "referrals.id") +
	" FROM referrals WHERE referrals.id = $1 LIMIT 1"

// withReferralRead finishes GetWithExternalIDs: the referral read (row, and held its external
// ids), remembered for the update, or err as a fault.
func (tx referralRepo) withReferralRead(id string, row referralRow, held *string, err error) (referral.Referral, error) {
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, gorm.ErrRecordNotFound) {
		return referral.Referral{}, fault.New(fault.NotFound, "No such referral.")
	}
	if err != nil {
		return referral.Referral{}, translate(err)
	}
	tx.rememberRow("referrals:"+id, row)
	r := row.toDomain()
	r.ExternalIDs = inlinedIDs(held)
	return r, nil
}

// Update writes r if r.Version-1 is still current. When this session read the referral, only the
// columns that differ from what it read are written, and its reason rows only when something
// they carry changed; otherwise the whole row, and the reasons afresh.
func (tx referralRepo) Update(r referral.Referral) error {
	row := toReferralRow(r)
	was, _ := tx.recallRow("referrals:" + r.ID)
	old, read := was.(referralRow)
	if !read {
		if err := updateVersioned(tx.conn, &row, "referrals", r.ID, r.Version-1); err != nil {
			return err
		}
		return tx.writeReasons(r)
	}
	if err := updateColumns(tx.conn, "referrals", r.ID, r.Version-1, referralChanges(old, row)); err != nil {
		return err
	}
	tx.rememberRow("referrals:"+r.ID, row)
	if old.Reasons == row.Reasons && old.MainReason == row.MainReason && old.YoungPersonID == row.YoungPersonID &&
		old.ReceivedOn == row.ReceivedOn && same(old.LocalityKey, row.LocalityKey) {
		return nil // the reason rows carry nothing that changed
	}
	return tx.writeReasons(r)
}

// referralInsertColumns are referralRow's columns, in its order (as referralColumns, unqualified).
var referralInsertColumns = []string{"id", "reference", "status", "young_person_id", "referrer_practitioner_id", "referrer_organisation_id",
	"reasons", "main_reason", "services_involved", "services_count", "safeguarding_concern", "consent", "summary", "received_on",
	"locality", "locality_key", "route", "eligible", "eligibility", "triage", "engagement_lead_id", "closure", "safeguarding_raised",
	"created_at", "updated_at", "version"}

// column is one column an update sets.
type column struct {
	name  string
	value any
}

// referralChanges lists the columns of now that differ from was, then updated_at and version,
// which every update sets (id and created_at never change).
func referralChanges(was, now referralRow) []column {
	var set []column
	add := func(changed bool, name string, value any) {
		if changed {
			set = append(set, column{name, value})
		}
	}
	add(was.Reference != now.Reference, "reference", now.Reference)
	add(was.Status != now.Status, "status", now.Status)
	add(was.YoungPersonID != now.YoungPersonID, "young_person_id", now.YoungPersonID)
	add(was.ReferrerPractitionerID != now.ReferrerPractitionerID, "referrer_practitioner_id", now.ReferrerPractitionerID)
	add(was.ReferrerOrganisationID != now.ReferrerOrganisationID, "referrer_organisation_id", now.ReferrerOrganisationID)
	add(was.Reasons != now.Reasons, "reasons", now.Reasons)
	add(was.MainReason != now.MainReason, "main_reason", now.MainReason)
	add(was.ServicesInvolved != now.ServicesInvolved, "services_involved", now.ServicesInvolved)
	add(was.ServicesCount != now.ServicesCount, "services_count", now.ServicesCount)
	add(was.SafeguardingConcern != now.SafeguardingConcern, "safeguarding_concern", now.SafeguardingConcern)
	add(!same(was.Consent, now.Consent), "consent", now.Consent)
	add(!same(was.Summary, now.Summary), "summary", now.Summary)
	add(was.ReceivedOn != now.ReceivedOn, "received_on", now.ReceivedOn)
	add(!same(was.Locality, now.Locality), "locality", now.Locality)
	add(!same(was.LocalityKey, now.LocalityKey), "locality_key", now.LocalityKey)
	add(!same(was.Route, now.Route), "route", now.Route)
	add(was.Eligible != now.Eligible, "eligible", now.Eligible)
	add(was.Eligibility != now.Eligibility, "eligibility", now.Eligibility)
	add(!same(was.Triage, now.Triage), "triage", now.Triage)
	add(!same(was.EngagementLeadID, now.EngagementLeadID), "engagement_lead_id", now.EngagementLeadID)
	add(!same(was.Closure, now.Closure), "closure", now.Closure)
	add(!same(was.SafeguardingRaised, now.SafeguardingRaised), "safeguarding_raised", now.SafeguardingRaised)
	return append(set, column{"updated_at", now.UpdatedAt}, column{"version", now.Version})
}

// same reports whether two nullable columns hold the same value.
func same(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// updateColumns is updateVersioned for the columns set alone, its statement written without the
// ORM (this is the busiest update).
func updateColumns(tx conn, table, id string, version int, set []column) error {
	var b strings.Builder
	vars := make([]any, 0, len(set)+2)
	b.WriteString("UPDATE " + table + " SET ")
	for i, c := range set {
		if i > 0 {
			b.WriteString(", ")
		}
		vars = append(vars, c.value)
		b.WriteString(c.name + " = " + tx.placeholder(len(vars)))
	}
	vars = append(vars, id, version)
	b.WriteString(" WHERE id = " + tx.placeholder(len(vars)-1) + " AND version = " + tx.placeholder(len(vars)))
	if tx.deferWrites {
		// Sent with the rest of the unit's writes, which happen only if it finds the version.
		return tx.keepGuard(table, id, b.String(), vars)
	}
	res := tx.w().Exec(b.String(), vars...)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var current int
	if err := tx.q().Table(table).Where("id = ?", id).Select("version").Row().Scan(&current); err != nil {
		return fault.New(fault.NotFound, "No such record.")
	}
	return fault.Stale(current)
}

// placeholder is the nth parameter as the session's kept writes number them ($n on PostgreSQL),
// or GORM's ? where statements run at once.
func (s *session) placeholder(n int) string {
	if s.deferWrites {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// Parties reads a new referral's practitioner and child: on PostgreSQL in one query (with the
// child's education setting's locality), where a create made three round trips before its write.
func (tx referralRepo) Parties(practitionerID, youngPersonID string, s access.Scope) (referral.Parties, error) {
	var out referral.Parties
	if tx.dialect != Postgres {
		pr, err := directoryRepo(tx).Practitioner(practitionerID)
		switch {
		case err == nil:
			out.PractitionerFound, out.PractitionerActive, out.PractitionerOrganisationID = true, pr.Active, pr.OrganisationID
		case fault.KindOf(err) != fault.NotFound:
			return out, err
		}
		yp, err := peopleRepo(tx).Get(youngPersonID, s)
		switch {
		case err == nil:
			out.ChildFound, out.DateOfBirth, out.Locality = true, yp.DateOfBirth, yp.Locality
		case fault.KindOf(err) != fault.NotFound:
			return out, err
		}
		if yp.EducationSettingID != "" {
			if o, err := directoryRepo(tx).Organisation(yp.EducationSettingID); err == nil {
				out.SettingLocality = o.Locality
			}
		}
		return out, nil
	}
	var row struct {
		Org, Child, DateOfBirth, Locality, SettingLocality *string
		Active                                             *bool
	}
	fields := []any{&row.Org, &row.Active, &row.Child, &row.DateOfBirth, &row.Locality, &row.SettingLocality}
	done, err := false, error(nil)
	if seesAll(s) {
		done, err = tx.takeDirect(partiesSQL, []any{practitionerID, youngPersonID}, fields, "")
	}
	if !done {
		err = tx.partiesScoped(practitionerID, youngPersonID, s, fields)
	}
	if err != nil {
		return out, translate(err)
	}
	out.PractitionerFound = row.Org != nil
	out.PractitionerOrganisationID, out.PractitionerActive = deref(row.Org), row.Active != nil && *row.Active
	out.ChildFound = row.Child != nil
	if out.ChildFound {
		out.DateOfBirth, out.Locality, out.SettingLocality = toDate(deref(row.DateOfBirth)), deref(row.Locality), deref(row.SettingLocality)
	}
	return out, nil
}

// partiesSQL is Parties' query for a caller who sees every child, written once and sent past
// GORM (see takeDirect): always one row, its columns null for whoever is missing.
const partiesSQL = `SELECT p.organisation_id AS p_org, p.active AS p_active, y.id AS y_id, y.date_of_birth AS y_dob,
		y.locality AS y_locality, o.locality AS o_locality
		FROM (SELECT 1) one LEFT JOIN practitioners p ON p.id = $1
		LEFT JOIN (SELECT young_people.id, young_people.date_of_birth, young_people.locality, young_people.education_setting_id
			FROM young_people WHERE young_people.id = $2) y ON true
		LEFT JOIN organisations o ON o.id = y.education_setting_id`

// partiesScoped is Parties' query for a caller of scope s, built through GORM, scanned into fields.
func (tx referralRepo) partiesScoped(practitionerID, youngPersonID string, s access.Scope, fields []any) error {
	child := visibleYoungPeople(tx.q().Table("young_people").
		Select("young_people.id, young_people.date_of_birth, young_people.locality, young_people.education_setting_id").
		Where("young_people.id = ?", youngPersonID), "young_people.id", s)
	return scanOne(tx.q().Raw(`SELECT p.organisation_id AS p_org, p.active AS p_active, y.id AS y_id, y.date_of_birth AS y_dob,
		y.locality AS y_locality, o.locality AS o_locality
		FROM (SELECT 1) one LEFT JOIN practitioners p ON p.id = ? LEFT JOIN (?) y ON true
		LEFT JOIN organisations o ON o.id = y.education_setting_id`, practitionerID, child), fields)
}
