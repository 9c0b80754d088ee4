package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0080EHCAdvice: an advice request names its assessment, child and adviser, all of
// which must exist; its status is requested or submitted.
func TestMigration0080EHCAdvice(t *testing.T) {
	checkMigration(t, "0080_ehc_advice", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "ehc_advice", columns(t, db, "ehc_advice"), "id", "ehc_request_id", "young_person_id", "practitioner_id", "adviser", "provider",
			"requested_on", "due_on", "status", "sections", "document_ids", "informs", "submitted_on", "late", "created_at", "updated_at", "version")
		has(t, "indexes", indexes(t, db), "ehc_advice_practitioner", "ehc_advice_request", "ehc_advice_young_person")
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		addPractitioner(t, db, uuid(10), uuid(1), "ep@example.org")
		addRequest(t, db, uuid(30), uuid(20), "2026-01-05", "[]")
		insert := `INSERT INTO ehc_advice (id, ehc_request_id, young_person_id, practitioner_id, adviser, requested_on, due_on, status,
			sections, document_ids, informs, late, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, 'educational_psychologist', '2026-01-12', '2026-02-23', ?, '{}', '[]', '[]', false, ?, ?, 1)`
		exec(t, db, insert, uuid(40), uuid(30), uuid(20), uuid(10), "requested", created, created)
		refuses(t, db, "an unknown status", insert, uuid(41), uuid(30), uuid(20), uuid(10), "lost", created, created)
		refuses(t, db, "an adviser who is not in the directory", insert, uuid(42), uuid(30), uuid(20), uuid(99), "requested", created, created)
		refuses(t, db, "an assessment that does not exist", insert, uuid(43), uuid(99), uuid(20), uuid(10), "requested", created, created)
	})
}
