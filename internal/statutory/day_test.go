package statutory

import (
	"testing"
	"time"
)

func TestCheckDay(t *testing.T) {
	today, received := Date(2026, 3, 2), Date(2026, 1, 5)
	for _, c := range []struct {
		d, earliest time.Time
		want        string // "" accepted
	}{
		{time.Time{}, received, "is required"},
		{Date(2026, 1, 4), received, "must not be before received_on"},
		{received, received, ""},
		{today, received, ""},
		{Date(2026, 3, 3), received, "must not be in the future"},
		{Date(2020, 1, 1), time.Time{}, ""},
		{time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC), received, ""}, // the civil day counts, not the hour
	} {
		got := CheckDay("/d", c.d, c.earliest, "received_on", today)
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%v: %v", c.d, got)
		case c.want != "" && (got == nil || got.Detail != c.want || got.Pointer != "/d"):
			t.Errorf("%v: %v, want %q", c.d, got, c.want)
		}
	}
}

// TestParseDate: real calendar dates from 1900-01-01 on, and nothing else (year 0001 is Go's zero
// date, which reads as "not given").
func TestParseDate(t *testing.T) {
	for s, ok := range map[string]bool{"1900-01-01": true, "2026-02-28": true, "9999-12-31": true, "1899-12-31": false,
		"0001-01-01": false, "0000-01-01": false, "2026-02-29": false, "2026-1-01": false, "": false} {
		d, err := ParseDate(s)
		if (err == nil) != ok || (ok && d.Format("2006-01-02") != s) {
			t.Errorf("ParseDate(%q) = %v, %v", s, d, err)
		}
	}
}
