package main

import (
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

func TestReportsRebuild(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			setEnv(t, b.DSN(t))
			mustRun(t, "seed", "--demo")
			if out := mustRun(t, "reports-rebuild"); !strings.Contains(out, "report counts rebuilt in") {
				t.Errorf("reports-rebuild output: %q", out)
			}
			if err := mustFail(t, "reports-rebuild", "now"); !strings.Contains(err.Error(), "now") {
				t.Errorf("stray argument: %v", err)
			}
		})
	}
}
