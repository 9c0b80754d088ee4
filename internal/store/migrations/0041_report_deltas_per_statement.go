package migrations

import (
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0041: on PostgreSQL, the report deltas of new referrals, their reasons and the stages they reach
// are appended once per INSERT statement, from the rows it inserted (a transition table), rather
// than by a trigger call per row. A one-row insert appends the same rows as before; a multi-row one
// (an import sends a thousand rows a statement) appends them in one set-based INSERT, where the
// per-row calls were half of the statement's time. The deltas are exactly those of 0016's
// projections (the same SELECTs, over the inserted rows); deletes and updates keep 0016's per-row
// triggers. SQLite has no statement-level triggers and keeps its per-row ones (in-process, cheap).
var m0041 = &gormigrate.Migration{ID: "0041_report_deltas_per_statement", Migrate: migrate0041}

// tables0041 are the tables whose inserts append their deltas per statement.
var tables0041 = []string{"referrals", "referral_reasons", "referral_stages"}

func migrate0041(db *gorm.DB) error {
	if dialectOf0016(db) != dialectPostgres {
		return nil
	}
	for _, stmt := range statements0041() {
		if err := db.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

// statements0041 replace each table's AFTER INSERT OR DELETE row trigger by a row trigger on
// DELETE (0016's function, whose INSERT branch no longer runs) and a statement trigger on INSERT.
func statements0041() []string {
	var out []string
	for _, t := range tables0016 {
		if !strings.Contains(" "+strings.Join(tables0041, " ")+" ", " "+t.name+" ") {
			continue
		}
		var sels []string
		for _, p := range t.projs {
			sels = append(sels, p.grains(func(sel string) string { return sel }, "n", t.loc(), referrerTyp, "1", " FROM new_rows n", "")...)
		}
		fn := "report_deltas_" + t.name + "_inserted"
		out = append(out,
			"CREATE FUNCTION "+fn+"() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
				deltaInsert0016+strings.Join(sels, "\nUNION ALL ")+";\nRETURN NULL;\nEND\n$fn$",
			"DROP TRIGGER report_deltas_"+t.name+"_write ON "+t.name,
			"CREATE TRIGGER report_deltas_"+t.name+"_delete AFTER DELETE ON "+t.name+
				" FOR EACH ROW EXECUTE FUNCTION report_deltas_"+t.name+"()",
			"CREATE TRIGGER report_deltas_"+t.name+"_insert AFTER INSERT ON "+t.name+
				" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "+fn+"()")
	}
	return out
}
