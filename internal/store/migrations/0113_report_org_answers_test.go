package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0113ReportOrgAnswers: the answers already there are counted under the
// organisations their child is counted under (none for an anonymous answer or a child no
// organisation knows), later answers append their deltas there, a child moving locality moves
// them, a changed score and a deletion take them back; survey_answers has its index by child.
func TestMigration0113ReportOrgAnswers(t *testing.T) {
	total := func(t *testing.T, db *gorm.DB, want, org, where string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(SUM(n), 0) FROM (SELECT organisation_id, kind, locality, d1, d2, d3, d4, n FROM report_org_counts
			UNION ALL SELECT organisation_id, kind, locality, d1, d2, d3, d4, n FROM report_org_deltas) x
			WHERE organisation_id = ? AND kind = 'answer' AND `+where, org)
	}
	// A response with two answers (one multi-row INSERT, as a response's answers are written)
	// from each of child 3, child 4 and an anonymous respondent, the responses numbered from first.
	respond := func(t *testing.T, db *gorm.DB, first int) {
		t.Helper()
		for i, child := range []any{uuid(3), uuid(4), nil} {
			r := uuid(first + i)
			exec(t, db, `INSERT INTO survey_responses (id, template_id, template_version, audience, point, young_person_id, submitted_on, via,
				answers, created_at, version) VALUES (?, ?, 1, 'parent', 'after_plan', ?, '2025-03-04', 'link', '[]', ?, 1)`, r, uuid(5), child, created)
			exec(t, db, `INSERT INTO survey_answers (response_id, question_id, template_id, audience, professional_role, point, submitted_on,
				young_person_id, question_type, score, choice) VALUES (?, 'q1', ?, 'parent', NULL, 'after_plan', '2025-03-04', ?, 'likert5', 4, NULL),
				(?, 'q2', ?, 'parent', NULL, 'after_plan', '2025-03-04', ?, 'yes_no', NULL, 'yes')`, r, uuid(5), child, r, uuid(5), child)
		}
	}
	checkMigration(t, "0113_report_org_answers", func(t *testing.T, db *gorm.DB) {
		lacks(t, "indexes", indexes(t, db), "survey_answers_young_person")
		addOrganisation(t, db, uuid(1), "")
		addOrganisation(t, db, uuid(2), "")
		addPerson(t, db, uuid(3), uuid(1), "North")
		addPerson(t, db, uuid(4), uuid(1), "North")
		addInvolvement(t, db, uuid(8), uuid(3), uuid(1))
		addInvolvement(t, db, uuid(9), uuid(3), uuid(2))
		exec(t, db, `INSERT INTO report_org_children (young_person_id, organisation_id) SELECT DISTINCT young_person_id, organisation_id FROM involvements`)
		exec(t, db, `DELETE FROM report_org_dirty`)
		exec(t, db, `INSERT INTO survey_templates (id, code, name, audience, built_in, created_at, updated_at, version)
			VALUES (?, 'T', 'Template', 'parent', false, ?, ?, 1)`, uuid(5), created, created)
		respond(t, db, 20) // responses 20 (child 3), 21 (child 4), 22 (anonymous)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "indexes", indexes(t, db), "survey_answers_young_person")
		for _, org := range []string{uuid(1), uuid(2)} {
			wantValue(t, db, "1", `SELECT n FROM report_org_counts WHERE organisation_id = ? AND kind = 'answer' AND month = '2025-03'
				AND locality = 'key:North' AND d2 = 'after_plan' AND d3 = 'q1' AND d4 = 'parent||likert5|4|'`, org)
			wantValue(t, db, "2", `SELECT SUM(n) FROM report_org_counts WHERE organisation_id = ? AND kind = 'answer:y' AND month = '2025'`, org)
		}
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_counts WHERE kind NOT IN ('answer', 'answer:y')`)
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_deltas`)

		// A new response of child 3 counts under both organisations; child 4's and an anonymous one under none.
		respond(t, db, 23) // responses 23 (child 3), 24 (child 4), 25 (anonymous)
		total(t, db, "4", uuid(1), "1 = 1")
		total(t, db, "4", uuid(2), "(d3 = 'q1' OR d3 = 'q2')")
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_deltas WHERE organisation_id NOT IN (?, ?)`, uuid(1), uuid(2))
		exec(t, db, `UPDATE young_people SET locality_key = 'key:South' WHERE id = ?`, uuid(3))
		total(t, db, "0", uuid(2), "locality = 'key:North'")
		total(t, db, "4", uuid(2), "locality = 'key:South'")
		exec(t, db, `UPDATE survey_answers SET score = 2 WHERE response_id = ? AND question_id = 'q1'`, uuid(20))
		total(t, db, "1", uuid(1), "d4 = 'parent||likert5|2|'")
		total(t, db, "1", uuid(1), "d4 = 'parent||likert5|4|'")
		// An answer moved to child 4 leaves child 3's organisations; deleted ones are taken away.
		exec(t, db, `UPDATE survey_answers SET young_person_id = ? WHERE response_id = ?`, uuid(4), uuid(23))
		total(t, db, "2", uuid(1), "1 = 1")
		exec(t, db, `DELETE FROM survey_answers WHERE response_id = ?`, uuid(20))
		total(t, db, "0", uuid(2), "1 = 1")
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_org_dirty`)
	})
}
