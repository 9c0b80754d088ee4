// Package idempotency holds what makes a POST safe to retry: the first answer to a request carrying
// an Idempotency-Key, kept per caller and replayed to a retry of the same request.
package idempotency

import (
	"context"
	"time"
)

// Response is the first answer to a POST carrying an Idempotency-Key, replayed to
// retries. Only successful answers are kept, so a corrected retry of a refused request can run.
type Response struct {
	RequestHash string
	Method      string
	Path        string
	// State is where the first request got to: Pending (claimed, not yet known to have
	// committed), Committed (its transaction committed; its answer is not kept yet), Done, or
	// Withheld (answered, but the answer held a secret shown once: only its status, Location and
	// ETag are kept).
	State       State
	ClaimedAt   time.Time
	StatusCode  int
	ContentType string
	Location    string
	ETag        string
	Body        []byte
}

// State is where a claimed request got to.
type State string

// States.
const (
	Pending   State = "pending"
	Committed State = "committed"
	Done      State = "done"
	Withheld  State = "withheld"
)

// MaxRequest bounds how long the server works on one request, and Lease how long a claim is held
// for it: longer, so a claim still pending after its lease belongs to a request that can no longer
// commit (it failed, or its process died). Such a claim is taken over by a retry, which then runs.
const (
	MaxRequest = 30 * time.Second
	Lease      = MaxRequest + 15*time.Second
)

type claimKey struct{}

// Claim names a claimed key, carried in the request's context so that the transaction that
// carries the request out marks the claim Committed as part of the same commit.
type Claim struct{ Owner, Key string }

// WithClaim returns ctx carrying c.
func WithClaim(ctx context.Context, c Claim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// ClaimFrom is the claim ctx carries, if any.
func ClaimFrom(ctx context.Context) (Claim, bool) {
	c, ok := ctx.Value(claimKey{}).(Claim)
	return c, ok
}

// Store keeps claims on keys and the answers to replay. owner is whose keys they are (an API key
// id, or an id derived from a signed-in user's subject).
type Store interface {
	// Claim reserves (owner, key) for a request: claimed is true when this request should run (a
	// new key, or a Pending claim of the same request whose lease has run out); otherwise prev is
	// the earlier request's record.
	Claim(ctx context.Context, owner, key string, r Response) (claimed bool, prev Response, err error)
	// Complete stores the answer to replay, in state r.State (Done when unset).
	Complete(ctx context.Context, owner, key string, r Response) error
	// Release forgets a Pending claim whose request did not succeed, so a retry runs at once.
	Release(ctx context.Context, owner, key string) error
	// Peek reads the record of (owner, key), if there is one, claiming nothing.
	Peek(ctx context.Context, owner, key string) (prev Response, found bool, err error)
}

// Lapsed reports whether a Pending claim's lease has run out at now: its request can no longer
// commit, so a retry of the same request takes the claim over.
func (r Response) Lapsed(now time.Time) bool {
	return r.State == Pending && !now.Before(r.ClaimedAt.Add(Lease))
}

// A streamed body (an import file) is not held in memory to be hashed before the request runs:
// it is hashed as the service streams it to where it is kept, and the key is claimed only then,
// by the service calling ClaimStreamed before the transaction that carries the request out.

// Streamed claims the key of a request whose body has now been read whole; it returns the
// context the request's transaction is to run in (carrying the claim), or *Taken.
type Streamed func(ctx context.Context) (context.Context, error)

type streamedKey struct{}

// WithStreamed returns ctx carrying the claim to take once the body is read.
func WithStreamed(ctx context.Context, claim Streamed) context.Context {
	return context.WithValue(ctx, streamedKey{}, claim)
}

// ClaimStreamed takes the claim ctx carries, once the request's body has been read whole: the
// context returned carries the claim into the request's transaction. With no Idempotency-Key,
// ctx itself and nil. An error (*Taken when another request holds the key) means the request
// must not be carried out: the service undoes what it kept of the body and returns the error.
func ClaimStreamed(ctx context.Context) (context.Context, error) {
	claim, ok := ctx.Value(streamedKey{}).(Streamed)
	if !ok {
		return ctx, nil
	}
	return claim(ctx)
}

// Taken is the answer to a streamed request whose key an earlier request holds: it is answered
// as any retry is (the earlier answer replayed, or 409, or 422 for another request's key).
type Taken struct {
	Prev Response
	Hash string // the streamed request's own hash
}

func (t *Taken) Error() string { return "the Idempotency-Key is held by an earlier request" }
