package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/importjob"
	"github.com/oneplan-send/oneplan/internal/imports"
	"github.com/oneplan-send/oneplan/internal/person"
)

// reconfigured is a server over e's database with the import settings o (a replica, or the same
// deployment restarted with other settings); e's keys work on it.
func (e *env) reconfigured(o importjobs.Options, blobs *blobstore.Store, clock func() time.Time) *env {
	e.t.Helper()
	o.Manual = true
	a := app.New(e.st, app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true, ExternalIDSystems: externalid.Systems{"bridge"}},
		Imports: o, Blobs: blobs, Clock: clock})
	h, err := httpapi.New(a, httpapi.Options{RateLimit: 10000, RateBurst: 10000})
	if err != nil {
		e.t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	e.t.Cleanup(srv.Close)
	r := *e
	r.srv, r.app = srv, a
	return &r
}

// TestImportExpiryStored: a job's expiry is set as it finishes (or is cancelled), from the
// retention in force then: the deployment reconfigured with a shorter retention, or a longer one,
// answers the same rejects_expires_at, downloads the rejects file and lists the row errors until
// then, and its sweep takes the job then, not before nor later. A job finished before expiries
// were stored (none kept) still follows the setting in force.
func TestImportExpiryStored(t *testing.T) {
	blobs := blobstore.Memory()
	clock := &svClock{}
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	const keep = 10 * day
	each(t, func(t *testing.T, e *env) {
		clock.set(start)
		ctx := context.Background()
		bad := importHeader + "bridge,K1,Kay,Kept,2015-03-01,,ASD\nbridge,K2,,Refused,2015-03-01,,\n"
		stored := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		e.runJob(e.officer, stored)
		legacy := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		e.runJob(e.officer, legacy)
		e.execSQL(`UPDATE import_jobs SET files_expire_at = NULL WHERE id = ?`, legacy)
		cancelled := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		if r := e.do(http.MethodPost, "/v1/imports/"+cancelled+"/cancel", e.officer, nil); r.status != http.StatusOK {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
		expiry := start.Add(keep).Format(time.RFC3339)
		if j := e.mustGet("/v1/imports/"+stored, e.officer); j["rejects_expires_at"] != expiry {
			t.Fatalf("expiry as finished: %v", j["rejects_expires_at"])
		}
		check := func(s *env, id, wantExpiry string, wantRejects int, wantRedacted bool) {
			t.Helper()
			if j := s.mustGet("/v1/imports/"+id, s.officer); j["rejects_expires_at"] != wantExpiry {
				t.Fatalf("job %s expires at %v, want %s", id, j["rejects_expires_at"], wantExpiry)
			}
			if r := s.do(http.MethodGet, "/v1/imports/"+id+"/rejects", s.officer, nil); r.status != wantRejects {
				t.Fatalf("job %s rejects: %d, want %d", id, r.status, wantRejects)
			}
			errs := s.mustGet("/v1/imports/"+id+"/errors", s.officer)["items"].([]any)
			if got := errs[0].(map[string]any)["redacted"] == true; got != wantRedacted {
				t.Fatalf("job %s row errors redacted %v", id, got)
			}
		}

		// Reconfigured with a shorter retention, 3 days on: the jobs that stored theirs keep it.
		shorter := e.reconfigured(importjobs.Options{FilesRetention: 2 * day}, blobs, clock.now)
		clock.set(start.Add(3 * day))
		check(shorter, stored, expiry, http.StatusOK, false)
		check(shorter, legacy, start.Add(2*day).Format(time.RFC3339), http.StatusGone, true)
		if n, err := shorter.app.Imports.SweepFiles(ctx); err != nil || n != 1 {
			t.Fatalf("sweep under a shorter retention: %d %v", n, err)
		}
		if n := e.countRows(`SELECT count(*) FROM import_jobs WHERE files_deleted_at IS NOT NULL AND id = ?`, legacy); n != 1 {
			t.Fatal("the job without a stored expiry was not swept")
		}

		// Reconfigured with a longer one, at the stored expiry: gone, and swept.
		longer := e.reconfigured(importjobs.Options{FilesRetention: 30 * day}, blobs, clock.now)
		clock.set(start.Add(keep - time.Second))
		check(longer, stored, expiry, http.StatusOK, false)
		if n, err := longer.app.Imports.SweepFiles(ctx); err != nil || n != 0 {
			t.Fatalf("sweep a second before the stored expiry: %d %v", n, err)
		}
		clock.set(start.Add(keep))
		check(longer, stored, expiry, http.StatusGone, true)
		if r := longer.do(http.MethodGet, "/v1/imports/"+stored+"/rejects", longer.officer, nil); r.status != http.StatusGone ||
			!strings.Contains(string(r.body), "deleted 10 days after the job finished") {
			t.Fatalf("rejects at the stored expiry: %d %s", r.status, r.body)
		}
		if n, err := longer.app.Imports.SweepFiles(ctx); err != nil || n != 2 {
			t.Fatalf("sweep at the stored expiry (the finished job and the cancelled one): %d %v", n, err)
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) {
		o.Blobs, o.Clock, o.Imports.FilesRetention = blobs, clock.now, keep
	})
}

// TestImportFailureRetention: a failed job's failure may quote a database's refusal of a row, so
// it goes with the job's files: answered without it from the expiry on (the job and its list,
// before any sweep), and deleted from the database by the sweep with the delete audit event
// naming it; a command-line run's job (no files) is swept for its failure alone.
func TestImportFailureRetention(t *testing.T) {
	clock := &svClock{}
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	const keep = 10 * 24 * time.Hour
	each(t, func(t *testing.T, e *env) {
		clock.set(start)
		ctx := context.Background()
		bad := importHeader + "bridge,K1,Kay,Kept,2015-03-01,,ASD\nbridge,K2,,Refused,2015-03-01,,\n"
		failed := e.submitImport(e.officer, "kind=young-people", bad, http.StatusAccepted)
		j := e.runJob(e.officer, failed)
		said, _ := j["failure"].(string)
		if j["status"] != "failed" || said == "" {
			t.Fatalf("the failed job: %v", j)
		}
		const quoted = `insert young person: duplicate key value (nhs_number)=(9434765919)`
		cli := casework.NewID()
		officer := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleSENDOfficer, OrganisationID: e.council, Subject: "oneplan-import"})
		if err := e.app.Imports.RecordRun(officer, nil, importjobs.CommandRun{ID: cli, Kind: "young-people", FileName: "caseload.csv",
			Counts: importjob.Counts{Rows: 1, Refused: 1}, Failure: quoted}); err != nil {
			t.Fatal(err)
		}
		failureOf := func(id string) any {
			if got := e.mustGet("/v1/imports/"+id, e.officer); got["status"] != "failed" {
				t.Fatalf("job %s: %v", id, got)
			} else {
				for _, it := range e.mustGet("/v1/imports?limit=100", e.officer)["items"].([]any) {
					if l := it.(map[string]any); l["id"] == id && l["failure"] != got["failure"] {
						t.Fatalf("job %s listed with failure %v, read with %v", id, l["failure"], got["failure"])
					}
				}
				return got["failure"]
			}
			return nil
		}
		clock.set(start.Add(keep - time.Second))
		if failureOf(failed) != said || failureOf(cli) != quoted {
			t.Fatalf("before expiry: %v / %v", failureOf(failed), failureOf(cli))
		}
		// From the expiry on: answered without it, before the sweep.
		clock.set(start.Add(keep))
		for _, id := range []string{failed, cli} {
			if got := failureOf(id); got != imports.RedactedFailure {
				t.Fatalf("job %s at expiry: %v", id, got)
			}
		}
		stored := func() int {
			return e.countRows(`SELECT count(*) FROM import_jobs WHERE id IN (?, ?) AND failure IS NOT NULL`, failed, cli)
		}
		if n := stored(); n != 2 {
			t.Fatalf("%d failures stored before the sweep", n)
		}
		if n, err := e.app.Imports.SweepFiles(ctx); err != nil || n != 2 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if n := stored(); n != 0 {
			t.Fatalf("%d failures stored after the sweep", n)
		}
		for _, id := range []string{failed, cli} {
			if n := e.countRows(`SELECT count(*) FROM audit_events WHERE action = 'delete' AND record_type = 'import_job' AND record_id = ?
				AND purpose = 'retention' AND changed_fields LIKE '%failure%'`, id); n != 1 {
				t.Fatalf("job %s: %d delete audit events naming its failure", id, n)
			}
			if got := failureOf(id); got != imports.RedactedFailure {
				t.Fatalf("job %s after the sweep: %v", id, got)
			}
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) {
		o.Clock, o.Imports.FilesRetention = clock.now, keep
	})
}

// TestImportRejectsOpenFailureNotAudited: a rejects download whose file fails to open (here, gone
// from the blob store before its expiry) sends nothing, so it writes no export audit event, and
// answers 410; the one that opens does.
func TestImportRejectsOpenFailureNotAudited(t *testing.T) {
	blobs := blobstore.Memory()
	each(t, func(t *testing.T, e *env) {
		bad := importHeader + "bridge,K1,Kay,Kept,2015-03-01,,ASD\nbridge,K2,,Refused,2015-03-01,,\n"
		id := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", bad, http.StatusAccepted)
		e.runJob(e.officer, id)
		exports := func() int {
			return e.countRows(`SELECT count(*) FROM audit_events WHERE action = 'export' AND record_type = 'import_job' AND record_id = ?`, id)
		}
		if r := e.do(http.MethodGet, "/v1/imports/"+id+"/rejects", e.officer, nil); r.status != http.StatusOK || exports() != 1 {
			t.Fatalf("download: %d, %d export events", r.status, exports())
		}
		if err := blobs.Delete(context.Background(), imports.RejectsKeyOf(id)); err != nil {
			t.Fatal(err)
		}
		if r := e.do(http.MethodGet, "/v1/imports/"+id+"/rejects", e.officer, nil); r.status != http.StatusGone {
			t.Fatalf("a download of a file gone: %d %s", r.status, r.body)
		}
		if n := exports(); n != 1 {
			t.Fatalf("%d export events after a download that failed to open", n)
		}
	}, importsEnv, func(_ *httpapi.Options, o *app.Options) { o.Blobs = blobs })
}
