package migrations_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestMigration0117NullFreeIndexes: after the migration the six indexes leave out the rows whose
// column is NULL, and the statements that read by them (written as the store writes them) can
// still use them: on PostgreSQL with sequential scans off, on SQLite named with INDEXED BY, which
// fails to prepare when the index cannot serve the statement. A membership without a practitioner
// still joins the team and is found by its organisation.
func TestMigration0117NullFreeIndexes(t *testing.T) {
	reads := map[string]string{
		"involvements_practitioner_current": `SELECT i.young_person_id FROM involvements i %s WHERE i.practitioner_id = '` + uuid(5) +
			`' AND i.started_on <= '2026-02-01' AND (i.ended_on IS NULL OR i.ended_on > '2026-02-01')`,
		"involvements_ended":        `SELECT i.young_person_id FROM involvements i %s WHERE i.ended_on > '2026-01-01' AND i.ended_on <= '2026-06-01'`,
		"referrals_engagement_lead": `SELECT young_person_id FROM referrals %s WHERE engagement_lead_id = '` + uuid(5) + `'`,
		"young_people_upn":          `SELECT id FROM young_people %s WHERE upn IN ('A123456789012', 'B123456789012') ORDER BY id`,
		"young_people_setting":      `SELECT id FROM young_people %s WHERE education_setting_id = '` + uuid(1) + `' ORDER BY id`,
		"audit_events_actor_key":    `SELECT id FROM audit_events %s WHERE actor_key_id = '` + uuid(7) + `' ORDER BY id DESC`,
	}
	checkMigration(t, "0117_null_free_indexes", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "100001")
		addPerson(t, db, uuid(2), uuid(1), "north")
		addInvolvement(t, db, uuid(3), uuid(2), uuid(1))
		wantValue(t, db, "1", `SELECT COUNT(*) FROM involvements WHERE organisation_id = ? AND practitioner_id IS NULL AND ended_on IS NULL`, uuid(1))
		names := make([]string, 0, len(reads))
		for index, q := range reads {
			names = append(names, index)
			if isPostgres(db) {
				usesIndex(t, db, index, strings.Replace(q, "%s", "", 1))
			} else {
				queryRows(t, db, strings.Replace(q, "%s", "INDEXED BY "+index, 1))
			}
		}
		wantNullFree(t, db, names...)
	})
}
