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
	// committed), Committed (its transaction committed; its answer is not kept yet) or Done.
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
	// Complete stores the answer to replay.
	Complete(ctx context.Context, owner, key string, r Response) error
	// Release forgets a Pending claim whose request did not succeed, so a retry runs at once.
	Release(ctx context.Context, owner, key string) error
}
