package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0103ImportTriggers: on PostgreSQL a multi-row INSERT of referrals, reasons and
// stages appends its report deltas summed by group (fewer rows, the same sums as 0041's row per
// referral and grain), and marks each young person of new referrals, EHC plans and transition
// plans once per statement; deletes still mark and take counts back. SQLite keeps its per-row
// triggers, with the same sums and marks.
func TestMigration0103ImportTriggers(t *testing.T) {
	sum := func(t *testing.T, db *gorm.DB, want, where string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(SUM(n), 0) FROM report_deltas WHERE `+where)
	}
	marked := func(t *testing.T, db *gorm.DB, want string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(MIN(CAST(young_person_id AS text)) || '/' || COUNT(DISTINCT young_person_id), '') FROM transition_dirty`)
		exec(t, db, `DELETE FROM transition_dirty`)
	}
	checkMigration(t, "0103_import_triggers", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(2), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(3), uuid(1), "North")
		addPerson(t, db, uuid(9), uuid(1), "North")
	}, func(t *testing.T, db *gorm.DB) {
		exec(t, db, `DELETE FROM transition_dirty`)
		if isPostgres(db) {
			got := column(queryRows(t, db, `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`))
			for _, table := range []string{"referrals", "ehc_plans", "transition_plans"} {
				has(t, "triggers", got, "transition_dirty_"+table+"_insert", "transition_dirty_"+table+"_delete", "transition_dirty_"+table+"_update")
				lacks(t, "triggers", got, "transition_dirty_"+table+"_write")
			}
		}
		// Three referrals in one statement (two in March for one young person, one in April for
		// another), one more alone.
		exec(t, db, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
			reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility,
			created_at, updated_at, version) VALUES
			(?, 'REF-1', 'received', ?, ?, ?, '["sen"]', 'sen', '[]', 0, false, '2025-03-04', true, '{}', ?, ?, 1),
			(?, 'REF-2', 'received', ?, ?, ?, '["sen"]', 'sen', '[]', 0, false, '2025-03-05', true, '{}', ?, ?, 1),
			(?, 'REF-3', 'received', ?, ?, ?, '["sen"]', 'sen', '[]', 0, false, '2025-04-01', true, '{}', ?, ?, 1)`,
			uuid(4), uuid(3), uuid(2), uuid(1), created, created,
			uuid(5), uuid(3), uuid(2), uuid(1), created, created,
			uuid(6), uuid(9), uuid(2), uuid(1), created, created)
		marked(t, db, uuid(3)+"/2")
		addReferral(t, db, uuid(7), "REF-4", uuid(3), uuid(2), uuid(1), "received", `["sen"]`, "sen", "2025-04-02")
		marked(t, db, uuid(3)+"/1")
		exec(t, db, `INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key) VALUES
			(?, 'sen', true, ?, '2025-03-04', 'key:North'), (?, 'sen', true, ?, '2025-03-05', 'key:North'), (?, 'sen', true, ?, '2025-04-01', NULL)`,
			uuid(4), uuid(3), uuid(5), uuid(3), uuid(6), uuid(9))
		exec(t, db, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received,
			days_from_previous) VALUES (?, 'received', '2025-03-04', ?, '2025-03-04', NULL, 0, NULL), (?, 'received', '2025-03-05', ?, '2025-03-05', NULL, 0, NULL),
			(?, 'accepted', '2025-03-06', ?, '2025-03-04', NULL, 2, 2)`, uuid(4), uuid(3), uuid(5), uuid(3), uuid(4), uuid(3))

		sum(t, db, "4", `kind = 'referral_main'`)
		sum(t, db, "4", `kind = 'referral_main:y' AND month = '2025'`)
		sum(t, db, "2", `kind = 'referral_main' AND month = '2025-03'`)
		sum(t, db, "4", `kind = 'referral_type' AND d1 = 'school'`)
		sum(t, db, "4", `kind = 'setting' AND d1 = '`+uuid(1)+`' AND d2 = 'school'`)
		sum(t, db, "2", `kind = 'reason' AND month = '2025-03' AND d1 = 'sen'`)
		sum(t, db, "3", `kind = 'reason:y' AND d1 = 'sen'`)
		sum(t, db, "3", `kind = 'stage_received'`)
		sum(t, db, "1", `kind = 'stage_previous' AND d1 = 'accepted' AND d2 = '2'`)
		if isPostgres(db) {
			// The statement's two March referrals share a row per grain: the year grain holds the
			// statement's three referrals in one row, the lone one in another.
			wantValue(t, db, "2", `SELECT COUNT(*) FROM report_deltas WHERE kind = 'referral_main:y'`)
			wantValue(t, db, "3", `SELECT MAX(n) FROM report_deltas WHERE kind = 'referral_main:y'`)
		}

		// Two plans of one young person inserted together mark them once.
		exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, created_at, updated_at, version) VALUES
			(?, ?, 'issued', ?, ?, 1), (?, ?, 'ceased', ?, ?, 1)`, uuid(10), uuid(9), created, created, uuid(11), uuid(9), created, created)
		marked(t, db, uuid(9)+"/1")
		exec(t, db, `INSERT INTO transition_plans (id, young_person_id, started_on, pfa, adult_services_contacts, care_act_status, created_at,
			updated_at, version) VALUES (?, ?, '2025-01-01', '{}', '[]', 'not_started', ?, ?, 1)`, uuid(12), uuid(3), created, created)
		marked(t, db, uuid(3)+"/1")
		// An INSERT that inserts nothing marks no one; a DELETE marks its young person.
		exec(t, db, `INSERT INTO referrals SELECT * FROM referrals WHERE 1 = 0`)
		marked(t, db, "")
		exec(t, db, `DELETE FROM ehc_plans WHERE id = ?`, uuid(10))
		marked(t, db, uuid(9)+"/1")
		exec(t, db, `DELETE FROM referral_stages WHERE referral_id = ?`, uuid(4))
		exec(t, db, `DELETE FROM referral_reasons WHERE referral_id = ?`, uuid(4))
		exec(t, db, `DELETE FROM referrals WHERE id = ?`, uuid(4))
		marked(t, db, uuid(3)+"/1")
		sum(t, db, "3", `kind = 'referral_main'`)
		sum(t, db, "2", `kind = 'reason:y' AND d1 = 'sen'`)
		sum(t, db, "1", `kind = 'stage_received'`)
	})
}
