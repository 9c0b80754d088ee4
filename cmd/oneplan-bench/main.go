// Command oneplan-bench measures the OnePlan server against PostgreSQL itself, in one run on one
// database, so that its figures are ratios that survive a noisy machine: it creates a fresh
// database, migrates it, loads the benchmark data set (internal/benchload), builds and starts the
// real server binary on a loopback port, then for each operation runs HTTP load with wrk and the
// minimal SQL for the same work with pgbench, interleaved round by round, and prints the medians
// and their ratios, then each report's time against a bare COUNT, before the runs and again once
// the server has folded what they wrote. `make bench` runs it; `make
// bench-short` runs the short mode CI uses to prove the harness works. Any non-2xx answer or
// failed transaction is reported loudly, with the server's warnings and errors from its log
// (serverProblems), and makes it exit 1: a benchmark of errors is worthless.
//
// It is a program rather than a test because it orchestrates other processes for many minutes
// and its product is a printed table, not a pass or fail; its parts have unit tests.
//
// Configuration (environment):
//
//	ONEPLAN_BENCH_SHORT=1          20,000 referrals, 2 s runs, one round (CI)
//	ONEPLAN_BENCH_REFERRALS        referrals to load (default 1,000,000)
//	ONEPLAN_BENCH_DURATION         each run's length, whole seconds (default 10s)
//	ONEPLAN_BENCH_WARMUP           an unmeasured HTTP run before each operation's first round, at each
//	                               connection count, whole seconds (default 3s; 1s in short mode; 0s skips)
//	ONEPLAN_BENCH_ROUNDS           interleaved rounds (default 3)
//	ONEPLAN_BENCH_CONNECTIONS      connection counts, comma-separated (default 16,32)
//	ONEPLAN_BENCH_OPERATIONS       operations to run (default create,read,list,list_status,update)
//	ONEPLAN_BENCH_REPORT_RUNS      timed runs per report, period and filter (default 3; 0 skips reports)
//	ONEPLAN_BENCH_REPORT_FILTERS   report filters to time, comma-separated (default none,locality,org_large,org_small:
//	                               no filter, a locality, the council's SEND service in every child's team, a setting
//	                               that referred one child in 500)
//	ONEPLAN_BENCH_THREADS          wrk threads and pgbench threads (default 2)
//	ONEPLAN_BENCH_KEEP=1           keep the database (its name is printed) and the server's log
//	TEST_DATABASE_URL              administrator connection that may create databases
//	                               (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/oneplan-send/oneplan/internal/benchload"
	"github.com/oneplan-send/oneplan/internal/store"
)

//go:embed scripts
var scripts embed.FS

// operation is one API operation and the pgbench script doing the same work in SQL.
type operation struct {
	name, http string
}

var operations = []operation{
	{"create", "POST /v1/referrals"},
	{"read", "GET /v1/referrals/{id}"},
	{"list", "GET /v1/referrals?limit=50"},
	{"list_status", "GET /v1/referrals?status=assessing&limit=50"},
	{"update", "PATCH /v1/referrals/{id} (summary)"},
}

type config struct {
	short       bool
	referrals   int
	duration    time.Duration
	warmup      time.Duration
	rounds      int
	connections []int
	ops         []operation
	reportRuns  int
	// reportFilters: each report is timed with each of these (ONEPLAN_BENCH_REPORT_FILTERS).
	reportFilters []reportFilter
	threads       int
	keep          bool
	adminURL      string
}

// configFrom reads the configuration from getenv.
func configFrom(getenv func(string) string) (config, error) {
	c := config{referrals: 1_000_000, duration: 10 * time.Second, warmup: 3 * time.Second, rounds: 3, connections: []int{16, 32}, ops: operations,
		reportRuns: 3, reportFilters: reportFilters, threads: 2, adminURL: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}
	if getenv("ONEPLAN_BENCH_SHORT") == "1" {
		c.short, c.referrals, c.duration, c.warmup, c.rounds, c.reportRuns = true, 20_000, 2*time.Second, time.Second, 1, 1
	}
	intVar := func(name string, dst *int, lo int) error {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo {
				return fmt.Errorf("%s must be a whole number, at least %d", name, lo)
			}
			*dst = n
		}
		return nil
	}
	if err := intVar("ONEPLAN_BENCH_REFERRALS", &c.referrals, 7*100); err != nil {
		return c, err
	}
	if err := intVar("ONEPLAN_BENCH_ROUNDS", &c.rounds, 1); err != nil {
		return c, err
	}
	if err := intVar("ONEPLAN_BENCH_REPORT_RUNS", &c.reportRuns, 0); err != nil {
		return c, err
	}
	if err := intVar("ONEPLAN_BENCH_THREADS", &c.threads, 1); err != nil {
		return c, err
	}
	if v := getenv("ONEPLAN_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d%time.Second != 0 {
			return c, errors.New("ONEPLAN_BENCH_DURATION must be whole seconds, at least 1s (e.g. 10s)")
		}
		c.duration = d
	}
	if v := getenv("ONEPLAN_BENCH_WARMUP"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d%time.Second != 0 {
			return c, errors.New("ONEPLAN_BENCH_WARMUP must be whole seconds, 0s to skip (e.g. 3s)")
		}
		c.warmup = d
	}
	if v := getenv("ONEPLAN_BENCH_REPORT_FILTERS"); v != "" {
		c.reportFilters = nil
		for _, f := range strings.Split(v, ",") {
			i := slices.IndexFunc(reportFilters, func(r reportFilter) bool { return r.name == strings.TrimSpace(f) })
			if i < 0 {
				return c, fmt.Errorf("ONEPLAN_BENCH_REPORT_FILTERS: unknown filter %q (none, locality, org_large, org_small)", f)
			}
			c.reportFilters = append(c.reportFilters, reportFilters[i])
		}
	}
	if v := getenv("ONEPLAN_BENCH_CONNECTIONS"); v != "" {
		c.connections = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 64 {
				return c, errors.New("ONEPLAN_BENCH_CONNECTIONS must list connection counts from 1 to 64, e.g. 16,32")
			}
			c.connections = append(c.connections, n)
		}
	}
	if v := getenv("ONEPLAN_BENCH_OPERATIONS"); v != "" {
		c.ops = nil
		for _, f := range strings.Split(v, ",") {
			found := false
			for _, op := range operations {
				if op.name == strings.TrimSpace(f) {
					c.ops, found = append(c.ops, op), true
				}
			}
			if !found {
				return c, fmt.Errorf("ONEPLAN_BENCH_OPERATIONS: unknown operation %q (create, read, list, list_status, update)", f)
			}
		}
	}
	for _, n := range c.connections {
		// wrk needs a connection per thread; the update scripts need more referrals per thread or
		// client than connections, so that no two patch one referral at once.
		if n < c.threads {
			return c, fmt.Errorf("%d connections is fewer than %d threads (ONEPLAN_BENCH_THREADS)", n, c.threads)
		}
		if benchload.Received(c.referrals)/n < 2*n {
			return c, fmt.Errorf("%d referrals are too few for %d connections", c.referrals, n)
		}
	}
	c.keep = getenv("ONEPLAN_BENCH_KEEP") == "1"
	if v := getenv("TEST_DATABASE_URL"); v != "" {
		c.adminURL = v
	}
	return c, nil
}

func main() {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "oneplan-bench:", err)
		os.Exit(1)
	}
}

// errFailures says the run completed but measured errors somewhere; the table says where.
var errFailures = errors.New("the run had failures (see the !!! lines above): its figures are not to be trusted")

func run(ctx context.Context, out io.Writer) error {
	cfg, err := configFrom(os.Getenv)
	if err != nil {
		return err
	}
	wrk, pgbench, err := tools()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "oneplan-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if !cfg.keep {
			_ = os.RemoveAll(dir)
		}
	}()
	scriptDir, err := writeScripts(dir)
	if err != nil {
		return err
	}

	// A fresh database, dropped at the end.
	dsn, drop, err := createDatabase(ctx, cfg.adminURL)
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(out, "keeping the database: %s\n", redact(dsn))
	} else {
		defer drop()
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()

	printMachine(ctx, out, db, cfg, wrk, pgbench)

	start := time.Now()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	err = st.Migrate(ctx)
	_ = st.Close()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := benchload.Load(ctx, dsn, cfg.referrals); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	fmt.Fprintf(out, "loaded %d referrals in %s\n", cfg.referrals, time.Since(start).Round(time.Second))

	start = time.Now()
	bin, err := buildServer(ctx, dir)
	if err != nil {
		return err
	}
	adminKey, key, err := issueKeys(ctx, bin, dsn, benchload.CouncilID)
	if err != nil {
		return err
	}
	var keyID string
	if err := db.QueryRowContext(ctx, "SELECT id FROM api_keys WHERE name = $1", keyName).Scan(&keyID); err != nil {
		return fmt.Errorf("find the benchmark key: %w", err)
	}
	srv, err := startServer(ctx, bin, dsn, adminKey, filepath.Join(dir, "server.log"))
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(out, "server built and ready at %s in %s (log: %s)\n", srv.baseURL, time.Since(start).Round(100*time.Millisecond), srv.logPath)

	if err := smoke(ctx, srv.baseURL, key, cfg.referrals); err != nil {
		printServerProblems(out, srv.logPath)
		return fmt.Errorf("smoke check of every operation, before any load: %w", err)
	}
	fmt.Fprintln(out, "smoke check: every operation answered as the contract says")

	// Reports first, on the data set as loaded and analysed, before the runs add rows.
	var reportResults []reportResult
	if cfg.reportRuns > 0 {
		fmt.Fprintf(out, "timing reports (%d runs each after a warm-up)\n", cfg.reportRuns)
		reportResults = timeReports(ctx, srv.baseURL, key, db, cfg.reportRuns, cfg.reportFilters, out)
	}

	rows := measure(ctx, out, cfg, srv, db, wrkRun{wrk: wrk, script: filepath.Join(scriptDir, "oneplan.lua"), baseURL: srv.baseURL, key: key,
		referrals: cfg.referrals, threads: cfg.threads, duration: cfg.duration},
		pgbenchRun{pgbench: pgbench, dbURL: dsn, threads: cfg.threads, duration: cfg.duration,
			vars: map[string]string{"n": strconv.Itoa(cfg.referrals), "settings": strconv.Itoa(benchload.Settings), "key_id": keyID,
				"org_id": benchload.CouncilID}}, scriptDir)
	// Reports at once after the runs, before the server's next fold: they read the runs' deltas
	// not yet folded (how many is printed).
	var burstResults []reportResult
	var pending unfolded
	if cfg.reportRuns > 0 && ctx.Err() == nil {
		pending = unfoldedNow(ctx, db)
		fmt.Fprintf(out, "timing reports at once after the runs, %s (%d runs each after a warm-up)\n", pending, cfg.reportRuns)
		burstResults = timeReports(ctx, srv.baseURL, key, db, cfg.reportRuns, cfg.reportFilters, out)
	}
	// Reports again once the server has folded what the runs wrote: what a report reads after
	// a burst of writes (the fold's leftovers, such as dead rows in the delta tables) shows here.
	var afterResults []reportResult
	if cfg.reportRuns > 0 && ctx.Err() == nil {
		fmt.Fprintln(out, "waiting for the server's fold of the runs' report deltas (every minute)")
		if err := waitFolded(ctx, db, 3*time.Minute); err != nil {
			fmt.Fprintf(out, "  %v: timed as they are\n", err)
		}
		if ctx.Err() == nil {
			fmt.Fprintf(out, "timing reports after the runs (%d runs each after a warm-up)\n", cfg.reportRuns)
			afterResults = timeReports(ctx, srv.baseURL, key, db, cfg.reportRuns, cfg.reportFilters, out)
		}
	}
	rss := srv.peakRSS()
	aliveErr := srv.alive()

	fmt.Fprintln(out)
	printThroughput(out, rows)
	if rss != "" {
		fmt.Fprintf(out, "server peak RSS: %s\n", rss)
	}
	fmt.Fprintln(out)
	printCPU(out, rows)
	if len(reportResults) > 0 {
		fmt.Fprintln(out)
		printReports(out, reportResults)
	}
	if len(burstResults) > 0 {
		fmt.Fprintln(out)
		fmt.Fprintf(out, "At once after the runs' writes (%s):\n", pending)
		printReports(out, burstResults)
	}
	if len(afterResults) > 0 {
		fmt.Fprintln(out)
		fmt.Fprintln(out, "After the runs' writes, once the server had folded them:")
		printReports(out, afterResults)
	}
	fmt.Fprintf(out, "\nload average at the end: %s\n", loadAverage())

	if aliveErr != nil {
		return aliveErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	failed := slices.ContainsFunc(rows, row.failed) ||
		slices.ContainsFunc(slices.Concat(reportResults, burstResults, afterResults), func(r reportResult) bool { return r.err != nil })
	if failed {
		printServerProblems(out, srv.logPath)
		return errFailures
	}
	return nil
}

// printServerProblems prints up to 20 of the server's warnings and errors (see serverProblems), or
// why it could not.
func printServerProblems(out io.Writer, logPath string) {
	if err := serverProblems(out, logPath, 20); err != nil {
		fmt.Fprintf(out, "the server's log could not be read: %v\n", err)
	}
}

// measure runs the rounds: in each, for each operation and connection count, wrk then pgbench.
// Creates have their rounds after all the others: each create run adds thousands of received
// referrals at the top of the id order, and a status-filtered list scanning the primary key
// backwards would have to step over more of them every round (both sides alike, but the
// figures would drift with how many rows earlier runs happened to add).
func measure(ctx context.Context, out io.Writer, cfg config, srv *server, db *sql.DB, w wrkRun, p pgbenchRun, scriptDir string) []row {
	var rows []row
	index := map[string]int{}
	var phases [2][]operation
	for _, op := range cfg.ops {
		for _, c := range cfg.connections {
			index[fmt.Sprint(op.name, c)] = len(rows)
			rows = append(rows, row{op: op, conns: c})
		}
		if op.name == "create" {
			phases[1] = append(phases[1], op)
		} else {
			phases[0] = append(phases[0], op)
		}
	}
	even := &evenStart{db: db}
	for _, phase := range phases {
		measurePhase(ctx, out, cfg, srv, db, even, w, p, scriptDir, phase, rows, index)
	}
	return rows
}

// measurePhase runs the rounds of some operations, filling in their rows; even starts each run
// (one for every phase, so that a refused CHECKPOINT is said once).
func measurePhase(ctx context.Context, out io.Writer, cfg config, srv *server, db *sql.DB, even *evenStart, w wrkRun, p pgbenchRun, scriptDir string,
	ops []operation, rows []row, index map[string]int) {
	if len(ops) == 0 {
		return
	}
	for round := 1; round <= cfg.rounds; round++ {
		for _, op := range ops {
			for _, c := range cfg.connections {
				if ctx.Err() != nil {
					return
				}
				r := &rows[index[fmt.Sprint(op.name, c)]]
				w.op, w.conns = op.name, c
				if round == 1 && cfg.warmup > 0 {
					// The server keeps its connections and their prepared statements from run to
					// run; pgbench opens and prepares afresh in every run, outside the figures.
					// Unwarmed, the first round's tail was the pool opening connections and
					// preparing this operation's statements on each (p99 in the hundreds of ms).
					warm := w
					warm.duration = cfg.warmup
					h, err := warm.run(ctx)
					fmt.Fprintln(out, warmupLine(op.name, c, h, err))
				}
				loadStart := loadAverage1()
				check := createdCheck(ctx, db, op.name == "create")
				httpCheckpoint := even.begin(ctx)
				httpCPU := watchRun(w.duration, srv.cmd.Process.Pid, "wrk")
				h, herr := w.run(ctx)
				httpRunCheckpointed := httpCheckpoint()
				if herr == nil {
					herr = srv.alive()
				}
				if herr == nil {
					herr = check(h.Requests-h.NonOK(), c)
				}
				p.script, p.conns = filepath.Join(scriptDir, op.name+".sql"), c
				p.vars["clients"] = strconv.Itoa(c)
				p.vars["per_client"] = strconv.Itoa(benchload.Received(cfg.referrals) / c)
				check = createdCheck(ctx, db, op.name == "create")
				sqlCheckpoint := even.begin(ctx)
				sqlCPU := watchRun(p.duration, srv.cmd.Process.Pid, "pgbench")
				s, serr := p.run(ctx)
				sqlRunCheckpointed := sqlCheckpoint()
				if serr == nil {
					serr = check(s.Processed, c)
				}
				loadEnd := loadAverage1()
				switch {
				case herr != nil:
					r.errs = append(r.errs, fmt.Sprintf("round %d HTTP: %v", round, herr))
				case serr != nil:
					r.errs = append(r.errs, fmt.Sprintf("round %d pgbench: %v", round, serr))
				default:
					// Each run's CPU readings end a tenth before the run does: these return at once.
					r.rounds = append(r.rounds, pair{http: h, sql: s, loadStart: loadStart, loadEnd: loadEnd,
						httpCPU: httpCPU(h.RPS()), sqlCPU: sqlCPU(s.TPS)})
				}
				fmt.Fprintln(out, progressLine(round, cfg.rounds, op.name, c, h, herr, s, serr, loadStart, loadEnd)+
					even.note(httpRunCheckpointed, sqlRunCheckpointed))
			}
		}
	}
}

// createdCheck, for a create run, marks the time and returns a check that the referrals created
// since are as many as the run says it created: at least the successful requests or
// transactions, and at most one more per connection (those cut off when the run ended). The time
// is marked once the referrals have stopped coming: the requests the run before (the warm-up) cut
// off finish after it, and counted in this run they made it gain more than it could (1,328 for
// 1,294 successes at 32 connections, in a CI run on a loaded machine).
func createdCheck(ctx context.Context, db *sql.DB, creates bool) func(done, conns int) error {
	if !creates {
		return func(int, int) error { return nil }
	}
	var since time.Time
	err := settled(ctx, db)
	if err == nil {
		err = db.QueryRowContext(ctx, "SELECT clock_timestamp()").Scan(&since)
	}
	return func(done, conns int) error {
		if err != nil {
			return err
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals WHERE created_at >= $1", since).Scan(&n); err != nil {
			return err
		}
		if n < done || n > done+conns {
			return fmt.Errorf("the run reported %d referrals created, but the database gained %d", done, n)
		}
		return nil
	}
}

// settled waits until no referral has been created for a quarter of a second (at most 10 s),
// reading the newest one's time (an index's last entry, where a count would read a million rows).
func settled(ctx context.Context, db *sql.DB) error {
	var last sql.NullTime
	for first, deadline := true, time.Now().Add(10*time.Second); time.Now().Before(deadline); first = false {
		var newest sql.NullTime
		if err := db.QueryRowContext(ctx, "SELECT MAX(created_at) FROM referrals").Scan(&newest); err != nil {
			return err
		}
		if !first && newest.Valid == last.Valid && newest.Time.Equal(last.Time) {
			return nil
		}
		last = newest
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return nil
}

// warmupLine says how an operation's unmeasured warm-up went.
func warmupLine(op string, conns int, h httpResult, err error) string {
	line := fmt.Sprintf("warm-up   %-11s c=%-2d", op, conns)
	if err != nil {
		return line + " HTTP failed: " + strings.SplitN(err.Error(), "\n", 2)[0]
	}
	line += fmt.Sprintf(" HTTP %8.1f req/s (not measured)", h.RPS())
	// Not counted against the run, but a refusal here would say the next runs will fail too.
	return line + refusals(h)
}

// refusals shouts about a wrk run's answers outside 2xx and its socket errors.
func refusals(h httpResult) string {
	line := ""
	if n := h.NonOK(); n > 0 {
		line += fmt.Sprintf("  !!! %d non-2xx: %s", n, h.StatusSummary())
	}
	if h.SocketErrors > 0 {
		line += fmt.Sprintf("  !!! %d socket errors", h.SocketErrors)
	}
	return line
}

// progressLine says how one round of one operation went, as it goes.
func progressLine(round, rounds int, op string, conns int, h httpResult, herr error, s sqlResult, serr error, loadStart, loadEnd float64) string {
	line := fmt.Sprintf("round %d/%d %-11s c=%-2d", round, rounds, op, conns)
	if herr == nil {
		line += fmt.Sprintf(" HTTP %8.1f req/s (p50 %s, p99 %s)", h.RPS(), ms(h.P50), ms(h.P99))
	} else {
		line += " HTTP FAILED"
	}
	if serr == nil {
		line += fmt.Sprintf("  pgbench %8.1f TPS (p50 %s, p99 %s)", s.TPS, ms(s.P50), ms(s.P99))
	} else {
		line += "  pgbench FAILED"
	}
	if herr == nil && serr == nil {
		line += fmt.Sprintf("  ratio %.2f", pair{http: h, sql: s}.Ratio())
	}
	line += fmt.Sprintf("  load %.1f->%.1f", loadStart, loadEnd)
	if serr == nil && s.Connect >= 100*time.Millisecond {
		line += fmt.Sprintf("  (pgbench connecting: %s)", ms(s.Connect))
	}
	if serr == nil && s.Connect > 0 && s.Processed < 5*conns {
		// Fewer than five transactions a client: connecting took the run, so the ceiling is not measured.
		line += fmt.Sprintf("  !!! pgbench connected its clients in %s and ran %d transactions: the ceiling is understated (a longer ONEPLAN_BENCH_DURATION?)",
			ms(s.Connect), s.Processed)
	}
	line += refusals(h)
	if s.Failed > 0 {
		line += fmt.Sprintf("  !!! %d failed pgbench transactions", s.Failed)
	}
	if herr != nil || serr != nil {
		line += "  !!! (see the notes under the table)"
	}
	return line
}

// tools finds wrk and pgbench; `make bench-tools` installs them.
func tools() (wrk, pgbench string, err error) {
	if wrk, err = exec.LookPath("wrk"); err != nil {
		return "", "", errors.New("wrk is not installed: run `make bench-tools` (apt-get install wrk)")
	}
	if pgbench, err = exec.LookPath("pgbench"); err == nil {
		return wrk, pgbench, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(matches) == 0 {
		return "", "", errors.New("pgbench is not installed: run `make bench-tools` (it comes with Debian's postgresql package)")
	}
	return wrk, matches[len(matches)-1], nil
}

// writeScripts copies the committed wrk and pgbench scripts next to the run.
func writeScripts(dir string) (string, error) {
	target := filepath.Join(dir, "scripts")
	if err := os.MkdirAll(target, 0o750); err != nil {
		return "", err
	}
	entries, err := scripts.ReadDir("scripts")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		b, err := scripts.ReadFile("scripts/" + e.Name())
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(target, e.Name()), b, 0o600); err != nil {
			return "", err
		}
	}
	return target, nil
}

// createDatabase makes a fresh database on the administrator connection's server and returns its
// URL and a function that drops it.
func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("TEST_DATABASE_URL: %w", err)
	}
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "oneplan_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		return "", nil, fmt.Errorf("create the benchmark database on %s: %w", u.Redacted(), err)
	}
	u.Path = "/" + name
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = admin.Close()
	}
	return u.String(), drop, nil
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// printMachine heads the output with what the figures were measured on.
func printMachine(ctx context.Context, out io.Writer, db *sql.DB, cfg config, wrk, pgbench string) {
	var pgVersion string
	if err := db.QueryRowContext(ctx, "SELECT version()").Scan(&pgVersion); err != nil {
		pgVersion = "unknown: " + err.Error()
	}
	firstLine := func(name string, args ...string) string {
		s, err := runTool(ctx, name, args...)
		if err != nil && name == "git" {
			return "unknown (not a git checkout)"
		}
		return strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
	}
	commit := firstLine("git", "describe", "--always", "--dirty")
	mode := "full"
	if cfg.short {
		mode = "short (ONEPLAN_BENCH_SHORT=1: proves the harness, not the server's speed)"
	}
	fmt.Fprintf(out, "OnePlan benchmark, %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(out, "  machine:    %s, %d cores, load average %s\n", cpuModel(), runtime.NumCPU(), loadAverage())
	fmt.Fprintf(out, "  PostgreSQL: %s\n", pgVersion)
	fmt.Fprintf(out, "  Go:         %s; wrk: %s; pgbench: %s\n", runtime.Version(), firstLine(wrk, "-v"), firstLine(pgbench, "--version"))
	fmt.Fprintf(out, "  code:       %s\n", commit)
	conns := make([]string, len(cfg.connections))
	for i, c := range cfg.connections {
		conns[i] = strconv.Itoa(c)
	}
	fmt.Fprintf(out, "  run:        %s mode; %d referrals; %d round(s) of %s runs at %s connections (each operation's first after a %s HTTP warm-up), %d wrk/pgbench threads\n",
		mode, cfg.referrals, cfg.rounds, cfg.duration, strings.Join(conns, " and "), cfg.warmup, cfg.threads)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// loadAverage1 is the machine's one-minute load average (-1 when unknown).
func loadAverage1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
