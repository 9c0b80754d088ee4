package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsonCase is a value a batched row may hold.
type jsonCase struct {
	name string
	v    any
}

type namedString string

// jsonCases covers what rows hold: text of every awkward kind, integers, booleans, times, NULLs,
// pointers and named types (which database/sql converts).
func jsonCases() []jsonCase {
	s, when := "pointed", time.Date(2026, 12, 3, 19, 4, 5, 120000000, time.UTC)
	var nilString *string
	return []jsonCase{
		{"plain", "Child Imported"},
		{"empty", ""},
		{"quotes and backslashes", `a "quoted" \ back\slash`},
		{"controls", "line\nbreak\ttab\rreturn\x01\x1f"},
		{"unicode", "Zoë Ó Súilleabháin 🙂"},
		{"json text", `{"a":[1,2,"x"],"b":null}`},
		{"numeric text", "00123"},
		{"int64", int64(-9223372036854775808)},
		{"int", 42},
		{"true", true},
		{"false", false},
		{"time", when},
		{"time pointer", &when},
		{"nil", nil},
		{"nil pointer", nilString},
		{"string pointer", &s},
		{"named string", namedString("named")},
	}
}

// TestSQLiteJSONValues checks that a row sent as JSON (sendGroupSQLite) stores each value as the
// same SQL value, of the same type, that binding it as a parameter does, in columns of each
// affinity.
func TestSQLiteJSONValues(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "json.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cols := []string{"k", "t", "i", "n", "d", "b", "x"}
	if err := st.db.Exec("CREATE TABLE vals (k TEXT, t TEXT, i INTEGER, n NUMERIC, d DATETIME, b BOOLEAN, x)").Error; err != nil {
		t.Fatal(err)
	}
	cases := jsonCases()
	row := func(tag string, c jsonCase) []any { return []any{tag + c.name, c.v, c.v, c.v, c.v, c.v, c.v} }
	// Bound, one row at a time.
	for _, c := range cases {
		if err := st.db.Exec("INSERT INTO vals (k,t,i,n,d,b,x) VALUES (?,?,?,?,?,?,?)", row("bound ", c)...).Error; err != nil {
			t.Fatal(err)
		}
	}
	// As JSON, in one batch.
	err = st.InTx(ctx, func(tx *Tx) error {
		return tx.Batch(func() error {
			for _, c := range cases {
				if err := tx.gatherRow(tx.insertHead("vals", cols), "", row("json ", c), ""); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	// A value the same in every row goes as a parameter: a batch per value, of two rows.
	for _, c := range cases {
		err = st.InTx(ctx, func(tx *Tx) error {
			return tx.Batch(func() error {
				for _, tag := range []string{"same1 ", "same2 "} {
					if err := tx.gatherRow(tx.insertHead("vals", cols), "", row(tag, c), ""); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	stored := func(tag string) map[string]string {
		var rows []struct{ K, V string }
		err := st.db.Raw(`SELECT substr(k, length(?) + 1) AS k, typeof(t)||':'||quote(t)||' '||typeof(i)||':'||quote(i)||' '||typeof(n)||':'||quote(n)||' '||
			typeof(d)||':'||quote(d)||' '||typeof(b)||':'||quote(b)||' '||typeof(x)||':'||quote(x) AS v FROM vals WHERE k LIKE ? ORDER BY rowid`,
			tag, tag+"%").Scan(&rows).Error
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rows {
			out[r.K] = r.V
		}
		return out
	}
	bound := stored("bound ")
	if len(bound) != len(cases) {
		t.Fatalf("stored %d bound, want %d", len(bound), len(cases))
	}
	for _, tag := range []string{"json ", "same1 ", "same2 "} {
		sent := stored(tag)
		if len(sent) != len(cases) {
			t.Fatalf("stored %d %q, want %d", len(sent), tag, len(cases))
		}
		for _, c := range cases {
			if bound[c.name] != sent[c.name] {
				t.Errorf("%s%s: bound %s, batched %s", tag, c.name, bound[c.name], sent[c.name])
			}
		}
	}
}

// TestSQLiteJSONFallback checks that a group holding a value JSON cannot carry exactly is sent
// as VALUES statements instead, whole and unchanged, and that the values refused are those.
func TestSQLiteJSONFallback(t *testing.T) {
	for _, v := range []any{[]byte{0, 1, 2}, 1.5, "nul\x00inside", "not utf-8 \xff"} {
		if _, ok := appendJSONValue(nil, v); ok {
			t.Errorf("%q went as JSON", v)
		}
	}
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "fallback.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.db.Exec("CREATE TABLE vals (k INTEGER, v)").Error; err != nil {
		t.Fatal(err)
	}
	values := []any{"text", []byte("blob\x00"), 2.25, "nul\x00kept", "bad \xff byte"}
	err = st.InTx(ctx, func(tx *Tx) error {
		return tx.Batch(func() error {
			for i, v := range values {
				if err := tx.gatherRow(tx.insertHead("vals", []string{"k", "v"}), "", []any{i, v}, ""); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := st.db.Raw("SELECT typeof(v)||':'||hex(v) FROM vals ORDER BY k").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	want := "text:74657874 blob:626C6F6200 real:322E3235 text:6E756C006B657074 text:62616420FF2062797465"
	if strings.Join(got, " ") != want {
		t.Errorf("stored %s, want %s", strings.Join(got, " "), want)
	}
}
