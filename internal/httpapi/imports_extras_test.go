package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/person"
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
			r, err := blobs.Open(context.Background(), k)
			if err == nil {
				_ = r.Close()
			}
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
		status, _, allocated := e.postStreamed("/v1/imports?kind=young-people", &rowsReader{n: rows}, size, "text/csv", "upload-streams-0001")
		return status, allocated, size
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

// meetingBlobs holds each deletion of an upload, once armed, until n have begun (replicas
// sweeping the same job at once).
type meetingBlobs struct {
	*blobstore.Store
	mu      sync.Mutex
	waiting int
	n       int
	met     chan struct{}
}

func (b *meetingBlobs) meet(n int) {
	b.mu.Lock()
	b.n, b.waiting, b.met = n, 0, make(chan struct{})
	b.mu.Unlock()
}

func (b *meetingBlobs) Delete(ctx context.Context, key string) error {
	b.mu.Lock()
	met := b.met
	if met != nil && strings.HasSuffix(key, "/upload.csv") {
		if b.waiting++; b.waiting == b.n {
			close(met)
			b.met = nil
		}
		b.mu.Unlock()
		<-met
	} else {
		b.mu.Unlock()
	}
	return b.Store.Delete(ctx, key)
}

// TestImportFilesRetention: over HTTP on both databases, with an injected clock: a job that
// continued on error names when its rejects file expires (the retention configured after it
// finished); the file downloads until then and is 410 from then on, even before the sweep; two
// replicas sweeping at once delete it once, with one delete audit event, after which the job
// says when; a job cancelled has its files deleted at once; the job, its counts and its row
// errors stay.
func TestImportFilesRetention(t *testing.T) {
	blobs := &meetingBlobs{Store: blobstore.Memory()}
	kept := func(key string) bool {
		r, err := blobs.Open(context.Background(), key)
		if err == nil {
			_ = r.Close()
		}
		return err == nil
	}
	clock := &svClock{}
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	const keep = 10 * 24 * time.Hour
	each(t, func(t *testing.T, e *env) {
		clock.set(start)
		ctx := context.Background()
		bad := importHeader + "bridge,K1,Kay,Kept,2015-03-01,,ASD\nbridge,K2,,Refused,2015-03-01,,\n"
		id := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		j := e.runJob(e.officer, id)
		finished, err := time.Parse(time.RFC3339Nano, j["finished_at"].(string))
		if err != nil || !finished.Equal(start) {
			t.Fatalf("finished at %v (%v)", j["finished_at"], err)
		}
		if j["rejects_expires_at"] != start.Add(keep).Format(time.RFC3339) || j["rejects_deleted_at"] != nil {
			t.Fatalf("rejects expiry: %v", j)
		}
		rejects := "/v1/imports/" + id + "/rejects"
		// A second replica over the same database and bucket.
		other := app.New(e.st, app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true, ExternalIDSystems: externalid.Systems{"bridge"}},
			Imports: importjobs.Options{Manual: true, FilesRetention: keep}, Blobs: blobs, Clock: clock.now})

		// A second before it expires: kept, and the sweep leaves it.
		clock.set(start.Add(keep - time.Second))
		if n, err := e.app.Imports.SweepFiles(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before expiry: %d %v", n, err)
		}
		if r := e.do(http.MethodGet, rejects, e.officer, nil); r.status != http.StatusOK {
			t.Fatalf("rejects before expiry: %d %s", r.status, r.body)
		}
		// Expired: 410 at once, before any sweep.
		clock.set(start.Add(keep))
		if r := e.do(http.MethodGet, rejects, e.officer, nil); r.status != http.StatusGone || !strings.Contains(string(r.body), "deleted 10 days after the job finished") {
			t.Fatalf("rejects at expiry: %d %s", r.status, r.body)
		}
		if !kept("imports/" + id + "/rejects.csv") {
			t.Fatal("the rejects file went before the sweep")
		}
		// Two replicas sweep at once, both having found the job due (they meet deleting its
		// upload): deleted once, audited once.
		blobs.meet(2)
		var wg sync.WaitGroup
		got := make([]int, 2)
		errs := make([]error, 2)
		for i, a := range []*app.App{e.app, other} {
			wg.Go(func() { got[i], errs[i] = a.Imports.SweepFiles(ctx) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || got[0]+got[1] != 1 {
			t.Fatalf("two sweeps: %v %v", got, errs)
		}
		if kept("imports/" + id + "/rejects.csv") {
			t.Fatal("the rejects file is kept after the sweep")
		}
		if n := e.countRows(`SELECT count(*) FROM audit_events WHERE action = 'delete' AND record_type = 'import_job' AND record_id = ?
			AND actor_role = 'system' AND purpose = 'retention' AND request_id = ?`, id, "import-"+id); n != 1 {
			t.Fatalf("%d delete audit events", n)
		}
		j = e.mustGet("/v1/imports/"+id, e.officer)
		if j["rejects_deleted_at"] != start.Add(keep).Format(time.RFC3339) || j["rejects_path"] == nil || counts(j) != "2 read, 1 created, 0 unchanged, 1 rejected" {
			t.Fatalf("the job after the sweep: %v", j)
		}
		if r := e.do(http.MethodGet, "/v1/imports/"+id+"/errors", e.officer, nil); r.status != http.StatusOK {
			t.Fatalf("row errors after the sweep: %d", r.status)
		}
		if r := e.do(http.MethodGet, rejects, e.officer, nil); r.status != http.StatusGone {
			t.Fatalf("rejects after the sweep: %d", r.status)
		}
		if n, err := other.Imports.SweepFiles(ctx); err != nil || n != 0 {
			t.Fatalf("a sweep again: %d %v", n, err)
		}

		// Cancelled: the upload goes at once, and the job's files are swept with the rest.
		id = e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		if r := e.do(http.MethodPost, "/v1/imports/"+id+"/cancel", e.officer, nil); r.status != http.StatusOK {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
		if kept("imports/" + id + "/upload.csv") {
			t.Fatal("a cancelled job's upload is kept")
		}
		clock.set(start.Add(3 * keep))
		if n, err := e.app.Imports.SweepFiles(ctx); err != nil || n != 1 {
			t.Fatalf("sweep of the cancelled job: %d %v", n, err)
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) {
		o.Blobs, o.Clock, o.Imports.FilesRetention = blobs, clock.now, keep
	})
}

// TestImportFileName: the file's name given with an upload is kept on the job and shown with it
// (and in the list) to those who may read the job, and to no one else; it is in no event and no
// log line; a name with a path is refused naming file_name.
func TestImportFileName(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const name = "Ada Smith caseload.csv"
		file := importHeader + "bridge,F1,Ada,Smith,2015-03-01,,ASD\n"
		id := e.submitImport(e.officer, "kind=young-people&file_name="+url.QueryEscape(name), file, http.StatusAccepted)
		if j := e.runJob(e.officer, id); j["file_name"] != name {
			t.Fatalf("file name: %v", j)
		}
		if list := e.mustGet("/v1/imports", e.officer); list["items"].([]any)[0].(map[string]any)["file_name"] != name {
			t.Fatalf("list: %v", list)
		}
		if r := e.do(http.MethodGet, "/v1/imports/"+id, e.admin, nil); r.status != http.StatusNotFound || strings.Contains(string(r.body), "Smith") {
			t.Fatalf("an admin reading the job: %d %s", r.status, r.body)
		}
		for _, q := range []string{"SELECT count(*) FROM outbox_events WHERE payload LIKE '%Smith caseload%'",
			"SELECT count(*) FROM audit_events WHERE changed_fields LIKE '%Smith caseload%' OR purpose LIKE '%Smith caseload%' OR request_id LIKE '%Smith caseload%'"} {
			if n := e.countRows(q); n != 0 {
				t.Fatalf("%s: %d", q, n)
			}
		}
		if strings.Contains(e.logs.String(), "Smith caseload") {
			t.Fatal("the file name is logged")
		}
		// Without a name, none; with a path, refused.
		id = e.submitImport(e.officer, "kind=young-people", file, http.StatusAccepted)
		if j := e.mustGet("/v1/imports/"+id, e.officer); j["file_name"] != nil {
			t.Fatalf("a job without a name: %v", j)
		}
		r := e.uploadImport(e.officer, "kind=young-people&file_name="+url.QueryEscape("../home/ada.csv"), file)
		if r.status != http.StatusBadRequest || e.problemPointer(r) != "/query/file_name" {
			t.Fatalf("a path as the name: %d %s", r.status, r.body)
		}
	}, importsEnv)
}
