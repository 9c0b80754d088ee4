// Package money holds the limits and arithmetic of amounts in pence, so that no amount the API
// accepts, nor any total or annual figure computed from them, can wrap round an int64.
package money

import (
	"fmt"
	"math"
	"strconv"
)

// MaxPence is the largest amount in pence any request may carry: £1,000,000,000. It is the bound
// section J's lines have always had in the contract (a year's amount), applied to every *_pence
// field; far above any real budget or placement, far below where int64 arithmetic could wrap.
const MaxPence int64 = 100_000_000_000

// Add returns a+b, and false when the sum does not fit an int64 (it would wrap).
func Add(a, b int64) (int64, bool) {
	s := a + b
	// Overflow happened when both operands have the same sign and the sum's sign differs.
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, false
	}
	return s, true
}

// Mul returns a*n for n >= 0, and false when the product does not fit an int64.
func Mul(a, n int64) (int64, bool) {
	if n < 0 {
		return 0, false
	}
	if a == 0 || n == 0 {
		return 0, true
	}
	if a > 0 && a > math.MaxInt64/n || a < 0 && a < math.MinInt64/n {
		return 0, false
	}
	return a * n, true
}

// SaturatingAdd returns a+b clamped to the int64 range: for figures computed from amounts stored
// before MaxPence was enforced, so that an old huge value never shows as a negative one.
func SaturatingAdd(a, b int64) int64 {
	if s, ok := Add(a, b); ok {
		return s
	}
	if a > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

// SaturatingMul is Mul clamped to the int64 range (n >= 0), for the same reason.
func SaturatingMul(a, n int64) int64 {
	if p, ok := Mul(a, n); ok {
		return p
	}
	if a < 0 {
		return math.MinInt64
	}
	return math.MaxInt64
}

// Pounds writes pence as £1,234.56 (a negative amount as -£1,234.56).
func Pounds(pence int64) string {
	sign := ""
	// Work on the magnitude as uint64: -MinInt64 does not fit an int64.
	u := uint64(pence)
	if pence < 0 {
		sign, u = "-", uint64(-(pence+1))+1
	}
	s := strconv.FormatUint(u/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("%s£%s.%02d", sign, s, u%100)
}

// MaxPounds is MaxPence written for a person.
var MaxPounds = Pounds(MaxPence)
