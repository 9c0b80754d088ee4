package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestAdmissionLetsLimitWorkAtOnce drives the admission middleware over real HTTP: with two
// places, two requests work while the rest wait; a request whose deadline passes while it waits
// gets 503 problem+json with Retry-After and never reaches its handler; the probes pass a full
// house; the waiting are counted (the metric); and every waiting request is answered once places
// free up.
func TestAdmissionLetsLimitWorkAtOnce(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e := echo.New()
	e.HTTPErrorHandler = s.errorHandler
	// A test's stand-in for the server's deadline middleware: a short one on request.
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().Header.Get("X-Short-Deadline") != "" {
				ctx, cancel := context.WithTimeout(c.Request().Context(), 100*time.Millisecond)
				defer cancel()
				c.SetRequest(c.Request().WithContext(ctx))
			}
			return next(c)
		}
	})
	var active, most, handled, waiting atomic.Int32
	e.Use(admission(2, unqueued, func(d int) { waiting.Add(int32(d)) }))
	entered := make(chan struct{}, 16)
	release := make(chan struct{})
	e.GET("/v1/work", func(c echo.Context) error {
		raise(&most, active.Add(1))
		handled.Add(1)
		entered <- struct{}{}
		<-release
		active.Add(-1)
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/healthz", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	get := func(path string, short bool) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if short {
			req.Header.Set("X-Short-Deadline", "1")
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Error(err)
			return nil
		}
		return resp
	}
	var wg sync.WaitGroup
	statuses := make(chan int, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp := get("/v1/work", false); resp != nil {
				statuses <- resp.StatusCode
				_ = resp.Body.Close()
			}
		}()
	}
	<-entered
	<-entered // both places taken; four come to wait
	for deadline := time.Now().Add(10 * time.Second); waiting.Load() < 4; {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests counted as waiting, want 4", waiting.Load())
		}
		runtime.Gosched()
	}

	resp := get("/v1/work", true)
	if resp == nil {
		t.FailNow()
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" ||
		resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("a request that waited out its deadline: %d, Retry-After %q, %s; want 503, 1, problem+json",
			resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
	}
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.Status != 503 || p.Detail == "" {
		t.Errorf("its problem: %+v, %v", p, err)
	}
	_ = resp.Body.Close()
	if h := handled.Load(); h != 2 {
		t.Errorf("%d requests reached the handler with two places, want 2", h)
	}
	if resp := get("/healthz", false); resp.StatusCode != http.StatusNoContent {
		t.Errorf("the probe with every place taken: %d, want 204", resp.StatusCode)
	}

	close(release)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusNoContent {
			t.Errorf("a request that waited its turn: %d, want 204", st)
		}
	}
	if h, m := handled.Load(), most.Load(); h != 6 || m != 2 {
		t.Errorf("handled %d with at most %d at once; want 6 with at most 2", h, m)
	}
	if w := waiting.Load(); w != 0 {
		t.Errorf("%d counted as waiting once every request is answered, want 0", w)
	}
}

// TestAdmissionOffWithoutLimit: no limit, no waiting (and no semaphore on the way).
func TestAdmissionOffWithoutLimit(t *testing.T) {
	e := echo.New()
	e.Use(admission(0, unqueued, nil))
	var active, most atomic.Int32
	var all sync.WaitGroup
	all.Add(5)
	e.GET("/v1/work", func(c echo.Context) error {
		raise(&most, active.Add(1))
		all.Done()
		all.Wait() // only returns once all five are in at once
		return c.NoContent(http.StatusNoContent)
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := srv.Client().Get(srv.URL + "/v1/work")
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
		}()
	}
	wg.Wait()
	if m := most.Load(); m != 5 {
		t.Errorf("at most %d at once with no limit, want 5", m)
	}
}

// raise makes most at least n.
func raise(most *atomic.Int32, n int32) {
	for {
		m := most.Load()
		if n <= m || most.CompareAndSwap(m, n) {
			return
		}
	}
}
