package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// The documentation's examples are run, so they stay true. Every ```sh block of README.md and
// docs/*.md runs, in order and one bash session per file, against a freshly started server with
// the demo data (as `make run` starts it). The placeholders the pages use are replaced by the real
// thing: http://127.0.0.1:8080 by the server's address, op_xxxxxxxx_... by the admin key it
// printed and op_yyyyyyyy_... by the demo SEND officer key. Every answer must be 2xx, unless the
// line before the block says otherwise:
//
//	<!-- docs-test: skip (why it cannot run here) -->
//	<!-- docs-test: expect 409 -->   (at least one answer is 409; the others 2xx)
//
// The answers' shape is checked too. Where a ```json block follows an ```sh block (only blank
// lines or markers between), it is the output the page shows, and the block's real output must
// have its shape: the same number of JSON values, objects with exactly the same keys, arrays empty
// or not alike, values of the same JSON type (null matches anything), compared element by element
// and to any depth. A marker on the line before the ```json block makes the comparison stricter or
// turns it off:
//
//	<!-- docs-test: exact -->              (values must be equal too: the page's values are fixed)
//	<!-- docs-test: any (why it differs) --> (the shown output is an illustration; not compared)
//
// A ```text block after an ```sh block is compared only when marked exact: line by line, where
// YYYY-MM-DD in the page stands for any date (the day the example runs).

// docBlock is one ```sh block of a page.
type docBlock struct {
	file   string
	line   int // of the opening fence
	script string
	skip   string // the reason, when skipped
	expect int    // a status the block must meet, besides 2xx

	shown     string // the ```json block after it: the output the page shows ("" when none)
	shownLine int    // of that block's opening fence
	exact     bool   // its values must match too, not only its shape
	text      bool   // the shown output is a ```text block, compared line by line
}

var (
	docsMarker   = regexp.MustCompile(`^<!--\s*docs-test:\s*(skip|expect)\s*(.*?)\s*-->$`)
	outputMarker = regexp.MustCompile(`^<!--\s*docs-test:\s*(exact|any)\s*(.*?)\s*-->$`)
)

// docBlocks reads the ```sh blocks of a Markdown file, fences indented or not.
func docBlocks(t *testing.T, file string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimSpace(lines[i])
		if trimmed != "```sh" {
			continue
		}
		indent := lines[i][:strings.Index(lines[i], "```")]
		b := docBlock{file: file, line: i + 1}
		for j := i - 1; j >= 0; j-- {
			prev := strings.TrimSpace(lines[j])
			if prev == "" {
				continue
			}
			if m := docsMarker.FindStringSubmatch(prev); m != nil {
				switch m[1] {
				case "skip":
					b.skip = strings.Trim(m[2], "()")
					if b.skip == "" {
						t.Fatalf("%s:%d: a docs-test skip must give its reason", file, j+1)
					}
				case "expect":
					n, err := strconv.Atoi(m[2])
					if err != nil || n < 100 || n > 599 {
						t.Fatalf("%s:%d: docs-test expect needs a status code, got %q", file, j+1, m[2])
					}
					b.expect = n
				}
			}
			break
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		b.script = strings.Join(body, "\n")
		// The output the page shows: the next fenced block, if it is JSON.
		compare := true
		for j := i + 1; j < len(lines); j++ {
			next := strings.TrimSpace(lines[j])
			if next == "" {
				continue
			}
			if m := outputMarker.FindStringSubmatch(next); m != nil {
				switch m[1] {
				case "exact":
					b.exact = true
				case "any":
					if strings.Trim(m[2], "()") == "" {
						t.Fatalf("%s:%d: a docs-test any must give its reason", file, j+1)
					}
					compare = false
				}
				continue
			}
			if (next == "```json" || next == "```text" && b.exact) && compare {
				b.text = next == "```text"
				b.shownLine = j + 1
				var shown []string
				for j++; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
					shown = append(shown, lines[j])
				}
				b.shown = strings.Join(shown, "\n")
			} else if b.exact {
				t.Fatalf("%s:%d: docs-test exact is not followed by a ```json block", file, j+1)
			}
			break
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// answer is one request the pages' examples made, as the proxy saw it.
type answer struct {
	block  int
	method string
	path   string
	status int
}

// recorder stands between the examples and the server, noting each answer's status against the
// block that asked; a request to /__docs-test/block/N starts block N.
type recorder struct {
	mu      sync.Mutex
	block   int
	answers []answer
}

func (r *recorder) handler(target *url.URL) http.Handler {
	proxy := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if n, ok := strings.CutPrefix(req.URL.Path, "/__docs-test/block/"); ok {
			r.mu.Lock()
			r.block, _ = strconv.Atoi(n)
			r.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		rec := &statusWriter{ResponseWriter: w}
		proxy.ServeHTTP(rec, req)
		r.mu.Lock()
		r.answers = append(r.answers, answer{block: r.block, method: req.Method, path: req.URL.Path, status: rec.status})
		r.mu.Unlock()
	})
}

func (r *recorder) of(block int) []answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []answer
	for _, a := range r.answers {
		if a.block == block {
			out = append(out, a)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// startDemoServer starts `oneplan serve --demo` in this process on a fresh SQLite database with
// the settings `make run` uses, and returns its address and the admin and officer keys it printed.
func startDemoServer(t *testing.T) (base, adminKey, officerKey string) {
	t.Helper()
	setEnv(t, storetest.Backends(t)[0].DSN(t))
	// As the Makefile's run target sets them (keep the two in step).
	t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
	t.Setenv("ONEPLAN_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
	t.Setenv("ONEPLAN_OPEN_DATA", "activity,experience")
	t.Setenv("ONEPLAN_LA_CODE", "355")
	t.Setenv("ONEPLAN_ADDR", "127.0.0.1:0")
	t.Setenv("ONEPLAN_DOCUMENT_STORE", "")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--demo"}, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	serving := regexp.MustCompile(`serving on (http://\S+) `)
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := stdout.String()
		s, a, o := serving.FindStringSubmatch(out), adminLine.FindStringSubmatch(out), officerLine.FindStringSubmatch(out)
		if s != nil && a != nil && o != nil {
			return s[1], a[1], o[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s\n%s", err, out, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo server did not print its address and keys:\n%s\n%s", out, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDocsExamples(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the documentation's examples need %s on PATH", tool)
		}
	}
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"../../README.md"}, pages...)

	base, adminKey, officerKey := startDemoServer(t)
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httptest.NewServer(rec.handler(target))
	defer proxy.Close()

	replacer := strings.NewReplacer("http://127.0.0.1:8080", proxy.URL, "op_xxxxxxxx_...", adminKey, "op_yyyyyyyy_...", officerKey)
	n := 0
	for _, page := range pages {
		blocks := docBlocks(t, page)
		if len(blocks) == 0 {
			continue
		}
		name, _ := filepath.Rel("../..", page)
		t.Run(name, func(t *testing.T) {
			var script strings.Builder
			script.WriteString("cd " + strconv.Quote(t.TempDir()) + "\n")
			first := n
			for _, b := range blocks {
				n++
				if b.skip != "" {
					continue
				}
				fmt.Fprintf(&script, "curl -s %s/__docs-test/block/%d\n", proxy.URL, n)
				fmt.Fprintf(&script, "echo %q\n", outputSeparator(n))
				script.WriteString(replacer.Replace(b.script))
				script.WriteString("\n")
			}
			fmt.Fprintf(&script, "curl -s %s/__docs-test/block/0\n", proxy.URL)
			script.WriteString("kill $(jobs -p) 2>/dev/null\n")
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc")
			cmd.Stdin = strings.NewReader(script.String())
			var out, stdout syncBuffer
			cmd.Stdout, cmd.Stderr = io.MultiWriter(&stdout, &out), &out
			cmd.WaitDelay = 5 * time.Second
			// Its own process group, so what the examples start in the background (a webhook
			// receiver) ends with it.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			err := cmd.Start()
			if err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			if err != nil && ctx.Err() != nil {
				t.Fatalf("%s: the examples did not finish in time:\n%s", name, lastLines(out.String()))
			}
			for i, b := range blocks {
				id := first + i + 1
				if b.skip != "" {
					continue
				}
				if b.shown != "" {
					compare := compareOutput
					if b.text {
						compare = compareText
					}
					if problems := compare(b.shown, blockOutput(stdout.String(), id), b.exact); len(problems) > 0 {
						t.Errorf("%s:%d: the output shown at line %d is not what the block prints now:\n  %s\nprinted:\n%s",
							b.file, b.line, b.shownLine, strings.Join(problems, "\n  "), blockOutput(stdout.String(), id))
					}
				}
				answers := rec.of(id)
				met := b.expect == 0
				var wrong []string
				for _, a := range answers {
					switch {
					case a.status >= 200 && a.status < 300:
					case a.status == b.expect:
						met = true
					default:
						wrong = append(wrong, fmt.Sprintf("%s %s: %d", a.method, a.path, a.status))
					}
				}
				if len(wrong) > 0 || !met {
					want := "2xx"
					if b.expect != 0 {
						want = fmt.Sprintf("2xx and at least one %d", b.expect)
					}
					t.Errorf("%s:%d: want %s, got:\n  %s\nblock:\n%s", b.file, b.line, want, strings.Join(wrong, "\n  "), b.script)
				}
			}
			if t.Failed() {
				t.Logf("output of %s's examples:\n%s", name, lastLines(out.String()))
			}
		})
	}
	if got := len(rec.of(0)); got != 0 {
		t.Errorf("%d requests were made outside any block", got)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.answers) < 50 {
		t.Errorf("the examples made only %d requests: are the blocks being run?", len(rec.answers))
	}
}

// outputSeparator is printed before block n runs, so each block's output can be told apart.
func outputSeparator(n int) string { return fmt.Sprintf("@@docs-test block %d@@", n) }

// blockOutput is what block n printed on stdout.
func blockOutput(stdout string, n int) string {
	_, after, ok := strings.Cut(stdout, outputSeparator(n)+"\n")
	if !ok {
		return ""
	}
	if i := strings.Index(after, "@@docs-test block "); i >= 0 {
		after = after[:i]
	}
	return after
}

// compareOutput compares the JSON values a page shows with those a block printed: shape always,
// values too when exact. It returns what differs, by JSON path.
func compareOutput(shown, printed string, exact bool) []string {
	want, err := jsonValues(shown)
	if err != nil {
		return []string{"the page's output is not JSON: " + err.Error()}
	}
	got, err := jsonValues(printed)
	if err != nil {
		return []string{"the block did not print JSON: " + err.Error()}
	}
	if len(want) != len(got) {
		return []string{fmt.Sprintf("the page shows %d JSON values, the block printed %d", len(want), len(got))}
	}
	var problems []string
	for i := range want {
		compareJSON(fmt.Sprintf("value %d", i+1), want[i], got[i], exact, &problems)
	}
	return problems
}

// anyDate is how a page writes a date that is the day the example runs.
var anyDate = regexp.MustCompile(regexp.QuoteMeta("YYYY-MM-DD"))

// compareText compares a page's text output with what a block printed, line by line.
func compareText(shown, printed string, _ bool) []string {
	want := strings.Split(strings.TrimRight(shown, "\n"), "\n")
	got := strings.Split(strings.TrimRight(printed, "\n"), "\n")
	var problems []string
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = strings.TrimRight(want[i], " ")
		}
		if i < len(got) {
			g = strings.TrimRight(got[i], " ")
		}
		pattern := "^" + anyDate.ReplaceAllString(regexp.QuoteMeta(w), `\d{4}-\d{2}-\d{2}`) + "$"
		if ok, _ := regexp.MatchString(pattern, g); !ok {
			problems = append(problems, fmt.Sprintf("line %d: the page shows %q, the block printed %q", i+1, w, g))
		}
	}
	return problems
}

func jsonValues(s string) ([]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

func compareJSON(path string, want, got any, exact bool, problems *[]string) {
	if want == nil && !exact {
		return
	}
	if jsonType(want) != jsonType(got) {
		*problems = append(*problems, fmt.Sprintf("%s: the page shows %s %s, the block printed %s %s", path, jsonType(want), short(want), jsonType(got), short(got)))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for k := range w {
			if _, ok := g[k]; !ok {
				*problems = append(*problems, fmt.Sprintf("%s: the page shows %q, the block did not print it", path, k))
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				*problems = append(*problems, fmt.Sprintf("%s: the block printed %q, the page does not show it", path, k))
			}
		}
		for k, v := range w {
			if gv, ok := g[k]; ok {
				compareJSON(path+"."+k, v, gv, exact, problems)
			}
		}
	case []any:
		g := got.([]any)
		if (len(w) == 0) != (len(g) == 0) || (exact && len(w) != len(g)) {
			*problems = append(*problems, fmt.Sprintf("%s: the page shows %d items, the block printed %d", path, len(w), len(g)))
			return
		}
		for i := 0; i < len(w) && i < len(g); i++ {
			compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], exact, problems)
		}
	default:
		if exact && fmt.Sprint(want) != fmt.Sprint(got) {
			*problems = append(*problems, fmt.Sprintf("%s: the page shows %s, the block printed %s", path, short(want), short(got)))
		}
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// lastLines keeps the last lines of the examples' output for a failure message.
func lastLines(s string) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > 80 {
		lines = lines[len(lines)-80:]
	}
	return strings.Join(lines, "\n")
}

// TestCompareOutput: what the shape comparison of shown and printed output catches, and what
// it lets through.
func TestCompareOutput(t *testing.T) {
	for _, c := range []struct {
		name, shown, printed string
		exact                bool
		want                 string // a word of the one problem expected; "" for none
	}{
		{"same shape, other values", `{"id": "a", "n": 1, "tags": ["x"]}`, `{"id":"b","n":2,"tags":["y","z"]}`, false, ""},
		{"null shown matches anything", `{"closed_on": null}`, `{"closed_on":"2026-01-01"}`, false, ""},
		{"a key gone", `{"id": "a", "status": "open"}`, `{"id":"a"}`, false, `"status", the block did not print it`},
		{"a key added", `{"id": "a"}`, `{"id":"a","status":"open"}`, false, `the block printed "status"`},
		{"a type changed", `{"n": 1}`, `{"n":"1"}`, false, "number"},
		{"nested", `{"a": {"b": [{"c": 1}]}}`, `{"a":{"b":[{"c":1,"d":1}]}}`, false, "value 1.a.b[0]: the block printed \"d\""},
		{"empty against items", `{"items": [1]}`, `{"items":[]}`, false, "1 items"},
		{"one value more", `"x"`, `"x" "y"`, false, "shows 1 JSON values"},
		{"exact: a value changed", `{"status": "due"}`, `{"status":"overdue"}`, true, `"overdue"`},
		{"exact: equal", `{"n": 1, "s": ["a"]}`, `{"s":["a"],"n":1}`, true, ""},
		{"not JSON", `{"a": 1}`, `curl: (7) Failed to connect`, false, "did not print JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := compareOutput(c.shown, c.printed, c.exact)
			switch {
			case c.want == "" && len(got) > 0:
				t.Fatalf("want no problem, got %q", got)
			case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
				t.Fatalf("want one problem containing %q, got %q", c.want, got)
			}
		})
	}
	for _, c := range []struct {
		name, shown, printed string
		want                 string
	}{
		{"equal", "0\n2026-01-05 Requested\n", "0\n2026-01-05 Requested\n", ""},
		{"any date", "YYYY-MM-DD Draft started (version 1)", "2031-07-04 Draft started (version 1)", ""},
		{"a date changed", "2026-01-05 Requested", "2026-01-06 Requested", "line 1"},
		{"a line more", "0", "0\n1", "line 2"},
		{"not a date", "YYYY-MM-DD x", "soon x", "line 1"},
	} {
		t.Run("text/"+c.name, func(t *testing.T) {
			got := compareText(c.shown, c.printed, true)
			switch {
			case c.want == "" && len(got) > 0:
				t.Fatalf("want no problem, got %q", got)
			case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
				t.Fatalf("want one problem containing %q, got %q", c.want, got)
			}
		})
	}
}
