package casework

import "fmt"

// ImportResult is what became of one row of an import file: created, or left as it was (a
// record already holds its key).
type ImportResult struct {
	Row     int
	ID      string
	Created bool
	Err     error
}

// RowError is the error that stopped an import: the row and what was wrong with it.
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// AnalyseDue says whether an import that has written before rows, and now after, refreshes the
// planner's statistics (see externalid.Repository's Analyse): on passing 5,000 rows, then each
// time the rows double, so a file of millions costs about ten ANALYSEs.
func AnalyseDue(before, after int) bool {
	for t := 5000; t <= after; t *= 2 {
		if before < t {
			return true
		}
	}
	return false
}
