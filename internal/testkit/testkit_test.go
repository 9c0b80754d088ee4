package testkit

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// fakeTB records failures instead of failing the real test. Its embedded testing.TB is nil, so
// a helper calling anything not overridden here panics and the test shows it.
type fakeTB struct {
	testing.TB
	errors int
	fatal  bool
	msgs   []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors++
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

// Fatalf stops the goroutine as testing.T's does; run waits for it.
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.fatal = true
	runtime.Goexit()
}

func (f *fakeTB) failed() bool { return f.errors > 0 }
func (f *fakeTB) log() string  { return strings.Join(f.msgs, "\n") }

// run calls fn with a fake TB on its own goroutine, so that a Fatalf ends fn and not the test.
func run(fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func TestDay(t *testing.T) {
	got := Day(2026, time.January, 5)
	if want := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Day = %v, want %v", got, want)
	}
	if got := Day(2028, 2, 29).Format(time.DateOnly); got != "2028-02-29" {
		t.Fatalf("leap day = %s", got)
	}
}

func TestDate(t *testing.T) {
	var got time.Time
	f := run(func(tb testing.TB) { got = Date(tb, "2026-01-05") })
	if f.failed() || !got.Equal(Day(2026, 1, 5)) || got.Location() != time.UTC {
		t.Fatalf("Date = %v (failures %q), want 2026-01-05 UTC", got, f.log())
	}
	f = run(func(tb testing.TB) { got = Date(tb, "") })
	if f.failed() || !got.IsZero() {
		t.Fatalf(`Date("") = %v (failures %q), want the zero time`, got, f.log())
	}
	for _, bad := range []string{"2026-13-01", "2026-02-30", "5 January 2026", "2026-1-5", "2026-01-05T00:00:00Z"} {
		reached := false
		f := run(func(tb testing.TB) { Date(tb, bad); reached = true })
		if !f.fatal || reached || !strings.Contains(f.log(), bad) {
			t.Errorf("Date(%q): fatal %v, returned %v, log %q; want a fatal failure naming the input", bad, f.fatal, reached, f.log())
		}
	}
}

func TestPointers(t *testing.T) {
	fields := fault.Fields(fault.Invalid, []fault.FieldError{{Pointer: "/b", Detail: "x"}, {Pointer: "/a", Detail: "y"}})
	for _, c := range []struct {
		name string
		err  error
		want []string
	}{
		{"nil", nil, nil},
		{"plain error", errors.New("boom"), nil},
		{"fault naming no field", fault.New(fault.Conflict, "No."), nil},
		{"fault in report order", fields, []string{"/b", "/a"}},
		{"wrapped fault", fmt.Errorf("save referral: %w", fault.Field(fault.Unprocessable, "/route", "No.")), []string{"/route"}},
	} {
		if got := Pointers(c.err); !slices.Equal(got, c.want) || (c.want == nil && got != nil) {
			t.Errorf("%s: Pointers = %#v, want %#v", c.name, got, c.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want fault.Kind
	}{
		{"nil", nil, fault.Unknown},
		{"wrapped fault", fmt.Errorf("load: %w", fault.New(fault.NotFound, "No.")), fault.NotFound},
	} {
		var got fault.Kind
		if f := run(func(tb testing.TB) { got = KindOf(tb, c.err) }); f.failed() || got != c.want {
			t.Errorf("%s: KindOf = %v (failures %q), want %v", c.name, got, f.log(), c.want)
		}
	}
	for _, c := range []struct {
		name string
		err  error
		says string
	}{
		{"plain error", errors.New("boom"), "not a *fault.Error"},
		{"fault of kind Unknown", &fault.Error{Detail: "odd"}, "kind Unknown"},
	} {
		reached := false
		f := run(func(tb testing.TB) { KindOf(tb, c.err); reached = true })
		if !f.fatal || reached || !strings.Contains(f.log(), c.says) {
			t.Errorf("%s: fatal %v, returned %v, log %q; want a fatal failure saying %q", c.name, f.fatal, reached, f.log(), c.says)
		}
	}
}

func TestAsFault(t *testing.T) {
	want := fault.StateConflict("Closed.", "closed")
	var got *fault.Error
	if f := run(func(tb testing.TB) { got = AsFault(tb, fmt.Errorf("close: %w", want), fault.Conflict) }); f.failed() || got != want {
		t.Fatalf("AsFault = %v (failures %q), want the wrapped fault", got, f.log())
	}
	for _, c := range []struct {
		name string
		err  error
		says string
	}{
		{"nil", nil, "no error, want a fault of kind Conflict"},
		{"plain error", errors.New("boom"), `"boom" is not a *fault.Error`},
		{"other kind", fault.New(fault.NotFound, "No."), "has kind NotFound, want Conflict"},
	} {
		reached := false
		f := run(func(tb testing.TB) { AsFault(tb, c.err, fault.Conflict); reached = true })
		if !f.fatal || reached || !strings.Contains(f.log(), c.says) {
			t.Errorf("%s: fatal %v, returned %v, log %q; want a fatal failure saying %q", c.name, f.fatal, reached, f.log(), c.says)
		}
	}
}

func TestWantFault(t *testing.T) {
	two := fmt.Errorf("save: %w", fault.Fields(fault.Invalid, []fault.FieldError{{Pointer: "/a", Detail: "x"}, {Pointer: "/b", Detail: "y"}}))
	twice := fault.Fields(fault.Invalid, []fault.FieldError{{Pointer: "/a", Detail: "x"}, {Pointer: "/a", Detail: "y"}})
	for _, c := range []struct {
		name     string
		err      error
		kind     fault.Kind
		pointers []string
		says     string // "" passes; otherwise the failure message contains it
	}{
		{"exact, same order", two, fault.Invalid, []string{"/a", "/b"}, ""},
		{"exact, other order", two, fault.Invalid, []string{"/b", "/a"}, ""},
		{"no pointers on either side", fault.New(fault.Conflict, "No."), fault.Conflict, nil, ""},
		{"Unknown wants no error", nil, fault.Unknown, nil, ""},
		{"the same pointer twice", twice, fault.Invalid, []string{"/a", "/a"}, ""},

		{"no error", nil, fault.Invalid, []string{"/a"}, `no error, want a fault of kind Invalid naming ["/a"]`},
		{"plain error", errors.New("boom"), fault.Invalid, nil, `"boom" is not a *fault.Error`},
		{"other kind", two, fault.Unprocessable, []string{"/a", "/b"}, "kind Invalid naming"},
		{"a pointer missing", two, fault.Invalid, []string{"/a"}, `naming ["/a" "/b"]`},
		{"a pointer extra", two, fault.Invalid, []string{"/a", "/b", "/c"}, `want kind Invalid naming ["/a" "/b" "/c"]`},
		{"a pointer wrong", two, fault.Invalid, []string{"/a", "/c"}, `want kind Invalid naming ["/a" "/c"]`},
		{"counted, not just present", twice, fault.Invalid, []string{"/a", "/b"}, `naming ["/a" "/a"]`},
		{"pointers wanted, none named", fault.New(fault.Invalid, "No."), fault.Invalid, []string{"/a"}, "naming []"},
		{"an error when none is wanted", two, fault.Unknown, nil, "want none"},
		{"Unknown with pointers is a mistake", nil, fault.Unknown, []string{"/a"}, "kind Unknown means no error"},
	} {
		var ok bool
		f := run(func(tb testing.TB) { ok = WantFault(tb, c.err, c.kind, c.pointers...) })
		switch {
		case f.fatal:
			t.Errorf("%s: WantFault stopped the test; it should report and return", c.name)
		case c.says == "" && (f.failed() || !ok):
			t.Errorf("%s: WantFault = %v, failures %q; want a pass", c.name, ok, f.log())
		case c.says != "" && (f.errors != 1 || ok || !strings.Contains(f.log(), c.says)):
			t.Errorf("%s: WantFault = %v, failures %q; want one failure saying %q", c.name, ok, f.log(), c.says)
		}
	}
}

func TestWantFaultLeavesTheCallersPointersAlone(t *testing.T) {
	want := []string{"/b", "/a"}
	err := fault.Fields(fault.Invalid, []fault.FieldError{{Pointer: "/a", Detail: "x"}, {Pointer: "/b", Detail: "y"}})
	if f := run(func(tb testing.TB) { WantFault(tb, err, fault.Invalid, want...) }); f.failed() {
		t.Fatalf("WantFault failed: %q", f.log())
	}
	if !slices.Equal(want, []string{"/b", "/a"}) || !slices.Equal(Pointers(err), []string{"/a", "/b"}) {
		t.Fatalf("sorting leaked: want %v, Pointers %v", want, Pointers(err))
	}
}

func TestKindNamesEveryKind(t *testing.T) {
	// Gone is the last kind today; a new one should be named here too.
	for k := fault.Unknown; k <= fault.Gone; k++ {
		if strings.HasPrefix(kindName(k), "Kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
	}
	if got := kindName(fault.Gone + 1); got != fmt.Sprintf("Kind(%d)", int(fault.Gone)+1) {
		t.Errorf("unnamed kind = %q", got)
	}
}
