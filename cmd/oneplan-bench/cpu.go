package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Where each run's CPU went. A ratio says how far the server is from PostgreSQL, not why: on a
// machine of two cores the server, PostgreSQL and the load generator share the same CPU, so a
// request that costs PostgreSQL more than the minimal SQL's transaction does is as slow as one
// that costs the server's Go more. The benchmark reads each process's CPU time from /proc over
// the middle of every run and prints it per request and per transaction (printCPU).

// cpuCost is the CPU one request (or one transaction) cost each kind of process, averaged over
// the middle of a run. PostgreSQL is every process named postgres: the backends serving the run
// and whatever else the cluster did meanwhile (autovacuum, the checkpointer, the server's own
// background folds), all of it a cost of the run on a shared machine.
type cpuCost struct {
	server, postgres, load time.Duration
	measured               bool // false where /proc is not there to read (not Linux)
}

func (c cpuCost) total() time.Duration { return c.server + c.postgres + c.load }

// clockTicks is how many ticks a second /proc's CPU times count: USER_HZ, 100 on Linux.
const clockTicks = 100

// procTime is one process's name and the CPU it has used so far (user and system), in ticks.
type procTime struct {
	comm  string
	ticks int64
}

// readProcTimes reads every process's CPU time under root (/proc); processes that end while it
// reads are skipped.
func readProcTimes(root string) map[int]procTime {
	paths, _ := filepath.Glob(filepath.Join(root, "[0-9]*", "stat"))
	out := make(map[int]procTime, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p) //nolint:gosec // a /proc path the glob found
		if err != nil {
			continue
		}
		if pid, t, ok := parseStat(b); ok {
			out[pid] = t
		}
	}
	return out
}

// parseStat reads the pid, name, user time and system time of one /proc/<pid>/stat line. The
// name is in parentheses and may hold spaces or parentheses itself, so the fields are counted
// from the last ")".
func parseStat(b []byte) (int, procTime, bool) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || end < open {
		return 0, procTime{}, false
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return 0, procTime{}, false
	}
	f := bytes.Fields(b[end+1:]) // f[0] is field 3 (state): utime is field 14, stime 15
	if len(f) < 13 {
		return 0, procTime{}, false
	}
	utime, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, procTime{}, false
	}
	return pid, procTime{comm: string(b[open+1 : end]), ticks: utime + stime}, true
}

// costBetween is the CPU used between two readings by the server (its pid), PostgreSQL and the
// load generator (by name), divided over ops operations. A process missing from the first
// reading, or whose pid now names another program, started in between and counts from zero.
func costBetween(before, after map[int]procTime, serverPID int, load string, ops float64) cpuCost {
	if len(after) == 0 || ops <= 0 {
		return cpuCost{}
	}
	var server, pg, gen int64
	for pid, t := range after {
		d := t.ticks
		if b, ok := before[pid]; ok && b.comm == t.comm {
			d -= b.ticks
		}
		if d <= 0 {
			continue
		}
		switch {
		case pid == serverPID:
			server += d
		case t.comm == "postgres":
			pg += d
		case t.comm == load:
			gen += d
		}
	}
	per := func(ticks int64) time.Duration {
		return time.Duration(float64(ticks) / clockTicks / ops * float64(time.Second))
	}
	return cpuCost{server: per(server), postgres: per(pg), load: per(gen), measured: true}
}

// minCPURun is the shortest run whose CPU is read: in a run of a few seconds, connecting falls
// inside the window (pgbench took up to a second to connect 32 clients here), so the short mode's
// 2 s runs are not read at all rather than read wrong.
const minCPURun = 5 * time.Second

// watchRun is watchCPU for runs of at least minCPURun; a shorter run's cost is not measured.
func watchRun(d time.Duration, serverPID int, load string) func(rate float64) cpuCost {
	if d < minCPURun {
		return func(float64) cpuCost { return cpuCost{} }
	}
	return watchCPU(d, serverPID, load)
}

// watchCPU reads the processes' CPU a tenth of the way into a run of length d that starts now,
// and again a tenth from its end, so that connecting and the processes ending fall outside. The
// function it returns waits for the second reading and gives the cost per operation at rate
// operations a second.
func watchCPU(d time.Duration, serverPID int, load string) func(rate float64) cpuCost {
	type readings struct {
		before, after map[int]procTime
		window        time.Duration
	}
	ch := make(chan readings, 1)
	start := time.Now()
	go func() {
		time.Sleep(d / 10)
		before, t0 := readProcTimes("/proc"), time.Now()
		time.Sleep(time.Until(start.Add(d - d/10)))
		after := readProcTimes("/proc")
		ch <- readings{before, after, time.Since(t0)}
	}()
	return func(rate float64) cpuCost {
		r := <-ch
		return costBetween(r.before, r.after, serverPID, load, rate*r.window.Seconds())
	}
}

// printCPU writes, per operation and connection count, the median CPU a request cost the server,
// PostgreSQL and wrk, and a pgbench transaction cost PostgreSQL and pgbench.
func printCPU(w io.Writer, rows []row) {
	fmt.Fprintln(w, "CPU per operation: what one request cost each process (server, PostgreSQL, wrk) and one pgbench transaction cost")
	fmt.Fprintln(w, "PostgreSQL and pgbench, read from /proc over the middle of each run (medians over rounds; all share the same cores)")
	printed := false
	for _, r := range rows {
		var rs []pair
		for _, p := range r.rounds {
			if p.httpCPU.measured && p.sqlCPU.measured {
				rs = append(rs, p)
			}
		}
		if len(rs) == 0 {
			continue
		}
		if !printed {
			fmt.Fprintf(w, "%-12s %5s %10s %10s %8s %10s   %10s %8s %10s   %s\n", "operation", "conns",
				"server", "PostgreSQL", "wrk", "HTTP total", "PostgreSQL", "pgbench", "SQL total", "PostgreSQL request/transaction")
			printed = true
		}
		measured := row{rounds: rs}
		m := func(f func(pair) time.Duration) time.Duration {
			return time.Duration(measured.medianOf(func(p pair) float64 { return float64(f(p)) }))
		}
		pgHTTP, pgSQL := m(func(p pair) time.Duration { return p.httpCPU.postgres }), m(func(p pair) time.Duration { return p.sqlCPU.postgres })
		share := "-"
		if pgSQL > 0 {
			share = fmt.Sprintf("%.2fx", float64(pgHTTP)/float64(pgSQL))
		}
		fmt.Fprintf(w, "%-12s %5d %10s %10s %8s %10s   %10s %8s %10s   %s\n", r.op.name, r.conns,
			msCPU(m(func(p pair) time.Duration { return p.httpCPU.server })), msCPU(pgHTTP),
			msCPU(m(func(p pair) time.Duration { return p.httpCPU.load })), msCPU(m(func(p pair) time.Duration { return p.httpCPU.total() })),
			msCPU(pgSQL), msCPU(m(func(p pair) time.Duration { return p.sqlCPU.load })),
			msCPU(m(func(p pair) time.Duration { return p.sqlCPU.total() })), share)
	}
	if !printed {
		fmt.Fprintln(w, "(not measured: runs shorter than 5 s, or no /proc to read)")
	}
}

// msCPU writes a CPU time per operation in milliseconds, to three places (they are fractions of
// a millisecond).
func msCPU(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
