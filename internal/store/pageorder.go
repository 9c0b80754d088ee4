package store

import (
	"encoding/base64"
	"fmt"
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

// cursorInOrder is cursor as a cursor of a page of table ordered by o, whose time is expr: as it is
// when it is one, and when it is a cursor of the id order (every list's before a list filtered by
// a time was ordered by it: a client may be paging through one across an upgrade), the cursor of
// the same row in this order, its time read from the table.
func cursorInOrder(db *gorm.DB, table, expr string, o pageOrder, cursor string) (string, error) {
	id, err := decodeCursor(cursor)
	if err != nil {
		return cursor, nil // not of the id order: the page decodes it as its own, or refuses it
	}
	at, err := rowTime(db, table, expr, o, id)
	if err != nil {
		return "", err
	}
	return encodeOrderedCursor(o.name, id, at), nil
}

// rowTime is the time (expr, of order o) of table's row id, as an ordered cursor holds it.
func rowTime(db *gorm.DB, table, expr string, o pageOrder, id string) (string, error) {
	var v any
	rows, err := db.Session(&gorm.Session{NewDB: true}).Raw(fmt.Sprintf("SELECT %s FROM %s WHERE %s.id = ?", expr, table, table), id).Rows()
	if err != nil {
		return "", translate(err)
	}
	defer func() { _ = rows.Close() }()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return "", translate(err)
		}
		return "", fault.Field(fault.Invalid, "/query/cursor", "names a record that is no longer there: start again without a cursor")
	}
	if err := rows.Scan(&v); err != nil {
		return "", translate(err)
	}
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
		// SQLite gives an expression's time (a COALESCE) as the text it stored.
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				return instantText(t), nil
			}
		}
	}
	return "", fmt.Errorf("store: the time of %s %s is %T %v", table, id, v, v)
}
