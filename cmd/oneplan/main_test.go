package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/config"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

func TestMain(m *testing.M) {
	storetest.Main(m, func() {
		if builtDir != "" {
			_ = os.RemoveAll(builtDir)
		}
	})
}

// builtDir holds the command as built by built, removed when the package's tests end.
var builtDir string

// built is this command built once for the package's tests that start server processes (a
// build took about 4 s of every such test).
var built = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "oneplan-test-bin-")
	if err != nil {
		return "", err
	}
	builtDir = dir
	bin := filepath.Join(dir, "oneplan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
})

var (
	keyFormat   = regexp.MustCompile(`^op_[a-z2-7]{8}_[a-z2-7]{32}$`)
	adminLine   = regexp.MustCompile(`admin API key \(shown once, keep it safe\): (\S+)`)
	officerLine = regexp.MustCompile(`demo SEND officer API key: (\S+)`)
)

// setEnv resets every configuration variable to its documented default, so the caller's
// environment cannot leak in, then points the database at dsn.
func setEnv(t *testing.T, dsn string) {
	t.Helper()
	for _, v := range config.Vars {
		t.Setenv(v[0], v[1])
	}
	t.Setenv("ONEPLAN_DATABASE_URL", dsn)
	t.Setenv("ONEPLAN_LOG_LEVEL", "error")
	if strings.HasPrefix(dsn, "postgres") {
		// The default with PostgreSQL is ./oneplan-documents: the source tree, here.
		t.Setenv("ONEPLAN_DOCUMENT_STORE", "file://"+t.TempDir())
	}
}

// runCmd runs the command and returns its stdout, stderr and error.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// mustRun runs the command and fails the test if it returns an error.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(t, args...)
	if err != nil {
		t.Fatalf("oneplan %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// mustFail runs the command and fails the test unless it returns an error.
func mustFail(t *testing.T, args ...string) error {
	t.Helper()
	out, errOut, err := runCmd(t, args...)
	if err == nil {
		t.Fatalf("oneplan %s: want an error, got none\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out, errOut)
	}
	return err
}

func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// councilOrg opens the store at dsn and returns the oldest local_authority_send organisation.
func councilOrg(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	var id string
	err = st.Read(ctx, func(tx *store.Tx) error {
		orgs, _, err := tx.Directory().Organisations(directory.OrganisationFilter{Type: "local_authority_send"}, paging.Page{Limit: 200})
		if err == nil && len(orgs) > 0 {
			id = orgs[len(orgs)-1].ID
		}
		return err
	})
	if err != nil {
		t.Fatalf("list organisations: %v", err)
	}
	if id == "" {
		t.Fatal("no local_authority_send organisation in the store")
	}
	return id
}

func activeAdminKeys(t *testing.T, dsn string) int64 {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	var n int64
	if err := st.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.Keys().ActiveWithRole(auth.RoleAdmin)
		return err
	}); err != nil {
		t.Fatalf("count admin keys: %v", err)
	}
	return n
}

func TestHelp(t *testing.T) {
	setEnv(t, "unused.db")
	cases := []struct {
		args    []string
		mention string
	}{
		{[]string{"--help"}, "oneplan serve"},
		{[]string{"-h"}, "oneplan migrate"},
		{[]string{"help"}, "oneplan seed --demo"},
		{[]string{"serve", "--help"}, "oneplan serve"},
		{[]string{"migrate", "--help"}, "oneplan migrate"},
		{[]string{"apikey", "create", "--help"}, "oneplan apikey create"},
		{[]string{"apikey", "generate", "--help"}, "oneplan apikey generate"},
		{[]string{"seed", "--help"}, "oneplan seed"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut, err := runCmd(t, c.args...)
			if err != nil {
				t.Fatalf("want nil error, got %v", err)
			}
			all := out + errOut
			if !strings.Contains(all, c.mention) {
				t.Errorf("usage does not mention %q:\n%s", c.mention, all)
			}
			for _, v := range []string{"ONEPLAN_DATABASE_URL", "ONEPLAN_ADMIN_API_KEY", "ONEPLAN_ADDR"} {
				if !strings.Contains(all, v) {
					t.Errorf("usage does not mention %s:\n%s", v, all)
				}
			}
		})
	}
	t.Run("apikey --help", func(t *testing.T) {
		out, errOut, err := runCmd(t, "apikey", "--help")
		if err != nil {
			t.Fatalf("want nil error, got %v", err)
		}
		if !strings.Contains(out+errOut, "oneplan apikey create") {
			t.Errorf("usage does not mention apikey create:\n%s", out+errOut)
		}
	})
}

func TestBadInvocations(t *testing.T) {
	setEnv(t, "unused.db")
	t.Run("no command", func(t *testing.T) {
		out, _, err := runCmd(t)
		if err == nil {
			t.Fatal("want an error")
		}
		if !strings.Contains(out, "ONEPLAN_DATABASE_URL") {
			t.Errorf("usage not printed:\n%s", out)
		}
	})
	t.Run("unknown command", func(t *testing.T) {
		err := mustFail(t, "frobnicate")
		if !strings.Contains(err.Error(), "frobnicate") {
			t.Errorf("error does not name the command: %v", err)
		}
	})
	for _, args := range [][]string{
		{"migrate", "extra"},
		{"serve", "extra"},
		{"seed", "--demo", "extra"},
		{"apikey", "generate", "extra"},
		{"apikey", "create", "--org", "x", "--role", "admin", "extra"},
		{"apikey"},
		{"apikey", "destroy"},
		{"migrate", "--no-such-flag"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { mustFail(t, args...) })
	}
}

func TestMigrate(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			setEnv(t, b.DSN(t))
			for i := range 2 {
				out := mustRun(t, "migrate")
				if !strings.Contains(out, b.Name) || !strings.Contains(out, "0001_foundation") {
					t.Errorf("run %d: migrate output lacks dialect %q or 0001_foundation: %q", i+1, b.Name, out)
				}
			}
		})
	}
}

// TestSweep: the statutory clock runs once from the command line, on the day asked.
func TestSweep(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			setEnv(t, b.DSN(t))
			out := mustRun(t, "sweep", "--as-of", "2026-02-10")
			if !strings.Contains(out, "swept 2026-02-10: 0 decisions due") {
				t.Errorf("sweep output: %q", out)
			}
			if err := mustFail(t, "sweep", "--as-of", "10/02/2026"); !strings.Contains(err.Error(), "--as-of") {
				t.Errorf("bad date: %v", err)
			}
			// A day to come would send its notices now, and never on the day.
			tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
			if err := mustFail(t, "sweep", "--as-of", tomorrow); !strings.Contains(err.Error(), "must not be after today") {
				t.Errorf("a day to come: %v", err)
			}
		})
	}
}

func TestAPIKeyGenerate(t *testing.T) {
	setEnv(t, "unused.db")
	var keys []string
	for range 2 {
		out := mustRun(t, "apikey", "generate")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 1 {
			t.Fatalf("want one line, got %q", out)
		}
		if !keyFormat.MatchString(lines[0]) {
			t.Fatalf("key %q does not match %s", lines[0], keyFormat)
		}
		keys = append(keys, lines[0])
	}
	if keys[0] == keys[1] {
		t.Errorf("two generated keys are equal: %s", keys[0])
	}
}

func TestSeedDemo(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			setEnv(t, b.DSN(t))
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")

			mustFail(t, "seed")

			out := mustRun(t, "seed", "--demo")
			m := adminLine.FindStringSubmatch(out)
			if m == nil || !keyFormat.MatchString(m[1]) {
				t.Errorf("first seed printed no admin key:\n%s", out)
			}
			m = officerLine.FindStringSubmatch(out)
			if m == nil || !keyFormat.MatchString(m[1]) {
				t.Errorf("first seed printed no SEND officer key:\n%s", out)
			}
			if !strings.Contains(out, "Loaded demo data") || !strings.Contains(out, "50 young people, 50 referrals") {
				t.Errorf("first seed did not report 50 young people and 50 referrals:\n%s", out)
			}

			again := mustRun(t, "seed", "--demo")
			if strings.Contains(again, "Loaded demo data") {
				t.Errorf("second seed loaded the demo data again:\n%s", again)
			}
			if adminLine.MatchString(again) {
				t.Errorf("second seed printed another admin key:\n%s", again)
			}
			m2 := officerLine.FindStringSubmatch(again)
			if m2 == nil || !keyFormat.MatchString(m2[1]) {
				t.Errorf("second seed printed no SEND officer key:\n%s", again)
			} else if m != nil && m[1] == m2[1] {
				t.Errorf("second seed printed the same SEND officer key as the first")
			}
		})
	}
}

func TestAPIKeyCreate(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")

			mustFail(t, "apikey", "create")
			mustFail(t, "apikey", "create", "--role", "admin")
			mustFail(t, "apikey", "create", "--org", randomUUID())
			err := mustFail(t, "apikey", "create", "--org", randomUUID(), "--role", "wizard")
			if !strings.Contains(err.Error(), "wizard") {
				t.Errorf("unknown-role error does not name the role: %v", err)
			}
			mustFail(t, "apikey", "create", "--org", randomUUID(), "--role", "send_officer")

			mustRun(t, "seed", "--demo")
			org := councilOrg(t, dsn)
			// The contract's bounds on a name hold here too.
			if err := mustFail(t, "apikey", "create", "--org", org, "--role", "analyst", "--name", strings.Repeat("k", 201)); !strings.Contains(err.Error(), "200 characters") {
				t.Errorf("a 201-character name: %v", err)
			}
			for _, role := range auth.Roles {
				out, errOut, err := runCmd(t, "apikey", "create", "--org", org, "--role", string(role), "--name", "test key")
				if err != nil {
					t.Fatalf("apikey create --role %s: %v\n%s", role, err, errOut)
				}
				key := strings.TrimSpace(out)
				if !keyFormat.MatchString(key) {
					t.Errorf("apikey create --role %s printed %q, not a key", role, out)
				}
				if !strings.Contains(errOut, org) {
					t.Errorf("apikey create did not report the organisation on stderr: %q", errOut)
				}
			}
			if n := activeAdminKeys(t, dsn); n != 2 {
				t.Errorf("want 2 active admin keys (seeded + created), got %d", n)
			}
		})
	}
}

func TestAdminAPIKeyFromEnv(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			key := strings.TrimSpace(mustRun(t, "apikey", "generate"))
			t.Setenv("ONEPLAN_ADMIN_API_KEY", key)

			out := mustRun(t, "seed", "--demo")
			if strings.Contains(out, key) || adminLine.MatchString(out) {
				t.Errorf("the supplied admin key was printed:\n%s", out)
			}
			if !officerLine.MatchString(out) {
				t.Errorf("no SEND officer key printed:\n%s", out)
			}
			if n := activeAdminKeys(t, dsn); n != 1 {
				t.Errorf("want exactly 1 active admin key, got %d", n)
			}
			// Seeding again must not install the key a second time.
			mustRun(t, "seed", "--demo")
			if n := activeAdminKeys(t, dsn); n != 1 {
				t.Errorf("after a second seed: want exactly 1 active admin key, got %d", n)
			}
		})
	}
	t.Run("malformed", func(t *testing.T) {
		setEnv(t, storetest.Backends(t)[0].DSN(t))
		t.Setenv("ONEPLAN_ADMIN_API_KEY", "not-a-key")
		err := mustFail(t, "seed", "--demo")
		if !strings.Contains(err.Error(), "op_") {
			t.Errorf("error does not describe the key format: %v", err)
		}
	})
}

func TestBadConfig(t *testing.T) {
	cases := []struct{ name, value, mention string }{
		{"ONEPLAN_MAX_BODY_BYTES", "abc", "ONEPLAN_MAX_BODY_BYTES"},
		{"ONEPLAN_MAX_BODY_BYTES", "10", "ONEPLAN_MAX_BODY_BYTES"},
		{"ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "maybe", "ONEPLAN_ALLOW_TEST_NHS_NUMBERS"},
		{"ONEPLAN_DATABASE_URL", "", "ONEPLAN_DATABASE_URL"},
		{"ONEPLAN_SWEEP_INTERVAL", "hourly", "ONEPLAN_SWEEP_INTERVAL"},
		{"ONEPLAN_SWEEP_INTERVAL", "-1h", "ONEPLAN_SWEEP_INTERVAL"},
		{"ONEPLAN_SECRETS_KEY", "c2hvcnQ=", "ONEPLAN_SECRETS_KEY"},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			setEnv(t, storetest.Backends(t)[0].DSN(t))
			t.Setenv(c.name, c.value)
			for _, args := range [][]string{{"migrate"}, {"seed", "--demo"}} {
				err := mustFail(t, args...)
				if !strings.Contains(err.Error(), c.mention) {
					t.Errorf("oneplan %s: error does not mention %s: %v", strings.Join(args, " "), c.mention, err)
				}
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader in different goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestHealthcheckLoopback(t *testing.T) {
	for in, want := range map[string]string{"0.0.0.0:8080": "127.0.0.1:8080", ":8080": "127.0.0.1:8080", "[::]:80": "[::1]:80",
		"10.0.0.5:8080": "10.0.0.5:8080", "127.0.0.1:9": "127.0.0.1:9"} {
		if got := loopback(in); got != want {
			t.Errorf("loopback(%q) = %q, want %q", in, got, want)
		}
	}
	setEnv(t, "unused.db")
	t.Setenv("ONEPLAN_ADDR", freeAddr(t))
	if err := mustFail(t, "healthcheck"); !strings.Contains(err.Error(), "healthcheck") {
		t.Errorf("healthcheck with nothing listening: %v", err)
	}
}

func TestServe(t *testing.T) {
	b := storetest.Backends(t)[0] // SQLite
	setEnv(t, b.DSN(t))
	t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
	addr := freeAddr(t)
	t.Setenv("ONEPLAN_ADDR", addr)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--demo"}, &stdout, &stderr) }()

	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + addr
	get := func(path, key string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		default:
		}
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not 200 within 20s (last error %v)\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The banner is written just after the listener starts; wait for the key line.
	var officerKey string
	for officerKey == "" {
		if m := officerLine.FindStringSubmatch(stdout.String()); m != nil {
			officerKey = m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no demo SEND officer key printed:\n%s", stdout.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	if !keyFormat.MatchString(officerKey) {
		t.Errorf("officer key %q does not match the format", officerKey)
	}
	if !strings.Contains(out, "http://"+addr) || !strings.Contains(out, "database: "+store.SQLite) {
		t.Errorf("banner does not name the address and database:\n%s", out)
	}
	if !adminLine.MatchString(out) {
		t.Errorf("no admin key printed on first serve:\n%s", out)
	}
	if !strings.Contains(out, "Loaded demo data") {
		t.Errorf("demo data not loaded:\n%s", out)
	}

	code, body := get("/readyz", "")
	if code != http.StatusOK {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	var ready map[string]any
	if err := json.Unmarshal(body, &ready); err != nil {
		t.Fatalf("/readyz body %s: %v", body, err)
	}
	if ready["status"] != "ok" || ready["database"] != store.SQLite {
		t.Errorf("/readyz = %s, want status ok and database %s", body, store.SQLite)
	}

	// The container's HEALTHCHECK: the binary asks the server on ONEPLAN_ADDR.
	if out := mustRun(t, "healthcheck"); !strings.Contains(out, "/healthz: 200") {
		t.Errorf("healthcheck printed %q", out)
	}
	if out := mustRun(t, "healthcheck", "--ready"); !strings.Contains(out, "/readyz: 200") {
		t.Errorf("healthcheck --ready printed %q", out)
	}
	if err := mustFail(t, "healthcheck", "--url", base+"/v1/referrals"); !strings.Contains(err.Error(), "answered 401") {
		t.Errorf("healthcheck of a 401: %v", err)
	}

	if code, body := get("/v1/referrals?limit=1", officerKey); code != http.StatusOK {
		t.Errorf("/v1/referrals with the demo key: %d %s", code, body)
	}
	// Prometheus metrics, for admin keys: requests by route template and status, their latency,
	// the database pool.
	adminKey := adminLine.FindStringSubmatch(out)[1]
	code, body = get("/metrics", adminKey)
	for _, want := range []string{`oneplan_http_requests_total{method="GET",route="/v1/referrals",status="200"} 1`,
		`oneplan_http_request_duration_seconds_bucket{method="GET",route="/readyz",le="+Inf"}`,
		`go_sql_max_open_connections{db_name="oneplan"}`, "oneplan_http_requests_waiting 0"} {
		if code != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("/metrics (%d) lacks %s", code, want)
		}
	}
	if code, _ := get("/metrics", officerKey); code != http.StatusForbidden {
		t.Errorf("/metrics with a SEND officer key: %d, want 403", code)
	}
	if code, _ := get("/v1/referrals?limit=1", ""); code != http.StatusUnauthorized {
		t.Errorf("/v1/referrals without a key: %d, want 401", code)
	}
	// The served contract names the address the server listens on, and /docs is public.
	if code, body := get("/openapi.yaml", ""); code != http.StatusOK || !strings.Contains(string(body), "servers:\n  - url: \""+base+"\"\n") {
		t.Errorf("/openapi.yaml: %d, servers should name %s", code, base)
	}
	if code, body := get("/docs", ""); code != http.StatusOK || !strings.Contains(string(body), "swagger-ui") {
		t.Errorf("/docs: %d %.100s", code, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after cancel, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return within 15s of cancel")
	}
	if !strings.Contains(stdout.String(), "shutting down") {
		t.Errorf("no shutdown message:\n%s", stdout.String())
	}
}

// TestServeOnBusyPort: a server started on an address already in use fails with a clear error
// before it touches the database, mints a key or prints anything.
func TestServeOnBusyPort(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "oneplan.db")
	setEnv(t, dsn)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	t.Setenv("ONEPLAN_ADDR", busy.Addr().String())
	out, errOut, err := runCmd(t, "serve", "--demo")
	if err == nil {
		t.Fatal("serve on a busy port succeeded")
	}
	if !strings.Contains(err.Error(), "cannot listen on "+busy.Addr().String()) || !strings.Contains(err.Error(), "no key was made") {
		t.Errorf("error %q does not say the address is busy and nothing was made", err)
	}
	if out != "" || strings.Contains(errOut, "op_") {
		t.Errorf("printed before failing:\nstdout: %s\nstderr: %s", out, errOut)
	}
	if _, err := os.Stat(dsn); !os.IsNotExist(err) {
		t.Errorf("the database was created (%v): serve touched it before taking the port", err)
	}
}

// TestServeOnPortZero: ONEPLAN_ADDR with port 0 serves on a free port, and the banner names it.
func TestServeOnPortZero(t *testing.T) {
	setEnv(t, storetest.Backends(t)[0].DSN(t))
	t.Setenv("ONEPLAN_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, &stdout, &stderr) }()
	banner := regexp.MustCompile(`serving on (http://127\.0\.0\.1:(\d+))`)
	deadline := time.Now().Add(20 * time.Second)
	var m []string
	for m == nil {
		if m = banner.FindStringSubmatch(stdout.String()); m == nil {
			if time.Now().After(deadline) {
				t.Fatalf("no banner:\n%s\n%s", stdout.String(), stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if m[2] == "0" {
		t.Fatalf("banner names port 0: %s", stdout.String())
	}
	resp, err := http.Get(m[1] + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/healthz: %v %v", m[1], resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestOrgsListAndDefaultCouncil: `orgs list` shows the directory with ids, and `apikey create`
// without --org makes the key for the council's organisation (the admin key's), naming it.
func TestOrgsListAndDefaultCouncil(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			if err := mustFail(t, "apikey", "create", "--role", "admin"); !strings.Contains(err.Error(), "no local_authority_send organisation") {
				t.Errorf("apikey create with no council: %v", err)
			}
			mustFail(t, "orgs")
			mustFail(t, "orgs", "list", "extra")
			if out := mustRun(t, "orgs", "list"); strings.TrimSpace(out) != "ID  TYPE  NAME  LOCALITY" {
				t.Errorf("orgs list on an empty directory:\n%s", out)
			}

			mustRun(t, "seed", "--demo")
			council := councilOrg(t, dsn)
			out := mustRun(t, "orgs", "list")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) < 10 || !strings.HasPrefix(lines[0], "ID ") || !strings.HasPrefix(lines[1], council+"  local_authority_send  Council SEND service") {
				t.Errorf("orgs list: want a header then the council first:\n%s", out)
			}
			only := mustRun(t, "orgs", "list", "--type", "local_authority_send")
			if n := len(strings.Split(strings.TrimSpace(only), "\n")); n != 2 {
				t.Errorf("orgs list --type local_authority_send: %d lines:\n%s", n, only)
			}

			// The lost admin key: an operator on the server makes a new one without looking up ids.
			key, errOut, err := runCmd(t, "apikey", "create", "--role", "admin", "--name", "replacement admin key")
			if err != nil {
				t.Fatalf("apikey create --role admin: %v\n%s", err, errOut)
			}
			if !keyFormat.MatchString(strings.TrimSpace(key)) || !strings.Contains(errOut, "using the council's organisation, Council SEND service ("+council+")") {
				t.Errorf("apikey create without --org: %q, stderr %q", key, errOut)
			}
			if n := activeAdminKeys(t, dsn); n != 2 {
				t.Errorf("want 2 active admin keys, got %d", n)
			}

			// A second council SEND organisation makes the default ambiguous: the operator must choose.
			mustRun(t, "apikey", "create", "--role", "admin", "--org", council)
			ctx := context.Background()
			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			err = st.InTx(ctx, func(tx *store.Tx) error {
				return tx.Directory().CreateOrganisation(directory.Organisation{ID: randomUUID(), Name: "Second SEND team", Type: "local_authority_send",
					CreatedAt: time.Now(), UpdatedAt: time.Now(), Version: 1})
			})
			_ = st.Close()
			if err != nil {
				t.Fatal(err)
			}
			if err := mustFail(t, "apikey", "create", "--role", "send_officer"); !strings.Contains(err.Error(), "pass --org with one of") {
				t.Errorf("apikey create with two councils: %v", err)
			}
		})
	}
}

// processesOnPostgres is this command built into a temporary directory and a fresh PostgreSQL
// database, for the tests that run server processes side by side (as replicas run).
func processesOnPostgres(t *testing.T) (bin, dsn string) {
	t.Helper()
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Fatal("server processes side by side need PostgreSQL")
	}
	bin, err := built()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin, pg.DSN(t)
}
