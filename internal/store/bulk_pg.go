package store

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"
)

// On PostgreSQL a batched shape that COPY cannot take (one with ON CONFLICT, or outside a
// transaction: see bulk_copy.go) is sent as INSERT ... SELECT over unnest() of one text array per
// column, each cast to its column's type, instead of multi-row VALUES lists. The rows and values
// are the same; what changes is the work around them: a VALUES list of a thousand rows has tens
// of thousands of parameters, which PostgreSQL parses and plans again at every execution (a
// quarter of an import's statement time went to parse and bind) and the driver converts one by
// one, where a dozen array parameters make a statement planned once per connection. Values go as
// their text form, which the column type's input function reads back as the value itself; a
// value of a type not handled below sends its shape as VALUES, as before.

// pgColumnTypes caches each table's column types (format_type), by pool and table.
var pgColumnTypes sync.Map // pgTableKey -> map[string]string

// pgArrays turns the array form on (a test compares both ways).
var pgArrays = true

type pgTableKey struct {
	pool  *gorm.DB
	table string
}

// arraySender gathers a batch's shapes, each as INSERT ... SELECT FROM unnest(...), into as few
// statements as it can: one, with the shapes before the last as data-modifying WITH queries,
// sent in one round trip (on a loaded machine each round trip waits to be scheduled, twice). A
// shape whose table is already in the statement starts the next one: sibling queries share a
// snapshot, so a conflict between them would not be seen as the one-at-a-time inserts see it.
// Foreign keys are checked at the end of the whole statement, when every row is in.
type arraySender struct {
	s      *session
	db     *gorm.DB
	held   map[string]bool
	parts  []string
	vars   []any
	tables map[string]bool
}

// arraySender is nil but on PostgreSQL.
func (s *session) arraySender(db *gorm.DB, held map[string]bool) *arraySender {
	if s.dialect != Postgres || !pgArrays {
		return nil
	}
	return &arraySender{s: s, db: db, held: held, tables: map[string]bool{}}
}

// add takes g's rows (but those held back) into the statement; false, with nothing taken, when
// the shape or a value cannot go as arrays.
func (a *arraySender) add(g *batchGroup) (bool, error) {
	table, cols, casts, err := a.s.shapeTypes(a.db, g)
	if casts == nil || err != nil {
		return false, err
	}
	arrays := make([]*textArray, len(cols))
	for i := range arrays {
		arrays[i] = &textArray{vals: make([]string, 0, len(g.rows))}
	}
	n := 0
	for r, row := range g.rows {
		if g.held[r] != "" && a.held[g.held[r]] {
			continue
		}
		for i, v := range row {
			text, null, ok := pgText(v, casts[i])
			if !ok {
				return false, nil
			}
			arrays[i].add(text, null)
		}
		n++
	}
	if n == 0 {
		return true, nil
	}
	if a.tables[table] || len(a.vars)+len(cols) > 65535 {
		if err := a.flush(); err != nil {
			return false, err
		}
	}
	var sql strings.Builder
	sql.WriteString(strings.TrimSuffix(g.head, "VALUES "))
	sql.WriteString("SELECT ")
	for i, t := range casts {
		if i > 0 {
			sql.WriteByte(',')
		}
		if t == "text" {
			fmt.Fprintf(&sql, "c%d", i+1)
		} else {
			fmt.Fprintf(&sql, "CAST(c%d AS %s)", i+1, t)
		}
	}
	sql.WriteString(" FROM unnest(")
	for i := range arrays {
		if i > 0 {
			sql.WriteByte(',')
		}
		fmt.Fprintf(&sql, "$%d::text[]", len(a.vars)+1)
		a.vars = append(a.vars, arrays[i])
	}
	sql.WriteString(") AS u(")
	for i := range cols {
		if i > 0 {
			sql.WriteByte(',')
		}
		fmt.Fprintf(&sql, "c%d", i+1)
	}
	sql.WriteString(")")
	sql.WriteString(g.tail)
	a.parts = append(a.parts, sql.String())
	a.tables[table] = true
	return true, nil
}

// flush sends what add took, as one statement.
func (a *arraySender) flush() error {
	if a == nil || len(a.parts) == 0 {
		return nil
	}
	var sql strings.Builder
	if len(a.parts) > 1 {
		sql.WriteString("WITH ")
		for i, p := range a.parts[:len(a.parts)-1] {
			if i > 0 {
				sql.WriteString(", ")
			}
			fmt.Fprintf(&sql, "w%d AS (%s)", i, p)
		}
		sql.WriteByte(' ')
	}
	sql.WriteString(a.parts[len(a.parts)-1])
	_, err := a.db.Statement.ConnPool.ExecContext(a.s.ctx, sql.String(), a.vars...)
	a.parts, a.vars, a.tables = a.parts[:0], nil, map[string]bool{}
	return translate(err)
}

// plainTuple: the shape's row is ($1,$2,...,$n), nothing but its parameters in order.
func plainTuple(g *batchGroup) bool {
	if len(g.pieces) != g.width+1 || len(g.numbers) != g.width || g.width == 0 {
		return false
	}
	for i, p := range g.pieces {
		want := ","
		switch i {
		case 0:
			want = "("
		case g.width:
			want = ")"
		}
		if strings.TrimSpace(p) != want {
			return false
		}
	}
	for i, n := range g.numbers {
		if n != i+1 {
			return false
		}
	}
	return true
}

// parseInsertHead takes `INSERT INTO "t" ("a","b") VALUES ` apart into t and a, b.
func parseInsertHead(head string) (table string, cols []string, ok bool) {
	rest, ok := strings.CutPrefix(head, "INSERT INTO ")
	if !ok {
		return "", nil, false
	}
	rest, ok = strings.CutSuffix(rest, ") VALUES ")
	if !ok {
		return "", nil, false
	}
	t, list, ok := strings.Cut(rest, " (")
	if !ok {
		return "", nil, false
	}
	if table, ok = unquoteIdent(t); !ok {
		return "", nil, false
	}
	for _, c := range strings.Split(list, ",") {
		name, ok := unquoteIdent(c)
		if !ok {
			return "", nil, false
		}
		cols = append(cols, name)
	}
	return table, cols, true
}

// unquoteIdent is a double-quoted identifier's name; false for anything else (a schema-qualified
// name, an expression).
func unquoteIdent(q string) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	inner := q[1 : len(q)-1]
	if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
		return "", false
	}
	return strings.ReplaceAll(inner, `""`, `"`), true
}

// shapeTypes takes g's INSERT apart into its table and columns, with each column's type as CAST
// names it; nil types when the shape is not a plain row of parameters into named columns.
func (s *session) shapeTypes(db *gorm.DB, g *batchGroup) (table string, cols, casts []string, err error) {
	table, cols, ok := parseInsertHead(g.head)
	if !ok || len(cols) != g.width || !plainTuple(g) {
		return "", nil, nil, nil
	}
	types, err := s.columnTypes(db, table)
	if err != nil {
		return "", nil, nil, err
	}
	casts = make([]string, len(cols))
	for i, c := range cols {
		t, ok := types[c]
		if !ok {
			return "", nil, nil, nil
		}
		casts[i] = t
	}
	return table, cols, casts, nil
}

// columnTypes is the type of each of table's columns, as CAST names it.
func (s *session) columnTypes(db *gorm.DB, table string) (map[string]string, error) {
	key := pgTableKey{s.pool, table}
	if t, ok := pgColumnTypes.Load(key); ok {
		return t.(map[string]string), nil
	}
	rows, err := db.Statement.ConnPool.QueryContext(s.ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod)
		FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, `"`+strings.ReplaceAll(table, `"`, `""`)+`"`)
	if err != nil {
		return nil, translate(err)
	}
	defer func() { _ = rows.Close() }()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, translate(err)
		}
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	pgColumnTypes.Store(key, types)
	return types, nil
}

// pgText is v's text form for a column of type typ, as the type's input function reads it back
// to the value pgx would have sent; null for SQL NULL; false when v is of a type not handled here.
func pgText(v any, typ string) (text string, null, ok bool) {
	if v == nil {
		return "", true, true
	}
	if vr, isValuer := v.(driver.Valuer); isValuer {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return "", true, true
		}
		dv, err := vr.Value()
		if err != nil {
			return "", false, false
		}
		if dv == nil {
			return "", true, true
		}
		v = dv
	}
	switch x := v.(type) {
	case string:
		return x, false, true
	case []byte:
		// JSON as bytes; no bytea column takes these rows (its text form would differ).
		if typ == "text" || typ == "jsonb" || typ == "json" {
			return string(x), false, true
		}
		return "", false, false
	case time.Time:
		if typ != "timestamp with time zone" || x.Year() < 1 || x.Year() > 9999 {
			return "", false, false
		}
		// pgx sends microseconds, truncated; the text form rounds, so truncate first.
		return x.UTC().Truncate(time.Microsecond).Format("2006-01-02 15:04:05.999999Z07:00"), false, true
	case *time.Time:
		if x == nil {
			return "", true, true
		}
		return pgText(*x, typ)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "", true, true
		}
		return pgText(rv.Elem().Interface(), typ)
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), false, true
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), false, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), false, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), false, true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) || typ != "double precision" && typ != "real" {
			return "", false, false
		}
		return strconv.FormatFloat(f, 'g', -1, 64), false, true
	}
	return "", false, false
}

// textArray is one column's values for a text[] parameter, encoded by pgx straight from the
// strings: a []*string went through reflection and a boxed copy of every value, and with the
// pointer each value's own allocation, which with the garbage collector's share of them were a
// quarter of an import's CPU in this process.
type textArray struct {
	vals  []string
	nulls []bool // nil until the first NULL
}

func (a *textArray) add(text string, null bool) {
	if null && a.nulls == nil {
		a.nulls = make([]bool, len(a.vals), cap(a.vals))
	}
	a.vals = append(a.vals, text)
	if a.nulls != nil {
		a.nulls = append(a.nulls, null)
	}
}

// Dimensions, Index and IndexType make textArray a pgtype.ArrayGetter.
func (a *textArray) Dimensions() []pgtype.ArrayDimension {
	return []pgtype.ArrayDimension{{Length: int32(len(a.vals)), LowerBound: 1}}
}

// Index hands pgx a pointer into vals, which goes into an interface without a copy of the
// string; nil is SQL NULL.
func (a *textArray) Index(i int) any {
	if a.nulls != nil && a.nulls[i] {
		return nil
	}
	return (*textElem)(&a.vals[i])
}

func (a *textArray) IndexType() any { return (*textElem)(nil) }

// textElem is one value of a textArray, read by pgx as text.
type textElem string

func (e *textElem) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: string(*e), Valid: true}, nil
}
