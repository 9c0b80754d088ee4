package store

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// TestOutageSaysWhy: a database that cannot be reached, one that did not answer in time and a
// SQLite database whose one writer is busy are all 503 with Retry-After, and the problem's detail
// tells them apart (a report still scanning when its request's time ran out, and a write waiting
// on an import's, were told the database was not reachable).
func TestOutageSaysWhy(t *testing.T) {
	for cause, want := range map[error]string{
		fmt.Errorf("dial: %w", syscall.ECONNREFUSED):               "The database is not reachable at the moment; retry shortly.",
		fmt.Errorf("timeout: %w", context.DeadlineExceeded):        "The database did not answer in time; retry shortly.",
		fmt.Errorf("read: %w: %w", syscall.EPIPE, errors.New("x")): "The database is not reachable at the moment; retry shortly.",
		errors.New("database is locked (5) (SQLITE_BUSY)"):         "The database is busy with another write (an import, say) that did not finish in time; retry shortly.",
		fmt.Errorf("begin: %w", errTurn):                           "The database is busy with another write (an import, say) that did not finish in time; retry shortly.",
	} {
		var fe *fault.Error
		if err := translate(cause); !errors.As(err, &fe) || fe.Kind != fault.Unavailable || fe.RetryAfter == 0 || fe.Detail != want {
			t.Errorf("%v: %#v, want 503 with Retry-After and %q", cause, err, want)
		}
	}
}
