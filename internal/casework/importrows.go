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

// Gatherer is a transaction that gathers a chunk's writes and sends them in the background while
// the next chunk is prepared (store.Tx.Gather): send starts sending them, and the transaction's
// next use waits for the send. Settle waits for it and is its error.
type Gatherer interface {
	Gather(fn func() error) (send func(), err error)
	Settle() error
}

// InChunksAhead hands an import's rows on size at a time (the last chunk may be short or empty),
// each chunk read, then written, calling analyse when AnalyseDue says the planner's statistics
// are due a refresh. Each chunk's reads run before the chunk before it is sent, and its writes
// are gathered while the database writes that one, so the database's work and this process's
// overlap. The reads of a chunk must not need the rows of the chunk before it; where they might
// (needs says so: a key or an NHS number given in both), that chunk is sent first and the reads
// wait for it. It returns once the last chunk is written.
func InChunksAhead[R, S any](rows iter.Seq[R], size int, tx Gatherer, needs func(prev, next []R) bool,
	read func([]R) (S, error), write func([]R, S) error, analyse func() error) error {
	var (
		send func()
		prev []R
	)
	step := func(chunk []R) error {
		if send != nil && needs(prev, chunk) {
			send()
			send = nil
		}
		st, err := read(chunk)
		if err != nil {
			return err
		}
		if send != nil {
			send()
		}
		send, err = tx.Gather(func() error { return write(chunk, st) })
		prev = chunk
		return err
	}
	chunk := make([]R, 0, size)
	written := 0
	for r := range rows {
		if chunk = append(chunk, r); len(chunk) < size {
			continue
		}
		if err := step(chunk); err != nil {
			return err
		}
		if written += len(chunk); AnalyseDue(written-len(chunk), written) {
			if err := analyse(); err != nil { // waits for the send, as any use of the transaction
				return err
			}
		}
		// A new slice: the one written may still be read by its send.
		chunk = make([]R, 0, size)
	}
	if err := step(chunk); err != nil {
		return err
	}
	// The last chunk is written before this returns: a dry run, rolled back next, must still
	// hear of its failure.
	send()
	return tx.Settle()
}

// NamesAgain says whether a row of next names something (names lists what a row names: its key,
// its identifiers) that a row of prev named: InChunksAhead's needs, for an import whose reads look
// up what its rows name.
func NamesAgain[R any](names func(R) []any) func(prev, next []R) bool {
	return func(prev, next []R) bool {
		seen := make(map[any]bool, len(prev))
		for _, r := range prev {
			for _, n := range names(r) {
				seen[n] = true
			}
		}
		for _, r := range next {
			for _, n := range names(r) {
				if seen[n] {
					return true
				}
			}
		}
		return false
	}
}
