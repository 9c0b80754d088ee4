package migrations

import (
	"fmt"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0113: the experience report for one organisation reads maintained totals too (OnePlan issue
// 13), where it scanned the survey answers of every child the organisation knows (the council
// knows them all: 114 ms for a school year, 314 ms for a decade at 200,000 referrals).
//
// The survey answers join migration 0110's organisation totals as one more table counted by
// child: their triggers append each answer's deltas under the organisations its child is counted
// under, a child moving locality moves them, the fold adds or takes away a child's answers with
// the rest of its records (AddReportOrgMoves) and a report corrects for the marked children the
// same way (ReportOrgContributions). Only the kind "answer" (by the child's locality) is kept:
// an organisation's answers are all a child's, never anonymous, and its report sums the
// localities. The migration fills the totals from the answers of the children counted now.
//
// survey_answers gets an index by child: the fold and the report's correction read a child's
// answers, and so did 0084's locality move, an erasure and a merge, each by scanning them all.
var m0113 = &gormigrate.Migration{ID: "0113_report_org_answers", Migrate: then(ddl(schema0113, nil), triggers0113, BackfillReportOrgAnswers)}

const schema0113 = `
CREATE INDEX survey_answers_young_person ON survey_answers (young_person_id)
`

// answers0113 is survey_answers as migration 0110 counts a table: by the child's locality now.
var answers0113 = table0016{name: "survey_answers", byChild: true, watch: answerWatch0084, projs: []proj0016{answerProj0084("answer")}}

// reportOrgTables are the tables whose rows an organisation's totals count.
var reportOrgTables = append(append([]table0016{}, tables0016...), answers0113)

func triggers0113(db *gorm.DB) error {
	dialect := dialectOf0016(db)
	stmts := orgRowTriggers0110(dialect, answers0113, true)
	moves := orgChildMoves0110(dialect == dialectPostgres, answers0113)
	when := changed0084(dialect, []string{"locality_key"})
	if dialect == dialectPostgres {
		stmts = append(stmts,
			"CREATE FUNCTION report_org_deltas_young_people_answers() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+lockShared0110("NEW.id")+";\n"+
				strings.Join(moves, ";\n")+";\nRETURN NULL;\nEND\n$fn$",
			"CREATE TRIGGER report_org_deltas_young_people_answers_update AFTER UPDATE ON young_people FOR EACH ROW WHEN ("+when+
				") EXECUTE FUNCTION report_org_deltas_young_people_answers()")
	} else {
		stmts = append(stmts, "CREATE TRIGGER report_org_deltas_young_people_answers_update AFTER UPDATE ON young_people FOR EACH ROW WHEN "+
			when+" BEGIN\n"+strings.Join(moves, ";\n")+";\nEND")
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// BackfillReportOrgAnswers adds the survey answers of the children counted under each
// organisation (report_org_children) to report_org_counts, which must hold none of them: the
// migration, and the store's rebuild after BackfillReportOrgCounts.
func BackfillReportOrgAnswers(db *gorm.DB) error {
	for _, sel := range orgSels0110(answers0113, "c.organisation_id", "x", referrerTyp, "COUNT(*)",
		" FROM survey_answers x JOIN report_org_children c ON c.young_person_id = x.young_person_id", "") {
		if err := db.Exec("INSERT INTO report_org_counts (organisation_id, kind, month, locality, d1, d2, d3, d4, n) " + sel +
			" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8").Error; err != nil {
			return fmt.Errorf("backfill organisations' survey answers: %w", err)
		}
	}
	return nil
}
