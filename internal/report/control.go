package report

import (
	"math"
	"slices"
)

// DefaultThreshold is the smallest count published when a policy sets none.
const DefaultThreshold = 5

// Policy is the council's disclosure-control setting.
type Policy struct {
	Threshold int  // counts below this are suppressed (DefaultThreshold when <= 0)
	Rounding  int  // when > 1, published counts are rounded to the nearest multiple (half up)
	ShowZeros bool // publish a true zero as 0; by default a zero, being below the threshold, is suppressed
}

// Control records what disclosure control was applied to a report.
type Control struct {
	Applied    bool // false: exact figures for the council's own staff
	Threshold  int
	Rounding   int
	ShowZeros  bool
	Suppressed int // how many figures (current and previous, counted once per key) were withheld
}

// Apply applies disclosure control to every table in place and records it in r.Control. Call it
// once, on exact figures. Steps, each over figures (all cells sharing a key):
//  1. primary: a count below the threshold is suppressed, except a zero under ShowZeros; so is a
//     key whose cells disagree on the value, and any cell already marked Suppressed;
//  2. secondary: while the Sums let a reader compute a suppressed count from published ones,
//     one more count in the constraint that gave it away is suppressed (see complement);
//  3. AllOrNothing tables, then step 2 again until nothing changes;
//  4. a derived figure is suppressed when a base is suppressed, missing or absent from the
//     report (a figure whose bases cannot be checked is not published);
//  5. published counts are rounded when Rounding > 1; suppressed values are zeroed so that
//     serialising a cell can never leak them.
func (r *Report) Apply(p Policy) {
	if p.Threshold <= 0 {
		p.Threshold = DefaultThreshold
	}
	fs := collect(r)
	for _, f := range fs.all {
		f.leaked = false // Apply unifies the flags, so a pre-suppressed cell hides its whole key
		if f.count && f.hasValue && (f.conflict || belowThreshold(f.value, p)) {
			f.suppressed = true
		}
	}
	sums := memberLists(r.Sums)
	for {
		fs.secondary(r.Sums, sums)
		if !fs.allOrNothing(r.Tables) {
			break
		}
	}
	fs.derived()
	fs.write(p.Rounding)
	r.Control = Control{Applied: true, Threshold: p.Threshold, Rounding: p.Rounding, ShowZeros: p.ShowZeros}
	for _, f := range fs.all {
		if f.suppressed {
			r.Control.Suppressed++
		}
	}
}

func belowThreshold(v float64, p Policy) bool {
	return v < float64(p.Threshold) && !(v == 0 && p.ShowZeros)
}

// Exposed lists, sorted, the keys of suppressed counts that can still be recovered from the
// published counts: published under the same key elsewhere, or computable through the Sums.
// Empty after Apply.
func (r Report) Exposed() []string {
	fs := collect(&r)
	_, _, exposed := fs.propagate(memberLists(r.Sums), false)
	for _, f := range fs.all {
		if f.leaked {
			exposed = append(exposed, exposure{key: f.key})
		}
	}
	out := make([]string, 0, len(exposed))
	for _, e := range exposed {
		out = append(out, e.key)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// figure is every cell sharing one key.
type figure struct {
	key        string
	cells      []*Cell
	count      bool
	hasValue   bool // some cell is not Missing
	value      float64
	conflict   bool // cells disagree on the value
	suppressed bool
	leaked     bool // suppressed in one cell yet published in another (only before Apply)
	bases      []string
}

// published reports whether a reader sees the figure's count.
func (f *figure) published() bool {
	return f.count && f.hasValue && (!f.suppressed || f.leaked)
}

type figures struct {
	all   []*figure // in order of first appearance
	byKey map[string]*figure
	of    map[*Cell]*figure
}

func collect(r *Report) *figures {
	fs := &figures{byKey: map[string]*figure{}, of: map[*Cell]*figure{}}
	shown := map[*figure]bool{}
	add := func(c *Cell) {
		f := fs.byKey[c.Key]
		if f == nil || c.Key == "" { // a cell without a key is a figure of its own
			f = &figure{key: c.Key}
			fs.all = append(fs.all, f)
			if c.Key != "" {
				fs.byKey[c.Key] = f
			}
		}
		fs.of[c] = f
		f.cells = append(f.cells, c)
		f.count = f.count || c.Count
		f.bases = append(f.bases, c.Bases...)
		if c.Missing {
			return
		}
		if f.hasValue && f.value != c.Value {
			f.conflict = true
		}
		f.hasValue, f.value = true, c.Value
		if c.Suppressed {
			f.suppressed = true
		} else {
			shown[f] = true
		}
	}
	for ti := range r.Tables {
		t := &r.Tables[ti]
		for ri := range t.Rows {
			row := &t.Rows[ri]
			add(&row.Current)
			if row.Previous != nil {
				add(row.Previous)
			}
		}
	}
	for _, f := range fs.all {
		f.leaked = f.count && f.suppressed && shown[f]
	}
	return fs
}

// memberLists gives each Sum's distinct keys, total first and parts in order; nil for a Sum
// with no parts.
func memberLists(sums []Sum) [][]string {
	out := make([][]string, len(sums))
	for i, s := range sums {
		if len(s.Parts) == 0 {
			continue
		}
		m := []string{s.Total}
		for _, k := range s.Parts {
			if !slices.Contains(m, k) {
				m = append(m, k)
			}
		}
		out[i] = m
	}
	return out
}

type exposure struct {
	key string
	sum int // index of the Sum that gave it away
}

// propagate works out what a reader can compute: starting from the published counts, a Sum with
// exactly one unknown member makes that member known, until nothing changes. reason holds the
// Sum that made each computed key known. With stop it returns at the first suppressed count
// that becomes known.
func (fs *figures) propagate(sums [][]string, stop bool) (known map[string]bool, reason map[string]int, exposed []exposure) {
	known = map[string]bool{}
	for _, f := range fs.all {
		if f.key != "" && f.published() {
			known[f.key] = true
		}
	}
	reason = map[string]int{}
	for changed := true; changed; {
		changed = false
		for i, m := range sums {
			unknown, n := "", 0
			for _, k := range m {
				if !known[k] {
					unknown, n = k, n+1
				}
			}
			if n != 1 {
				continue
			}
			known[unknown], reason[unknown], changed = true, i, true
			if f := fs.byKey[unknown]; f != nil && f.count && f.suppressed {
				exposed = append(exposed, exposure{unknown, i})
				if stop {
					return known, reason, exposed
				}
			}
		}
	}
	return known, reason, exposed
}

// secondary suppresses one more count at a time until no suppressed count can be computed.
// Each round withholds a published count, so it ends.
func (fs *figures) secondary(raw []Sum, sums [][]string) {
	for {
		known, reason, exposed := fs.propagate(sums, true)
		if len(exposed) == 0 {
			return
		}
		k := fs.complement(raw, sums, known, reason, exposed[0].sum, exposed[0].key)
		if k == "" {
			return // unreachable: some published count always lies behind a computed one
		}
		fs.byKey[k].suppressed = true
	}
}

// complement picks the count to withhold so that Sum i no longer gives away x: the smallest
// published part that is not zero (the first on ties), a published zero only when no other part
// is left (withholding a true zero shown under ShowZeros hides nothing a reader could not guess),
// else the total. When neither is published every other
// member was itself computed from another Sum, so the choice moves to the Sum that computed the
// first of them; those were known earlier, so this ends.
func (fs *figures) complement(raw []Sum, sums [][]string, known map[string]bool, reason map[string]int, i int, x string) string {
	var best *figure
	for _, k := range raw[i].Parts {
		if f := fs.byKey[k]; k != x && f != nil && f.published() && (best == nil || smallerNonZero(f.value, best.value)) {
			best = f
		}
	}
	if best != nil {
		return best.key
	}
	if f := fs.byKey[raw[i].Total]; raw[i].Total != x && f != nil && f.published() {
		return f.key
	}
	for _, k := range sums[i] {
		if j, ok := reason[k]; ok && k != x && known[k] {
			return fs.complement(raw, sums, known, reason, j, k)
		}
	}
	return ""
}

// smallerNonZero orders candidates for secondary suppression: any non-zero count before a zero,
// then the smaller first.
func smallerNonZero(a, b float64) bool {
	if (a == 0) != (b == 0) {
		return b == 0
	}
	return a < b
}

// allOrNothing applies Table.AllOrNothing to the current and previous figures separately and
// reports whether it withheld anything new.
func (fs *figures) allOrNothing(tables []Table) bool {
	changed := false
	for ti := range tables {
		t := &tables[ti]
		if !t.AllOrNothing {
			continue
		}
		for _, previous := range []bool{false, true} {
			var group []*figure
			hit := false
			for ri := range t.Rows {
				row := &t.Rows[ri]
				c := &row.Current
				if previous {
					c = row.Previous
				}
				if row.Category == TotalCategory || c == nil || !c.Count || c.Missing {
					continue
				}
				f := fs.of[c]
				group = append(group, f)
				hit = hit || f.suppressed
			}
			for _, f := range group {
				if hit && !f.suppressed {
					f.suppressed, changed = true, true
				}
			}
		}
	}
	return changed
}

// derived suppresses derived figures whose bases are not all published; repeated because a base
// may itself be derived.
func (fs *figures) derived() {
	for changed := true; changed; {
		changed = false
		for _, f := range fs.all {
			if f.count || !f.hasValue || f.suppressed {
				continue
			}
			if f.conflict || !fs.basesShown(f) {
				f.suppressed, changed = true, true
			}
		}
	}
}

func (fs *figures) basesShown(f *figure) bool {
	if len(f.bases) == 0 {
		return false
	}
	for _, k := range f.bases {
		b := fs.byKey[k]
		if b == nil || !b.hasValue || b.suppressed {
			return false
		}
	}
	return true
}

// write sets every cell from its figure.
func (fs *figures) write(rounding int) {
	for _, f := range fs.all {
		for _, c := range f.cells {
			switch {
			case c.Missing:
				c.Suppressed = false
			case f.suppressed:
				c.Suppressed, c.Value = true, 0
			case f.count && rounding > 1:
				c.Value = roundToMultiple(f.value, rounding)
			}
		}
	}
}

// roundToMultiple rounds v to the nearest multiple of m, halves up.
func roundToMultiple(v float64, m int) float64 {
	return math.Floor(v/float64(m)+0.5) * float64(m)
}
