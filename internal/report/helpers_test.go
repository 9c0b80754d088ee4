package report

import (
	"math/big"
	"slices"
	"testing"
)

// tester is what both *testing.T and *rapid.T offer.
type tester interface {
	Helper()
	Errorf(format string, args ...any)
}

// cells visits every cell of r, current and previous.
func cells(r *Report, fn func(*Cell)) {
	for ti := range r.Tables {
		for ri := range r.Tables[ti].Rows {
			row := &r.Tables[ti].Rows[ri]
			fn(&row.Current)
			if row.Previous != nil {
				fn(row.Previous)
			}
		}
	}
}

// suppressedKeys lists, sorted and once each, the keys of suppressed cells.
func suppressedKeys(r *Report) []string {
	var out []string
	cells(r, func(c *Cell) {
		if c.Suppressed {
			out = append(out, c.Key)
		}
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// shownAs returns the published value of key, failing the test when cells sharing it disagree.
func shownAs(t testing.TB, r *Report, key string) (float64, bool) {
	t.Helper()
	var (
		v     float64
		ok    bool
		found int
	)
	cells(r, func(c *Cell) {
		if c.Key != key {
			return
		}
		w, wok := c.Shown()
		if found > 0 && (w != v || wok != ok) {
			t.Errorf("cells keyed %q disagree: %v,%v and %v,%v", key, v, ok, w, wok)
		}
		v, ok, found = w, wok, found+1
	})
	if found == 0 {
		t.Fatalf("no cell keyed %q", key)
	}
	return v, ok
}

// checkSafe fails when a suppressed count is recoverable, by Apply's own measure (Exposed) or
// by exact linear algebra over the Sums, or when cells sharing a key disagree, or when a
// suppressed cell still carries its value.
func checkSafe(t tester, r *Report) {
	t.Helper()
	if e := r.Exposed(); len(e) != 0 {
		t.Errorf("Exposed() = %v", e)
	}
	if e := recoverable(r); len(e) != 0 {
		t.Errorf("recoverable by linear algebra: %v", e)
	}
	flags := map[string]bool{}
	cells(r, func(c *Cell) {
		if s, seen := flags[c.Key]; seen && s != c.Suppressed {
			t.Errorf("cells keyed %q disagree on Suppressed", c.Key)
		}
		flags[c.Key] = c.Suppressed
		if c.Suppressed && c.Value != 0 {
			t.Errorf("suppressed cell %q still holds %v", c.Key, c.Value)
		}
	})
}

// recoverable lists the suppressed counts that the published counts determine exactly through
// the Sums: x is determined when its unit vector lies in the row space of the Sums' equations
// restricted to the unknowns. An oracle independent of Apply's propagation.
func recoverable(r *Report) []string {
	published := map[string]bool{}
	suppressed := map[string]bool{}
	cells(r, func(c *Cell) {
		switch {
		case !c.Count || c.Missing:
		case c.Suppressed:
			suppressed[c.Key] = true
		default:
			published[c.Key] = true
		}
	})
	col := map[string]int{}
	var names []string
	index := func(k string) int {
		if i, ok := col[k]; ok {
			return i
		}
		col[k] = len(names)
		names = append(names, k)
		return col[k]
	}
	type coef struct {
		i int
		v int64
	}
	var eqs [][]coef
	for _, s := range r.Sums {
		if len(s.Parts) == 0 {
			continue
		}
		var eq []coef
		if !published[s.Total] {
			eq = append(eq, coef{index(s.Total), 1})
		}
		for _, p := range s.Parts {
			if !published[p] {
				eq = append(eq, coef{index(p), -1})
			}
		}
		eqs = append(eqs, eq)
	}
	rows := make([][]*big.Rat, 0, len(eqs))
	for _, eq := range eqs {
		row := make([]*big.Rat, len(names))
		for i := range row {
			row[i] = new(big.Rat)
		}
		for _, c := range eq {
			row[c.i].Add(row[c.i], big.NewRat(c.v, 1))
		}
		rows = append(rows, row)
	}
	// Reduced row echelon form.
	var pivots []int
	next := 0
	for c := 0; c < len(names) && next < len(rows); c++ {
		p := -1
		for i := next; i < len(rows); i++ {
			if rows[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[next], rows[p] = rows[p], rows[next]
		inv := new(big.Rat).Inv(rows[next][c])
		for j := range rows[next] {
			rows[next][j].Mul(rows[next][j], inv)
		}
		for i := range rows {
			if i == next || rows[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(rows[i][c])
			for j := range rows[i] {
				rows[i][j].Sub(rows[i][j], new(big.Rat).Mul(f, rows[next][j]))
			}
		}
		pivots = append(pivots, c)
		next++
	}
	var out []string
	for x, name := range names {
		if !suppressed[name] {
			continue
		}
		v := make([]*big.Rat, len(names))
		for i := range v {
			v[i] = new(big.Rat)
		}
		v[x].SetInt64(1)
		for i, c := range pivots {
			if v[c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(v[c])
			for j := range v {
				v[j].Sub(v[j], new(big.Rat).Mul(f, rows[i][j]))
			}
		}
		if !slices.ContainsFunc(v, func(q *big.Rat) bool { return q.Sign() != 0 }) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// letters names the categories of test breakdowns.
const letters = "abcdefghijklmnopqrstuvwxyz"

// counts adds an additive breakdown named name with categories a, b, c, ... holding values and
// a total of their sum keyed totalKey (name+":n:total" when empty); it returns the total.
func counts(r *Report, name, totalKey string, values ...int64) (*Table, int64) {
	cats := make([]Category, len(values))
	cur := map[string]int64{}
	var total int64
	for i, v := range values {
		k := letters[i : i+1]
		cats[i] = Category{Key: k, Label: k}
		cur[k] = v
		total += v
	}
	return r.Breakdown(name, "", name, "letter", "n", cats, cur, nil, totalKey, total, 0, true), total
}

// keys prefixes each category with name+":n:".
func keys(name string, cats ...string) []string {
	out := make([]string, len(cats))
	for i, c := range cats {
		out[i] = name + ":n:" + c
	}
	slices.Sort(out)
	return out
}

// summary is a table of single figures.
func summary(name string, cs ...Cell) Table {
	t := Table{Name: name, Dimension: "measure"}
	for _, c := range cs {
		t.Rows = append(t.Rows, Row{Category: c.Key, Label: c.Key, Measure: c.Key, Current: c})
	}
	return t
}
