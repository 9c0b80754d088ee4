package report

import (
	"math"
	"math/big"
	"slices"
	"strconv"
)

// The reports OnePlan computes.
const (
	Activity    = "activity"
	Experience  = "experience"
	Timeliness  = "timeliness"
	Transitions = "transitions"
	Funnel      = "funnel"
)

// Kinds lists every report, in the order documentation shows them.
var Kinds = []string{Activity, Experience, Timeliness, Transitions, Funnel, TransformingCare}

// Cell is one figure of a report.
type Cell struct {
	// Key is the figure's identity: cells with the same key are the same figure wherever they
	// appear (a table's total and a summary count, say). Keys of previous-period figures must
	// differ from current ones (see PreviousKey).
	Key   string
	Value float64
	// Count marks a count of children or records: subject to the threshold, suppression and rounding.
	Count bool
	// Bases are, for derived figures (means, percentages, medians), the keys of the counts they
	// are computed from. A derived figure is only published when all its bases are.
	Bases []string
	// Decimals is the number of decimal places of a derived figure (counts have 0).
	Decimals int
	// Missing marks a figure with no value at all (a mean of no answers): shown as null, never
	// "suppressed".
	Missing bool
	// Suppressed is set by Report.Apply.
	Suppressed bool
}

// PreviousKey is the key of the previous period's figure for the current figure keyed key.
func PreviousKey(key string) string { return "prev:" + key }

// Count is a count of children or records.
func Count(key string, n int64) Cell {
	return Cell{Key: key, Value: float64(n), Count: true}
}

// Mean is sum/n rounded half away from zero to decimals places; Missing when n is 0. baseKey is
// the key of the count n.
func Mean(key string, sum float64, n int64, baseKey string, decimals int) Cell {
	c := Cell{Key: key, Bases: bases(baseKey), Decimals: clampDecimals(decimals)}
	s, ok := decimal(sum)
	if n == 0 || !ok {
		c.Missing = true
		return c
	}
	c.Value = roundRat(s.Quo(s, new(big.Rat).SetInt64(n)), c.Decimals)
	return c
}

// Percent is 100*part/whole to one decimal place; Missing when whole is 0.
func Percent(key string, part, whole int64, partKey, wholeKey string) Cell {
	c := Cell{Key: key, Bases: bases(partKey, wholeKey), Decimals: 1}
	if whole == 0 {
		c.Missing = true
		return c
	}
	num := new(big.Int).Mul(big.NewInt(part), big.NewInt(100))
	c.Value = roundRat(new(big.Rat).SetFrac(num, big.NewInt(whole)), 1)
	return c
}

// Median is value to one decimal place; Missing when !ok (a median of nothing).
func Median(key string, value float64, ok bool, baseKey string) Cell {
	c := Cell{Key: key, Bases: bases(baseKey), Decimals: 1}
	v, finite := decimal(value)
	if !ok || !finite {
		c.Missing = true
		return c
	}
	c.Value = roundRat(v, 1)
	return c
}

// Shown returns the value to publish and whether there is one (false when Missing or
// Suppressed), rounded to c.Decimals.
func (c Cell) Shown() (float64, bool) {
	if c.Missing || c.Suppressed {
		return 0, false
	}
	return round(c.Value, c.Decimals), true
}

func bases(keys ...string) []string {
	var out []string
	for _, k := range keys {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// maxDecimals keeps 10^decimals small; a float64 has no more significant digits than this anyway.
const maxDecimals = 20

func clampDecimals(d int) int {
	return min(max(d, 0), maxDecimals)
}

// decimal reads v as the shortest decimal that prints as v, so that 2.15 rounds like the 2.15 a
// person wrote and not like its binary neighbour 2.1499999... false for NaN and infinities, which
// can never be published (JSON has no form for them).
func decimal(v float64) (*big.Rat, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'g', -1, 64))
	return r, ok
}

// round rounds v half away from zero to decimals places.
func round(v float64, decimals int) float64 {
	r, ok := decimal(v)
	if !ok {
		return v
	}
	return roundRat(r, clampDecimals(decimals))
}

// roundRat rounds x half away from zero to decimals places, exactly.
func roundRat(x *big.Rat, decimals int) float64 {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	num := new(big.Int).Mul(x.Num(), scale)
	neg := num.Sign() < 0
	num.Abs(num)
	// floor(|num|/den + 1/2) = floor((2|num| + den) / 2den); den is always positive.
	den2 := new(big.Int).Lsh(x.Denom(), 1)
	num.Lsh(num, 1).Add(num, x.Denom())
	num.Quo(num, den2)
	if neg {
		num.Neg(num)
	}
	f, _ := new(big.Rat).SetFrac(num, scale).Float64()
	return f
}

// Row is one line of a table: a category's figure for the period and, when asked for, the
// previous period's.
type Row struct {
	// Category is the dimension's value, e.g. "speech_language"; TotalCategory for a table's total.
	Category string
	Label    string
	// Measure is what is counted or computed: "referrals", "responses", "mean_score", ...
	Measure  string
	Current  Cell
	Previous *Cell
}

// TotalCategory is the Category of a table's total row.
const TotalCategory = "total"

// Table is one table of a report.
type Table struct {
	Name string // machine name, e.g. "referrals_by_reason"
	// Group tells apart repeats of one table for different groups, e.g. "parent_carer".
	Group     string
	Title     string
	Dimension string // what Category holds, e.g. "reason"; "measure" for a summary table
	Rows      []Row
	// AllOrNothing: if any count in the table other than the total rows ends up suppressed,
	// every count other than the total rows is suppressed (separately for the current and the
	// previous period). For the distribution of answers to one survey question, where a mean
	// plus a partly published distribution could reveal the hidden cells.
	AllOrNothing bool
}

// Sum says that the count keyed Total equals the sum of the counts keyed Parts (an additive
// breakdown). Secondary suppression uses these. A Sum with no Parts says nothing and is ignored.
type Sum struct {
	Total string
	Parts []string
}

// Report is an aggregate report.
type Report struct {
	Kind     string // "activity", "experience", "timeliness", "transitions", "funnel"
	Title    string
	Period   Period
	Previous *Period // set when a comparison with the previous period was asked for
	Tables   []Table
	Sums     []Sum
	Control  Control // what disclosure control was applied
}

// MedianOf is the median of values given as counts by value (how many referrals took each number
// of days), computed exactly without listing the values: the middle one, or the mean of the
// middle two. ok is false when there are none.
func MedianOf(counts map[int]int64) (median float64, ok bool) {
	var n int64
	values := make([]int, 0, len(counts))
	for v, c := range counts {
		if c > 0 {
			n += c
			values = append(values, v)
		}
	}
	if n == 0 {
		return 0, false
	}
	slices.Sort(values)
	// The k-th smallest value, k counted from 1.
	nth := func(k int64) int {
		for _, v := range values {
			if k -= counts[v]; k <= 0 {
				return v
			}
		}
		return values[len(values)-1]
	}
	lo, hi := nth((n+1)/2), nth((n+2)/2)
	return float64(lo+hi) / 2, true
}
