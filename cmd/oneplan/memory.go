package main

import (
	"errors"
	"log/slog"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// setMemoryLimit gives the Go runtime a soft memory limit of 90% of what provider says the process
// may use (serve: its container's cgroup limit), unless GOMEMLIMIT is set or AUTOMEMLIMIT=off;
// where nothing limits the process it sets none. serve runs GOGC=400, which lets the heap grow to
// five times what is live (220-280 MB while an upload of millions of rows is checked): in a
// container with less than that the kernel would kill the process, where with the limit the
// collector runs sooner instead. It returns the limit (math.MaxInt64 for none).
func setMemoryLimit(logger *slog.Logger, provider memlimit.Provider) int64 {
	limit, err := memlimit.Set(memlimit.WithProvider(provider), memlimit.WithLogger(logger))
	// Not in a container (a laptop, a Mac): nothing to hold to.
	if err != nil && !errors.Is(err, memlimit.ErrNoCgroup) && !errors.Is(err, memlimit.ErrCgroupsNotSupported) {
		logger.Warn("no memory limit set", "error", err.Error())
	}
	return limit
}
