package identifier

import (
	"fmt"
	"strings"
	"testing"
)

func TestCheckNHSNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means valid; otherwise a substring of the error
	}{
		// DOMAIN.md section 6.
		{"domain valid", "9434765919", ""},
		{"domain valid 2", "4010232137", ""},
		{"domain test range", "9990000018", ""},
		{"domain test range 2", "9990000026", ""},
		{"domain wrong check digit", "9434765918", "check digit does not match"},
		{"domain check would be 10", "1234567890", "no check digit exists"},
		{"data dictionary example", "9876544321", "check digit does not match"},
		{"all zeros", "0000000000", "single digit repeated"},

		// Computed locally (Python and by hand) and cross-checked by nhsRef.
		{"computed 4857773457", "4857773457", ""},
		{"computed 4505577104", "4505577104", ""},
		{"computed leading zero", "0830166130", ""},
		{"computed check 0", "0100000002", ""},
		{"computed 1860913903", "1860913903", ""},
		{"computed 6281948211", "6281948211", ""},
		{"computed 9378657974", "9378657974", ""},
		{"computed 9000000009", "9000000009", ""},
		{"off by one", "4857773456", "check digit does not match"},
		{"transposed last two digits", "4857773475", "check digit does not match"},

		// Format.
		{"empty", "", "is required"},
		{"too short", "943476591", "exactly 10 digits"},
		{"too long", "94347659190", "exactly 10 digits"},
		{"one digit", "9", "exactly 10 digits"},
		{"spaces", "943 476 5919", "only the digits"},
		{"hyphens", "943-476-5919", "only the digits"},
		{"leading space", " 9434765919", "only the digits"},
		{"trailing newline", "9434765919\n", "only the digits"},
		{"letter", "943476591X", "only the digits"},
		{"plus sign", "+434765919", "only the digits"},
		{"full-width digits", "９４３４７６５９１９", "only the digits"},
		{"arabic-indic digits", "٩٤٣٤٧٦٥٩١٩", "only the digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, tt.in, CheckNHSNumber(tt.in), tt.want)
		})
	}
}

func TestCheckNHSNumberRepeatedDigits(t *testing.T) {
	// Every repeated-digit number satisfies the modulus 11 arithmetic
	// (check = d), so only the explicit rule keeps them out.
	for d := '0'; d <= '9'; d++ {
		s := strings.Repeat(string(d), 10)
		if !nhsRef(s) {
			t.Fatalf("%s: expected the checksum alone to pass", s)
		}
		checkResult(t, s, CheckNHSNumber(s), "single digit repeated")
	}
}

func TestCheckNHSNumberExactlyOneCheckDigit(t *testing.T) {
	// For each prefix, at most one final digit is accepted, and none when
	// the check would be 10.
	prefixes := []string{"943476591", "401023213", "999000001", "123456789", "000000001", "987654432", "100000000"}
	for _, p := range prefixes {
		var ok []int
		for d := 0; d <= 9; d++ {
			if CheckNHSNumber(fmt.Sprintf("%s%d", p, d)) == nil {
				ok = append(ok, d)
			}
		}
		switch p {
		case "123456789":
			if len(ok) != 0 {
				t.Errorf("prefix %s: accepted %v, want none (check 10)", p, ok)
			}
		default:
			if len(ok) != 1 {
				t.Errorf("prefix %s: accepted %v, want exactly one", p, ok)
			}
		}
	}
}

func TestNormaliseNHSNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"9434765919", "9434765919"},
		{"943 476 5919", "9434765919"},
		{"943-476-5919", "9434765919"},
		{" 943 - 476 - 5919 ", "9434765919"},
		{"", ""},
		{"943\t476\t5919", "943\t476\t5919"}, // only spaces and hyphens are removed
		{"abc", "abc"},
	}
	for _, tt := range tests {
		if got := NormaliseNHSNumber(tt.in); got != tt.want {
			t.Errorf("NormaliseNHSNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := CheckNHSNumber(NormaliseNHSNumber("943 476 5919")); err != nil {
		t.Errorf("normalised number rejected: %v", err)
	}
}

func TestIsTestNHSNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"9990000018", true},
		{"9990000026", true},
		{"999 000 0018", true},
		{"999-000-0026", true},
		{"999", true}, // prefix only; validity is CheckNHSNumber's job
		{"9434765919", false},
		{"9000000009", false},
		{"9980000000", false},
		{"99", false},
		{"", false},
		{"0999000001", false},
	}
	for _, tt := range tests {
		if got := IsTestNHSNumber(tt.in); got != tt.want {
			t.Errorf("IsTestNHSNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
