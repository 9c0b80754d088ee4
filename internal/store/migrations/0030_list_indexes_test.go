package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0030ListIndexes: the reason filter's index exists on both databases, and on
// PostgreSQL (where the test server offers pg_trgm) the trigram index for name search.
func TestMigration0030ListIndexes(t *testing.T) {
	checkMigration(t, "0030_list_indexes", nil, func(t *testing.T, db *gorm.DB) {
		has(t, "indexes", indexes(t, db), "referral_reasons_reason")
		if isPostgres(db) {
			has(t, "indexes", indexes(t, db), "young_people_search_name_trgm")
			wantValue(t, db, "1", `SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'`)
		}
	})
}
