package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A name with a space and a parenthesis: the fields are counted from the last ")".
	line := "4242 (odd (name) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 8 0 100 0 0\n"
	pid, pt, ok := parseStat([]byte(line))
	if !ok || pid != 4242 || pt.comm != "odd (name) x" || pt.ticks != 325 {
		t.Errorf("parseStat = %d %+v %v; want 4242, odd (name) x, 325 ticks", pid, pt, ok)
	}
	for _, bad := range []string{"", "4242 (x", "x (y) S 1 2", "1 (y) S 1 2 3"} {
		if _, _, ok := parseStat([]byte(bad)); ok {
			t.Errorf("parseStat(%q) accepted", bad)
		}
	}
}

func TestReadProcTimes(t *testing.T) {
	root := t.TempDir()
	for pid, stat := range map[string]string{
		"10": "10 (postgres) S 1 1 1 0 -1 0 0 0 0 0 30 10 0 0 20 0 1 0 1 0 0\n",
		"11": "11 (wrk) R 1 1 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 0 0\n",
		"12": "garbage\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, pid), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, pid, "stat"), []byte(stat), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := readProcTimes(root)
	if len(got) != 2 || got[10] != (procTime{"postgres", 40}) || got[11] != (procTime{"wrk", 10}) {
		t.Errorf("readProcTimes = %+v", got)
	}
}

func TestCostBetween(t *testing.T) {
	before := map[int]procTime{1: {"oneplan", 100}, 2: {"postgres", 50}, 3: {"postgres", 10}, 4: {"wrk", 0}, 5: {"postgres", 7}}
	after := map[int]procTime{
		1: {"oneplan", 300},  // the server: 200 ticks
		2: {"postgres", 250}, // 200 ticks
		3: {"postgres", 10},  // idle
		4: {"wrk", 40},       // 40 ticks
		6: {"postgres", 100}, // a backend that started in between: all of its 100
		5: {"bash", 20},      // pid 5 now names another program: not PostgreSQL
		7: {"redis", 500},    // someone else's
	}
	c := costBetween(before, after, 1, "wrk", 1000) // 1,000 operations
	// 200 ticks = 2 s over 1,000 operations = 2 ms each; 300 ticks = 3 ms; 40 = 0.4 ms.
	if !c.measured || c.server != 2*time.Millisecond || c.postgres != 3*time.Millisecond || c.load != 400*time.Microsecond {
		t.Errorf("costBetween = %+v", c)
	}
	if c.total() != 5400*time.Microsecond {
		t.Errorf("total = %s", c.total())
	}
	if c := costBetween(before, nil, 1, "wrk", 1000); c.measured {
		t.Error("no second reading gave a cost")
	}
	if c := costBetween(before, after, 1, "wrk", 0); c.measured {
		t.Error("no operations gave a cost")
	}
}

func TestPrintCPU(t *testing.T) {
	cost := func(server, pg, load time.Duration) cpuCost {
		return cpuCost{server: server, postgres: pg, load: load, measured: true}
	}
	rows := []row{
		{op: operation{name: "list"}, conns: 16, rounds: []pair{
			{httpCPU: cost(450*time.Microsecond, 770*time.Microsecond, 70*time.Microsecond), sqlCPU: cost(0, 400*time.Microsecond, 130*time.Microsecond)},
			{httpCPU: cost(470*time.Microsecond, 790*time.Microsecond, 70*time.Microsecond), sqlCPU: cost(0, 400*time.Microsecond, 130*time.Microsecond)},
		}},
		{op: operation{name: "read"}, conns: 16, rounds: []pair{{}}}, // not measured: left out
	}
	var b bytes.Buffer
	printCPU(&b, rows)
	out := b.String()
	for _, want := range []string{"0.460 ms", "0.780 ms", "0.070 ms", "1.310 ms", "0.400 ms", "0.130 ms", "0.530 ms", "1.95x"} {
		if !strings.Contains(out, want) {
			t.Errorf("printCPU lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\nread ") {
		t.Errorf("printCPU printed an unmeasured row:\n%s", out)
	}
	b.Reset()
	printCPU(&b, rows[1:])
	if !strings.Contains(b.String(), "not measured") || strings.Contains(b.String(), "conns") {
		t.Errorf("printCPU with nothing measured:\n%s", b.String())
	}
}

func TestWatchCPU(t *testing.T) {
	// This test process burns CPU through the window: it counts as "the server".
	var stop atomic.Bool
	go func() {
		for !stop.Load() {
		}
	}()
	c := watchCPU(500*time.Millisecond, os.Getpid(), "wrk")(1)
	stop.Store(true)
	if !c.measured || c.server < 100*time.Millisecond {
		t.Errorf("a busy process over a 400 ms window cost %+v", c)
	}
}

func TestWatchRunSkipsShortRuns(t *testing.T) {
	start := time.Now()
	if c := watchRun(2*time.Second, os.Getpid(), "wrk")(1000); c.measured {
		t.Errorf("a 2 s run was measured: %+v", c)
	}
	if time.Since(start) > time.Second {
		t.Error("a short run's reading waited for the run")
	}
}
