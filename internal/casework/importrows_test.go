package casework

import "testing"

// An import refreshes the statistics on passing 5,000 rows written and each doubling after, and
// not between.
func TestAnalyseDue(t *testing.T) {
	for _, c := range []struct {
		before, after int
		want          bool
	}{
		{0, 1000, false}, {4000, 5000, true}, {5000, 6000, false}, {9000, 10000, true}, {10000, 11000, false},
		{19000, 20000, true}, {20000, 39000, false}, {39000, 40000, true}, {639000, 640000, true}, {640000, 641000, false},
	} {
		if got := AnalyseDue(c.before, c.after); got != c.want {
			t.Errorf("AnalyseDue(%d, %d) = %v, want %v", c.before, c.after, got, c.want)
		}
	}
}
