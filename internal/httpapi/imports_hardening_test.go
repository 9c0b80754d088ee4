package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/imports"
)

// TestImportRejectsDownloadAudited: a rejects file holds children's details, so every download is
// an audit event (export on the job, naming the file and who took it) written before the bytes
// are sent; a download refused writes none.
func TestImportRejectsDownloadAudited(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		bad := importHeader + "bridge,K1,Kay,Kept,2015-03-01,,ASD\nbridge,K2,,Refused,2015-03-01,,\n"
		id := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		e.runJob(e.officer, id)
		rejects := "/v1/imports/" + id + "/rejects"
		exports := func() int {
			return e.countRows(`SELECT count(*) FROM audit_events WHERE action = 'export' AND record_type = 'import_job' AND record_id = ?
				AND actor_role = 'send_officer' AND actor_key_id IS NOT NULL AND changed_fields LIKE '%rejects%'`, id)
		}
		for i, rid := range []string{"rejects-1", "rejects-2"} {
			if r := e.do(http.MethodGet, rejects, e.officer, nil, "X-Request-Id", rid); r.status != http.StatusOK || len(r.body) == 0 {
				t.Fatalf("download %d: %d %s", i+1, r.status, r.body)
			}
			if n := exports(); n != i+1 {
				t.Fatalf("after download %d: %d export events", i+1, n)
			}
			if n := e.countRows(`SELECT count(*) FROM audit_events WHERE action = 'export' AND record_id = ? AND request_id = ?`, id, rid); n != 1 {
				t.Fatalf("download %d: %d events with its request id", i+1, n)
			}
		}
		// Someone who may not see the job: 404, and nothing downloaded to audit.
		if r := e.do(http.MethodGet, rejects, e.admin, nil); r.status != http.StatusNotFound {
			t.Fatalf("another role's download: %d %s", r.status, r.body)
		}
		if n := e.countRows(`SELECT count(*) FROM audit_events WHERE action = 'export' AND record_id = ?`, id); n != 2 {
			t.Fatalf("%d export events after a refused download", n)
		}
	}, importsEnv)
}

// TestImportRowErrorsRetention: a row error's message may quote a value from the file, so it goes
// with the job's files: answered without it from the expiry on (before any sweep), and emptied in
// the database by the sweep with its delete audit event, for a job with a rejects file and for
// one without; the rows and columns stay.
func TestImportRowErrorsRetention(t *testing.T) {
	clock := &svClock{}
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	const keep = 10 * 24 * time.Hour
	each(t, func(t *testing.T, e *env) {
		clock.set(start)
		bad := importHeader + "bridge,K1,Kay,Kept,2015-03-01,,ASD\nbridge,K2,,Refused,2015-03-01,,\n"
		failed := e.submitImport(e.officer, "kind=young-people", bad, http.StatusAccepted)
		continued := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		e.runJob(e.officer, failed)
		e.runJob(e.officer, continued)
		rowErrors := func(id string) []map[string]any {
			var out []map[string]any
			for _, it := range e.mustGet("/v1/imports/"+id+"/errors", e.officer)["items"].([]any) {
				out = append(out, it.(map[string]any))
			}
			if len(out) != 1 || out[0]["row"] != float64(3) || out[0]["column"] != "given_name" {
				t.Fatalf("row errors of %s: %v", id, out)
			}
			return out
		}
		stored := func() int {
			return e.countRows(`SELECT count(*) FROM import_job_errors WHERE job_id IN (?, ?) AND message <> ''`, failed, continued)
		}
		// Before the expiry: the messages as found.
		clock.set(start.Add(keep - time.Second))
		for _, id := range []string{failed, continued} {
			if got := rowErrors(id)[0]; got["message"] != "is required" || got["redacted"] != nil {
				t.Fatalf("before expiry: %v", got)
			}
		}
		// From the expiry on: answered without them, before the sweep has run.
		clock.set(start.Add(keep))
		for _, id := range []string{failed, continued} {
			if got := rowErrors(id)[0]; got["message"] != imports.RedactedMessage || got["redacted"] != true {
				t.Fatalf("at expiry: %v", got)
			}
		}
		if n := stored(); n != 2 {
			t.Fatalf("%d messages stored before the sweep", n)
		}
		// The sweep empties them, with a delete audit event naming what went.
		if n, err := e.app.Imports.SweepFiles(context.Background()); err != nil || n != 2 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if n := stored(); n != 0 {
			t.Fatalf("%d messages stored after the sweep", n)
		}
		deleted := func(id, fields string) int {
			return e.countRows(`SELECT count(*) FROM audit_events WHERE action = 'delete' AND record_type = 'import_job' AND record_id = ?
				AND purpose = 'retention' AND changed_fields LIKE ?`, id, fields)
		}
		if deleted(failed, "%errors%") != 1 || deleted(failed, "%files%") != 0 || deleted(continued, "%files%errors%") != 1 {
			t.Fatalf("retention audit events: failed %d/%d, continued %d", deleted(failed, "%errors%"), deleted(failed, "%files%"),
				deleted(continued, "%files%errors%"))
		}
		for _, id := range []string{failed, continued} {
			if got := rowErrors(id)[0]; got["message"] != imports.RedactedMessage || got["redacted"] != true {
				t.Fatalf("after the sweep: %v", got)
			}
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) {
		o.Clock, o.Imports.FilesRetention = clock.now, keep
	})
}

// TestImportKeepsFirstErrors: a file refused row after row keeps the first importjobs.KeptErrors
// row errors, in the order found, and counts every one; continuing on error its rejects file still
// holds every refused row.
func TestImportKeepsFirstErrors(t *testing.T) {
	const n = importjobs.KeptErrors + 37
	var b strings.Builder
	b.WriteString(importHeader)
	for i := range n {
		fmt.Fprintf(&b, "bridge,E%d,Child,Refused,%02d/03/2015,,ASD\n", i, 1+i%28) // the date in the wrong form
	}
	each(t, func(t *testing.T, e *env) {
		for _, query := range []string{"kind=young-people", "kind=young-people&continue_on_error=true"} {
			id := e.submitImport(e.officer, query, b.String(), http.StatusAccepted)
			j := e.runJob(e.officer, id)
			if j["error_count"] != float64(n) || j["counts"].(map[string]any)["rejected"] != float64(n) {
				t.Fatalf("%s: %v", query, j)
			}
			if kept := e.countRows(`SELECT count(*) FROM import_job_errors WHERE job_id = ?`, id); kept != importjobs.KeptErrors {
				t.Fatalf("%s: %d row errors kept; want the first %d", query, kept, importjobs.KeptErrors)
			}
			// The last kept is the KeptErrors-th found: row KeptErrors + 1 (the header is row 1).
			last := e.mustGet("/v1/imports/"+id+"/errors?limit=1&cursor="+strconv.Itoa(importjobs.KeptErrors-1), e.officer)["items"].([]any)
			if len(last) != 1 || last[0].(map[string]any)["row"] != float64(importjobs.KeptErrors+1) || last[0].(map[string]any)["column"] != "date_of_birth" {
				t.Fatalf("%s: the last row error kept: %v", query, last)
			}
			if j["continue_on_error"] == true {
				r := e.do(http.MethodGet, "/v1/imports/"+id+"/rejects", e.officer, nil)
				if lines := strings.Count(string(r.body), "\n"); r.status != http.StatusOK || lines != n+1 {
					t.Fatalf("rejects: %d, %d lines; want the header and %d rows", r.status, lines, n)
				}
			}
		}
	}, importsEnv)
}

// TestImportCountsLive: while a job runs, reading it (and listing the jobs) gives its counts as
// they are, from the process running it, not those its lease last wrote (every ten seconds; on
// SQLite, whose one writer is the import's transaction, nothing until the rows are written).
func TestImportCountsLive(t *testing.T) {
	const n = 6000
	var b strings.Builder
	b.WriteString(importHeader)
	for i := range n {
		fmt.Fprintf(&b, "bridge,L%d,Child,Live,2015-03-01,,ASD\n", i)
	}
	each(t, func(t *testing.T, e *env) {
		id := e.submitImport(e.officer, "kind=young-people", b.String(), http.StatusAccepted)
		ran := make(chan error, 1)
		go func() { ran <- e.app.Imports.RunPending(context.Background()) }()
		seen := map[string]int{} // what the reads showed while it ran: "one" (the job), "list"
		for done := false; !done; {
			select {
			case err := <-ran:
				if err != nil {
					t.Fatal(err)
				}
				done = true
			default:
			}
			one := e.mustGet("/v1/imports/"+id, e.officer)
			var listed map[string]any
			for _, it := range e.mustGet("/v1/imports?limit=5", e.officer)["items"].([]any) {
				if it.(map[string]any)["id"] == id {
					listed = it.(map[string]any)
				}
			}
			for name, j := range map[string]map[string]any{"one": one, "list": listed} {
				c := j["counts"].(map[string]any)
				if created := c["created"].(float64); j["status"] == "running" && created > 0 && created < n && c["rows_read"] == float64(n) {
					seen[name]++
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		if j := e.mustGet("/v1/imports/"+id, e.officer); j["status"] != "succeeded" || j["counts"].(map[string]any)["created"] != float64(n) {
			t.Fatalf("finished: %v", j)
		}
		if seen["one"] == 0 || seen["list"] == 0 {
			t.Fatalf("no read showed the rows being written while the job ran (reads with counts part way: %v)", seen)
		}
		t.Logf("reads part way: %v", seen)
	}, importsEnv)
}
