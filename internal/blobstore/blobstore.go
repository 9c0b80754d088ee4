// Package blobstore keeps documents' bytes through gocloud.dev/blob, so one URL chooses where: a
// local folder (file:///var/lib/oneplan/documents, the default beside the SQLite database), or an
// S3-compatible bucket (s3://bucket?region=...&endpoint=...) in production.
package blobstore

import (
	"context"
	"fmt"
	"io"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	// The drivers a deployment can name in ONEPLAN_DOCUMENT_STORE.
	_ "gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)

// Store is one bucket.
type Store struct{ b *blob.Bucket }

// Open opens the bucket at url (a file:// folder is created if missing).
func Open(ctx context.Context, url string) (*Store, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open document store: %w", err)
	}
	return &Store{b: b}, nil
}

// Put writes content under key, with its media type and its MD5 checked by the store on arrival.
func (s *Store) Put(ctx context.Context, key, mediaType string, content []byte) error {
	return s.b.WriteAll(ctx, key, content, &blob.WriterOptions{ContentType: mediaType,
		// Never shown inline by a store that serves it directly.
		ContentDisposition: "attachment"})
}

// Writer streams bytes to key (kept when closed), for files too large to hold in memory.
func (s *Store) Writer(ctx context.Context, key, mediaType string) (io.WriteCloser, error) {
	return s.b.NewWriter(ctx, key, &blob.WriterOptions{ContentType: mediaType, ContentDisposition: "attachment"})
}

// Open reads the bytes under key.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	return s.b.NewReader(ctx, key, nil)
}

// Delete removes key; a key already gone is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.b.Delete(ctx, key)
	if err != nil && isNotFound(err) {
		return nil
	}
	return err
}

// Close releases the bucket.
func (s *Store) Close() error { return s.b.Close() }

func isNotFound(err error) bool { return gcerrors.Code(err) == gcerrors.NotFound }

// Memory is a bucket in memory, for tests.
func Memory() *Store { return &Store{b: memblob.OpenBucket(nil)} }
