package casework

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

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

// gatherLog is a Gatherer that writes down what happens, in order.
type gatherLog struct{ log []string }

func (g *gatherLog) Gather(fn func() error) (func(), error) {
	if err := fn(); err != nil {
		return nil, err
	}
	n := len(g.log)
	return func() { g.log = append(g.log, fmt.Sprintf("send %d", n)) }, nil
}

func (g *gatherLog) Settle() error {
	g.log = append(g.log, "settle")
	return nil
}

// InChunksAhead reads each chunk before the chunk before it is sent, gathers it while that one
// is sent, and sends the last and waits for it; a chunk whose reads need the one before it (needs) has that one
// sent first. Each chunk is a slice of its own (one being sent is never overwritten).
func TestInChunksAhead(t *testing.T) {
	g := &gatherLog{}
	var chunks [][]int
	err := InChunksAhead(slices.Values([]int{1, 2, 3, 4, 5, 6, 7}), 3, g,
		func(prev, next []int) bool { return slices.Contains(next, 7) },
		func(c []int) (int, error) {
			g.log = append(g.log, fmt.Sprint("read ", c))
			return len(c), nil
		},
		func(c []int, n int) error {
			chunks = append(chunks, c)
			g.log = append(g.log, fmt.Sprint("write ", c))
			return nil
		},
		func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	// "send n" sends what was gathered when the log held n lines.
	want := []string{"read [1 2 3]", "write [1 2 3]", "read [4 5 6]", "send 2", "write [4 5 6]", "send 5", "read [7]", "write [7]", "send 8", "settle"}
	if !slices.Equal(g.log, want) {
		t.Errorf("got\n%q\nwant\n%q", g.log, want)
	}
	if !slices.Equal(chunks[0], []int{1, 2, 3}) || !slices.Equal(chunks[1], []int{4, 5, 6}) {
		t.Errorf("a chunk handed to write was overwritten by a later one: %v", chunks)
	}

	// A read that fails stops the import with nothing more sent.
	g = &gatherLog{}
	boom := errors.New("boom")
	err = InChunksAhead(slices.Values([]int{1, 2, 3, 4}), 2, g, func(_, _ []int) bool { return false },
		func(c []int) (int, error) {
			if c[0] == 3 {
				return 0, boom
			}
			return 0, nil
		},
		func(c []int, _ int) error { return nil }, func() error { return nil })
	if !errors.Is(err, boom) || len(g.log) != 0 {
		t.Errorf("a failed read: %v, sent %q; want the read's error and nothing sent", err, g.log)
	}
}

// NamesAgain finds a name given in both chunks, of whichever kind, and nothing else.
func TestNamesAgain(t *testing.T) {
	type row struct {
		key string
		nhs int
	}
	again := NamesAgain(func(r row) []any { return []any{r.key, r.nhs} })
	prev := []row{{"a", 1}, {"b", 2}}
	for _, c := range []struct {
		next []row
		want bool
	}{
		{[]row{{"c", 3}}, false}, {[]row{{"c", 3}, {"b", 4}}, true}, {[]row{{"c", 2}}, true}, {nil, false},
	} {
		if got := again(prev, c.next); got != c.want {
			t.Errorf("NamesAgain(%v, %v) = %v, want %v", prev, c.next, got, c.want)
		}
	}
}
