package report

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// Random additive tables, some sharing a total, under random policies.
func TestApplyProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		policy := Policy{
			Threshold: rapid.IntRange(3, 10).Draw(t, "threshold"),
			ShowZeros: rapid.Bool().Draw(t, "showZeros"),
			Rounding:  rapid.SampledFrom([]int{0, 1, 3, 5, 10}).Draw(t, "rounding"),
		}
		var r Report
		exact := map[string]float64{}
		totals := map[string]int64{}
		var totalKeys []string
		for i := range rapid.IntRange(1, 3).Draw(t, "tables") {
			name := fmt.Sprintf("t%d", i)
			totalKey := name + ":total"
			var parts []int64
			if i > 0 && rapid.Bool().Draw(t, "share") {
				// Another breakdown of an earlier total: cut it into parts.
				totalKey = rapid.SampledFrom(totalKeys).Draw(t, "shared")
				n := rapid.IntRange(2, 12).Draw(t, "parts")
				cuts := rapid.SliceOfN(rapid.Int64Range(0, totals[totalKey]), n-1, n-1).Draw(t, "cuts")
				slices.Sort(cuts)
				prev := int64(0)
				for _, c := range append(cuts, totals[totalKey]) {
					parts = append(parts, c-prev)
					prev = c
				}
			} else {
				parts = rapid.SliceOfN(rapid.Int64Range(0, 40), 2, 12).Draw(t, "values")
			}
			tb, total := counts(&r, name, totalKey, parts...)
			tb.AllOrNothing = rapid.Bool().Draw(t, "allOrNothing")
			totals[totalKey] = total
			if !slices.Contains(totalKeys, totalKey) {
				totalKeys = append(totalKeys, totalKey)
			}
			for _, row := range tb.Rows {
				exact[row.Current.Key] = row.Current.Value
			}
		}

		r.Apply(policy)

		checkSafe(t, &r)
		for ti, tb := range r.Tables {
			hidden := 0
			for _, row := range tb.Rows {
				c := row.Current
				x := exact[c.Key]
				primary := x < float64(policy.Threshold) && !(x == 0 && policy.ShowZeros)
				if primary && !c.Suppressed {
					t.Fatalf("table %d: %s = %v published below threshold %d", ti, c.Key, x, policy.Threshold)
				}
				if v, ok := c.Shown(); ok && v != roundToMultiple(x, max(policy.Rounding, 1)) {
					t.Fatalf("table %d: %s = %v published as %v (rounding %d)", ti, c.Key, x, v, policy.Rounding)
				}
				if row.Category != TotalCategory && c.Suppressed {
					hidden++
				}
			}
			if tb.AllOrNothing && hidden != 0 && hidden != len(tb.Rows)-1 {
				t.Fatalf("table %d: all-or-nothing table has %d of %d parts suppressed", ti, hidden, len(tb.Rows)-1)
			}
		}
	})
}
