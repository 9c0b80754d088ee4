package store

import (
	"strconv"
	"testing"
)

// TestRenumber checks the hand-written placeholder shift against the regular expression it
// replaced, on the shapes kept writes take.
func TestRenumber(t *testing.T) {
	byRegexp := func(sql string, offset int) string {
		return placeholder.ReplaceAllStringFunc(sql, func(p string) string {
			n, _ := strconv.Atoi(p[1:])
			return "$" + strconv.Itoa(n+offset)
		})
	}
	for _, sql := range []string{
		"",
		"SELECT 1",
		"INSERT INTO t (a, b) SELECT $1, $2/*guard*/",
		"UPDATE referrals SET summary = $1, updated_at = $2, version = $3 WHERE id = $4 AND version = $5",
		"$1",
		"x$",
		"$$ $a $10$11 $9",
		"WHERE a = $12 AND b = 'US$' || $3",
	} {
		for _, offset := range []int{0, 1, 9, 123} {
			if got, want := renumber(sql, offset), byRegexp(sql, offset); got != want {
				t.Errorf("renumber(%q, %d) = %q, want %q", sql, offset, got, want)
			}
		}
	}
}
