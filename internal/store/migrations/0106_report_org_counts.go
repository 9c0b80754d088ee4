package migrations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0106: the activity, funnel, timeliness and experience reports for one organisation read
// maintained counts too (OnePlan issue 13), where they scanned the records of every child the
// organisation is involved with (the council is involved with nearly all of them).
//
// An organisation's children are those with an involvement row for it, ended or not (the
// reports' rule). report_org_members holds, per young person and organisation, how many such
// rows there are; report_org_counts and report_org_deltas are report_counts and report_deltas
// (migrations 0016, 0084) with the organisation first: each record counts, under the same kinds
// and dimensions, once for every organisation involved with its child. Triggers keep them exact
// in the writer's transaction, on both databases:
//   - a record inserted, deleted or changed (or moved to another child) appends its +1/-1 for
//     each organisation of its child (0016's projections, survey answers as 0084's "answer");
//   - an organisation's first involvement with a child adds the child's whole contribution for
//     it, and its last one leaving (deleted, or moved by a merge) takes it away;
//   - a child moving locality, or a setting changing type, moves the counts as in 0016.
//
// On PostgreSQL a record's trigger and an involvement's would each miss the other's uncommitted
// row, so every one of them first locks the child's young_people row (FOR NO KEY UPDATE, which
// foreign key checks do not wait for): writes to one child's reports take turns, and whoever
// comes second reads what the first committed. Locks held in the rows cost no shared memory,
// however many children an import touches.
var m0106 = &gormigrate.Migration{ID: "0106_report_org_counts", Migrate: then(ddl(schema0106, nil), triggers0106, BackfillOrgCounts)}

const orgCols0106 = `organisation_id {uuid} NOT NULL,
  kind {text} NOT NULL,
  month {text} NOT NULL,
  locality {text} NOT NULL,
  d1 {text} NOT NULL,
  d2 {text} NOT NULL,
  d3 {text} NOT NULL,
  d4 {text} NOT NULL,
  n {int} NOT NULL`

const schema0106 = `
CREATE TABLE report_org_members (
  young_person_id {uuid} NOT NULL,
  organisation_id {uuid} NOT NULL,
  n {int} NOT NULL,
  PRIMARY KEY (young_person_id, organisation_id)
);
CREATE TABLE report_org_counts (
  ` + orgCols0106 + `,
  PRIMARY KEY (organisation_id, kind, month, locality, d1, d2, d3, d4)
);
CREATE TABLE report_org_deltas (
  ` + orgCols0106 + `
);
CREATE INDEX survey_answers_young_person ON survey_answers (young_person_id)
`

// orgSource0106 is a table whose rows the reports count, as an organisation's counts see it.
type orgSource0106 struct {
	table, loc string
	projs      []proj0016
	// watch: the columns whose change moves the row's counts, its young person among them.
	watch []string
	// byChild: the locality is the child's current one; byReferral: a reason or a stage, found
	// by child through its referral (it has no index by child).
	byChild, byReferral bool
}

// sources0106 are 0016's tables and 0084's answers (the per-locality kind: an organisation
// never sees an anonymous answer).
func sources0106() []orgSource0106 {
	var out []orgSource0106
	for _, t := range tables0016 {
		watch := t.watch
		if !slices.Contains(watch, "young_person_id") {
			watch = append(slices.Clone(watch), "young_person_id")
		}
		out = append(out, orgSource0106{table: t.name, loc: t.loc(), projs: t.projs, watch: watch, byChild: t.byChild,
			byReferral: t.name == "referral_reasons" || t.name == "referral_stages"})
	}
	return append(out, orgSource0106{table: "survey_answers", loc: answerLoc0084, projs: []proj0016{answerProj0084("answer")},
		watch: answerWatch0084, byChild: true})
}

const orgInsert0106 = "INSERT INTO report_org_deltas (organisation_id, kind, month, locality, d1, d2, d3, d4, n) "

// sels are the SELECTs of s's rows at both grains of every projection, each led by org (the
// organisation expression): r is the row, loc and typ its locality and referrer type, n the count,
// from and where as grainSQL takes them.
func (s orgSource0106) sels(org, r, loc, typ, n, from, where string) []string {
	var out []string
	for _, p := range s.projs {
		for _, g := range []struct {
			width int
			kind  string
		}{{7, p.kind}, {4, p.kind + ":y"}} {
			out = append(out, "SELECT "+org+", "+strings.TrimPrefix(p.grainSQL(g.width, g.kind, r, loc, typ, n, from, where), "SELECT "))
		}
	}
	return out
}

// rowDeltas is the statement appending row r's deltas (n "1" or "-1") for each organisation of
// its child.
func (s orgSource0106) rowDeltas(r, n string) string {
	return orgInsert0106 + strings.Join(s.sels("i.organisation_id", r, s.loc, referrerTyp, n, " FROM report_org_members i",
		"i.young_person_id = "+r+".young_person_id"), "\nUNION ALL ")
}

// contribution is the statement appending every count of child x.young_person_id for
// organisation x.organisation_id (x an involvement: NEW or OLD), times n, if the child's
// involvements with it number members.
func contribution0106(x, n, members string) string {
	child := x + ".young_person_id"
	var sels []string
	for _, s := range sources0106() {
		where := "x.young_person_id = " + child
		if s.byReferral {
			where += " AND x.referral_id IN (SELECT k.id FROM referrals k WHERE k.young_person_id = " + child + ")"
		}
		where += " AND (SELECT m.n FROM report_org_members m WHERE m.young_person_id = " + child + " AND m.organisation_id = " +
			x + ".organisation_id) = " + members
		sels = append(sels, s.sels(x+".organisation_id", "x", s.loc, referrerTyp, n, " FROM "+s.table+" x", where)...)
	}
	return orgInsert0106 + strings.Join(sels, "\nUNION ALL ")
}

// joined0106 is the statements for an involvement x joining its organisation's team (the
// contribution once it is the first) and leaving it (taken away once it was the last).
func joined0106(x string) []string {
	key := "young_person_id = " + x + ".young_person_id AND organisation_id = " + x + ".organisation_id"
	return []string{
		"INSERT INTO report_org_members (young_person_id, organisation_id, n) VALUES (" + x + ".young_person_id, " + x +
			".organisation_id, 0) ON CONFLICT (young_person_id, organisation_id) DO NOTHING",
		"UPDATE report_org_members SET n = n + 1 WHERE " + key,
		contribution0106(x, "1", "1"),
	}
}

func left0106(x string) []string {
	key := "young_person_id = " + x + ".young_person_id AND organisation_id = " + x + ".organisation_id"
	return []string{
		"UPDATE report_org_members SET n = n - 1 WHERE " + key,
		contribution0106(x, "-1", "0"),
		"DELETE FROM report_org_members WHERE " + key + " AND n = 0",
	}
}

// moves0106: a child changing locality moves their counts (byChild sources) for each of their
// organisations; a setting changing type moves its referrals' counts that name the type.
func moves0106() (children, settings []string) {
	for _, s := range sources0106() {
		from := " FROM " + s.table + " x JOIN report_org_members i ON i.young_person_id = x.young_person_id"
		for _, o := range [][2]string{{"OLD", "-1"}, {"NEW", "1"}} {
			if s.byChild {
				children = append(children, orgInsert0106+strings.Join(s.sels("i.organisation_id", "x", "COALESCE("+o[0]+".locality_key, '')",
					referrerTyp, o[1], from, "x.young_person_id = NEW.id"), "\nUNION ALL "))
			}
			if s.table == "referrals" {
				typed := s
				typed.projs = nil
				for _, p := range s.projs {
					if slices.Contains(p.dims[:], "$TYPE") {
						typed.projs = append(typed.projs, p)
					}
				}
				settings = append(settings, orgInsert0106+strings.Join(typed.sels("i.organisation_id", "x", s.loc, o[0]+".type", o[1], from,
					"x.referrer_organisation_id = NEW.id"), "\nUNION ALL "))
			}
		}
	}
	return children, settings
}

// lock0106 is PostgreSQL's statement locking the young_people rows of ids (a SELECT of ids).
func lock0106(ids string) string {
	return "PERFORM 1 FROM young_people WHERE id IN (" + ids + ") ORDER BY id FOR NO KEY UPDATE"
}

func changed0106(pg bool, cols []string) string {
	var out []string
	for _, c := range cols {
		if pg {
			out = append(out, "OLD."+c+" IS DISTINCT FROM NEW."+c)
		} else {
			out = append(out, "OLD."+c+" IS NOT NEW."+c)
		}
	}
	return strings.Join(out, " OR ")
}

// plpgsql0106 is a trigger function of the statements for the old row and the new one.
func plpgsql0106(name string, del, ins []string) string {
	body := "BEGIN\n"
	if len(del) > 0 {
		body += "IF TG_OP <> 'INSERT' THEN\n" + strings.Join(del, ";\n") + ";\nEND IF;\n"
	}
	if len(ins) > 0 {
		body += "IF TG_OP <> 'DELETE' THEN\n" + strings.Join(ins, ";\n") + ";\nEND IF;\n"
	}
	return "CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $fn$\n" + body + "RETURN NULL;\nEND\n$fn$"
}

// sqlite0106 is a row trigger running stmts.
func sqlite0106(name, event, table, when string, stmts []string) string {
	w := ""
	if when != "" {
		w = " WHEN " + when
	}
	return "CREATE TRIGGER " + name + " AFTER " + event + " ON " + table + " FOR EACH ROW" + w + " BEGIN\n" + strings.Join(stmts, ";\n") + ";\nEND"
}

func statements0106(pg bool) []string {
	var out []string
	lockRow := func(r string) string { return lock0106("SELECT " + r + ".young_person_id") }
	for _, s := range sources0106() {
		name := "report_org_deltas_" + s.table
		when := changed0106(pg, s.watch)
		del, ins := s.rowDeltas("OLD", "-1"), s.rowDeltas("NEW", "1")
		if !pg {
			out = append(out, sqlite0106(name+"_insert", "INSERT", s.table, "", []string{ins}),
				sqlite0106(name+"_delete", "DELETE", s.table, "", []string{del}),
				sqlite0106(name+"_update", "UPDATE", s.table, when, []string{del, ins}))
			continue
		}
		out = append(out, plpgsql0106(name, []string{lockRow("OLD"), del}, []string{lockRow("NEW"), ins}))
		if slices.Contains(tables0041, s.table) {
			// As 0041: a multi-row insert (an import) appends its deltas in one statement.
			sels := s.sels("i.organisation_id", "n", s.loc, referrerTyp, "1", " FROM new_rows n JOIN report_org_members i ON i.young_person_id = n.young_person_id", "")
			out = append(out, "CREATE FUNCTION "+name+"_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"+
				lock0106("SELECT young_person_id FROM new_rows")+";\n"+orgInsert0106+strings.Join(sels, "\nUNION ALL ")+";\nRETURN NULL;\nEND\n$fn$",
				"CREATE TRIGGER "+name+"_insert AFTER INSERT ON "+s.table+" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "+name+"_inserted()",
				"CREATE TRIGGER "+name+"_delete AFTER DELETE ON "+s.table+" FOR EACH ROW EXECUTE FUNCTION "+name+"()")
		} else {
			out = append(out, "CREATE TRIGGER "+name+"_write AFTER INSERT OR DELETE ON "+s.table+" FOR EACH ROW EXECUTE FUNCTION "+name+"()")
		}
		out = append(out, "CREATE TRIGGER "+name+"_update AFTER UPDATE ON "+s.table+" FOR EACH ROW WHEN ("+when+") EXECUTE FUNCTION "+name+"()")
	}

	// Involvements: an organisation joins or leaves a child's team.
	team := changed0106(pg, []string{"young_person_id", "organisation_id"})
	children, settings := moves0106()
	locality := changed0106(pg, []string{"locality_key"})
	typ := changed0106(pg, []string{"type"})
	if !pg {
		return append(out,
			sqlite0106("report_org_members_insert", "INSERT", "involvements", "", joined0106("NEW")),
			sqlite0106("report_org_members_delete", "DELETE", "involvements", "", left0106("OLD")),
			sqlite0106("report_org_members_update", "UPDATE", "involvements", team, append(left0106("OLD"), joined0106("NEW")...)),
			sqlite0106("report_org_deltas_young_people_update", "UPDATE", "young_people", locality, children),
			sqlite0106("report_org_deltas_organisations_update", "UPDATE", "organisations", typ, settings))
	}
	return append(out,
		plpgsql0106("report_org_members", append([]string{lockRow("OLD")}, left0106("OLD")...), append([]string{lockRow("NEW")}, joined0106("NEW")...)),
		"CREATE TRIGGER report_org_members_write AFTER INSERT OR DELETE ON involvements FOR EACH ROW EXECUTE FUNCTION report_org_members()",
		"CREATE TRIGGER report_org_members_update AFTER UPDATE ON involvements FOR EACH ROW WHEN ("+team+") EXECUTE FUNCTION report_org_members()",
		plpgsql0106("report_org_deltas_young_people", nil, children),
		"CREATE TRIGGER report_org_deltas_young_people_update AFTER UPDATE ON young_people FOR EACH ROW WHEN ("+locality+
			") EXECUTE FUNCTION report_org_deltas_young_people()",
		plpgsql0106("report_org_deltas_organisations", nil,
			append([]string{lock0106("SELECT young_person_id FROM referrals WHERE referrer_organisation_id = NEW.id")}, settings...)),
		"CREATE TRIGGER report_org_deltas_organisations_update AFTER UPDATE ON organisations FOR EACH ROW WHEN ("+typ+
			") EXECUTE FUNCTION report_org_deltas_organisations()")
}

func triggers0106(db *gorm.DB) error {
	for _, s := range statements0106(db.Name() == dialectPostgres) {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// BackfillOrgCounts fills report_org_members from the involvements and report_org_counts from the
// records, in db's transaction; both must be empty (RebuildOrgCounts empties them).
func BackfillOrgCounts(db *gorm.DB) error {
	if err := db.Exec(`INSERT INTO report_org_members (young_person_id, organisation_id, n)
		SELECT young_person_id, organisation_id, COUNT(*) FROM involvements GROUP BY young_person_id, organisation_id`).Error; err != nil {
		return fmt.Errorf("backfill report_org_members: %w", err)
	}
	for _, s := range sources0106() {
		for _, sel := range s.sels("i.organisation_id", "x", s.loc, referrerTyp, "COUNT(*)",
			" FROM "+s.table+" x JOIN report_org_members i ON i.young_person_id = x.young_person_id", "") {
			if err := db.Exec("INSERT INTO report_org_counts (organisation_id, kind, month, locality, d1, d2, d3, d4, n) " + sel +
				" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8").Error; err != nil {
				return fmt.Errorf("backfill report_org_counts from %s: %w", s.table, err)
			}
		}
	}
	return nil
}

// RebuildOrgCounts recomputes report_org_members and report_org_counts and empties
// report_org_deltas, in db's transaction. On PostgreSQL writers wait for it (the tables locked
// in the order an involvement's trigger writes them).
func RebuildOrgCounts(db *gorm.DB) error {
	if dialectOf0016(db) == dialectPostgres {
		if err := db.Exec("LOCK TABLE report_org_members, report_org_deltas IN EXCLUSIVE MODE").Error; err != nil {
			return err
		}
	}
	for _, s := range []string{"DELETE FROM report_org_deltas", "DELETE FROM report_org_counts", "DELETE FROM report_org_members"} {
		if err := db.Exec(s).Error; err != nil {
			return err
		}
	}
	return BackfillOrgCounts(db)
}
