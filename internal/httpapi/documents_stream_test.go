package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// pdfReader is a PDF-looking file of n bytes made as it is read, so the client holds none of it.
type pdfReader struct{ n, off int }

func (r *pdfReader) Read(p []byte) (int, error) {
	const head = "%PDF-1.4\n"
	if r.off >= r.n {
		return 0, io.EOF
	}
	i := 0
	for ; i < len(p) && r.off < r.n; i, r.off = i+1, r.off+1 {
		if r.off < len(head) {
			p[i] = head[r.off]
		} else {
			p[i] = 'x'
		}
	}
	return i, nil
}

// TestDocumentUploadStreams: a document of 20 MB with an Idempotency-Key is hashed for the key
// as it streams (as an import file is), not read whole by the validator nor by the idempotency
// middleware: the server reads it into memory once, for the checks on its content, and its retry
// (answered from the first) holds none of it.
func TestDocumentUploadStreams(t *testing.T) {
	blobs, err := blobstore.Open(context.Background(), "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.Backends(t)[0].Open(t), func(_ *httpapi.Options, o *app.Options) { o.Blobs = blobs })
	f := e.fixture()
	const size = 20<<20 - 1024
	post := func() (int, string, uint64) {
		return e.postStreamed("/v1/documents?record_type=referral&record_id="+f.referral+"&kind=advice&title=EP+advice&file_name=ep-advice.pdf",
			&pdfReader{n: size}, size, "application/octet-stream", "document-streams-0001")
	}
	// Warm up: the first upload builds what is built once.
	if r := e.upload(e.officer, "referral", f.referral, testPDF, "application/octet-stream"); r.status != http.StatusCreated {
		t.Fatalf("warm-up: %d %s", r.status, r.body)
	}
	for i, what := range []string{"the upload", "its retry"} {
		status, replayed, allocated := post()
		t.Logf("%s: %d bytes, %d allocated (%.2f of the file)", what, size, allocated, float64(allocated)/float64(size))
		if status != http.StatusCreated || (replayed == "true") != (i == 1) {
			t.Fatalf("%s: %d, replayed %q", what, status, replayed)
		}
		// The upload: one copy of the file for the content checks, and little else; the retry: none.
		limit := uint64(size) * 5 / 4
		if i == 1 {
			limit = uint64(size) / 4
		}
		if allocated > limit {
			t.Errorf("%s: %d bytes allocated to take a file of %d", what, allocated, size)
		}
	}
	// The same key with other bytes is another request.
	r := e.do(http.MethodPost, "/v1/documents?record_type=referral&record_id="+f.referral+"&kind=advice&title=EP+advice&file_name=ep-advice.pdf",
		e.officer, testPDF, "Content-Type", "application/octet-stream", "Idempotency-Key", "document-streams-0001")
	if p := r.problem(t, http.StatusUnprocessableEntity); p.Errors == nil || (*p.Errors)[0].Pointer != "/header/Idempotency-Key" {
		t.Fatalf("another file under the key: %s", r.body)
	}
	if n := e.countRows("SELECT count(*) FROM documents"); n != 2 {
		t.Fatalf("%d documents", n)
	}
}

// postStreamed POSTs body (size bytes) to path as the officer with an Idempotency-Key, and gives
// the status, the Idempotent-Replayed header and the bytes allocated (in the test process, which
// runs the server too) while the request was taken.
func (e *env) postStreamed(path string, body io.Reader, size int64, contentType, key string) (int, string, uint64) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.officer)
	req.Header.Set("Idempotency-Key", key)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	runtime.ReadMemStats(&after)
	return resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), after.TotalAlloc - before.TotalAlloc
}
