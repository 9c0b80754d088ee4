package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0110ReportOrgCounts: each child is counted under the organisations it has an
// involvement with (ended ones too, twice-involved once) and their totals are filled from the
// records; later records append their deltas under those organisations only, a child moving
// locality and a setting changing type move them, and an involvement inserted, deleted or moved
// only marks its child (both, when it moves between children), never for a change of its dates.
func TestMigration0110ReportOrgCounts(t *testing.T) {
	total := func(t *testing.T, db *gorm.DB, want, org, kind, where string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(SUM(n), 0) FROM (SELECT organisation_id, kind, locality, d1, d2, n FROM report_org_counts
			UNION ALL SELECT organisation_id, kind, locality, d1, d2, n FROM report_org_deltas) x WHERE organisation_id = ? AND kind = '`+kind+`' AND `+where, org)
	}
	marked := func(t *testing.T, db *gorm.DB, want string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(MIN(CAST(young_person_id AS text)) || '/' || COUNT(DISTINCT young_person_id), '') FROM report_org_dirty`)
		exec(t, db, `DELETE FROM report_org_dirty`)
	}
	involve := func(t *testing.T, db *gorm.DB, id, person, org, ended any) {
		t.Helper()
		exec(t, db, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, ended_on, created_at, updated_at, version)
			VALUES (?, ?, ?, 'setting', '2024-01-01', ?, ?, ?, 1)`, id, person, org, ended, created, created)
	}
	checkMigration(t, "0110_report_org_counts", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addOrganisation(t, db, uuid(2), "")
		addPractitioner(t, db, uuid(10), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(3), uuid(1), "North")
		addPerson(t, db, uuid(4), uuid(1), "North")
		involve(t, db, uuid(5), uuid(3), uuid(1), "2024-06-01")
		involve(t, db, uuid(6), uuid(3), uuid(1), nil)
		involve(t, db, uuid(7), uuid(3), uuid(2), nil)
		addReferral(t, db, uuid(11), "REF-1", uuid(3), uuid(10), uuid(1), "received", `["sen"]`, "sen", "2025-03-04")
		addReferral(t, db, uuid(12), "REF-2", uuid(4), uuid(10), uuid(1), "received", `["sen"]`, "sen", "2025-03-04")
		addRequest(t, db, uuid(13), uuid(3), "2025-03-10", "[]")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "report_org_children", "report_org_counts", "report_org_deltas", "report_org_dirty", "report_org_moves")
		wantValue(t, db, "2", `SELECT COUNT(*) FROM report_org_children`)
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_dirty`)
		// Child 3's referral under both organisations, child 4's (no involvement) under none.
		for _, org := range []string{uuid(1), uuid(2)} {
			wantValue(t, db, "1", `SELECT n FROM report_org_counts WHERE organisation_id = ? AND kind = 'referral_type' AND month = '2025-03' AND d1 = 'school'`, org)
			wantValue(t, db, "1", `SELECT n FROM report_org_counts WHERE organisation_id = ? AND kind = 'ehc_received:y' AND month = '2025' AND locality = 'key:North'`, org)
		}
		wantValue(t, db, "1", `SELECT SUM(n) FROM report_org_counts WHERE kind = 'referral_main:y' AND organisation_id = ?`, uuid(1))

		// A new referral counts under the child's organisations; none for a child counted under none.
		addReferral(t, db, uuid(14), "REF-3", uuid(3), uuid(10), uuid(1), "received", `["sen"]`, "sen", "2025-03-20")
		addReferral(t, db, uuid(15), "REF-4", uuid(4), uuid(10), uuid(1), "received", `["sen"]`, "sen", "2025-03-20")
		total(t, db, "2", uuid(2), "referral_main", "1 = 1")
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_deltas WHERE organisation_id NOT IN (?, ?)`, uuid(1), uuid(2))
		exec(t, db, `UPDATE organisations SET type = 'pvi_nursery' WHERE id = ?`, uuid(1))
		total(t, db, "0", uuid(2), "referral_type", "d1 = 'school'")
		total(t, db, "2", uuid(2), "setting", "d2 = 'pvi_nursery'")
		exec(t, db, `UPDATE young_people SET locality_key = 'key:South' WHERE id = ?`, uuid(3))
		total(t, db, "0", uuid(1), "ehc_received", "locality = 'key:North'")
		total(t, db, "1", uuid(1), "ehc_received", "locality = 'key:South'")
		// A referral moving to child 4 leaves child 3's organisations.
		exec(t, db, `UPDATE referrals SET young_person_id = ? WHERE id = ?`, uuid(4), uuid(14))
		total(t, db, "1", uuid(2), "referral_main", "1 = 1")
		exec(t, db, `DELETE FROM ehc_requests WHERE id = ?`, uuid(13))
		total(t, db, "0", uuid(2), "ehc_received", "1 = 1")
		marked(t, db, "")

		// Involvements only mark: nothing is counted for the organisation joining until the fold.
		involve(t, db, uuid(9), uuid(4), uuid(1), nil)
		marked(t, db, uuid(4)+"/1")
		total(t, db, "1", uuid(1), "referral_main", "1 = 1")
		exec(t, db, `UPDATE involvements SET ended_on = '2025-01-01', role = 'other' WHERE id = ?`, uuid(9))
		marked(t, db, "")
		exec(t, db, `UPDATE involvements SET organisation_id = ? WHERE id = ?`, uuid(2), uuid(9))
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE involvements SET young_person_id = ? WHERE id = ?`, uuid(3), uuid(9))
		marked(t, db, uuid(3)+"/2")
		exec(t, db, `DELETE FROM involvements WHERE id = ?`, uuid(9))
		marked(t, db, uuid(3)+"/1")
		wantValue(t, db, "2", `SELECT COUNT(*) FROM report_org_children`)
	})
}
