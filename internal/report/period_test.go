package report

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

func TestNewPeriod(t *testing.T) {
	bst := time.FixedZone("BST", 3600)
	tests := []struct {
		name     string
		from, to time.Time
		want     Period
		wantErr  string
	}{
		{"one day", d(2024, 1, 1), d(2024, 1, 1), Period{d(2024, 1, 1), d(2024, 1, 1)}, ""},
		{"school year", d(2019, 9, 1), d(2020, 8, 31), Period{d(2019, 9, 1), d(2020, 8, 31)}, ""},
		{"to before from", d(2024, 1, 2), d(2024, 1, 1), Period{}, "must not be before from"},
		{"exactly 10 years", d(2016, 1, 1), d(2026, 1, 1), Period{d(2016, 1, 1), d(2026, 1, 1)}, ""},
		{"10 years and a day", d(2016, 1, 1), d(2026, 1, 2), Period{}, "a report covers at most 10 years"},
		{"10 years from 29 Feb", d(2016, 2, 29), d(2026, 3, 1), Period{d(2016, 2, 29), d(2026, 3, 1)}, ""},
		{"10 years from 29 Feb and a day", d(2016, 2, 29), d(2026, 3, 2), Period{}, "a report covers at most 10 years"},
		{
			"time of day and zone dropped",
			time.Date(2024, 3, 1, 15, 4, 0, 0, time.UTC), time.Date(2024, 6, 30, 23, 30, 0, 0, bst),
			Period{d(2024, 3, 1), d(2024, 6, 30)}, "",
		},
		{
			"same date, later hour first",
			time.Date(2024, 3, 1, 18, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
			Period{d(2024, 3, 1), d(2024, 3, 1)}, "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewPeriod(tt.from, tt.to)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewPeriod: %v", err)
				}
				if !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) || got.From.Location() != time.UTC {
					t.Errorf("NewPeriod = %v..%v, want %v..%v", got.From, got.To, tt.want.From, tt.want.To)
				}
				return
			}
			if !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("NewPeriod error = %v, want fault.Invalid", err)
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || len(fe.Fields) != 1 {
				t.Fatalf("NewPeriod error = %#v, want one field", err)
			}
			if f := fe.Fields[0]; f.Pointer != "/query/to" || f.Detail != tt.wantErr {
				t.Errorf("field = %+v, want /query/to %q", f, tt.wantErr)
			}
		})
	}
}

func TestPeriodDays(t *testing.T) {
	tests := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"1 Jan to 1 Jan", d(2024, 1, 1), d(2024, 1, 1), 1},
		{"January", d(2024, 1, 1), d(2024, 1, 31), 31},
		{"leap February", d(2024, 2, 1), d(2024, 2, 29), 29},
		{"leap year", d(2024, 1, 1), d(2024, 12, 31), 366},
		{"common year", d(2023, 1, 1), d(2023, 12, 31), 365},
		{"school year with 29 Feb", d(2019, 9, 1), d(2020, 8, 31), 366},
		{"across the clocks going forward", d(2024, 3, 30), d(2024, 4, 1), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPeriod(tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Days(); got != tt.want {
				t.Errorf("Days() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestPeriodPrevious(t *testing.T) {
	tests := []struct {
		name             string
		from, to         time.Time
		wantFrom, wantTo time.Time
	}{
		// Whole calendar months: the same number of months before.
		{"school year", d(2019, 9, 1), d(2020, 8, 31), d(2018, 9, 1), d(2019, 8, 31)},
		{"leap calendar year", d(2024, 1, 1), d(2024, 12, 31), d(2023, 1, 1), d(2023, 12, 31)},
		{"year after a leap year", d(2025, 1, 1), d(2025, 12, 31), d(2024, 1, 1), d(2024, 12, 31)},
		{"March to February across a leap day", d(2023, 3, 1), d(2024, 2, 29), d(2022, 3, 1), d(2023, 2, 28)},
		{"leap February", d(2024, 2, 1), d(2024, 2, 29), d(2024, 1, 1), d(2024, 1, 31)},
		{"common February", d(2025, 2, 1), d(2025, 2, 28), d(2025, 1, 1), d(2025, 1, 31)},
		{"March after a leap February", d(2024, 3, 1), d(2024, 3, 31), d(2024, 2, 1), d(2024, 2, 29)},
		{"quarter across the year end", d(2024, 1, 1), d(2024, 3, 31), d(2023, 10, 1), d(2023, 12, 31)},
		{"ten years", d(2015, 9, 1), d(2025, 8, 31), d(2005, 9, 1), d(2015, 8, 31)},
		// Anything else: the same number of days.
		{"a week", d(2024, 3, 10), d(2024, 3, 16), d(2024, 3, 3), d(2024, 3, 9)},
		{"one day on the 1st", d(2024, 3, 1), d(2024, 3, 1), d(2024, 2, 29), d(2024, 2, 29)},
		{"first half of March", d(2024, 3, 1), d(2024, 3, 15), d(2024, 2, 15), d(2024, 2, 29)},
		{"ends on a month end only", d(2024, 2, 15), d(2024, 2, 29), d(2024, 1, 31), d(2024, 2, 14)},
		{"across a year end", d(2024, 12, 20), d(2025, 1, 10), d(2024, 11, 28), d(2024, 12, 19)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPeriod(tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Previous()
			if !got.From.Equal(tt.wantFrom) || !got.To.Equal(tt.wantTo) {
				t.Errorf("Previous() = %s..%s, want %s..%s", got.From.Format(time.DateOnly), got.To.Format(time.DateOnly),
					tt.wantFrom.Format(time.DateOnly), tt.wantTo.Format(time.DateOnly))
			}
			if !got.To.AddDate(0, 0, 1).Equal(p.From) {
				t.Errorf("Previous() ends %s, not the day before %s", got.To.Format(time.DateOnly), p.From.Format(time.DateOnly))
			}
		})
	}
}

func TestPeriodContains(t *testing.T) {
	p, err := NewPeriod(d(2024, 9, 1), d(2025, 8, 31))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"first day", d(2024, 9, 1), true},
		{"last day", d(2025, 8, 31), true},
		{"inside", d(2025, 2, 14), true},
		{"day before", d(2024, 8, 31), false},
		{"day after", d(2025, 9, 1), false},
		{"late on the last day", time.Date(2025, 8, 31, 23, 59, 59, 0, time.UTC), true},
		{"last moment of the day before", time.Date(2024, 8, 31, 23, 59, 59, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Contains(tt.at); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}
