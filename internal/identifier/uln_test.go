package identifier

import (
	"fmt"
	"testing"
)

func TestCheckULN(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means valid; otherwise a substring of the error
	}{
		// DOMAIN.md section 6.
		{"domain valid", "1000000043", ""},
		{"domain placeholder", "9999999999", ""},
		{"domain wrong check digit", "1000000042", "check digit does not match"},
		{"domain remainder zero", "1000000063", "no check digit exists"},

		// Computed locally (Python and by hand) and cross-checked by ulnRef.
		{"computed 1234567899", "1234567899", ""},
		{"computed 2000000001", "2000000001", ""},
		{"computed 5555555554", "5555555554", ""},
		{"computed check 0", "3000000010", ""},
		{"computed remainder 10", "1000000000", ""},
		{"computed remainder zero", "9876543210", "no check digit exists"},
		{"near placeholder", "9999999997", "check digit does not match"},
		{"valid neighbour of placeholder", "9999999998", ""},
		{"all zeros", "0000000000", "must not start with 0"},
		{"leading zero", "0123456789", "must not start with 0"},

		// Format.
		{"empty", "", "is required"},
		{"too short", "100000004", "exactly 10 digits"},
		{"too long", "10000000430", "exactly 10 digits"},
		{"spaces", "100 000 0043", "only the digits"},
		{"letter", "100000004X", "only the digits"},
		{"negative", "-100000004", "only the digits"},
		{"full-width digits", "１０００００００４３", "only the digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, tt.in, CheckULN(tt.in), tt.want)
		})
	}
}

func TestCheckULNExactlyOneCheckDigit(t *testing.T) {
	for _, p := range []string{"100000004", "123456789", "200000000", "300000001", "100000000", "100000006"} {
		var ok []int
		for d := 0; d <= 9; d++ {
			if CheckULN(fmt.Sprintf("%s%d", p, d)) == nil {
				ok = append(ok, d)
			}
		}
		want := 1
		if p == "100000006" { // remainder 0
			want = 0
		}
		if len(ok) != want {
			t.Errorf("prefix %s: accepted %v, want %d digit(s)", p, ok, want)
		}
	}
}

func TestIsPlaceholderULN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"9999999999", true},
		{PlaceholderULN, true},
		{"1000000043", false},
		{"999999999", false},
		{" 9999999999", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsPlaceholderULN(tt.in); got != tt.want {
			t.Errorf("IsPlaceholderULN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
