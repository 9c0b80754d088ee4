package money

import (
	"math"
	"testing"
)

func TestAdd(t *testing.T) {
	for _, c := range []struct {
		a, b, want int64
		ok         bool
	}{
		{1, 2, 3, true},
		{math.MaxInt64, 0, math.MaxInt64, true},
		{math.MaxInt64, 1, 0, false},
		// The tester's two payments: 2 × MaxInt64 wrapped to -2 before.
		{math.MaxInt64, math.MaxInt64, 0, false},
		{math.MinInt64, -1, 0, false},
		{-5, 3, -2, true},
	} {
		if got, ok := Add(c.a, c.b); got != c.want || ok != c.ok {
			t.Errorf("Add(%d, %d) = %d, %v; want %d, %v", c.a, c.b, got, ok, c.want, c.ok)
		}
	}
	if got := SaturatingAdd(math.MaxInt64, math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("SaturatingAdd = %d", got)
	}
	if got := SaturatingAdd(math.MinInt64, -1); got != math.MinInt64 {
		t.Errorf("SaturatingAdd negative = %d", got)
	}
}

func TestMul(t *testing.T) {
	for _, c := range []struct {
		a, n, want int64
		ok         bool
	}{
		{MaxPence, 52, MaxPence * 52, true},
		{math.MaxInt64, 52, 0, false},
		{math.MaxInt64 / 12, 12, math.MaxInt64 / 12 * 12, true},
		{math.MaxInt64/12 + 1, 12, 0, false},
		{math.MinInt64, 2, 0, false},
		{7, -1, 0, false},
		{0, 52, 0, true},
	} {
		if got, ok := Mul(c.a, c.n); got != c.want || ok != c.ok {
			t.Errorf("Mul(%d, %d) = %d, %v; want %d, %v", c.a, c.n, got, ok, c.want, c.ok)
		}
	}
	if got := SaturatingMul(math.MaxInt64, 52); got != math.MaxInt64 {
		t.Errorf("SaturatingMul = %d", got)
	}
}

func TestPounds(t *testing.T) {
	for pence, want := range map[int64]string{0: "£0.00", 5: "£0.05", 123456: "£1,234.56", MaxPence: "£1,000,000,000.00",
		-150: "-£1.50", math.MinInt64: "-£92,233,720,368,547,758.08"} {
		if got := Pounds(pence); got != want {
			t.Errorf("Pounds(%d) = %q, want %q", pence, got, want)
		}
	}
}
