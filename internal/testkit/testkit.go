// Package testkit holds the few helpers every package's tests share: civil dates and the
// categorised errors of package fault. It imports only the standard library and fault, so any
// package's tests can use it without an import cycle, and only tests may import it (a depguard
// rule in .golangci.yml holds that).
package testkit

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Day is the civil date y-m-d at midnight UTC, the form every date in the domain takes.
func Day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Date parses a YYYY-MM-DD civil date to midnight UTC and fails the test on a malformed one.
// "" is the zero time, so a table can leave a date out.
func Date(t testing.TB, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("bad test date %q: %v", s, err)
	}
	return v
}

// Pointers lists, in order, the JSON pointers of the *fault.Error in err's chain; nil for nil,
// for an error that is not a fault and for a fault that names no field.
func Pointers(err error) []string {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return nil
	}
	var out []string
	for _, f := range fe.Fields {
		out = append(out, f.Pointer)
	}
	return out
}

// KindOf is fault.KindOf for tests: Unknown means no error at all. A non-nil error that is not a
// *fault.Error, or is one of kind Unknown, fails the test, so in a table where Unknown stands
// for success an unexpected plain error cannot pass for one.
func KindOf(t testing.TB, err error) fault.Kind {
	t.Helper()
	if err == nil {
		return fault.Unknown
	}
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %T %q is not a *fault.Error", err, err)
	}
	if fe.Kind == fault.Unknown {
		t.Fatalf("error %q is a fault of kind Unknown", err)
	}
	return fe.Kind
}

// AsFault returns the *fault.Error in err's chain and fails the test unless there is one of kind.
func AsFault(t testing.TB, err error, kind fault.Kind) *fault.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want a fault of kind %s", kindName(kind))
	}
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %T %q is not a *fault.Error, want kind %s", err, err, kindName(kind))
	}
	if fe.Kind != kind {
		t.Fatalf("error %q has kind %s, want %s", err, kindName(fe.Kind), kindName(kind))
	}
	return fe
}

// WantFault reports a test error unless err is a fault of kind naming exactly pointers, in any
// order, and says whether it was. Kind Unknown wants no error at all (fault.KindOf(nil) is
// Unknown, and tables use it for success); pointers must then be empty. Use
// slices.Equal(Pointers(err), want) where the order matters too.
func WantFault(t testing.TB, err error, kind fault.Kind, pointers ...string) bool {
	t.Helper()
	if kind == fault.Unknown {
		if len(pointers) > 0 {
			t.Errorf("WantFault: kind Unknown means no error, yet pointers %q were given", pointers)
			return false
		}
		if err != nil {
			t.Errorf("error %q, want none", err)
			return false
		}
		return true
	}
	var fe *fault.Error
	switch {
	case err == nil:
		t.Errorf("no error, want a fault of kind %s naming %q", kindName(kind), pointers)
		return false
	case !errors.As(err, &fe):
		t.Errorf("error %T %q is not a *fault.Error, want kind %s naming %q", err, err, kindName(kind), pointers)
		return false
	}
	got := Pointers(err)
	if fe.Kind != kind || !sameSet(got, pointers) {
		t.Errorf("fault of kind %s naming %q (%q), want kind %s naming %q", kindName(fe.Kind), got, err, kindName(kind), pointers)
		return false
	}
	return true
}

// kindNames name the kinds in failure messages; fault.Kind has no String method.
var kindNames = map[fault.Kind]string{
	fault.Unknown: "Unknown", fault.Invalid: "Invalid", fault.Unauthenticated: "Unauthenticated",
	fault.Forbidden: "Forbidden", fault.NotFound: "NotFound", fault.Conflict: "Conflict",
	fault.PreconditionFailed: "PreconditionFailed", fault.Unprocessable: "Unprocessable",
	fault.RateLimited: "RateLimited", fault.Unavailable: "Unavailable", fault.Gone: "Gone",
}

// kindName is k's name for a message, or its number for a kind added since.
func kindName(k fault.Kind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// sameSet reports whether a and b hold the same strings the same number of times.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
