package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

// TestProfiling: the profiler is off unless the operator turns it on, and then for admins only.
func TestProfiling(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if r := e.do(http.MethodGet, "/debug/pprof/", e.admin, nil); r.status != http.StatusNotFound {
			t.Fatalf("profiler served while off: %d", r.status)
		}
	})
}

// TestProfilingOn: turned on, the profiler answers admin keys and no one else.
func TestProfilingOn(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if r := e.do(http.MethodGet, "/debug/pprof/", e.admin, nil); r.status != http.StatusOK {
			t.Fatalf("admin: %d %s", r.status, r.body)
		}
		if r := e.do(http.MethodGet, "/debug/pprof/", e.officer, nil); r.status != http.StatusForbidden {
			t.Fatalf("SEND officer: %d", r.status)
		}
		if r := e.do(http.MethodGet, "/debug/pprof/", "", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("no key: %d", r.status)
		}
	}, func(h *httpapi.Options, _ *app.Options) { h.Profiling = true })
}
