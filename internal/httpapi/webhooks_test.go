package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework/webhooks"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// receiver is an integrator's endpoint on 127.0.0.1. It verifies every delivery as the Standard
// Webhooks specification says, written here from the specification rather than with the
// server's code: the signed content is "<webhook-id>.<webhook-timestamp>.<body>", the key the
// base64 after "whsec_", the signature base64(HMAC-SHA256), sent as "v1,<signature>", several
// separated by spaces.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	// secrets that must each have signed every delivery (during a rotation's overlap, both).
	secrets []string
	down    bool
	got     map[string][]map[string]any // webhook-id -> bodies accepted
	refused int
	bad     []string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: map[string][]map[string]any{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.down {
			r.refused++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		id, ts, sigs := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature")
		for _, sec := range r.secrets {
			if !verifies(sec, id, ts, body, sigs) {
				r.bad = append(r.bad, id)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil || doc["id"] != id {
			r.bad = append(r.bad, id)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.got[id] = append(r.got[id], doc)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func verifies(secret, id, ts string, body []byte, header string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || id == "" || ts == "" {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Fields(header) {
		if v, sig, ok := strings.Cut(s, ","); ok && v == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

func (r *receiver) snapshot() (map[string][]map[string]any, int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]map[string]any{}
	for k, v := range r.got {
		out[k] = append([]map[string]any(nil), v...)
	}
	return out, r.refused, append([]string(nil), r.bad...)
}

func webhookOptions(o *httpapi.Options, a *app.Options) {
	a.WebhookPolicy = webhook.Policy{Allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	a.Dispatch = webhooks.Options{Retry: webhook.Retry{Base: 20 * time.Millisecond, Cap: 100 * time.Millisecond, GiveUpAfter: time.Hour}}
}

// dispatchUntil runs dispatch rounds until cond holds, for at most 20 seconds.
func (e *env) dispatchUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		if _, err := e.app.Webhooks.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebhooks: a subscription receives signed deliveries of what it may see, and nothing about
// a child its organisation has no part in; a receiver that is down gets every event once it is
// back, with the same webhook-id; a rotated secret signs beside the old during the overlap; the
// feed lists the same events in commit order within need-to-know; private targets are refused.
func TestWebhooks(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		council, outsider := newReceiver(t), newReceiver(t)
		subscribe := func(r *receiver, org, view string) (string, string) {
			res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": org, "view": view, "url": r.srv.URL + "/hook"})
			if res.status != http.StatusCreated {
				t.Fatalf("subscribe: %d %s", res.status, res.body)
			}
			doc := res.json(t)
			secret := doc["secret"].(string)
			if !strings.HasPrefix(secret, "whsec_") {
				t.Fatalf("secret %q is not a Standard Webhooks secret", secret)
			}
			r.secrets = []string{secret}
			return doc["subscription"].(map[string]any)["id"].(string), secret
		}
		councilSub, oldSecret := subscribe(council, e.council, "council")
		subscribe(outsider, e.other, "organisation")

		f := e.fixture()
		if res := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": "New Academy", "type": "school_secondary", "locality": "East"}); res.status != http.StatusCreated {
			t.Fatalf("organisation: %d %s", res.status, res.body)
		}
		e.dispatchUntil(t, "the child's events at the council's receiver", func() bool {
			got, _, _ := council.snapshot()
			for _, docs := range got {
				if docs[0]["type"] == "referral.received" {
					return true
				}
			}
			return false
		})
		got, _, bad := council.snapshot()
		if len(bad) > 0 {
			t.Fatalf("deliveries failed the receiver's signature check: %v", bad)
		}
		types := map[string]bool{}
		for _, docs := range got {
			types[docs[0]["type"].(string)] = true
			if d := docs[0]["data"].(map[string]any); docs[0]["record_type"] != "organisation" && d["young_person_id"] != nil && d["young_person_id"] != f.child {
				t.Fatalf("an event about another child: %v", docs[0])
			}
		}
		for _, want := range []string{"young_person.created", "referral.received", "consent.recorded", "involvement.started"} {
			if !types[want] {
				t.Errorf("the council's receiver got no %s (got %v)", want, types)
			}
		}
		// The outsider's organisation has no part in the child's team: the directory's events,
		// nothing about the child.
		e.dispatchUntil(t, "the directory's event at the outsider's receiver", func() bool { g, _, _ := outsider.snapshot(); return len(g) > 0 })
		outGot, _, _ := outsider.snapshot()
		for _, docs := range outGot {
			if d := docs[0]["data"].(map[string]any); d["young_person_id"] == f.child || docs[0]["record_id"] == f.child {
				t.Fatalf("a subscription of an organisation outside the child's team received %v", docs[0])
			}
		}

		// Down, then up: retried until delivered, each webhook-id accepted once.
		council.mu.Lock()
		council.down = true
		council.mu.Unlock()
		before := len(got)
		e.referral(e.officer, referralFor(f.child, e.schoolSENCO))
		e.dispatchUntil(t, "refused attempts", func() bool { _, refused, _ := council.snapshot(); return refused >= 2 })
		council.mu.Lock()
		council.down = false
		council.mu.Unlock()
		e.dispatchUntil(t, "the retried delivery", func() bool { g, _, _ := council.snapshot(); return len(g) > before })
		got, refused, _ := council.snapshot()
		for id, docs := range got {
			if len(docs) != 1 {
				t.Fatalf("webhook-id %s accepted %d times", id, len(docs))
			}
		}
		atts := e.do(http.MethodGet, "/v1/webhook-subscriptions/"+councilSub+"/deliveries?limit=200", e.admin, nil)
		if atts.status != http.StatusOK {
			t.Fatalf("deliveries: %d %s", atts.status, atts.body)
		}
		var failedWithRetry, succeeded int
		for _, it := range atts.json(t)["items"].([]any) {
			a := it.(map[string]any)
			if a["response_code"] == float64(503) && a["next_retry_at"] != nil {
				failedWithRetry++
			}
			if a["response_code"] == float64(204) {
				succeeded++
			}
		}
		if failedWithRetry < 2 || failedWithRetry > refused || succeeded != len(got) {
			t.Fatalf("attempts: %d failed with a retry (receiver refused %d), %d succeeded for %d events", failedWithRetry, refused, succeeded, len(got))
		}

		// Rotation: both secrets sign during the overlap.
		rot := e.do(http.MethodPost, "/v1/webhook-subscriptions/"+councilSub+"/rotate-secret", e.admin, map[string]any{"overlap_seconds": 3600})
		if rot.status != http.StatusOK {
			t.Fatalf("rotate: %d %s", rot.status, rot.body)
		}
		newSecret := rot.json(t)["secret"].(string)
		if newSecret == oldSecret {
			t.Fatal("rotation kept the secret")
		}
		council.mu.Lock()
		council.secrets = []string{oldSecret, newSecret}
		council.mu.Unlock()
		n := len(got)
		e.do(http.MethodPost, "/v1/young-people", e.officer, child(9))
		e.dispatchUntil(t, "a delivery signed with both secrets", func() bool { g, _, _ := council.snapshot(); return len(g) > n })
		if _, _, bad := council.snapshot(); len(bad) > 0 {
			t.Fatalf("a delivery during the overlap was not signed with both secrets: %v", bad)
		}

		// The feed: commit order, no repeats, within need-to-know.
		seen := map[string]bool{}
		var last float64
		cursor := ""
		for {
			res := e.do(http.MethodGet, "/v1/events?limit=7"+cursor, e.officer, nil)
			if res.status != http.StatusOK {
				t.Fatalf("feed: %d %s", res.status, res.body)
			}
			doc := res.json(t)
			items := doc["items"].([]any)
			for _, it := range items {
				ev := it.(map[string]any)
				if seen[ev["id"].(string)] || ev["sequence"].(float64) <= last {
					t.Fatalf("the feed repeated or went back: %v", ev)
				}
				seen[ev["id"].(string)], last = true, ev["sequence"].(float64)
			}
			cursor = "&after=" + doc["next_cursor"].(string)
			if len(items) == 0 {
				break
			}
		}
		for id, docs := range got {
			// The service's administrative events go to council subscriptions only.
			if !seen[id] && !slices.Contains(webhook.AdministrativeRecordTypes, docs[0]["record_type"].(string)) {
				t.Fatalf("event %s was delivered but is not in the feed", id)
			}
		}
		res := e.do(http.MethodGet, "/v1/events?limit=200", e.outsider, nil)
		if res.status != http.StatusOK {
			t.Fatalf("feed as an outsider: %d %s", res.status, res.body)
		}
		for _, it := range res.json(t)["items"].([]any) {
			ev := it.(map[string]any)
			if d := ev["data"].(map[string]any); d["young_person_id"] == f.child || ev["record_id"] == f.child {
				t.Fatalf("the feed showed an outsider an event about the child: %v", ev)
			}
		}

		// Targets on private, link-local or plain-http public addresses are refused.
		for _, u := range []string{"http://10.0.0.1/hook", "https://169.254.169.254/latest", "https://192.168.1.10/", "http://example.org/hook", "ftp://example.org/"} {
			res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council", "url": u})
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("subscribing %s: %d, want 422", u, res.status)
			}
		}
		if res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.officer, map[string]any{"organisation_id": e.council, "view": "council", "url": council.srv.URL}); res.status != http.StatusForbidden {
			t.Errorf("a SEND officer subscribed: %d", res.status)
		}
	}, webhookOptions)
}

// TestEventFeedLeavesOutAdministration: the service's administrative events (API keys issued and
// revoked, webhook subscriptions created and changed) go to council subscriptions only, as
// docs/webhooks.md says: they are in no caller's pull feed, not even the SEND team's, who see
// every child's events but may not manage keys or subscriptions. Asked for by type, the feed
// answers an empty page. Before, a caller who sees the whole council read them all.
func TestEventFeedLeavesOutAdministration(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := newReceiver(t)
		res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council", "url": r.srv.URL + "/hook"})
		if res.status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", res.status, res.body)
		}
		doc := res.json(t)
		sub := doc["subscription"].(map[string]any)["id"].(string)
		r.secrets = []string{doc["secret"].(string)}
		if res := e.do(http.MethodPatch, "/v1/webhook-subscriptions/"+sub, e.admin, map[string]any{"event_types": []string{}}); res.status != http.StatusOK {
			t.Fatalf("patch: %d %s", res.status, res.body)
		}
		issued := e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": e.school, "role": "practitioner", "name": "school MIS"})
		if issued.status != http.StatusCreated {
			t.Fatalf("issue: %d %s", issued.status, issued.body)
		}
		key := issued.json(t)["api_key"].(map[string]any)["id"].(string)
		if res := e.do(http.MethodPost, "/v1/api-keys/"+key+"/revoke", e.admin, nil); res.status != http.StatusOK {
			t.Fatalf("revoke: %d %s", res.status, res.body)
		}
		if res := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": "Feed Academy", "type": "school_secondary", "locality": "East"}); res.status != http.StatusCreated {
			t.Fatalf("organisation: %d %s", res.status, res.body)
		}
		e.do(http.MethodPost, "/v1/young-people", e.officer, child(3))
		administrative := []string{"api_key.created", "api_key.revoked", "webhook_subscription.created", "webhook_subscription.updated"}
		// The council's subscription receives them (and numbering them puts them before the feed).
		e.dispatchUntil(t, "the administrative events at the council's receiver", func() bool {
			got, _, _ := r.snapshot()
			n := map[string]bool{}
			for _, docs := range got {
				if docs[0]["record_id"] == key || docs[0]["record_id"] == sub || docs[0]["type"] == "young_person.created" {
					n[docs[0]["type"].(string)] = true
				}
			}
			return n["api_key.created"] && n["api_key.revoked"] && n["webhook_subscription.updated"] && n["young_person.created"]
		})

		feed := func(caller, query string) map[string]int {
			t.Helper()
			types := map[string]int{}
			for cursor := ""; ; {
				res := e.do(http.MethodGet, "/v1/events?limit=50"+query+cursor, caller, nil)
				if res.status != http.StatusOK {
					t.Fatalf("feed: %d %s", res.status, res.body)
				}
				doc := res.json(t)
				items := doc["items"].([]any)
				if len(items) == 0 {
					return types
				}
				for _, it := range items {
					types[it.(map[string]any)["type"].(string)]++
				}
				cursor = "&after=" + doc["next_cursor"].(string)
			}
		}
		for name, caller := range map[string]string{"SEND officer": e.officer, "admin": e.admin, "practitioner": e.practitioner, "panel member": e.panel} {
			got := feed(caller, "")
			for _, typ := range administrative {
				if got[typ] > 0 {
					t.Errorf("a %s's feed holds %d %s events", name, got[typ], typ)
				}
			}
			if got["organisation.created"] == 0 {
				t.Errorf("a %s's feed holds no directory events: %v", name, got)
			}
			if by := feed(caller, "&types="+strings.Join(administrative, ",")); len(by) > 0 {
				t.Errorf("a %s's feed asked for the administrative types: %v", name, by)
			}
		}
		if got := feed(e.officer, ""); got["young_person.created"] == 0 {
			t.Errorf("the SEND officer's feed holds no casework: %v", got)
		}
	}, webhookOptions)
}

// TestEventCatalogueInContract: every event type's payload schema is a component of the contract.
func TestEventCatalogueInContract(t *testing.T) {
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, et := range outbox.Catalogue {
		if _, ok := spec.Components.Schemas[outbox.PayloadSchema(et.RecordType)]; !ok {
			t.Errorf("%s: no component %s in openapi.yaml", et.Name, outbox.PayloadSchema(et.RecordType))
		}
		if et.Version < 1 || et.Summary == "" {
			t.Errorf("%s: version %d, summary %q", et.Name, et.Version, et.Summary)
		}
	}
}
