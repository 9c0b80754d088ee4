package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0015AuditListEvents: audit events gain the lists of records and young people a
// list returned; events already written have none, and the trail stays append-only.
func TestMigration0015AuditListEvents(t *testing.T) {
	checkMigration(t, "0015_audit_list_events", func(t *testing.T, db *gorm.DB) {
		exec(t, db, `INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, actor_role)
			VALUES (?, ?, 'read', 'referral', ?, ?, 'send_officer')`, uuid(1), created, uuid(2), uuid(3))
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "audit_events", columns(t, db, "audit_events"), "record_ids", "young_person_ids")
		wantValue(t, db, "NULL", `SELECT young_person_ids FROM audit_events WHERE id = ?`, uuid(1))
		exec(t, db, `INSERT INTO audit_events (id, occurred_at, action, record_type, actor_role, record_ids, young_person_ids)
			VALUES (?, ?, 'list', 'referral', 'send_officer', ?, ?)`, uuid(4), created, `["`+uuid(2)+`","`+uuid(5)+`"]`, `["`+uuid(3)+`"]`)
		refuses(t, db, "changing an audit event", `UPDATE audit_events SET young_person_ids = NULL WHERE id = ?`, uuid(4))
	})
}
