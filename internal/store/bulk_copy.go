package store

import (
	"bytes"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// On PostgreSQL, inside a transaction, a batched shape with nothing after its row (no ON
// CONFLICT) goes by COPY ... FROM STDIN on the transaction's own connection, in binary where
// every value can be (bulk_copybinary.go), else in text format: the same text forms the array
// statements send (pgText), read by the same input functions, so the rows stored are the same.
// What COPY spares is the work around them: the driver building one Bind message of megabytes
// for each chunk (grown by doubling from a kilobyte every time, a fifth of an import's CPU in
// this process, and most of its garbage), PostgreSQL taking text arrays apart and projecting
// each row through unnest, and it inserts the heap rows of a page together.
// Row triggers and foreign keys fire as for INSERT; the shapes still go in the order they first
// appeared, so a row is never sent before one it refers to.

// pgCopy turns COPY on (a test compares it with the array statements).
var pgCopy = true

// traceCopy, when a test sets it, hears of each COPY statement sent.
var traceCopy func(sql string)

// copySender writes shapes by COPY, reusing one buffer for every shape of the session.
type copySender struct {
	s    *session
	db   *gorm.DB
	held map[string]bool
	buf  []byte
}

// copySender is nil but in a PostgreSQL transaction begun on a held connection.
func (s *session) copySender(db *gorm.DB, held map[string]bool) *copySender {
	if s.dialect != Postgres || !pgCopy || s.conn == nil || s.tx == nil {
		return nil
	}
	return &copySender{s: s, db: db, held: held, buf: s.copyBuf}
}

// send writes g's rows (but those held back) by COPY; false, with nothing sent, when the shape or
// a value cannot go so.
func (c *copySender) send(g *batchGroup) (bool, error) {
	if c == nil || strings.TrimSpace(g.tail) != "" {
		return false, nil
	}
	table, cols, casts, err := c.s.shapeTypes(c.db, g)
	if casts == nil || err != nil {
		return false, err
	}
	keep := func(r int) bool { return g.held[r] == "" || !c.held[g.held[r]] }
	buf, n, ok, format := c.buf[:0], 0, false, " (FORMAT binary)"
	if enc := binaryColumns(casts); enc != nil {
		buf, n, ok = appendCopyBinary(buf, g, enc, casts, keep)
	}
	if !ok {
		if buf, n, ok = appendCopyTextRows(buf[:0], g, casts, keep); !ok {
			c.buf = buf
			return false, nil
		}
		format = ""
	}
	c.buf = buf
	c.s.copyBuf = buf // kept for the session's next batch: a chunk's buffer is grown once
	if n == 0 {
		return true, nil
	}
	var sql strings.Builder
	sql.WriteString("COPY ")
	c.db.QuoteTo(&sql, table)
	sql.WriteString(" (")
	for i, col := range cols {
		if i > 0 {
			sql.WriteByte(',')
		}
		c.db.QuoteTo(&sql, col)
	}
	sql.WriteString(") FROM STDIN" + format)
	if traceCopy != nil {
		traceCopy(sql.String())
	}
	err = c.s.conn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().PgConn().CopyFrom(c.s.ctx, bytes.NewReader(buf), sql.String())
		return err
	})
	return true, translate(err)
}

// appendCopyTextRows appends the rows of g that keep keeps in COPY's text format; false when a
// value cannot go so.
func appendCopyTextRows(buf []byte, g *batchGroup, casts []string, keep func(r int) bool) (out []byte, n int, ok bool) {
	for r, row := range g.rows {
		if !keep(r) {
			continue
		}
		for i, v := range row {
			if i > 0 {
				buf = append(buf, '\t')
			}
			text, null, ok := pgText(v, casts[i])
			if !ok {
				return buf, 0, false
			}
			if null {
				buf = append(buf, `\N`...)
				continue
			}
			buf = appendCopyText(buf, text)
		}
		buf = append(buf, '\n')
		n++
	}
	return buf, n, true
}

// appendCopyText appends text escaped for COPY's text format: a backslash, and the characters
// that end a column or a row.
func appendCopyText(buf []byte, text string) []byte {
	start := 0
	for i := 0; i < len(text); i++ {
		var esc byte
		switch text[i] {
		case '\\':
			esc = '\\'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		case '\t':
			esc = 't'
		default:
			continue
		}
		buf = append(buf, text[start:i]...)
		buf = append(buf, '\\', esc)
		start = i + 1
	}
	return append(buf, text[start:]...)
}
