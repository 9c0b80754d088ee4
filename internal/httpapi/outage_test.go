package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/idempotency"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// dbProxy stands between the server and PostgreSQL, so a test can take the database away (every
// connection reset, new ones refused) and bring it back, or (delay) hold every byte back for a
// while each way, as a database on another machine does.
type dbProxy struct {
	t      *testing.T
	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
	delay  time.Duration // one way; 0 passes bytes on at once
}

func newDBProxy(t *testing.T, target string, delay time.Duration) *dbProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{t: t, target: target, ln: ln, conns: map[net.Conn]bool{}, delay: delay}
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *dbProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns[c] = true
		}
		p.mu.Unlock()
		if down {
			_ = c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *dbProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	go func() { p.copy(up, c); _ = up.Close() }()
	p.copy(c, up)
	_ = c.Close()
}

// copy passes what src sends on to dst, each read delay after it arrived: a latency, not a
// bandwidth limit, so bytes in flight do not wait for each other.
func (p *dbProxy) copy(dst, src net.Conn) {
	if p.delay <= 0 {
		_, _ = io.Copy(dst, src)
		return
	}
	type piece struct {
		at   time.Time
		data []byte
	}
	queue := make(chan piece, 4096)
	go func() {
		defer close(queue)
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				// A copy of just what came: a fresh 64 KiB buffer for each of a request's small
				// messages was garbage the measured server's process collected.
				queue <- piece{time.Now().Add(p.delay), append([]byte(nil), buf[:n]...)}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false // then the rest is dropped, so the reader is not left blocked
	for pc := range queue {
		if failed {
			continue
		}
		waitUntil(pc.at)
		if _, err := dst.Write(pc.data); err != nil {
			failed = true
			_ = src.Close()
		}
	}
}

// waitUntil returns at at, give or take microseconds: time.Sleep wakes a millisecond late here
// (1.08 ms for any sleep under one), which would make every delay under a millisecond one, so
// the last two milliseconds are waited out yielding to other goroutines (a busy wait: it costs
// CPU, little beside a database that is waiting too).
func waitUntil(at time.Time) {
	if d := time.Until(at); d > 2*time.Millisecond {
		time.Sleep(d - 2*time.Millisecond)
	}
	for time.Now().Before(at) {
		runtime.Gosched()
	}
}

// cut takes the database away: open connections are closed and new ones refused at once.
func (p *dbProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *dbProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// outageEnv is a server whose PostgreSQL connections go through a proxy the test controls.
func outageEnv(t *testing.T) (*env, *dbProxy) { return proxiedEnv(t, 0) }

// proxiedEnv is a server on a fresh PostgreSQL database reached through a dbProxy holding bytes
// back delay each way.
func proxiedEnv(t *testing.T, delay time.Duration, opts ...envOption) (*env, *dbProxy) {
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Fatal("the outage tests need PostgreSQL")
	}
	u, err := url.Parse(pg.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newDBProxy(t, u.Host, delay)
	u.Host = proxy.ln.Addr().String()
	st, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return newEnv(t, st, opts...), proxy
}

// TestDatabaseOutage: while PostgreSQL is unreachable every operation answers 503 problem+json
// with Retry-After (or a 4xx it can decide without the database), never a 500; afterwards the
// service recovers by itself, and a POST retried with its Idempotency-Key runs once.
func TestDatabaseOutage(t *testing.T) {
	e, proxy := outageEnv(t)
	f := e.fixture()
	child := map[string]any{"given_name": "Ola", "family_name": "Outage", "date_of_birth": "2016-03-01"}

	proxy.cut()
	ready := e.do(http.MethodGet, "/readyz", "", "")
	if ready.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz during the outage: %d", ready.status)
	}
	r := e.do(http.MethodPost, "/v1/young-people", e.officer, child, "Idempotency-Key", "outage-1")
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("POST during the outage: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}

	// Every operation in the contract, with a plausible request.
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	var ops, unavailable int
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			key := e.admin
			if op.Security != nil && len(*op.Security) == 0 {
				key = ""
			}
			var body any
			if op.RequestBody != nil {
				for mt, content := range op.RequestBody.Value.Content {
					if mt == "application/json" || strings.HasSuffix(mt, "+json") {
						raw := rapid.Custom(func(rt *rapid.T) string {
							_ = rapid.Bool().Draw(rt, "seed") // a schema with nothing to draw still makes an example
							var b strings.Builder
							plausible(rt, content.Schema.Value, 0).write(&b)
							return b.String()
						}).Example(ops)
						body = raw
					}
				}
			}
			concrete := path
			if strings.Contains(path, "{") {
				concrete = rapid.Custom(func(rt *rapid.T) string { return fillPath(rt, path) }).Example(ops)
			}
			res := e.do(method, concrete, key, body)
			switch {
			case res.status == http.StatusServiceUnavailable:
				unavailable++
				if res.header.Get("Retry-After") == "" {
					t.Errorf("%s %s: 503 without Retry-After", method, path)
				}
			case res.status >= 500:
				t.Errorf("%s %s during the outage: %d %s", method, path, res.status, res.body)
			}
		}
	}
	if unavailable < ops/2 {
		t.Errorf("only %d of %d operations answered 503 during the outage", unavailable, ops)
	}

	proxy.restore()
	if ready := e.do(http.MethodGet, "/readyz", "", ""); ready.status != http.StatusOK {
		t.Fatalf("readyz after the outage: %d %s", ready.status, ready.body)
	}
	first := e.do(http.MethodPost, "/v1/young-people", e.officer, child, "Idempotency-Key", "outage-1")
	if first.status != http.StatusCreated {
		t.Fatalf("retry after the outage: %d %s", first.status, first.body)
	}
	again := e.do(http.MethodPost, "/v1/young-people", e.officer, child, "Idempotency-Key", "outage-1")
	if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("Location") != first.header.Get("Location") {
		t.Fatalf("second retry: %d replayed=%q %s", again.status, again.header.Get("Idempotent-Replayed"), again.body)
	}
	if got := e.mustDo(http.MethodGet, "/v1/young-people?q=outage", nil, http.StatusOK); len(got["items"].([]any)) != 1 {
		t.Fatalf("young people after the retries: %v", got["items"])
	}
	_ = f
}

// fillPath puts plausible values in a contract path's parameters.
func fillPath(t *rapid.T, path string) string {
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return path
		}
		j := strings.IndexByte(path, '}')
		name := path[i+1 : j]
		v := randomUUID(t)
		switch name {
		case "token":
			v = "osi_" + strings.Repeat("A", 43)
		case "report":
			v = "activity"
		}
		path = path[:i] + v + path[j+1:]
	}
}

// TestIdempotencyKeyLease: a key whose first request did not commit never blocks its retry for
// ever. While the first may still be running the retry is told when to come back; once the claim's
// lease has run out the retry runs; a first request that committed is never run again.
func TestIdempotencyKeyLease(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var officer auth.APIKey
		prefix, _ := auth.ParseKey(e.officer)
		if err := e.st.Read(ctx, func(tx *store.Tx) (err error) { officer, err = tx.Keys().ByPrefix(prefix); return err }); err != nil {
			t.Fatal(err)
		}
		body := `{"given_name":"Lea","family_name":"Lease","date_of_birth":"2015-05-05"}`
		sum := sha256.Sum256([]byte("POST /v1/young-people\n" + body))
		claim := func(key string) {
			t.Helper()
			claimed, _, err := e.st.IdempotencyKeys().Claim(ctx, officer.ID, key,
				idempotency.Response{RequestHash: hex.EncodeToString(sum[:]), Method: "POST", Path: "/v1/young-people"})
			if err != nil || !claimed {
				t.Fatalf("claim %s: %v %v", key, claimed, err)
			}
		}
		post := func(key string) reply {
			return e.do(http.MethodPost, "/v1/young-people", e.officer, body, "Idempotency-Key", key)
		}

		// A request claimed a moment ago (say, in flight on another replica).
		claim("in-flight-1")
		r := post("in-flight-1")
		if r.status != http.StatusConflict || r.header.Get("Retry-After") == "" {
			t.Fatalf("retry while the first may run: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
		}

		// A request claimed by a process that died before committing: after the lease the retry runs.
		claim("crashed-01")
		raw := func(q string, args ...any) {
			t.Helper()
			db, err := e.st.SQL()
			if err == nil {
				_, err = db.ExecContext(ctx, q, args...)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		lapsed := time.Now().UTC().Add(-idempotency.Lease - time.Second)
		raw(`UPDATE idempotency_keys SET created_at = $1 WHERE api_key_id = $2 AND idem_key = 'crashed-01'`, lapsed, officer.ID)
		if r := post("crashed-01"); r.status != http.StatusCreated {
			t.Fatalf("retry after the lease: %d %s", r.status, r.body)
		}
		if r := post("crashed-01"); r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("second retry: %d %q", r.status, r.header.Get("Idempotent-Replayed"))
		}

		// A request whose transaction committed but whose answer was never stored runs only once.
		first := post("committed-1")
		if first.status != http.StatusCreated {
			t.Fatalf("first: %d %s", first.status, first.body)
		}
		// As if the server stopped after the commit and before keeping the answer.
		raw(`UPDATE idempotency_keys SET state = 'committed', status_code = NULL, body = NULL, created_at = $1
			WHERE api_key_id = $2 AND idem_key = 'committed-1'`, lapsed, officer.ID)
		if r := post("committed-1"); r.status != http.StatusConflict {
			t.Fatalf("retry of a committed request: %d %s", r.status, r.body)
		}
		people := e.mustDo(http.MethodGet, "/v1/young-people?q=lease", nil, http.StatusOK)["items"].([]any)
		if len(people) != 2 {
			t.Fatalf("%d young people recorded, want 2 (crashed retried once, committed once)", len(people))
		}
	})
}
