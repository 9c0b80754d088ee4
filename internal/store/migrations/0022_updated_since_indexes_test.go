package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0022UpdatedSinceIndexes: the indexes exist and the tables still take rows.
func TestMigration0022UpdatedSinceIndexes(t *testing.T) {
	checkMigration(t, "0022_updated_since_indexes", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		for _, name := range []string{"young_people_updated", "referrals_updated", "involvements_updated", "consents_updated",
			"family_assessments_updated", "meetings_updated", "ehc_requests_updated", "ehc_plans_updated", "annual_reviews_updated",
			"disputes_updated", "transition_plans_updated", "survey_responses_created", "outbox_events_occurred"} {
			var n int64
			q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
			if db.Name() == "postgres" {
				q = `SELECT COUNT(*) FROM pg_indexes WHERE indexname = ?`
			}
			if err := db.Raw(q, name).Scan(&n).Error; err != nil || n != 1 {
				t.Errorf("index %s: %d %v", name, n, err)
			}
		}
	})
}
