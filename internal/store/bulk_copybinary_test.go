package store

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// Every value the binary form takes is encoded as pgx encodes it for PostgreSQL (an independent
// encoder of the same wire format), and every value it does not take is left to the text form.
func TestBinaryEncodersMatchPgx(t *testing.T) {
	m := pgtype.NewMap()
	id := "01a2497f-1350-74b9-b1ad-9af2a34cad0f"
	other := "01a2497f-1351-7000-8000-000000000001"
	bst := time.FixedZone("BST", 3600)
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		typ  string
		oid  uint32
		v    any
		want any // what pgx is given for the same value
	}{
		{"uuid", pgtype.UUIDOID, id, uuid.MustParse(id)},
		{"uuid", pgtype.UUIDOID, "01A2497F-1350-74B9-B1AD-9AF2A34CAD0F", uuid.MustParse(id)},
		{"uuid", pgtype.UUIDOID, str(id), uuid.MustParse(id)},
		{"uuid[]", pgtype.UUIDArrayOID, "{" + id + "," + other + "}", []uuid.UUID{uuid.MustParse(id), uuid.MustParse(other)}},
		{"uuid[]", pgtype.UUIDArrayOID, "{" + id + "}", []uuid.UUID{uuid.MustParse(id)}},
		{"text", pgtype.TextOID, "o'neil \"q\" \\ é\ttab\nline\r\\N", "o'neil \"q\" \\ é\ttab\nline\r\\N"},
		{"text", pgtype.TextOID, "", ""},
		{"jsonb", pgtype.JSONBOID, []byte(`{"a": [1, "x"]}`), []byte(`{"a": [1, "x"]}`)},
		{"bigint", pgtype.Int8OID, int64(-42), int64(-42)},
		{"bigint", pgtype.Int8OID, 7, int64(7)},
		{"boolean", pgtype.BoolOID, true, true},
		{"boolean", pgtype.BoolOID, false, false},
		{"timestamp with time zone", pgtype.TimestamptzOID, time.Date(2026, 3, 29, 1, 30, 0, 999_999_999, bst),
			time.Date(2026, 3, 29, 1, 30, 0, 999_999_000, bst)},
		{"timestamp with time zone", pgtype.TimestamptzOID, time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC)},
		{"timestamp with time zone", pgtype.TimestamptzOID, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"timestamp with time zone", pgtype.TimestamptzOID, time.Date(9999, 12, 31, 23, 59, 59, 999_999_000, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999_999_000, time.UTC)},
	} {
		got, null, ok := binaryEncoders[tc.typ](nil, tc.v, tc.typ)
		if !ok || null {
			t.Errorf("%s %#v: ok %v, null %v", tc.typ, tc.v, ok, null)
			continue
		}
		want, err := m.Encode(tc.oid, pgtype.BinaryFormatCode, tc.want, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s %#v: % x, pgx % x", tc.typ, tc.v, got, want)
		}
	}
	// NULLs, as pgText says them.
	var nilTime *time.Time
	for _, tc := range []struct {
		typ string
		v   any
	}{{"uuid", nil}, {"text", (*string)(nil)}, {"timestamp with time zone", nilTime}, {"timestamp with time zone", nil}} {
		if _, null, ok := binaryEncoders[tc.typ](nil, tc.v, tc.typ); !ok || !null {
			t.Errorf("%s %#v: ok %v, null %v; want NULL", tc.typ, tc.v, ok, null)
		}
	}
	// What the text form, and so PostgreSQL's input function, must decide.
	for _, tc := range []struct {
		typ string
		v   any
	}{
		{"uuid", "{" + id + "}"},
		{"uuid", "urn:uuid:" + id},
		{"uuid", "01a2497f135074b9b1ad9af2a34cad0f"},
		{"uuid", "01a2497f-1350-74b9-b1ad-9af2a34cad0g"},
		{"uuid", "01a2497f-1350-74b9-b1ad-9af2a34cad0\x10"}, // a byte that is not a digit, whatever its bits
		{"uuid", "01a2497f-1350-74b9-b1ad-9af2a34cad0G"},
		{"uuid[]", "{" + id + ",{" + id + "}}"},
		{"uuid[]", "{" + id + ",NULL}"},
		{"uuid[]", id},
		{"uuid[]", "{}"},
		{"text", "a\x00b"},
		{"jsonb", "{\"a\": \"\x00\"}"},
		{"bigint", " 7"},
		{"bigint", "9223372036854775808"},
		{"boolean", "t"},
		{"timestamp with time zone", "2026-03-29 01:30:00+01"},
		{"timestamp with time zone", time.Time{}.Add(-time.Hour)},
	} {
		if _, _, ok := binaryEncoders[tc.typ](nil, tc.v, tc.typ); ok {
			t.Errorf("%s %q went in binary", tc.typ, tc.v)
		}
	}
	if binaryColumns([]string{"uuid", "text[]"}) != nil || binaryColumns([]string{"uuid", "bigint"}) == nil {
		t.Error("binaryColumns: a shape with a type it cannot encode went in binary, or one it can did not")
	}
}

// The binary COPY stream: header, a row's field count, each field's length (-1 for NULL), the
// trailer; a held row is left out, and a value that cannot go refuses the whole shape.
func TestAppendCopyBinary(t *testing.T) {
	g := &batchGroup{rows: [][]any{{int64(1), "a"}, {int64(2), nil}, {int64(3), "held"}}, held: []string{"", "", "k"}}
	enc := binaryColumns([]string{"bigint", "text"})
	keep := func(r int) bool { return g.held[r] == "" }
	buf, n, ok := appendCopyBinary(nil, g, enc, []string{"bigint", "text"}, keep)
	if !ok || n != 2 {
		t.Fatalf("ok %v, %d rows", ok, n)
	}
	var want []byte
	want = append(want, "PGCOPY\n\xff\r\n\x00"...)
	want = binary.BigEndian.AppendUint32(want, 0)
	want = binary.BigEndian.AppendUint32(want, 0)
	want = binary.BigEndian.AppendUint16(want, 2)
	want = binary.BigEndian.AppendUint32(want, 8)
	want = binary.BigEndian.AppendUint64(want, 1)
	want = binary.BigEndian.AppendUint32(want, 1)
	want = append(want, 'a')
	want = binary.BigEndian.AppendUint16(want, 2)
	want = binary.BigEndian.AppendUint32(want, 8)
	want = binary.BigEndian.AppendUint64(want, 2)
	want = binary.BigEndian.AppendUint32(want, 0xFFFFFFFF)
	want = binary.BigEndian.AppendUint16(want, 0xFFFF)
	if !bytes.Equal(buf, want) {
		t.Errorf("stream\n% x\nwant\n% x", buf, want)
	}
	g.rows[1][1] = "b\x00"
	if _, _, ok := appendCopyBinary(nil, g, enc, []string{"bigint", "text"}, keep); ok {
		t.Error("a shape with a value the binary form cannot take went in binary")
	}
}

// The Go side of a chunk's COPY in each form: 2,000 rows shaped like the import's audit events
// (`go test -bench CopyRows ./internal/store/`).
func BenchmarkCopyRows(b *testing.B) {
	casts := []string{"uuid", "timestamp with time zone", "text", "text", "uuid", "uuid", "uuid", "text", "uuid", "uuid", "text", "text",
		"jsonb", "text", "text", "jsonb", "jsonb"}
	at := time.Date(2026, 12, 6, 4, 50, 0, 123_456_789, time.UTC)
	g := &batchGroup{}
	for i := range 2000 {
		id := uuid.Must(uuid.NewV7()).String()
		g.rows = append(g.rows, []any{id, at.Add(time.Duration(i) * time.Millisecond), "create", "referral", id, id, nil, "import:" + id, nil,
			"00000000-0000-4000-8000-000000000001", "send_officer", "import", []byte(`["status","received_on"]`), "req-1", nil, nil, nil})
	}
	keep := func(int) bool { return true }
	var buf []byte
	b.Run("binary", func(b *testing.B) {
		enc := binaryColumns(casts)
		for b.Loop() {
			var ok bool
			if buf, _, ok = appendCopyBinary(buf[:0], g, enc, casts, keep); !ok {
				b.Fatal("not binary")
			}
		}
		b.ReportMetric(float64(len(buf))/2000, "bytes/row")
	})
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			var ok bool
			if buf, _, ok = appendCopyTextRows(buf[:0], g, casts, keep); !ok {
				b.Fatal("not text")
			}
		}
		b.ReportMetric(float64(len(buf))/2000, "bytes/row")
	})
}
