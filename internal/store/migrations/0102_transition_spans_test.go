package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0102TransitionSpans: the young people with a referral or an EHC plan are marked
// for the store to work out (and no one else), and the triggers mark the young person of every
// write that can move their spans, both of them when a record moves, and no one for a change that
// cannot.
func TestMigration0102TransitionSpans(t *testing.T) {
	marked := func(t *testing.T, db *gorm.DB, want string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(MIN(CAST(young_person_id AS text)) || '/' || COUNT(DISTINCT young_person_id), '') FROM transition_dirty`)
		exec(t, db, `DELETE FROM transition_dirty`)
	}
	checkMigration(t, "0102_transition_spans", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(2), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(3), uuid(1), "North")
		addPerson(t, db, uuid(4), uuid(1), "North")
		addPerson(t, db, uuid(5), uuid(1), "")
		addReferral(t, db, uuid(6), "REF-1", uuid(3), uuid(2), uuid(1), "received", "[]", "sen", "2025-01-02")
	}, func(t *testing.T, db *gorm.DB) {
		marked(t, db, uuid(3)+"/1")
		has(t, "tables", tables(t, db), "transition_spans", "transition_counts", "transition_dirty")

		exec(t, db, `UPDATE referrals SET summary = 'nothing the report reads' WHERE id = ?`, uuid(6))
		marked(t, db, "")
		exec(t, db, `UPDATE referrals SET status = 'closed' WHERE id = ?`, uuid(6))
		marked(t, db, uuid(3)+"/1")
		exec(t, db, `UPDATE referrals SET young_person_id = ? WHERE id = ?`, uuid(4), uuid(6))
		marked(t, db, uuid(3)+"/2")
		addReferral(t, db, uuid(7), "REF-2", uuid(5), uuid(2), uuid(1), "received", "[]", "sen", "2025-01-02")
		marked(t, db, uuid(5)+"/1")
		exec(t, db, `DELETE FROM referrals WHERE id = ?`, uuid(7))
		marked(t, db, uuid(5)+"/1")

		exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, created_at, updated_at, version) VALUES (?, ?, 'issued', ?, ?, 1)`,
			uuid(8), uuid(4), created, created)
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE ehc_plans SET status = 'ceasing', ceases_on = '2026-01-01' WHERE id = ?`, uuid(8))
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE ehc_plans SET review_due_on = '2026-01-01' WHERE id = ?`, uuid(8))
		marked(t, db, "")

		exec(t, db, `INSERT INTO transition_plans (id, young_person_id, started_on, pfa, adult_services_contacts, care_act_status, created_at,
			updated_at, version) VALUES (?, ?, '2025-01-01', '{}', '[]', 'not_started', ?, ?, 1)`, uuid(9), uuid(5), created, created)
		marked(t, db, uuid(5)+"/1")
		exec(t, db, `UPDATE transition_plans SET ehc_plan_expected_end_on = '2027-07-31' WHERE id = ?`, uuid(9))
		marked(t, db, uuid(5)+"/1")
		exec(t, db, `UPDATE transition_plans SET notes = 'nothing the report reads' WHERE id = ?`, uuid(9))
		marked(t, db, "")

		exec(t, db, `UPDATE young_people SET date_of_birth = '2010-02-28' WHERE id = ?`, uuid(3))
		marked(t, db, uuid(3)+"/1")
		exec(t, db, `UPDATE young_people SET locality_key = NULL WHERE id = ?`, uuid(4))
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE young_people SET given_name = 'Ada' WHERE id = ?`, uuid(4))
		marked(t, db, "")
		exec(t, db, `DELETE FROM transition_plans WHERE id = ?`, uuid(9))
		exec(t, db, `DELETE FROM young_people WHERE id = ?`, uuid(5))
		marked(t, db, uuid(5)+"/1")
	})
}
