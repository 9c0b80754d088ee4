package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildServer builds the real server the way `make build` does (no cgo, trimmed, stripped), so
// the benchmark measures the binary that ships.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "oneplan")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/oneplan") //nolint:gosec // into the run's own temporary directory
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/oneplan (run from the repository root): %w\n%s", err, out)
	}
	return bin, nil
}

// serverEnv is the server's configuration for the benchmark, over the caller's environment: a
// rate limit no load here can reach (the limiter still runs on every request), no statutory
// sweeps during the runs, and an admin key given rather than generated, so nothing is printed.
func serverEnv(dsn, addr, adminKey string) []string {
	return append(os.Environ(),
		"ONEPLAN_DATABASE_URL="+dsn,
		"ONEPLAN_ADDR="+addr,
		"ONEPLAN_ADMIN_API_KEY="+adminKey,
		"ONEPLAN_RATE_LIMIT=1000000000",
		"ONEPLAN_RATE_BURST=1000000000",
		"ONEPLAN_SWEEP_INTERVAL=0",
	)
}

// issueKeys makes the admin key the server installs at start and, with the real CLI, the SEND
// officer key every request uses: a council key sees every record, so reads are not scoped.
func issueKeys(ctx context.Context, bin, dsn, orgID string) (admin, officer string, err error) {
	admin, err = cli(ctx, bin, nil, "apikey", "generate")
	if err != nil {
		return "", "", err
	}
	env := append(os.Environ(), "ONEPLAN_DATABASE_URL="+dsn)
	officer, err = cli(ctx, bin, env, "apikey", "create", "--org", orgID, "--role", "send_officer", "--name", keyName)
	return admin, officer, err
}

// keyName names the benchmark's key, for pgbench's audit rows to find its id.
const keyName = "oneplan-bench"

// cli runs a oneplan subcommand and returns its stdout, trimmed (the key, for apikey).
func cli(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...) //nolint:gosec // the server binary this run built
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("oneplan %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	out := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(out, "op_") {
		return "", fmt.Errorf("oneplan %s printed no key", strings.Join(args, " "))
	}
	return out, nil
}

// server is the real server binary running as its own process.
type server struct {
	cmd     *exec.Cmd
	baseURL string
	logPath string
	exited  chan error
}

// freeAddr finds a free loopback port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}

// startServer starts `oneplan serve` on a free loopback port, its output to logPath, and waits
// until /readyz answers 200.
func startServer(ctx context.Context, bin, dsn, adminKey, logPath string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath) //nolint:gosec // a file in the run's own temporary directory
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve") //nolint:gosec // the server binary this run built
	cmd.Env = serverEnv(dsn, addr, adminKey)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, err
	}
	s := &server{cmd: cmd, baseURL: "http://" + addr, logPath: logPath, exited: make(chan error, 1)}
	go func() {
		s.exited <- cmd.Wait()
		_ = logFile.Close()
	}()
	deadline := time.Now().Add(90 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case err := <-s.exited:
			s.exited <- err
			return nil, fmt.Errorf("the server exited before it was ready (%w):\n%s", exitErr(err), s.logTail())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := client.Get(s.baseURL + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the server was not ready within 90 s:\n%s", s.logTail())
		}
	}
}

// peakRSS is the server's peak resident memory so far (VmHWM), or "" where /proc cannot tell.
func (s *server) peakRSS() string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if kb, err := strconv.Atoi(f[0]); err == nil {
				return fmt.Sprintf("%d MB", kb/1024)
			}
		}
	}
	return ""
}

// alive reports whether the server is still running (it should be, after every run).
func (s *server) alive() error {
	select {
	case err := <-s.exited:
		s.exited <- err
		return fmt.Errorf("the server exited (%w):\n%s", exitErr(err), s.logTail())
	default:
		return nil
	}
}

// stop asks the server to shut down and kills it if it has not within 20 s.
func (s *server) stop() {
	if s.alive() != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		s.exited <- err
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		s.exited <- <-s.exited
	}
}

// exitErr says why the server ended: its exit error, or that it exited cleanly (it should not have).
func exitErr(err error) error {
	if err == nil {
		return errors.New("exit status 0")
	}
	return err
}

// logTail is the end of the server's log, for error messages. The server prints no key: the
// admin key is given to it, not made by it.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return err.Error()
	}
	return tail(string(b), 15)
}

// serverProblems writes the server's warnings and errors from its log at path (JSON, one object
// a line): each different one once (its time and request id aside), with how often it came and
// when first and last, the first most of them and how many others there were. When a run had
// failures they say why, and the log itself is gone at the end unless ONEPLAN_BENCH_KEEP is set.
// The server keeps everything personal out of its log, so the lines can be printed as they are.
func serverProblems(out io.Writer, path string, most int) error {
	f, err := os.Open(path) //nolint:gosec // the run's own log
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	type problem struct {
		line        string
		n           int
		first, last string
	}
	var (
		order []*problem
		seen  = map[string]*problem{}
	)
	var key bytes.Buffer
	enc := json.NewEncoder(&key)
	enc.SetEscapeHTML(false) // "a > b" as the log wrote it, not "a \u003e b"
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var fields map[string]any
		if json.Unmarshal(sc.Bytes(), &fields) != nil || fields["level"] != "WARN" && fields["level"] != "ERROR" {
			continue
		}
		at, _ := fields["time"].(string)
		delete(fields, "time")
		delete(fields, "request_id")
		key.Reset()
		if err := enc.Encode(fields); err != nil { // its keys sorted: the same problem, the same line
			return err
		}
		line := strings.TrimSuffix(key.String(), "\n")
		p := seen[line]
		if p == nil {
			p = &problem{line: line, first: at}
			seen[p.line] = p
			order = append(order, p)
		}
		p.n++
		p.last = at
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(order) == 0 {
		fmt.Fprintln(out, "the server logged no warning or error during the run")
		return nil
	}
	fmt.Fprintln(out, "the server's warnings and errors during the run (times and request ids aside):")
	for i, p := range order {
		if i == most {
			fmt.Fprintf(out, "  and %d others\n", len(order)-most)
			break
		}
		fmt.Fprintf(out, "  %d x %s (first %s, last %s)\n", p.n, p.line, p.first, p.last)
	}
	return nil
}
