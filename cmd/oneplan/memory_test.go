package main

import (
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// TestMemoryLimit: in a container allowing 1 GiB the server's heap is held to 90% of it (its
// GOGC=400 would otherwise let it grow past the limit the kernel enforces); GOMEMLIMIT, when an
// operator sets it, is left as the runtime read it.
func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	for _, v := range []string{"GOMEMLIMIT", "AUTOMEMLIMIT"} {
		t.Setenv(v, "")
		_ = os.Unsetenv(v) // unset, not empty: AUTOMEMLIMIT="" is refused as no ratio
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	const container = 1 << 30
	want := int64(container * 9 / 10)
	if got := setMemoryLimit(quiet, memlimit.Limit(container)); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("memory limit in a 1 GiB container: %d returned, %d set; want %d", got, debug.SetMemoryLimit(-1), want)
	}

	debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "2GiB") // the runtime reads it at start; here only its presence counts
	setMemoryLimit(quiet, memlimit.Limit(container))
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("GOMEMLIMIT set: the limit became %d, want it left at %d", got, before)
	}
}
