package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0012SafeguardingLawfulBasis: referrals and involvements already recorded keep what
// they held and record no later concern, no lawful basis and no review; a lawful basis other than
// the two recorded is refused.
func TestMigration0012SafeguardingLawfulBasis(t *testing.T) {
	checkMigration(t, "0012_safeguarding_lawful_basis", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(10), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(20), uuid(1), "")
		addReferral(t, db, uuid(30), "REF-2026-000001", uuid(20), uuid(10), uuid(1), "assessing", `["sen"]`, "sen", "2026-03-02")
		exec(t, db, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, consent_id, created_at, updated_at, version)
			VALUES (?, ?, ?, 'team_member', '2026-03-02', ?, ?, ?, 3)`, uuid(40), uuid(20), uuid(1), uuid(50), created, created)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "referrals", columns(t, db, "referrals"), "safeguarding_raised", "safeguarding_concern", "route")
		has(t, "involvements", columns(t, db, "involvements"), "lawful_basis", "statutory_duty", "review_needed", "consent_id", "safeguarding_reason")
		wantValue(t, db, "NULL", `SELECT safeguarding_raised FROM referrals WHERE id = ?`, uuid(30))
		wantValue(t, db, "assessing", `SELECT status FROM referrals WHERE id = ?`, uuid(30))
		got := queryRows(t, db, `SELECT lawful_basis, statutory_duty, review_needed, consent_id, version FROM involvements WHERE id = ?`, uuid(40))
		if len(got) != 1 || got[0][0] != "NULL" || got[0][1] != "NULL" || got[0][2] != "NULL" || got[0][3] != uuid(50) || got[0][4] != "3" {
			t.Errorf("involvement after 0012 = %v, want no basis, no duty, no review, its consent, version 3", got)
		}
		refuses(t, db, "a lawful basis OnePlan does not record", `UPDATE involvements SET lawful_basis = 'vital_interests' WHERE id = ?`, uuid(40))
		exec(t, db, `UPDATE involvements SET lawful_basis = 'legal_obligation', statutory_duty = 'CFA 2014 s.43', review_needed = 'x' WHERE id = ?`, uuid(40))
		wantValue(t, db, "legal_obligation", `SELECT lawful_basis FROM involvements WHERE id = ?`, uuid(40))
		exec(t, db, `UPDATE referrals SET safeguarding_raised = ? WHERE id = ?`, `{"reason":"x","raised_on":"2026-03-10T00:00:00Z"}`, uuid(30))
	})
}
