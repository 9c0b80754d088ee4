package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0109TransitionOrgCounts: the organisations of the young people with stored spans
// (ended involvements included, twice-involved once, those with no spans not at all) and their
// totals are worked out from the spans stored, and the trigger marks the young person of an
// involvement inserted, deleted or moved (both when it moves between young people), and no one
// for a change of its dates.
func TestMigration0109TransitionOrgCounts(t *testing.T) {
	marked := func(t *testing.T, db *gorm.DB, want string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(MIN(CAST(young_person_id AS text)) || '/' || COUNT(DISTINCT young_person_id), '') FROM transition_dirty`)
		exec(t, db, `DELETE FROM transition_dirty`)
	}
	involve := func(t *testing.T, db *gorm.DB, id, person, org, ended any) {
		t.Helper()
		exec(t, db, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, ended_on, created_at, updated_at, version)
			VALUES (?, ?, ?, 'setting', '2024-01-01', ?, ?, ?, 1)`, id, person, org, ended, created, created)
	}
	checkMigration(t, "0109_transition_org_counts", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addOrganisation(t, db, uuid(2), "")
		addPerson(t, db, uuid(3), uuid(1), "North")
		addPerson(t, db, uuid(4), uuid(1), "North")
		involve(t, db, uuid(5), uuid(3), uuid(1), "2024-06-01")
		involve(t, db, uuid(6), uuid(3), uuid(1), nil)
		involve(t, db, uuid(7), uuid(3), uuid(2), nil)
		involve(t, db, uuid(8), uuid(4), uuid(2), nil) // no spans: not counted
		exec(t, db, `INSERT INTO transition_spans (young_person_id, kind, from_on, to_on, locality) VALUES
			(?, 'population', '2024-03-04', '2025-09-01', 'north'), (?, 'with_plan', '2024-12-01', '2025-09-01', 'north')`, uuid(3), uuid(3))
		exec(t, db, `DELETE FROM transition_dirty`)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "transition_orgs", "transition_org_counts")
		wantValue(t, db, "2", `SELECT CAST(COUNT(*) AS text) FROM transition_orgs`)
		wantValue(t, db, "2", `SELECT CAST(COUNT(*) AS text) FROM transition_orgs WHERE young_person_id = ? AND organisation_id IN (?, ?)`, uuid(3), uuid(1), uuid(2))
		// Two spans, each +1 and -1 at three grains (days, months and years all differ), for each
		// of two organisations.
		wantValue(t, db, "24", `SELECT CAST(COUNT(*) AS text) FROM transition_org_counts`)
		wantValue(t, db, "-1", `SELECT CAST(n AS text) FROM transition_org_counts WHERE organisation_id = ? AND kind = 'population:y' AND day = '2025'`, uuid(2))
		wantValue(t, db, "1", `SELECT CAST(n AS text) FROM transition_org_counts WHERE organisation_id = ? AND kind = 'with_plan:m' AND day = '2024-12'`, uuid(1))
		marked(t, db, "")

		involve(t, db, uuid(9), uuid(4), uuid(1), nil)
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE involvements SET ended_on = '2025-01-01', role = 'other' WHERE id = ?`, uuid(9))
		marked(t, db, "")
		exec(t, db, `UPDATE involvements SET organisation_id = ? WHERE id = ?`, uuid(2), uuid(9))
		marked(t, db, uuid(4)+"/1")
		exec(t, db, `UPDATE involvements SET young_person_id = ? WHERE id = ?`, uuid(3), uuid(9))
		marked(t, db, uuid(3)+"/2")
		exec(t, db, `DELETE FROM involvements WHERE id = ?`, uuid(9))
		marked(t, db, uuid(3)+"/1")
	})
}
