package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestErrorClientClosedRequest: a caller hanging up mid-request (wrk closing its connections at
// the end of a run) is not a server error: logged at info, recorded as 499, no ERROR line.
func TestErrorClientClosedRequest(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// The API behind a gate: the request is held in the server until its client has gone,
		// then served, so every query it makes meets a cancelled context (as when a connection
		// closes while a handler waits on the database).
		started, served := make(chan struct{}), make(chan struct{})
		var once sync.Once
		api := e.srv.Config.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { close(started) })
			<-r.Context().Done()
			api.ServeHTTP(w, r)
			close(served)
		}))
		t.Cleanup(srv.Close)

		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/young-people", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.officer)
		req.Header.Set("X-Request-Id", "gone-1")
		failed := make(chan error, 1)
		go func() {
			res, err := srv.Client().Do(req)
			if err == nil {
				res.Body.Close()
			}
			failed <- err
		}()
		<-started
		cancel()
		if err := <-failed; err == nil {
			t.Fatal("the cancelled client got an answer")
		}
		<-served

		var access map[string]any
		for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil || m["request_id"] != "gone-1" {
				continue
			}
			if m["level"] == "ERROR" || m["msg"] == "request failed" {
				t.Errorf("a client hanging up was logged as a server error: %s", line)
			}
			if m["msg"] == "request" {
				access = m
			}
		}
		if access == nil {
			t.Fatalf("no access log line for the request:\n%s", e.logs.String())
		}
		if access["status"] != float64(499) {
			t.Errorf("access log status = %v, want 499", access["status"])
		}
	})
}
