package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/webhooks"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// counting is a receiver that answers 204 at once and counts each webhook-id it is sent.
type counting struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string]int
}

func newCounting(t *testing.T) *counting {
	c := &counting{got: map[string]int{}}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.got[r.Header.Get("webhook-id")]++
		c.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *counting) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.got))
	for k, v := range c.got {
		out[k] = v
	}
	return out
}

// stalling is a receiver that never answers until released (or the request is abandoned).
func stalling(t *testing.T, release <-chan struct{}) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (e *env) subscribeTo(t *testing.T, url string, types ...string) string {
	t.Helper()
	if types == nil {
		types = []string{}
	}
	res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council",
		"url": url + "/hook", "event_types": types})
	if res.status != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", res.status, res.body)
	}
	return res.json(t)["subscription"].(map[string]any)["id"].(string)
}

func (e *env) youngPeople(t *testing.T, n int) {
	t.Helper()
	for range n {
		if res := e.do(http.MethodPost, "/v1/young-people", e.officer, map[string]any{"given_name": "Sam", "family_name": "Hook",
			"date_of_birth": "2016-05-04"}); res.status != http.StatusCreated {
			t.Fatalf("young person: %d %s", res.status, res.body)
		}
	}
}

// running runs dispatchers as `oneplan serve` does until the test ends (or stop is called).
func running(t *testing.T, svcs ...*webhooks.Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Run(ctx, func(err error) { t.Errorf("dispatch: %v", err) })
		}()
	}
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var loopback = webhook.Policy{Allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// slowOptions: a 100 ms attempt timeout (so a 300 ms lease) and two slots per process, so a
// receiver that never answers takes far longer than a lease to work through.
var slowOptions = webhooks.Options{Interval: 5 * time.Millisecond, Concurrency: 2, Timeout: 100 * time.Millisecond,
	Retry: webhook.Retry{Base: time.Hour, Cap: time.Hour, GiveUpAfter: 24 * time.Hour}}

// TestWebhookTwoProcessesSlowReceiver is the tester's finding: two processes on one database, a
// healthy receiver and one that never answers within the timeout. Before, a process claimed far
// more than it could send within its lease, sent them as slots freed however late, and recorded
// them in batches; the other process took the lapsed claims over and sent them again (the healthy
// receiver got duplicates; webhook_attempts held two attempt 1s of one delivery). Now a delivery
// is sent only while its claim outlasts the attempt, and recorded at once late in the lease: each
// event reaches the healthy receiver once, and no delivery has two attempts of the same number.
func TestWebhookTwoProcessesSlowReceiver(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		healthy := newCounting(t)
		release := make(chan struct{})
		defer close(release)
		slow := stalling(t, release)
		slowSub := e.subscribeTo(t, slow.URL, "young_person.created")
		healthySub := e.subscribeTo(t, healthy.srv.URL, "young_person.created")
		const n = 20
		e.youngPeople(t, n)
		other := webhooks.New(casework.Core{}, store.Bind(e.st, func(tx *store.Tx) webhooks.Tx { return tx }), loopback, slowOptions)
		stop := running(t, e.app.Webhooks, other)
		waitFor(t, "every event at the healthy receiver", 20*time.Second, func() bool { return len(healthy.counts()) == n })
		// Longer than a lease: what either process still held has had time to be taken over.
		time.Sleep(400 * time.Millisecond)
		stop()
		for id, k := range healthy.counts() {
			if k != 1 {
				t.Errorf("the healthy receiver was sent %s %d times", id, k)
			}
		}
		for _, sub := range []string{healthySub, slowSub} {
			seen := map[string]bool{}
			for _, it := range e.do(http.MethodGet, "/v1/webhook-subscriptions/"+sub+"/deliveries?limit=200", e.admin, nil).json(t)["items"].([]any) {
				a := it.(map[string]any)
				k := fmt.Sprint(a["event_id"], "#", a["attempt"])
				if seen[k] {
					t.Errorf("subscription %s: two attempts %s", sub, k)
				}
				seen[k] = true
			}
		}
	}, func(_ *httpapi.Options, a *app.Options) {
		a.WebhookPolicy, a.Dispatch = loopback, slowOptions
	})
}

// TestWebhookDisabledSubscriptionNotSent: a delivery queued (and failing) before its
// subscription was disabled is not retried while it is disabled; it is kept, and sent once the
// subscription is enabled again. Before, its retries went on being sent. The clock is moved
// forward, past any retry, rather than waited for.
func TestWebhookDisabledSubscriptionNotSent(t *testing.T) {
	var offset atomic.Int64
	each(t, func(t *testing.T, e *env) {
		r := newReceiver(t)
		r.down = true
		sub := e.subscribeTo(t, r.srv.URL, "organisation.created")
		if res := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": "Quiet Academy", "type": "school_secondary", "locality": "East"}); res.status != http.StatusCreated {
			t.Fatalf("organisation: %d %s", res.status, res.body)
		}
		e.dispatchUntil(t, "a refused attempt", func() bool { _, refused, _ := r.snapshot(); return refused == 1 })
		active := func(on bool) {
			t.Helper()
			if res := e.do(http.MethodPatch, "/v1/webhook-subscriptions/"+sub, e.admin, map[string]any{"active": on}); res.status != http.StatusOK {
				t.Fatalf("patch: %d %s", res.status, res.body)
			}
		}
		active(false)
		for range 3 {
			offset.Add(int64(time.Hour)) // every retry is due
			if _, err := e.app.Webhooks.Round(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if _, refused, _ := r.snapshot(); refused != 1 {
			t.Fatalf("a disabled subscription was sent %d more attempts", refused-1)
		}
		r.mu.Lock()
		r.down = false
		r.mu.Unlock()
		active(true)
		offset.Add(int64(time.Hour))
		e.dispatchUntil(t, "the kept delivery once enabled again", func() bool { got, _, _ := r.snapshot(); return len(got) == 1 })
	}, func(_ *httpapi.Options, a *app.Options) {
		a.WebhookPolicy = loopback
		a.Dispatch = webhooks.Options{Retry: webhook.Retry{Base: time.Minute, Cap: time.Minute, GiveUpAfter: 24 * time.Hour}}
		a.Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	})
}

// TestWebhookProblemsNameFields: a replay naming neither or both of since and after_event_id,
// and a feed asking for an unknown event type, say which field is wrong, as every other refusal
// does (query parameters as /query/<name>).
func TestWebhookProblemsNameFields(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sub := e.subscribeTo(t, "https://hooks.example.org")
		for _, body := range []map[string]any{{}, {"since": "2026-12-01T00:00:00Z", "after_event_id": sub}} {
			p := e.do(http.MethodPost, "/v1/webhook-subscriptions/"+sub+"/replay", e.admin, body).problem(t, http.StatusUnprocessableEntity)
			if !hasPointer(p, "/after_event_id") || !hasPointer(p, "/since") {
				t.Errorf("replay %v: pointers %q, want /after_event_id and /since", body, pointers(p))
			}
		}
		p := e.do(http.MethodGet, "/v1/events?types=no.such", e.officer, nil).problem(t, http.StatusBadRequest)
		if got := pointers(p); len(got) != 1 || got[0] != "/query/types" {
			t.Errorf("feed ?types=no.such: pointers %q, want /query/types", got)
		}
		// A cursor past the newest event was answered empty, and the reader skipped everything
		// until the numbering caught up with it.
		next := e.do(http.MethodGet, "/v1/events?limit=1", e.officer, nil).json(t)["next_cursor"].(string)
		p = e.do(http.MethodGet, "/v1/events?after=999999999", e.officer, nil).problem(t, http.StatusBadRequest)
		if got := pointers(p); len(got) != 1 || got[0] != "/query/after" {
			t.Errorf("feed past its end: pointers %q, want /query/after", got)
		}
		if r := e.do(http.MethodGet, "/v1/events?after="+next, e.officer, nil); r.status != http.StatusOK {
			t.Errorf("feed from a cursor it gave out: %d %s", r.status, r.body)
		}
	})
}

// TestWebhookShutdownRecordsNoAttempt: a delivery in flight when its process stops was recorded
// as the receiver's failure (connection_failed), waited out a retry's back-off (an hour here) and
// counted towards the subscription's failing, though the receiver had done nothing wrong. Now an
// attempt cut short by the stop is not recorded; its claim lapses and the next process sends it
// as attempt 1 once the lease is over. The clock is moved past the lease rather than waited for.
func TestWebhookShutdownRecordsNoAttempt(t *testing.T) {
	var offset atomic.Int64
	each(t, func(t *testing.T, e *env) {
		var calls atomic.Int32
		arrived := make(chan struct{}, 1)
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 { // the first is held until its sender gives up on it
				arrived <- struct{}{}
				select {
				case <-r.Context().Done():
				case <-release: // the test's end, should the abandoned request outlive it
				}
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(srv.Close)
		defer close(release)
		sub := e.subscribeTo(t, srv.URL, "young_person.created")
		e.youngPeople(t, 1)
		stop := running(t, e.app.Webhooks)
		select {
		case <-arrived:
		case <-time.After(20 * time.Second):
			t.Fatal("the delivery never reached the receiver")
		}
		stop()
		attempts := func() []any {
			return e.do(http.MethodGet, "/v1/webhook-subscriptions/"+sub+"/deliveries?limit=200", e.admin, nil).json(t)["items"].([]any)
		}
		if got := attempts(); len(got) != 0 {
			t.Fatalf("an attempt cut short by the stop was recorded: %v", got)
		}
		offset.Add(int64(time.Hour)) // past the lease (and any retry's back-off)
		e.dispatchUntil(t, "the delivery sent again", func() bool { return calls.Load() >= 2 && len(attempts()) > 0 })
		got := attempts()
		if a := got[0].(map[string]any); len(got) != 1 || a["attempt"] != float64(1) || a["response_code"] != float64(http.StatusNoContent) {
			t.Fatalf("attempts after the restart: %v, want one attempt 1 answered 204", got)
		}
	}, func(_ *httpapi.Options, a *app.Options) {
		a.WebhookPolicy = loopback
		a.Dispatch = webhooks.Options{Interval: 5 * time.Millisecond, Retry: webhook.Retry{Base: time.Hour, Cap: time.Hour, GiveUpAfter: 24 * time.Hour}}
		a.Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	})
}
