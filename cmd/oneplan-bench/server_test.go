package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServerProblems(t *testing.T) {
	write := func(t *testing.T, lines ...string) string {
		path := filepath.Join(t.TempDir(), "server.log")
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	info := `{"time":"2026-12-06T17:41:00Z","level":"INFO","msg":"request","status":200}`
	warn := `{"time":"2026-12-06T17:41:01Z","level":"WARN","msg":"service unavailable","request_id":"r1","route":"/v1/referrals/:id","error":"timeout"}`
	fail := `{"time":"2026-12-06T17:41:02Z","level":"ERROR","msg":"request failed","request_id":"r2"}`

	t.Run("only warnings and errors, in order", func(t *testing.T) {
		var out bytes.Buffer
		if err := serverProblems(&out, write(t, info, warn, "not json", info, fail), 20); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.Contains(got, warn) || !strings.Contains(got, fail) || strings.Index(got, warn) > strings.Index(got, fail) {
			t.Errorf("want the WARN then the ERROR line, got:\n%s", got)
		}
		if strings.Contains(got, `"INFO"`) || strings.Contains(got, "not json") || strings.Contains(got, "more") {
			t.Errorf("only warnings and errors, none left over, got:\n%s", got)
		}
	})
	t.Run("at most max, then how many more", func(t *testing.T) {
		lines := []string{}
		for i := range 7 {
			lines = append(lines, fmt.Sprintf(`{"level":"WARN","msg":"w%d"}`, i))
		}
		var out bytes.Buffer
		if err := serverProblems(&out, write(t, lines...), 5); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.Contains(got, `"w4"`) || strings.Contains(got, `"w5"`) || !strings.Contains(got, "and 2 more") {
			t.Errorf("want w0-w4 and 'and 2 more', got:\n%s", got)
		}
	})
	t.Run("says when there were none", func(t *testing.T) {
		var out bytes.Buffer
		if err := serverProblems(&out, write(t, info, info), 20); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "no warning or error") {
			t.Errorf("got %q", out.String())
		}
	})
	t.Run("a missing log is an error", func(t *testing.T) {
		if err := serverProblems(&bytes.Buffer{}, filepath.Join(t.TempDir(), "none.log"), 20); err == nil {
			t.Error("want an error for a missing log")
		}
	})
}
