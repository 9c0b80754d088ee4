package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0053BudgetRequests: a budget recorded before the migration was the council's
// request; a family's request keeps what they asked for; the arrangement and channel are from the
// known lists.
func TestMigration0053BudgetRequests(t *testing.T) {
	before := func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, `INSERT INTO personal_budgets (id, young_person_id, requested_on, requested_by, status, parts, created_at, updated_at, version)
			VALUES (?, ?, '2026-04-01', 'parent', 'requested', '[]', ?, ?, 1)`, uuid(30), uuid(20), created, created)
	}
	checkMigration(t, "0053_budget_requests", before, func(t *testing.T, db *gorm.DB) {
		has(t, "personal_budgets", columns(t, db, "personal_budgets"), "requested_streams", "outcomes_sought", "preferred_arrangement", "requested_through")
		var through string
		if err := db.Raw(`SELECT requested_through FROM personal_budgets WHERE id = ?`, uuid(30)).Scan(&through).Error; err != nil || through != "council" {
			t.Fatalf("existing request: %q %v", through, err)
		}
		insert := `INSERT INTO personal_budgets (id, young_person_id, requested_on, requested_by, status, parts, requested_streams, outcomes_sought,
			preferred_arrangement, requested_through, created_at, updated_at, version) VALUES (?, ?, '2026-04-01', 'parent', 'requested', '[]',
			'["education"]', 'To go to the after-school club.', ?, ?, ?, ?, 1)`
		exec(t, db, insert, uuid(31), uuid(20), "direct_payment", "family", created, created)
		refuses(t, db, "an unknown arrangement", insert, uuid(32), uuid(20), "cash", "family", created, created)
		refuses(t, db, "an unknown channel", insert, uuid(33), uuid(20), "notional", "post", created, created)
	})
}
