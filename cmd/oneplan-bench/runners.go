package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// httpResult is one wrk run, read from the lines the Lua script's done() prints.
type httpResult struct {
	Requests     int
	Duration     time.Duration
	P50, P99     time.Duration
	SocketErrors int
	// Statuses counts answers outside 2xx by status; Sample is the first one's status and body.
	Statuses map[int]int
	Sample   string
	// WrkStatusErrors is wrk's own count of answers above 399, a cross-check on Statuses.
	WrkStatusErrors int
}

// RPS is requests per second over the run, errors included: a run with any is flagged anyway.
func (r httpResult) RPS() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Duration.Seconds()
}

// NonOK is the number of answers outside 2xx.
func (r httpResult) NonOK() int {
	n := 0
	for _, c := range r.Statuses {
		n += c
	}
	return max(n, r.WrkStatusErrors)
}

// StatusSummary lists the non-2xx statuses, most frequent first: "409x3 500x1".
func (r httpResult) StatusSummary() string {
	codes := make([]int, 0, len(r.Statuses))
	for c := range r.Statuses {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if r.Statuses[codes[i]] != r.Statuses[codes[j]] {
			return r.Statuses[codes[i]] > r.Statuses[codes[j]]
		}
		return codes[i] < codes[j]
	})
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%dx%d", c, r.Statuses[c])
	}
	return strings.Join(parts, " ")
}

// parseWrk reads the "oneplan-bench KEY VALUE..." lines of a wrk run.
func parseWrk(out string) (httpResult, error) {
	r := httpResult{Statuses: map[int]int{}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || fields[0] != "oneplan-bench" {
			continue
		}
		key := fields[1]
		if key == "sample" {
			r.Sample = strings.Join(fields[2:], " ")
			continue
		}
		nums := make([]int, 0, 2)
		for _, f := range fields[2:] {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return r, fmt.Errorf("wrk output: %q is not a number in %q", f, sc.Text())
			}
			nums = append(nums, int(v))
		}
		seen[key] = true
		switch key {
		case "requests":
			r.Requests = nums[0]
		case "duration_us":
			r.Duration = time.Duration(nums[0]) * time.Microsecond
		case "p50_us":
			r.P50 = time.Duration(nums[0]) * time.Microsecond
		case "p99_us":
			r.P99 = time.Duration(nums[0]) * time.Microsecond
		case "socket_errors":
			r.SocketErrors = nums[0]
		case "non2xx_wrk":
			r.WrkStatusErrors = nums[0]
		case "status":
			if len(nums) != 2 {
				return r, fmt.Errorf("wrk output: bad status line %q", sc.Text())
			}
			r.Statuses[nums[0]] += nums[1]
		}
	}
	for _, k := range []string{"requests", "duration_us", "p50_us", "p99_us"} {
		if !seen[k] {
			return r, fmt.Errorf("wrk output has no %s line (did the Lua script's done() run?)", k)
		}
	}
	return r, sc.Err()
}

// wrkRun is one HTTP load run.
type wrkRun struct {
	wrk, script, baseURL, op, key string
	referrals, threads, conns     int
	duration                      time.Duration
}

func (w wrkRun) run(ctx context.Context) (httpResult, error) {
	args := []string{"-t", strconv.Itoa(w.threads), "-c", strconv.Itoa(w.conns), "-d", fmt.Sprintf("%ds", int(w.duration.Seconds())),
		"--timeout", "30s", "-s", w.script, w.baseURL, "--", w.op, w.key, strconv.Itoa(w.referrals), strconv.Itoa(w.threads)}
	out, err := runTool(ctx, w.wrk, args...)
	if err != nil {
		return httpResult{}, fmt.Errorf("wrk %s: %w\n%s", w.op, err, tail(out, 20))
	}
	r, err := parseWrk(out)
	if err != nil {
		return r, fmt.Errorf("%w\n%s", err, tail(out, 20))
	}
	return r, nil
}

// sqlResult is one pgbench run.
type sqlResult struct {
	TPS        float64
	Processed  int
	Failed     int
	LatencyAvg time.Duration
	// Connect is pgbench's "initial connection time": on a loaded machine connecting many
	// clients can take much of a short run, leaving each client few transactions.
	Connect time.Duration
	// P50 and P99 are the transactions' latency, read from pgbench's per-transaction log: the
	// tail the machine gives PostgreSQL itself, beside which the server's p99 is judged.
	P50, P99 time.Duration
}

// parsePgbench reads pgbench's summary.
func parsePgbench(out string) (sqlResult, error) {
	var r sqlResult
	var sawTPS, sawProcessed bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "tps = "):
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return r, fmt.Errorf("pgbench output: %q", line)
			}
			r.TPS, sawTPS = v, true
		case strings.HasPrefix(line, "number of transactions actually processed:"):
			// "number of transactions actually processed: 1234" or, with -t, "1234/1234"
			v := strings.TrimSpace(strings.TrimPrefix(line, "number of transactions actually processed:"))
			v, _, _ = strings.Cut(v, "/")
			n, err := strconv.Atoi(v)
			if err != nil {
				return r, fmt.Errorf("pgbench output: %q", line)
			}
			r.Processed, sawProcessed = n, true
		case strings.HasPrefix(line, "number of failed transactions:"):
			f := strings.Fields(strings.TrimPrefix(line, "number of failed transactions:"))
			n, err := strconv.Atoi(f[0])
			if err != nil {
				return r, fmt.Errorf("pgbench output: %q", line)
			}
			r.Failed = n
		case strings.HasPrefix(line, "initial connection time = "):
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[4], 64)
			if err == nil && len(f) > 5 && f[5] == "ms" {
				r.Connect = time.Duration(v * float64(time.Millisecond))
			}
		case strings.HasPrefix(line, "latency average = "):
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[3], 64)
			if err == nil && len(f) > 4 && f[4] == "ms" {
				r.LatencyAvg = time.Duration(v * float64(time.Millisecond))
			}
		}
	}
	if !sawTPS || !sawProcessed {
		return r, errors.New("pgbench printed no tps or transaction count")
	}
	return r, sc.Err()
}

// pgbenchRun is one SQL load run of a script on the benchmark database.
type pgbenchRun struct {
	pgbench, script, dbURL string
	threads, conns         int
	duration               time.Duration
	vars                   map[string]string
}

func (p pgbenchRun) run(ctx context.Context) (sqlResult, error) {
	// Each thread logs a line per transaction (about a megabyte for a run of ten seconds) into a
	// directory of the run's own, read for the percentiles and removed.
	logs, err := os.MkdirTemp("", "oneplan-pgbench-")
	if err != nil {
		return sqlResult{}, err
	}
	defer func() { _ = os.RemoveAll(logs) }()
	threads := min(p.threads, p.conns)
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(p.conns), "-j", strconv.Itoa(threads),
		"-T", strconv.Itoa(int(p.duration.Seconds())), "-l", "--log-prefix", filepath.Join(logs, "tx"), "-f", p.script}
	names := make([]string, 0, len(p.vars))
	for k := range p.vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, "-D", k+"="+p.vars[k])
	}
	args = append(args, p.dbURL)
	out, err := runTool(ctx, p.pgbench, args...)
	if err != nil {
		return sqlResult{}, fmt.Errorf("pgbench %s: %w\n%s", p.script, err, tail(out, 20))
	}
	r, err := parsePgbench(out)
	if err != nil {
		return r, fmt.Errorf("%w\n%s", err, tail(out, 20))
	}
	files, err := filepath.Glob(filepath.Join(logs, "tx.*"))
	if err != nil {
		return r, err
	}
	var took []time.Duration
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // pgbench's log, in the run's own directory
		if err != nil {
			return r, err
		}
		if took, err = pgbenchLatencies(b, took); err != nil {
			return r, fmt.Errorf("pgbench log %s: %w", filepath.Base(f), err)
		}
	}
	r.P50, r.P99 = percentile(took, 50), percentile(took, 99)
	return r, nil
}

// pgbenchLatencies appends the latencies of a pgbench per-transaction log ("client transaction
// latency_us script epoch epoch_us", one line each) to took. A failed transaction's line has a
// word where the latency is ("failed", or the kind of failure): it is left out, as
// pgbench's summary already counts it.
func pgbenchLatencies(log []byte, took []time.Duration) ([]time.Duration, error) {
	for line := range strings.Lines(string(log)) {
		f := strings.Fields(line)
		if len(f) < 3 {
			return took, fmt.Errorf("line %q", strings.TrimSpace(line))
		}
		us, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			continue
		}
		took = append(took, time.Duration(us)*time.Microsecond)
	}
	return took, nil
}

// percentile is the nearest-rank p-th percentile of v (sorted in place); 0 for none.
func percentile(v []time.Duration, p int) time.Duration {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[(len(v)*p+99)/100-1]
}

// runTool runs a tool and returns its stdout and stderr together.
func runTool(ctx context.Context, name string, args ...string) (string, error) {
	var buf bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...) //nolint:gosec // the benchmark's own tools, with arguments it builds
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

// tail returns the last n lines of s, for error messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
