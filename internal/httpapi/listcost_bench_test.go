package httpapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/benchload"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestListPageCost is a measurement, not a check: run it with ONEPLAN_BENCH_LISTS=1 and
// PostgreSQL reachable. It loads ONEPLAN_BENCH_LISTS_N referrals (default 10,000) with package
// benchload and asks the busiest lists for a page of 50 through the whole HTTP stack (middleware,
// request validation, handler, store, encoder) in process, without a network in between, and
// reports per page: wall time, the process's CPU time (user + system, so the server's own work
// and its garbage collection, not PostgreSQL's), bytes and allocations, as benchmark lines that
// benchstat reads. ONEPLAN_BENCH_LISTS_PROFILE=file writes a CPU profile of the measured loops
// only; ONEPLAN_BENCH_LISTS_DUMP=dir writes each list's first page body (to compare two builds'
// bytes); ONEPLAN_BENCH_LISTS_EXPLAIN=1 only asks for each page a few times, with PostgreSQL
// logging each statement's plan (auto_explain, in the test's own database) to its server log;
// ONEPLAN_BENCH_LISTS_CONC=n adds a round of n concurrent clients for the tail (p50/p99).
func TestListPageCost(t *testing.T) {
	if os.Getenv("ONEPLAN_BENCH_LISTS") == "" {
		t.Skip("a measurement: set ONEPLAN_BENCH_LISTS=1")
	}
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Fatal("the list measurement needs PostgreSQL")
	}
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("ONEPLAN_BENCH_LISTS_N")); err == nil && v > 0 {
		n = v
	}
	dsn := pg.DSN(t)
	if err := benchload.Load(context.Background(), dsn, n); err != nil {
		t.Fatal(err)
	}
	explain := os.Getenv("ONEPLAN_BENCH_LISTS_EXPLAIN") != ""
	if explain {
		// Have PostgreSQL log every statement's plan, with its timings and buffers, in this
		// database only (a throwaway one, dropped after the test): what the server's lists send.
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(u.Path, "/")
		for _, set := range []string{"session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = 0",
			"auto_explain.log_analyze = on", "auto_explain.log_buffers = on", "auto_explain.log_nested_statements = on"} { //nolint:misspell // PostgreSQL's own name for the setting
			if _, err := db.Exec(`ALTER DATABASE "` + name + `" SET ` + set); err != nil {
				t.Fatal(err)
			}
		}
		_ = db.Close()
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := newEnv(t, st)
	h := e.srv.Config.Handler
	dump := os.Getenv("ONEPLAN_BENCH_LISTS_DUMP")

	get := func(path string) *countingWriter {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+e.officer)
		w := &countingWriter{header: http.Header{}, keep: dump != ""}
		h.ServeHTTP(w, req)
		return w
	}
	cases := []struct{ name, path string }{
		{"referrals", "/v1/referrals?limit=50"},
		{"referrals_assessing", "/v1/referrals?status=assessing&limit=50"},
		{"young_people", "/v1/young-people?limit=50"},
	}
	for _, c := range cases {
		rec := get(c.path)
		if rec.Code != http.StatusOK || rec.n < 1000 {
			t.Fatalf("%s: %d %.300s", c.path, rec.Code, rec.body)
		}
		if dump != "" {
			if err := os.WriteFile(filepath.Join(dump, c.name+".json"), rec.body, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if explain {
		for _, c := range cases {
			for range 8 {
				get(c.path)
			}
		}
		return
	}
	if f := os.Getenv("ONEPLAN_BENCH_LISTS_PROFILE"); f != "" {
		out, err := os.Create(f) //nolint:gosec // a file the developer named
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			t.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); _ = out.Close() }()
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for _, c := range cases {
		var used time.Duration
		r := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			before := cpu()
			for b.Loop() {
				if rec := get(c.path); rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", c.path, rec.Code)
				}
			}
			used = cpu() - before
			b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-us/op")
		})
		fmt.Printf("BenchmarkListPage/%s\t%s\t%s\n", c.name, r.String(), r.MemString())
	}
	conc, _ := strconv.Atoi(os.Getenv("ONEPLAN_BENCH_LISTS_CONC"))
	if conc <= 0 {
		return
	}
	for _, c := range cases {
		var (
			mu   sync.Mutex
			took []time.Duration
			wg   sync.WaitGroup
		)
		stop := time.Now().Add(5 * time.Second)
		start := time.Now()
		for range conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for time.Now().Before(stop) {
					at := time.Now()
					if rec := get(c.path); rec.Code != http.StatusOK {
						t.Errorf("%s: %d", c.path, rec.Code)
						return
					}
					mine = append(mine, time.Since(at))
				}
				mu.Lock()
				took = append(took, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		if len(took) == 0 {
			continue
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		fmt.Printf("ListPageConc/%s c=%d\t%.0f req/s\tp50 %.1f ms\tp99 %.1f ms\n", c.name, conc,
			float64(len(took))/time.Since(start).Seconds(), ms(took[len(took)/2]), ms(took[(len(took)-1)*99/100]))
	}
}

// countingWriter is the measurement's response writer: it counts the body rather than keeping it
// (a recorder's growing buffer would be most of a page's allocation, which a server's connection
// does not have), unless keep asks for the bytes.
type countingWriter struct {
	header http.Header
	Code   int
	n      int
	keep   bool
	body   []byte
}

func (w *countingWriter) Header() http.Header { return w.header }

func (w *countingWriter) WriteHeader(code int) {
	if w.Code == 0 {
		w.Code = code
	}
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	if w.keep {
		w.body = append(w.body, p...)
	}
	return len(p), nil
}
