package casework

import (
	"fmt"
	"iter"
)

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

// ImportChunk is how many rows an import reads for at once (a query per kind of read) and then
// writes together (see store.Tx.Batch), for young people and referrals. 2,000 rather than 1,000:
// fewer, larger COPYs and trigger statements, about 5% more rows a second on PostgreSQL in the
// median of alternated 100,000-row runs (6 December 2026; within the noise of any one pair), for
// 20 MB more peak heap (two chunks are held while one is sent). Tests cross chunk boundaries by it.
const ImportChunk = 2000

// InChunks hands rows to write size at a time (the last chunk may be short or empty), calling
// analyse when AnalyseDue says the planner's statistics are due a refresh.
func InChunks[R any](rows iter.Seq[R], size int, write func([]R) error, analyse func() error) error {
	chunk := make([]R, 0, size)
	written := 0
	for r := range rows {
		if chunk = append(chunk, r); len(chunk) == size {
			if err := write(chunk); err != nil {
				return err
			}
			if written += len(chunk); AnalyseDue(written-len(chunk), written) {
				if err := analyse(); err != nil {
					return err
				}
			}
			chunk = chunk[:0]
		}
	}
	return write(chunk)
}

// ReadsAhead runs an import chunk's reads: within tx.ReadAhead when ahead (they need not see the
// last chunk's rows, which are then sent while the chunk is worked out), else as they are.
func ReadsAhead(tx interface{ ReadAhead(func() error) error }, ahead bool, reads func() error) error {
	if ahead {
		return tx.ReadAhead(reads)
	}
	return reads()
}
