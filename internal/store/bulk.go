package store

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/sharing"
)

// Batched writes, for an import: within Tx.Batch, each single-row INSERT a repository would send
// (or keep for the end) is gathered instead, and the rows of each statement shape go to the
// database together as multi-row INSERT ... VALUES statements when the batch ends or before the
// next read. The statements and their values are exactly those of the row-by-row writes; only how
// many go in one round trip changes. Row-level triggers (report_deltas) fire per row either way.
// On SQLite a shape's rows go as one JSON parameter instead of VALUES lists (bulk_sqlite.go); on
// PostgreSQL by COPY in a transaction (bulk_copy.go), else as arrays (bulk_pg.go).
//
// Order: the shapes are sent in the order each first appeared, which is each record's own order of
// writes (its row, then the rows naming it: external ids, the team, audit, outbox), so a row is
// never sent before one it refers to. A shape first seen once the batch already holds a second
// record sends what is gathered first, so that order holds whatever the records write.
//
// A read in the batch sends what is gathered first (it must see it), as the session does with kept
// writes; an UPDATE or DELETE does too, and is then sent or kept as it would be outside a batch.

// maxBatchVars bounds the parameters of one statement: SQLite refuses more than 32,766, PostgreSQL
// more than 65,535.
const maxBatchVars = 32000

// batchVars is the parameters one batched statement takes on the dialect. SQLite's driver
// matches each parameter to its argument by a scan of the arguments (quadratic in their number),
// so its statements stay near SQLite's historic limit of 999, which still spares most of the
// per-statement cost (at 300, preparing and finalising three times the statements, each mapping
// and unmapping its memory, cost more than the binding saved).
func batchVars(dialect string) int {
	if dialect == Postgres {
		return maxBatchVars
	}
	return 999
}

type batch struct {
	groups []*batchGroup
	byKey  map[string]*batchGroup
	// repeated: some shape holds more than one row (a second record has begun).
	repeated bool
	// last: what is gathered now comes after every record and nothing gathered refers to it (the
	// batch's worklist marks), so a new shape joins the batch as its last rather than sending
	// what is gathered first.
	last bool
	// joins: the team memberships gathered, by what makes two the same, each held back at the end
	// if the team already has one (sharing.Join's rule).
	joins map[string]batchJoin
}

// batchJoin is a membership to check at the end: the young person, organisation, role,
// practitioner and day it starts.
type batchJoin struct{ youngPersonID, organisationID, role, practitionerID, on string }

func (j batchJoin) key() string {
	return j.youngPersonID + "|" + j.organisationID + "|" + j.role + "|" + j.practitionerID + "|" + j.on
}

type batchGroup struct {
	head, tail string // "INSERT INTO t (cols) VALUES " and what follows the row (ON CONFLICT ...)
	pieces     []string
	numbers    []int // PostgreSQL: the $n between pieces; SQLite: unused (? placeholders)
	width      int   // parameters per row
	rows       [][]any
	held       []string // per row: the join key that holds it back when the team has it, or ""
}

// Batch runs fn with the session's single-row inserts gathered and sent as multi-row statements
// (see batch), and sends them when fn returns nil. Batches do not nest.
func (tx *Tx) Batch(fn func() error) error { return tx.runBatch(fn, false) }

// BatchAhead is Batch for one chunk of an import whose next chunk's reads do not depend on it
// (see ReadAhead): its rows are held when fn returns, and sent after those reads, in the
// background, while the next chunk is worked out (on PostgreSQL the database's backend works
// while this process does; on SQLite the engine's work on one core, the next chunk's on the
// other); any other use of the database sends them first (or waits for them), as Batch would.
func (tx *Tx) BatchAhead(fn func() error) error { return tx.runBatch(fn, true) }

func (tx *Tx) runBatch(fn func() error, hold bool) error {
	if tx.batch != nil {
		return fn()
	}
	if tx.held != nil {
		// Held with no ReadAhead since: sent now, before this batch's rows.
		if err := tx.sendHeld(); err != nil {
			return err
		}
	}
	tx.batch = &batch{byKey: map[string]*batchGroup{}, joins: map[string]batchJoin{}}
	err := fn()
	if err == nil && len(tx.touched) > 0 {
		// The worklist marks of the children the batch wrote about go with it, not all at the
		// commit: an import is one transaction of many batches, and holding every child it
		// touched to the end made its memory grow with the file (300,000 young people: 150 MB).
		tx.batch.last = true
		err = tx.markStale(tx.touched, time.Now().UTC())
		tx.touched = nil
	}
	if err == nil {
		if b := tx.batch; hold && len(b.groups) > 0 {
			// The transaction begun and what was kept sent now, so that the background send
			// sends only the batch.
			tx.batch = nil
			if db := tx.w(); db.Error != nil {
				err = translate(db.Error)
			} else if tx.tx == nil {
				err = tx.sendGathered(db, b) // no transaction to send it in the background in
			} else {
				tx.held = b
			}
		} else {
			err = tx.sendBatch()
		}
	}
	tx.batch = nil
	return err
}

// ReadAhead runs fn, whose reads need not see the rows a BatchAhead holds, before those rows are
// sent, and then starts sending them in the background: the caller works out its next chunk while
// the database writes the last (an import's Go work and the database's were one after the other,
// each idle while the other ran). fn must only read; a write in it sends the held rows first.
func (tx *Tx) ReadAhead(fn func() error) error {
	tx.ahead = true
	err := fn()
	tx.ahead = false
	if err != nil || tx.held == nil {
		return err
	}
	if err := tx.await(); err != nil {
		return err
	}
	b := tx.held
	tx.held = nil
	done := make(chan struct{})
	tx.inflight = done
	db := tx.tx
	go func() {
		defer close(done)
		tx.inflightErr = tx.sendGathered(db, b)
	}()
	return nil
}

// await waits for the rows being sent in the background, if any; their error stays the session's
// (the transaction is aborted by it).
func (s *session) await() error {
	if s.inflight != nil {
		<-s.inflight
		s.inflight = nil
	}
	return s.inflightErr
}

// sendHeld sends the rows a BatchAhead holds, now.
func (s *session) sendHeld() error {
	if err := s.await(); err != nil {
		return err
	}
	b := s.held
	s.held = nil
	if b == nil {
		return nil
	}
	db := s.w()
	if db.Error != nil {
		return translate(db.Error)
	}
	return s.sendGathered(db, b)
}

// gather adds the statement build would send to the batch; false when it is not a single-row
// INSERT the batch can take (the caller then sends the batch and writes it as usual).
func (s *session) gather(build func(db *gorm.DB) *gorm.DB, heldBy string) (bool, error) {
	sql, vars, err := s.render(build)
	if err != nil {
		return false, err
	}
	head, tuple, tail, ok := splitInsert(sql)
	if !ok {
		return false, nil
	}
	key := head + "\x00" + tail
	b := s.batch
	g := b.byKey[key]
	if g == nil {
		if b.repeated && !b.last {
			if err := s.sendBatch(); err != nil {
				return false, err
			}
		}
		g = &batchGroup{head: head, tail: tail, width: len(vars)}
		if s.dialect == Postgres {
			g.pieces = placeholder.Split(tuple, -1)
			for _, m := range placeholder.FindAllStringSubmatch(tuple, -1) {
				n, _ := strconv.Atoi(m[1])
				g.numbers = append(g.numbers, n)
			}
		} else {
			g.pieces = strings.Split(tuple, "?")
		}
		if len(g.pieces)-1 != len(vars) {
			return false, nil
		}
		b.byKey[key] = g
		b.groups = append(b.groups, g)
	} else if len(g.rows) > 0 {
		b.repeated = true
	}
	if len(vars) != g.width {
		return false, fmt.Errorf("batched insert with %d values, its shape has %d: %.80s", len(vars), g.width, sql)
	}
	g.rows = append(g.rows, vars)
	g.held = append(g.held, heldBy)
	return true, nil
}

// splitInsert splits INSERT INTO t (cols) VALUES (row) [tail] into its parts; ok is false for
// anything else, or a tail with parameters of its own.
func splitInsert(sql string) (head, tuple, tail string, ok bool) {
	if !strings.HasPrefix(sql, "INSERT INTO ") {
		return "", "", "", false
	}
	i := strings.Index(sql, ") VALUES (")
	if i < 0 {
		return "", "", "", false
	}
	start := i + len(") VALUES ")
	depth, end := 0, -1
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
	if end < 0 {
		return "", "", "", false
	}
	tail = sql[end+1:]
	if strings.HasPrefix(tail, ",") || strings.ContainsAny(tail, "?$") {
		return "", "", "", false
	}
	return sql[:start], sql[start : end+1], tail, true
}

// sendBatch writes what the batch gathered: the memberships the team already has are dropped (one
// query), then each shape's rows go as few statements as the parameter limit allows.
func (s *session) sendBatch() error {
	b := s.batch
	if b == nil || len(b.groups) == 0 {
		return nil
	}
	s.batch = nil // the handle below must not send the batch again
	defer func() {
		s.batch = b
		b.groups, b.byKey, b.repeated, b.joins = nil, map[string]*batchGroup{}, false, map[string]batchJoin{}
	}()
	db := s.w() // in the transaction, after anything kept
	if db.Error != nil {
		return translate(db.Error)
	}
	return s.sendGathered(db, b)
}

// sendGathered sends b's rows on db. It reads and changes nothing of the session's but the COPY
// buffer, so that it can run in the background (ReadAhead) while the caller gathers the next
// batch.
func (s *session) sendGathered(db *gorm.DB, b *batch) error {
	held, err := s.heldJoins(db, b.joins)
	if err != nil {
		return err
	}
	pg := s.arraySender(db, held) // PostgreSQL: arrays, the shapes together (bulk_pg.go)
	cp := s.copySender(db, held)  // PostgreSQL in a transaction: COPY (bulk_copy.go)
	defer cp.settle()
	for i, g := range b.groups {
		if cp != nil {
			// What the array statement holds goes first, to keep the shapes' order.
			if err := pg.flush(); err != nil {
				return err
			}
			var next *batchGroup
			if i+1 < len(b.groups) {
				next = b.groups[i+1]
			}
			if sent, err := cp.send(g, next); sent || err != nil {
				if err != nil {
					return err
				}
				continue
			}
		}
		if s.dialect == SQLite {
			if ok, err := s.sendGroupSQLite(db, g, held); ok || err != nil {
				if err != nil {
					return err
				}
				continue
			}
		}
		if pg != nil {
			if sent, err := pg.add(g); sent || err != nil {
				if err != nil {
					return err
				}
				continue
			}
			if err := pg.flush(); err != nil {
				return err
			}
		}
		perStmt := max(1, batchVars(s.dialect)/max(1, g.width))
		var (
			sql  strings.Builder
			vars []any
			n    int
			num  []byte
		)
		send := func() error {
			if n == 0 {
				return nil
			}
			sql.WriteString(g.tail)
			// Straight to the connection: GORM's Exec would scan the statement for its own
			// placeholders and copy it byte by byte, for nothing.
			_, err := db.Statement.ConnPool.ExecContext(s.ctx, sql.String(), vars...)
			sql.Reset()
			vars, n = vars[:0], 0
			return translate(err)
		}
		for r, row := range g.rows {
			if g.held[r] != "" && held[g.held[r]] {
				continue
			}
			if n == 0 {
				sql.WriteString(g.head)
			} else {
				sql.WriteString(",")
			}
			for i, p := range g.pieces {
				sql.WriteString(p)
				if i < len(g.pieces)-1 {
					if s.dialect == Postgres {
						num = strconv.AppendInt(append(num[:0], '$'), int64(len(vars)+g.numbers[i]), 10)
						sql.Write(num)
					} else {
						sql.WriteString("?")
					}
				}
			}
			vars = append(vars, row...)
			if n++; n == perStmt {
				if err := send(); err != nil {
					return err
				}
			}
		}
		if err := send(); err != nil {
			return err
		}
	}
	return pg.flush()
}

// heldJoins names the gathered memberships the team already has, current on their day.
func (s *session) heldJoins(db *gorm.DB, joins map[string]batchJoin) (map[string]bool, error) {
	held := map[string]bool{}
	byDay := map[string][]string{}
	for _, j := range joins {
		byDay[j.on] = append(byDay[j.on], j.youngPersonID)
	}
	for on, ids := range byDay {
		for len(ids) > 0 {
			part := ids[:min(len(ids), batchVars(s.dialect))]
			ids = ids[len(part):]
			// The children's memberships: on PostgreSQL each child's looked up by the young
			// person's index (OFFSET 0 keeps the lookup a lateral one). Planned freely, a chunk's
			// thousand children read involvements whole, cheaper by PostgreSQL's reckoning until
			// the table is several times larger, and slower every chunk (27 ms a chunk at 200,000
			// memberships, 5.4 s of a 100,000-row referrals import).
			from, arg := `unnest(CAST(? AS uuid[])) AS k(id) CROSS JOIN LATERAL (SELECT * FROM involvements i WHERE i.young_person_id = k.id OFFSET 0) AS x`, any(arrayLiteral(part))
			if s.dialect != Postgres {
				var in string
				in, arg = inStrings(s.dialect, "young_person_id", part)
				from = "(SELECT * FROM involvements WHERE " + in + ") AS x"
			}
			var rows []struct{ YoungPersonID, OrganisationID, Role, PractitionerID string }
			err := db.Raw(`SELECT young_person_id, organisation_id, role, COALESCE(CAST(practitioner_id AS TEXT), '') AS practitioner_id
				FROM `+from+` WHERE started_on <= ? AND (ended_on IS NULL OR ended_on > ?)`, arg, on, on).Scan(&rows).Error
			if err != nil {
				return nil, translate(err)
			}
			for _, r := range rows {
				held[batchJoin{r.YoungPersonID, r.OrganisationID, r.Role, r.PractitionerID, on}.key()] = true
			}
		}
	}
	return held, nil
}

// joinBatched is sharing.Join within a batch: the membership and its announcement are gathered,
// held back at the end if the team already has the same one current on its first day; a second
// of the same in the batch is not gathered (the first is the one the team would have).
func (tx sharingRepo) joinBatched(i sharing.Involvement, announce outbox.Event) error {
	j := batchJoin{i.YoungPersonID, i.OrganisationID, i.Role, i.PractitionerID, fromDate(i.StartedOn)}
	k := j.key()
	if _, ok := tx.batch.joins[k]; ok {
		return nil
	}
	row, out := toInvolvementRow(i), toOutboxRow(announce)
	ok, err := tx.gatherStruct("", &row, k)
	if err == nil && !ok {
		ok, err = tx.gather(createIn("", &row), k)
	}
	if err != nil {
		return translate(err)
	}
	if !ok {
		return fmt.Errorf("team membership not batchable")
	}
	if err := tx.gatherRow(tx.insertHead("outbox_events", outboxColumns), "", out.values(), k); err != nil {
		return err
	}
	tx.batch.joins[k] = j
	return nil
}

// Rows gathered without the ORM. Rendering each row's INSERT through GORM, to take its values
// back apart, was a third of an import's CPU; a row whose columns are known (keepRow's, or a row
// struct's read once from GORM's schema) is gathered as its values alone, under the same shape
// GORM would have written (checked once per type against GORM's own rendering).

// rowShape is how rows of one struct type insert: the columns GORM's Create writes, in its order,
// and the fields they come from; direct is false when GORM may fill a value in (a default, an
// automatic time, a serializer), for which the row is rendered through GORM as before.
type rowShape struct {
	table   string
	head    string
	cols    []string
	fields  []*schema.Field
	direct  bool
	checked atomic.Bool // the head agreed with GORM's rendering of a row (else direct is cleared)
	mu      sync.Mutex
}

var (
	rowShapes   sync.Map // reflect.Type -> *rowShape
	schemaCache sync.Map // GORM's parsed schemas, for rowShapes
)

// shapeOf is the rowShape of row (a pointer to a row struct), inserted into table (or its own
// table when "") on the session's dialect.
func (s *session) shapeOf(row any, table string) *rowShape {
	t := reflect.TypeOf(row)
	key := struct {
		t              reflect.Type
		table, dialect string
	}{t, table, s.dialect}
	if sh, ok := rowShapes.Load(key); ok {
		return sh.(*rowShape)
	}
	sh := &rowShape{}
	sc, err := schema.Parse(row, &schemaCache, s.pool.NamingStrategy)
	if err == nil {
		sh.table, sh.direct = sc.Table, true
		if table != "" {
			sh.table = table
		}
		for _, db := range sc.DBNames {
			f := sc.FieldsByDBName[db]
			if f.HasDefaultValue || f.DefaultValueInterface != nil || f.Serializer != nil || !f.Creatable {
				sh.direct = false
			}
			sh.cols, sh.fields = append(sh.cols, db), append(sh.fields, f)
		}
	}
	actual, _ := rowShapes.LoadOrStore(key, sh)
	return actual.(*rowShape)
}

// laterRow is later for db.Create(row) (db.Table(table).Create(row) when table is given), row a
// pointer to a row struct: gathered without the ORM within a batch where its shape allows.
func (s *session) laterRow(table string, row any) error {
	if s.batch != nil {
		if ok, err := s.gatherStruct(table, row, ""); ok || err != nil {
			return err
		}
	}
	return s.later(createIn(table, row))
}

// createIn is the build of db.Create(row), into table when given.
func createIn(table string, row any) func(db *gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if table != "" {
			db = db.Table(table)
		}
		return db.Create(row)
	}
}

// gatherStruct gathers the row struct row (a pointer) into the batch without the ORM, as gather
// would; false when its shape does not allow that (the caller then goes through GORM).
func (s *session) gatherStruct(table string, row any, heldBy string) (bool, error) {
	sh := s.shapeOf(row, table)
	if !sh.checked.Load() {
		if err := s.checkShape(sh, createIn(table, row)); err != nil {
			return false, err
		}
	}
	if !sh.direct {
		return false, nil
	}
	rv := reflect.ValueOf(row).Elem()
	vals := make([]any, len(sh.fields))
	for i, f := range sh.fields {
		v, zero := f.ValueOf(s.ctx, rv)
		if zero && (f.AutoCreateTime > 0 || f.AutoUpdateTime > 0) {
			return false, nil // GORM sets the time
		}
		vals[i] = v
	}
	return true, s.gatherRow(sh.head, "", vals, heldBy)
}

// checkShape renders one row through GORM and keeps the shape direct only if GORM writes the same
// head with the same number of values.
func (s *session) checkShape(sh *rowShape, build func(db *gorm.DB) *gorm.DB) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.checked.Load() {
		return nil
	}
	sql, vars, err := s.render(build)
	if err != nil {
		return err
	}
	head, _, tail, ok := splitInsert(sql)
	if len(sh.cols) == 0 {
		sh.direct = false
	} else {
		sh.head = s.insertHead(sh.table, sh.cols)
	}
	if !ok || head != sh.head || tail != "" || len(vars) != len(sh.cols) {
		sh.direct = false
	}
	sh.checked.Store(true)
	return nil
}

// heads are insertHead's answers, by dialect, table and column list.
var heads sync.Map

type headKey struct {
	dialect, table string
	first          *string
	n              int
}

// insertHead is "INSERT INTO t (cols) VALUES ", quoted as GORM quotes it. cols must be a slice
// made once (a package variable, or a schema's read once): the answers are kept by its address,
// so a slice made per call would add an entry per call for the life of the process.
func (s *session) insertHead(table string, cols []string) string {
	k := headKey{s.dialect, table, &cols[0], len(cols)}
	if h, ok := heads.Load(k); ok {
		return h.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	s.pool.QuoteTo(&b, table)
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		s.pool.QuoteTo(&b, c)
	}
	b.WriteString(") VALUES ")
	heads.Store(k, b.String())
	return b.String()
}

// gatherRow adds one row to the batch, its statement head (insertHead's), a tuple of vals and
// tail (which takes no parameters), as gather would have from GORM's rendering of the same.
func (s *session) gatherRow(head, tail string, vals []any, heldBy string) error {
	b := s.batch
	key := head + "\x00" + tail
	g := b.byKey[key]
	if g == nil {
		if b.repeated && !b.last {
			if err := s.sendBatch(); err != nil {
				return err
			}
		}
		n := len(vals)
		g = &batchGroup{head: head, tail: tail, width: n}
		g.pieces = make([]string, n+1)
		g.numbers = make([]int, n)
		for i := range g.pieces {
			switch i {
			case 0:
				g.pieces[i] = "("
			case n:
				g.pieces[i] = ")"
			default:
				g.pieces[i] = ","
			}
		}
		for i := range g.numbers {
			g.numbers[i] = i + 1
		}
		b.byKey[key] = g
		b.groups = append(b.groups, g)
	} else if len(g.rows) > 0 {
		b.repeated = true
	}
	if len(vals) != g.width {
		return fmt.Errorf("batched insert with %d values, its shape has %d: %.80s", len(vals), g.width, head)
	}
	g.rows = append(g.rows, vals)
	g.held = append(g.held, heldBy)
	return nil
}
