package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// jobOf is the import job id a run's summary line names.
func jobOf(t *testing.T, out string) string {
	t.Helper()
	i := strings.LastIndex(out, "; import ")
	if i < 0 {
		t.Fatalf("no job in %q", out)
	}
	return strings.Fields(out[i+len("; import "):])[0]
}

// TestImportSummary: every command-line run, refused, dry or written, records one finished job
// with its counts and one summary audit event (complete, with the run's request id) and
// import_job.finished; the job keeps the file's name (shown with the job: GET /v1/imports/{id})
// but never its path, and neither event carries the name; and a subject access export of an imported
// child shows the record came from that import.
func TestImportSummary(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			summary := func(what, job, status string, dryRun bool, read, created, unchanged, rejected int) {
				t.Helper()
				if n := count(t, dsn, `SELECT count(*) FROM import_jobs WHERE id = ? AND kind = 'young-people' AND status = ? AND dry_run = ?
					AND rows_read = ? AND rows_created = ? AND rows_unchanged = ? AND rows_rejected = ? AND file_size > 0 AND finished_at IS NOT NULL`,
					job, status, dryRun, read, created, unchanged, rejected); n != 1 {
					t.Errorf("%s: no %s job %s with its counts", what, status, job)
				}
				if n := count(t, dsn, "SELECT count(*) FROM audit_events WHERE action = 'complete' AND record_type = 'import_job' AND record_id = ? AND request_id = ? AND purpose = 'import'",
					job, "import-"+job); n != 1 {
					t.Errorf("%s: %d summary audit events", what, n)
				}
				if n := count(t, dsn, "SELECT count(*) FROM outbox_events WHERE event_type = 'import_job.finished' AND record_id = ?", job); n != 1 {
					t.Errorf("%s: %d import_job.finished events", what, n)
				}
			}
			bad := writeFile(t, "Ada-Lovelace-caseload.csv", ypHeader+"bridge,S1,Ada,Lovelace,2015-03-01,,ASD\nbridge,S2,,Byron,2015-03-01,,\n")
			out, _, err := runCmd(t, "import", "young-people", "--quiet", bad)
			if err == nil {
				t.Fatal("a bad file was taken")
			}
			job := jobOf(t, out)
			summary("a refused file", job, "failed", false, 2, 0, 0, 1)
			if n := count(t, dsn, "SELECT count(*) FROM import_jobs WHERE failure LIKE '%Lovelace%'"); n != 0 {
				t.Error("the job's failure names the file")
			}
			if n := count(t, dsn, "SELECT count(*) FROM import_jobs WHERE id = ? AND file_name = 'Ada-Lovelace-caseload.csv'", job); n != 1 {
				t.Error("the job does not keep the file's name")
			}
			for _, q := range []string{"SELECT count(*) FROM import_jobs WHERE file_name LIKE '%/%' OR file_name LIKE '%\\%'",
				"SELECT count(*) FROM outbox_events WHERE payload LIKE '%Lovelace%'",
				"SELECT count(*) FROM audit_events WHERE changed_fields LIKE '%Lovelace%' OR request_id LIKE '%Lovelace%' OR purpose LIKE '%Lovelace%'"} {
				if n := count(t, dsn, q); n != 0 {
					t.Errorf("%s: %d", q, n)
				}
			}

			var good strings.Builder
			good.WriteString(ypHeader)
			for i := 1; i <= 3; i++ {
				fmt.Fprintf(&good, "bridge,S%d,Child%d,Summary,2015-03-01,%s,ASD\n", i+10, i, nhs(500+i))
			}
			file := writeFile(t, "good.csv", good.String())
			summary("a dry run", jobOf(t, mustRun(t, "import", "young-people", "--dry-run", "--quiet", file)), "succeeded", true, 3, 3, 0, 0)
			job = jobOf(t, mustRun(t, "import", "young-people", "--quiet", file))
			summary("an import", job, "succeeded", false, 3, 3, 0, 0)
			if n := count(t, dsn, "SELECT count(*) FROM import_jobs WHERE id = ? AND file_name = 'good.csv'", job); n != 1 {
				t.Error("an import written all or nothing does not keep its file's name")
			}
			summary("a re-run", jobOf(t, mustRun(t, "import", "young-people", "--quiet", file)), "succeeded", false, 3, 0, 3, 0)
			summary("continuing on error", jobOf(t, mustRun(t, "import", "young-people", "--quiet", "--continue-on-error", bad)), "succeeded", false, 2, 1, 0, 1)
			if n := count(t, dsn, "SELECT count(*) FROM import_jobs"); n != 5 {
				t.Errorf("%d jobs, want one a run", n)
			}

			// The subject access export of an imported child names the import.
			ctx := context.Background()
			a, err := open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.store.Close() }()
			council := councilOrg(t, dsn)
			var child string
			db, err := a.store.SQL()
			if err != nil {
				t.Fatal(err)
			}
			q := "SELECT record_id FROM external_ids WHERE value = 'S11'"
			if err := db.QueryRowContext(ctx, q).Scan(&child); err != nil {
				t.Fatal(err)
			}
			pctx := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleSENDOfficer, OrganisationID: council, Subject: "test"})
			x, err := a.app.Privacy.ExportYoungPerson(pctx, child)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range x.AccessLog {
				if e.Action == "create" && e.RecordType == "young_person" && e.Purpose == "import" && e.RequestID == "import-"+job {
					found = true
				}
				if e.ActorSubject != "" || e.ActorKeyID != "" || e.IP != "" {
					t.Errorf("the export shows staff details: %+v", e)
				}
			}
			if !found {
				t.Fatalf("the export does not show the record came from import %s: %+v", job, x.AccessLog)
			}
		})
	}
}
