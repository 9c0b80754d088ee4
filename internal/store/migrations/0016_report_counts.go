package migrations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0016: report_counts holds what the activity, funnel and timeliness reports count, by month
// (YYYY-MM of the date that places a record in a period), locality key (” when none) and up to
// four dimensions; reports read a few hundred of its rows instead of scanning the referrals.
//
// Database triggers keep it current in the transaction of every write, on both databases: each
// insert, delete or relevant update of a base row appends its +1/-1 to report_deltas, which
// nobody else writes to, so concurrent creates never queue on a counter row. Readers add the
// unfolded deltas to the counts, so figures are exact at every moment; a fold (store
// FoldReportDeltas) moves the deltas into report_counts now and then. The migration fills
// report_counts from the rows already there.
//
// What a record counts under (see proj0016): referrals by main reason, by referrer's type, by route
// and by locality name as recorded (one dimension each, so the rows stay few), and the distinct referring settings, by the referral's received_on
// and locality when referred; each reason given; each stage reached with its days from receipt
// and from the stage before (by the referral's received_on); and, by the child's current
// locality, meetings held, disputes received, EHC requests received, decisions (with whether in
// time), first plans issued (in time, week-20 exceptions) and annual reviews decided. A child who
// moves locality, or a setting whose type changes, moves their counts with them.
var m0016 = &gormigrate.Migration{ID: "0016_report_counts", Migrate: migrate0016}

func migrate0016(db *gorm.DB) error {
	dialect := dialectOf0016(db)
	cols := func(typ string) string {
		return `kind text NOT NULL, month text NOT NULL, locality text NOT NULL,
	d1 text NOT NULL, d2 text NOT NULL, d3 text NOT NULL, d4 text NOT NULL, n ` + typ + ` NOT NULL`
	}
	intType := typeNames[dialect]["{int}"]
	stmts := []string{
		`CREATE TABLE report_counts (` + cols(intType) + `, PRIMARY KEY (kind, month, locality, d1, d2, d3, d4))`,
		// No key and no index: rows are only appended by triggers, and read and deleted whole.
		`CREATE TABLE report_deltas (` + cols(intType) + `)`,
	}
	stmts = append(stmts, triggers0016(dialect)...)
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return backfill0016(db)
}

func dialectOf0016(db *gorm.DB) string {
	if db.Name() == dialectPostgres {
		return dialectPostgres
	}
	return dialectSQLite
}

// proj0016 is one thing a row of table counts under. In the SQL, $R stands for the row (NEW, OLD
// or a table alias), $LOC for its locality key and $TYPE for its referrer's organisation type.
type proj0016 struct {
	kind, date, cond string
	dims             [4]string
}

type table0016 struct {
	name string
	// byChild: the locality is the child's current one (young_people), not a column of the row.
	byChild bool
	// watch lists the columns whose change moves the row's counts.
	watch []string
	projs []proj0016
}

const (
	within0016  = "CASE WHEN %s <= %s THEN '1' ELSE '0' END"
	childLoc    = "COALESCE((SELECT y.locality_key FROM young_people y WHERE y.id = $R.young_person_id), '')"
	rowLoc      = "COALESCE($R.locality_key, '')"
	referrerTyp = "COALESCE((SELECT o.type FROM organisations o WHERE o.id = $R.referrer_organisation_id), '')"
)

func in0016(a, b string) string { return fmt.Sprintf(within0016, a, b) }

var tables0016 = []table0016{
	{name: "referrals", watch: []string{"received_on", "main_reason", "route", "locality", "locality_key", "referrer_organisation_id"},
		projs: []proj0016{
			{kind: "referral_main", date: "$R.received_on", dims: [4]string{"$R.main_reason", "''", "''", "''"}},
			{kind: "referral_type", date: "$R.received_on", dims: [4]string{"$TYPE", "''", "''", "''"}},
			{kind: "referral_route", date: "$R.received_on", dims: [4]string{"COALESCE($R.route, '')", "''", "''", "''"}},
			{kind: "referral_locality", date: "$R.received_on", dims: [4]string{"COALESCE($R.locality, '')", "''", "''", "''"}},
			{kind: "setting", date: "$R.received_on", dims: [4]string{"CAST($R.referrer_organisation_id AS text)", "$TYPE", "''", "''"}},
		}},
	{name: "referral_reasons", watch: []string{"reason", "received_on", "locality_key"},
		projs: []proj0016{{kind: "reason", date: "$R.received_on", dims: [4]string{"$R.reason", "''", "''", "''"}}}},
	{name: "referral_stages", watch: []string{"stage", "received_on", "locality_key", "days_from_received", "days_from_previous"},
		projs: []proj0016{
			{kind: "stage_received", date: "$R.received_on", dims: [4]string{"$R.stage", "CAST($R.days_from_received AS text)", "''", "''"}},
			{kind: "stage_previous", date: "$R.received_on", cond: "$R.days_from_previous IS NOT NULL",
				dims: [4]string{"$R.stage", "CAST($R.days_from_previous AS text)", "''", "''"}},
		}},
	{name: "meetings", byChild: true, watch: []string{"type", "held_on", "young_person_id"},
		projs: []proj0016{{kind: "meeting", date: "$R.held_on", dims: [4]string{"$R.type", "''", "''", "''"}}}},
	{name: "disputes", byChild: true, watch: []string{"kind", "received_on", "young_person_id"},
		projs: []proj0016{{kind: "dispute", date: "$R.received_on", dims: [4]string{"$R.kind", "''", "''", "''"}}}},
	{name: "ehc_requests", byChild: true, watch: []string{"received_on", "decision", "decided_on", "decision_raw_due_on", "decision_due_on",
		"plan_issued_on", "final_plan_raw_due_on", "final_plan_due_on", "week20", "young_person_id"},
		projs: []proj0016{
			{kind: "ehc_received", date: "$R.received_on", dims: [4]string{"''", "''", "''", "''"}},
			{kind: "ehc_decided", date: "$R.decided_on", dims: [4]string{"COALESCE($R.decision, '')",
				in0016("$R.decided_on", "$R.decision_raw_due_on"), in0016("$R.decided_on", "$R.decision_due_on"), "''"}},
			{kind: "ehc_plan", date: "$R.plan_issued_on", dims: [4]string{in0016("$R.plan_issued_on", "$R.final_plan_raw_due_on"),
				in0016("$R.plan_issued_on", "$R.final_plan_due_on"), "CASE WHEN NOT $R.week20 THEN '1' ELSE '0' END", "''"}},
		}},
	{name: "annual_reviews", byChild: true, watch: []string{"status", "decided_on", "meeting_on", "due_on", "decision_due_on", "young_person_id"},
		projs: []proj0016{{kind: "review", date: "$R.decided_on", cond: "$R.status = 'decided'",
			dims: [4]string{in0016("$R.meeting_on", "$R.due_on"), in0016("$R.decided_on", "$R.decision_due_on"), "''", "''"}}}},
}

// grains are the statements for both grains of p: the month ('YYYY-MM', kind) and the year
// ('YYYY', kind + ":y"), so that a decade reads ten rows where it would read 120. build makes one
// statement from a SELECT.
func (p proj0016) grains(build func(sel string) string, r, loc, typ, n, from, where string) []string {
	return []string{build(p.grainSQL(7, p.kind, r, loc, typ, n, from, where)), build(p.grainSQL(4, p.kind+":y", r, loc, typ, n, from, where))}
}

// grainSQL is the SELECT of p's rows at one grain (width 7: YYYY-MM, 4: YYYY): (kind, month,
// locality, d1..d4, n) for row alias r, with loc and typ the locality and referrer type
// expressions, n the count expression and from an optional FROM clause (with its own conditions
// in where).
func (p proj0016) grainSQL(width int, kind, r, loc, typ, n, from, where string) string {
	sub := func(s string) string {
		s = strings.ReplaceAll(s, "$LOC", loc)
		s = strings.ReplaceAll(s, "$TYPE", typ)
		return strings.ReplaceAll(s, "$R", r)
	}
	conds := []string{sub(p.date) + " IS NOT NULL"}
	if p.cond != "" {
		conds = append(conds, sub(p.cond))
	}
	if where != "" {
		conds = append(conds, where)
	}
	return "SELECT '" + kind + "', substr(" + sub(p.date) + ", 1, " + fmt.Sprint(width) + "), " + sub("$LOC") + ", " +
		sub(p.dims[0]) + ", " + sub(p.dims[1]) + ", " + sub(p.dims[2]) + ", " + sub(p.dims[3]) + ", " + n +
		from + " WHERE " + strings.Join(conds, " AND ")
}

const deltaInsert0016 = "INSERT INTO report_deltas (kind, month, locality, d1, d2, d3, d4, n) "

func deltas0016(sel string) string { return deltaInsert0016 + sel }

func (t table0016) loc() string {
	if t.byChild {
		return childLoc
	}
	return rowLoc
}

// rowDeltas is the statement appending row r's deltas (n is "1" or "-1"): one INSERT of a UNION
// ALL, since each statement a trigger runs costs more than the rows it writes.
func (t table0016) rowDeltas(r, n string) []string {
	var sels []string
	for _, p := range t.projs {
		sels = append(sels, p.grains(func(sel string) string { return sel }, r, t.loc(), referrerTyp, n, "", "")...)
	}
	return []string{deltaInsert0016 + strings.Join(sels, "\nUNION ALL ")}
}

// moves are the statements that move counts when a child changes locality or a setting changes
// type: each row concerned leaves the old value (OLD) and joins the new one (NEW).
func moves0016() (children, settings []string) {
	for _, t := range tables0016 {
		for _, p := range t.projs {
			if t.byChild {
				for _, s := range [][2]string{{"OLD", "-1"}, {"NEW", "1"}} {
					children = append(children, p.grains(deltas0016, "x", "COALESCE("+s[0]+".locality_key, '')", referrerTyp, s[1],
						" FROM "+t.name+" x", "x.young_person_id = NEW.id")...)
				}
			}
			if t.name == "referrals" && slices.Contains(p.dims[:], "$TYPE") {
				for _, s := range [][2]string{{"OLD", "-1"}, {"NEW", "1"}} {
					settings = append(settings, p.grains(deltas0016, "x", rowLoc, s[0]+".type", s[1],
						" FROM referrals x", "x.referrer_organisation_id = NEW.id")...)
				}
			}
		}
	}
	return children, settings
}

func triggers0016(dialect string) []string {
	children, settings := moves0016()
	type trig struct {
		name, table, when string
		onWrite           bool
		del, ins          []string // statements for the old row, the new row
	}
	var all []trig
	for _, t := range tables0016 {
		var changed []string
		for _, c := range t.watch {
			if dialect == dialectPostgres {
				changed = append(changed, "OLD."+c+" IS DISTINCT FROM NEW."+c)
			} else {
				changed = append(changed, "OLD."+c+" IS NOT NEW."+c)
			}
		}
		all = append(all, trig{name: "report_deltas_" + t.name, table: t.name, when: strings.Join(changed, " OR "), onWrite: true,
			del: t.rowDeltas("OLD", "-1"), ins: t.rowDeltas("NEW", "1")})
	}
	moved := func(col string) string {
		if dialect == dialectPostgres {
			return "OLD." + col + " IS DISTINCT FROM NEW." + col
		}
		return "OLD." + col + " IS NOT NEW." + col
	}
	all = append(all, trig{name: "report_deltas_young_people", table: "young_people", when: moved("locality_key"), ins: children},
		trig{name: "report_deltas_organisations", table: "organisations", when: moved("type"), ins: settings})

	var out []string
	for _, tg := range all {
		if dialect == dialectPostgres {
			body := "BEGIN\n"
			if len(tg.del) > 0 {
				body += "IF TG_OP <> 'INSERT' THEN\n" + strings.Join(tg.del, ";\n") + ";\nEND IF;\n"
			}
			body += "IF TG_OP <> 'DELETE' THEN\n" + strings.Join(tg.ins, ";\n") + ";\nEND IF;\nRETURN NULL;\nEND"
			out = append(out, "CREATE FUNCTION "+tg.name+"() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"+body+"\n$fn$")
			if tg.onWrite {
				out = append(out, "CREATE TRIGGER "+tg.name+"_write AFTER INSERT OR DELETE ON "+tg.table+
					" FOR EACH ROW EXECUTE FUNCTION "+tg.name+"()")
			}
			out = append(out, "CREATE TRIGGER "+tg.name+"_update AFTER UPDATE ON "+tg.table+" FOR EACH ROW WHEN ("+tg.when+
				") EXECUTE FUNCTION "+tg.name+"()")
			continue
		}
		if tg.onWrite {
			out = append(out,
				"CREATE TRIGGER "+tg.name+"_insert AFTER INSERT ON "+tg.table+" FOR EACH ROW BEGIN\n"+strings.Join(tg.ins, ";\n")+";\nEND",
				"CREATE TRIGGER "+tg.name+"_delete AFTER DELETE ON "+tg.table+" FOR EACH ROW BEGIN\n"+strings.Join(tg.del, ";\n")+";\nEND")
		}
		out = append(out, "CREATE TRIGGER "+tg.name+"_update AFTER UPDATE ON "+tg.table+" FOR EACH ROW WHEN "+tg.when+" BEGIN\n"+
			strings.Join(append(append([]string{}, tg.del...), tg.ins...), ";\n")+";\nEND")
	}
	return out
}

// backfill0016 fills report_counts from the base tables.
func backfill0016(db *gorm.DB) error {
	for _, t := range tables0016 {
		for _, p := range t.projs {
			for _, s := range p.grains(func(sel string) string {
				return "INSERT INTO report_counts (kind, month, locality, d1, d2, d3, d4, n) " + sel + " GROUP BY 1, 2, 3, 4, 5, 6, 7"
			}, "x", t.loc(), referrerTyp, "COUNT(*)", " FROM "+t.name+" x", "") {
				if err := db.Exec(s).Error; err != nil {
					return fmt.Errorf("backfill %s: %w", p.kind, err)
				}
			}
		}
	}
	return nil
}

// RebuildReportCounts recomputes report_counts from the base tables and empties report_deltas,
// in db's transaction, with the definitions of the triggers installed by the latest migration
// that set them (0016 until a later one says otherwise). On PostgreSQL it first takes an
// exclusive lock on report_deltas, so writers wait for the rebuild and none is counted twice or
// lost.
func RebuildReportCounts(db *gorm.DB) error {
	if dialectOf0016(db) == dialectPostgres {
		if err := db.Exec("LOCK TABLE report_deltas IN EXCLUSIVE MODE").Error; err != nil {
			return err
		}
		if err := db.Exec("SELECT pg_advisory_xact_lock(" + ReportFoldLock + ")").Error; err != nil {
			return err
		}
	}
	for _, s := range []string{"DELETE FROM report_deltas", "DELETE FROM report_counts"} {
		if err := db.Exec(s).Error; err != nil {
			return err
		}
	}
	return backfill0016(db)
}

// ReportFoldLock is the PostgreSQL advisory lock key held by whoever folds report_deltas into
// report_counts (or rebuilds them), so two folds never upsert the same rows in different orders.
const ReportFoldLock = "160016"
