package report

import (
	"math"
	"slices"
	"testing"
)

func TestCount(t *testing.T) {
	c := Count("referrals", 12)
	if c.Key != "referrals" || c.Value != 12 || !c.Count || c.Decimals != 0 || c.Missing || c.Suppressed || c.Bases != nil {
		t.Errorf("Count = %+v", c)
	}
}

func TestMean(t *testing.T) {
	tests := []struct {
		name     string
		sum      float64
		n        int64
		decimals int
		want     float64
		missing  bool
	}{
		{"47/10", 47, 10, 2, 4.7, false},
		{"2/3", 2, 3, 2, 0.67, false},
		{"1/3", 1, 3, 2, 0.33, false},
		{"half up at 2 dp", 1, 8, 2, 0.13, false},
		{"half away from zero when negative", -1, 8, 2, -0.13, false},
		{"5/8", 5, 8, 2, 0.63, false},
		{"decimal half, not its binary neighbour", 2.01, 2, 2, 1.01, false},
		{"whole number", 10, 4, 0, 3, false},
		{"one decimal", 23, 6, 1, 3.8, false},
		{"no answers", 0, 0, 2, 0, true},
		{"no answers with a sum", 12, 0, 2, 0, true},
		{"not a number", math.NaN(), 3, 2, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Mean("mean_score", tt.sum, tt.n, "responses", tt.decimals)
			if c.Missing != tt.missing || c.Value != tt.want {
				t.Errorf("Mean(%v, %d) = %v missing %v, want %v missing %v", tt.sum, tt.n, c.Value, c.Missing, tt.want, tt.missing)
			}
			if c.Count || c.Decimals != tt.decimals || !slices.Equal(c.Bases, []string{"responses"}) {
				t.Errorf("Mean = %+v", c)
			}
			if v, ok := c.Shown(); ok == tt.missing || v != tt.want {
				t.Errorf("Shown() = %v, %v", v, ok)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		name        string
		part, whole int64
		want        float64
		missing     bool
	}{
		{"1 of 8", 1, 8, 12.5, false},
		{"1 of 3", 1, 3, 33.3, false},
		{"2 of 3", 2, 3, 66.7, false},
		{"half up at 1 dp", 1, 16, 6.3, false},
		{"none", 0, 5, 0, false},
		{"all", 5, 5, 100, false},
		{"of nothing", 0, 0, 0, true},
		{"big numbers", 1_000_000_000_001, 3_000_000_000_000, 33.3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Percent("pct", tt.part, tt.whole, "part", "whole")
			if c.Missing != tt.missing || c.Value != tt.want {
				t.Errorf("Percent(%d, %d) = %v missing %v, want %v missing %v", tt.part, tt.whole, c.Value, c.Missing, tt.want, tt.missing)
			}
			if c.Count || c.Decimals != 1 || !slices.Equal(c.Bases, []string{"part", "whole"}) {
				t.Errorf("Percent = %+v", c)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name    string
		value   float64
		ok      bool
		want    float64
		missing bool
	}{
		{"whole days", 98, true, 98, false},
		{"half day", 98.5, true, 98.5, false},
		{"rounded half away", 12.25, true, 12.3, false},
		{"decimal half", 2.15, true, 2.2, false},
		{"nothing to take the median of", 0, false, 0, true},
		{"infinite", math.Inf(1), true, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Median("median_days", tt.value, tt.ok, "completed")
			if c.Missing != tt.missing || c.Value != tt.want {
				t.Errorf("Median(%v, %v) = %v missing %v, want %v missing %v", tt.value, tt.ok, c.Value, c.Missing, tt.want, tt.missing)
			}
			if c.Decimals != 1 || !slices.Equal(c.Bases, []string{"completed"}) {
				t.Errorf("Median = %+v", c)
			}
		})
	}
}

func TestCellShown(t *testing.T) {
	tests := []struct {
		name   string
		cell   Cell
		want   float64
		wantOK bool
	}{
		{"count", Count("n", 7), 7, true},
		{"zero count", Count("n", 0), 0, true},
		{"suppressed count", Cell{Key: "n", Value: 3, Count: true, Suppressed: true}, 0, false},
		{"missing mean", Mean("m", 0, 0, "n", 2), 0, false},
		{"hand-built derived figure rounded to its decimals", Cell{Key: "m", Value: 14.0 / 3, Decimals: 2}, 4.67, true},
		{"negative decimals read as none", Cell{Key: "m", Value: 2.5, Decimals: -1}, 3, true},
		{"suppressed derived figure", Cell{Key: "m", Value: 4.5, Decimals: 1, Suppressed: true}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.cell.Shown()
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Shown() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestPreviousKey(t *testing.T) {
	if got := PreviousKey("referrals:total"); got != "prev:referrals:total" {
		t.Errorf("PreviousKey = %q", got)
	}
	if PreviousKey("a") == "a" || PreviousKey("a") == PreviousKey("b") {
		t.Error("PreviousKey must give distinct keys")
	}
}

func TestMedianOf(t *testing.T) {
	cases := []struct {
		counts map[int]int64
		want   float64
		ok     bool
	}{
		{nil, 0, false},
		{map[int]int64{5: 0}, 0, false},
		{map[int]int64{7: 1}, 7, true},
		{map[int]int64{1: 1, 3: 1}, 2, true},           // mean of the middle two
		{map[int]int64{1: 1, 3: 1, 11: 1}, 3, true},    // the middle one
		{map[int]int64{2: 3, 9: 1}, 2, true},           // 2 2 2 9
		{map[int]int64{2: 2, 9: 2}, 5.5, true},         // 2 2 9 9
		{map[int]int64{0: 5, 100: 4, 40: 1}, 20, true}, // 0x5, 40, 100x4: middle two are 0 and 40
		{map[int]int64{-1: 1, 4: 1, 10: 1}, 4, true},   // order is by value, not by map order
	}
	for _, c := range cases {
		got, ok := MedianOf(c.counts)
		if got != c.want || ok != c.ok {
			t.Errorf("MedianOf(%v) = %v, %v; want %v, %v", c.counts, got, ok, c.want, c.ok)
		}
	}
}
