package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0106ReportOrgCounts: the organisations already in a child's team count the child's
// records, and the triggers keep them: a record added for a child counts for each organisation of
// theirs, an organisation joining a team brings the child's records with it (once, however many
// involvements it has) and takes them away when its last involvement goes, and an involvement
// moved to another child moves them.
func TestMigration0106ReportOrgCounts(t *testing.T) {
	referrals := func(t *testing.T, db *gorm.DB, want, org string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(SUM(n), 0) FROM (SELECT organisation_id, kind, month, n FROM report_org_counts
			UNION ALL SELECT organisation_id, kind, month, n FROM report_org_deltas) x
			WHERE kind = 'referral_main:y' AND month = '2025' AND organisation_id = ?`, org)
	}
	involve := func(t *testing.T, db *gorm.DB, id, child, org string) {
		t.Helper()
		exec(t, db, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
			VALUES (?, ?, ?, 'other', '2025-01-01', ?, ?, 1)`, id, child, org, created, created)
	}
	checkMigration(t, "0106_report_org_counts", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addOrganisation(t, db, uuid(2), "")
		addPractitioner(t, db, uuid(3), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(4), uuid(1), "North")
		addPerson(t, db, uuid(5), uuid(1), "South")
		addReferral(t, db, uuid(6), "REF-1", uuid(4), uuid(3), uuid(1), "received", "[]", "sen", "2025-01-02")
		involve(t, db, uuid(7), uuid(4), uuid(1))
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "report_org_members", "report_org_counts", "report_org_deltas")
		referrals(t, db, "1", uuid(1))
		referrals(t, db, "0", uuid(2))
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_deltas`)

		addReferral(t, db, uuid(8), "REF-2", uuid(4), uuid(3), uuid(1), "received", "[]", "sen", "2025-03-04")
		referrals(t, db, "2", uuid(1))
		involve(t, db, uuid(9), uuid(4), uuid(2))
		involve(t, db, uuid(10), uuid(4), uuid(2))
		referrals(t, db, "2", uuid(2))
		exec(t, db, `UPDATE involvements SET ended_on = '2025-06-30' WHERE id = ?`, uuid(9))
		referrals(t, db, "2", uuid(2))
		exec(t, db, `DELETE FROM involvements WHERE id = ?`, uuid(9))
		referrals(t, db, "2", uuid(2))
		exec(t, db, `UPDATE involvements SET young_person_id = ? WHERE id = ?`, uuid(5), uuid(10))
		referrals(t, db, "0", uuid(2))
		exec(t, db, `UPDATE referrals SET young_person_id = ? WHERE id = ?`, uuid(5), uuid(8))
		referrals(t, db, "1", uuid(2))
		referrals(t, db, "1", uuid(1))
		exec(t, db, `DELETE FROM involvements WHERE id = ?`, uuid(10))
		referrals(t, db, "0", uuid(2))
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_members WHERE organisation_id = ?`, uuid(2))
	})
}
