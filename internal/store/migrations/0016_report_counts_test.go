package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0016ReportCounts: report_counts is filled from the rows already there, and the
// triggers append a delta for every later change: a new referral, a child moving locality, a
// setting changing type, a deletion.
func TestMigration0016ReportCounts(t *testing.T) {
	total := func(t *testing.T, db *gorm.DB, want, kind, where string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(SUM(n), 0) FROM (SELECT kind, locality, d1, d2, n FROM report_counts
			UNION ALL SELECT kind, locality, d1, d2, n FROM report_deltas) x WHERE kind = '`+kind+`' AND `+where)
	}
	checkMigration(t, "0016_report_counts", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(2), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(3), uuid(1), "North")
		addReferral(t, db, uuid(4), "REF-1", uuid(3), uuid(2), uuid(1), "received", `["sen"]`, "sen", "2025-03-04")
		addRequest(t, db, uuid(5), uuid(3), "2025-03-10", "[]")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "report_counts", "report_deltas")
		wantValue(t, db, "1", `SELECT n FROM report_counts WHERE kind = 'referral_type' AND month = '2025-03' AND d1 = 'school'`)
		wantValue(t, db, "1", `SELECT n FROM report_counts WHERE kind = 'ehc_received' AND month = '2025-03' AND locality = 'key:North'`)
		wantValue(t, db, "1", `SELECT n FROM report_counts WHERE kind = 'ehc_received:y' AND month = '2025' AND locality = 'key:North'`)
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_deltas`)

		addReferral(t, db, uuid(6), "REF-2", uuid(3), uuid(2), uuid(1), "received", `["sen"]`, "sen", "2025-03-20")
		total(t, db, "2", "referral_type", "d1 = 'school'")
		exec(t, db, `UPDATE organisations SET type = 'pvi_nursery' WHERE id = ?`, uuid(1))
		total(t, db, "0", "referral_type", "d1 = 'school'")
		total(t, db, "2", "referral_type", "d1 = 'pvi_nursery'")
		total(t, db, "2", "setting", "d2 = 'pvi_nursery'")

		exec(t, db, `UPDATE young_people SET locality_key = 'key:South' WHERE id = ?`, uuid(3))
		total(t, db, "0", "ehc_received", "locality = 'key:North'")
		total(t, db, "1", "ehc_received", "locality = 'key:South'")
		// A referral keeps the locality it was made in.
		total(t, db, "2", "referral_main", "locality = ''")

		exec(t, db, `DELETE FROM ehc_requests WHERE id = ?`, uuid(5))
		total(t, db, "0", "ehc_received", "1 = 1")
		exec(t, db, `UPDATE referrals SET summary = 'unchanged counts' WHERE id = ?`, uuid(6))
		// For each grain (month, year): five for the new referral, eight for the type change (two
		// referrals leaving one type and joining the other, counted by type and as settings), none
		// for the summary.
		wantValue(t, db, "26", `SELECT COUNT(*) FROM report_deltas WHERE kind LIKE 'referral%' OR kind LIKE 'setting%'`)
	})
}
