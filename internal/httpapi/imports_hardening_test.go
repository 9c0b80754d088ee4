package httpapi_test

import (
	"net/http"
	"testing"
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
