package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

func TestMigration0007Disputes(t *testing.T) {
	checkMigration(t, "0007_disputes", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "disputes")
		has(t, "indexes", indexes(t, db), "disputes_young_person", "disputes_subject", "disputes_kind")

		// The subject is polymorphic, so any ID goes; the young person must exist.
		dispute := `INSERT INTO disputes (id, young_person_id, kind, subject_type, subject_id, about, sections, brought_by, received_on,
			created_at, updated_at, version) VALUES (?, ?, 'appeal', 'ehc_plan', ?, 'content', '[]', 'parent', '2026-02-01', ?, ?, 1)`
		exec(t, db, dispute, uuid(30), uuid(20), uuid(99), created, created)
		refuses(t, db, "a dispute about a young person who does not exist", dispute, uuid(31), uuid(98), uuid(99), created, created)
		wantValue(t, db, uuid(99), `SELECT subject_id FROM disputes WHERE id = ?`, uuid(30))
	})
}
