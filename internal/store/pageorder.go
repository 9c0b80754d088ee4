package store

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// pageOrder orders a list by a time of its rows, newest first, then newest id first: the order of
// a list filtered by that time (referrals by when received or created, any list by updated_since),
// which the time's (time, id) index yields whatever share of the table the range holds. Newest id
// first had to walk past every row newer than the range, or read all of the range's ids to sort
// them: 56-116 ms for a page of referrals created or received in a range at a million, and
// 96-118 ms for a deep page of changes since a day.
type pageOrder struct {
	name    string // the column (unqualified) of listQuery's lists; also the tag of the order's cursors
	instant bool   // a timestamp, else a text date
}

var (
	receivedOrder = pageOrder{name: "received_on"}
	createdOrder  = pageOrder{name: "created_at", instant: true}
	// updatedOrder orders a page filtered by updated_since by the change column of its table
	// (changedColumn), named updated_at whatever that is.
	updatedOrder = pageOrder{name: "updated_at", instant: true}
)

// parse is a cursor's time as the value compared with the order's column.
func (o pageOrder) parse(v string) (any, error) {
	if !o.instant {
		_, err := time.Parse(time.DateOnly, v)
		return v, err
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	return at.UTC(), err
}

// instantText is a time as an ordered cursor holds it.
func instantText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// encodeOrderedCursor is the cursor of a page of order o ending with the row id, whose time is
// at: "v2:<order>:<id>:<time>", the order named so a cursor of one order is not taken for another's.
func encodeOrderedCursor(order, lastID, at string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v2:" + order + ":" + lastID + ":" + at))
}

// decodeOrderedCursor is the id and time of a cursor encodeOrderedCursor made for a page of
// order o.
func decodeOrderedCursor(c string, o pageOrder) (id string, at any, err error) {
	bad := fault.Field(fault.Invalid, "/query/cursor", "is not a cursor of this list: a list filtered by a time is ordered by it, "+
		"and its cursors are its own (start again without a cursor)")
	b, derr := base64.RawURLEncoding.DecodeString(c)
	head := "v2:" + o.name + ":"
	if derr != nil || !strings.HasPrefix(string(b), head) || len(b) < len(head)+37 || b[len(head)+36] != ':' {
		return "", nil, bad
	}
	id, text := string(b[len(head):len(head)+36]), string(b[len(head)+37:])
	if !uuidPattern.MatchString(id) {
		return "", nil, bad
	}
	if at, err = o.parse(text); err != nil {
		return "", nil, bad
	}
	return id, at, nil
}

// A cursor of the id order given to a list ordered by a time (every list's cursor was of the id
// order before: a client may be paging through one across an upgrade) is made the cursor of the
// same row in the list's order, its time read through the list's own query (its scope and
// filters): a row the caller may not see, or that is not in the list, is refused like a cursor the
// API did not issue, so a cursor tells nothing of a record outside the list (not even its time).

// cursorInOrder is cursor as a cursor of q's order (see above); as it is when q is of the id order
// or cursor is not of it (the page decodes it as its own, or refuses it).
func (q listQuery) cursorInOrder(c conn, cursor string) (string, error) {
	id, err := decodeCursor(cursor)
	if q.order == nil || cursor == "" || err != nil {
		return cursor, nil
	}
	in := q
	in.conds, in.args = slices.Clone(q.conds), slices.Clone(q.args)
	in.where(q.table+".id = ?", id)
	var (
		b    strings.Builder
		vars []any
		v    any
		seen bool
	)
	in.write(&b, &vars, c.dialect, q.table+"."+q.order.name, 1)
	if err := queryRows(c.session, b.String(), vars, true, func(scan func(...any) error) error {
		seen = true
		return scan(&v)
	}); err != nil {
		return "", translate(err)
	}
	if !seen {
		return "", notInList
	}
	at, err := orderText(*q.order, v)
	if err != nil {
		return "", err
	}
	return encodeOrderedCursor(q.order.name, id, at), nil
}

// cursorInList is cursorInOrder for a list read through the ORM: q (the list's query, not yet
// paged) ordered by expr, a column or expression of table.
func cursorInList(q *gorm.DB, table, expr string, o pageOrder, cursor string) (string, error) {
	id, err := decodeCursor(cursor)
	if cursor == "" || err != nil {
		return cursor, nil
	}
	list := q.Session(&gorm.Session{}).Select(table + ".id")
	at, err := readTime(q, o, notInList, fmt.Sprintf("SELECT %s FROM %s WHERE %s.id = ? AND %s.id IN (?)", expr, table, table, table), id, list)
	if err != nil {
		return "", err
	}
	return encodeOrderedCursor(o.name, id, at), nil
}

// notInList refuses a cursor of the id order naming a row the list does not hold.
var notInList = fault.Field(fault.Invalid, "/query/cursor", "is not a cursor of this list (start again without a cursor)")

// rowTime is the time (expr, of order o) of table's row id, as an ordered cursor holds it: the
// last row of a page, to make the next page's cursor.
func rowTime(db *gorm.DB, table, expr string, o pageOrder, id string) (string, error) {
	return readTime(db, o, fault.Field(fault.Invalid, "/query/cursor", "names a record that is no longer there: start again without a cursor"),
		fmt.Sprintf("SELECT %s FROM %s WHERE %s.id = ?", expr, table, table), id)
}

// readTime runs query, which selects one time of order o, as an ordered cursor holds it;
// missing when it finds no row.
func readTime(db *gorm.DB, o pageOrder, missing error, query string, args ...any) (string, error) {
	rows, err := db.Session(&gorm.Session{NewDB: true}).Raw(query, args...).Rows()
	if err != nil {
		return "", translate(err)
	}
	defer func() { _ = rows.Close() }()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return "", translate(err)
		}
		return "", missing
	}
	var v any
	if err := rows.Scan(&v); err != nil {
		return "", translate(err)
	}
	return orderText(o, v)
}

// orderText is a time of order o as read from the database (a time, or text on SQLite: an
// expression's time, such as a COALESCE, comes as the text it stored) as an ordered cursor holds it.
func orderText(o pageOrder, v any) (string, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch v := v.(type) {
	case time.Time:
		if o.instant {
			return instantText(v), nil
		}
		return v.Format(time.DateOnly), nil
	case string:
		if !o.instant {
			return v, nil
		}
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				return instantText(t), nil
			}
		}
	}
	return "", fmt.Errorf("store: a time of %s read as %T %v", o.name, v, v)
}
