package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0100ListPlanIndexes: the audit trail's organisation index and the involvements'
// covering indexes exist on both databases, in place of the two they extend.
func TestMigration0100ListPlanIndexes(t *testing.T) {
	checkMigration(t, "0100_list_plan_indexes", func(t *testing.T, db *gorm.DB) {
		has(t, "indexes", indexes(t, db), "involvements_organisation", "involvements_practitioner")
	}, func(t *testing.T, db *gorm.DB) {
		got := indexes(t, db)
		has(t, "indexes", got, "audit_events_actor_org", "involvements_organisation_current", "involvements_practitioner_current")
		lacks(t, "indexes", got, "involvements_organisation", "involvements_practitioner")
	})
}
