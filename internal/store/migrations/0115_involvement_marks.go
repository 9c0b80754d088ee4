package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0115: on PostgreSQL, the young people of new involvements are marked for the transitions
// report once per statement, as 0103 did for referrals, EHC plans and transition plans: 0109's
// trigger called PL/pgSQL once per involvement, and an import inserts a thousand a statement
// (its row calls were a fifth of the involvements' insert time). One-row inserts mark what they
// did before; deletes and moves keep the per-row trigger; SQLite keeps its per-row ones.
var m0115 = &gormigrate.Migration{ID: "0115_involvement_marks", Migrate: func(db *gorm.DB) error {
	if dialectOf0016(db) != dialectPostgres {
		return nil
	}
	for _, stmt := range []string{
		"CREATE FUNCTION transition_dirty_involvements_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" +
			"INSERT INTO transition_dirty (young_person_id) SELECT DISTINCT young_person_id FROM new_rows;\nRETURN NULL;\nEND\n$fn$",
		"DROP TRIGGER transition_dirty_involvements_write ON involvements",
		"CREATE TRIGGER transition_dirty_involvements_delete AFTER DELETE ON involvements FOR EACH ROW EXECUTE FUNCTION transition_dirty_involvements()",
		"CREATE TRIGGER transition_dirty_involvements_insert AFTER INSERT ON involvements" +
			" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION transition_dirty_involvements_inserted()",
	} {
		if err := db.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}}
