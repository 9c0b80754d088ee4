package store

import (
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// COPY in binary, where every column of a shape is of a type encoded here and every value has
// the one text form that type's input function reads exactly so: PostgreSQL then stores the
// bytes sent instead of parsing text (a timestamp's input function is the costliest of them, and
// an import writes several a row). Anything else (another type, a UUID in braces, a number with
// spaces, a text with a NUL byte) sends the whole shape in text as before, so PostgreSQL's own
// input functions still decide, and refuse, exactly what they did.

// pgCopyBinary turns the binary form on (a test compares it with the text form).
var pgCopyBinary = true

// copyBinaryHeader is COPY's binary signature, flags (none) and header extension length (none).
const copyBinaryHeader = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// binaryEncoder appends v's binary form, without its length, or says v is NULL; false when v
// cannot go so.
type binaryEncoder func(buf []byte, v any, typ string) (out []byte, null, ok bool)

// binaryEncoders are the types the binary form takes, as format_type names them.
var binaryEncoders = map[string]binaryEncoder{
	"uuid": textAs(appendUUID),
	// An audit event's id list (0123), written as the literal {id,id} (conn.idList): one
	// dimension from 1, no NULLs, each element 16 bytes.
	"uuid[]": textAs(func(buf []byte, s string) ([]byte, bool) {
		ids, ok := idListItems(s)
		if !ok {
			return buf, false // the text form decides
		}
		buf = binary.BigEndian.AppendUint32(append(buf, 0, 0, 0, 1, 0, 0, 0, 0), uuidOID)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(ids))) //nolint:gosec // a page's ids, far below 2^31
		buf = append(buf, 0, 0, 0, 1)
		for _, id := range ids {
			var ok bool
			if buf, ok = appendUUID(append(buf, 0, 0, 0, 16), id); !ok {
				return buf, false
			}
		}
		return buf, true
	}),
	"text":  textAs(appendPlainText),
	"jsonb": textAs(func(buf []byte, s string) ([]byte, bool) { return appendPlainText(append(buf, 1), s) }), // format version 1
	"bigint": textAs(func(buf []byte, s string) ([]byte, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return buf, false
		}
		return binary.BigEndian.AppendUint64(buf, uint64(n)), true //nolint:gosec // two's complement, as PostgreSQL reads it
	}),
	"boolean": textAs(func(buf []byte, s string) ([]byte, bool) {
		switch s {
		case "true":
			return append(buf, 1), true
		case "false":
			return append(buf, 0), true
		}
		return buf, false
	}),
	"timestamp with time zone": func(buf []byte, v any, _ string) ([]byte, bool, bool) {
		var t time.Time
		switch x := v.(type) {
		case nil:
			return buf, true, true
		case time.Time:
			t = x
		case *time.Time:
			if x == nil {
				return buf, true, true
			}
			t = *x
		default:
			return buf, false, false // a string or a Valuer: the text form, as before
		}
		if t.Year() < 1 || t.Year() > 9999 {
			return buf, false, false // pgText does not send it either
		}
		// Microseconds since 2000-01-01 UTC, truncated as pgText and pgx truncate.
		t = t.UTC().Truncate(time.Microsecond)
		us := (t.Unix()-pgEpoch)*1_000_000 + int64(t.Nanosecond()/1000)
		return binary.BigEndian.AppendUint64(buf, uint64(us)), false, true //nolint:gosec // two's complement, as PostgreSQL reads it
	},
}

// uuidOID is the type uuid's OID, which a binary array names for its elements.
const uuidOID = 2950

// appendUUID appends a UUID's 16 bytes, if s is one in the form parseHyphenated reads.
func appendUUID(buf []byte, s string) ([]byte, bool) {
	u, ok := parseHyphenated(s)
	if !ok {
		return buf, false
	}
	return append(buf, u[:]...), true
}

// pgEpoch is 2000-01-01 UTC in Unix seconds, where PostgreSQL's binary timestamps count from.
const pgEpoch = 946_684_800

// textAs makes an encoder from one of a value's text form (pgText's).
func textAs(enc func(buf []byte, s string) ([]byte, bool)) binaryEncoder {
	return func(buf []byte, v any, typ string) ([]byte, bool, bool) {
		s, null, ok := pgText(v, typ)
		if !ok || null {
			return buf, null, ok
		}
		buf, ok = enc(buf, s)
		return buf, false, ok
	}
}

// appendPlainText appends text as it is, but for a NUL byte, which no PostgreSQL text holds:
// the text form lets PostgreSQL refuse it in its own words.
func appendPlainText(buf []byte, s string) ([]byte, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return buf, false
	}
	return append(buf, s...), true
}

// binaryColumns are the encoders of a shape's columns, or nil when one type has none.
func binaryColumns(casts []string) []binaryEncoder {
	if !pgCopyBinary {
		return nil
	}
	enc := make([]binaryEncoder, len(casts))
	for i, typ := range casts {
		if enc[i] = binaryEncoders[typ]; enc[i] == nil {
			return nil
		}
	}
	return enc
}

// appendCopyBinary appends the rows of g that keep keeps in COPY's binary form, header and
// trailer included; false when a value cannot go so.
func appendCopyBinary(buf []byte, g *batchGroup, enc []binaryEncoder, casts []string, keep func(r int) bool) (out []byte, n int, ok bool) {
	buf = append(buf, copyBinaryHeader...)
	for r, row := range g.rows {
		if !keep(r) {
			continue
		}
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(row))) //nolint:gosec // a shape's width, far under 65,536
		for i, v := range row {
			at := len(buf)
			buf = append(buf, 0, 0, 0, 0) // the length, once known
			var null bool
			if buf, null, ok = enc[i](buf, v, casts[i]); !ok {
				return buf, 0, false
			}
			length := uint32(len(buf) - at - 4) //nolint:gosec // a chunk's value, far under 2 GB
			if null {
				buf, length = buf[:at+4], 0xFFFFFFFF // -1: NULL
			}
			binary.BigEndian.PutUint32(buf[at:], length)
		}
		n++
	}
	return binary.BigEndian.AppendUint16(buf, 0xFFFF), n, true // -1: the end
}
