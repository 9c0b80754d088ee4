package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
)

// An organisation's activity, funnel, timeliness and experience read report_org_counts and
// report_org_deltas (migrations 0110 and 0113): the totals of the children counted under it in
// report_org_children, which only the fold below changes. Involvements mark their child with
// their organisation (migration 0114); the fold compares a marked child's organisations now with
// those it is counted under and adds or takes away its whole contribution for the difference. A
// report corrects its organisation's totals for the children still marked with it, or, with more
// of them than reportOrgScanAbove, scans the records as before.

var (
	// reportOrgFoldBatch is how many marks one of the whole fold's transactions takes. A
	// transaction holds the buckets of its children until it commits, and a writer of a child in
	// one waits for it: batches of 5,000 took about 2 s each at a million referrals, and the
	// creates that met one, once a minute, had a p99 of 1.2-2.0 s (pgbench's 0.15 s).
	reportOrgFoldBatch = 64
	// reportOrgFoldFor bounds the whole fold's time: under steady writes what is left waits for
	// the next one (and the early fold).
	reportOrgFoldFor = 30 * time.Second
	// reportOrgScanAbove: with more of its children marked than this an organisation's reports
	// scan the records rather than correct the totals child by child.
	reportOrgScanAbove = 5000
)

// FoldReportOrgs brings report_org_children up to date for the children marked since the last
// fold, in batches of a transaction each, returning how many children it looked at. On
// PostgreSQL a child whose bucket a writer holds is left marked for the next fold, and the fold
// goes on past it (for at most reportOrgFoldFor).
func (s *Store) FoldReportOrgs(ctx context.Context) (int, error) {
	return s.foldReportOrgsBy(ctx, reportOrgFoldBatch, time.Now().Add(reportOrgFoldFor))
}

// FoldMarkedChildren is FoldReportOrgs in small batches, for the server's early fold, for at
// most budget: a batch holds the locks of the buckets its children fall in (a 64th of all
// children each) until it commits, and a writer of a child in one of them waits for it. Batches
// of 5,000, run every few seconds through a burst of creates, made their p99 6.6 s. It goes on
// past the buckets it found busy, leaving their children for the next look (under steady writes
// nearly every batch meets one, and stopping there folded 32 children a look while hundreds were
// marked a second).
func (s *Store) FoldMarkedChildren(ctx context.Context, budget time.Duration) (int, error) {
	return s.foldReportOrgsBy(ctx, reportOrgEarlyBatch, time.Now().Add(budget))
}

// reportOrgEarlyBatch is how many marks one of FoldMarkedChildren's transactions takes.
var reportOrgEarlyBatch = 32

// foldReportOrgsBy folds batches of at most batch marks, a transaction each, until a batch is
// short or until has passed, skipping the buckets found busy from then on (without the skip,
// the next batch would find their children again).
func (s *Store) foldReportOrgsBy(ctx context.Context, batch int, until time.Time) (int, error) {
	total := 0
	var skip []int
	for {
		var children, seen int
		var busy []int
		err := s.transaction(ctx, func(db *gorm.DB) (err error) {
			children, seen, busy, err = foldReportOrgs(db, s.dialect, batch, skip)
			return err
		})
		total += children
		if err != nil {
			return total, translate(err)
		}
		if seen < batch || !time.Now().Before(until) {
			return total, nil
		}
		skip = append(skip, busy...)
	}
}

// foldReportOrgs folds at most limit marks in db's transaction, none in the buckets in skip:
// how many children it folded, how many marks it saw, and the buckets it found busy.
func foldReportOrgs(db *gorm.DB, dialect string, limit int, skip []int) (children, seen int, busy []int, err error) {
	var ids []string
	if dialect == Postgres {
		if err := db.Exec("SELECT pg_advisory_xact_lock(" + migrations.ReportOrgLock + ")").Error; err != nil {
			return 0, 0, nil, err
		}
		var cands []struct {
			ID     string
			Bucket int
		}
		bucket := migrations.ReportOrgBucket("young_person_id")
		if err := db.Raw(`SELECT CAST(young_person_id AS text) AS id, `+bucket+` AS bucket
			FROM report_org_dirty WHERE NOT (`+bucket+` = ANY(CAST(? AS int[]))) LIMIT ?`, intArray(skip), limit).Scan(&cands).Error; err != nil {
			return 0, 0, nil, err
		}
		seen = len(cands)
		var buckets []int
		for _, c := range cands {
			buckets = append(buckets, c.Bucket)
		}
		slices.Sort(buckets)
		buckets = slices.Compact(buckets)
		// Each bucket tried once, never waited for: a writer holding it has read the child's
		// organisations and must commit its deltas before they change.
		var got []int
		if len(buckets) > 0 {
			if err := db.Raw(`SELECT b FROM unnest(CAST(? AS int[])) AS b WHERE pg_try_advisory_xact_lock(`+migrations.ReportOrgBucketLock+`, b)`,
				intArray(buckets)).Scan(&got).Error; err != nil {
				return 0, 0, nil, err
			}
		}
		for _, c := range cands {
			if slices.Contains(got, c.Bucket) {
				ids = append(ids, c.ID)
			} else if !slices.Contains(busy, c.Bucket) {
				busy = append(busy, c.Bucket)
			}
		}
	} else {
		if err := db.Raw(`SELECT CAST(young_person_id AS text) FROM report_org_dirty LIMIT ?`, limit).Scan(&ids).Error; err != nil {
			return 0, 0, nil, err
		}
		seen = len(ids)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for chunk := range slices.Chunk(ids, transitionChunk) {
		// Unmarked before their involvements are read: an involvement committed after this
		// leaves its mark for the next fold.
		if err := db.Exec(`DELETE FROM report_org_dirty WHERE young_person_id IN ?`, chunk).Error; err != nil {
			return 0, seen, busy, err
		}
		if err := refreshReportOrgs(db, chunk); err != nil {
			return 0, seen, busy, err
		}
	}
	return len(ids), seen, busy, nil
}

// intArray is ns as a PostgreSQL int[] literal.
func intArray(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// refreshReportOrgs counts the children with the ids given under the organisations they have an
// involvement with now, and no longer under the others, in db's transaction.
func refreshReportOrgs(db *gorm.DB, ids []string) error {
	counted, err := childOrgs(db, "report_org_children", ids)
	if err != nil {
		return err
	}
	present, err := childOrgs(db, "involvements", ids)
	if err != nil {
		return err
	}
	type move struct {
		child, org string
		n          int
	}
	var moves []move
	for _, id := range ids {
		for _, o := range present[id] {
			if !slices.Contains(counted[id], o) {
				moves = append(moves, move{id, o, 1})
			}
		}
		for _, o := range counted[id] {
			if !slices.Contains(present[id], o) {
				moves = append(moves, move{id, o, -1})
			}
		}
	}
	if len(moves) == 0 {
		return nil
	}
	if err := insertRows(db, "INSERT INTO report_org_moves (young_person_id, organisation_id, n) VALUES ", "(?, ?, ?)", "",
		moves, func(m move) []any { return []any{m.child, m.org, m.n} }); err != nil {
		return err
	}
	// The pairs leaving, looked up by the primary key. Written as a correlated EXISTS, SQLite ran it
	// for every child counted under any organisation (1.4 s a batch at 67,000 of them).
	leave := `DELETE FROM report_org_children WHERE (young_person_id, organisation_id) IN
				(SELECT young_person_id, organisation_id FROM report_org_moves WHERE n < 0)`
	return byIndex(db, func() error {
		if err := migrations.AddReportOrgMoves(db); err != nil {
			return err
		}
		for _, s := range []string{
			leave,
			`INSERT INTO report_org_children (young_person_id, organisation_id) SELECT young_person_id, organisation_id FROM report_org_moves WHERE n > 0`,
			`DELETE FROM report_org_moves`,
		} {
			if err := db.Exec(s).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// byIndex runs fn, the fold's statements over report_org_moves (the moves' contributions, then
// report_org_children brought up to date). On PostgreSQL they find the rows of the children moving
// through their indexes, whatever the planner reckons: report_org_moves is empty between folds,
// so it has no statistics, and the statements were planned as hash joins reading every referral
// (and every stage, plan and request) once a projection, and every row of report_org_children:
// a fold batch of 5,000 children took 4.1 s at 200,000 referrals, and more with every referral,
// where index lookups take 0.8 s, however many referrals there are (and the early fold's batches
// of 32 each paid the same scans). So the moves are counted first, and for these statements
// alone the joins are nested loops.
//
// The planner settings the transaction had are put back after, not forced on: a database or
// role may have turned a join method off on purpose.
func byIndex(db *gorm.DB, fn func() error) error {
	if db.Name() != Postgres {
		return fn()
	}
	if err := db.Exec("ANALYSE report_org_moves").Error; err != nil {
		return err
	}
	was, err := joinSettings(db)
	if err != nil {
		return err
	}
	set := func(hash, merge string) error {
		return db.Exec(`SELECT set_config('enable_hashjoin', ?, true), set_config('enable_mergejoin', ?, true)`, hash, merge).Error
	}
	if err := set("off", "off"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	return set(was[0], was[1])
}

// joinSettings reads the transaction's enable_hashjoin and enable_mergejoin, in that order.
func joinSettings(db *gorm.DB) ([2]string, error) {
	var s struct{ Hash, Merge string }
	err := db.Raw(`SELECT current_setting('enable_hashjoin') AS hash, current_setting('enable_mergejoin') AS merge`).Scan(&s).Error
	return [2]string{s.Hash, s.Merge}, err
}

// rebuildReportOrgs fills the organisations' tables afresh, in db's transaction, with the fold
// and the writers locked out on PostgreSQL (the fold's lock first, as the fold takes it first).
func rebuildReportOrgs(db *gorm.DB, dialect string) error {
	if dialect == Postgres {
		for _, s := range []string{"SELECT pg_advisory_xact_lock(" + migrations.ReportOrgLock + ")",
			"LOCK TABLE report_org_deltas, report_org_dirty IN EXCLUSIVE MODE"} {
			if err := db.Exec(s).Error; err != nil {
				return err
			}
		}
	}
	if err := migrations.BackfillReportOrgCounts(db); err != nil {
		return err
	}
	return migrations.BackfillReportOrgAnswers(db)
}

// orgTotals are an organisation's totals for some kinds and months, and the correction for
// the children still marked: +1 adds a child's records (involved with the organisation now, not
// yet counted under it), -1 takes them away (counted under it, no longer involved). Both are read
// by one statement, so from one snapshot: read apart, a fold committing between them would move a
// child into the totals that the correction still adds.
type orgTotals struct {
	Child                          string
	Fix                            int64
	Kind, Locality, D1, D2, D3, D4 string
	N                              int64
}

// orgCounts reads the groups of the kinds given over months [from, to] (YYYY-MM) for the scope's
// organisation (and locality), corrected for the children still marked.
func (tx reportRepo) orgCounts(from, to string, sc reportScope, kinds ...string) ([]countRow, error) {
	return tx.orgCountsWith(from, to, sc, nil, kinds...)
}

// orgCountsWith is orgCounts narrowed further by dims: d1 to d4, "" for any.
func (tx reportRepo) orgCountsWith(from, to string, sc reportScope, dims []string, kinds ...string) ([]countRow, error) {
	where, args := countsWhere(from, to, sc.Filter, kinds)
	where, args = withDims(where, args, dims)
	half := len(args) / 2
	org := sc.OrganisationID
	args = append(append(append(append([]any{org}, args[:half]...), org), args[half:]...), org, org, org)
	// Planned for its values every time (see queryRows): from a connection's sixth run a prepared
	// statement may get a generic plan, and for the council's own service (in every child's
	// team) that plan read 120-680 ms where the plan for the values reads 12 ms (200,000
	// referrals, a school year).
	var (
		text strings.Builder
		vars []any
		rows []orgTotals
	)
	bind(&text, &vars, tx.dialect, `SELECT '' AS child, 0 AS fix, kind, locality, d1, d2, d3, d4, CAST(SUM(n) AS bigint) AS n FROM (
		SELECT kind, locality, d1, d2, d3, d4, n FROM report_org_counts WHERE organisation_id = ? AND `+where+`
		UNION ALL SELECT kind, locality, d1, d2, d3, d4, n FROM report_org_deltas WHERE organisation_id = ? AND `+where+`) x
		GROUP BY kind, locality, d1, d2, d3, d4 HAVING SUM(n) <> 0
		UNION ALL
		SELECT child, fix, '', '', '', '', '', '', 0 FROM (SELECT CAST(d.young_person_id AS text) AS child,
			(CASE WHEN EXISTS (SELECT 1 FROM involvements i WHERE i.young_person_id = d.young_person_id AND i.organisation_id = ?) THEN 1 ELSE 0 END)
			- (CASE WHEN EXISTS (SELECT 1 FROM report_org_children c WHERE c.young_person_id = d.young_person_id AND c.organisation_id = ?) THEN 1 ELSE 0 END) AS fix
			FROM (SELECT DISTINCT young_person_id FROM report_org_dirty WHERE organisation_id = ?) d) f WHERE fix <> 0`, args)
	err := queryRows(tx.session, text.String(), vars, true, func(scan func(...any) error) error {
		var r orgTotals
		if err := scan(&r.Child, &r.Fix, &r.Kind, &r.Locality, &r.D1, &r.D2, &r.D3, &r.D4, &r.N); err != nil {
			return err
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	type group struct{ kind, locality, d1, d2, d3, d4 string }
	sums := map[group]int64{}
	fix := map[string]int64{}
	for _, r := range rows {
		if r.Child != "" {
			fix[r.Child] = r.Fix
			continue
		}
		sums[group{strings.TrimSuffix(r.Kind, ":y"), r.Locality, r.D1, r.D2, r.D3, r.D4}] += r.N
	}
	ids := make([]string, 0, len(fix))
	for id := range fix {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, transitionChunk) {
		for _, sel := range migrations.ReportOrgContributions(kinds) {
			res, err := tx.q().Raw(sel, chunk, chunk, from, to).Rows()
			if err != nil {
				return nil, translate(err)
			}
			for res.Next() {
				var id string
				var g group
				var month string
				var n int64
				if err := res.Scan(&id, &g.kind, &month, &g.locality, &g.d1, &g.d2, &g.d3, &g.d4, &n); err != nil {
					_ = res.Close()
					return nil, translate(err)
				}
				if sc.Locality != "" && g.locality != localityKey(sc.Locality) || !dimsMatch(dims, g.d1, g.d2, g.d3, g.d4) {
					continue
				}
				sums[g] += n * fix[id]
			}
			if err := res.Close(); err != nil {
				return nil, translate(err)
			}
			if err := res.Err(); err != nil {
				return nil, translate(err)
			}
		}
	}
	out := make([]countRow, 0, len(sums))
	for g, n := range sums {
		if n != 0 {
			out = append(out, countRow{Kind: g.kind, Locality: g.locality, D1: g.d1, D2: g.d2, D3: g.d3, D4: g.d4, N: n})
		}
	}
	return out, nil
}

// scopeFor is the scope of the filter for the reports that read maintained totals: with an
// organisation, its totals and their correction when they can be read (then only the days at
// either end of the period are scanned, as a condition on the period's records).
func (tx reportRepo) scopeFor(f report.Filter) (reportScope, error) {
	sc := scopeOf(f)
	if f.OrganisationID == "" || scanReports.Load() {
		return sc, nil
	}
	// With more of its children marked than that the correction would cost more than scanning.
	// (Marks made after this count are still corrected for, at their cost: see orgCounts.)
	var marks int64
	if err := tx.q().Raw(`SELECT COUNT(*) FROM (SELECT 1 FROM report_org_dirty WHERE organisation_id = ? LIMIT ?) x`,
		f.OrganisationID, reportOrgScanAbove+1).Scan(&marks).Error; err != nil {
		return sc, translate(err)
	}
	sc.orgCounted = marks <= int64(reportOrgScanAbove)
	sc.driven = !sc.orgCounted
	return sc, nil
}

// scopedCounts reads the groups of the kinds given over months [from, to] (YYYY-MM) for the
// scope: the organisation's totals, or everyone's (or a locality's).
func (tx reportRepo) scopedCounts(from, to string, sc reportScope, kinds ...string) ([]countRow, error) {
	if sc.OrganisationID != "" {
		return tx.orgCounts(from, to, sc, kinds...)
	}
	return tx.counts(from, to, sc.Filter, kinds...)
}

// dimsMatch says whether a group's dimensions are those asked for ("" for any).
func dimsMatch(dims []string, d ...string) bool {
	for i, want := range dims {
		if want != "" && d[i] != want {
			return false
		}
	}
	return true
}
