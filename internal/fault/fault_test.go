package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestIsMatchesKindThroughWrapping(t *testing.T) {
	err := fmt.Errorf("load referral: %w", New(NotFound, "No such referral."))
	if !errors.Is(err, ErrNotFound) {
		t.Fatal("wrapped NotFound should match ErrNotFound")
	}
	if errors.Is(err, ErrConflict) {
		t.Fatal("NotFound must not match ErrConflict")
	}
	if KindOf(err) != NotFound {
		t.Fatalf("KindOf = %v", KindOf(err))
	}
	if KindOf(errors.New("boom")) != Unknown {
		t.Fatal("plain errors are Unknown")
	}
}

func TestFieldsNilWhenEmpty(t *testing.T) {
	if Fields(Invalid, nil) != nil {
		t.Fatal("no fields should mean no error")
	}
	err := Fields(Invalid, []FieldError{{Pointer: "/a", Detail: "bad"}})
	if err == nil || err.Error() != "The request has invalid fields. (/a: bad)" {
		t.Fatalf("got %v", err)
	}
}
