package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// importsEnv: the bridge system is known, and jobs run only when the test runs them.
func importsEnv(_ *httpapi.Options, o *app.Options) {
	o.PersonRules.ExternalIDSystems = externalid.Systems{"bridge"}
	o.Imports.Manual = true
}

const importHeader = "external_system,external_id,given_name,family_name,date_of_birth,nhs_number,primary_sen_need\n"

// submitImport posts a CSV file as key and returns the job's id.
func (e *env) submitImport(key, query, file string, want int) string {
	e.t.Helper()
	r := e.do(http.MethodPost, "/v1/imports?"+query, key, file, "Content-Type", "text/csv")
	if r.status != want {
		e.t.Fatalf("upload %s: %d %s", query, r.status, r.body)
	}
	if want != http.StatusAccepted {
		return ""
	}
	var j map[string]any
	if err := json.Unmarshal(r.body, &j); err != nil {
		e.t.Fatal(err)
	}
	if j["status"] != "queued" || r.header.Get("Location") != "/v1/imports/"+j["id"].(string) {
		e.t.Fatalf("upload answer: %s %v", r.body, r.header)
	}
	return j["id"].(string)
}

// runJobs runs every queued job, synchronously, and returns the job id's resource.
func (e *env) runJob(key, id string) map[string]any {
	e.t.Helper()
	if err := e.app.Imports.RunPending(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	j := e.mustGet("/v1/imports/"+id, key)
	if j["status"] != "succeeded" && j["status"] != "failed" {
		e.t.Fatalf("job not finished: %v", j)
	}
	return j
}

func (e *env) mustGet(path, key string) map[string]any {
	e.t.Helper()
	r := e.do(http.MethodGet, path, key, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var out map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) countRows(q string, args ...any) int {
	e.t.Helper()
	var n int64
	err := e.st.Read(context.Background(), func(tx *store.Tx) error {
		db, err := e.st.SQL()
		if err != nil {
			return err
		}
		if e.st.Dialect() == store.Postgres {
			for i := range args {
				q = strings.Replace(q, "?", fmt.Sprintf("$%d", i+1), 1)
			}
		}
		return db.QueryRow(q, args...).Scan(&n)
	})
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return int(n)
}

func counts(j map[string]any) string {
	c := j["counts"].(map[string]any)
	return fmt.Sprintf("%v read, %v created, %v unchanged, %v rejected", c["rows_read"], c["created"], c["unchanged"], c["rejected"])
}

// TestImportJobs: over HTTP on both databases, a good file's job succeeds with its counts, its
// records audited with the job's request id and the job's own events; a bad file all or nothing
// fails with its row errors (paged) and writes nothing; continuing on error loads the good rows
// and the rejects file downloads; a dry run writes nothing; a practitioner is refused; an admin
// cannot see the SEND team's job (404), nor run a young people import (403).
func TestImportJobs(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		good := importHeader
		for i := 1; i <= 5; i++ {
			good += fmt.Sprintf("bridge,G%d,Child%d,Example,2015-03-01,%s,ASD\n", i, i, newNHSNumber())
		}
		// A dry run first: counted, nothing written.
		id := e.submitImport(e.officer, "kind=young-people&dry_run=true", good, http.StatusAccepted)
		j := e.runJob(e.officer, id)
		if j["status"] != "succeeded" || j["dry_run"] != true || counts(j) != "5 read, 5 created, 0 unchanged, 0 rejected" {
			t.Fatalf("dry run: %v", j)
		}
		if n := e.countRows("SELECT count(*) FROM young_people"); n != 0 {
			t.Fatalf("a dry run wrote %d young people", n)
		}

		id = e.submitImport(e.officer, "kind=young-people", good, http.StatusAccepted)
		j = e.runJob(e.officer, id)
		if j["status"] != "succeeded" || counts(j) != "5 read, 5 created, 0 unchanged, 0 rejected" || j["attempts"] != float64(1) {
			t.Fatalf("good file: %v", j)
		}
		if n := e.countRows("SELECT count(*) FROM audit_events WHERE action = 'create' AND record_type = 'young_person' AND request_id = ? AND purpose = 'import'",
			"import-"+id); n != 5 {
			t.Fatalf("create audit events naming the job: %d", n)
		}
		if n := e.countRows("SELECT count(*) FROM audit_events WHERE action = 'complete' AND record_type = 'import_job' AND record_id = ? AND request_id = ?",
			id, "import-"+id); n != 1 {
			t.Fatalf("summary audit events: %d", n)
		}
		if got := e.outboxTypes(id); got["import_job.started"] != 1 || got["import_job.finished"] != 1 {
			t.Fatalf("job events: %v", got)
		}
		// Again: every row already present.
		id = e.submitImport(e.officer, "kind=young-people", good, http.StatusAccepted)
		if j = e.runJob(e.officer, id); counts(j) != "5 read, 0 created, 5 unchanged, 0 rejected" {
			t.Fatalf("re-run: %v", j)
		}

		bad := importHeader +
			"bridge,B1,Ada,Lovelace,2015-03-01,,ASD\n" +
			"bridge,B2,,Byron,2015-03-01,,SLCN\n" +
			"bridge,B3,Cy,Clare,03/01/2015,,\n" +
			"bridge,B4,Di,Dee,2015-03-01,,AUTISM\n"
		id = e.submitImport(e.officer, "kind=young-people", bad, http.StatusAccepted)
		j = e.runJob(e.officer, id)
		if j["status"] != "failed" || j["error_count"] != float64(3) || !strings.Contains(j["failure"].(string), "3 of 4 rows refused: nothing imported") {
			t.Fatalf("bad file: %v", j)
		}
		if n := e.countRows("SELECT count(*) FROM young_people"); n != 5 {
			t.Fatalf("a refused file wrote: %d young people", n)
		}
		// Row errors, a page of two then the rest.
		p1 := e.mustGet("/v1/imports/"+id+"/errors?limit=2", e.officer)
		items := p1["items"].([]any)
		first := items[0].(map[string]any)
		if len(items) != 2 || first["row"] != float64(3) || first["column"] != "given_name" || first["message"] != "is required" || p1["next_cursor"] == nil {
			t.Fatalf("errors page 1: %v", p1)
		}
		p2 := e.mustGet("/v1/imports/"+id+"/errors?limit=2&cursor="+p1["next_cursor"].(string), e.officer)
		if items := p2["items"].([]any); len(items) != 1 || items[0].(map[string]any)["column"] != "primary_sen_need" || p2["next_cursor"] != nil {
			t.Fatalf("errors page 2: %v", p2)
		}
		if r := e.do(http.MethodGet, "/v1/imports/"+id+"/rejects", e.officer, nil); r.status != http.StatusNotFound {
			t.Fatalf("rejects of an all-or-nothing job: %d", r.status)
		}

		// Continue on error: the good row in, the rejects file downloadable.
		id = e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		j = e.runJob(e.officer, id)
		if j["status"] != "succeeded" || counts(j) != "4 read, 1 created, 0 unchanged, 3 rejected" || j["rejects_path"] != "/v1/imports/"+id+"/rejects" {
			t.Fatalf("continue on error: %v", j)
		}
		r := e.do(http.MethodGet, "/v1/imports/"+id+"/rejects", e.officer, nil)
		lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
		if r.status != http.StatusOK || len(lines) != 4 || !strings.HasSuffix(lines[0], ",problems") || !strings.Contains(lines[1], "bridge,B2,,Byron") {
			t.Fatalf("rejects: %d %s", r.status, r.body)
		}
		if n := e.countRows("SELECT count(*) FROM young_people"); n != 6 {
			t.Fatalf("young people after continuing on error: %d", n)
		}

		// The list, and updated_since.
		list := e.mustGet("/v1/imports?limit=2", e.officer)
		if items := list["items"].([]any); len(items) != 2 || items[0].(map[string]any)["id"] != id || list["next_cursor"] == nil {
			t.Fatalf("list: %v", list)
		}
		if list := e.mustGet("/v1/imports?updated_since=2999-01-01T00:00:00Z", e.officer); len(list["items"].([]any)) != 0 {
			t.Fatalf("updated_since in the future: %v", list)
		}

		// Who may: a practitioner is refused; an admin cannot run this layout nor see the SEND team's job.
		e.submitImport(e.practitioner, "kind=young-people", good, http.StatusForbidden)
		e.submitImport(e.admin, "kind=young-people", good, http.StatusForbidden)
		e.submitImport(e.officer, "kind=shoes", good, http.StatusBadRequest)
		for _, path := range []string{"/v1/imports/" + id, "/v1/imports/" + id + "/errors", "/v1/imports/" + id + "/rejects"} {
			if r := e.do(http.MethodGet, path, e.admin, nil); r.status != http.StatusNotFound {
				t.Fatalf("an admin reading the SEND team's %s: %d", path, r.status)
			}
		}
		if list := e.mustGet("/v1/imports", e.admin); len(list["items"].([]any)) != 0 {
			t.Fatalf("an admin lists the SEND team's jobs: %v", list)
		}
		// A header that is not the layout fails with its problems.
		id = e.submitImport(e.officer, "kind=young-people", "name,shoe_size\nA,9\n", http.StatusAccepted)
		if j = e.runJob(e.officer, id); j["status"] != "failed" || j["error_count"].(float64) < 1 {
			t.Fatalf("wrong header: %v", j)
		}
	}, importsEnv)
}

// TestImportJobTenThousand: issue 18's test through the API: a 10,000-row young people file's
// job succeeds, its counts at the end say so, and the records, audit and outbox events number
// 10,000 (on SQLite, to keep the suite quick, as the command-line test does).
func TestImportJobTenThousand(t *testing.T) {
	e := newEnv(t, storetest.Backends(t)[0].Open(t), importsEnv)
	var b strings.Builder
	b.WriteString(importHeader)
	for i := range 10000 {
		fmt.Fprintf(&b, "bridge,E%05d,Child,Number%d,2012-06-01,%s,SLCN\n", i, i, newNHSNumber())
	}
	id := e.submitImport(e.officer, "kind=young-people", b.String(), http.StatusAccepted)
	j := e.runJob(e.officer, id)
	if j["status"] != "succeeded" || counts(j) != "10000 read, 10000 created, 0 unchanged, 0 rejected" {
		t.Fatalf("10,000 rows: %v", j)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM young_people": 10000,
		"SELECT count(*) FROM audit_events WHERE action = 'create' AND record_type = 'young_person' AND request_id = 'import-" + id + "'": 10000,
		"SELECT count(*) FROM outbox_events WHERE event_type = 'young_person.created'":                                                    10000,
	} {
		if n := e.countRows(q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}

func (e *env) execSQL(q string, args ...any) {
	e.t.Helper()
	db, err := e.st.SQL()
	if err != nil {
		e.t.Fatal(err)
	}
	if e.st.Dialect() == store.Postgres {
		for i := range args {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i+1), 1)
		}
	}
	if _, err := db.Exec(q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// TestImportJobLeases: a job held by a live replica (its lease current) is left to it; one whose
// replica died (its lease lapsed) is claimed and run again by another, and marked failed once it
// has been started three times; two replicas draining the queue at once run each job once.
func TestImportJobLeases(t *testing.T) {
	blobs := blobstore.Memory() // one bucket for both replicas
	shared := func(_ *httpapi.Options, o *app.Options) { o.Blobs = blobs }
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		file := importHeader + "bridge,L1,Lee,Lease,2015-03-01,,\nbridge,L2,Lou,Lease,2015-03-01,,\n"
		id := e.submitImport(e.officer, "kind=young-people", file, http.StatusAccepted)
		now := time.Now().UTC()
		e.execSQL("UPDATE import_jobs SET status = 'running', runner = 'alive', lease_until = ?, attempts = 1 WHERE id = ?", now.Add(time.Hour), id)
		if err := e.app.Imports.RunPending(ctx); err != nil {
			t.Fatal(err)
		}
		if j := e.mustGet("/v1/imports/"+id, e.officer); j["status"] != "running" || e.countRows("SELECT count(*) FROM young_people") != 0 {
			t.Fatalf("a job under a live lease was taken: %v", j)
		}
		// Its replica dies: the lease lapses and this replica runs it.
		e.execSQL("UPDATE import_jobs SET lease_until = ? WHERE id = ?", now.Add(-time.Minute), id)
		j := e.runJob(e.officer, id)
		if j["status"] != "succeeded" || j["attempts"] != float64(2) || counts(j) != "2 read, 2 created, 0 unchanged, 0 rejected" {
			t.Fatalf("a lapsed job run again: %v", j)
		}
		// Started three times already: failed, nothing run.
		id = e.submitImport(e.officer, "kind=young-people", importHeader+"bridge,L3,Lia,Lease,2015-03-01,,\n", http.StatusAccepted)
		e.execSQL("UPDATE import_jobs SET status = 'running', runner = 'dead', lease_until = ?, attempts = 3 WHERE id = ?", now.Add(-time.Minute), id)
		if j = e.runJob(e.officer, id); j["status"] != "failed" || !strings.Contains(j["failure"].(string), "stopped 3 times") {
			t.Fatalf("a job started three times: %v", j)
		}
		if n := e.countRows("SELECT count(*) FROM young_people"); n != 2 {
			t.Fatalf("young people: %d", n)
		}

		// Two replicas over one database drain the queue together: each job runs once.
		other := app.New(e.st, app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true, ExternalIDSystems: externalid.Systems{"bridge"}},
			Imports: importjobs.Options{Manual: true}, Blobs: blobs})
		var ids []string
		for i := range 4 {
			ids = append(ids, e.submitImport(e.officer, "kind=young-people", fmt.Sprintf("%sbridge,R%d,Rae,Replica,2015-03-01,,\n", importHeader, i),
				http.StatusAccepted))
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, a := range []*app.App{e.app, other} {
			wg.Go(func() { errs[i] = a.Imports.RunPending(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range ids {
			if j := e.mustGet("/v1/imports/"+id, e.officer); j["status"] != "succeeded" || j["attempts"] != float64(1) ||
				counts(j) != "1 read, 1 created, 0 unchanged, 0 rejected" {
				t.Fatalf("job %s: %v", id, j)
			}
		}
		if n := e.countRows("SELECT count(*) FROM outbox_events WHERE event_type = 'import_job.started'"); n != 1+4 { // the lapsed job's second start, and the four
			t.Fatalf("started events: %d", n)
		}
	}, importsEnv, shared)
}

// stopOnOpen is a blob store that stops the process (cancels its context) when a job opens its
// file, as a replica shut down mid-job.
type stopOnOpen struct {
	*blobstore.Store
	stop func()
}

func (b stopOnOpen) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.HasSuffix(key, "/upload.csv") {
		b.stop()
	}
	return b.Store.Open(ctx, key)
}

// TestImportJobShutdown: a replica stopping mid-job hands the job back to the queue, and the
// next replica runs it from the start.
func TestImportJobShutdown(t *testing.T) {
	blobs := blobstore.Memory()
	each(t, func(t *testing.T, e *env) {
		id := e.submitImport(e.officer, "kind=young-people", importHeader+"bridge,S1,Sol,Stop,2015-03-01,,\n", http.StatusAccepted)
		ctx, stop := context.WithCancel(context.Background())
		stopping := app.New(e.st, app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true, ExternalIDSystems: externalid.Systems{"bridge"}},
			Imports: importjobs.Options{Manual: true}, Blobs: stopOnOpen{Store: blobs, stop: stop}})
		if _, err := stopping.Imports.RunNext(ctx); err != nil {
			t.Fatal(err)
		}
		if j := e.mustGet("/v1/imports/"+id, e.officer); j["status"] != "queued" || j["attempts"] != float64(0) {
			t.Fatalf("a job its replica stopped on: %v", j)
		}
		if j := e.runJob(e.officer, id); j["status"] != "succeeded" || counts(j) != "1 read, 1 created, 0 unchanged, 0 rejected" {
			t.Fatalf("run again: %v", j)
		}
		if _, err := blobs.Open(context.Background(), "imports/"+id+"/upload.csv"); err == nil {
			t.Fatal("the uploaded file is kept after its job finished")
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) { o.Blobs = blobs })
}

// TestImportJobRowWithExtraFields: over HTTP, a row with a field more than the header (an
// unquoted comma: Salford, East) is a row error naming the row, not loaded short; with
// continue_on_error it is rejected and the rest load.
func TestImportJobRowWithExtraFields(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		header := strings.TrimSuffix(importHeader, "\n") + ",locality\n"
		file := header + "bridge,X1,Ada,Lovelace,2015-03-01,,ASD,Salford, East\n" + `bridge,X2,Bo,Lovelace,2015-03-01,,ASD,"Salford, East"` + "\n"
		id := e.submitImport(e.officer, "kind=young-people", file, http.StatusAccepted)
		if j := e.runJob(e.officer, id); j["status"] != "failed" || j["error_count"] != float64(1) {
			t.Fatalf("extra field: %v", j)
		}
		errs := e.mustGet("/v1/imports/"+id+"/errors", e.officer)["items"].([]any)
		if first := errs[0].(map[string]any); first["row"] != float64(2) || !strings.Contains(first["message"].(string), "has 9 fields but the header has 8 columns") {
			t.Fatalf("errors: %v", errs)
		}
		if n := e.countRows("SELECT count(*) FROM young_people"); n != 0 {
			t.Fatalf("a refused file wrote %d young people", n)
		}
		id = e.submitImport(e.officer, "kind=young-people&continue_on_error=true", file, http.StatusAccepted)
		if j := e.runJob(e.officer, id); counts(j) != "2 read, 1 created, 0 unchanged, 1 rejected" {
			t.Fatalf("continue on error: %v", j)
		}
	}, importsEnv)
}
