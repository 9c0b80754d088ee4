package store

import (
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// A column's NULLs must land where they were added, whether the first comes first, in the middle
// or never (when no NULL is kept at all).
func TestTextArrayNulls(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nulls []bool
	}{
		{"none", []bool{false, false, false}},
		{"first", []bool{true, false, false}},
		{"middle", []bool{false, true, false}},
		{"last", []bool{false, false, true}},
		{"all", []bool{true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a textArray
			vals := []string{"a", "", "c"}
			for i, null := range tc.nulls {
				a.add(vals[i], null)
			}
			if d := a.Dimensions(); len(d) != 1 || d[0].Length != 3 || d[0].LowerBound != 1 {
				t.Fatalf("dimensions %+v", d)
			}
			for i, null := range tc.nulls {
				got := a.Index(i)
				if null {
					if got != nil {
						t.Fatalf("row %d: %v, want NULL", i, got)
					}
					continue
				}
				v, ok := got.(pgtype.TextValuer)
				if !ok {
					t.Fatalf("row %d: %T is not a text value", i, got)
				}
				text, err := v.TextValue()
				if err != nil || !text.Valid || text.String != vals[i] {
					t.Fatalf("row %d: %+v %v, want %q", i, text, err, vals[i])
				}
			}
		})
	}
}

// pgx must take textArray for a text[] parameter as an array, each value as text (not by
// reflection over some other shape): encode one and decode it back.
func TestTextArrayEncodes(t *testing.T) {
	var a textArray
	for i, v := range []string{"x", "", "z", "w"} {
		a.add(v, i == 2)
	}
	m := pgtype.NewMap()
	buf, err := m.Encode(pgtype.TextArrayOID, pgtype.BinaryFormatCode, &a, nil)
	if err != nil {
		t.Fatal(err)
	}
	var back []pgtype.Text
	if err := m.Scan(pgtype.TextArrayOID, pgtype.BinaryFormatCode, buf, &back); err != nil {
		t.Fatal(err)
	}
	want := []pgtype.Text{{String: "x", Valid: true}, {String: "", Valid: true}, {}, {String: "w", Valid: true}}
	if len(back) != len(want) {
		t.Fatalf("%d values back, want %d", len(back), len(want))
	}
	for i := range want {
		if back[i] != want[i] {
			t.Fatalf("value %d: %+v, want %+v", i, back[i], want[i])
		}
	}
}
