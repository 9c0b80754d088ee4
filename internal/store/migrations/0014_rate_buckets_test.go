package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0014RateBuckets: one bucket per caller.
func TestMigration0014RateBuckets(t *testing.T) {
	checkMigration(t, "0014_rate_buckets", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "rate_buckets", columns(t, db, "rate_buckets"), "caller", "tokens", "took", "updated_at")
		exec(t, db, `INSERT INTO rate_buckets (caller, tokens, took, updated_at) VALUES ('k1', 2.5, 1, ?)`, created)
		refuses(t, db, "a second bucket for one caller", `INSERT INTO rate_buckets (caller, tokens, took, updated_at) VALUES ('k1', 1, 1, ?)`, created)
		exec(t, db, `INSERT INTO rate_buckets (caller, tokens, took, updated_at) VALUES ('k2', 1, 1, ?)`, created)
	})
}
