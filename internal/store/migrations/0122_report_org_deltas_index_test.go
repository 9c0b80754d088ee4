package migrations_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestMigration0122ReportOrgDeltasIndex: the organisations' report deltas waiting to be folded
// keep their rows and gain an index by organisation and month, which PostgreSQL uses to read one
// organisation's deltas among many (before, a report read them all).
func TestMigration0122ReportOrgDeltasIndex(t *testing.T) {
	checkMigration(t, "0122_report_org_deltas_index", func(t *testing.T, db *gorm.DB) {
		if err := db.Exec(`INSERT INTO report_org_deltas (organisation_id, kind, month, locality, d1, d2, d3, d4, n)
			VALUES (?, 'referred', '2026-03', 'south', '', '', '', '', 1)`, uuid(1)).Error; err != nil {
			t.Fatal(err)
		}
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "indexes", indexes(t, db), "report_org_deltas_organisation")
		var n int64
		if err := db.Raw(`SELECT COUNT(*) FROM report_org_deltas WHERE organisation_id = ?`, uuid(1)).Scan(&n).Error; err != nil || n != 1 {
			t.Fatalf("the organisation's waiting deltas: %d, %v; want 1", n, err)
		}
		if !isPostgres(db) {
			return
		}
		// Other organisations' deltas, as a burst of writes leaves them.
		if err := db.Exec(`INSERT INTO report_org_deltas (organisation_id, kind, month, locality, d1, d2, d3, d4, n)
			SELECT gen_random_uuid(), 'referred', '2026-03', 'south', '', '', '', '', 1 FROM generate_series(1, 20000)`).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`ANALYSE report_org_deltas`).Error; err != nil {
			t.Fatal(err)
		}
		var plan []string
		if err := db.Raw(`EXPLAIN SELECT kind, n FROM report_org_deltas WHERE organisation_id = ? AND month BETWEEN '2026-01' AND '2026-12'`, uuid(1)).Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(plan, "\n"); !strings.Contains(text, "report_org_deltas_organisation") {
			t.Errorf("one organisation's deltas are not read by the index:\n%s", text)
		}
	})
}
