package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
)

// The transitions snapshot read from transition_spans and transition_counts (migration 0102):
// each young person's runs of days under each figure, worked out in Go by the report's own rule
// (report.TransitionFacts.Spans) for the young people the triggers marked in transition_dirty.
// A report reads the counts on its day and corrects them, in the same statement, for the young
// people still marked: their stored spans out, their spans worked out afresh in. The same totals
// are kept for each organisation a young person has an involvement with, ended or not
// (transition_org_counts, migration 0109), under the organisations stored with their spans
// (transition_orgs), so that an organisation's report reads its totals whatever its size and
// takes a marked young person out under the organisations they were counted under.

// transitionChunk is how many young people are worked out at once.
const transitionChunk = 1000

// transitionChild is one young person's facts, locality key and spans.
type transitionChild struct {
	locality string
	facts    report.TransitionFacts
}

// parseDay reads a stored date; "" or a malformed one reads as not recorded.
func parseDay(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	t, err := readDate(*s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// loadTransitionChildren loads the facts of the young people with the ids given (those that
// exist), on db.
func loadTransitionChildren(db *gorm.DB, ids []string) (map[string]*transitionChild, error) {
	out := map[string]*transitionChild{}
	for chunk := range slices.Chunk(ids, transitionChunk) {
		if err := loadTransitionFacts(db, out, "IN ?", chunk); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadTransitionFacts loads into out the facts of the young people whose id meets cond ("IN ?"
// or "BETWEEN ? AND ?", with args), on db.
func loadTransitionFacts(db *gorm.DB, out map[string]*transitionChild, cond string, args ...any) error {
	var people []struct {
		ID, DateOfBirth string
		LocalityKey     *string
	}
	if err := db.Raw(`SELECT CAST(id AS text) AS id, date_of_birth, locality_key FROM young_people WHERE id `+cond, args...).Scan(&people).Error; err != nil {
		return err
	}
	for _, p := range people {
		c := &transitionChild{facts: report.TransitionFacts{DateOfBirth: parseDay(&p.DateOfBirth)}}
		if p.LocalityKey != nil {
			c.locality = *p.LocalityKey
		}
		out[p.ID] = c
	}
	var refs []struct {
		YoungPersonID string
		ReceivedOn    *string
	}
	if err := db.Raw(`SELECT CAST(young_person_id AS text) AS young_person_id, received_on FROM referrals
		WHERE young_person_id `+cond+` AND status NOT IN ?`, append(append([]any{}, args...), closedReferralStatuses)...).Scan(&refs).Error; err != nil {
		return err
	}
	for _, r := range refs {
		// A referral whose receipt date is not recorded is never received by a day.
		if c := out[r.YoungPersonID]; c != nil && r.ReceivedOn != nil {
			if d := parseDay(r.ReceivedOn); !d.IsZero() {
				c.facts.OpenReferrals = append(c.facts.OpenReferrals, d)
			}
		}
	}
	var plans []struct {
		YoungPersonID, Status   string
		FirstIssuedOn, CeasesOn *string
	}
	if err := db.Raw(`SELECT CAST(young_person_id AS text) AS young_person_id, status, first_issued_on, ceases_on FROM ehc_plans
		WHERE young_person_id `+cond+` AND status IN ('issued', 'ceasing')`, args...).Scan(&plans).Error; err != nil {
		return err
	}
	for _, p := range plans {
		if c := out[p.YoungPersonID]; c != nil {
			c.facts.Plans = append(c.facts.Plans, report.TransitionPlanFacts{Ceasing: p.Status == "ceasing",
				CeasesOn: parseDay(p.CeasesOn), FirstIssuedOn: parseDay(p.FirstIssuedOn)})
		}
	}
	var tps []struct {
		YoungPersonID                            string
		StartedOn, EndedOn, EhcPlanExpectedEndOn *string
	}
	if err := db.Raw(`SELECT CAST(young_person_id AS text) AS young_person_id, started_on, ended_on, ehc_plan_expected_end_on
		FROM transition_plans WHERE young_person_id `+cond, args...).Scan(&tps).Error; err != nil {
		return err
	}
	for _, t := range tps {
		if c := out[t.YoungPersonID]; c != nil {
			c.facts.TransitionPlans = append(c.facts.TransitionPlans, report.TransitionPlanDates{StartedOn: parseDay(t.StartedOn),
				EndedOn: parseDay(t.EndedOn), ExpectedEndOn: parseDay(t.EhcPlanExpectedEndOn)})
		}
	}
	return nil
}

// spanRow is one row of transition_spans.
type spanRow struct {
	YoungPersonID      string
	Kind, FromOn, ToOn string
	Locality           string
}

// spanRows are c's spans as rows of transition_spans.
func (c *transitionChild) spanRows(id string) []spanRow {
	var out []spanRow
	for _, s := range c.facts.Spans() {
		out = append(out, spanRow{YoungPersonID: id, Kind: s.Kind, FromOn: fromDate(s.From), ToOn: fromDate(s.To), Locality: c.locality})
	}
	return out
}

// countKey is one row of transition_counts, or of transition_org_counts when org is not "".
type countKey struct{ org, kind, day, locality string }

// addSpanEvents adds span r's +1 on its first day and -1 on the day after its last, at each
// grain, times sign, to into: to the totals of all young people and to those of each of orgs.
func addSpanEvents(into map[countKey]int64, r spanRow, sign int64, orgs []string) {
	for _, org := range append([]string{""}, orgs...) {
		for _, e := range []struct {
			day string
			n   int64
		}{{r.FromOn, sign}, {r.ToOn, -sign}} {
			into[countKey{org, r.Kind, e.day, r.Locality}] += e.n
			into[countKey{org, r.Kind + ":m", e.day[:7], r.Locality}] += e.n
			into[countKey{org, r.Kind + ":y", e.day[:4], r.Locality}] += e.n
		}
	}
}

// childOrgs reads the young person and organisation pairs of table (transition_orgs, or
// involvements for the present ones) for the young people with the ids given, by young person.
func childOrgs(db *gorm.DB, table string, ids []string) (map[string][]string, error) {
	var pairs []struct{ YoungPersonID, OrganisationID string }
	if err := db.Raw(`SELECT DISTINCT CAST(young_person_id AS text) AS young_person_id, CAST(organisation_id AS text) AS organisation_id
		FROM `+table+` WHERE young_person_id IN ? ORDER BY 1, 2`, ids).Scan(&pairs).Error; err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, p := range pairs {
		out[p.YoungPersonID] = append(out[p.YoungPersonID], p.OrganisationID)
	}
	return out, nil
}

// refreshTransitionSpans works out again the spans and organisations of the young people with
// the ids given, on db (in the caller's transaction): their stored spans leave transition_counts
// and, under their stored organisations, transition_org_counts; the new ones join both.
func refreshTransitionSpans(db *gorm.DB, ids []string) error {
	for chunk := range slices.Chunk(ids, transitionChunk) {
		var old []spanRow
		if err := db.Raw(`SELECT CAST(young_person_id AS text) AS young_person_id, kind, from_on, to_on, locality FROM transition_spans
			WHERE young_person_id IN ?`, chunk).Scan(&old).Error; err != nil {
			return err
		}
		oldOrgs, err := childOrgs(db, "transition_orgs", chunk)
		if err != nil {
			return err
		}
		newOrgs, err := childOrgs(db, "involvements", chunk)
		if err != nil {
			return err
		}
		children, err := loadTransitionChildren(db, chunk)
		if err != nil {
			return err
		}
		var rows []spanRow
		type orgRow struct{ child, org string }
		var orgRows []orgRow
		for _, id := range chunk {
			if c := children[id]; c != nil {
				spans := c.spanRows(id)
				rows = append(rows, spans...)
				// Only a young person with spans has anything to count under an organisation.
				if len(spans) > 0 {
					for _, o := range newOrgs[id] {
						orgRows = append(orgRows, orgRow{id, o})
					}
				}
			}
		}
		deltas := map[countKey]int64{}
		for _, r := range old {
			addSpanEvents(deltas, r, -1, oldOrgs[r.YoungPersonID])
		}
		for _, r := range rows {
			addSpanEvents(deltas, r, 1, newOrgs[r.YoungPersonID])
		}
		if len(old) > 0 {
			if err := db.Exec(`DELETE FROM transition_spans WHERE young_person_id IN ?`, chunk).Error; err != nil {
				return err
			}
		}
		if len(oldOrgs) > 0 {
			if err := db.Exec(`DELETE FROM transition_orgs WHERE young_person_id IN ?`, chunk).Error; err != nil {
				return err
			}
		}
		if err := insertRows(db, "INSERT INTO transition_spans (young_person_id, kind, from_on, to_on, locality) VALUES ", "(?, ?, ?, ?, ?)", "",
			rows, func(r spanRow) []any { return []any{r.YoungPersonID, r.Kind, r.FromOn, r.ToOn, r.Locality} }); err != nil {
			return err
		}
		if err := insertRows(db, "INSERT INTO transition_orgs (young_person_id, organisation_id) VALUES ", "(?, ?)", "",
			orgRows, func(r orgRow) []any { return []any{r.child, r.org} }); err != nil {
			return err
		}
		if err := addTransitionCounts(db, deltas); err != nil {
			return err
		}
	}
	return nil
}

// insertRows writes rows as multi-row INSERTs of 500 (head, then tuple once a row, then tail), each
// row's values from vals.
func insertRows[R any](db *gorm.DB, head, tuple, tail string, rows []R, vals func(R) []any) error {
	for part := range slices.Chunk(rows, 500) {
		var sql strings.Builder
		sql.WriteString(head)
		args := make([]any, 0, len(part)*strings.Count(tuple, "?"))
		for i, r := range part {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString(tuple)
			args = append(args, vals(r)...)
		}
		sql.WriteString(tail)
		if err := db.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// addTransitionCounts adds deltas to transition_counts and transition_org_counts, in a fixed
// order (so that two writers never wait on each other's rows in opposite orders).
func addTransitionCounts(db *gorm.DB, deltas map[countKey]int64) error {
	// Each key with its delta, so that writing the rows reads no map: hashing the four strings
	// again for each row, and joining them for each comparison of the sort, were 7% of the
	// server's CPU through a burst of creates.
	type delta struct {
		countKey
		n int64
	}
	var all, orgs []delta
	for k, n := range deltas {
		if n == 0 {
			continue
		}
		if k.org == "" {
			all = append(all, delta{k, n})
		} else {
			orgs = append(orgs, delta{k, n})
		}
	}
	for _, keys := range [][]delta{all, orgs} {
		slices.SortFunc(keys, func(a, b delta) int {
			return cmp.Or(strings.Compare(a.org, b.org), strings.Compare(a.kind, b.kind), strings.Compare(a.day, b.day),
				strings.Compare(a.locality, b.locality))
		})
	}
	if err := insertRows(db, "INSERT INTO transition_counts (kind, day, locality, n) VALUES ", "(?, ?, ?, ?)",
		" ON CONFLICT (kind, day, locality) DO UPDATE SET n = transition_counts.n + excluded.n",
		all, func(d delta) []any { return []any{d.kind, d.day, d.locality, d.n} }); err != nil {
		return err
	}
	return insertRows(db, "INSERT INTO transition_org_counts (organisation_id, kind, day, locality, n) VALUES ", "(?, ?, ?, ?, ?)",
		" ON CONFLICT (organisation_id, kind, day, locality) DO UPDATE SET n = transition_org_counts.n + excluded.n",
		orgs, func(d delta) []any { return []any{d.org, d.kind, d.day, d.locality, d.n} })
}

// Folding after an upgrade may face every young person marked at once (migration 0102 marks them
// all; about 0.2-0.5 ms each to work out, so minutes at 1,000,000). So a fold works in batches,
// a transaction each, and start-up folds one batch at most, leaving the rest to the periodic fold
// (FoldReportDeltas) while reports stay exact by correcting for whoever is still marked.
var (
	// transitionFoldBatch is how many marks one fold transaction takes: a second or so of work,
	// so no fold holds its lock or keeps a transaction open for minutes.
	transitionFoldBatch = 5000
	// transitionStartupFold is how many marks Migrate folds before the server may serve: all of
	// a small council's, a bounded wait (about half a second) for a large one.
	transitionStartupFold = 1000
	// transitionScanAbove: with more marks than this (or, on PostgreSQL, than one in
	// transitionScanPer of the young people, if that is more) the transitions report is answered
	// by scanning the base tables, which costs about 2 microseconds a young person (1.9 s at
	// 1,000,000 referrals), rather than by correcting the stored spans for every young person
	// marked, which costs about 50 (0.75 s with 16,000 marked at 1,000,000 referrals).
	transitionScanAbove = 5000
	transitionScanPer   = 25
)

// foldTransitionSpans works out the spans of the young people of at most limit marks in
// transition_dirty and unmarks them, in db's transaction, returning how many young people it
// worked out and how many marks it took. A young person marked again while it runs, or marked
// more than once and not all taken, stays marked for the next fold (on PostgreSQL, what DELETE
// ... RETURNING saw is what is worked out, from data at least as new).
func foldTransitionSpans(db *gorm.DB, dialect string, limit int) (children, marks int, err error) {
	var ids []string
	if dialect == Postgres {
		// By ctid: the marks have no index, and a batch should not scan all of them.
		if err := db.Raw(`DELETE FROM transition_dirty WHERE ctid = ANY(ARRAY(SELECT ctid FROM transition_dirty LIMIT ?))
			RETURNING CAST(young_person_id AS text)`, limit).Scan(&ids).Error; err != nil {
			return 0, 0, err
		}
	} else {
		// SQLite: the transaction is the only writer, so what is read is what is deleted.
		if err := db.Raw(`SELECT CAST(young_person_id AS text) FROM transition_dirty ORDER BY rowid LIMIT ?`, limit).Scan(&ids).Error; err != nil {
			return 0, 0, err
		}
		if len(ids) > 0 {
			if err := db.Exec(`DELETE FROM transition_dirty WHERE rowid IN (SELECT rowid FROM transition_dirty ORDER BY rowid LIMIT ?)`, limit).Error; err != nil {
				return 0, 0, err
			}
		}
	}
	marks = len(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return len(ids), marks, refreshTransitionSpans(db, ids)
}

// foldTransitionBatch folds at most limit marks in a transaction of its own, under the fold's lock.
func (s *Store) foldTransitionBatch(ctx context.Context, limit int) (children, marks int, err error) {
	err = s.transaction(ctx, func(db *gorm.DB) (err error) {
		if s.dialect == Postgres {
			if err := db.Exec("SELECT pg_advisory_xact_lock(" + transitionFoldLock + ")").Error; err != nil {
				return err
			}
		}
		children, marks, err = foldTransitionSpans(db, s.dialect, limit)
		return err
	})
	return children, marks, translate(err)
}

// FoldTransitionSpans works out the spans of the young people the triggers marked since the last
// fold (FoldReportDeltas does it too), in batches of a transaction each, returning how many.
// Young people marked while it runs may be folded too.
func (s *Store) FoldTransitionSpans(ctx context.Context) (int, error) {
	total := 0
	for {
		n, marks, err := s.foldTransitionBatch(ctx, transitionFoldBatch)
		total += n
		if err != nil || marks < transitionFoldBatch {
			return total, err
		}
	}
}

// transitionFoldLock is the PostgreSQL advisory lock key held by whoever folds or rebuilds the
// transition spans, so that two never work out the same young person at once.
const transitionFoldLock = "1020102"

// rebuildTransitionSpans works every young person's spans out again from nothing, in db's
// transaction. On PostgreSQL writers marking young people wait for it.
func rebuildTransitionSpans(db *gorm.DB, dialect string) error {
	if dialect == Postgres {
		// The fold's lock first, as a fold takes it before it touches transition_dirty (the other
		// order could deadlock with a fold).
		if err := db.Exec("SELECT pg_advisory_xact_lock(" + transitionFoldLock + ")").Error; err != nil {
			return err
		}
		if err := db.Exec("LOCK TABLE transition_dirty IN EXCLUSIVE MODE").Error; err != nil {
			return err
		}
	}
	for _, s := range []string{"DELETE FROM transition_dirty", "DELETE FROM transition_spans", "DELETE FROM transition_counts",
		"DELETE FROM transition_orgs", "DELETE FROM transition_org_counts"} {
		if err := db.Exec(s).Error; err != nil {
			return err
		}
	}
	if dialect == Postgres {
		return rebuildTransitionSpansBulk(db)
	}
	var ids []string
	if err := db.Raw(`SELECT CAST(young_person_id AS text) FROM referrals UNION SELECT CAST(young_person_id AS text) FROM ehc_plans`).
		Scan(&ids).Error; err != nil {
		return err
	}
	slices.Sort(ids)
	return refreshTransitionSpans(db, ids)
}

// transitionRebuildChunk is how many young people a bulk rebuild works out at once.
const transitionRebuildChunk = 10000

// rebuildTransitionSpansBulk is rebuildTransitionSpans's work on PostgreSQL, its tables emptied:
// the young people taken in id ranges (four range scans a range, rather than lists of ids), each
// range's spans written in one statement of arrays, and transition_counts summed from the spans
// by the database at the end (the same events as addSpanEvents adds). Much quicker than folding
// everyone (benchload's million young people, or reports-rebuild).
func rebuildTransitionSpansBulk(db *gorm.DB) error {
	after := "00000000-0000-0000-0000-000000000000"
	for {
		var ids []string
		// Ordered by the column, not the text the select list names "id" too (sorting every
		// remaining young person per chunk: 140 ms a chunk at 200,000).
		if err := db.Raw(`SELECT CAST(id AS text) FROM young_people WHERE id > ? ORDER BY young_people.id LIMIT ?`, after, transitionRebuildChunk).
			Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		children := map[string]*transitionChild{}
		if err := loadTransitionFacts(db, children, "BETWEEN ? AND ?", ids[0], ids[len(ids)-1]); err != nil {
			return err
		}
		var cols [5][]string
		for _, id := range ids {
			c := children[id]
			if c == nil {
				continue
			}
			for _, r := range c.spanRows(id) {
				for i, v := range []string{r.YoungPersonID, r.Kind, r.FromOn, r.ToOn, r.Locality} {
					cols[i] = append(cols[i], v)
				}
			}
		}
		if len(cols[0]) > 0 {
			if err := db.Exec(`INSERT INTO transition_spans (young_person_id, kind, from_on, to_on, locality)
				SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))`,
				arrayLiteral(cols[0]), arrayLiteral(cols[1]), arrayLiteral(cols[2]), arrayLiteral(cols[3]), arrayLiteral(cols[4])).Error; err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
	if err := db.Exec(`INSERT INTO transition_counts (kind, day, locality, n)
		SELECT e.kind || g.sfx, substr(e.day, 1, g.len), e.locality, SUM(e.n) FROM (
			SELECT kind, from_on AS day, locality, 1 AS n FROM transition_spans
			UNION ALL SELECT kind, to_on, locality, -1 FROM transition_spans) e
		CROSS JOIN (VALUES ('', 10), (':m', 7), (':y', 4)) AS g(sfx, len)
		GROUP BY 1, 2, 3 HAVING SUM(e.n) <> 0`).Error; err != nil {
		return err
	}
	// Each young person's organisations, then the same events once for each: the migration's own
	// backfill, which reads the spans just written.
	return migrations.BackfillTransitionOrgs(db)
}

// arrayLiteral is vs as a PostgreSQL array literal, each element quoted.
func arrayLiteral(vs []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// transitionsFromSpans is the transitions snapshot on day on for the filter, read from
// transition_counts (or, for an organisation, transition_org_counts) and corrected for the young
// people still marked.
func (tx reportRepo) transitionsFromSpans(on time.Time, f report.Filter) (out report.TransitionSnapshot, err error) {
	d := fromDate(on)
	on = toDate(d) // the civil day, as the spans hold it
	var loc []any
	locWhere := ""
	if f.Locality != "" {
		if localityKey(f.Locality) == "" {
			return out, nil // no young person's locality key is empty
		}
		locWhere = " AND locality = ?"
		loc = []any{localityKey(f.Locality)}
	}
	suffixed := func(sfx string) []string {
		out := make([]string, len(report.SpanKinds))
		for i, k := range report.SpanKinds {
			out[i] = k + sfx
		}
		return out
	}
	days := `((kind IN ? AND day < ?) OR (kind IN ? AND day >= ? AND day < ?) OR (kind IN ? AND day >= ? AND day <= ?))`
	dayArgs := []any{suffixed(":y"), d[:4], suffixed(":m"), d[:4] + "-01", d[:7], report.SpanKinds, d[:7] + "-01", d}
	// An organisation's totals, and the organisations a marked young person's stored spans were
	// counted under (not their present ones, which the fresh spans below are counted under).
	table, orgWhere := "transition_counts", ""
	var args, orgArgs []any
	if f.OrganisationID != "" {
		table = "transition_org_counts WHERE organisation_id = ? AND"
		args = []any{f.OrganisationID}
		orgWhere = " AND EXISTS (SELECT 1 FROM transition_orgs o WHERE o.young_person_id = transition_spans.young_person_id AND o.organisation_id = ?)"
		orgArgs = []any{f.OrganisationID}
	} else {
		table += " WHERE"
	}
	main := `SELECT kind, n FROM ` + table + ` ` + days + locWhere
	args = append(append(args, dayArgs...), loc...)
	// The young people still marked: their stored spans taken out, and their ids.
	marked := `SELECT kind, -1 AS n FROM transition_spans WHERE young_person_id IN (SELECT young_person_id FROM transition_dirty)
		AND from_on <= ? AND to_on > ?` + orgWhere + locWhere + `
		UNION ALL SELECT DISTINCT 'marked:' || CAST(young_person_id AS text), 0 FROM transition_dirty`
	args = append(append(append(args, d, d), orgArgs...), loc...)
	var rows []struct {
		Kind string
		N    int64
	}
	if err := tx.q().Raw(`SELECT kind, SUM(n) AS n FROM (`+main+` UNION ALL `+marked+`) x GROUP BY kind`, args...).Scan(&rows).Error; err != nil {
		return out, translate(err)
	}
	counts := map[string]int64{}
	var ids []string
	for _, r := range rows {
		if id, ok := strings.CutPrefix(r.Kind, "marked:"); ok {
			ids = append(ids, id)
			continue
		}
		counts[strings.TrimSuffix(strings.TrimSuffix(r.Kind, ":m"), ":y")] += r.N
	}
	if len(ids) > 0 {
		children, err := loadTransitionChildren(tx.q(), ids)
		if err != nil {
			return out, translate(err)
		}
		known := map[string]bool{}
		if f.OrganisationID != "" {
			var in []string
			for chunk := range slices.Chunk(ids, transitionChunk) {
				var part []string
				if err := tx.q().Raw(`SELECT CAST(young_person_id AS text) FROM involvements WHERE organisation_id = ? AND young_person_id IN ?`,
					f.OrganisationID, chunk).Scan(&part).Error; err != nil {
					return out, translate(err)
				}
				in = append(in, part...)
			}
			for _, id := range in {
				known[id] = true
			}
		}
		for id, c := range children {
			if f.Locality != "" && c.locality != localityKey(f.Locality) || f.OrganisationID != "" && !known[id] {
				continue
			}
			for _, s := range c.facts.Spans() {
				if !on.Before(s.From) && on.Before(s.To) {
					counts[s.Kind]++
				}
			}
		}
	}
	out.WithPlan = counts[report.SpanWithPlan]
	out.WithoutPlan = counts[report.SpanPopulation] - counts[report.SpanWithPlan]
	out.Ending, out.EndingExpected, out.EndingMaxAge = counts[report.SpanEnding], counts[report.SpanEndingExpect], counts[report.SpanEndingMaxAge]
	return out, nil
}
