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
	info := `{"time":"T0","level":"INFO","msg":"request","status":200}`
	warn := func(at, rid string) string {
		return `{"time":"` + at + `","level":"WARN","msg":"service unavailable","request_id":"` + rid + `","route":"/v1/referrals/:id","error":{"sqlstate":"57P01","types":"*fault.Error > *pgconn.PgError"}}`
	}
	fail := `{"time":"T9","level":"ERROR","msg":"request failed","request_id":"r9"}`

	t.Run("each problem once, counted, in order of first sight", func(t *testing.T) {
		var out bytes.Buffer
		if err := serverProblems(&out, write(t, info, warn("T1", "r1"), "not json", warn("T2", "r2"), fail, warn("T3", "r3")), 20); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		want := []string{
			`3 x {"error":{"sqlstate":"57P01","types":"*fault.Error > *pgconn.PgError"},"level":"WARN","msg":"service unavailable","route":"/v1/referrals/:id"} (first T1, last T3)`,
			`1 x {"level":"ERROR","msg":"request failed"} (first T9, last T9)`,
		}
		if !strings.Contains(got, want[0]) || !strings.Contains(got, want[1]) || strings.Index(got, want[0]) > strings.Index(got, want[1]) {
			t.Errorf("want, in order:\n%s\n%s\ngot:\n%s", want[0], want[1], got)
		}
		if strings.Contains(got, "INFO") || strings.Contains(got, "not json") || strings.Contains(got, "r1") || strings.Contains(got, "others") {
			t.Errorf("only warnings and errors, without request ids, none left over; got:\n%s", got)
		}
	})
	t.Run("at most most, then how many others", func(t *testing.T) {
		var lines []string
		for i := range 7 {
			lines = append(lines, fmt.Sprintf(`{"level":"WARN","msg":"w%d"}`, i), fmt.Sprintf(`{"level":"WARN","msg":"w%d"}`, i))
		}
		var out bytes.Buffer
		if err := serverProblems(&out, write(t, lines...), 5); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.Contains(got, `2 x {"level":"WARN","msg":"w4"}`) || strings.Contains(got, `"w5"`) || !strings.Contains(got, "and 2 others") {
			t.Errorf("want w0-w4 twice each and 'and 2 others', got:\n%s", got)
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
