package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/store"
)

// countingReceiver counts, per webhook-id, the deliveries whose signature it verified itself
// (HMAC-SHA256 over "id.timestamp.body", keyed with the base64 after whsec_, as the Standard
// Webhooks specification says).
type countingReceiver struct {
	mu     sync.Mutex
	secret string
	seen   map[string]int
	bad    int
}

func (r *countingReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
	r.mu.Lock()
	defer r.mu.Unlock()
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !strings.Contains(" "+req.Header.Get("webhook-signature")+" ", " "+want+" ") {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.seen[id]++
	w.WriteHeader(http.StatusOK)
}

func (r *countingReceiver) counts() (distinct, total, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.seen {
		total += n
	}
	return len(r.seen), total, r.bad
}

// TestWebhookDeliveryAcrossProcesses: two server processes on one PostgreSQL deliver 5,000
// events once each to a subscription between them; then a process is killed with SIGKILL right
// after events commit, and a new one delivers every event it had not (at least once, same
// webhook-id).
func TestWebhookDeliveryAcrossProcesses(t *testing.T) {
	bin, dsn := processesOnPostgres(t)
	adminKey := strings.TrimSpace(mustRun(t, "apikey", "generate"))
	rec := &countingReceiver{seen: map[string]int{}}
	hook := httptest.NewServer(rec)
	defer hook.Close()

	documents := "file://" + t.TempDir() // shared, as replicas share one bucket; not ./oneplan-documents in the source tree
	start := func() (*exec.Cmd, string, *syncBuffer) {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "ONEPLAN_DATABASE_URL="+dsn, "ONEPLAN_ADDR="+addr, "ONEPLAN_ADMIN_API_KEY="+adminKey, "ONEPLAN_DOCUMENT_STORE="+documents,
			"ONEPLAN_SWEEP_INTERVAL=0", "ONEPLAN_DISPATCH_INTERVAL=50ms", "ONEPLAN_WEBHOOK_ALLOWED_NETWORKS=127.0.0.1/32",
			"ONEPLAN_WEBHOOK_TIMEOUT=1s", "ONEPLAN_RATE_LIMIT=1000", "ONEPLAN_RATE_BURST=1000",
			// Each replica opens its whole pool at start: several, beside the other packages' tests,
			// stay under the test server's max_connections (100), as the README asks of replicas.
			"ONEPLAN_DATABASE_MAX_CONNS=8")
		logs := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = io.Discard, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		base := "http://" + addr
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get(base + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return cmd, base, logs
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("server not ready: %v\n%s", err, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	a, base, aLogs := start()
	_, _, bLogs := start()

	council := councilOrg(t, dsn)
	body, _ := json.Marshal(map[string]any{"organisation_id": council, "view": "council", "url": hook.URL + "/hook", "event_types": []string{outbox.OrganisationCreated.Name}})
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/webhook-subscriptions", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var issued struct {
		Secret string `json:"secret"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&issued)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || issued.Secret == "" {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	rec.mu.Lock()
	rec.secret = issued.Secret
	rec.mu.Unlock()

	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Events committed as any write commits them: in the outbox, in transactions of 100.
	publish := func(n int) {
		t.Helper()
		for done := 0; done < n; done += 100 {
			if err := st.InTx(ctx, func(tx *store.Tx) error {
				for range min(100, n-done) {
					id := uuid.Must(uuid.NewV7()).String()
					if err := tx.Publish(outbox.Event{ID: id, OccurredAt: time.Now().UTC(), Type: outbox.OrganisationCreated.Name,
						RecordType: "organisation", RecordID: id, Payload: map[string]any{"id": id}}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitFor := func(want int, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			distinct, total, bad := rec.counts()
			if bad > 0 {
				t.Fatalf("%d deliveries failed the receiver's signature check", bad)
			}
			if distinct >= want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d events delivered (%d deliveries) after %v\n%s\n%s", distinct, want, total, within, aLogs.String(), bLogs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	began := time.Now()
	publish(5000)
	waitFor(5000, 90*time.Second)
	time.Sleep(300 * time.Millisecond) // a duplicate would arrive within a few dispatch rounds
	distinct, total, _ := rec.counts()
	if distinct != 5000 || total != 5000 {
		t.Fatalf("two processes delivered %d deliveries of %d events; want each of 5,000 exactly once", total, distinct)
	}
	t.Logf("5,000 events delivered once each by two processes in %v", time.Since(began).Round(time.Millisecond))

	// SIGKILL one process just after the events commit: the survivor and a new process must
	// deliver everything, including what the killed one had claimed (once its 3 s lease runs out).
	publish(1000)
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	start()
	waitFor(6000, 60*time.Second)
	distinct, total, _ = rec.counts()
	if distinct != 6000 {
		t.Fatalf("after a SIGKILL: %d of 6,000 events delivered", distinct)
	}
	t.Logf("after SIGKILL: every event delivered; %d deliveries for 6,000 events (duplicates carry the same webhook-id)", total)
}
