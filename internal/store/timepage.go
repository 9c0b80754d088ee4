package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oneplan-send/oneplan/internal/paging"
)

// The audit trail keeps the id order for its time ranges (its ids are made as its events happen,
// so the two orders agree): its pages in a range are found here. Referrals and every list of
// changes since an instant are ordered by their time instead (see pageOrder).

// timePageRows is how many rows a time range may hold for its page to be read through the
// range's (time, id) index whatever else the table holds: every match's id is read from the index
// (no table row), the newest ids kept, and only the page's rows fetched. At a million events
// over ten years, "before June 2016" holds a few percent of them, read in a few milliseconds, while
// walking the ids down from the newest reads the whole table to find them (seconds).
var timePageRows float64 = 200_000

// timePageWalk is how many of a range's matches one newer row outside it is worth: a bigger range
// is paged by walking the ids down from the newest, which tests a table row each (the index path
// reads an index entry each, several times cheaper), as the newest rows are then mostly in range.
var timePageWalk float64 = 8

// timeRange is a list's filter on one time column of its table, when that is the list's only
// filter: col (unqualified) with its conditions on it, each with one argument.
type timeRange struct {
	col   string
	conds []string // e.g. "created_at < ?"
	args  []any
}

func (r *timeRange) add(cond string, arg any) {
	r.conds, r.args = append(r.conds, cond), append(r.args, arg)
}

// upper reports whether the range has an upper bound: a lower bound alone keeps the newest rows,
// which the walk down the ids finds first.
func (r timeRange) upper() bool {
	for _, c := range r.conds {
		if strings.Contains(c, "<") {
			return true
		}
	}
	return false
}

// timeRangePage restricts the keyset page p of table to the rows in r, on PostgreSQL unless the
// range holds nearly all the table (see timePageRows and timePageWalk): the page's ids are then the
// newest of the range's, read from its (col, id) index, rather than found by walking the ids down
// from the newest row and testing each against the range. The planner cannot choose that itself:
// it takes the matches to be spread evenly over the ids, while a range that ends in the past holds
// the oldest rows, so the walk reads every newer row first (seconds at a million). The page's rows
// and order are those of the plain filter either way: this only decides how the ids are found.
// It returns the condition (with its arguments) that does so; ok is false when the caller should
// apply the plain filter instead.
func timeRangePage(c conn, table string, r timeRange, p paging.Page) (cond string, args []any, ok bool, err error) {
	if c.dialect != Postgres || !r.upper() || !p.UpdatedSince.IsZero() {
		return "", nil, false, nil
	}
	where, args := "x."+strings.Join(r.conds, " AND x."), append([]any(nil), r.args...)
	if p.Cursor != "" {
		after, err := decodeCursor(p.Cursor)
		if err != nil {
			return "", nil, false, err
		}
		where, args = where+" AND x.id < ?", append(args, after)
	}
	// How many rows the range holds, and how many newer ones a walk would pass, as the planner
	// reckons (its statistics of one column are good at that): a count would read the range.
	in, err := estimateRows(c, fmt.Sprintf("SELECT 1 FROM %s x WHERE x.%s", table, strings.Join(r.conds, " AND x.")), r.args...)
	if err != nil {
		return "", nil, false, err
	}
	if in > timePageRows {
		outside, err := estimateRows(c, fmt.Sprintf("SELECT 1 FROM %s x WHERE NOT (x.%s)", table, strings.Join(r.conds, " AND x.")), r.args...)
		if err != nil {
			return "", nil, false, err
		}
		if in > timePageWalk*outside {
			return "", nil, false, nil
		}
	}
	limit := pageLimit(p)
	// The fence (OFFSET 0) keeps the planner from turning the ids back into a walk down the
	// primary key; ordering by the range's column makes reading its index the cheapest way in.
	return fmt.Sprintf(`%s.id IN (SELECT id FROM (SELECT x.id FROM %s x WHERE %s ORDER BY x.%s DESC, x.id DESC OFFSET 0) s
		ORDER BY id DESC LIMIT %d)`, table, table, where, r.col, limit+1), args, true, nil
}

// estimateRows is the planner's estimate of how many rows query returns (EXPLAIN, not run).
func estimateRows(c conn, query string, args ...any) (float64, error) {
	var raw string
	if err := c.q().Raw("EXPLAIN (FORMAT JSON) "+query, args...).Row().Scan(&raw); err != nil {
		return 0, translate(err)
	}
	var plans []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &plans); err != nil {
		return 0, fmt.Errorf("store: read the plan of %q: %w", query, err)
	}
	if len(plans) != 1 {
		return 0, fmt.Errorf("store: %d plans for %q", len(plans), query)
	}
	return plans[0].Plan.Rows, nil
}
