package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0041ReportDeltasPerStatement: on PostgreSQL the referrals', reasons' and stages'
// inserts append their deltas per statement; a multi-row INSERT appends exactly what a row at a
// time did (the same rows as 0016's triggers: five projections at two grains per referral, one per
// reason and stage at each grain), a one-row one too, and a DELETE still takes its row's back.
// SQLite keeps 0016's per-row triggers, and counts the same.
func TestMigration0041ReportDeltasPerStatement(t *testing.T) {
	sum := func(t *testing.T, db *gorm.DB, want, where string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(SUM(n), 0) FROM report_deltas WHERE `+where)
	}
	checkMigration(t, "0041_report_deltas_per_statement", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(2), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(3), uuid(1), "North")
	}, func(t *testing.T, db *gorm.DB) {
		if isPostgres(db) {
			got := column(queryRows(t, db, `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`))
			for _, table := range []string{"referrals", "referral_reasons", "referral_stages"} {
				has(t, "triggers", got, "report_deltas_"+table+"_insert", "report_deltas_"+table+"_delete", "report_deltas_"+table+"_update")
				lacks(t, "triggers", got, "report_deltas_"+table+"_write")
			}
		}
		// Three referrals in one statement (two in March, one in April), one more alone.
		exec(t, db, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
			reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility,
			created_at, updated_at, version) VALUES
			(?, 'REF-1', 'received', ?, ?, ?, '["sen"]', 'sen', '[]', 0, false, '2025-03-04', true, '{}', ?, ?, 1),
			(?, 'REF-2', 'received', ?, ?, ?, '["semh"]', 'semh', '[]', 0, false, '2025-03-05', true, '{}', ?, ?, 1),
			(?, 'REF-3', 'received', ?, ?, ?, '["sen"]', 'sen', '[]', 0, false, '2025-04-01', true, '{}', ?, ?, 1)`,
			uuid(4), uuid(3), uuid(2), uuid(1), created, created,
			uuid(5), uuid(3), uuid(2), uuid(1), created, created,
			uuid(6), uuid(3), uuid(2), uuid(1), created, created)
		addReferral(t, db, uuid(7), "REF-4", uuid(3), uuid(2), uuid(1), "received", `["sen"]`, "sen", "2025-04-02")
		exec(t, db, `INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key) VALUES
			(?, 'sen', true, ?, '2025-03-04', 'key:North'), (?, 'semh', true, ?, '2025-03-05', 'key:North'), (?, 'sen', true, ?, '2025-04-01', NULL)`,
			uuid(4), uuid(3), uuid(5), uuid(3), uuid(6), uuid(3))
		exec(t, db, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received,
			days_from_previous) VALUES (?, 'received', '2025-03-04', ?, '2025-03-04', NULL, 0, NULL), (?, 'received', '2025-03-05', ?, '2025-03-05', NULL, 0, NULL),
			(?, 'accepted', '2025-03-06', ?, '2025-03-04', NULL, 2, 2)`, uuid(4), uuid(3), uuid(5), uuid(3), uuid(4), uuid(3))

		sum(t, db, "4", `kind = 'referral_main'`)
		sum(t, db, "4", `kind = 'referral_main:y' AND month = '2025'`)
		sum(t, db, "2", `kind = 'referral_main' AND month = '2025-03'`)
		sum(t, db, "3", `kind = 'referral_main' AND d1 = 'sen'`)
		sum(t, db, "4", `kind = 'referral_type' AND d1 = 'school'`)
		sum(t, db, "4", `kind = 'setting' AND d1 = '`+uuid(1)+`' AND d2 = 'school'`)
		sum(t, db, "4", `kind = 'referral_route'`)
		sum(t, db, "4", `kind = 'referral_locality'`)
		// Each referral: five projections at two grains.
		wantValue(t, db, "40", `SELECT COUNT(*) FROM report_deltas WHERE kind LIKE 'referral%' OR kind LIKE 'setting%'`)
		sum(t, db, "2", `kind = 'reason' AND d1 = 'sen'`)
		sum(t, db, "1", `kind = 'reason' AND locality = 'key:North' AND d1 = 'semh'`)
		sum(t, db, "3", `kind = 'stage_received'`)
		sum(t, db, "1", `kind = 'stage_previous' AND d1 = 'accepted' AND d2 = '2'`)
		sum(t, db, "3", `kind = 'stage_received:y'`)

		// An INSERT that inserts nothing appends nothing; a DELETE takes a row's counts back.
		exec(t, db, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, days_from_received)
			SELECT referral_id, stage, reached_on, young_person_id, received_on, days_from_received FROM referral_stages WHERE 1 = 0`)
		sum(t, db, "3", `kind = 'stage_received'`)
		exec(t, db, `DELETE FROM referral_stages WHERE referral_id = ?`, uuid(4))
		exec(t, db, `DELETE FROM referral_reasons WHERE referral_id = ?`, uuid(4))
		exec(t, db, `DELETE FROM referrals WHERE id = ?`, uuid(4))
		sum(t, db, "3", `kind = 'referral_main'`)
		sum(t, db, "1", `kind = 'reason' AND d1 = 'sen'`)
		sum(t, db, "1", `kind = 'stage_received'`)
		sum(t, db, "0", `kind = 'stage_previous'`)
	})
}
