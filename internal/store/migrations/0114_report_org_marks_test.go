package migrations_test

import (
	"slices"
	"testing"

	"gorm.io/gorm"
)

// TestMigration0114ReportOrgMarks: a child marked before the migration is marked with each
// organisation it is involved with or counted under (and a mark of a child no organisation knows
// goes); afterwards an involvement written, moved or deleted marks its child with its
// organisation (both, for a move), and the marks have their index by organisation.
func TestMigration0114ReportOrgMarks(t *testing.T) {
	marks := func(t *testing.T, db *gorm.DB) []string {
		t.Helper()
		var out []string
		for _, r := range queryRows(t, db, `SELECT DISTINCT CAST(young_person_id AS text), CAST(organisation_id AS text) FROM report_org_dirty ORDER BY 1, 2`) {
			out = append(out, r[0][len(r[0])-2:]+"@"+r[1][len(r[1])-2:])
		}
		return out
	}
	checkMigration(t, "0114_report_org_marks", func(t *testing.T, db *gorm.DB) {
		lacks(t, "indexes", indexes(t, db), "report_org_dirty_organisation")
		for _, o := range []string{uuid(1), uuid(2), uuid(10)} {
			addOrganisation(t, db, o, "")
		}
		for _, p := range []string{uuid(3), uuid(4), uuid(5)} {
			addPerson(t, db, p, uuid(1), "North")
		}
		// Child 3 involved with 1, counted under 2 (it left); child 4 involved with 1 and
		// counted under it, not marked; child 5 marked, known to no organisation.
		addInvolvement(t, db, uuid(8), uuid(3), uuid(1))
		addInvolvement(t, db, uuid(9), uuid(4), uuid(1))
		exec(t, db, `DELETE FROM report_org_dirty`)
		exec(t, db, `INSERT INTO report_org_children (young_person_id, organisation_id) VALUES (?, ?), (?, ?)`, uuid(3), uuid(2), uuid(4), uuid(1))
		exec(t, db, `INSERT INTO report_org_dirty (young_person_id) VALUES (?), (?), (?)`, uuid(3), uuid(3), uuid(5))
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "indexes", indexes(t, db), "report_org_dirty_organisation")
		if got, want := marks(t, db), []string{"03@01", "03@02"}; !slices.Equal(got, want) {
			t.Fatalf("marks after the migration %v, want %v", got, want)
		}
		exec(t, db, `DELETE FROM report_org_dirty`)
		addInvolvement(t, db, uuid(11), uuid(4), uuid(2))
		if got, want := marks(t, db), []string{"04@02"}; !slices.Equal(got, want) {
			t.Errorf("an involvement written: marks %v, want %v", got, want)
		}
		exec(t, db, `DELETE FROM report_org_dirty`)
		exec(t, db, `UPDATE involvements SET organisation_id = ? WHERE id = ?`, uuid(10), uuid(9))
		if got, want := marks(t, db), []string{"04@01", "04@10"}; !slices.Equal(got, want) {
			t.Errorf("an involvement moved between organisations: marks %v, want %v", got, want)
		}
		exec(t, db, `DELETE FROM report_org_dirty`)
		exec(t, db, `UPDATE involvements SET young_person_id = ? WHERE id = ?`, uuid(5), uuid(8))
		if got, want := marks(t, db), []string{"03@01", "05@01"}; !slices.Equal(got, want) {
			t.Errorf("an involvement moved between children: marks %v, want %v", got, want)
		}
		exec(t, db, `DELETE FROM report_org_dirty`)
		exec(t, db, `UPDATE involvements SET role = 'other' WHERE id = ?`, uuid(8))
		if got := marks(t, db); len(got) != 0 {
			t.Errorf("an involvement's role changed: marks %v, want none", got)
		}
		exec(t, db, `DELETE FROM involvements WHERE id = ?`, uuid(11))
		if got, want := marks(t, db), []string{"04@02"}; !slices.Equal(got, want) {
			t.Errorf("an involvement deleted: marks %v, want %v", got, want)
		}
		refuses(t, db, "a mark without its organisation", `INSERT INTO report_org_dirty (young_person_id) VALUES (?)`, uuid(3))
	})
}
