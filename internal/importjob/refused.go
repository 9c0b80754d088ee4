package importjob

import (
	"cmp"
	"slices"

	"github.com/oneplan-send/oneplan/internal/importfile"
)

// refusedRows is what the check pass keeps of the rows it refused, for the write pass to set
// them aside: a bit per row, and for a row whose key was given before, the row that gave it.
// Their problems are not kept: the write pass parses every row again as the check did and finds
// them there. So a large file whose rows are all refused (a date column in the wrong format, say:
// ten million rows) holds a bit per row, not each row's problems (about 100 bytes a row: a
// gigabyte for such a file).
type refusedRows struct {
	bits  []uint64
	n     int
	again []againRow // sorted by row once the check is done (see settle)
}

// againRow is a row whose key the file gave first on row first.
type againRow struct{ row, first int }

func (s *refusedRows) add(row int) {
	w, b := row/64, uint64(1)<<(row%64)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
	}
	if s.bits[w]&b == 0 {
		s.bits[w] |= b
		s.n++
	}
}

// givenAgain refuses row, whose key row first gave.
func (s *refusedRows) givenAgain(row, first int) {
	s.add(row)
	s.again = append(s.again, againRow{row, first})
}

func (s *refusedRows) has(row int) bool {
	w := row / 64
	return w < len(s.bits) && s.bits[w]&(uint64(1)<<(row%64)) != 0
}

// settle orders the rows given again by row, for firsts (the confirming read finds some after the
// check pass found others).
func (s *refusedRows) settle() {
	slices.SortStableFunc(s.again, func(a, b againRow) int { return cmp.Compare(a.row, b.row) })
}

// firsts are the rows that gave row's key before it (none, or one).
func (s *refusedRows) firsts(row int) []againRow {
	i, _ := slices.BinarySearchFunc(s.again, row, func(a againRow, r int) int { return cmp.Compare(a.row, r) })
	j := i
	for j < len(s.again) && s.again[j].row == row {
		j++
	}
	return s.again[i:j]
}

// problems are a refused row's problems as the check found them: parsed, those its parsing gives
// again, and its key given before.
func (s *refusedRows) problems(row int, parsed []importfile.Problem, givenAgain func(row, first int) importfile.Problem) []importfile.Problem {
	out := parsed
	for _, a := range s.firsts(row) {
		out = append(out, givenAgain(row, a.first))
	}
	if len(out) == 0 {
		// Refused when checked and not when read again: a check that turned on the day (an age)
		// as the import crossed midnight. The check's answer stands.
		out = []importfile.Problem{{Row: row, Message: "was refused when the file was checked"}}
	}
	return out
}
