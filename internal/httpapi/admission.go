package httpapi

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// admission lets at most limit requests work at once and makes the rest wait their turn, in the
// order they came (semaphore.Weighted serves its waiters first in, first out). Almost all of a
// request's work is PostgreSQL's, on the same few cores: past a point, more transactions at once
// only queue inside the database, contending for its locks and caches, and the unluckiest wait
// longest. Lists at 32 clients on 2 cores (200,000 referrals, a fresh copy of the database each
// run): p99 46-55 ms in eight runs with 16 at once, 57-101 ms in six with no limit, and no fewer
// pages a second (README, benchmark). The pool of connections cannot do this itself:
// database/sql hands a freed connection to a waiter chosen at random.
//
// It runs after a request's body has been read and validated, so a slow client never holds a
// place. Streamed uploads and imports (their handlers read their bodies), the probes (a load
// balancer must always get an answer) and the profiler (it runs for seconds) take none. A request
// still waiting when its deadline passes gets 503 with Retry-After, having done nothing. A limit
// of 0 or less: no limit. waiting, if not nil, is told +1 when a request starts to wait and -1
// when it stops (the metric oneplan_http_requests_waiting).
func admission(limit int, skip func(echo.Context) bool, waiting func(delta int)) echo.MiddlewareFunc {
	if limit <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	if waiting == nil {
		waiting = func(int) {}
	}
	places := semaphore.NewWeighted(int64(limit))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			// TryAcquire never jumps the queue: it fails while anyone waits.
			if !places.TryAcquire(1) {
				waiting(1)
				err := places.Acquire(c.Request().Context(), 1)
				waiting(-1)
				if err != nil {
					return refused(err)
				}
			}
			defer places.Release(1)
			return next(c)
		}
	}
}

// refused is the error for a request that waited and got no place: its time ran out, or its
// caller hung up (which the error handler logs as 499, answering nobody). Either way 503, never a
// 500 for a request that did nothing.
func refused(err error) error {
	return &fault.Error{Kind: fault.Unavailable, RetryAfter: time.Second, Cause: err,
		Detail: "The server is busy and this request waited its whole time for a turn; nothing was done. Retry after the Retry-After seconds."}
}

// unqueued are the requests that never wait for a place (see admission).
func unqueued(c echo.Context) bool {
	switch p := c.Request().URL.Path; {
	case p == "/healthz", p == "/readyz", p == "/metrics", strings.HasPrefix(p, "/debug/pprof/"):
		return true
	}
	return isStreamed(c)
}
