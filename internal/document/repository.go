package document

import (
	"context"
	"io"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps documents' records. The store implements it; a service sees only this.
type Repository interface {
	Create(d Document) error
	// Get reads a document whose child is within scope.
	Get(id string, s access.Scope) (Document, error)
	// List reads one record's documents within scope, newest first; familyOnly: only those the
	// family may see.
	List(recordType, recordID string, s access.Scope, familyOnly bool, p paging.Page) ([]Document, string, error)
	// Update writes d's changed visibility if d.Version-1 is still current.
	Update(d Document) error
	Delete(id string) error
	// OfYoungPerson lists every document of one child (subject access and erasure).
	OfYoungPerson(youngPersonID string) ([]Document, error)
}

// Blobs keeps documents' bytes (a folder, S3 or Azure through gocloud.dev/blob).
type Blobs interface {
	Put(ctx context.Context, key, mediaType string, content []byte) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Scanner is the hook for a virus scanner: it sees every upload before it is kept and refuses
// one by returning an error (a fault.Unprocessable naming the finding). The default accepts all.
type Scanner interface {
	Scan(ctx context.Context, mediaType string, content []byte) error
}

// NoScan is the default Scanner.
type NoScan struct{}

// Scan accepts everything.
func (NoScan) Scan(context.Context, string, []byte) error { return nil }
