package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDeliveryCost is a measurement, not a check: run it with ONEPLAN_BENCH_DELIVERY=1 (and
// PostgreSQL reachable). It creates young people through the real HTTP stack with webhook delivery
// off (no dispatcher) and on (a dispatcher running in the same process, as `oneplan serve` runs it,
// delivering every event to a local receiver), alternating rounds, and reports the create
// throughput of each and their ratio; then it creates at a steady rate with delivery on and
// reports the commit-to-receipt lag (the event's timestamp to the receiver's clock) at p50/p99.
func TestDeliveryCost(t *testing.T) {
	if os.Getenv("ONEPLAN_BENCH_DELIVERY") == "" {
		t.Skip("a measurement: set ONEPLAN_BENCH_DELIVERY=1")
	}
	each(t, func(t *testing.T, e *env) {
		if e.st.Dialect() != "postgres" {
			t.Skip("measured on PostgreSQL")
		}
		var mu sync.Mutex
		var lags []time.Duration
		var received atomic.Int64
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			at := time.Now()
			body, _ := io.ReadAll(r.Body)
			var ev struct {
				Timestamp time.Time `json:"timestamp"`
			}
			_ = json.Unmarshal(body, &ev)
			mu.Lock()
			lags = append(lags, at.Sub(ev.Timestamp))
			mu.Unlock()
			received.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		defer recv.Close()
		sub := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council",
			"url": recv.URL + "/hook", "event_types": []string{"young_person.created"}})
		if sub.status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", sub.status, sub.body)
		}

		body, _ := json.Marshal(map[string]any{"given_name": "Sam", "family_name": "Bench", "date_of_birth": "2016-05-04"})
		create := func() {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/young-people", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+e.officer)
			req.Header.Set("Content-Type", "application/json")
			res, err := e.httpc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				t.Errorf("create: %d", res.StatusCode)
			}
		}
		// burst creates n young people with 8 clients and returns creates per second.
		burst := func(n int) float64 {
			start := time.Now()
			var wg sync.WaitGroup
			work := make(chan struct{}, n)
			for range n {
				work <- struct{}{}
			}
			close(work)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						create()
					}
				}()
			}
			wg.Wait()
			return float64(n) / time.Since(start).Seconds()
		}
		dispatch := func() (stop func()) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); e.app.Webhooks.Run(ctx, func(err error) { t.Log(err) }) }()
			return func() { cancel(); <-done }
		}
		drain := func() {
			for range 2000 { // number and deliver what is left, so the next "off" round starts clean
				if busy, err := e.app.Webhooks.Round(context.Background()); err != nil || !busy {
					break
				}
			}
		}

		const n = 400
		burst(100) // warm up
		drain()
		var off, on []float64
		for range 5 {
			off = append(off, burst(n))
			drain()
			stop := dispatch()
			on = append(on, burst(n))
			stop()
			drain()
		}
		med := func(xs []float64) float64 { s := slices.Clone(xs); slices.Sort(s); return s[len(s)/2] }
		t.Logf("creates/s with delivery off %v (median %.0f), on %v (median %.0f): delivery costs %.1f%% of create throughput",
			round(off), med(off), round(on), med(on), 100*(1-med(on)/med(off)))
		// The BENCH lines are what make bench-delivery prints.
		fmt.Printf("BENCH delivery create throughput: off %.0f/s, on %.0f/s (medians of 5 rounds of %d, 8 clients): on/off ratio %.3f\n",
			med(off), med(on), n, med(on)/med(off))

		// The dispatcher's database work per event, which the machine's load does not change: the
		// commits and rows written in this test's own database (pg_stat_database) while it numbers
		// and delivers a backlog of n events. PostgreSQL publishes a backend's counts within about
		// a second of it going idle, so the counts are read until they stop moving.
		db, err := e.st.SQL()
		if err != nil {
			t.Fatal(err)
		}
		reads := 0 // this loop's own commits (one a read), taken off the count
		stats := func() (commits, written int64) {
			t.Helper()
			var last int64 = -1
			for same := 0; ; {
				if err := db.QueryRow(`SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database
					WHERE datname = current_database()`).Scan(&commits, &written); err != nil {
					t.Fatal(err)
				}
				reads++
				if written == last {
					same++
				} else {
					same = 0
				}
				if same == 6 {
					return commits - int64(reads), written
				}
				last = written
				time.Sleep(250 * time.Millisecond)
			}
		}
		burst(n)
		c0, w0 := stats()
		drain()
		c1, w1 := stats()
		t.Logf("dispatcher database work for %d events: %.2f commits and %.2f rows written per event", n, float64(c1-c0)/n, float64(w1-w0)/n)

		// Lag at a steady rate (ONEPLAN_BENCH_RATE, default 200 creates/s) for 10 s with delivery on.
		rate := 200
		if v, err := strconv.Atoi(os.Getenv("ONEPLAN_BENCH_RATE")); err == nil && v > 0 && v <= 1000 {
			rate = v
		}
		steady := func(what string) {
			total := rate * 10
			mu.Lock()
			lags = lags[:0]
			mu.Unlock()
			before := received.Load()
			stop := dispatch()
			start := time.Now()
			tick := time.NewTicker(time.Second / time.Duration(rate))
			var wg sync.WaitGroup
			for range total {
				<-tick.C
				wg.Add(1)
				go func() { defer wg.Done(); create() }()
			}
			tick.Stop()
			wg.Wait()
			achieved := float64(total) / time.Since(start).Seconds()
			deadline := time.Now().Add(30 * time.Second)
			for received.Load()-before < int64(total) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			stop()
			mu.Lock()
			defer mu.Unlock()
			slices.Sort(lags)
			if len(lags) == 0 {
				t.Fatal("nothing delivered")
			}
			pct := func(p float64) time.Duration { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
			t.Logf("lag%s at %d creates/s asked (%.0f/s achieved, %d delivered): p50 %v, p99 %v, max %v", what, rate, achieved, len(lags), pct(0.50).Round(time.Millisecond),
				pct(0.99).Round(time.Millisecond), lags[len(lags)-1].Round(time.Millisecond))
			fmt.Printf("BENCH delivery lag%s at %d events/s sustained for 10 s (%.0f/s achieved, %d delivered): commit to delivery p50 %v, p99 %v, max %v\n",
				what, rate, achieved, len(lags), pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), lags[len(lags)-1].Round(time.Millisecond))
		}
		steady("")

		// The same beside a second subscription to the same events whose receiver takes 2 s to
		// answer each delivery: the lag is the first (healthy) receiver's.
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer slow.Close()
		if res := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council",
			"url": slow.URL + "/hook", "event_types": []string{"young_person.created"}}); res.status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", res.status, res.body)
		}
		steady(" beside a receiver taking 2 s")
	}, webhookOptions)
}

func round(xs []float64) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%.0f", x)
	}
	return out
}
