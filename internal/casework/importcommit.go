package casework

import (
	"context"
	"errors"
)

type beforeCommitKey struct{}

// WithBeforeCommit returns ctx carrying fn, which an import's transaction calls (BeforeCommit)
// after its last row and before it commits: what fn writes (an import's summary, its job's
// outcome) commits with the rows or not at all, and an error from it rolls the rows back.
func WithBeforeCommit(ctx context.Context, fn func(tx Recorder) error) context.Context {
	return context.WithValue(ctx, beforeCommitKey{}, fn)
}

// BeforeCommit calls the function ctx carries for the end of an import's transaction, if any.
func BeforeCommit(ctx context.Context, tx Recorder) error {
	if fn, ok := ctx.Value(beforeCommitKey{}).(func(tx Recorder) error); ok && fn != nil {
		return fn(tx)
	}
	return nil
}

// errDryRun rolls back an import's transaction after a dry run.
var errDryRun = errors.New("dry run: rolled back")

// ImportTx runs an import's fn in one transaction: BeforeCommit's writes go with the rows, and a
// dry run is rolled back (and is not an error).
func ImportTx[T Recorder](ctx context.Context, db DB[T], dryRun bool, fn func(T) error) error {
	err := db.InTx(ctx, func(tx T) error {
		if err := fn(tx); err != nil {
			return err
		}
		if err := BeforeCommit(ctx, tx); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}
