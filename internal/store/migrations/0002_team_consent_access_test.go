package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

func TestMigration0002TeamConsentAccess(t *testing.T) {
	checkMigration(t, "0002_team_consent_access", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, `INSERT INTO api_keys (id, prefix, hash, name, organisation_id, role, created_at) VALUES (?, 'op_1', 'h', 'key', ?, 'caseworker', ?)`,
			uuid(60), uuid(1), created)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "involvements", "consents")
		has(t, "indexes", indexes(t, db), "involvements_young_person", "involvements_organisation", "involvements_practitioner", "consents_young_person")
		has(t, "api_keys", columns(t, db, "api_keys"), "practitioner_id")
		has(t, "audit_events", columns(t, db, "audit_events"), "actor_subject", "actor_practitioner_id")
		wantValue(t, db, "NULL", `SELECT practitioner_id FROM api_keys WHERE id = ?`, uuid(60))

		involvement := `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
			VALUES (?, ?, ?, 'school', '2026-01-05', ?, ?, 1)`
		exec(t, db, involvement, uuid(70), uuid(20), uuid(1), created, created)
		refuses(t, db, "an involvement with a young person who does not exist", involvement, uuid(71), uuid(99), uuid(1), created, created)
		refuses(t, db, "a key bound to a practitioner who does not exist", `UPDATE api_keys SET practitioner_id = ? WHERE id = ?`, uuid(99), uuid(60))

		exec(t, db, `INSERT INTO consents (id, young_person_id, given_by, relationship, scope, organisation_ids, organisation_types, given_on,
			created_at, updated_at, version) VALUES (?, ?, 'parent', 'mother', 'share', '[]', '[]', '2026-01-05', ?, ?, 1)`, uuid(80), uuid(20), created, created)
	})
}
