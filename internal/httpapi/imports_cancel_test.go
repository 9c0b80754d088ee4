package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/importjob"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/store"
)

// atEnd is a blob store whose uploads call onEnd(pass, ctx) when a run has read one to its end
// (pass 1: the check, pass 2: the write, inside the import's transaction), before it hears so.
type atEnd struct {
	*blobstore.Store
	mu    sync.Mutex
	opens int
	onEnd func(ctx context.Context, pass int) error
}

func (b *atEnd) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := b.Store.Open(ctx, key)
	if err != nil || !strings.HasSuffix(key, "/upload.csv") {
		return rc, err
	}
	b.mu.Lock()
	b.opens++
	pass := b.opens
	b.mu.Unlock()
	return &endReader{ReadCloser: rc, end: func() error {
		if b.onEnd == nil {
			return nil
		}
		return b.onEnd(ctx, pass)
	}}, nil
}

type endReader struct {
	io.ReadCloser
	end  func() error
	done bool
}

func (r *endReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) && !r.done {
		r.done = true
		if e := r.end(); e != nil {
			return n, e
		}
	}
	return n, err
}

// TestImportJobCancel: over HTTP on both databases, a queued job cancelled never runs; a running
// all-or-nothing job cancelled on the replica running it, or on another while it checks the file
// (and, on PostgreSQL, while it writes), keeps nothing; each ends cancelled with its own audit and
// import_job.cancelled events and no import_job.finished; a finished job answers 409.
func TestImportJobCancel(t *testing.T) {
	blobs := blobstore.Memory()
	local := &atEnd{Store: blobs}
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		local.opens, local.onEnd = 0, nil
		file := importHeader + "bridge,C1,Cal,Cancel,2015-03-01,,\nbridge,C2,Cat,Cancel,2015-03-01,,\n"
		cancel := func(id string, want int) map[string]any {
			r := e.do(http.MethodPost, "/v1/imports/"+id+"/cancel", e.officer, nil)
			if r.status != want {
				t.Fatalf("cancel %s: %d %s", id, r.status, r.body)
			}
			return r.json(t)
		}
		cancelled := func(what, id string, starts int) {
			t.Helper()
			if j := e.mustGet("/v1/imports/"+id, e.officer); j["status"] != "cancelled" || j["finished_at"] == nil {
				t.Fatalf("%s: %v", what, j)
			}
			if got := e.outboxTypes(id); got["import_job.cancelled"] != 1 || got["import_job.finished"] != 0 {
				t.Fatalf("%s: events %v", what, got)
			}
			if n := e.countRows("SELECT count(*) FROM audit_events WHERE action = 'transition' AND record_type = 'import_job' AND record_id = ? AND changed_fields LIKE '%status%'", id); n != starts+1 {
				t.Fatalf("%s: %d transition audit events, want %d (its starts and its cancellation)", what, n, starts+1)
			}
			if n := e.countRows("SELECT count(*) FROM young_people"); n != 0 {
				t.Fatalf("%s: %d young people kept", what, n)
			}
			if _, err := blobs.Open(ctx, "imports/"+id+"/upload.csv"); err == nil {
				t.Fatalf("%s: the upload is kept", what)
			}
		}

		// Queued: cancelled, never run; again is 409; another organisation's role sees nothing.
		id := e.submitImport(e.officer, "kind=young-people", file, http.StatusAccepted)
		if r := e.do(http.MethodPost, "/v1/imports/"+id+"/cancel", e.admin, nil); r.status != http.StatusNotFound {
			t.Fatalf("an admin cancelling the SEND team's job: %d", r.status)
		}
		if j := cancel(id, http.StatusOK); j["status"] != "cancelled" {
			t.Fatalf("cancel answer: %v", j)
		}
		if err := e.app.Imports.RunPending(ctx); err != nil {
			t.Fatal(err)
		}
		cancelled("a queued job", id, 0)
		if got := e.outboxTypes(id); got["import_job.started"] != 0 {
			t.Fatalf("a cancelled job started: %v", got)
		}
		if p := cancel(id, http.StatusConflict); p["current_status"] != "cancelled" {
			t.Fatalf("cancel again: %v", p)
		}

		// Running here, writing (its transaction open): the run stops at once and rolls back.
		id = e.submitImport(e.officer, "kind=young-people", file, http.StatusAccepted)
		var answer map[string]any
		var wg sync.WaitGroup
		local.onEnd = func(runCtx context.Context, pass int) error {
			if pass != 2 {
				return nil
			}
			wg.Go(func() { answer = cancel(id, http.StatusOK) })
			<-runCtx.Done() // the cancel stops this replica's run before it writes
			return context.Cause(runCtx)
		}
		if err := e.app.Imports.RunPending(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		local.onEnd = nil
		if answer["status"] != "cancelled" {
			t.Fatalf("cancel of a running job answered %v", answer)
		}
		cancelled("a job running here", id, 1)

		// Running on another replica: it finds its job cancelled and keeps nothing.
		for _, pass := range []int{1, 2} {
			if pass == 2 && e.st.Dialect() != store.Postgres {
				continue // SQLite's one writer: the cancel waits for the import's transaction (the run here above covers it)
			}
			remote := &atEnd{Store: blobs}
			other := app.New(e.st, app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true, ExternalIDSystems: externalid.Systems{"bridge"}},
				Imports: importjobs.Options{Manual: true}, Blobs: remote})
			id := e.submitImport(e.officer, "kind=young-people", file, http.StatusAccepted)
			remote.onEnd = func(_ context.Context, p int) error {
				if p == pass {
					cancel(id, http.StatusOK)
				}
				return nil
			}
			if err := other.Imports.RunPending(ctx); err != nil {
				t.Fatal(err)
			}
			cancelled("a job cancelled on another replica in pass "+string(rune('0'+pass)), id, 1)
			if got := e.outboxTypes(id); got["import_job.started"] != 1 {
				t.Fatalf("events: %v", got)
			}
		}

		// Continuing on error, running here: the batch committed before the cancellation stays,
		// and the answer, the job and its event say so (they said nothing was created).
		var many strings.Builder
		many.WriteString(importHeader)
		for i := range importjob.Batch + 3 {
			fmt.Fprintf(&many, "bridge,K%d,Kit,Kept,2015-03-01,,\n", i)
		}
		id = e.submitImport(e.officer, "kind=young-people&continue_on_error=true", many.String(), http.StatusAccepted)
		local.opens, answer = 0, nil
		local.onEnd = func(runCtx context.Context, pass int) error {
			if pass != 2 {
				return nil
			}
			wg.Go(func() { answer = cancel(id, http.StatusOK) })
			<-runCtx.Done()
			return context.Cause(runCtx)
		}
		if err := e.app.Imports.RunPending(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		local.onEnd = nil
		kept := e.countRows("SELECT count(*) FROM young_people")
		if kept != importjob.Batch {
			t.Fatalf("continuing on error, cancelled after a batch: %d young people kept, want %d; answer %v; job %v", kept, importjob.Batch, answer, e.mustGet("/v1/imports/"+id, e.officer))
		}
		for what, j := range map[string]map[string]any{"answer": answer, "job": e.mustGet("/v1/imports/"+id, e.officer)} {
			if c, _ := j["counts"].(map[string]any); j["status"] != "cancelled" || c["created"] != float64(kept) || c["rows_read"] != float64(importjob.Batch+3) {
				t.Errorf("%s of the cancelled job continuing on error: %v, want %d created", what, j, kept)
			}
		}
		db, err := e.st.SQL()
		if err != nil {
			t.Fatal(err)
		}
		var payload string
		if err := db.QueryRow("SELECT payload FROM outbox_events WHERE record_id = $1 AND event_type = 'import_job.cancelled'", id).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(payload, fmt.Sprintf(`"rows_created":%d`, kept)) {
			t.Errorf("import_job.cancelled: %s, want rows_created %d", payload, kept)
		}

		// Finished: 409, and it stays as it was.
		id = e.submitImport(e.officer, "kind=young-people&dry_run=true", file, http.StatusAccepted)
		e.runJob(e.officer, id)
		if p := cancel(id, http.StatusConflict); p["current_status"] != "succeeded" {
			t.Fatalf("cancel of a finished job: %v", p)
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) { o.Blobs = local })
}
