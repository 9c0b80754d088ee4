package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
)

// report_counts (migrations 0016 and 0084) holds what the activity, funnel, timeliness and
// experience reports count, by month, locality and a few dimensions, kept current by triggers
// that append a +1/-1 to report_deltas in the transaction of every change. A report, for everyone
// or for one locality, reads those rows (the counts plus the deltas not yet folded into them) for
// the whole calendar months of its period, and counts from the records only the days before the
// first whole month and after the last (see spansOf). With an organisation filter the reports read
// the organisation's own totals the same way (migrations 0110 and 0113, reportorg.go).

// scanReports makes every report scan the base tables (tests compare the two ways).
var scanReports atomic.Bool

// countRow is one group of report_counts and report_deltas added together.
type countRow struct {
	Kind, Locality, D1, D2, D3, D4 string
	N                              int64
}

// span is a part of a report's period: whole calendar months, read from report_counts, or the
// days at either end that are not, counted from the records.
type span struct {
	from, to time.Time
	months   bool
}

func (sp span) monthFrom() string { return sp.from.Format("2006-01") }
func (sp span) monthTo() string   { return sp.to.Format("2006-01") }

// spansOf splits [from, to] into the days before its first whole month, its whole months and the
// days after them, so that only the days at the ends are counted from the records (at most two
// months' worth, whatever the period). The scan switch, or an organisation whose totals are not
// read, scans it whole.
func spansOf(from, to time.Time, sc reportScope) []span {
	if scanReports.Load() || sc.OrganisationID != "" && !sc.orgCounted || to.Before(from) {
		return []span{{from: from, to: to}}
	}
	first := from // the first day of the first whole month
	if from.Day() != 1 {
		first = time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, from.Location())
	}
	last := to // the last day of the last whole month
	if to.AddDate(0, 0, 1).Day() != 1 {
		last = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, to.Location()).AddDate(0, 0, -1)
	}
	if last.Before(first) {
		return []span{{from: from, to: to}}
	}
	var out []span
	if from.Before(first) {
		out = append(out, span{from: from, to: first.AddDate(0, 0, -1)})
	}
	out = append(out, span{from: first, to: last, months: true})
	if last.Before(to) {
		out = append(out, span{from: last.AddDate(0, 0, 1), to: to})
	}
	return out
}

// countsWhere is the condition selecting the rows of the kinds given over months [from, to]
// (YYYY-MM), for the filter's locality: the year rows for the whole calendar years inside, the
// month rows for the rest. Its arguments are given twice, for report_counts and report_deltas.
func countsWhere(from, to string, f report.Filter, kinds []string) (string, []any) {
	var ranges []string
	var args []any
	add := func(kinds []string, lo, hi string) {
		ranges = append(ranges, "(kind IN ? AND month >= ? AND month <= ?)")
		args = append(args, kinds, lo, hi)
	}
	fy, _ := strconv.Atoi(from[:4])
	ty, _ := strconv.Atoi(to[:4])
	y1, y2 := fy, ty
	if from[5:] != "01" {
		y1++
	}
	if to[5:] != "12" {
		y2--
	}
	if y1 > y2 {
		add(kinds, from, to)
	} else {
		years := make([]string, len(kinds))
		for i, k := range kinds {
			years[i] = k + ":y"
		}
		add(years, fmt.Sprintf("%04d", y1), fmt.Sprintf("%04d", y2))
		if fy < y1 {
			add(kinds, from, fmt.Sprintf("%04d-12", fy))
		}
		if ty > y2 {
			add(kinds, fmt.Sprintf("%04d-01", ty), to)
		}
	}
	where := "(" + strings.Join(ranges, " OR ") + ")"
	if f.Locality != "" {
		where += " AND locality = ?"
		args = append(args, localityKey(f.Locality))
	}
	return where, append(args, args...)
}

// withDims narrows countsWhere's condition and arguments further by dims: d1 to d4, "" for any.
func withDims(where string, args []any, dims []string) (string, []any) {
	var extra []any
	for i, d := range dims {
		if d != "" {
			where += fmt.Sprintf(" AND d%d = ?", i+1)
			extra = append(extra, d)
		}
	}
	if len(extra) == 0 {
		return where, args
	}
	// countsWhere's arguments are given twice, for report_counts and report_deltas.
	half := len(args) / 2
	return where, append(append(append(append([]any{}, args[:half]...), extra...), args[half:]...), extra...)
}

// counts reads the groups of the kinds given over months [from, to] (YYYY-MM), for the filter's
// locality.
func (tx reportRepo) counts(from, to string, f report.Filter, kinds ...string) ([]countRow, error) {
	return tx.countsWith(from, to, f, nil, kinds...)
}

// countsWith is counts narrowed further by dims: d1 to d4, "" for any.
func (tx reportRepo) countsWith(from, to string, f report.Filter, dims []string, kinds ...string) ([]countRow, error) {
	where, args := countsWhere(from, to, f, kinds)
	where, args = withDims(where, args, dims)
	var rows []countRow
	err := tx.q().Raw(`SELECT kind, locality, d1, d2, d3, d4, SUM(n) AS n FROM (
		SELECT kind, locality, d1, d2, d3, d4, n FROM report_counts WHERE `+where+`
		UNION ALL SELECT kind, locality, d1, d2, d3, d4, n FROM report_deltas WHERE `+where+`) x
		GROUP BY kind, locality, d1, d2, d3, d4 HAVING SUM(n) <> 0`, args...).Scan(&rows).Error
	for i := range rows {
		rows[i].Kind = strings.TrimSuffix(rows[i].Kind, ":y")
	}
	return rows, translate(err)
}

// activityFromCounts is Activity over months [from, to] (YYYY-MM) read from report_counts, with
// the settings that referred (id to type).
func (tx reportRepo) activityFromCounts(from, to string, sc reportScope) (a report.ActivityFigures, settings map[string]string, err error) {
	// The distinct settings that referred: a setting counts once whatever the months and
	// localities it referred in (and whatever other parts of the period it referred in).
	settings = map[string]string{}
	if sc.OrganisationID != "" {
		rows, err := tx.orgCounts(from, to, sc, "setting")
		if err != nil {
			return a, nil, err
		}
		sums := map[[2]string]int64{}
		for _, r := range rows {
			sums[[2]string{r.D1, r.D2}] += r.N
		}
		for s, n := range sums {
			if n != 0 {
				settings[s[0]] = s[1]
			}
		}
	} else {
		where, args := countsWhere(from, to, sc.Filter, []string{"setting"})
		var set []struct{ D1, D2 string }
		if err = tx.q().Raw(`SELECT d1, d2 FROM (
		SELECT d1, d2, n FROM report_counts WHERE `+where+` UNION ALL SELECT d1, d2, n FROM report_deltas WHERE `+where+`) x
		GROUP BY d1, d2 HAVING SUM(n) <> 0`, args...).Scan(&set).Error; err != nil {
			return a, nil, translate(err)
		}
		for _, s := range set {
			settings[s.D1] = s.D2
		}
	}
	rows, err := tx.scopedCounts(from, to, sc, "referral_main", "referral_type", "referral_route", "referral_locality", "reason", "meeting", "dispute", "ehc_received", "ehc_decided", "ehc_plan")
	if err != nil {
		return a, nil, err
	}
	a.ByReason, a.ByMainReason, a.BySettingType, a.ByLocality, a.ByRoute = report.Counts{}, report.Counts{}, report.Counts{}, report.Counts{}, report.Counts{}
	a.Meetings, a.Disputes, a.LocalityNames = report.Counts{}, report.Counts{}, map[string]string{}
	for _, r := range rows {
		switch r.Kind {
		case "referral_main":
			a.Referrals += r.N
			a.ByMainReason[r.D1] += r.N
		case "referral_type":
			a.BySettingType[r.D1] += r.N
		case "referral_route":
			a.ByRoute[r.D1] += r.N
		case "referral_locality":
			a.ByLocality[r.Locality] += r.N
			if r.D1 != "" {
				localityName(a.LocalityNames, r.Locality, r.D1)
			}
		case "reason":
			a.ByReason[r.D1] += r.N
		case "meeting":
			a.Meetings[r.D1] += r.N
		case "dispute":
			a.Disputes[r.D1] += r.N
		case "ehc_received":
			a.EHCRequests += r.N
		case "ehc_decided":
			switch r.D1 {
			case "assess":
				a.AssessmentsStarted += r.N
			case "not_assess":
				a.AssessmentsRefused += r.N
			}
		case "ehc_plan":
			a.PlansIssued += r.N
		}
	}
	return a, settings, nil
}

// localityName keeps the first name, in byte order, recorded for a locality key.
func localityName(names map[string]string, key, name string) {
	if was, ok := names[key]; !ok || name < was {
		names[key] = name
	}
}

// timelinessFromCounts is EHCTimeliness read from report_counts.
func (tx reportRepo) timelinessFromCounts(from, to string, sc reportScope) (out report.TimelinessFigures, err error) {
	rows, err := tx.scopedCounts(from, to, sc, "ehc_decided", "ehc_plan", "review")
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		n := int(r.N)
		switch r.Kind {
		case "ehc_decided":
			out.Decisions += n
			out.DecisionsWithin += flag(r.D2, n)
			out.DecisionsWithinAdjusted += flag(r.D3, n)
		case "ehc_plan":
			out.Plans += n
			out.PlansWithin += flag(r.D1, n)
			out.PlansWithinAdjusted += flag(r.D2, n)
			out.PlansNoExceptions += flag(r.D3, n)
			if r.D3 == "1" {
				out.PlansNoExceptionsWithin += flag(r.D1, n)
			}
		case "review":
			out.Reviews += n
			out.ReviewsHeldOnTime += flag(r.D1, n)
			out.ReviewsDecidedOnTime += flag(r.D2, n)
		}
	}
	return out, nil
}

func flag(d string, n int) int {
	if d == "1" {
		return n
	}
	return 0
}

// funnelFromCounts adds Funnel over months [from, to] (YYYY-MM), read from report_counts, to out.
func (tx reportRepo) funnelFromCounts(from, to string, sc reportScope, out report.FunnelFigures) error {
	rows, err := tx.scopedCounts(from, to, sc, "stage_received", "stage_previous")
	if err != nil {
		return err
	}
	for _, r := range rows {
		days, err := strconv.Atoi(r.D2)
		if err != nil {
			continue
		}
		into := out.FromBefore
		if r.Kind == "stage_received" {
			into = out.FromReceived
			out.Reached[r.D1] += r.N
		}
		if into[r.D1] == nil {
			into[r.D1] = map[int]int64{}
		}
		into[r.D1][days] += r.N
	}
	return nil
}

// FoldReportDeltas moves the deltas the triggers appended into report_counts, returning how many
// groups of counts it changed. Reports are exact without it (they add the deltas up); folding keeps what they read
// small. On PostgreSQL one fold runs at a time (an advisory lock) and deltas committed while it
// runs wait for the next one.
func (s *Store) FoldReportDeltas(ctx context.Context) (int64, error) {
	// The organisations' children marked since the last fold first (migration 0110), so that the
	// contributions it appends are folded too.
	o, err := s.FoldReportOrgs(ctx)
	if err != nil {
		return int64(o), err
	}
	moved, err := s.foldCounts(ctx)
	moved += int64(o)
	if err != nil {
		return moved, err
	}
	// The transitions report's young people marked since the last fold (migration 0102).
	n, err := s.FoldTransitionSpans(ctx)
	moved += int64(n)
	if err != nil {
		return moved, err
	}
	if moved == 0 {
		// Nothing to fold, but the delta tables may still hold the pages of rows an earlier fold
		// deleted: its VACUUM ran beside a longer transaction (the marked children's fold, a
		// report), which still saw them, and with the writes stopped no later fold vacuums again.
		// Every report reads those tables whole, dead pages too: three minutes after a burst of
		// creates at a million referrals they were 4,301 empty pages (35 MB), 8 ms a statement and
		// 56-72 ms an organisation's report, until a VACUUM of 20 ms gave them back.
		left, err := s.deltaPages(ctx)
		if err != nil || left == 0 {
			return 0, err
		}
	}
	return moved, s.vacuumFolded(ctx, foldedTables)
}

// deltaPages is how many pages report_deltas and report_org_deltas take on PostgreSQL (the size
// of their files, no rows read); zero on SQLite, which has no VACUUM to run.
func (s *Store) deltaPages(ctx context.Context) (int64, error) {
	if s.dialect != Postgres {
		return 0, nil
	}
	var pages int64
	err := s.db.WithContext(ctx).Raw(`SELECT (pg_relation_size('report_deltas') + pg_relation_size('report_org_deltas')) / current_setting('block_size')::int`).
		Scan(&pages).Error
	return pages, translate(err)
}

// FoldCounts is the part of FoldReportDeltas that the server runs early (as it does
// FoldTransitionSpans and FoldMarkedChildren): report_deltas and report_org_deltas moved into
// their totals and the delta tables vacuumed. It makes no writer wait.
func (s *Store) FoldCounts(ctx context.Context) (int64, error) {
	moved, err := s.foldCounts(ctx)
	if err != nil || moved == 0 {
		return moved, err
	}
	return moved, s.vacuumFolded(ctx, "report_deltas, report_org_deltas")
}

// foldCounts moves report_deltas and report_org_deltas into report_counts and report_org_counts,
// returning how many groups of counts it changed.
func (s *Store) foldCounts(ctx context.Context) (int64, error) {
	var moved int64
	err := s.transaction(ctx, func(db *gorm.DB) error {
		if s.dialect == Postgres {
			if err := db.Exec("SELECT pg_advisory_xact_lock(" + migrations.ReportFoldLock + ")").Error; err != nil {
				return err
			}
		}
		// Everyone's counts, then the organisations' (migration 0110): the same fold with the
		// organisation first.
		for _, t := range []struct{ counts, deltas, cols string }{
			{"report_counts", "report_deltas", "kind, month, locality, d1, d2, d3, d4"},
			{"report_org_counts", "report_org_deltas", "organisation_id, kind, month, locality, d1, d2, d3, d4"},
		} {
			var res *gorm.DB
			if s.dialect == Postgres {
				res = db.Exec(`WITH d AS (DELETE FROM ` + t.deltas + ` RETURNING ` + t.cols + `, n)
				INSERT INTO ` + t.counts + ` AS c (` + t.cols + `, n) SELECT ` + t.cols + `, SUM(n) FROM d GROUP BY ` + t.cols + `
				ON CONFLICT (` + t.cols + `) DO UPDATE SET n = c.n + excluded.n`)
			} else {
				// SQLite: the transaction is the only writer, so what is summed is what is deleted.
				res = db.Exec(`INSERT INTO ` + t.counts + ` (` + t.cols + `, n) SELECT ` + t.cols + `, SUM(n) FROM ` + t.deltas + ` GROUP BY ` + t.cols + `
				ON CONFLICT (` + t.cols + `) DO UPDATE SET n = ` + t.counts + `.n + excluded.n`)
				if res.Error == nil {
					res.Error = db.Exec("DELETE FROM " + t.deltas).Error
				}
			}
			if res.Error != nil {
				return res.Error
			}
			moved += res.RowsAffected
		}
		return nil
	})
	return moved, translate(err)
}

// foldedTables are the tables a fold empties: a report reads report_deltas whole (and
// report_org_deltas by its organisation's index), and a deleted row stays in a PostgreSQL table's
// pages until it is vacuumed.
const foldedTables = "report_deltas, report_org_deltas, report_org_dirty, report_org_moves, transition_dirty"

// vacuumFolded vacuums what the fold emptied, on PostgreSQL, rather than leave it to autovacuum
// (which may be off, or busy with the large tables): after 17,000 creates at a million referrals
// the deltas folded left 175 MB of dead rows that every report read, 120-360 ms a report until a
// VACUUM of 0.6 s brought them back to 6-25 ms. SKIP_LOCKED: a replica's fold never waits for
// another's vacuum. A user who does not own the tables gets a warning from PostgreSQL, not an
// error.
func (s *Store) vacuumFolded(ctx context.Context, tables string) error {
	if s.dialect != Postgres {
		return nil
	}
	return translate(s.db.WithContext(ctx).Exec("VACUUM (SKIP_LOCKED) " + tables).Error)
}

// Unfolded says what waits to be folded, each counted no further than asked: whether the report
// delta tables hold deltas rows or more between them, transition_dirty marks marks or more, and
// report_org_dirty children children or more. A report reads the deltas whole, the transitions
// report works out each marked young person's spans (about 0.25 ms each), and an organisation's
// reports correct for each child marked with it (above 5,000, they scan its records): so the server
// folds early when any grows (see oneplan's foldReportCounts). A zero asks nothing of that table
// (LIMIT 0 reads no row) and is never due: a folder that never folds it early need not count it.
func (s *Store) Unfolded(ctx context.Context, deltas, marks, children int) (Pending, error) {
	var row struct{ Deltas, Marks, Children int64 }
	err := s.db.WithContext(ctx).Raw(`SELECT (SELECT count(*) FROM (SELECT 1 FROM report_deltas LIMIT ?) a)
		+ (SELECT count(*) FROM (SELECT 1 FROM report_org_deltas LIMIT ?) b) AS deltas,
		(SELECT count(*) FROM (SELECT 1 FROM transition_dirty LIMIT ?) c) AS marks,
		(SELECT count(*) FROM (SELECT 1 FROM report_org_dirty LIMIT ?) d) AS children`, deltas, deltas, marks, children).Scan(&row).Error
	due := func(n int64, at int) bool { return at > 0 && n >= int64(at) }
	return Pending{Deltas: due(row.Deltas, deltas), Marks: due(row.Marks, marks), Children: due(row.Children, children)}, translate(err)
}

// Pending is what Unfolded found at or over its marks.
type Pending struct{ Deltas, Marks, Children bool }

// RebuildReportCounts recomputes report_counts and the transition spans from the base tables (oneplan reports-rebuild),
// for after a restore or a manual correction of the data. Writers wait while it runs.
func (s *Store) RebuildReportCounts(ctx context.Context) error {
	return translate(s.transaction(ctx, func(db *gorm.DB) error {
		if err := migrations.RebuildReportCounts(db); err != nil {
			return err
		}
		if err := migrations.BackfillAnswerCounts(db); err != nil {
			return err
		}
		if err := rebuildReportOrgs(db, s.dialect); err != nil {
			return err
		}
		return rebuildTransitionSpans(db, s.dialect)
	}))
}

// answersFromCounts adds the survey answers over months [from, to] (YYYY-MM), read from
// report_counts, to into: the whole council's rows without a locality filter, the locality's rows
// with one, an organisation's own totals with one (its "answer" rows of every locality).
func (tx reportRepo) answersFromCounts(from, to string, sc reportScope, templateID, point string, into map[answerKey]int64) error {
	if tx.dialect == Postgres {
		templateID = strings.ToLower(templateID) // as PostgreSQL reads a uuid
	}
	var (
		rows []countRow
		err  error
	)
	switch {
	case sc.OrganisationID != "":
		rows, err = tx.orgCountsWith(from, to, sc, []string{templateID, point}, "answer")
	case sc.Locality != "":
		rows, err = tx.countsWith(from, to, sc.Filter, []string{templateID, point}, "answer")
	default:
		rows, err = tx.countsWith(from, to, sc.Filter, []string{templateID, point}, "answer_all")
	}
	if err != nil {
		return err
	}
	for _, r := range rows {
		// audience|role|type|score|choice, the choice last as it may hold a '|'.
		parts := strings.SplitN(r.D4, "|", 5)
		if len(parts) != 5 {
			return fmt.Errorf("report_counts: malformed answer group %q", r.D4)
		}
		k := answerKey{TemplateID: r.D1, Audience: parts[0], ProfessionalRole: parts[1], QuestionID: r.D3, QuestionType: parts[2], Choice: parts[4]}
		if parts[3] != "" {
			score, err := strconv.Atoi(parts[3])
			if err != nil {
				return fmt.Errorf("report_counts: malformed answer score %q", r.D4)
			}
			k.Score, k.HasScore = score, true
		}
		into[k] += r.N
	}
	return nil
}
