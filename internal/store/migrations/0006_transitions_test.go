package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

func TestMigration0006Transitions(t *testing.T) {
	checkMigration(t, "0006_transitions", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "transition_plans")
		has(t, "indexes", indexes(t, db), "transition_plans_one_current", "transition_plans_young_person", "transition_plans_expected_end",
			"young_people_date_of_birth", "involvements_ended")

		plan := `INSERT INTO transition_plans (id, young_person_id, started_on, pfa, adult_services_contacts, care_act_status, ended_on,
			created_at, updated_at, version) VALUES (?, ?, '2026-01-05', '{}', '[]', 'not_started', ?, ?, ?, 1)`
		exec(t, db, plan, uuid(30), uuid(20), "2026-02-01", created, created)
		exec(t, db, plan, uuid(31), uuid(20), nil, created, created)
		refuses(t, db, "a second current transition plan for one young person", plan, uuid(32), uuid(20), nil, created, created)
		refuses(t, db, "a transition plan for a young person who does not exist", plan, uuid(33), uuid(99), nil, created, created)
	})
}
