package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0071FamilyInvitations: an invitation names its child and purpose, a plan exactly
// when it is for views, and a token hash used once.
func TestMigration0071FamilyInvitations(t *testing.T) {
	checkMigration(t, "0071_family_invitations", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "family_invitations", columns(t, db, "family_invitations"), "id", "young_person_id", "purpose", "plan_id", "token_hash",
			"expires_at", "used_at", "used_record_id", "created_by_org_id", "created_at", "version")
		addOrganisation(t, db, uuid(1), "")
		yp := uuid(2)
		addPerson(t, db, yp, uuid(1), "")
		insert := `INSERT INTO family_invitations (id, young_person_id, purpose, plan_id, token_hash, expires_at, created_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1)`
		exec(t, db, insert, uuid(21), yp, "request_assessment", nil, "h1", created, created)
		refuses(t, db, "a token hash used twice", insert, uuid(22), yp, "request_assessment", nil, "h1", created, created)
		refuses(t, db, "an unknown purpose", insert, uuid(23), yp, "survey", nil, "h3", created, created)
		refuses(t, db, "views without a plan", insert, uuid(24), yp, "give_views", nil, "h4", created, created)
	})
}
