package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/idempotency"
	"github.com/oneplan-send/oneplan/internal/secretseal"
)

// A session is one unit of work: InTx's transaction, or Read's reads. On PostgreSQL it spends as
// few round trips as it can, because round trips, not the database's work, were what bounded the
// write path (each a write and a read system call on both sides):
//
//   - writes that nothing reads back within the unit (the record created, its audit and outbox
//     events, its timeline line, a versioned update) are kept and sent together, at the end, as
//     one statement of data-modifying CTEs. One statement is one atomic transaction, so a unit
//     whose reads come first and whose writes all wait for the end needs no BEGIN and no COMMIT;
//   - a versioned update in that statement guards the rest: every other write in it happens only
//     if the update found the version it expected, so a lost race writes nothing;
//   - the transaction is begun only when it is needed: a write that must happen at once (a lock,
//     a delete, an update whose result is needed), or kept writes that a later read must see.
//
// At READ COMMITTED, PostgreSQL's default, reads before BEGIN see exactly what reads inside the
// transaction would: each statement sees what was committed when it started. SQLite sessions are
// a transaction from the start and write at once: round trips cost nothing in-process.
type session struct {
	ctx     context.Context
	pool    *gorm.DB // the connection pool
	tx      *gorm.DB // the transaction, once begun
	dialect string
	sealer  *secretseal.Sealer
	// defer: PostgreSQL, keeping writes for the end. canBegin: InTx (Read never begins).
	deferWrites, canBegin bool
	pending               []keptWrite
	guards                []guard
	// readAudit is the audit event the next audited read writes as it reads (see AuditReading).
	readAudit   *audit.Event
	readAudited bool
	// listAudit is the audit event the next audited page writes as it reads (see AuditListing).
	listAudit   *audit.Event
	listAudited bool
	// rows remembers rows this session read, by "table:id", for an update to write only the
	// columns it changes.
	rows map[string]any
	// inlinedIDs holds the external identifiers read with records, by type and id (see inlineExternalIDs).
	inlinedIDs map[inlineKey][]externalid.ID
	// batch gathers single-row inserts while Tx.Batch runs (see bulk.go).
	batch *batch
	// touched are the young people the unit's outbox events name: their stored deadlines are
	// marked stale when it commits (see Tx.markStale).
	touched map[string]bool
	// allIdentifiers: this transaction holds every identifier (LockAllIdentifiers).
	allIdentifiers bool
	// writers: SQLite's requests waiting to write and the process's turn to write (see
	// giveway.go); nil on PostgreSQL. release gives up the turn the transaction took.
	writers *writers
	release func()
	// conn holds a PostgreSQL transaction's connection (see beginOnConn).
	conn *sql.Conn
	// copyBuf is the buffer a batch's COPY rows are written into, reused batch after batch.
	copyBuf []byte
	// copyAlt is the second, the next shape's rows are encoded into while one is sent.
	copyAlt []byte
	// held: the rows of a BatchAhead, not yet sent; ahead: within ReadAhead, whose reads do not
	// send them; inflight, closed when the rows being sent in the background are sent, and
	// inflightErr, their error (see Tx.ReadAhead).
	held        *batch
	ahead       bool
	inflight    chan struct{}
	inflightErr error
}

// rememberRow keeps a row read, for a later update of it in the same session.
func (s *session) rememberRow(key string, row any) {
	if s.rows == nil {
		s.rows = map[string]any{}
	}
	s.rows[key] = row
}

// recallRow is the row remembered under key, if any.
func (s *session) recallRow(key string) (any, bool) {
	row, ok := s.rows[key]
	return row, ok
}

// keptWrite is a write kept for the end: SQL written for the dialect, $n placeholders counted
// from 1.
type keptWrite struct {
	sql  string
	vars []any
}

// guard is a versioned update kept for the end, whose success the other kept writes depend on.
type guard struct {
	keptWrite
	table, id string
}

// q is the handle for a read: what has been kept is sent first, so the read sees it.
func (s *session) q() *gorm.DB {
	if err := s.ready(); err != nil {
		return s.failed(err)
	}
	if s.batch != nil && len(s.batch.groups) > 0 {
		if err := s.sendBatch(); err != nil {
			return s.failed(err)
		}
	}
	if len(s.pending) > 0 || len(s.guards) > 0 {
		// Sent now, the kept writes must still commit with the rest: in the transaction.
		if s.tx == nil && s.canBegin {
			if err := s.begin(); err != nil {
				return s.failed(err)
			}
		}
		if err := s.flush(); err != nil {
			return s.failed(err)
		}
	}
	if s.tx != nil {
		return s.tx
	}
	return s.pool
}

// ready waits for rows being sent in the background and, but within ReadAhead, sends the rows a
// BatchAhead holds: what a read must see. Writes waiting to be sent go after the held rows, even
// within ReadAhead.
func (s *session) ready() error {
	if err := s.await(); err != nil {
		return err
	}
	if s.held != nil && (!s.ahead || len(s.pending) > 0 || len(s.guards) > 0 || s.batch != nil && len(s.batch.groups) > 0) {
		return s.sendHeld()
	}
	return nil
}

// w is the handle for a write that must happen now, inside the transaction.
func (s *session) w() *gorm.DB {
	if s.held != nil {
		// A write goes after the held rows, even within ReadAhead.
		if err := s.sendHeld(); err != nil {
			return s.failed(err)
		}
	}
	if s.tx == nil && s.canBegin {
		if err := s.begin(); err != nil {
			return s.failed(err)
		}
	}
	return s.q()
}

// failed is a handle whose next statement reports err (GORM carries an error on the handle).
func (s *session) failed(err error) *gorm.DB {
	db := s.pool.Session(&gorm.Session{NewDB: true})
	_ = db.AddError(err)
	return db
}

func (s *session) begin() error {
	defer s.writers.wait(s.ctx)() // counted until it holds the lock (BEGIN IMMEDIATE)
	release, err := s.writers.take(s.ctx)
	if err != nil {
		return err
	}
	if s.dialect == Postgres {
		return s.beginOnConn(release)
	}
	tx := s.pool.Begin()
	if tx.Error != nil {
		release()
		return tx.Error
	}
	s.tx, s.release = tx, release
	return nil
}

// beginOnConn begins a PostgreSQL transaction on a connection the session holds, so that a batch
// can reach the driver's connection inside the transaction (COPY: see bulk_copy.go); the
// connection goes back to the pool when the transaction ends.
func (s *session) beginOnConn(release func()) error {
	sqlDB, err := s.pool.DB()
	if err != nil {
		release()
		return err
	}
	c, err := sqlDB.Conn(s.ctx)
	if err != nil {
		release()
		return err
	}
	db := s.pool.Session(&gorm.Session{Context: s.ctx})
	db.Statement.ConnPool = c
	tx := db.Begin()
	if tx.Error != nil {
		_ = c.Close()
		release()
		return tx.Error
	}
	s.tx, s.conn = tx, c
	s.release = func() {
		_ = c.Close()
		s.conn = nil
		release()
	}
	return nil
}

// commit commits the transaction and gives up the turn to write.
func (s *session) commit() error {
	defer s.release()
	return s.tx.Commit().Error
}

// rollback rolls the transaction back and gives up the turn to write.
func (s *session) rollback() {
	defer s.release()
	_ = s.tx.Rollback().Error
}

// later keeps a write (one INSERT of one row, or an UPDATE with a WHERE clause) for the end of the
// session, or runs it at once where writes are not kept. build gets a handle and must run exactly
// one statement on it.
func (s *session) later(build func(db *gorm.DB) *gorm.DB) error {
	if s.batch != nil {
		if ok, err := s.gather(build, ""); ok || err != nil {
			return err
		}
		if err := s.sendBatch(); err != nil {
			return err
		}
	}
	if !s.deferWrites {
		if s.tx == nil {
			// A write of its own (a read's audit event on SQLite).
			return s.writers.alone(s.ctx, func() error { return build(s.w()).Error })
		}
		return build(s.w()).Error
	}
	sql, vars, err := s.render(build)
	if err != nil {
		return err
	}
	kept, err := keepable(sql)
	if err != nil {
		return err
	}
	s.pending = append(s.pending, keptWrite{sql: kept, vars: vars})
	return nil
}

// keepRow is later for a one-row INSERT of cols, written without the ORM where writes are kept
// (PostgreSQL, outside a gathered batch): rendering through GORM was a tenth of a create's CPU.
// Elsewhere build, which must insert the same row, goes through later.
func (s *session) keepRow(table string, cols []string, vals []any, build func(db *gorm.DB) *gorm.DB) error {
	if s.batch != nil {
		return s.gatherRow(s.insertHead(table, cols), "", vals, "")
	}
	if !s.deferWrites {
		return s.later(build)
	}
	s.keepInsert(table, cols, vals, nil, "")
	return nil
}

// keepRowUnless is keepRow for a row held back by a condition of its own, as laterUnless (which
// it goes through where keepRow goes through later).
func (s *session) keepRowUnless(table string, cols []string, vals []any, cond func(vars int) (string, []any), build func(db *gorm.DB) *gorm.DB) error {
	if !s.deferWrites || s.batch != nil {
		return s.laterUnless(build, cond)
	}
	s.keepInsert(table, cols, vals, cond, "")
	return nil
}

// keepInsert keeps INSERT INTO table (cols) SELECT vals [cond] [guard] [tail], written by hand.
func (s *session) keepInsert(table string, cols []string, vals []any, cond func(vars int) (string, []any), tail string) {
	var b strings.Builder
	b.Grow(32 + len(table) + 24*len(cols) + len(tail))
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT ")
	for i := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
	}
	if cond != nil {
		where, more := cond(len(vals))
		b.WriteString(where)
		vals = append(vals, more...)
	}
	b.WriteString(guardSpot)
	b.WriteString(tail)
	s.pending = append(s.pending, keptWrite{sql: b.String(), vars: vals})
}

// laterUnless is later for an INSERT held back by a condition of its own: cond gets the number of
// the statement's parameters and returns " WHERE ..." numbering its own after them.
func (s *session) laterUnless(build func(db *gorm.DB) *gorm.DB, cond func(vars int) (string, []any)) error {
	sql, vars, err := s.render(build)
	if err != nil {
		return err
	}
	kept, err := keepable(sql)
	if err != nil || !strings.HasPrefix(kept, "INSERT INTO ") {
		return fmt.Errorf("a conditional kept write must be an insert: %w", err)
	}
	where, more := cond(len(vars))
	kept = strings.Replace(kept, guardSpot, where+guardSpot, 1)
	s.pending = append(s.pending, keptWrite{sql: kept, vars: append(vars, more...)})
	return nil
}

// guardSpot marks where a kept write takes the condition that holds it back until the guards
// have succeeded.
const guardSpot = "/*guard*/"

// keepable rewrites a statement to take a guard: INSERT ... VALUES (...) [ON CONFLICT ...] becomes
// INSERT ... SELECT ... [guard] [ON CONFLICT ...] (PostgreSQL types the parameters from the target
// columns either way); an UPDATE or DELETE takes it at the end of its WHERE clause.
func keepable(sql string) (string, error) {
	switch {
	case strings.HasPrefix(sql, "INSERT INTO "):
		i := strings.Index(sql, ") VALUES (")
		if i < 0 {
			return "", fmt.Errorf("kept insert without VALUES: %.80s", sql)
		}
		start := i + len(") VALUES (")
		depth, end := 1, -1
		for j := start; j < len(sql) && end < 0; j++ {
			switch sql[j] {
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					end = j
				}
			}
		}
		if end < 0 || strings.HasPrefix(sql[end+1:], ",(") {
			return "", fmt.Errorf("kept insert of more than one row, or unbalanced: %.80s", sql)
		}
		return sql[:i+1] + " SELECT " + sql[start:end] + guardSpot + sql[end+1:], nil
	case strings.HasPrefix(sql, "UPDATE "), strings.HasPrefix(sql, "DELETE "):
		if !strings.Contains(sql, " WHERE ") {
			return "", fmt.Errorf("kept update without WHERE: %.80s", sql)
		}
		return sql + guardSpot, nil
	}
	return "", fmt.Errorf("kept statement of an unexpected kind: %.80s", sql)
}

// laterGuard keeps a versioned update: the kept writes happen only if it updates its row. The
// caller's update must end in the WHERE clause naming the row and its version.
func (s *session) laterGuard(table, id string, build func(db *gorm.DB) *gorm.DB) error {
	if err := s.sendBatch(); err != nil {
		return err
	}
	sql, vars, err := s.render(build)
	if err != nil {
		return err
	}
	s.guards = append(s.guards, guard{keptWrite: keptWrite{sql: sql, vars: vars}, table: table, id: id})
	return nil
}

// keepGuard is laterGuard for a statement already written for PostgreSQL ($n placeholders).
func (s *session) keepGuard(table, id, sql string, vars []any) error {
	if err := s.sendBatch(); err != nil {
		return err
	}
	s.guards = append(s.guards, guard{keptWrite: keptWrite{sql: sql, vars: vars}, table: table, id: id})
	return nil
}

// render is the statement build would send, without sending it.
func (s *session) render(build func(db *gorm.DB) *gorm.DB) (string, []any, error) {
	stmt := build(s.pool.Session(&gorm.Session{DryRun: true, NewDB: true})).Statement
	if stmt.Error != nil {
		return "", nil, stmt.Error
	}
	return stmt.SQL.String(), stmt.Vars, nil
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// renumber shifts a statement's $n placeholders by offset, to sit in a larger statement.
func renumber(sql string, offset int) string {
	if offset == 0 {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql) + 16)
	writeRenumbered(&b, sql, offset)
	return b.String()
}

// writeRenumbered writes sql to b with every $n (as the placeholder pattern finds them) shifted
// by offset, scanning by hand: the regular expression was a twentieth of a create's CPU.
func writeRenumbered(b *strings.Builder, sql string, offset int) {
	if offset == 0 {
		b.WriteString(sql)
		return
	}
	start := 0
	for i := 0; i < len(sql); i++ {
		if sql[i] != '$' || i+1 >= len(sql) || sql[i+1] < '0' || sql[i+1] > '9' {
			continue
		}
		j := i + 1
		for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(sql[i+1 : j])
		if err != nil {
			continue // too long to be a parameter's number: left as written
		}
		b.WriteString(sql[start : i+1])
		b.WriteString(strconv.Itoa(n + offset))
		start, i = j, j-1
	}
	b.WriteString(sql[start:])
}

// direct is where a statement written by hand goes, through database/sql rather than GORM (whose
// building and parsing of a statement given as text was a tenth of a busy request's CPU): the
// transaction once begun, else the pool.
func (s *session) direct() gorm.ConnPool {
	db := s.pool
	if s.tx != nil {
		db = s.tx
	}
	if db.Logger == logger.Discard {
		return db.Statement.ConnPool
	}
	// A logger other than the server's (a test's recorder of statements) still hears of each.
	return traced{ConnPool: db.Statement.ConnPool, log: db.Logger, explain: db.Explain}
}

// traced tells a GORM logger of the statements sent past GORM.
type traced struct {
	gorm.ConnPool
	log     logger.Interface
	explain func(sql string, vars ...any) string
}

// note tells of query with its values written in, as GORM's own statements are told (a plan test
// EXPLAINs what it hears).
func (t traced) note(ctx context.Context, begin time.Time, query string, args []any, rows int64, err error) {
	t.log.Trace(ctx, begin, func() (string, int64) { return t.explain(query, args...), rows }, err)
}

func (t traced) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	begin := time.Now()
	res, err := t.ConnPool.ExecContext(ctx, query, args...)
	n := int64(-1)
	if err == nil {
		n, _ = res.RowsAffected()
	}
	t.note(ctx, begin, query, args, n, err)
	return res, err
}

func (t traced) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	begin := time.Now()
	rows, err := t.ConnPool.QueryContext(ctx, query, args...)
	t.note(ctx, begin, query, args, -1, err)
	return rows, err
}

func (t traced) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	begin := time.Now()
	row := t.ConnPool.QueryRowContext(ctx, query, args...)
	t.note(ctx, begin, query, args, -1, row.Err())
	return row
}

// flush sends what has been kept, as one statement. With guards, the writes happen only if every
// guard's update found its row at its version; otherwise nothing is written and the caller gets
// the stale-version error of the first guard that failed.
func (s *session) flush() error {
	pending, guards := s.pending, s.guards
	s.pending, s.guards = nil, nil
	if len(pending) == 0 && len(guards) == 0 {
		return nil
	}
	db := s.pool
	if s.tx != nil {
		db = s.tx
	}
	if len(guards) == 0 && len(pending) == 1 {
		_, err := s.direct().ExecContext(s.ctx, withGuard(pending[0].sql, ""), pending[0].vars...)
		return translate(err)
	}
	var (
		b    strings.Builder
		vars []any
	)
	size := 64
	for _, g := range guards {
		size += len(g.sql) + 64
	}
	for _, p := range pending {
		size += len(p.sql) + 64
	}
	b.Grow(size)
	b.WriteString("WITH ")
	last := ""
	for i, g := range guards {
		if i > 0 {
			b.WriteString(", ")
		}
		name := "g" + strconv.Itoa(i)
		b.WriteString(name + " AS (")
		writeRenumbered(&b, g.sql, len(vars))
		if last != "" {
			b.WriteString(" AND EXISTS (SELECT 1 FROM " + last + ")")
		}
		b.WriteString(" RETURNING 1)")
		vars, last = append(vars, g.vars...), name
	}
	for i, p := range pending {
		if i > 0 || len(guards) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("w" + strconv.Itoa(i) + " AS (" + withGuard(renumber(p.sql, len(vars)), last) + ")")
		vars = append(vars, p.vars...)
	}
	if last == "" {
		b.WriteString(" SELECT 1")
	} else {
		b.WriteString(" SELECT COUNT(*) FROM " + last)
	}
	var n int64
	if err := s.direct().QueryRowContext(s.ctx, b.String(), vars...).Scan(&n); err != nil {
		return translate(err)
	}
	if last != "" && n == 0 {
		return s.stale(db, guards)
	}
	return nil
}

// withGuard holds a kept write back unless the guard named last succeeded ("": no guard).
func withGuard(sql, last string) string {
	cond := ""
	if last != "" {
		cond = " EXISTS (SELECT 1 FROM " + last + ")"
		spot := strings.Index(sql, guardSpot)
		if strings.HasPrefix(sql, "INSERT INTO ") && !strings.Contains(sql[strings.Index(sql, ") SELECT "):spot], " WHERE NOT EXISTS ") {
			cond = " WHERE" + cond
		} else {
			cond = " AND" + cond
		}
	}
	return strings.Replace(sql, guardSpot, cond, 1)
}

// stale names the version a failed guard's row is at now, or that the row is gone.
func (s *session) stale(db *gorm.DB, guards []guard) error {
	for _, g := range guards {
		var current int
		err := db.Table(g.table).Where("id = ?", g.id).Select("version").Row().Scan(&current)
		if err != nil {
			return fault.New(fault.NotFound, "No such record.")
		}
		if !strings.Contains(g.sql, "version = ") {
			continue
		}
		// The guard's expected version is its last argument (the WHERE id = ? AND version = ?).
		if want := fmt.Sprint(g.vars[len(g.vars)-1]); want != strconv.Itoa(current) {
			return fault.Stale(current)
		}
	}
	return fault.New(fault.Conflict, "The record changed while this request was being handled; read it and try again.")
}

// finish ends the session after fn: sends what is kept (in the transaction, or as the one
// statement that is the whole transaction) and commits, or rolls back on err.
func (s *session) finish(err error) error {
	if err == nil {
		err = s.sendHeld() // what a BatchAhead holds, or is sending, commits with the rest
	}
	if err != nil {
		_ = s.await()
		s.held = nil
		if s.tx != nil {
			s.rollback()
		}
		return err
	}
	if s.canBegin {
		// A request retried with the same Idempotency-Key must never run twice: its claim is
		// marked carried out in the same commit as the change itself.
		if c, ok := idempotency.ClaimFrom(s.ctx); ok {
			if err := s.later(func(db *gorm.DB) *gorm.DB {
				return db.Model(&idempotencyRow{}).Where("api_key_id = ? AND idem_key = ? AND state = ?", c.Owner, c.Key, idempotency.Pending).
					Update("state", idempotency.Committed)
			}); err != nil {
				return s.finish(err)
			}
		}
	}
	if err := s.flush(); err != nil {
		return s.finish(err)
	}
	if s.tx != nil {
		return s.commit()
	}
	return nil
}

// run runs fn in the session and finishes it; a panic rolls the transaction back, and a stored
// value that cannot be read back becomes an error (see unreadable).
func (s *session) run(fn func(tx *Tx) error, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			_ = s.await()
			if s.tx != nil {
				s.rollback()
			}
			u, ok := r.(unreadable)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("read stored %s: %w", u.what, u.err)
		}
	}()
	return s.finish(fn(tx))
}

// AuditReading asks the next read of one record made through takeAudited (the busiest records:
// referrals, young people) to write e, the audit event of the read, in the same statement as the
// read, the young person taken from the row read: one round trip for an audited read. The
// function returned says whether that happened (and forgets e): when it did not (SQLite, or a
// read that does not take part), the caller writes e itself.
func (tx *Tx) AuditReading(e audit.Event) (written func() bool) {
	if !tx.deferWrites {
		return func() bool { return false }
	}
	tx.readAudit, tx.readAudited = &e, false
	return func() bool {
		done := tx.readAudited
		tx.readAudit, tx.readAudited = nil, false
		return done
	}
}

// takeAudited is q.Take(dest), writing the pending read audit event (see AuditReading) in the same
// statement; ypCol is the column of the row read that names its young person.
func (c conn) takeAudited(q *gorm.DB, dest any, ypCol string) error {
	return c.takeAuditedRow(q, dest, "", nil, ypCol)
}

// takeAuditedRow is takeAudited reading the columns cols of the row into fields by hand (in that
// order), without GORM's reflection; model names the table. Empty cols: GORM scans into model.
func (c conn) takeAuditedRow(q *gorm.DB, model any, cols string, fields []any, ypCol string) error {
	s := c.session
	if cols != "" {
		q = q.Model(model).Select(cols)
	}
	if s.readAudit == nil || len(s.pending) > 0 || len(s.guards) > 0 {
		if cols == "" {
			return q.Take(model).Error
		}
		return scanOne(q.Limit(1), fields)
	}
	e := *s.readAudit
	s.readAudit = nil
	stmt := q.Session(&gorm.Session{DryRun: true}).Take(model).Statement
	if stmt.Error != nil {
		return stmt.Error
	}
	sql, vars := withReadAudit(stmt.SQL.String(), stmt.Vars, e, ypCol)
	db := s.pool
	if s.tx != nil {
		db = s.tx
	}
	// Rows, not Scan: GORM's Scan renders every statement with its arguments as text for a logger,
	// even the one that discards it (a twentieth of a read's time).
	if err := scanOne(db.Raw(sql, vars...), fields, model); err != nil {
		return err
	}
	s.readAudited = true
	return nil
}

// withReadAudit is the read sel (PostgreSQL, $n placeholders numbered from 1 for vars) turned
// into one statement that also writes e, the read's audit event, its young person taken from the
// column ypCol of the row read.
func withReadAudit(sel string, selVars []any, e audit.Event, ypCol string) (string, []any) {
	vars := make([]any, len(selVars), len(selVars)+14)
	copy(vars, selVars)
	arg := func(v any) string {
		vars = append(vars, v)
		return "$" + strconv.Itoa(len(vars))
	}
	sql := "WITH r AS (" + sel + "), a AS (INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, " +
		"young_person_id, actor_key_id, actor_subject, actor_practitioner_id, actor_org_id, actor_role, purpose, changed_fields, request_id, ip) SELECT " +
		strings.Join([]string{arg(e.ID), arg(e.OccurredAt), arg(e.Action), arg(e.RecordType), arg(nullable(e.RecordID)), "r." + ypCol,
			arg(nullable(e.ActorKeyID)), arg(nullable(e.ActorSubject)), arg(nullable(e.ActorPractitionerID)), arg(nullable(e.ActorOrgID)),
			arg(e.ActorRole), arg(nullable(e.Purpose)), arg(toJSONOrNull(e.ChangedFields, len(e.ChangedFields) == 0)),
			arg(nullable(e.RequestID)), arg(nullable(e.IP))}, ", ") +
		" FROM r) SELECT * FROM r"
	return sql, vars
}

// takeDirect reads the one row of sel, a statement written by hand for PostgreSQL ($n
// placeholders for vars), into fields, writing the pending read audit event (see AuditReading)
// in the same statement (unless ypCol is empty: a read that is not the audited one), all without GORM: building the statement through it was a seventh of
// an audited read's CPU. It reports false, having done nothing, where the session cannot
// (SQLite, or writes kept that the read must follow); the caller then reads as it otherwise does.
func (c conn) takeDirect(sel string, vars []any, fields []any, ypCol string) (bool, error) {
	s := c.session
	if !s.deferWrites || s.batch != nil || s.held != nil || s.inflight != nil || len(s.pending) > 0 || len(s.guards) > 0 {
		return false, nil
	}
	audited := s.readAudit != nil && ypCol != ""
	if audited {
		e := *s.readAudit
		s.readAudit = nil
		sel, vars = withReadAudit(sel, vars, e, ypCol)
	}
	if err := s.readOne(sel, vars, fields); err != nil {
		return true, err
	}
	s.readAudited = audited
	return true, nil
}

// readOne reads the one row of sel into fields (gorm.ErrRecordNotFound when there is none). On
// PostgreSQL outside a transaction it is scanned straight from pgx, as the lists are (queryRows):
// through database/sql every value became a driver.Value and was converted again, 8-9% of the
// server's CPU on reads.
func (s *session) readOne(sel string, vars []any, fields []any) error {
	if s.tx != nil || s.dialect != Postgres {
		rows, err := s.direct().QueryContext(s.ctx, sel, vars...)
		if err != nil {
			return err
		}
		return scanRows(rows, fields)
	}
	found := false
	err := queryRows(s, sel, vars, false, func(scan func(...any) error) error {
		if found {
			return errManyRows
		}
		found = true
		return scan(fields...)
	})
	if err == nil && !found {
		err = gorm.ErrRecordNotFound
	}
	return err
}

// scanOne reads the one row q selects into fields, or with GORM into model[0] when fields is nil;
// gorm.ErrRecordNotFound when there is none. The statement has ended (and, outside a transaction,
// committed what it wrote) when it returns nil.
func scanOne(q *gorm.DB, fields []any, model ...any) (err error) {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	if fields != nil {
		return scanRows(rows, fields)
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return gorm.ErrRecordNotFound
	}
	if err := q.ScanRows(rows, model[0]); err != nil {
		return err
	}
	return restOfAnswer(rows)
}

// scanRows reads the one row of rows into fields and closes rows, as scanOne does.
func scanRows(rows *sql.Rows, fields []any) (err error) {
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return gorm.ErrRecordNotFound
	}
	if err := rows.Scan(fields...); err != nil {
		return err
	}
	return restOfAnswer(rows)
}

// errManyRows fails a read of one record whose statement found more than one row.
var errManyRows = errors.New("read of one record found more than one row")

// restOfAnswer reads the rest of an answer of one row: an error after the row (the audit
// insert's, or its commit's) fails the read.
func restOfAnswer(rows *sql.Rows) error {
	if rows.Next() {
		return errManyRows
	}
	return rows.Err()
}
