package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0009PlanDerivedColumns: the derived columns go; the plans and what else they
// hold stay.
func TestMigration0009PlanDerivedColumns(t *testing.T) {
	checkMigration(t, "0009_plan_derived_columns", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, latest_version, in_force_version, first_issued_on,
			amendment_notice_on, amendment_final_due_on, review_due_on, created_at, updated_at, version)
			VALUES (?, ?, 'issued', 3, 2, '2026-01-05', '2026-06-01', '2026-07-13', '2027-01-05', ?, ?, 4)`, uuid(30), uuid(20), created, created)
	}, func(t *testing.T, db *gorm.DB) {
		cols := columns(t, db, "ehc_plans")
		lacks(t, "ehc_plans", cols, "latest_version", "in_force_version", "amendment_notice_on", "amendment_final_due_on")
		has(t, "ehc_plans", cols, "id", "young_person_id", "ehc_request_id", "status", "first_issued_on", "last_issued_on", "review_due_on",
			"last_reviewed_on", "phase_transfer", "phase_transfer_due_on", "cease_reason", "cease_decided_on", "ceases_on", "cease_notes",
			"created_at", "updated_at", "version")
		got := queryRows(t, db, `SELECT status, first_issued_on, review_due_on, version FROM ehc_plans WHERE id = ?`, uuid(30))
		if len(got) != 1 || got[0][0] != "issued" || got[0][1] != "2026-01-05" || got[0][2] != "2027-01-05" || got[0][3] != "4" {
			t.Errorf("plan after 0009 = %v, want issued, 2026-01-05, 2027-01-05, 4", got)
		}
		// A plan is written without the dropped columns now.
		exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, created_at, updated_at, version) VALUES (?, ?, 'ceased', ?, ?, 1)`,
			uuid(31), uuid(20), created, created)
	})
}
