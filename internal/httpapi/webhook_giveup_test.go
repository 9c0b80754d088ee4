package httpapi_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework/webhooks"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// TestWebhookGivesUp: attempts are recorded in batches, and a delivery whose retries run out is
// settled failed, its subscription turns failing with one webhook_subscription.failing event, and
// the next delivery that succeeds makes it healthy again. The retry period here is a nanosecond:
// one retry, then give up.
func TestWebhookGivesUp(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r, sub := e.downReceiver(t)
		org := func(name string) {
			if res := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": name, "type": "school_secondary", "locality": "East"}); res.status != http.StatusCreated {
				t.Fatalf("organisation: %d %s", res.status, res.body)
			}
		}
		status := func() string {
			res := e.do(http.MethodGet, "/v1/webhook-subscriptions/"+sub, e.admin, nil)
			if res.status != http.StatusOK {
				t.Fatalf("subscription: %d %s", res.status, res.body)
			}
			return res.json(t)["status"].(string)
		}
		failingEvents := func() int {
			n := 0
			if err := e.st.Read(context.Background(), func(tx *store.Tx) error {
				evs, err := tx.Outbox().ForRecord(sub)
				for _, ev := range evs {
					if ev.Type == outbox.WebhookSubscriptionFailing.Name {
						n++
					}
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		org("Give Up Academy")
		e.dispatchUntil(t, "the subscription to fail", func() bool { return status() == "failing" })
		if n := failingEvents(); n != 1 {
			t.Fatalf("%d webhook_subscription.failing events, want 1", n)
		}
		atts := e.do(http.MethodGet, "/v1/webhook-subscriptions/"+sub+"/deliveries?limit=200", e.admin, nil).json(t)["items"].([]any)
		var retried, last int
		for _, it := range atts {
			a := it.(map[string]any)
			if a["response_code"] != float64(503) {
				t.Fatalf("attempt %v", a)
			}
			if a["next_retry_at"] != nil {
				retried++
			} else {
				last++
			}
		}
		if retried != 1 || last != 1 {
			t.Fatalf("attempts: %d with a retry, %d final; want 1 and 1: %v", retried, last, atts)
		}
		// Nothing more is attempted for the failed delivery.
		for range 3 {
			if _, err := e.app.Webhooks.Round(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(e.do(http.MethodGet, "/v1/webhook-subscriptions/"+sub+"/deliveries?limit=200", e.admin, nil).json(t)["items"].([]any)); n != 2 {
			t.Fatalf("%d attempts after giving up, want 2", n)
		}
		// The receiver is back: the next event is delivered and the subscription is healthy again.
		r.mu.Lock()
		r.down = false
		r.mu.Unlock()
		org("Back Again Academy")
		e.dispatchUntil(t, "the subscription to recover", func() bool { return status() == "healthy" })
		if got, _, bad := r.snapshot(); len(got) != 1 || len(bad) != 0 {
			t.Fatalf("received %d events (%d bad signatures), want the second one", len(got), len(bad))
		}
		if n := failingEvents(); n != 1 {
			t.Fatalf("%d webhook_subscription.failing events, want still 1", n)
		}
	}, func(o *httpapi.Options, a *app.Options) {
		a.WebhookPolicy = webhook.Policy{Allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
		a.Dispatch = webhooks.Options{Retry: webhook.Retry{Base: 10 * time.Millisecond, Cap: 10 * time.Millisecond, GiveUpAfter: time.Nanosecond}}
	})
}

// TestWebhookStatusChangeBumpsVersion: the dispatcher turning a subscription failing, and healthy
// again, changes what GET shows, so it takes the next version (a new ETag) and a new updated_at,
// and a PATCH whose If-Match was read before the change is refused (412) instead of saving over a
// status it never saw. Before, the status changed under an unchanged version and ETag.
func TestWebhookStatusChangeBumpsVersion(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r, sub := e.downReceiver(t)
		type seen struct {
			status, etag, updatedAt string
			version                 float64
		}
		get := func() seen {
			t.Helper()
			res := e.do(http.MethodGet, "/v1/webhook-subscriptions/"+sub, e.admin, nil)
			if res.status != http.StatusOK {
				t.Fatalf("subscription: %d %s", res.status, res.body)
			}
			d := res.json(t)
			return seen{status: d["status"].(string), etag: res.header.Get("ETag"), updatedAt: d["updated_at"].(string), version: d["version"].(float64)}
		}
		org := func(name string) {
			t.Helper()
			if res := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": name, "type": "school_secondary", "locality": "East"}); res.status != http.StatusCreated {
				t.Fatalf("organisation: %d %s", res.status, res.body)
			}
		}
		changed := func(what string, before, after seen) {
			t.Helper()
			if after.etag == before.etag || after.version != before.version+1 || after.updatedAt == before.updatedAt {
				t.Fatalf("%s: ETag %s -> %s, version %v -> %v, updated_at %s -> %s; want the next version, a new ETag and updated_at",
					what, before.etag, after.etag, before.version, after.version, before.updatedAt, after.updatedAt)
			}
		}

		healthy := get()
		if healthy.status != "healthy" || healthy.etag != `"1"` {
			t.Fatalf("new subscription: %+v", healthy)
		}
		org("Stale Tag Academy")
		e.dispatchUntil(t, "the subscription to fail", func() bool { return get().status == "failing" })
		failing := get()
		changed("turned failing", healthy, failing)
		// An optimistic PATCH read before the change is refused, and changes nothing.
		e.do(http.MethodPatch, "/v1/webhook-subscriptions/"+sub, e.admin, map[string]any{"active": false}, "If-Match", healthy.etag).
			problem(t, http.StatusPreconditionFailed)
		if now := get(); now != failing {
			t.Fatalf("a refused PATCH changed the subscription: %+v, was %+v", now, failing)
		}

		// Healthy again: another version, and it is among the changes since it failed.
		r.mu.Lock()
		r.down = false
		r.mu.Unlock()
		org("Fresh Tag Academy")
		e.dispatchUntil(t, "the subscription to recover", func() bool { return get().status == "healthy" })
		recovered := get()
		changed("healthy again", failing, recovered)
		list := e.do(http.MethodGet, "/v1/webhook-subscriptions?updated_since="+url.QueryEscape(recovered.updatedAt), e.admin, nil)
		if list.status != http.StatusOK {
			t.Fatalf("list: %d %s", list.status, list.body)
		}
		if items := list.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != sub {
			t.Fatalf("changes since the recovery: %v, want the subscription", items)
		}
		e.do(http.MethodPatch, "/v1/webhook-subscriptions/"+sub, e.admin, map[string]any{"active": false}, "If-Match", failing.etag).
			problem(t, http.StatusPreconditionFailed)
		if res := e.do(http.MethodPatch, "/v1/webhook-subscriptions/"+sub, e.admin, map[string]any{"active": false}, "If-Match", recovered.etag); res.status != http.StatusOK {
			t.Fatalf("PATCH with the current ETag: %d %s", res.status, res.body)
		}
	}, func(o *httpapi.Options, a *app.Options) {
		a.WebhookPolicy = webhook.Policy{Allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
		a.Dispatch = webhooks.Options{Retry: webhook.Retry{Base: 10 * time.Millisecond, Cap: 10 * time.Millisecond, GiveUpAfter: time.Nanosecond}}
	})
}

// downReceiver subscribes a council subscription to organisation.created at a receiver that is
// down, returning the receiver (which checks signatures with the subscription's secret) and the
// subscription's id.
func (e *env) downReceiver(t *testing.T) (*receiver, string) {
	t.Helper()
	r := newReceiver(t)
	r.down = true
	res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council",
		"url": r.srv.URL + "/hook", "event_types": []string{"organisation.created"}})
	if res.status != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", res.status, res.body)
	}
	doc := res.json(t)
	r.secrets = []string{doc["secret"].(string)}
	return r, doc["subscription"].(map[string]any)["id"].(string)
}
