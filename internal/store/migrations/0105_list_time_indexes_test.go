package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0105ListTimeIndexes: the audit trail's and the referrals' (time, id) indexes exist
// on both databases after the migration and not before.
func TestMigration0105ListTimeIndexes(t *testing.T) {
	checkMigration(t, "0105_list_time_indexes", func(t *testing.T, db *gorm.DB) {
		lacks(t, "indexes", indexes(t, db), "audit_events_occurred", "referrals_received")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "indexes", indexes(t, db), "audit_events_occurred", "referrals_received")
	})
}
