package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/report"
)

// Helpers for the conformance suite (package store_test), which cannot reach the gorm handle.
// They bypass the repositories on purpose, to check what the schema itself enforces (the
// append-only audit trail) and to set up states no method produces (a revoked key). They live
// in an internal test file because package store cannot import storetest (an import cycle),
// so the suite itself stays in store_test and runs on every backend through storetest.Each.

// RawExec runs one statement straight on the database and returns the rows it affected.
func RawExec(st *Store, sql string, args ...any) (int64, error) {
	res := st.db.Exec(sql, args...)
	return res.RowsAffected, res.Error
}

// RawCount runs a query returning one integer, such as SELECT COUNT(*).
func RawCount(st *Store, sql string, args ...any) (int64, error) {
	var n int64
	err := st.db.Raw(sql, args...).Scan(&n).Error
	return n, err
}

// RawString runs a query returning one text value.
func RawString(st *Store, sql string, args ...any) (string, error) {
	var s string
	err := st.db.Raw(sql, args...).Row().Scan(&s)
	return s, err
}

// TxString is RawString inside a transaction (and after its held rows are sent).
func TxString(tx *Tx, sql string, args ...any) (string, error) {
	var s string
	err := tx.w().Raw(sql, args...).Row().Scan(&s)
	return s, err
}

// AgeIdempotencyClaim backdates a claim, as if its request had been claimed at.
func AgeIdempotencyClaim(tx *Tx, owner, key string, at time.Time) error {
	return tx.w().Model(&idempotencyRow{}).Where("api_key_id = ? AND idem_key = ?", owner, key).Update("created_at", at.UTC()).Error
}

// LinkedTables names the tables a merge moves, for the test that they are every table holding a
// young person's id.
func LinkedTables() []string {
	out := make([]string, len(linkedTables))
	for i, t := range linkedTables {
		out[i] = t.table
	}
	return out
}

// RecordSQL makes st remember every statement it sends, arguments written in; the returned
// function gives them (and forgets them). For the plan tests, which EXPLAIN what a list sends.
func RecordSQL(st *Store) func() []string {
	r := &sqlRecorder{}
	st.db = st.db.Session(&gorm.Session{Logger: r})
	return func() []string {
		r.mu.Lock()
		defer r.mu.Unlock()
		out := r.sql
		r.sql = nil
		return out
	}
}

type sqlRecorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }
func (r *sqlRecorder) Info(context.Context, string, ...any)     {}
func (r *sqlRecorder) Warn(context.Context, string, ...any)     {}
func (r *sqlRecorder) Error(context.Context, string, ...any)    {}
func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sql = append(r.sql, sql)
}

// ScanReports makes every report scan the base tables instead of reading report_counts, so a
// test can compare the two.
func ScanReports(on bool) { scanReports.Store(on) }

// TxExec runs sql at once in tx's transaction (begun by it); TxLater keeps it for the end, as
// writes are kept on PostgreSQL.
func TxExec(tx *Tx, sql string, args ...any) error { return tx.w().Exec(sql, args...).Error }

func TxLater(tx *Tx, sql string, args ...any) error {
	return tx.later(func(db *gorm.DB) *gorm.DB { return db.Exec(sql, args...) })
}

// RawStrings runs a query returning one text column.
func RawStrings(st *Store, sql string, args ...any) ([]string, error) {
	var out []string
	err := st.db.Raw(sql, args...).Scan(&out).Error
	return out, err
}

// ForceTimePaging makes every time-range page on PostgreSQL read its ids from the range's index
// (index true) or walk the ids down from the newest (false), whatever the planner reckons, until
// restore; timeRangePage's page must be the same either way.
func ForceTimePaging(index bool) (restore func()) {
	rows, walk := timePageRows, timePageWalk
	if index {
		timePageRows, timePageWalk = math.Inf(1), math.Inf(1)
	} else {
		timePageRows, timePageWalk = -1, -1
	}
	return func() { timePageRows, timePageWalk = rows, walk }
}

// SetTransitionFolds sets how many marks a fold batch takes, how many Migrate folds and above how
// many the transitions report scans, until restore.
func SetTransitionFolds(batch, startup, scanAbove int) (restore func()) {
	b, s, a := transitionFoldBatch, transitionStartupFold, transitionScanAbove
	transitionFoldBatch, transitionStartupFold, transitionScanAbove = batch, startup, scanAbove
	return func() { transitionFoldBatch, transitionStartupFold, transitionScanAbove = b, s, a }
}

// HeadsCached is how many INSERT heads insertHead keeps.
func HeadsCached() int {
	n := 0
	heads.Range(func(any, any) bool { n++; return true })
	return n
}

// TraceQueries has fn hear of each statement queryRows runs, with its values and whether it is
// planned for them (nil stops it).
func TraceQueries(fn func(sql string, vars []any, planned bool)) { traceQuery = fn }

// SetEarlyChildrenBatch sets how many marks one of FoldMarkedChildren's transactions takes, until
// restore.
func SetEarlyChildrenBatch(batch int) (restore func()) {
	b := reportOrgEarlyBatch
	reportOrgEarlyBatch = batch
	return func() { reportOrgEarlyBatch = b }
}

// SetWholeFoldBatch sets how many marks one of FoldReportOrgs' transactions takes, until
// restore.
func SetWholeFoldBatch(batch int) (restore func()) {
	b := reportOrgFoldBatch
	reportOrgFoldBatch = batch
	return func() { reportOrgFoldBatch = b }
}

// ReferralCursorAt is the cursor a page of referrals ordered by order (created_at, received_on
// or updated_at) ends with when its last row is the referral id.
func ReferralCursorAt(st *Store, order, id string) (string, error) {
	for _, o := range []pageOrder{createdOrder, receivedOrder, updatedOrder} {
		if o.name == order {
			at, err := rowTime(st.db, "referrals", "referrals."+order, o, id)
			return encodeOrderedCursor(order, id, at), err
		}
	}
	return "", fmt.Errorf("no order %q", order)
}

// SetOrgScanAbove sets above how many of its marked children an organisation's reports scan the
// records, until restore.
func SetOrgScanAbove(n int) (restore func()) {
	a := reportOrgScanAbove
	reportOrgScanAbove = n
	return func() { reportOrgScanAbove = a }
}

// OrgReportsCounted says whether the organisation's reports would read its maintained totals
// now (rather than scan its children's records).
func OrgReportsCounted(st *Store, org string) (bool, error) {
	var counted bool
	err := st.Read(context.Background(), func(tx *Tx) error {
		sc, err := reportRepo{tx.conn}.scopeFor(report.Filter{OrganisationID: org})
		counted = sc.orgCounted
		return err
	})
	return counted, err
}

// ExplainStatements hands f the plan (EXPLAIN, JSON; SQLite's EXPLAIN QUERY PLAN) of each statement st sends through the ORM
// that match accepts, planned in the statement's own transaction just before it runs (so, in
// the organisations' fold, with the moves in it, analysed, and byIndex's settings), until the
// returned function is called.
func ExplainStatements(st *Store, match func(sql string) bool, f func(sql, plan string)) (stop func()) {
	const name = "test:explain"
	var inside atomic.Bool // what f sends itself is not explained
	explain := func(db *gorm.DB) {
		sql := db.Statement.SQL.String()
		if !match(sql) || !inside.CompareAndSwap(false, true) {
			return
		}
		defer inside.Store(false)
		var plan string
		if st.dialect == SQLite {
			plan = explainSQLite(db, sql)
		} else if err := db.Statement.ConnPool.QueryRowContext(db.Statement.Context, "EXPLAIN (FORMAT JSON) "+sql, db.Statement.Vars...).Scan(&plan); err != nil {
			plan = "explain failed: " + err.Error()
		}
		f(sql, plan)
	}
	cb := st.db.Callback()
	if err := cb.Raw().Before("gorm:raw").Register(name, explain); err != nil {
		panic(err)
	}
	if err := cb.Row().Before("gorm:row").Register(name, explain); err != nil {
		panic(err)
	}
	return func() {
		_ = cb.Raw().Remove(name)
		_ = cb.Row().Remove(name)
	}
}

// explainSQLite is SQLite's EXPLAIN QUERY PLAN of sql, its steps' details one to a line.
func explainSQLite(db *gorm.DB, sql string) string {
	rows, err := db.Statement.ConnPool.QueryContext(db.Statement.Context, "EXPLAIN QUERY PLAN "+sql, db.Statement.Vars...)
	if err != nil {
		return "explain failed: " + err.Error()
	}
	defer func() { _ = rows.Close() }()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "explain failed: " + err.Error()
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		return "explain failed: " + err.Error()
	}
	return strings.Join(steps, "\n")
}

// ByIndexSettings runs byIndex in a transaction whose merge joins were already off, and says the
// join settings (hash, merge) inside fn and after byIndex.
func ByIndexSettings(st *Store) (during, after [2]string, err error) {
	read := func(db *gorm.DB, into *[2]string) (err error) {
		*into, err = joinSettings(db)
		return err
	}
	err = st.db.Transaction(func(db *gorm.DB) error {
		if err := db.Exec("SET LOCAL enable_mergejoin = off").Error; err != nil {
			return err
		}
		if err := byIndex(db, func() error { return read(db, &during) }); err != nil {
			return err
		}
		return read(db, &after)
	})
	return during, after, err
}

// WaitingWriters is how many requests wait to write on SQLite (0 on PostgreSQL).
func WaitingWriters(st *Store) int32 {
	if st.writers == nil {
		return 0
	}
	return st.writers.waiting.Load()
}

// SetWriteWait sets how long a write waits for this process's turn to write on SQLite.
func SetWriteWait(st *Store, d time.Duration) {
	if st.writers != nil {
		st.writers.patience = d
	}
}

// TraceCopies has fn hear of each COPY statement sent (nil stops it).
func TraceCopies(fn func(sql string)) { traceCopy = fn }

// CopyBinaryMissing is the types of table's columns that COPY's binary form has no encoder for
// (PostgreSQL): a shape of that table goes in text.
func CopyBinaryMissing(st *Store, table string) ([]string, error) {
	var types []string
	if err := st.db.Raw(`SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped`, table).Scan(&types).Error; err != nil {
		return nil, err
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("no table %s", table)
	}
	var missing []string
	for _, typ := range types {
		if binaryEncoders[typ] == nil {
			missing = append(missing, typ)
		}
	}
	return missing, nil
}

// TransitionMarks is how many young people the transitions report would find marked, and the most
// it corrects for rather than scanning.
func TransitionMarks(st *Store) (marks, above int64, err error) {
	err = st.Read(context.Background(), func(tx *Tx) error {
		marks, above, err = reportRepo{tx.conn}.transitionMarks()
		return err
	})
	return marks, above, err
}

// ScanRows runs query on the PostgreSQL database at dsn and scans its rows into destinations made
// by dest: with pgx's own Scan, or with arena as queryRows scans them (arenaScan). The
// rows' values are read only after the last row, so a string that did not outlive its row would
// show.
func ScanRows(ctx context.Context, dsn, query string, arena bool, dest func() []any) ([][]any, error) {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer func() { _ = c.Close(ctx) }()
	rows, err := c.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	scan := rows.Scan
	if arena {
		scan = arenaScan(rows, c.TypeMap())
	}
	for rows.Next() {
		d := dest()
		if err := scan(d...); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
