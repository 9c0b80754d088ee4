package importjob

import (
	"fmt"
	"slices"
	"testing"
)

// TestKeySet: the keys given again are found with their first row whether the first and the
// repeat fall before the set turns into a filter, across the change, or after it; keys given
// once are never named, and past exactKeys the set no longer keeps each key.
func TestKeySet(t *testing.T) {
	const n = 3 * exactKeys
	keys := make([]string, n+1) // by row; row 1 is the header
	for row := 2; row <= n; row++ {
		keys[row] = fmt.Sprintf("bridge|K%d", row)
	}
	repeats := map[int]int{ // row: the earlier row it repeats
		100:             10,             // both remembered exactly
		exactKeys + 500: 20,             // the first exact, the repeat after the change
		2*exactKeys + 7: exactKeys + 90, // both after the change
		2*exactKeys + 8: exactKeys + 90, // the same key a third time
		n:               2,              // the last row repeats the first
	}
	for row, first := range repeats {
		keys[row] = keys[first]
	}
	type pair struct{ row, first int }
	var got, want []pair
	for row, first := range repeats {
		want = append(want, pair{row, first})
	}
	k := newKeySet()
	for row := 2; row <= n; row++ {
		if first := k.add(keys[row], row); first != 0 {
			got = append(got, pair{row, first})
		}
	}
	if k.first != nil || k.filter == nil {
		t.Fatalf("past %d keys the set still keeps each key (%d)", exactKeys, len(k.first))
	}
	if !k.unsure() {
		t.Fatal("the filter named no row")
	}
	err := k.confirm(func(fn func(row int, key string)) error {
		for row := 2; row <= n; row++ {
			fn(row, keys[row])
		}
		return nil
	}, func(row, first int) { got = append(got, pair{row, first}) })
	if err != nil {
		t.Fatal(err)
	}
	cmp := func(a, b pair) int { return a.row - b.row }
	slices.SortFunc(got, cmp)
	slices.SortFunc(want, cmp)
	if !slices.Equal(got, want) {
		t.Fatalf("given again: got %v, want %v", got, want)
	}
}
