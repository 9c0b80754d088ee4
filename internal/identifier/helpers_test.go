package identifier

import (
	"errors"
	"strings"
	"testing"
)

// checkResult asserts the outcome of a Check function. An empty want means
// the input must be accepted; otherwise the error must wrap ErrInvalid,
// contain want, and not leak the input.
func checkResult(t *testing.T, input string, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got error %q, want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got nil error, want one containing %q", want)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("error %q does not wrap ErrInvalid", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	assertNoLeak(t, input, err)
}

// assertNoLeak fails if a meaningful chunk of the input appears in the
// message. Only inputs that could not be mistaken for message text are
// checked: at least 6 bytes, with a digit and no space.
func assertNoLeak(t *testing.T, input string, err error) {
	t.Helper()
	if len(input) < 6 || strings.Contains(input, " ") || !strings.ContainsAny(input, "0123456789") {
		return
	}
	if strings.Contains(err.Error(), input) {
		t.Errorf("error %q contains the input value", err)
	}
}

func TestErrorsHaveNoLongTokens(t *testing.T) {
	// assertNoLeak relies on no message containing a space-free run of 6+
	// bytes with a digit. Keep every message in this list honest.
	inputs := []string{
		"", "x", "123", "12345678901234", "943476591A", "1111111111", "1234567890", "9434765918",
		"a801200005001", "A80120000500", "I801200005001", "A80120000A001", "A80120000500I", "A801200005001",
		"0100000000", "1000000063", "1000000042",
	}
	for _, in := range inputs {
		for _, err := range []error{CheckNHSNumber(in), CheckUPN(in), CheckULN(in)} {
			if err == nil {
				continue
			}
			for _, tok := range strings.Fields(err.Error()) {
				if len(tok) >= 6 && strings.ContainsAny(tok, "0123456789") {
					t.Errorf("message %q has token %q", err, tok)
				}
			}
		}
	}
}

func TestInvalidErrorUnwraps(t *testing.T) {
	err := invalid("NHS number", "is required")
	if got := err.Error(); got != "NHS number is required" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Error("errors.Is(err, ErrInvalid) = false")
	}
	if !errors.Is(err, ErrInvalid) {
		t.Error("Unwrap did not return ErrInvalid")
	}
}
