package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

func TestMigration0004EHCRequests(t *testing.T) {
	checkMigration(t, "0004_ehc_requests", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "ehc_requests")
		has(t, "indexes", indexes(t, db), "ehc_requests_young_person", "ehc_requests_status")
		addRequest(t, db, uuid(30), uuid(20), "2026-01-05", "[]")
		wantValue(t, db, "2026-01-05", `SELECT received_on FROM ehc_requests WHERE id = ?`, uuid(30))
		refuses(t, db, "a request for a young person who does not exist", `INSERT INTO ehc_requests (id, young_person_id, received_on, requested_by,
			status, request_outcome, exceptions, decision_due_on, no_plan_notice_due_on, final_plan_due_on, created_at, updated_at, version)
			VALUES (?, ?, '2026-01-05', 'parent', 'received', 'pending', '[]', '2000-01-01', '2000-01-01', '2000-01-01', ?, ?, 1)`,
			uuid(31), uuid(99), created, created)
		refuses(t, db, "a request without its exceptions", `INSERT INTO ehc_requests (id, young_person_id, received_on, requested_by,
			status, request_outcome, decision_due_on, no_plan_notice_due_on, final_plan_due_on, created_at, updated_at, version)
			VALUES (?, ?, '2026-01-05', 'parent', 'received', 'pending', '2000-01-01', '2000-01-01', '2000-01-01', ?, ?, 1)`,
			uuid(32), uuid(20), created, created)
	})
}
