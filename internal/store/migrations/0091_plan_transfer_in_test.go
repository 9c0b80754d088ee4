package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0091PlanTransferIn: plans gain transfer_in, empty for the plans already there.
func TestMigration0091PlanTransferIn(t *testing.T) {
	checkMigration(t, "0091_plan_transfer_in", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, created_at, updated_at, version) VALUES (?, ?, 'issued', ?, ?, 1)`,
			uuid(30), uuid(20), created, created)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "ehc_plans", columns(t, db, "ehc_plans"), "transfer_in")
		var n int64
		if err := db.Raw(`SELECT COUNT(*) FROM ehc_plans WHERE transfer_in IS NULL`).Scan(&n).Error; err != nil || n != 1 {
			t.Fatalf("existing plan's transfer_in: %d %v", n, err)
		}
		exec(t, db, `UPDATE ehc_plans SET transfer_in = ? WHERE id = ?`, `{"from_la":"352"}`, uuid(30))
	})
}
