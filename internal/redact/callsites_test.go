package redact_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// logCall is a slog call (on a logger, the package, or the server's s.log) or a standard library
// log call.
var logCall = regexp.MustCompile(`\b(slog|logger|log|s\.log|l)\.(Debug|Info|Warn|Error|Log|LogAttrs|Print|Printf|Println|Fatal|Fatalf)(Context)?\(`)

// TestNoLogCallQuotesAnError keeps the server's sources from logging an error's text again: a log
// call in cmd/ or internal/ (tests aside) may not call Error() or format an error or panic with %v,
// fmt.Sprint or slog.Any on "error"; errors go through Err, panics through Panic. A line scan: it
// catches the way these calls have been written here, not every way one could be.
func TestNoLogCallQuotesAnError(t *testing.T) {
	quoting := regexp.MustCompile(`\.Error\(\)|fmt\.Sprint|%v|slog\.Any\("error"|"error", err\b`)
	var found []string
	for _, root := range []string{"../../cmd", "../../internal"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			if p := filepath.ToSlash(path); strings.Contains(p, "/testkit/") || strings.Contains(p, "test/") {
				return nil // test helpers (storetest, caseworktest, contracttest)
			}
			b, err := os.ReadFile(path) //nolint:gosec // this repository's own sources
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				if logCall.MatchString(line) && quoting.MatchString(line) {
					found = append(found, path+":"+strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(found) > 0 {
		t.Fatalf("log calls that may quote an error (use redact.Err or redact.Panic):\n%s", strings.Join(found, "\n"))
	}
}
