package casework

import "context"

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
