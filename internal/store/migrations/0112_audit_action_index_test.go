package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0112AuditActionIndex: the audit trail's (action, id) index exists on both
// databases after the migration and not before.
func TestMigration0112AuditActionIndex(t *testing.T) {
	checkMigration(t, "0112_audit_action_index", func(t *testing.T, db *gorm.DB) {
		lacks(t, "indexes", indexes(t, db), "audit_events_action")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "indexes", indexes(t, db), "audit_events_action")
	})
}
