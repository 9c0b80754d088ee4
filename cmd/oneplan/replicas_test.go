package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// replica is one `oneplan serve` process.
type replica struct {
	base string
	logs *syncBuffer
}

// TestTwoServerProcesses: two server processes on one PostgreSQL behave as one. The per-key rate
// limit holds across them, a key revoked through one fails on the other, and the statutory
// clock's sweep runs once per interval, not once per process.
func TestTwoServerProcesses(t *testing.T) {
	bin, dsn := processesOnPostgres(t)
	adminKey := mustRun(t, "apikey", "generate")
	adminKey = strings.TrimSpace(adminKey)
	documents := "file://" + t.TempDir() // shared, as replicas share one bucket; not ./oneplan-documents in the source tree
	start := func() replica {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "ONEPLAN_DATABASE_URL="+dsn, "ONEPLAN_ADDR="+addr, "ONEPLAN_ADMIN_API_KEY="+adminKey, "ONEPLAN_DOCUMENT_STORE="+documents,
			"ONEPLAN_RATE_LIMIT=4", "ONEPLAN_RATE_BURST=6", "ONEPLAN_SWEEP_INTERVAL=1s", "ONEPLAN_LOG_LEVEL=info",
			// Each replica opens its whole pool at start: several, beside the other packages' tests,
			// stay under the test server's max_connections (100), as the README asks of replicas.
			"ONEPLAN_DATABASE_MAX_CONNS=8")
		logs := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = io.Discard, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
		r := replica{base: "http://" + addr, logs: logs}
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get(r.base + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return r
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica on %s not ready: %v\n%s", addr, err, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	a := start()
	b := start()
	client := &http.Client{Timeout: 10 * time.Second}
	call := func(r replica, method, path, key string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			rd = bytes.NewReader(j)
		}
		req, _ := http.NewRequest(method, r.base+path, rd)
		req.Header.Set("Authorization", "Bearer "+key)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}

	council := councilOrg(t, dsn)
	newKey := func(name string) (string, string) {
		code, out := call(a, http.MethodPost, "/v1/api-keys", adminKey, map[string]any{"name": name, "organisation_id": council,
			"role": string(auth.RoleSENDOfficer)})
		if code != http.StatusCreated {
			t.Fatalf("create key: %d %v", code, out)
		}
		return out["key"].(string), out["api_key"].(map[string]any)["id"].(string)
	}

	t.Run("a key revoked through one replica fails on the other", func(t *testing.T) {
		key, id := newKey("revoked on a")
		for _, r := range []replica{a, b, b} { // b caches it
			if code, _ := call(r, http.MethodGet, "/v1/organisations?limit=1", key, nil); code != http.StatusOK {
				t.Fatalf("before revocation: %d", code)
			}
		}
		if code, out := call(a, http.MethodPost, "/v1/api-keys/"+id+"/revoke", adminKey, nil); code != http.StatusOK {
			t.Fatalf("revoke: %d %v", code, out)
		}
		// The notification reaches the other process as the revocation commits; allow it the
		// moment it takes to arrive, and measure it.
		revoked := time.Now()
		for {
			code, _ := call(b, http.MethodGet, "/v1/organisations?limit=1", key, nil)
			if code == http.StatusUnauthorized {
				break
			}
			if time.Since(revoked) > 500*time.Millisecond {
				t.Fatalf("the other replica still accepted the revoked key %v after the revocation", time.Since(revoked))
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("revoked key refused by the other replica %v after the revocation returned", time.Since(revoked).Round(time.Millisecond))
	})

	t.Run("the rate limit holds across replicas", func(t *testing.T) {
		key, _ := newKey("rate limited")
		var (
			mu          sync.Mutex
			ok, limited int
			wg          sync.WaitGroup
		)
		began := time.Now()
		for i := range 40 {
			wg.Add(1)
			go func(r replica) {
				defer wg.Done()
				code, _ := call(r, http.MethodGet, "/v1/organisations?limit=1", key, nil)
				mu.Lock()
				defer mu.Unlock()
				switch code {
				case http.StatusOK:
					ok++
				case http.StatusTooManyRequests:
					limited++
				default:
					t.Errorf("status %d", code)
				}
			}([]replica{a, b}[i%2])
		}
		wg.Wait()
		elapsed := time.Since(began)
		// A burst of 6 and 4 a second: each process alone would have allowed 6 + 4/s more.
		allowed := 6 + int(4*elapsed.Seconds()+1)
		if ok > allowed || ok < 6 || ok+limited != 40 {
			t.Fatalf("%d answered, %d limited over %v across two replicas; at most %d may pass", ok, limited, elapsed, allowed)
		}
	})

	t.Run("the sweep runs once per interval", func(t *testing.T) {
		time.Sleep(3500 * time.Millisecond) // both replicas tick every second
		swept := strings.Count(a.logs.String(), `"msg":"statutory clock sweep"`) + strings.Count(b.logs.String(), `"msg":"statutory clock sweep"`)
		if swept == 0 {
			t.Fatalf("no sweep ran:\n%s\n%s", a.logs.String(), b.logs.String())
		}
		// Each interval is swept by one replica: no slot appears in two sweeps, on either replica
		// (counting ticks against sweeps was at the mercy of a loaded machine's scheduling).
		slots := map[string]int{}
		for _, r := range []replica{a, b} {
			for _, line := range strings.Split(r.logs.String(), "\n") {
				if !strings.Contains(line, `"msg":"statutory clock sweep"`) {
					continue
				}
				var rec struct{ Slot string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Slot == "" {
					t.Fatalf("a sweep's log line without its slot (%v): %s", err, line)
				}
				slots[rec.Slot]++
			}
		}
		for slot, n := range slots {
			if n > 1 {
				t.Fatalf("interval %s swept %d times by two replicas", slot, n)
			}
		}
	})
}
