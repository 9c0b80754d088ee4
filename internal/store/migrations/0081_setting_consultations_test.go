package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0081SettingConsultations: a consultation names its plan, child and setting, all of
// which must exist; its status and response are from the known lists.
func TestMigration0081SettingConsultations(t *testing.T) {
	checkMigration(t, "0081_setting_consultations", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "setting_consultations", columns(t, db, "setting_consultations"), "id", "plan_id", "young_person_id", "organisation_id",
			"requested_by", "sent_on", "due_on", "status", "response", "reasons", "responded_on", "late", "notes", "created_at", "updated_at", "version")
		has(t, "indexes", indexes(t, db), "setting_consultations_organisation", "setting_consultations_plan", "setting_consultations_young_person")
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, created_at, updated_at, version) VALUES (?, ?, 'draft', ?, ?, 1)`,
			uuid(30), uuid(20), created, created)
		insert := `INSERT INTO setting_consultations (id, plan_id, young_person_id, organisation_id, requested_by, sent_on, due_on, status,
			response, late, created_at, updated_at, version) VALUES (?, ?, ?, ?, 'parent', '2026-03-02', '2026-03-17', ?, ?, false, ?, ?, 1)`
		exec(t, db, insert, uuid(40), uuid(30), uuid(20), uuid(1), "sent", nil, created, created)
		exec(t, db, insert, uuid(41), uuid(30), uuid(20), uuid(1), "responded", "can_meet_needs", created, created)
		refuses(t, db, "an unknown status", insert, uuid(42), uuid(30), uuid(20), uuid(1), "lost", nil, created, created)
		refuses(t, db, "an unknown response", insert, uuid(43), uuid(30), uuid(20), uuid(1), "responded", "maybe", created, created)
		refuses(t, db, "a setting not in the directory", insert, uuid(44), uuid(30), uuid(20), uuid(99), "sent", nil, created, created)
	})
}
