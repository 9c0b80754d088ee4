package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/segmentio/encoding/json"
	"pgregory.net/rapid"
)

// TestFromJSONStrings: reading a JSON array of strings by hand (plainStrings) gives exactly what
// the decoder gives, nil and empty alike, for what the store writes and for PostgreSQL's own
// spacing; anything it does not read plainly (escapes, null, malformed) is left to the decoder.
func TestFromJSONStrings(t *testing.T) {
	decoded := func(s string) ([]string, bool) {
		var v []string
		err := json.Unmarshal([]byte(s), &v)
		return v, err == nil
	}
	for _, s := range []string{`[]`, ` [ ] `, `["sen"]`, `["sen","camhs"]`, `["sen", "camhs"]`, "[\n\"a\" ,\t\"b\"\r]", `["é", "日本"]`, `[""]`,
		`null`, `["a\"b"]`, `["a\u00e9"]`, `["a",]`, `["a" "b"]`, `["a"`, `[`, `["a"]x`, `[1]`, `["a",1]`, "[\"a\x01\"]", `{}`} {
		want, valid := decoded(s)
		if !valid {
			if _, ok := plainStrings(s); ok {
				t.Errorf("plainStrings(%q) read what the decoder refuses", s)
			}
			continue
		}
		if got := fromJSON[[]string](&s); !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
			t.Errorf("fromJSON(%q) = %#v, the decoder's %#v", s, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.SliceOf(rapid.String()).Draw(t, "strings")
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		want, _ := decoded(s)
		if got := fromJSON[[]string](&s); !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("fromJSON(%q) = %#v, the decoder's %#v", s, got, want)
		}
	})
}

// TestPlainDate: reading a date by hand gives exactly what time.Parse gives, and declines (for
// time.Parse to refuse in its own words) whatever time.Parse refuses: a day past the month's
// end, month 00 or 13, a sign, a space, a short or long form.
func TestPlainDate(t *testing.T) {
	check := func(t interface{ Errorf(string, ...any) }, s string) {
		want, err := time.Parse(dateLayout, s)
		got, ok := plainDate(s)
		if ok && (err != nil || !got.Equal(want) || got.Location() != want.Location()) {
			t.Errorf("plainDate(%q) = %v, time.Parse's %v, %v", s, got, want, err)
		}
		if !ok && err == nil {
			t.Errorf("plainDate(%q) declined what time.Parse reads as %v", s, want)
		}
	}
	for _, s := range []string{"2026-12-06", "2024-02-29", "2023-02-29", "2026-02-30", "2026-04-31", "2026-00-10", "2026-13-01",
		"2026-01-00", "0000-01-01", "9999-12-31", "2026-1-06", "2026-01-6 ", "+026-01-06", "2026/01/06", "20260106", "2026-01-06T00:00:00Z", ""} {
		check(t, s)
	}
	rapid.Check(t, func(t *rapid.T) {
		check(t, rapid.StringMatching(`[0-9]{4}-[0-9]{2}-[0-9]{2}`).Draw(t, "date"))
	})
}

// TestParseDay: the transitions' lenient reader shares readDate with toDate: a plain date reads as
// the day, anything malformed or missing as no date (where toDate would call the data corrupt).
func TestParseDay(t *testing.T) {
	str := func(s string) *string { return &s }
	if got := parseDay(str("2024-02-29")); !got.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("2024-02-29 read as %v", got)
	}
	for _, s := range []*string{nil, str(""), str("2023-02-29"), str(" 2024-01-01"), str("2024-1-1")} {
		if got := parseDay(s); !got.IsZero() {
			t.Errorf("parseDay(%v) = %v, want no date", s, got)
		}
	}
	if _, err := readDate("2026-02-30"); err == nil {
		t.Error("readDate took 30 February")
	}
}
