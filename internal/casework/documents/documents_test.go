package documents_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// png is the smallest content that reads as a PNG image.
var png = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 32)...)

// blobs keeps bytes in memory and remembers which keys it holds.
type blobs struct {
	document.Blobs
	mu   sync.Mutex
	held map[string]bool
}

func newBlobs() *blobs { return &blobs{Blobs: blobstore.Memory(), held: map[string]bool{}} }

func (b *blobs) Put(ctx context.Context, key, mediaType string, content []byte) error {
	b.mu.Lock()
	b.held[key] = true
	b.mu.Unlock()
	return b.Blobs.Put(ctx, key, mediaType, content)
}

func (b *blobs) Delete(ctx context.Context, key string) error {
	b.mu.Lock()
	delete(b.held, key)
	b.mu.Unlock()
	return b.Blobs.Delete(ctx, key)
}

func (b *blobs) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.held)
}

// scanner refuses everything while refuse is set.
type scanner struct{ refuse bool }

func (s *scanner) Scan(context.Context, string, []byte) error {
	if s.refuse {
		return fault.Field(fault.Unprocessable, "/body", "the scanner found a virus")
	}
	return nil
}

func with(b *blobs, s *scanner) cwt.Option {
	return func(o *app.Options) { o.Blobs, o.Scanner = b, s }
}

// A document is taken from its bytes, onto a record the caller can see, and its bytes are kept
// only if its record commits.
func TestUploadDocument(t *testing.T) {
	b, sc := newBlobs(), &scanner{}
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		meta := document.Meta{RecordType: document.OnReferral, RecordID: c.Referral.ID, Kind: "report", Title: "Speech and language report", FileName: "salt.png"}
		before := b.count()
		_, err := e.App.Documents.Upload(cwt.As(e.Analyst()), meta, png)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Documents.Upload(cwt.As(e.Partner()), meta, []byte("just some text, whatever the name says"))
		testkit.AsFault(t, err, fault.UnsupportedMedia)
		_, err = e.App.Documents.Upload(cwt.As(e.Outsider()), meta, png)
		testkit.WantFault(t, err, fault.Unprocessable, "/query/record_id")
		sc.refuse = true
		_, err = e.App.Documents.Upload(cwt.As(e.Partner()), meta, png)
		sc.refuse = false
		testkit.WantFault(t, err, fault.Unprocessable, "/body")
		if b.count() != before {
			t.Fatalf("refused uploads left %d blobs behind", b.count()-before)
		}

		d, err := e.App.Documents.Upload(cwt.As(e.Partner()), meta, png)
		if err != nil {
			t.Fatal(err)
		}
		if d.MediaType != "image/png" || d.YoungPersonID != c.Child.ID || !d.CreatedAt.Equal(cwt.Now) || d.SizeBytes != int64(len(png)) {
			t.Errorf("document = %+v", d)
		}
		e.WantWritten(d.ID, audit.Create, outbox.DocumentAdded)
		_, r, err := e.App.Documents.Content(cwt.As(e.Lead()), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		_ = r.Close()
		if !slices.Equal(got, png) {
			t.Errorf("content read back differs")
		}
		_, _, err = e.App.Documents.Content(cwt.As(e.Outsider()), d.ID)
		testkit.AsFault(t, err, fault.NotFound)
	}, with(b, sc))
}

// Removing a document is the pathway's; the record and then its bytes go.
func TestRemoveDocument(t *testing.T) {
	b := newBlobs()
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		d := cwt.Must(e.App.Documents.Upload(cwt.As(e.Partner()), document.Meta{RecordType: document.OnReferral, RecordID: c.Referral.ID,
			Kind: "evidence", Title: "Photo"}, png))(t)
		err := e.App.Documents.Remove(cwt.As(e.Partner()), d.ID)
		testkit.AsFault(t, err, fault.Forbidden)
		before := b.count()
		if err := e.App.Documents.Remove(cwt.As(e.Officer()), d.ID); err != nil {
			t.Fatal(err)
		}
		if b.count() != before-1 {
			t.Errorf("the bytes were not removed")
		}
		e.WantWritten(d.ID, audit.Delete, outbox.DocumentRemoved)
		_, err = e.App.Documents.Document(cwt.As(e.Officer()), d.ID)
		testkit.AsFault(t, err, fault.NotFound)
		list, _, err := e.App.Documents.Documents(cwt.As(e.Officer()), document.OnReferral, c.Referral.ID, paging.Page{})
		if err != nil || len(list) != 0 {
			t.Errorf("documents after removal = %d (%v)", len(list), err)
		}
		err = e.App.Documents.Remove(cwt.As(e.Officer()), d.ID)
		if !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("removing again: %v, want not found", err)
		}
	}, with(b, &scanner{}))
}
