package migrations

import (
	"fmt"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0084: the experience report's survey answers join report_counts (migration 0016), kept
// current by triggers the same way: each answer inserted, deleted or changed appends its +1/-1 to
// report_deltas in the writer's transaction, and a child moving locality moves their answers.
//
// An answer counts under two kinds, at month and year grain: "answer" by the child's locality now
// (' ' for an anonymous answer, which no locality filter selects: a locality key is trimmed, so it
// is never a space), and "answer_all" for the whole council (locality ”), so that a report for
// everyone reads one row per group rather than one per locality. The dimensions are the template
// (d1), the point in the pathway (d2), the question (d3) and the rest of what the report groups
// by, joined with '|' in d4: audience, professional role, question type, score and choice (the
// choice last, so that a '|' in it cannot shift the others).
var m0084 = &gormigrate.Migration{ID: "0084_survey_answer_counts", Migrate: migrate0084}

const (
	answerDims0084 = "$R.audience || '|' || COALESCE($R.professional_role, '') || '|' || $R.question_type || '|' || " +
		"COALESCE(CAST($R.score AS text), '') || '|' || COALESCE($R.choice, '')"
	answerLoc0084 = "CASE WHEN $R.young_person_id IS NULL THEN ' ' ELSE " + childLoc + " END"
)

// answerProj0084 is what an answer counts under (kind "answer" or "answer_all").
func answerProj0084(kind string) proj0016 {
	return proj0016{kind: kind, date: "$R.submitted_on", dims: [4]string{"CAST($R.template_id AS text)", "$R.point", "$R.question_id", answerDims0084}}
}

// answerKinds0084 pairs each kind with its locality expression.
var answerKinds0084 = []struct{ kind, loc string }{{"answer", answerLoc0084}, {"answer_all", "''"}}

var answerWatch0084 = []string{"template_id", "audience", "professional_role", "point", "submitted_on", "young_person_id", "question_id",
	"question_type", "score", "choice"}

// answerDeltas0084 is the one statement appending row r's deltas (n "1" or "-1").
func answerDeltas0084(r, n string) string {
	var sels []string
	for _, k := range answerKinds0084 {
		sels = append(sels, answerProj0084(k.kind).grains(func(sel string) string { return sel }, r, k.loc, "''", n, "", "")...)
	}
	return deltaInsert0016 + strings.Join(sels, "\nUNION ALL ")
}

// answerMoves0084 move a child's answers from their old locality (OLD) to the new one (NEW).
func answerMoves0084() []string {
	var out []string
	for _, s := range [][2]string{{"OLD", "-1"}, {"NEW", "1"}} {
		out = append(out, answerProj0084("answer").grains(deltas0016, "x", "COALESCE("+s[0]+".locality_key, '')", "''", s[1],
			" FROM survey_answers x", "x.young_person_id = NEW.id")...)
	}
	return out
}

func changed0084(dialect string, cols []string) string {
	var out []string
	for _, c := range cols {
		if dialect == dialectPostgres {
			out = append(out, "OLD."+c+" IS DISTINCT FROM NEW."+c)
		} else {
			out = append(out, "OLD."+c+" IS NOT NEW."+c)
		}
	}
	return strings.Join(out, " OR ")
}

func triggers0084(dialect string) []string {
	del, ins := answerDeltas0084("OLD", "-1"), answerDeltas0084("NEW", "1")
	moves := strings.Join(answerMoves0084(), ";\n")
	if dialect == dialectPostgres {
		return []string{
			"CREATE FUNCTION report_deltas_survey_answers() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" +
				"IF TG_OP <> 'INSERT' THEN\n" + del + ";\nEND IF;\nIF TG_OP <> 'DELETE' THEN\n" + ins + ";\nEND IF;\nRETURN NULL;\nEND\n$fn$",
			"CREATE TRIGGER report_deltas_survey_answers_write AFTER INSERT OR DELETE ON survey_answers FOR EACH ROW EXECUTE FUNCTION report_deltas_survey_answers()",
			"CREATE TRIGGER report_deltas_survey_answers_update AFTER UPDATE ON survey_answers FOR EACH ROW WHEN (" +
				changed0084(dialect, answerWatch0084) + ") EXECUTE FUNCTION report_deltas_survey_answers()",
			"CREATE FUNCTION report_deltas_young_people_answers() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" + moves + ";\nRETURN NULL;\nEND\n$fn$",
			"CREATE TRIGGER report_deltas_young_people_answers_update AFTER UPDATE ON young_people FOR EACH ROW WHEN (" +
				changed0084(dialect, []string{"locality_key"}) + ") EXECUTE FUNCTION report_deltas_young_people_answers()",
		}
	}
	return []string{
		"CREATE TRIGGER report_deltas_survey_answers_insert AFTER INSERT ON survey_answers FOR EACH ROW BEGIN\n" + ins + ";\nEND",
		"CREATE TRIGGER report_deltas_survey_answers_delete AFTER DELETE ON survey_answers FOR EACH ROW BEGIN\n" + del + ";\nEND",
		"CREATE TRIGGER report_deltas_survey_answers_update AFTER UPDATE ON survey_answers FOR EACH ROW WHEN " +
			changed0084(dialect, answerWatch0084) + " BEGIN\n" + del + ";\n" + ins + ";\nEND",
		"CREATE TRIGGER report_deltas_young_people_answers_update AFTER UPDATE ON young_people FOR EACH ROW WHEN " +
			changed0084(dialect, []string{"locality_key"}) + " BEGIN\n" + moves + ";\nEND",
	}
}

func migrate0084(db *gorm.DB) error {
	for _, s := range triggers0084(dialectOf0016(db)) {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return BackfillAnswerCounts(db)
}

// BackfillAnswerCounts adds the survey answers' counts (migration 0084) to report_counts, which
// must hold none of them: RebuildReportCounts empties it first.
func BackfillAnswerCounts(db *gorm.DB) error {
	for _, k := range answerKinds0084 {
		for _, s := range answerProj0084(k.kind).grains(func(sel string) string {
			return "INSERT INTO report_counts (kind, month, locality, d1, d2, d3, d4, n) " + sel + " GROUP BY 1, 2, 3, 4, 5, 6, 7"
		}, "x", k.loc, "''", "COUNT(*)", " FROM survey_answers x", "") {
			if err := db.Exec(s).Error; err != nil {
				return fmt.Errorf("backfill %s: %w", k.kind, err)
			}
		}
	}
	return nil
}
