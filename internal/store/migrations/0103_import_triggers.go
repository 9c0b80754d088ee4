package migrations

import (
	"regexp"
	"slices"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0103: on PostgreSQL, the per-statement report deltas of new referrals, their reasons and
// stages (0041) are appended summed by group, and the young people whose transition spans new
// referrals, EHC plans and transition plans move are marked per statement (0102 marked them a
// trigger call per row). An import inserts a thousand referrals a statement, nearly all of one
// month, locality and setting: 0041 appended ten delta rows for each, where a few summed rows
// say the same (every reader of report_deltas sums n by group), worked out once per distinct
// row rather than ten times per row; and the thousand row calls of
// 0102's trigger were a tenth of the statement. One-row inserts append and mark what they did
// before. Deletes and updates keep their per-row triggers; SQLite keeps its per-row ones.
var m0103 = &gormigrate.Migration{ID: "0103_import_triggers", Migrate: migrate0103}

func migrate0103(db *gorm.DB) error {
	if dialectOf0016(db) != dialectPostgres {
		return nil
	}
	for _, stmt := range statements0103() {
		if err := db.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

// rowColumn0103 finds the inserted row's columns (n.column) a projection reads.
var rowColumn0103 = regexp.MustCompile(`\bn\.([a-z_]+)`)

// insertWatch0103 are 0102's tables whose inserts mark a young person (young people's own
// inserts mark no one).
var insertWatch0103 = []string{"referrals", "ehc_plans", "transition_plans"}

func statements0103() []string {
	var out []string
	for _, t := range tables0016 {
		if !strings.Contains(" "+strings.Join(tables0041, " ")+" ", " "+t.name+" ") {
			continue
		}
		// The inserted rows are first counted by the columns the projections read, so each
		// projection (and its look-up of the referrer's type) runs once per distinct row.
		var cols []string
		for _, p := range t.projs {
			for _, sel := range p.grains(func(sel string) string { return sel }, "n", t.loc(), referrerTyp, "1", " FROM new_rows n", "") {
				for _, m := range rowColumn0103.FindAllStringSubmatch(sel, -1) {
					if !slices.Contains(cols, m[1]) {
						cols = append(cols, m[1])
					}
				}
			}
		}
		var sels []string
		for _, p := range t.projs {
			sels = append(sels, p.grains(func(sel string) string { return sel }, "n", t.loc(), referrerTyp, "n.n_rows", " FROM counted n", "")...)
		}
		list := strings.Join(cols, ", ")
		out = append(out, "CREATE OR REPLACE FUNCTION report_deltas_"+t.name+"_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
			"WITH counted AS (SELECT "+list+", COUNT(*) AS n_rows FROM new_rows GROUP BY "+list+")\n"+
			deltaInsert0016+"SELECT kind, month, locality, d1, d2, d3, d4, SUM(n) FROM (\n"+strings.Join(sels, "\nUNION ALL ")+
			"\n) AS d (kind, month, locality, d1, d2, d3, d4, n) GROUP BY kind, month, locality, d1, d2, d3, d4;\nRETURN NULL;\nEND\n$fn$")
	}
	for _, table := range insertWatch0103 {
		name := "transition_dirty_" + table
		out = append(out,
			"CREATE FUNCTION "+name+"_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
				"INSERT INTO transition_dirty (young_person_id) SELECT DISTINCT young_person_id FROM new_rows;\nRETURN NULL;\nEND\n$fn$",
			"DROP TRIGGER "+name+"_write ON "+table,
			"CREATE TRIGGER "+name+"_delete AFTER DELETE ON "+table+" FOR EACH ROW EXECUTE FUNCTION "+name+"()",
			"CREATE TRIGGER "+name+"_insert AFTER INSERT ON "+table+
				" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "+name+"_inserted()")
	}
	return out
}
