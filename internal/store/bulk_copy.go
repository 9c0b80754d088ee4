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

// copySender writes shapes by COPY, into two buffers it reuses for every shape of the session:
// while PostgreSQL takes one shape's COPY, the next shape's rows are encoded into the other (see
// send), which PostgreSQL otherwise waited for (an import's sender spent about a sixth of its time
// encoding, the database idle meanwhile).
type copySender struct {
	s        *session
	db       *gorm.DB
	held     map[string]bool
	buf, alt []byte
	ahead    *copyAhead // the next shape, being encoded into alt
}

// copyShape is one shape ready to go: its COPY statement and its rows encoded (n of them); ok is
// false when a value can go neither in binary nor in text.
type copyShape struct {
	g      *batchGroup
	sql    string
	buf    []byte
	n      int
	ok     bool
	encode func([]byte) ([]byte, int, bool, string)
}

// fill encodes the shape's rows into buf (reused from its start) and completes its statement
// with the format they went in.
func (s *copyShape) fill(buf []byte) {
	var format string
	s.buf, s.n, s.ok, format = s.encode(buf)
	s.sql += format
}

// copyAhead is a shape whose rows another goroutine is encoding; done closes when it has.
type copyAhead struct {
	shape *copyShape
	done  chan struct{}
}

// copySender is nil but in a PostgreSQL transaction begun on a held connection.
func (s *session) copySender(db *gorm.DB, held map[string]bool) *copySender {
	if s.dialect != Postgres || !pgCopy || s.conn == nil || s.tx == nil {
		return nil
	}
	return &copySender{s: s, db: db, held: held, buf: s.copyBuf, alt: s.copyAlt}
}

// shape works out how g would go by COPY (its statement and how its rows are encoded), reading
// the table's column types if no shape of it has been sent before; nil when g cannot go so.
func (c *copySender) shape(g *batchGroup) (*copyShape, error) {
	if c == nil || strings.TrimSpace(g.tail) != "" {
		return nil, nil
	}
	table, cols, casts, err := c.s.shapeTypes(c.db, g)
	if casts == nil || err != nil {
		return nil, err
	}
	keep := func(r int) bool { return g.held[r] == "" || !c.held[g.held[r]] }
	enc := binaryColumns(casts)
	encode := func(buf []byte) ([]byte, int, bool, string) {
		if enc != nil {
			if out, n, ok := appendCopyBinary(buf[:0], g, enc, casts, keep); ok {
				return out, n, true, " (FORMAT binary)"
			}
		}
		out, n, ok := appendCopyTextRows(buf[:0], g, casts, keep)
		return out, n, ok, ""
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
	sql.WriteString(") FROM STDIN")
	return &copyShape{g: g, sql: sql.String(), encode: encode}, nil
}

// send writes g's rows (but those held back) by COPY; false, with nothing sent, when the shape or
// a value cannot go so. next, when given, is the shape to be sent after g: its rows are encoded
// while PostgreSQL takes g's (its column types read first, the connection being free then).
func (c *copySender) send(g, next *batchGroup) (bool, error) {
	if c == nil {
		return false, nil
	}
	var cur *copyShape
	if a := c.ahead; a != nil && a.shape.g == g {
		<-a.done
		c.ahead, cur = nil, a.shape
		c.buf, c.alt = cur.buf, c.buf
	} else {
		c.settle()
		shape, err := c.shape(g)
		if shape == nil || err != nil {
			return false, err
		}
		cur = shape
		cur.fill(c.buf)
		c.buf = cur.buf
	}
	c.s.copyBuf, c.s.copyAlt = c.buf, c.alt // kept for the session's next batch: grown once
	if !cur.ok {
		return false, nil
	}
	if cur.n == 0 {
		return true, nil
	}
	if next != nil {
		if err := c.encodeAhead(next); err != nil {
			return false, err
		}
	}
	if traceCopy != nil {
		traceCopy(cur.sql)
	}
	err := c.s.conn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().PgConn().CopyFrom(c.s.ctx, bytes.NewReader(cur.buf), cur.sql)
		return err
	})
	if err != nil {
		c.settle()
		return true, translate(err)
	}
	return true, nil
}

// encodeAhead starts encoding g's rows into the spare buffer, if g can go by COPY.
func (c *copySender) encodeAhead(g *batchGroup) error {
	shape, err := c.shape(g)
	if shape == nil || err != nil {
		return err
	}
	a := &copyAhead{shape: shape, done: make(chan struct{})}
	buf := c.alt
	c.alt, c.s.copyAlt = nil, nil // the goroutine's until settled or sent
	go func() {
		defer close(a.done)
		shape.fill(buf)
	}()
	c.ahead = a
	return nil
}

// settle waits for a shape encoded ahead that is not to be sent after all (the next shape went
// another way, the send failed, or the batch stopped), and takes its buffer back: no goroutine
// writes into a buffer of the session's once it has returned.
func (c *copySender) settle() {
	if c == nil || c.ahead == nil {
		return
	}
	<-c.ahead.done
	c.alt, c.ahead = c.ahead.shape.buf, nil
	c.s.copyAlt = c.alt
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
