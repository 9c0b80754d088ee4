package store

import (
	"database/sql/driver"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// SQLite's side of sending a batch. A multi-row INSERT ... VALUES costs SQLite, per value, a piece
// of SQL to parse, a VDBE instruction to generate and a parameter the driver binds by scanning the
// arguments (quadratic in their number); together that was half an import's CPU. Instead a shape's
// rows go as one JSON array of row arrays, one parameter, which one statement of constant size
// unpacks row by row:
//
//	INSERT INTO t (a,b) SELECT value->>0, value->>1 FROM json_each(?) WHERE true [tail]
//
// (the WHERE keeps SQLite from reading an ON CONFLICT tail as a join's ON). json_each yields the
// rows in the array's order, so rows, their triggers and their rowids come in the order the
// VALUES statement gave them. Each value reaches its column as the same SQL value the driver would
// have bound: ->> gives a JSON string as TEXT, an integer as INTEGER and null as NULL, and the
// column's affinity applies to the result of the SELECT as it does to a bound parameter. A group
// holding a value JSON cannot carry exactly (a blob, a float, text with a NUL or not UTF-8) goes
// as VALUES statements as before.

// sqliteJSONRows bounds the rows of one statement, so the text built for it stays a few MB.
const sqliteJSONRows = 5000

// sqliteTimeFormat is how the driver (glebarez/go-sqlite) writes a time.Time it binds.
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// sendGroupSQLite sends g's rows not held back as JSON (see above); false, having sent nothing,
// when a value cannot go that way. A column holding the same value in every row (the actor, a
// NULL, the kind of event) goes as one parameter instead, bound as a VALUES statement binds it:
// it costs SQLite nothing per row, where a value in the JSON is found again for each row.
func (s *session) sendGroupSQLite(db *gorm.DB, g *batchGroup, held map[string]bool) (bool, error) {
	var first []any
	same := make([]bool, g.width)
	for r, row := range g.rows {
		if g.held[r] != "" && held[g.held[r]] {
			continue
		}
		if first == nil {
			first = row
			for i := range same {
				same[i] = true
			}
			continue
		}
		for i, v := range row {
			same[i] = same[i] && sameValue(first[i], v)
		}
	}
	if first == nil {
		return true, nil
	}
	// Every statement's text is made before the first is sent, so that a value found not to fit
	// leaves the whole group to the VALUES statements.
	var (
		texts []string
		buf   []byte
		n     int
	)
	for r, row := range g.rows {
		if g.held[r] != "" && held[g.held[r]] {
			continue
		}
		if n == 0 {
			buf = append(buf[:0], '[')
		} else {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		k := 0
		for i, v := range row {
			if same[i] {
				continue
			}
			if k++; k > 1 {
				buf = append(buf, ',')
			}
			var ok bool
			if buf, ok = appendJSONValue(buf, v); !ok {
				return false, nil
			}
		}
		buf = append(buf, ']')
		if n++; n == sqliteJSONRows {
			texts, n = append(texts, string(append(buf, ']'))), 0
		}
	}
	if n > 0 {
		texts = append(texts, string(append(buf, ']')))
	}
	var (
		sql  strings.Builder
		args []any
	)
	sql.WriteString(strings.TrimSuffix(g.head, "VALUES "))
	sql.WriteString("SELECT ")
	k := 0
	for i := range g.width {
		if i > 0 {
			sql.WriteByte(',')
		}
		if same[i] {
			sql.WriteByte('?')
			args = append(args, first[i])
			continue
		}
		sql.WriteString("value->>")
		sql.WriteString(strconv.Itoa(k))
		k++
	}
	sql.WriteString(" FROM json_each(?) WHERE true")
	sql.WriteString(g.tail)
	args = append(args, nil)
	for _, text := range texts {
		args[len(args)-1] = text
		if _, err := db.Statement.ConnPool.ExecContext(s.ctx, sql.String(), args...); err != nil {
			return true, translate(err)
		}
	}
	return true, nil
}

// sameValue is whether a and b are certainly the same value to bind (false when unsure).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *string:
		y, ok := b.(*string)
		return ok && (x == y || x != nil && y != nil && *x == *y)
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case int:
		y, ok := b.(int)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}

// appendJSONValue appends v as the JSON value whose ->> is the SQL value the driver would bind
// for v; false when there is none.
func appendJSONValue(buf []byte, v any) ([]byte, bool) {
	// The common types first, as database/sql would convert them, sparing its reflection.
	switch x := v.(type) {
	case string, int64, bool, time.Time, nil:
	case *string:
		if x == nil {
			return append(buf, "null"...), true
		}
		return appendJSONString(buf, *x)
	case *time.Time:
		if x == nil {
			return append(buf, "null"...), true
		}
		v = *x
	case int:
		v = int64(x)
	default:
		cv, err := driver.DefaultParameterConverter.ConvertValue(v)
		if err != nil {
			return buf, false
		}
		v = cv
	}
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), true
	case string:
		return appendJSONString(buf, x)
	case int64:
		return strconv.AppendInt(buf, x, 10), true
	case bool:
		if x {
			return append(buf, '1'), true
		}
		return append(buf, '0'), true
	case time.Time:
		buf = append(buf, '"')
		buf = x.AppendFormat(buf, sqliteTimeFormat)
		return append(buf, '"'), true
	}
	return buf, false // []byte, float64
}

// appendJSONString appends s as a JSON string; false for text JSON would not give back byte for
// byte (a NUL, or bytes that are not UTF-8).
func appendJSONString(buf []byte, s string) ([]byte, bool) {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			if c >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(s[i:])
				if r == utf8.RuneError && size == 1 {
					return buf, false
				}
				i += size - 1
			}
			continue
		}
		if c == 0 {
			return buf, false
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"'), true
}

const hexDigit = "0123456789abcdef"

// inStrings is the condition "col IN (values)" with its one argument for GORM. On SQLite the
// values go as one JSON array, unpacked by json_each: an IN list of a thousand parameters is a
// thousand expressions for SQLite to parse and generate code for, each bound by the driver's scan
// of all the arguments. Elsewhere (or for a value JSON would not give back byte for byte) it is
// GORM's IN list.
func inStrings(dialect, col string, values []string) (string, any) {
	if dialect == SQLite {
		if text, ok := jsonStrings(values); ok {
			return col + " IN (SELECT value FROM json_each(?))", text
		}
	}
	return col + " IN ?", values
}

// jsonStrings is values as a JSON array of strings; false when one is not representable (see
// appendJSONString).
func jsonStrings(values []string) (string, bool) {
	buf := make([]byte, 0, 2+len(values)*40)
	buf = append(buf, '[')
	for i, v := range values {
		if i > 0 {
			buf = append(buf, ',')
		}
		var ok bool
		if buf, ok = appendJSONString(buf, v); !ok {
			return "", false
		}
	}
	return string(append(buf, ']')), true
}
