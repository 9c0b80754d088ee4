package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0090Reassessments: a re-assessment names its plan and child, which must exist; its
// route, requester, status and decision are from the known lists.
func TestMigration0090Reassessments(t *testing.T) {
	checkMigration(t, "0090_reassessments", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "reassessments", columns(t, db, "reassessments"), "id", "plan_id", "young_person_id", "route", "requested_by",
			"received_on", "own_motion_on", "status", "decision", "decision_reasons", "notified_on", "exceptions", "completed_on",
			"completed_plan_version", "notes", "created_at", "updated_at", "version")
		has(t, "indexes", indexes(t, db), "reassessments_plan", "reassessments_young_person")
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, created_at, updated_at, version) VALUES (?, ?, 'issued', ?, ?, 1)`,
			uuid(30), uuid(20), created, created)
		insert := `INSERT INTO reassessments (id, plan_id, young_person_id, route, requested_by, received_on, status, decision, exceptions,
			created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, '2026-03-02', ?, ?, '[]', ?, ?, 1)`
		exec(t, db, insert, uuid(40), uuid(30), uuid(20), "request", "parent", "requested", nil, created, created)
		exec(t, db, insert, uuid(41), uuid(30), uuid(20), "request", "school_or_college", "reassessing", "agree", created, created)
		refuses(t, db, "an unknown route", insert, uuid(42), uuid(30), uuid(20), "asked", "parent", "requested", nil, created, created)
		refuses(t, db, "an unknown requester", insert, uuid(43), uuid(30), uuid(20), "request", "neighbour", "requested", nil, created, created)
		refuses(t, db, "an unknown status", insert, uuid(44), uuid(30), uuid(20), "request", "parent", "lost", nil, created, created)
		refuses(t, db, "an unknown decision", insert, uuid(45), uuid(30), uuid(20), "request", "parent", "refused", "maybe", created, created)
		refuses(t, db, "a plan that does not exist", insert, uuid(46), uuid(99), uuid(20), "request", "parent", "requested", nil, created, created)
	})
}
