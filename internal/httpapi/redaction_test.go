package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/redact"
	"github.com/oneplan-send/oneplan/internal/store"
)

// A child whose details are seeded into each failure below, to be looked for in the log.
const (
	secretGiven  = "Zebedee"
	secretFamily = "Quartermaine"
	secretBorn   = "2014-03-02"
)

// noPersonal fails if the log, or another text, holds any of the seeded details.
func noPersonal(t *testing.T, what, text string, details ...string) {
	t.Helper()
	for _, d := range append([]string{secretGiven, secretFamily, secretBorn}, details...) {
		if strings.Contains(text, d) {
			t.Fatalf("%s holds %q:\n%s", what, d, text)
		}
	}
}

// logLines are the log's lines whose message is msg.
func logLines(logs, msg string) []string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"msg":"`+msg+`"`) {
			out = append(out, l)
		}
	}
	return out
}

// TestDatabaseFailuresKeepChildrenOutOfTheLog: on both databases, a write the database refuses
// with a message or detail quoting the child (a check constraint's failing row, a trigger's
// message) is answered 500 without the child, and logged once as "request failed" with its
// SQLSTATE or result code and constraint, without the child; a unique-key violation on an NHS
// number is answered 409 and logs nothing of it.
func TestDatabaseFailuresKeepChildrenOutOfTheLog(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		pg := e.st.Dialect() == store.Postgres
		nhs := newNHSNumber()
		child := map[string]any{"given_name": secretGiven, "family_name": secretFamily, "date_of_birth": secretBorn, "nhs_number": nhs}
		if pg {
			// Detail: "Failing row contains (..., Zebedee, Quartermaine, ..., 2014-03-02, 999...)".
			e.exec(`ALTER TABLE young_people ADD CONSTRAINT test_refuse_given_name CHECK (given_name <> '` + secretGiven + `')`)
		} else {
			e.exec(`CREATE TRIGGER test_refuse_given_name BEFORE INSERT ON young_people WHEN NEW.given_name = '` + secretGiven + `'
				BEGIN SELECT RAISE(ABORT, 'refused ` + secretGiven + ` ` + secretFamily + ` ` + nhs + `'); END`)
		}
		// A 500 is outside the contract (none is ever meant to happen), so these requests bypass
		// the harness's response validation.
		plain := *e.env
		plain.httpc = e.srv.Client()
		r := plain.do(http.MethodPost, "/v1/young-people", e.officer, child)
		r.problem(t, http.StatusInternalServerError)
		noPersonal(t, "the answer", string(r.body), nhs)
		failed := logLines(e.logs.String(), "request failed")
		if len(failed) != 1 {
			t.Fatalf("want one request failed line, got %d:\n%s", len(failed), e.logs.String())
		}
		want := []string{`"route":"/v1/young-people"`, `"class":"sqlite"`, `"sqlite_result":"SQLITE_CONSTRAINT_TRIGGER"`}
		if pg {
			want = []string{`"route":"/v1/young-people"`, `"class":"postgres"`, `"sqlstate":"23514"`, `"constraint":"test_refuse_given_name"`, `"table":"young_people"`}
		}
		for _, w := range want {
			if !strings.Contains(failed[0], w) {
				t.Fatalf("the line lacks %s: %s", w, failed[0])
			}
		}

		if pg {
			// A PostgreSQL trigger quoting the row in its message.
			e.exec(`CREATE FUNCTION test_refuse_family() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				IF NEW.family_name = 'Trigger` + secretFamily + `' THEN RAISE EXCEPTION 'refused % % born %', NEW.given_name, NEW.nhs_number, NEW.date_of_birth; END IF;
				RETURN NEW; END $$`)
			e.exec(`CREATE TRIGGER test_refuse_family BEFORE INSERT ON young_people FOR EACH ROW EXECUTE FUNCTION test_refuse_family()`)
			other := map[string]any{"given_name": "Quentin" + secretFamily, "family_name": "Trigger" + secretFamily, "date_of_birth": secretBorn, "nhs_number": newNHSNumber()}
			r := plain.do(http.MethodPost, "/v1/young-people", e.officer, other)
			r.problem(t, http.StatusInternalServerError)
			noPersonal(t, "the answer", string(r.body), other["nhs_number"].(string))
			failed := logLines(e.logs.String(), "request failed")
			if len(failed) != 2 || !strings.Contains(failed[1], `"sqlstate":"P0001"`) {
				t.Fatalf("the trigger's failure is not logged by class:\n%s", e.logs.String())
			}
		}

		// A unique index on the NHS number (the service allows duplicates, for the SEND team to
		// review; the index stands in for any unique key a value may break): 409, nothing logged.
		e.exec(`CREATE UNIQUE INDEX test_unique_nhs_number ON young_people (nhs_number)`)
		first := map[string]any{"given_name": "Robin", "family_name": secretFamily + "son", "date_of_birth": secretBorn, "nhs_number": nhs}
		e.create(e.officer, first)
		// The outsider cannot see the first record, so the service records the second as new and
		// only the database refuses it.
		dup := e.do(http.MethodPost, "/v1/young-people", e.outsider, map[string]any{"given_name": "Robyn", "family_name": secretFamily, "date_of_birth": secretBorn, "nhs_number": nhs})
		dup.problem(t, http.StatusConflict)
		noPersonal(t, "the answer", string(dup.body), nhs)
		if n := len(logLines(e.logs.String(), "request failed")); (pg && n != 2) || (!pg && n != 1) {
			t.Fatalf("a conflict was logged as a failure:\n%s", e.logs.String())
		}
		noPersonal(t, "the log", e.logs.String(), nhs)
		if !strings.Contains(e.logs.String(), `"status":409`) {
			t.Fatalf("the request log does not record the conflict:\n%s", e.logs.String())
		}
	})
}

// TestDecodeErrorsNameTheFieldNotTheValue: a body that cannot be read, or a value of the wrong
// shape, is answered 400 naming the field; the log holds neither the value nor the name in it.
func TestDecodeErrorsNameTheFieldNotTheValue(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nhs := newNHSNumber()
		for _, c := range []struct {
			name, body, pointer string
		}{
			{"a date that is a name", `{"given_name":"` + secretGiven + `","family_name":"` + secretFamily + `","date_of_birth":"` + secretGiven + ` ` + secretFamily + `"}`, "/date_of_birth"},
			{"an NHS number as a number", `{"given_name":"` + secretGiven + `","family_name":"` + secretFamily + `","date_of_birth":"` + secretBorn + `","nhs_number":` + nhs + `}`, "/nhs_number"},
			{"malformed JSON", `{"given_name":"` + secretGiven + `" "family_name":"` + secretFamily + `","date_of_birth":"` + secretBorn + `"}`, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := e.do(http.MethodPost, "/v1/young-people", e.officer, c.body).problem(t, http.StatusBadRequest)
				if c.pointer != "" && !hasPointer(p, c.pointer) {
					t.Fatalf("the answer does not name %s: %v", c.pointer, pointers(p))
				}
			})
		}
		noPersonal(t, "the log", e.logs.String(), nhs)
		if n := strings.Count(e.logs.String(), `"status":400`); n != 3 {
			t.Fatalf("want 3 request lines with status 400, got %d:\n%s", n, e.logs.String())
		}
	})
}

// TestImportCellsStayOutOfTheLog: an import whose cells are refused (a name where a date goes, a
// stray quote) tells the caller the row and column; the log (the worker's included) holds none
// of the cells.
func TestImportCellsStayOutOfTheLog(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nhs := newNHSNumber()
		bad := importHeader +
			"bridge,R1," + secretGiven + "," + secretFamily + "," + secretGiven + " " + secretFamily + "," + nhs + ",ASD\n"
		id := e.submitImport(e.officer, "kind=young-people", bad, http.StatusAccepted)
		j := e.finishedJob(id)
		if j["status"] != "failed" {
			t.Fatalf("a refused row's job: %v", j)
		}
		errs := e.mustGet("/v1/imports/"+id+"/errors", e.officer)["items"].([]any)
		if len(errs) == 0 || errs[0].(map[string]any)["column"] != "date_of_birth" {
			t.Fatalf("the row error does not name the column: %v", errs)
		}

		malformed := importHeader + "bridge,R2," + secretGiven + `,"` + secretFamily + `"x,` + secretBorn + "," + nhs + ",ASD\n"
		id = e.submitImport(e.officer, "kind=young-people", malformed, http.StatusAccepted)
		if j := e.finishedJob(id); j["status"] != "failed" {
			t.Fatalf("a malformed file's job: %v", j)
		}
		noPersonal(t, "the log", e.logs.String(), nhs)
	})
}

// TestImportWorkerFailuresAreLoggedByClass: when the database refuses what the import worker
// writes, with a message quoting the child, the worker's log line says which class of failure it
// was and holds nothing of the child.
func TestImportWorkerFailuresAreLoggedByClass(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		pg := e.st.Dialect() == store.Postgres
		nhs := newNHSNumber()
		if pg {
			e.exec(`CREATE FUNCTION test_refuse_row_error() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				RAISE EXCEPTION 'refused row % of ` + secretGiven + ` ` + secretFamily + `: %', NEW.row_number, NEW.message; END $$`)
			e.exec(`CREATE TRIGGER test_refuse_row_error BEFORE INSERT ON import_job_errors FOR EACH ROW EXECUTE FUNCTION test_refuse_row_error()`)
		} else {
			e.exec(`CREATE TRIGGER test_refuse_row_error BEFORE INSERT ON import_job_errors
				BEGIN SELECT RAISE(ABORT, 'refused ` + secretGiven + ` ` + secretFamily + ` ` + nhs + `'); END`)
		}
		bad := importHeader + "bridge,W1," + secretGiven + "," + secretFamily + "," + secretGiven + " " + secretFamily + "," + nhs + ",ASD\n"
		e.submitImport(e.officer, "kind=young-people", bad, http.StatusAccepted)
		var lines []string
		for deadline := time.Now().Add(20 * time.Second); len(lines) == 0 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
			lines = logLines(e.logs.String(), "import job")
		}
		if len(lines) == 0 {
			t.Fatalf("the worker logged no failure:\n%s", e.logs.String())
		}
		want := `"sqlite_result":"SQLITE_CONSTRAINT_TRIGGER"`
		if pg {
			want = `"sqlstate":"P0001"`
		}
		if !strings.Contains(lines[0], want) || !strings.Contains(lines[0], `"level":"WARN"`) {
			t.Fatalf("the worker's line lacks %s: %s", want, lines[0])
		}
		t.Log(lines[0])
		noPersonal(t, "the log", e.logs.String(), nhs)
	})
}

// finishedJob waits for import job id to finish, whichever worker runs it (the server's own
// worker may have claimed it before RunPending looks).
func (e *env) finishedJob(id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := e.app.Imports.RunPending(context.Background()); err != nil {
			e.t.Fatal(err)
		}
		j := e.mustGet("/v1/imports/"+id, e.officer)
		if j["status"] == "succeeded" || j["status"] == "failed" {
			return j
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job not finished: %v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebhookAnswersStayOutOfTheLog: a receiver answering with a body full of a child's details
// is recorded as its status only, and the dispatcher's log (as `oneplan serve` wires it) holds
// none of the body.
func TestWebhookAnswersStayOutOfTheLog(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nhs := newNHSNumber()
		leaky := fmt.Sprintf(`{"error":"no match for %s %s born %s, NHS number %s"}`, secretGiven, secretFamily, secretBorn, nhs)
		var hits atomic.Int32
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			_, _ = io.Copy(io.Discard, req.Body)
			hits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, leaky)
		}))
		t.Cleanup(rcv.Close)
		res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council", "url": rcv.URL + "/hook"})
		if res.status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", res.status, res.body)
		}
		sub := res.json(t)["subscription"].(map[string]any)["id"].(string)
		e.create(e.officer, map[string]any{"given_name": secretGiven, "family_name": secretFamily, "date_of_birth": secretBorn, "nhs_number": nhs})

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.app.Webhooks.Run(ctx, redact.Reporter(slog.New(slog.NewJSONHandler(e.logs, nil)), "event dispatch"))
		}()
		// The dispatcher runs until an attempt answered 500 is recorded: stopped at the first
		// hit, the attempts still in flight were cut off and recorded as connection failures.
		var atts reply
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if hits.Load() > 0 {
				atts = e.do(http.MethodGet, "/v1/webhook-subscriptions/"+sub+"/deliveries?limit=200", e.admin, nil)
				if atts.status == http.StatusOK && strings.Contains(string(atts.body), "status_500") {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		if hits.Load() == 0 {
			t.Fatal("nothing was delivered")
		}
		if atts.status != http.StatusOK || !strings.Contains(string(atts.body), "status_500") {
			t.Fatalf("deliveries: %d %s", atts.status, atts.body)
		}
		noPersonal(t, "the deliveries", string(atts.body), nhs)
		noPersonal(t, "the log", e.logs.String(), nhs, "no match for")
	}, webhookOptions)
}
