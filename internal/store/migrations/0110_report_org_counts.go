package migrations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0110: the activity, funnel and timeliness reports for one organisation (its children: those
// with an involvement row for it, ended or not) read maintained totals (OnePlan issue 13), where
// they scanned the records of every child the organisation knows (the council knows them all:
// 8-20 s at 200,000 referrals).
//
// report_org_counts and report_org_deltas are report_counts and report_deltas (migration 0016's
// kinds and dimensions) with the organisation first. report_org_children holds the organisations
// each child's records are COUNTED UNDER now, and only the store's fold writes it, as 0109's
// transition_orgs. So:
//   - a record's triggers (the same writes that append to report_deltas) append the same delta
//     for each organisation in report_org_children of its child;
//   - an involvement's triggers only mark its child in report_org_dirty; the fold later compares
//     the child's present organisations with the counted ones and adds (or takes away) the child's
//     whole contribution for each organisation that joined (or left), then updates
//     report_org_children. A referral and an involvement written by one statement (a create's
//     kept writes, an import's chunk) cannot count twice: the referral's trigger reads a set
//     that statement cannot change (migration 0106, reverted, let both triggers add it).
//   - a report reads the totals and corrects them for the children still marked.
//
// On PostgreSQL a record's trigger must not read a child's counted set while the fold changes it:
// triggers hold a shared advisory lock on the child's bucket (one of 64, so a transaction touching
// thousands of children holds at most 64 locks) until they commit; the fold only tries the bucket
// exclusively and leaves a busy child marked. report_org_moves is the fold's scratch list of the
// child and organisation pairs joining (+1) or leaving (-1), empty between folds.
//
// The migration fills everything from the records and involvements there now.
var m0110 = &gormigrate.Migration{ID: "0110_report_org_counts", Migrate: then(ddl(schema0110, nil), triggers0110, BackfillReportOrgCounts)}

const orgCols0110 = `organisation_id {uuid} NOT NULL,
  kind {text} NOT NULL,
  month {text} NOT NULL,
  locality {text} NOT NULL,
  d1 {text} NOT NULL,
  d2 {text} NOT NULL,
  d3 {text} NOT NULL,
  d4 {text} NOT NULL,
  n {int} NOT NULL`

const schema0110 = `
CREATE TABLE report_org_children (
  young_person_id {uuid} NOT NULL,
  organisation_id {uuid} NOT NULL,
  PRIMARY KEY (young_person_id, organisation_id)
);
CREATE TABLE report_org_counts (
  ` + orgCols0110 + `,
  PRIMARY KEY (organisation_id, kind, month, locality, d1, d2, d3, d4)
);
CREATE TABLE report_org_deltas (
  ` + orgCols0110 + `
);
CREATE TABLE report_org_dirty (
  young_person_id {uuid} NOT NULL
);
CREATE INDEX report_org_dirty_child ON report_org_dirty (young_person_id);
CREATE TABLE report_org_moves (
  young_person_id {uuid} NOT NULL,
  organisation_id {uuid} NOT NULL,
  n {int} NOT NULL
)
`

// ReportOrgLock is the PostgreSQL advisory lock key held by whoever folds the marks into
// report_org_children (or rebuilds the organisations' counts). ReportOrgBucketLock is the first
// key of the two-key advisory locks on children's buckets (the second: ReportOrgBucket).
const (
	ReportOrgLock       = "1100110"
	ReportOrgBucketLock = "1100111"
)

// ReportOrgBucket is the SQL (PostgreSQL) of the lock bucket of the child id expression.
func ReportOrgBucket(child string) string {
	return "(hashtext(CAST(" + child + " AS text)) & 63)"
}

const orgInsert0110 = "INSERT INTO report_org_deltas (organisation_id, kind, month, locality, d1, d2, d3, d4, n) "

// orgSels0110 are the SELECTs, led by org, of every projection of t at both grains.
func orgSels0110(t table0016, org, r, typ, n, from, where string) []string {
	return orgSelsLoc0110(t, org, r, t.loc(), typ, n, from, where)
}

func orgSelsLoc0110(t table0016, org, r, loc, typ, n, from, where string) []string {
	var out []string
	for _, p := range t.projs {
		for _, g := range []struct {
			width int
			kind  string
		}{{7, p.kind}, {4, p.kind + ":y"}} {
			out = append(out, "SELECT "+org+", "+strings.TrimPrefix(p.grainSQL(g.width, g.kind, r, loc, typ, n, from, where), "SELECT "))
		}
	}
	return out
}

// grouped is one INSERT of sels' rows, summed by group on PostgreSQL (SQLite's triggers take no
// column list for a subquery, and its writes are in-process and few).
func grouped0110(pg bool, sels []string) string {
	if !pg {
		return orgInsert0110 + strings.Join(sels, "\nUNION ALL ")
	}
	return orgInsert0110 + "SELECT organisation_id, kind, month, locality, d1, d2, d3, d4, SUM(n) FROM (\n" + strings.Join(sels, "\nUNION ALL ") +
		"\n) AS d (organisation_id, kind, month, locality, d1, d2, d3, d4, n) GROUP BY organisation_id, kind, month, locality, d1, d2, d3, d4"
}

// rowOrgDeltas is the statement appending row r's deltas (n "1" or "-1") for each organisation
// its child is counted under.
func rowOrgDeltas0110(t table0016, r, n string) string {
	return orgInsert0110 + strings.Join(orgSels0110(t, "c.organisation_id", r, referrerTyp, n, " FROM report_org_children c",
		"c.young_person_id = "+r+".young_person_id"), "\nUNION ALL ")
}

func lockShared0110(child string) string {
	return "PERFORM pg_advisory_xact_lock_shared(" + ReportOrgBucketLock + ", " + ReportOrgBucket(child) + ")"
}

// orgRowTriggers0110 are the triggers appending each row of t's deltas under its child's
// organisations. perStatement: on PostgreSQL, inserts append per statement (as 0041/0103 do for
// report_deltas), so that a chunk of rows locks each bucket once and appends its rows summed.
func orgRowTriggers0110(dialect string, t table0016, perStatement bool) []string {
	watch := t.watch
	if !slices.Contains(watch, "young_person_id") {
		watch = append(slices.Clone(watch), "young_person_id")
	}
	name := "report_org_deltas_" + t.name
	del, ins := rowOrgDeltas0110(t, "OLD", "-1"), rowOrgDeltas0110(t, "NEW", "1")
	if dialect != dialectPostgres {
		return []string{
			"CREATE TRIGGER " + name + "_insert AFTER INSERT ON " + t.name + " FOR EACH ROW BEGIN\n" + ins + ";\nEND",
			"CREATE TRIGGER " + name + "_delete AFTER DELETE ON " + t.name + " FOR EACH ROW BEGIN\n" + del + ";\nEND",
			"CREATE TRIGGER " + name + "_update AFTER UPDATE ON " + t.name + " FOR EACH ROW WHEN " + changed0084(dialect, watch) + " BEGIN\n" +
				del + ";\n" + ins + ";\nEND"}
	}
	stmts := []string{"CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n" +
		"IF TG_OP <> 'INSERT' THEN\n" + lockShared0110("OLD.young_person_id") + ";\n" + del + ";\nEND IF;\n" +
		"IF TG_OP <> 'DELETE' THEN\n" + lockShared0110("NEW.young_person_id") + ";\n" + ins + ";\nEND IF;\nRETURN NULL;\nEND\n$fn$",
		"CREATE TRIGGER " + name + "_update AFTER UPDATE ON " + t.name + " FOR EACH ROW WHEN (" + changed0084(dialect, watch) +
			") EXECUTE FUNCTION " + name + "()"}
	if !perStatement {
		return append(stmts, "CREATE TRIGGER "+name+"_write AFTER INSERT OR DELETE ON "+t.name+" FOR EACH ROW EXECUTE FUNCTION "+name+"()")
	}
	return append(stmts,
		"CREATE FUNCTION "+name+"_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
			"PERFORM pg_advisory_xact_lock_shared("+ReportOrgBucketLock+", b) FROM (SELECT DISTINCT "+
			ReportOrgBucket("young_person_id")+" AS b FROM new_rows) x;\n"+
			grouped0110(true, orgSels0110(t, "c.organisation_id", "n", referrerTyp, "1", " FROM new_rows n JOIN report_org_children c ON c.young_person_id = n.young_person_id", ""))+
			";\nRETURN NULL;\nEND\n$fn$",
		"CREATE TRIGGER "+name+"_delete AFTER DELETE ON "+t.name+" FOR EACH ROW EXECUTE FUNCTION "+name+"()",
		"CREATE TRIGGER "+name+"_insert AFTER INSERT ON "+t.name+
			" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "+name+"_inserted()")
}

// orgChildMoves0110 are the statements of a young_people trigger moving t's rows (counted by the
// child's locality) from the child's old locality (OLD) to the new one (NEW), under each
// organisation the child is counted under.
func orgChildMoves0110(pg bool, t table0016) []string {
	var out []string
	for _, s := range [][2]string{{"OLD", "-1"}, {"NEW", "1"}} {
		out = append(out, grouped0110(pg, orgSelsLoc0110(t, "c.organisation_id", "x", "COALESCE("+s[0]+".locality_key, '')", referrerTyp, s[1],
			" FROM "+t.name+" x JOIN report_org_children c ON c.young_person_id = x.young_person_id", "x.young_person_id = NEW.id")))
	}
	return out
}

func triggers0110(db *gorm.DB) error {
	dialect := dialectOf0016(db)
	var stmts []string
	pg := dialect == dialectPostgres
	for _, t := range tables0016 {
		stmts = append(stmts, orgRowTriggers0110(dialect, t, slices.Contains(tables0041, t.name))...)
	}

	// A child moving locality moves its records counted by the child's locality, under each
	// organisation it is counted under; a setting changing type moves the referrals it made.
	var children, settings []string
	for _, t := range tables0016 {
		if t.byChild {
			children = append(children, orgChildMoves0110(pg, t)...)
		}
		if t.name == "referrals" {
			typed := t
			typed.projs = nil
			for _, p := range t.projs {
				if slices.Contains(p.dims[:], "$TYPE") {
					typed.projs = append(typed.projs, p)
				}
			}
			for _, s := range [][2]string{{"OLD", "-1"}, {"NEW", "1"}} {
				settings = append(settings, grouped0110(pg, orgSelsLoc0110(typed, "c.organisation_id", "x", rowLoc, s[0]+".type", s[1],
					" FROM referrals x JOIN report_org_children c ON c.young_person_id = x.young_person_id", "x.referrer_organisation_id = NEW.id")))
			}
		}
	}
	// The involvements: mark the child (both, when one moves between children).
	const mark = "INSERT INTO report_org_dirty (young_person_id) "
	if pg {
		// Every bucket: the setting's referrals may be any child's.
		allBuckets := "PERFORM pg_advisory_xact_lock_shared(" + ReportOrgBucketLock + ", b) FROM generate_series(0, 63) b"
		stmts = append(stmts,
			"CREATE FUNCTION report_org_deltas_young_people() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+lockShared0110("NEW.id")+";\n"+
				strings.Join(children, ";\n")+";\nRETURN NULL;\nEND\n$fn$",
			"CREATE TRIGGER report_org_deltas_young_people_update AFTER UPDATE ON young_people FOR EACH ROW WHEN ("+
				changed0084(dialect, []string{"locality_key"})+") EXECUTE FUNCTION report_org_deltas_young_people()",
			"CREATE FUNCTION report_org_deltas_organisations() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+allBuckets+";\n"+
				strings.Join(settings, ";\n")+";\nRETURN NULL;\nEND\n$fn$",
			"CREATE TRIGGER report_org_deltas_organisations_update AFTER UPDATE ON organisations FOR EACH ROW WHEN ("+
				changed0084(dialect, []string{"type"})+") EXECUTE FUNCTION report_org_deltas_organisations()",
			// Per statement: an import's thousand involvements mark in one INSERT.
			"CREATE FUNCTION report_org_dirty_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
				mark+"SELECT DISTINCT young_person_id FROM new_rows;\nRETURN NULL;\nEND\n$fn$",
			"CREATE FUNCTION report_org_dirty_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
				mark+"SELECT DISTINCT young_person_id FROM old_rows;\nRETURN NULL;\nEND\n$fn$",
			"CREATE FUNCTION report_org_dirty_moved() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
				mark+"VALUES (OLD.young_person_id);\nIF OLD.young_person_id IS DISTINCT FROM NEW.young_person_id THEN\n"+
				mark+"VALUES (NEW.young_person_id);\nEND IF;\nRETURN NULL;\nEND\n$fn$",
			"CREATE TRIGGER report_org_dirty_involvements_insert AFTER INSERT ON involvements REFERENCING NEW TABLE AS new_rows "+
				"FOR EACH STATEMENT EXECUTE FUNCTION report_org_dirty_inserted()",
			"CREATE TRIGGER report_org_dirty_involvements_delete AFTER DELETE ON involvements REFERENCING OLD TABLE AS old_rows "+
				"FOR EACH STATEMENT EXECUTE FUNCTION report_org_dirty_deleted()",
			"CREATE TRIGGER report_org_dirty_involvements_update AFTER UPDATE ON involvements FOR EACH ROW WHEN ("+
				changed0084(dialect, []string{"young_person_id", "organisation_id"})+") EXECUTE FUNCTION report_org_dirty_moved()",
		)
	} else {
		stmts = append(stmts,
			"CREATE TRIGGER report_org_deltas_young_people_update AFTER UPDATE ON young_people FOR EACH ROW WHEN "+
				changed0084(dialect, []string{"locality_key"})+" BEGIN\n"+strings.Join(children, ";\n")+";\nEND",
			"CREATE TRIGGER report_org_deltas_organisations_update AFTER UPDATE ON organisations FOR EACH ROW WHEN "+
				changed0084(dialect, []string{"type"})+" BEGIN\n"+strings.Join(settings, ";\n")+";\nEND",
			"CREATE TRIGGER report_org_dirty_involvements_insert AFTER INSERT ON involvements FOR EACH ROW BEGIN\n"+
				mark+"VALUES (NEW.young_person_id);\nEND",
			"CREATE TRIGGER report_org_dirty_involvements_delete AFTER DELETE ON involvements FOR EACH ROW BEGIN\n"+
				mark+"VALUES (OLD.young_person_id);\nEND",
			"CREATE TRIGGER report_org_dirty_involvements_update AFTER UPDATE ON involvements FOR EACH ROW WHEN "+
				changed0084(dialect, []string{"young_person_id", "organisation_id"})+" BEGIN\n"+
				mark+"VALUES (OLD.young_person_id);\n"+mark+"SELECT NEW.young_person_id WHERE OLD.young_person_id IS NOT NEW.young_person_id;\nEND",
		)
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// BackfillReportOrgCounts fills the organisations' tables afresh from the records and
// involvements, in db's transaction: every child counted under each organisation it has an
// involvement with, nobody marked. The migration runs it, and so does the store's rebuild
// (reports-rebuild, the bench loader), which first locks out the fold and the writers.
func BackfillReportOrgCounts(db *gorm.DB) error {
	for _, s := range []string{"DELETE FROM report_org_dirty", "DELETE FROM report_org_moves", "DELETE FROM report_org_deltas",
		"DELETE FROM report_org_counts", "DELETE FROM report_org_children",
		`INSERT INTO report_org_children (young_person_id, organisation_id) SELECT DISTINCT young_person_id, organisation_id FROM involvements`} {
		if err := db.Exec(s).Error; err != nil {
			return err
		}
	}
	for _, t := range tables0016 {
		for _, sel := range orgSels0110(t, "c.organisation_id", "x", referrerTyp, "COUNT(*)",
			" FROM "+t.name+" x JOIN report_org_children c ON c.young_person_id = x.young_person_id", "") {
			if err := db.Exec("INSERT INTO report_org_counts (organisation_id, kind, month, locality, d1, d2, d3, d4, n) " + sel +
				" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8").Error; err != nil {
				return fmt.Errorf("backfill organisations' %s: %w", t.name, err)
			}
		}
	}
	return nil
}

// AddReportOrgMoves appends, for each pair in report_org_moves (a child and an organisation, n
// +1 or -1), the child's whole present contribution times n to report_org_deltas: the store's
// fold, once it has listed the organisations a child joined or left (the survey answers too, since
// migration 0113). Reasons and stages, which
// have no index by child, are found through their referrals, and only through them: their
// child is their referral's (a merge moves both in one transaction), and saying so again
// (x.young_person_id = m.young_person_id) let PostgreSQL join them to referrals first on both
// columns, estimate a couple of rows, and scan that join's whole result for every child
// moving (120 s for 2,000 children at 80,000 referrals: the plan test, TestListPlans).
//
// On SQLite the joins are written CROSS JOIN, which SQLite takes as the order to join in, and
// each table is read by its index by child: the moves first, then each child's rows. Left to
// itself, with no statistics on the moves, it scanned every reason and stage and looked each
// one's child up among the moves, and read the annual reviews by status, so a fold batch cost as
// much as the council's referrals and reviews (169 ms for 350 children at 20,000 referrals, 38
// ms now). PostgreSQL is held to nested loops by the store's byIndex.
func AddReportOrgMoves(db *gorm.DB) error {
	pg := dialectOf0016(db) == dialectPostgres
	join, byChild := " JOIN ", func(string) string { return "" }
	if !pg {
		join = " CROSS JOIN "
		byChild = func(table string) string { return " INDEXED BY " + table + "_young_person" }
	}
	for _, t := range reportOrgTables {
		from := " FROM report_org_moves m" + join + t.name + " x" + byChild(t.name) + " ON x.young_person_id = m.young_person_id"
		if t.name == "referral_reasons" || t.name == "referral_stages" {
			from = " FROM report_org_moves m" + join + "referrals k" + byChild("referrals") + " ON k.young_person_id = m.young_person_id" +
				join + t.name + " x ON x.referral_id = k.id"
		}
		if err := db.Exec(grouped0110(pg, orgSels0110(t, "m.organisation_id", "x", referrerTyp, "m.n", from, ""))).Error; err != nil {
			return fmt.Errorf("organisations' %s: %w", t.name, err)
		}
	}
	return nil
}

// ReportOrgContributions are SELECTs of the month-grain rows of the children in the list bound
// to the first two ? (one list, given twice), over months [third ?, fourth ?] (YYYY-MM), of the
// kinds given: (young_person_id, kind, month, locality, d1, d2, d3, d4, n). A report corrects an
// organisation's totals with them for the children whose organisations the fold has yet to
// update.
func ReportOrgContributions(kinds []string) []string {
	var out []string
	for _, t := range reportOrgTables {
		for _, p := range t.projs {
			if !slices.Contains(kinds, p.kind) {
				continue
			}
			from := " FROM " + t.name + " x"
			where := "x.young_person_id IN ? AND x.young_person_id IN ?"
			if t.name == "referral_reasons" || t.name == "referral_stages" {
				where = "x.referral_id IN (SELECT k.id FROM referrals k WHERE k.young_person_id IN ?) AND x.young_person_id IN ?"
			}
			date := strings.ReplaceAll(p.date, "$R", "x")
			where += " AND substr(" + date + ", 1, 7) >= ? AND substr(" + date + ", 1, 7) <= ?"
			sel := p.grainSQL(7, p.kind, "x", t.loc(), referrerTyp, "COUNT(*)", from, where)
			out = append(out, "SELECT CAST(x.young_person_id AS text), "+strings.TrimPrefix(sel, "SELECT ")+" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8")
		}
	}
	return out
}
