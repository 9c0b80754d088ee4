package store

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/oneplan-send/oneplan/internal/uuidtext"
)

// arenaRow scans a row read straight from pgx (queryRows) into dest as pgx's own Scan would,
// except that the row's text and uuid values going into strings are cut from one buffer made for
// the row, where pgx made a string for each (and a pointer for each nullable one): a page of 50
// referrals was about 1,000 small allocations for those alone, the largest share of scanning it.
// Every other column is scanned by pgx's plan for it. The strings share their row's buffer,
// which is never written again once they are cut from it.
type arenaRow struct {
	m     *pgtype.Map
	dest  []any
	plans []pgtype.ScanPlan // nil for a column cut from the buffer
	types []reflect.Type    // each destination's type when its plan was made
}

// arenaScan is a scan of rs's current row through one arenaRow, for each row in turn.
func arenaScan(rs pgx.Rows, m *pgtype.Map) func(dest ...any) error {
	row := &arenaRow{m: m}
	one := []any{row}
	return func(dest ...any) error {
		row.dest = dest
		return rs.Scan(one...)
	}
}

// ScanRow is pgx.RowScanner's: rows.Scan hands it the current row.
func (a *arenaRow) ScanRow(rows pgx.Rows) error {
	fields, raw := rows.FieldDescriptions(), rows.RawValues()
	if len(fields) != len(a.dest) || len(raw) != len(a.dest) {
		return fmt.Errorf("store: %d columns scanned into %d destinations", len(fields), len(a.dest))
	}
	if a.plans == nil {
		a.plans, a.types = make([]pgtype.ScanPlan, len(a.dest)), make([]reflect.Type, len(a.dest))
	}
	size, nullable := 0, 0
	for i, d := range a.dest {
		if t := reflect.TypeOf(d); a.types[i] != t {
			// The first row, or a destination of another type than the last row's.
			a.types[i], a.plans[i] = t, nil
			if !cuttable(fields[i], d) {
				a.plans[i] = a.m.PlanScan(fields[i].DataTypeOID, fields[i].Format, d)
			}
		}
		if a.plans[i] != nil || raw[i] == nil {
			continue
		}
		size += textLen(fields[i], raw[i])
		if _, ok := d.(**string); ok {
			nullable++
		}
	}
	buf := make([]byte, 0, size) // exact: cutting never grows it, so every string stays in it
	var held []string
	if nullable > 0 {
		held = make([]string, 0, nullable)
	}
	for i, d := range a.dest {
		if a.plans[i] != nil {
			if err := a.plans[i].Scan(raw[i], d); err != nil {
				return pgx.ScanArgError{ColumnIndex: i, FieldName: fields[i].Name, Err: err}
			}
			continue
		}
		if raw[i] == nil {
			if p, ok := d.(**string); ok {
				*p = nil
				continue
			}
			return pgx.ScanArgError{ColumnIndex: i, FieldName: fields[i].Name, Err: fmt.Errorf("cannot scan NULL into %T", d)}
		}
		if fields[i].DataTypeOID == pgtype.UUIDOID && len(raw[i]) != 16 {
			return pgx.ScanArgError{ColumnIndex: i, FieldName: fields[i].Name, Err: fmt.Errorf("a binary UUID of %d bytes", len(raw[i]))}
		}
		start := len(buf)
		buf = appendText(buf, fields[i], raw[i])
		s := ""
		if n := len(buf) - start; n > 0 {
			s = unsafe.String(&buf[start], n) //nolint:gosec // buf is never written again past this cut
		}
		switch p := d.(type) {
		case *string:
			*p = s
		case **string:
			held = append(held, s)
			*p = &held[len(held)-1]
		}
	}
	return nil
}

// cuttable reports whether column f going into d is one arenaRow cuts from its buffer: text or
// a UUID into a string or a nullable string.
func cuttable(f pgconn.FieldDescription, d any) bool {
	switch d.(type) {
	case *string, **string:
	default:
		return false
	}
	switch f.DataTypeOID {
	case pgtype.TextOID, pgtype.VarcharOID:
		return true
	case pgtype.UUIDOID:
		return f.Format == pgtype.BinaryFormatCode
	}
	return false
}

// textLen is how many bytes appendText adds for raw.
func textLen(f pgconn.FieldDescription, raw []byte) int {
	if f.DataTypeOID == pgtype.UUIDOID {
		return uuidtext.Len
	}
	return len(raw)
}

// appendText appends raw's text: a text column's bytes as they are, as pgx's own scan takes them
// into a string; a binary UUID as pgx writes it.
func appendText(buf []byte, f pgconn.FieldDescription, raw []byte) []byte {
	if f.DataTypeOID != pgtype.UUIDOID {
		return append(buf, raw...)
	}
	return uuidtext.Append(buf, [16]byte(raw))
}
