package migrations

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0114: a child's mark in report_org_dirty names the organisation whose involvement changed
// (OnePlan issue 13). Marked by child alone, every organisation's report corrected for every
// marked child, and above 5,000 marks scanned the records: after a burst of referrals at a
// million (each adding its referrer's involvement), the council's reports, in the team around
// every child, scanned them all (13 s, and past the request's deadline) though no child's
// involvement with the council had changed.
//
// An organisation's totals are wrong for a child only when the child's involvements with it
// differ from report_org_children, and only an involvement written, moved or deleted changes
// them, marking the child with that organisation (the old and the new, for a move). So a report
// corrects for its organisation's marks only. The fold still folds a child whole (every
// organisation, and every mark of the child), as before.
//
// Marks made before the migration name no organisation: each becomes one per organisation the
// child is counted under or involved with now, the only ones whose totals can be wrong for it.
var m0114 = &gormigrate.Migration{ID: "0114_report_org_marks", Migrate: then(ddl(schema0114, nil), triggers0114)}

const schema0114 = `
CREATE TABLE report_org_marked (
  young_person_id {uuid} NOT NULL,
  organisation_id {uuid} NOT NULL
);
INSERT INTO report_org_marked (young_person_id, organisation_id)
  SELECT i.young_person_id, i.organisation_id FROM involvements i WHERE i.young_person_id IN (SELECT young_person_id FROM report_org_dirty)
  UNION SELECT c.young_person_id, c.organisation_id FROM report_org_children c WHERE c.young_person_id IN (SELECT young_person_id FROM report_org_dirty);
DROP TABLE report_org_dirty;
CREATE TABLE report_org_dirty (
  young_person_id {uuid} NOT NULL,
  organisation_id {uuid} NOT NULL
);
INSERT INTO report_org_dirty (young_person_id, organisation_id) SELECT young_person_id, organisation_id FROM report_org_marked;
DROP TABLE report_org_marked;
CREATE INDEX report_org_dirty_child ON report_org_dirty (young_person_id);
CREATE INDEX report_org_dirty_organisation ON report_org_dirty (organisation_id, young_person_id)
`

// triggers0114 mark each involvement's child with its organisation.
func triggers0114(db *gorm.DB) error {
	const mark = "INSERT INTO report_org_dirty (young_person_id, organisation_id) "
	var stmts []string
	if dialectOf0016(db) == dialectPostgres {
		// The functions are replaced: the triggers of migration 0110 call them.
		stmts = []string{
			"CREATE OR REPLACE FUNCTION report_org_dirty_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" +
				mark + "SELECT DISTINCT young_person_id, organisation_id FROM new_rows;\nRETURN NULL;\nEND\n$fn$",
			"CREATE OR REPLACE FUNCTION report_org_dirty_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" +
				mark + "SELECT DISTINCT young_person_id, organisation_id FROM old_rows;\nRETURN NULL;\nEND\n$fn$",
			// It fires only when the child or the organisation changed: both pairs differ.
			"CREATE OR REPLACE FUNCTION report_org_dirty_moved() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" +
				mark + "VALUES (OLD.young_person_id, OLD.organisation_id), (NEW.young_person_id, NEW.organisation_id);\nRETURN NULL;\nEND\n$fn$",
		}
	} else {
		when := changed0084(dialectSQLite, []string{"young_person_id", "organisation_id"})
		stmts = []string{
			"DROP TRIGGER report_org_dirty_involvements_insert",
			"DROP TRIGGER report_org_dirty_involvements_delete",
			"DROP TRIGGER report_org_dirty_involvements_update",
			"CREATE TRIGGER report_org_dirty_involvements_insert AFTER INSERT ON involvements FOR EACH ROW BEGIN\n" +
				mark + "VALUES (NEW.young_person_id, NEW.organisation_id);\nEND",
			"CREATE TRIGGER report_org_dirty_involvements_delete AFTER DELETE ON involvements FOR EACH ROW BEGIN\n" +
				mark + "VALUES (OLD.young_person_id, OLD.organisation_id);\nEND",
			"CREATE TRIGGER report_org_dirty_involvements_update AFTER UPDATE ON involvements FOR EACH ROW WHEN " + when + " BEGIN\n" +
				mark + "VALUES (OLD.young_person_id, OLD.organisation_id), (NEW.young_person_id, NEW.organisation_id);\nEND",
		}
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}
