package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReplicasStartTogether: server processes started at once with --demo on an empty PostgreSQL
// database, as a deployment's replicas start, set it up once: one council, one first admin key,
// the demo loaded once, and every one of them serving. Without the set-up lock each found the
// database empty, so they made a council each, and all but one stopped on the demo's unique names.
func TestReplicasStartTogether(t *testing.T) {
	bin, dsn := processesOnPostgres(t)
	// Migrated first, as a deployment's release step would: the race is in what serve does after.
	setEnv(t, dsn)
	mustRun(t, "migrate")
	const n = 3
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		outs []string
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := freeAddr(t)
			cmd := exec.Command(bin, "serve", "--demo")
			cmd.Env = append(os.Environ(), "ONEPLAN_DATABASE_URL="+dsn, "ONEPLAN_ADDR="+addr, "ONEPLAN_ADMIN_API_KEY=",
				"ONEPLAN_DOCUMENT_STORE=file://"+t.TempDir(), "ONEPLAN_SWEEP_INTERVAL=0", "ONEPLAN_DATABASE_MAX_CONNS=4")
			stdout, logs := &syncBuffer{}, &syncBuffer{}
			cmd.Stdout, cmd.Stderr = stdout, logs
			if err := cmd.Start(); err != nil {
				t.Error(err)
				return
			}
			exited, done := make(chan error, 1), make(chan struct{})
			go func() { exited <- cmd.Wait(); close(done) }()
			t.Cleanup(func() {
				_ = cmd.Process.Signal(os.Interrupt)
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					_ = cmd.Process.Kill()
					<-done
				}
			})
			deadline := time.Now().Add(60 * time.Second)
			for {
				select {
				case err := <-exited:
					t.Errorf("a replica stopped while starting: %v\n%s%s", err, stdout.String(), logs.String())
					return
				default:
				}
				if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					// Ready, and done printing its keys (they follow the start of serving).
					if resp.StatusCode == http.StatusOK && strings.Contains(stdout.String(), "  try: curl") {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Errorf("replica on %s not ready\n%s", addr, logs.String())
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
			mu.Lock()
			outs = append(outs, stdout.String())
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	admins, loaded, officers := 0, 0, 0
	for _, out := range outs {
		admins += strings.Count(out, "admin API key (shown once")
		loaded += strings.Count(out, "Loaded demo data:")
		officers += strings.Count(out, "demo SEND officer API key: op_")
	}
	if admins != 1 || loaded != 1 || officers != n {
		t.Errorf("%d admin keys printed, demo loaded %d times, %d officer keys: want 1, 1 and %d\n%s", admins, loaded, officers, n, strings.Join(outs, "\n"))
	}
	for q, want := range map[string]int{
		"SELECT COUNT(*) FROM organisations WHERE type = 'local_authority_send'":    1,
		"SELECT COUNT(*) FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL": 1,
		"SELECT COUNT(*) FROM young_people":                                         50,
	} {
		if got := count(t, dsn, q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
}
