// Package idempotency holds what makes a POST safe to retry: the first answer to a request carrying
// an Idempotency-Key, kept per caller and replayed to a retry of the same request.
package idempotency

import "context"

// Response is the first answer to a POST carrying an Idempotency-Key, replayed to
// retries. Only successful answers are kept, so a corrected retry of a refused request can run.
type Response struct {
	RequestHash string
	Method      string
	Path        string
	Done        bool
	StatusCode  int
	ContentType string
	Location    string
	ETag        string
	Body        []byte
}

// Store keeps claims on keys and the answers to replay. owner is whose keys they are (an API key
// id, or an id derived from a signed-in user's subject).
type Store interface {
	// Claim reserves (owner, key) for a request: claimed is true when this request should run;
	// otherwise prev is the earlier request's record (pending or done).
	Claim(ctx context.Context, owner, key string, r Response) (claimed bool, prev Response, err error)
	// Complete stores the answer to replay.
	Complete(ctx context.Context, owner, key string, r Response) error
	// Release forgets a claim whose request did not succeed.
	Release(ctx context.Context, owner, key string) error
}
