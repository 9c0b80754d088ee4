package main

import (
	"errors"
	"log/slog"
	"math"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/oneplan-send/oneplan/internal/redact"
)

// setMemoryLimit gives the Go runtime a soft memory limit of 90% of what provider says the process
// may use (serve: its container's cgroup limit), unless GOMEMLIMIT is set or AUTOMEMLIMIT=off;
// where nothing limits the process it sets none. serve runs GOGC=400, which lets the heap grow to
// five times what is live (220-280 MB while an upload of millions of rows is checked): in a
// container with less than that the kernel would kill the process, where with the limit the
// collector runs sooner instead. It returns the limit (math.MaxInt64 for none).
func setMemoryLimit(logger *slog.Logger, provider memlimit.Provider) int64 {
	// The library's own logger is left silent: its errors would be logged unredacted.
	limit, err := memlimit.Set(memlimit.WithProvider(provider))
	switch {
	case errors.Is(err, memlimit.ErrNoCgroup), errors.Is(err, memlimit.ErrCgroupsNotSupported):
		// Not in a container (a laptop, a Mac): nothing to hold to.
	case err != nil:
		redact.Warn(logger, "no memory limit set", err)
	case limit < math.MaxInt64:
		logger.Info("memory limit", slog.Int64("bytes", limit))
	}
	return limit
}
