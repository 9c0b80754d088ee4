package migrations

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0109: the transitions report's totals kept for each organisation too (OnePlan issue 13), so
// that a report filtered to an organisation (its young people: those with an involvement with
// it, ended or not) reads a few hundred rows rather than the spans of every one of them (the
// council's SEND service is involved with every child: seconds at 200,000 referrals).
//
// transition_orgs holds, for each young person with stored spans, the organisations their spans
// were counted under when the store last worked them out; transition_org_counts holds the spans
// of transition_spans (migration 0102) as +1 and -1 by organisation, kind, day and locality, at
// the same three grains as transition_counts, once for each organisation in transition_orgs. So a
// young person's stored contribution can be taken out exactly even after their involvements have
// changed: the store works out a marked young person's spans and organisations afresh, and a
// report corrects for those still marked (stored spans under stored organisations out, fresh
// spans under present organisations in).
//
// Involvements now move a young person's figures for an organisation, so a trigger marks the
// young person of an involvement inserted or deleted, or moved to another young person or
// organisation (both young people); its dates and role do not matter (ended involvements count).
//
// The migration works out transition_orgs and transition_org_counts from the spans stored now,
// in SQL, so nobody need be marked.
var m0109 = &gormigrate.Migration{ID: "0109_transition_org_counts", Migrate: then(ddl(schema0109, nil), triggers0109, BackfillTransitionOrgs)}

const schema0109 = `
CREATE TABLE transition_orgs (
  young_person_id {uuid} NOT NULL,
  organisation_id {uuid} NOT NULL,
  PRIMARY KEY (young_person_id, organisation_id)
);
CREATE TABLE transition_org_counts (
  organisation_id {uuid} NOT NULL,
  kind {text} NOT NULL,
  day {text} NOT NULL,
  locality {text} NOT NULL,
  n {int} NOT NULL,
  PRIMARY KEY (organisation_id, kind, day, locality)
)
`

// triggers0109 mark the young person of an involvement inserted or deleted, and both young
// people when one moves between young people or organisations.
func triggers0109(db *gorm.DB) error {
	const mark = "INSERT INTO transition_dirty (young_person_id) VALUES (%s.young_person_id)"
	var stmts []string
	if db.Name() == dialectPostgres {
		moved := "OLD.young_person_id IS DISTINCT FROM NEW.young_person_id OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id"
		stmts = []string{
			"CREATE FUNCTION transition_dirty_involvements() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" +
				"IF TG_OP <> 'INSERT' THEN\n" + fmt.Sprintf(mark, "OLD") + ";\nEND IF;\n" +
				"IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR OLD.young_person_id IS DISTINCT FROM NEW.young_person_id) THEN\n" +
				fmt.Sprintf(mark, "NEW") + ";\nEND IF;\nRETURN NULL;\nEND\n$fn$",
			"CREATE TRIGGER transition_dirty_involvements_write AFTER INSERT OR DELETE ON involvements FOR EACH ROW EXECUTE FUNCTION transition_dirty_involvements()",
			"CREATE TRIGGER transition_dirty_involvements_update AFTER UPDATE ON involvements FOR EACH ROW WHEN (" + moved +
				") EXECUTE FUNCTION transition_dirty_involvements()",
		}
	} else {
		stmts = []string{
			"CREATE TRIGGER transition_dirty_involvements_insert AFTER INSERT ON involvements FOR EACH ROW BEGIN\n" + fmt.Sprintf(mark, "NEW") + ";\nEND",
			"CREATE TRIGGER transition_dirty_involvements_delete AFTER DELETE ON involvements FOR EACH ROW BEGIN\n" + fmt.Sprintf(mark, "OLD") + ";\nEND",
			"CREATE TRIGGER transition_dirty_involvements_update AFTER UPDATE ON involvements FOR EACH ROW " +
				"WHEN OLD.young_person_id IS NOT NEW.young_person_id OR OLD.organisation_id IS NOT NEW.organisation_id BEGIN\n" +
				fmt.Sprintf(mark, "OLD") + ";\nINSERT INTO transition_dirty (young_person_id) SELECT NEW.young_person_id WHERE OLD.young_person_id IS NOT NEW.young_person_id;\nEND",
		}
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// BackfillTransitionOrgs works out the organisations of every young person with stored spans
// (only those: the fold stores none for a child without spans) and their totals, into the empty
// transition_orgs and transition_org_counts; the store's bulk rebuild calls it too.
func BackfillTransitionOrgs(db *gorm.DB) error {
	if err := db.Exec(`INSERT INTO transition_orgs (young_person_id, organisation_id)
		SELECT DISTINCT young_person_id, organisation_id FROM involvements
		WHERE young_person_id IN (SELECT young_person_id FROM transition_spans)`).Error; err != nil {
		return err
	}
	return db.Exec(`INSERT INTO transition_org_counts (organisation_id, kind, day, locality, n)
		SELECT o.organisation_id, e.kind || g.sfx, substr(e.day, 1, g.len), e.locality, SUM(e.n) FROM (
			SELECT young_person_id, kind, from_on AS day, locality, 1 AS n FROM transition_spans
			UNION ALL SELECT young_person_id, kind, to_on, locality, -1 FROM transition_spans) e
		JOIN transition_orgs o ON o.young_person_id = e.young_person_id
		CROSS JOIN (SELECT '' AS sfx, 10 AS len UNION ALL SELECT ':m', 7 UNION ALL SELECT ':y', 4) g
		GROUP BY o.organisation_id, e.kind || g.sfx, substr(e.day, 1, g.len), e.locality HAVING SUM(e.n) <> 0`).Error
}
