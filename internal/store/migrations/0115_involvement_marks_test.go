package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0115InvolvementMarks: after the migration, involvements inserted in one statement
// mark each of their young people for the transitions report once (on PostgreSQL by one
// statement-level call), a lone one marks its child, and a delete or a move marks as before.
func TestMigration0115InvolvementMarks(t *testing.T) {
	marked := func(t *testing.T, db *gorm.DB, want string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(MIN(CAST(young_person_id AS text)) || '/' || COUNT(DISTINCT young_person_id), '') FROM transition_dirty`)
		exec(t, db, `DELETE FROM transition_dirty`)
	}
	checkMigration(t, "0115_involvement_marks", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addOrganisation(t, db, uuid(2), "")
		addPerson(t, db, uuid(3), uuid(1), "North")
		addPerson(t, db, uuid(4), uuid(1), "North")
	}, func(t *testing.T, db *gorm.DB) {
		if isPostgres(db) {
			got := column(queryRows(t, db, `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`))
			has(t, "triggers", got, "transition_dirty_involvements_insert", "transition_dirty_involvements_delete", "transition_dirty_involvements_update")
			lacks(t, "triggers", got, "transition_dirty_involvements_write")
		}
		exec(t, db, `DELETE FROM transition_dirty`)
		// Three involvements in one statement, two of them child 3's.
		exec(t, db, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version) VALUES
			(?, ?, ?, 'setting', '2024-01-01', ?, ?, 1), (?, ?, ?, 'setting', '2024-01-01', ?, ?, 1), (?, ?, ?, 'setting', '2024-01-01', ?, ?, 1)`,
			uuid(5), uuid(3), uuid(1), created, created, uuid(6), uuid(3), uuid(2), created, created, uuid(7), uuid(4), uuid(1), created, created)
		marked(t, db, uuid(3)+"/2")
		addInvolvement(t, db, uuid(8), uuid(4), uuid(2))
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE involvements SET organisation_id = ? WHERE id = ?`, uuid(2), uuid(7))
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE involvements SET young_person_id = ? WHERE id = ?`, uuid(4), uuid(5))
		marked(t, db, uuid(3)+"/2")
		exec(t, db, `UPDATE involvements SET role = 'other' WHERE id = ?`, uuid(5))
		marked(t, db, "")
		exec(t, db, `DELETE FROM involvements WHERE id = ?`, uuid(6))
		marked(t, db, uuid(3)+"/1")
	})
}
