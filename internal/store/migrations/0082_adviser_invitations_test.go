package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0082AdviserInvitations: an invitation names an advice request that exists, and a
// token hash used once.
func TestMigration0082AdviserInvitations(t *testing.T) {
	checkMigration(t, "0082_adviser_invitations", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "adviser_invitations", columns(t, db, "adviser_invitations"), "id", "advice_request_id", "young_person_id", "token_hash",
			"expires_at", "used_at", "revoked_at", "document_ids", "created_by_org_id", "created_at", "updated_at", "version")
		has(t, "indexes", indexes(t, db), "adviser_invitations_advice", "adviser_invitations_young_person")
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		addPractitioner(t, db, uuid(10), uuid(1), "ep@example.org")
		addRequest(t, db, uuid(30), uuid(20), "2026-01-05", "[]")
		exec(t, db, `INSERT INTO ehc_advice (id, ehc_request_id, young_person_id, practitioner_id, adviser, requested_on, due_on, status,
			sections, document_ids, informs, late, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, 'educational_psychologist', '2026-01-12', '2026-02-23', 'requested', '{}', '[]', '[]', false, ?, ?, 1)`,
			uuid(40), uuid(30), uuid(20), uuid(10), created, created)
		insert := `INSERT INTO adviser_invitations (id, advice_request_id, young_person_id, token_hash, expires_at, document_ids,
			created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, '[]', ?, ?, 1)`
		exec(t, db, insert, uuid(50), uuid(40), uuid(20), "h1", created, created, created)
		refuses(t, db, "a token hash used twice", insert, uuid(51), uuid(40), uuid(20), "h1", created, created, created)
		refuses(t, db, "an advice request that does not exist", insert, uuid(52), uuid(99), uuid(20), "h2", created, created, created)
	})
}
