package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0050SupportRegister: one open entry per young person; consent or a lawful basis;
// an admission only on a blue rating; one history row per position.
func TestMigration0050SupportRegister(t *testing.T) {
	checkMigration(t, "0050_support_register", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "support_register_entries", columns(t, db, "support_register_entries"), "id", "young_person_id", "conditions", "consent",
			"lawful_basis", "keyworker", "keyworker_org_id", "actions", "rating", "rated_since", "last_ctr_on", "ctr_due_on", "closed_on",
			"created_at", "updated_at", "version")
		addOrganisation(t, db, uuid(1), "")
		yp := uuid(2)
		addPerson(t, db, yp, uuid(1), "")
		entry := `INSERT INTO support_register_entries (id, young_person_id, conditions, consent, lawful_basis, actions, rating, rated_since,
			closed_on, created_at, updated_at, version) VALUES (?, ?, '["autism"]', ?, ?, '[]', ?, '2026-01-05', ?, ?, ?, 1)`
		exec(t, db, entry, uuid(10), yp, "given", nil, "red", nil, created, created)
		refuses(t, db, "a second open entry", entry, uuid(11), yp, "given", nil, "red", nil, created, created)
		exec(t, db, entry, uuid(12), yp, "given", nil, "green", "2025-12-01", created, created)
		refuses(t, db, "no consent and no lawful basis", entry, uuid(13), yp, "not_given", nil, "red", "2025-12-01", created, created)
		refuses(t, db, "purple", entry, uuid(14), yp, "given", nil, "purple", "2025-12-01", created, created)
		rating := `INSERT INTO support_register_ratings (id, entry_id, seq, rating, reasons, decided_on, decided_by_actor, decided_by_role,
			admitted_on, admission_planned, recorded_at) VALUES (?, ?, ?, ?, '["x"]', '2026-01-05', 'k', 'send_officer', ?, ?, ?)`
		exec(t, db, rating, uuid(20), uuid(10), 1, "red", nil, false, created)
		exec(t, db, rating, uuid(21), uuid(10), 2, "blue", "2026-01-04", true, created)
		refuses(t, db, "the same position twice", rating, uuid(22), uuid(10), 2, "red", nil, false, created)
		refuses(t, db, "an admission on amber", rating, uuid(23), uuid(10), 3, "amber", "2026-01-04", false, created)
	})
}
