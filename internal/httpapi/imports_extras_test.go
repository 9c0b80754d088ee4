package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// countingBlobs counts the files written to a shared bucket, and may run something when the
// next one is begun (as another request arriving while an upload streams).
type countingBlobs struct {
	*blobstore.Store
	mu      sync.Mutex
	writes  int
	keys    []string
	onWrite func()
}

// keysSince are the keys written after the first n.
func (b *countingBlobs) keysSince(n int) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.keys[n:]...)
}

func (b *countingBlobs) Writer(ctx context.Context, key, mediaType string) (io.WriteCloser, error) {
	b.mu.Lock()
	b.writes++
	b.keys = append(b.keys, key)
	f := b.onWrite
	b.onWrite = nil
	b.mu.Unlock()
	if f != nil {
		f()
	}
	return b.Store.Writer(ctx, key, mediaType)
}

func (b *countingBlobs) written() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.writes
}

// upload posts a CSV file with headers and returns the answer.
func (e *env) uploadImport(key, query, file string, headers ...string) reply {
	e.t.Helper()
	return e.do(http.MethodPost, "/v1/imports?"+query, key, file, append([]string{"Content-Type", "text/csv"}, headers...)...)
}

func (e *env) problemPointer(r reply) string {
	e.t.Helper()
	var p struct {
		Errors []struct{ Pointer string } `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil || len(p.Errors) == 0 {
		e.t.Fatalf("not a problem naming a field: %d %s", r.status, r.body)
	}
	return p.Errors[0].Pointer
}

// TestImportIdempotency: over HTTP on both databases, a retried upload with the same
// Idempotency-Key, query and bytes answers the first job (the same 202 and body, replayed) with no
// second job and no second file written; the same key with other bytes or another query is 422
// naming the header, without a file written; the key is the caller's own (another caller's same
// key runs); a refused upload keeps no key, so its corrected retry runs; and of two first
// attempts at once, the one that claims second answers the first's job and keeps no file.
func TestImportIdempotency(t *testing.T) {
	blobs := &countingBlobs{Store: blobstore.Memory()}
	each(t, func(t *testing.T, e *env) {
		file := importHeader + "bridge,I1,Ida,Empotent,2015-03-01,,ASD\nbridge,I2,Ivo,Empotent,2015-03-01,,\n"
		key := "upload-0001-retry"
		first := e.uploadImport(e.officer, "kind=young-people&file_name=caseload.csv", file, "Idempotency-Key", key)
		if first.status != http.StatusAccepted {
			t.Fatalf("first upload: %d %s", first.status, first.body)
		}
		writes := blobs.written()
		again := e.uploadImport(e.officer, "kind=young-people&file_name=caseload.csv", file, "Idempotency-Key", key)
		if again.status != http.StatusAccepted || string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" ||
			again.header.Get("Location") != first.header.Get("Location") {
			t.Fatalf("retry: %d %s %v (first %s)", again.status, again.body, again.header, first.body)
		}
		if n := e.countRows("SELECT count(*) FROM import_jobs"); n != 1 {
			t.Fatalf("%d jobs after a retry", n)
		}
		if blobs.written() != writes {
			t.Fatal("a retry wrote the file again")
		}
		// The same key for other bytes, or another query: 422 naming the header, nothing kept.
		for _, c := range []struct{ query, file string }{
			{"kind=young-people&file_name=caseload.csv", file + "bridge,I3,Isa,Other,2015-03-01,,\n"},
			{"kind=young-people&file_name=caseload.csv&dry_run=true", file},
		} {
			r := e.uploadImport(e.officer, c.query, c.file, "Idempotency-Key", key)
			if r.status != http.StatusUnprocessableEntity || e.problemPointer(r) != "/header/Idempotency-Key" {
				t.Fatalf("%s with the same key: %d %s", c.query, r.status, r.body)
			}
		}
		if n := e.countRows("SELECT count(*) FROM import_jobs"); n != 1 || blobs.written() != writes {
			t.Fatalf("a refused reuse of a key kept something: %d jobs, %d files written", n, blobs.written()-writes)
		}
		// The job runs once, as any.
		var j map[string]any
		if err := json.Unmarshal(first.body, &j); err != nil {
			t.Fatal(err)
		}
		if j = e.runJob(e.officer, j["id"].(string)); counts(j) != "2 read, 2 created, 0 unchanged, 0 rejected" {
			t.Fatalf("the job: %v", j)
		}

		// The key is the caller's: another SEND officer's key with the same Idempotency-Key runs.
		other, _, err := e.app.Keys.IssueAPIKey(context.Background(), e.council, auth.RoleSENDOfficer, "second officer", "")
		if err != nil {
			t.Fatal(err)
		}
		if r := e.uploadImport(other, "kind=young-people&file_name=caseload.csv", file, "Idempotency-Key", key); r.status != http.StatusAccepted ||
			string(r.body) == string(first.body) {
			t.Fatalf("another caller's same key: %d %s", r.status, r.body)
		}
		if n := e.countRows("SELECT count(*) FROM import_jobs"); n != 2 {
			t.Fatalf("%d jobs, want 2", n)
		}

		// A refused upload (an empty file) keeps no key: its corrected retry runs.
		if r := e.uploadImport(e.officer, "kind=young-people", "", "Idempotency-Key", "upload-0002-empty"); r.status != http.StatusBadRequest {
			t.Fatalf("an empty file: %d %s", r.status, r.body)
		}
		if r := e.uploadImport(e.officer, "kind=young-people", file, "Idempotency-Key", "upload-0002-empty"); r.status != http.StatusAccepted {
			t.Fatalf("the corrected retry: %d %s", r.status, r.body)
		}

		// Two first attempts at once: the second arrives while the first streams, and claims the
		// key first; the first, claiming after it, answers its job and keeps nothing of its own.
		var second reply
		blobs.mu.Lock()
		blobs.onWrite = func() {
			second = e.uploadImport(e.officer, "kind=young-people", file, "Idempotency-Key", "upload-0003-race")
		}
		blobs.mu.Unlock()
		jobs := e.countRows("SELECT count(*) FROM import_jobs")
		raceFrom := blobs.written()
		late := e.uploadImport(e.officer, "kind=young-people", file, "Idempotency-Key", "upload-0003-race")
		if second.status != http.StatusAccepted || late.status != http.StatusAccepted || string(late.body) != string(second.body) ||
			late.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("two at once: %d %s / %d %s", second.status, second.body, late.status, late.body)
		}
		if n := e.countRows("SELECT count(*) FROM import_jobs"); n != jobs+1 {
			t.Fatalf("two at once made %d jobs", n-jobs)
		}
		var won map[string]any
		if err := json.Unmarshal(second.body, &won); err != nil {
			t.Fatal(err)
		}
		race := blobs.keysSince(raceFrom)
		if len(race) != 2 {
			t.Fatalf("files written by two at once: %v", race)
		}
		for _, k := range race {
			_, err := blobs.Open(context.Background(), k)
			if kept := err == nil; kept != (k == "imports/"+won["id"].(string)+"/upload.csv") {
				t.Fatalf("%s kept: %v", k, kept)
			}
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) { o.Blobs = blobs })
}

// rowsReader generates a young people file of n rows as it is read, holding none of it (one
// line at a time, in one buffer).
type rowsReader struct {
	n, i int
	line []byte
	off  int
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for r.off == len(r.line) {
		switch {
		case r.i == 0:
			r.line = append(r.line[:0], importHeader...)
		case r.i > r.n:
			return 0, io.EOF
		default:
			r.line = strconv.AppendInt(append(r.line[:0], "bridge,M"...), int64(1_000_000+r.i), 10)
			r.line = append(r.line, ",Mem,Ory,2015-03-01,,\n"...)
		}
		r.off = 0
		r.i++
	}
	n := copy(p, r.line[r.off:])
	r.off += n
	return n, nil
}

// TestImportUploadStreams: an upload of 20 MB with an Idempotency-Key is hashed and kept as it
// streams: the server allocates a fraction of the file's size to take it (it used to hold it
// whole three times over, and parse it as CSV in the validator), and its retry, read only to be
// hashed, likewise. SQLite only: the database plays no part.
func TestImportUploadStreams(t *testing.T) {
	blobs, err := blobstore.Open(context.Background(), "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.Backends(t)[0].Open(t), importsEnv, func(_ *httpapi.Options, o *app.Options) { o.Blobs = blobs })
	const rows = 560_000 // about 20 MB
	post := func() (int, uint64, int64) {
		size, err := io.Copy(io.Discard, &rowsReader{n: rows})
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/imports?kind=young-people", &rowsReader{n: rows})
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = size
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+e.officer)
		req.Header.Set("Idempotency-Key", "upload-streams-0001")
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		runtime.ReadMemStats(&after)
		return resp.StatusCode, after.TotalAlloc - before.TotalAlloc, size
	}
	// Warm up: the first upload reads the layouts' values from the contract, once.
	e.submitImport(e.officer, "kind=young-people", importHeader, http.StatusAccepted)
	for _, what := range []string{"the upload", "its retry"} {
		status, allocated, size := post()
		t.Logf("%s: %d bytes, %d allocated (%.2f of the file)", what, size, allocated, float64(allocated)/float64(size))
		if status != http.StatusAccepted || size < 18<<20 {
			t.Fatalf("%s: %d (%d bytes)", what, status, size)
		}
		if allocated > uint64(size)/4 {
			t.Errorf("%s: %d bytes allocated to take a file of %d", what, allocated, size)
		}
	}
	if n := e.countRows("SELECT count(*) FROM import_jobs"); n != 2 {
		t.Fatalf("%d jobs", n)
	}
}
