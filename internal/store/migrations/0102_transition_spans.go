package migrations

import (
	"fmt"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0102: the transitions report's snapshot kept as spans of days (OnePlan issue 13), so that it
// costs the same whatever the number of children.
//
// transition_spans holds, for each young person (its index covers what a report reads of an
// organisation's young people, one probe each), the runs of days [from_on, to_on) on which they
// count under each figure of the snapshot (kind: population, with_plan, ending, ending_expected,
// ending_max_age; see report.TransitionFacts.Spans), with their locality key then (” when none).
// transition_counts holds the same spans as +1 on from_on and -1 on to_on, added up by kind, day
// and locality at three grains (kind: the day; kind:m, the month YYYY-MM; kind:y, the year YYYY),
// so that a count on day D is the sum of the years before D's, the months of D's year before D's
// and the days of D's month up to D: at most a few hundred rows whatever the data.
//
// Which days a young person counts on is a rule of the report (ages, academic years, plans in
// force), so it is not copied into SQL: triggers only append the young person touched by a write
// to transition_dirty, in the writer's transaction, and the store works their spans out again
// (store FoldReportDeltas, every minute) and meanwhile corrects each report for them, so figures
// are exact at every moment. The triggers watch referrals (status, received_on), EHC plans
// (status, first issue, cease date), transition plans (start, end, expected end of the EHC plan)
// and young people (date of birth, locality, erasure); an organisation filter joins the
// involvements when it reads, so they need no trigger (until migration 0109 keeps totals for
// each organisation).
//
// The migration marks every young person with a referral or an EHC plan; the store works them
// out when it next folds (store Migrate folds a bounded number straight after migrating and the
// background fold the rest; a transitions read scans while very many are marked).
var m0102 = &gormigrate.Migration{ID: "0102_transition_spans", Migrate: then(ddl(schema0102, nil), triggers0102, backfill0102)}

const schema0102 = `
CREATE TABLE transition_spans (
  young_person_id {uuid} NOT NULL,
  kind {text} NOT NULL,
  from_on {text} NOT NULL,
  to_on {text} NOT NULL,
  locality {text} NOT NULL
);
CREATE INDEX transition_spans_young_person ON transition_spans (young_person_id, from_on, to_on, kind, locality);
CREATE TABLE transition_counts (
  kind {text} NOT NULL,
  day {text} NOT NULL,
  locality {text} NOT NULL,
  n {int} NOT NULL,
  PRIMARY KEY (kind, day, locality)
);
CREATE TABLE transition_dirty (
  young_person_id {uuid} NOT NULL
)
`

// watch0102: the tables whose rows move a young person's spans, the column naming the young
// person, and the columns whose change does.
var watch0102 = []struct {
	table, child string
	cols         []string
}{
	{"referrals", "young_person_id", []string{"status", "received_on"}},
	{"ehc_plans", "young_person_id", []string{"status", "first_issued_on", "ceases_on"}},
	{"transition_plans", "young_person_id", []string{"started_on", "ended_on", "ehc_plan_expected_end_on"}},
	{"young_people", "id", []string{"date_of_birth", "locality_key"}},
}

// triggers0102 mark the young person of each row inserted, deleted or changed where it matters
// (both young people when a row moves from one to another). A young person inserted has no
// records yet, so young_people marks on update and delete only.
func triggers0102(db *gorm.DB) error {
	pg := db.Name() == dialectPostgres
	distinct := func(c string) string {
		if pg {
			return "OLD." + c + " IS DISTINCT FROM NEW." + c
		}
		return "OLD." + c + " IS NOT NEW." + c
	}
	var stmts []string
	for _, w := range watch0102 {
		name := "transition_dirty_" + w.table
		var changed []string
		for _, c := range append(append([]string{}, w.cols...), w.child) {
			changed = append(changed, distinct(c))
		}
		when := strings.Join(changed, " OR ")
		mark := func(r string) string {
			return "INSERT INTO transition_dirty (young_person_id) VALUES (" + r + "." + w.child + ")"
		}
		moved := "INSERT INTO transition_dirty (young_person_id) SELECT OLD." + w.child + " WHERE " + distinct(w.child)
		writes := "INSERT OR DELETE"
		if w.table == "young_people" {
			writes = "DELETE"
		}
		if pg {
			stmts = append(stmts, "CREATE FUNCTION "+name+"() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
				"IF TG_OP = 'DELETE' THEN\n"+mark("OLD")+";\nELSE\n"+mark("NEW")+";\nEND IF;\n"+
				"IF TG_OP = 'UPDATE' THEN\n"+moved+";\nEND IF;\nRETURN NULL;\nEND\n$fn$",
				"CREATE TRIGGER "+name+"_write AFTER "+writes+" ON "+w.table+" FOR EACH ROW EXECUTE FUNCTION "+name+"()",
				"CREATE TRIGGER "+name+"_update AFTER UPDATE ON "+w.table+" FOR EACH ROW WHEN ("+when+") EXECUTE FUNCTION "+name+"()")
			continue
		}
		if w.table != "young_people" {
			stmts = append(stmts, "CREATE TRIGGER "+name+"_insert AFTER INSERT ON "+w.table+" FOR EACH ROW BEGIN\n"+mark("NEW")+";\nEND")
		}
		stmts = append(stmts,
			"CREATE TRIGGER "+name+"_delete AFTER DELETE ON "+w.table+" FOR EACH ROW BEGIN\n"+mark("OLD")+";\nEND",
			"CREATE TRIGGER "+name+"_update AFTER UPDATE ON "+w.table+" FOR EACH ROW WHEN "+when+" BEGIN\n"+mark("NEW")+";\n"+moved+";\nEND")
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// backfill0102 marks every young person with a referral or an EHC plan (the only ones who can
// count), for the store to work out.
func backfill0102(db *gorm.DB) error {
	return db.Exec(`INSERT INTO transition_dirty (young_person_id)
		SELECT young_person_id FROM referrals UNION SELECT young_person_id FROM ehc_plans`).Error
}
