package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0084SurveyAnswerCounts: the answers already there are counted, by the child's
// locality and for the whole council, and the triggers append a delta for every later change: a
// new answer (anonymous ones under no locality), a child moving, a changed score, a deletion.
func TestMigration0084SurveyAnswerCounts(t *testing.T) {
	total := func(t *testing.T, db *gorm.DB, want, kind, where string) {
		t.Helper()
		wantValue(t, db, want, `SELECT COALESCE(SUM(n), 0) FROM (SELECT kind, locality, d1, d2, d3, d4, n FROM report_counts
			UNION ALL SELECT kind, locality, d1, d2, d3, d4, n FROM report_deltas) x WHERE kind = '`+kind+`' AND `+where)
	}
	answer := func(t *testing.T, db *gorm.DB, response, question string, child any, score any, choice any) {
		t.Helper()
		exec(t, db, `INSERT INTO survey_answers (response_id, question_id, template_id, audience, professional_role, point, submitted_on,
			young_person_id, question_type, score, choice) VALUES (?, ?, ?, 'parent', NULL, 'after_plan', '2025-03-04', ?, 'likert5', ?, ?)`,
			response, question, uuid(5), child, score, choice)
	}
	response := func(t *testing.T, db *gorm.DB, id string, child any) {
		t.Helper()
		exec(t, db, `INSERT INTO survey_responses (id, template_id, template_version, audience, point, young_person_id, submitted_on, via,
			answers, created_at, version) VALUES (?, ?, 1, 'parent', 'after_plan', ?, '2025-03-04', 'link', '[]', ?, 1)`, id, uuid(5), child, created)
	}
	checkMigration(t, "0084_survey_answer_counts", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(3), uuid(1), "North")
		exec(t, db, `INSERT INTO survey_templates (id, code, name, audience, built_in, created_at, updated_at, version)
			VALUES (?, 'T', 'Template', 'parent', false, ?, ?, 1)`, uuid(5), created, created)
		response(t, db, uuid(6), uuid(3))
		answer(t, db, uuid(6), "q1", uuid(3), 4, nil)
	}, func(t *testing.T, db *gorm.DB) {
		wantValue(t, db, "1", `SELECT n FROM report_counts WHERE kind = 'answer' AND month = '2025-03' AND locality = 'key:North'
			AND d2 = 'after_plan' AND d3 = 'q1' AND d4 = 'parent||likert5|4|'`)
		wantValue(t, db, "1", `SELECT n FROM report_counts WHERE kind = 'answer_all:y' AND month = '2025' AND locality = '' AND d4 = 'parent||likert5|4|'`)
		wantValue(t, db, "0", `SELECT COUNT(*) FROM report_deltas`)

		response(t, db, uuid(7), nil)
		answer(t, db, uuid(7), "q1", nil, 4, nil)
		total(t, db, "2", "answer_all", "d4 = 'parent||likert5|4|'")
		total(t, db, "1", "answer", "locality = ' '")
		exec(t, db, `UPDATE young_people SET locality_key = 'key:South' WHERE id = ?`, uuid(3))
		total(t, db, "0", "answer", "locality = 'key:North'")
		total(t, db, "1", "answer", "locality = 'key:South'")
		total(t, db, "2", "answer_all", "1 = 1")
		exec(t, db, `UPDATE survey_answers SET score = 2 WHERE response_id = ?`, uuid(6))
		total(t, db, "1", "answer_all", "d4 = 'parent||likert5|2|'")
		exec(t, db, `DELETE FROM survey_answers WHERE response_id = ?`, uuid(7))
		total(t, db, "1", "answer_all", "1 = 1")
		total(t, db, "0", "answer", "locality = ' '")
	})
}
