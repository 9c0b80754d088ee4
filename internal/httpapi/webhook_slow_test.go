package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

// TestSlowReceiverHoldsUpNoOne: a receiver that keeps a delivery waiting does not hold up another
// subscription's deliveries. With the dispatcher running as `oneplan serve` runs it, and the slow
// receiver still holding the first event's delivery (it answers only when the test ends; the
// attempt's timeout is a minute), the healthy receiver gets the later events; the slow one is not
// sent a second delivery while its first is in flight. Each process's round used to wait for its
// slowest delivery before claiming anything new, so every subscription waited on the slowest.
func TestSlowReceiverHoldsUpNoOne(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		release := make(chan struct{})
		var held atomic.Int32
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			held.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		healthy := newReceiver(t)
		for _, url := range []string{slow.URL, healthy.srv.URL} {
			res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council",
				"url": url + "/hook", "event_types": []string{"organisation.created"}})
			if res.status != http.StatusCreated {
				t.Fatalf("subscribe: %d %s", res.status, res.body)
			}
			if url == healthy.srv.URL {
				healthy.secrets = []string{res.json(t)["secret"].(string)}
			}
		}
		org := func(name string) {
			if res := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": name, "type": "school_secondary", "locality": "East"}); res.status != http.StatusCreated {
				t.Fatalf("organisation: %d %s", res.status, res.body)
			}
		}
		delivered := func() int {
			got, _, bad := healthy.snapshot()
			if len(bad) > 0 {
				t.Fatalf("the healthy receiver refused %v", bad)
			}
			return len(got)
		}
		waitFor := func(what string, cond func() bool) {
			t.Helper()
			for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("gave up waiting for %s (healthy receiver has %d, slow receiver holds %d)", what, delivered(), held.Load())
				}
			}
		}

		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { e.app.Webhooks.Run(ctx, func(err error) { t.Errorf("dispatch: %v", err) }); close(stopped) }()
		// Let go of the slow receiver first: the dispatcher finishes what it has in flight before
		// it stops, and the receiver's Close waits for its requests.
		defer func() { close(release); cancel(); <-stopped; slow.Close() }()

		org("Slow Start Academy")
		waitFor("the first event at both receivers", func() bool { return delivered() == 1 && held.Load() == 1 })
		org("Second Academy")
		org("Third Academy")
		waitFor("the later events at the healthy receiver", func() bool { return delivered() == 3 })
		if n := held.Load(); n != 1 {
			t.Fatalf("the slow receiver was sent %d deliveries while its first was in flight, want 1", n)
		}
	}, func(o *httpapi.Options, a *app.Options) {
		webhookOptions(o, a)
		a.Dispatch.Timeout = time.Minute
		a.Dispatch.Interval = 20 * time.Millisecond
	})
}
