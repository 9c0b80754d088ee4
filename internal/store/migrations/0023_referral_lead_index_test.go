package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0023ReferralLeadIndex: the index exists and referrals still take rows.
func TestMigration0023ReferralLeadIndex(t *testing.T) {
	checkMigration(t, "0023_referral_lead_index", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		var n int64
		q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
		if db.Name() == "postgres" {
			q = `SELECT COUNT(*) FROM pg_indexes WHERE indexname = ?`
		}
		if err := db.Raw(q, "referrals_engagement_lead").Scan(&n).Error; err != nil || n != 1 {
			t.Errorf("index referrals_engagement_lead: %d %v", n, err)
		}
	})
}
