package identifier

import "strings"

const nhsKind = "NHS number"

// NormaliseNHSNumber removes spaces and hyphens, so that numbers written in
// the usual 3-3-4 layout ("943 476 5919", "943-476-5919") can be passed to
// [CheckNHSNumber], which accepts only the canonical 10-digit form. It does
// not validate anything.
func NormaliseNHSNumber(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// CheckNHSNumber reports whether s is a well-formed NHS number in canonical
// form: exactly 10 ASCII digits with no separators (see [NormaliseNHSNumber]).
//
// The check digit is the modulus 11 scheme of the NHS Data Dictionary: the
// first nine digits are multiplied by 10, 9, ..., 2 and summed; the check is
// 11 minus the sum mod 11, where 11 becomes 0 and 10 means no valid number
// has those first nine digits. Numbers made of one repeated digit (such as
// 0000000000) pass that arithmetic but are never issued, so they are
// rejected too.
//
// Test-range numbers (999...) are accepted here because their checksums are
// valid; use [IsTestNHSNumber] to refuse them where real data is expected.
func CheckNHSNumber(s string) error {
	if s == "" {
		return invalid(nhsKind, "is required")
	}
	if !allDigits(s) {
		return invalid(nhsKind, "must contain only the digits 0 to 9, with no spaces or other characters")
	}
	if len(s) != 10 {
		return invalid(nhsKind, "must be exactly 10 digits")
	}
	if strings.Count(s, s[:1]) == len(s) {
		return invalid(nhsKind, "must not be a single digit repeated")
	}
	check := 11 - weightedSum(s)%11
	switch check {
	case 11:
		check = 0
	case 10:
		return invalid(nhsKind, "is not valid: no check digit exists for its first nine digits")
	}
	if int(s[9]-'0') != check {
		return invalid(nhsKind, "check digit does not match")
	}
	return nil
}

// IsTestNHSNumber reports whether s (after [NormaliseNHSNumber]) is in the
// 999 range that NHS England reserves for testing. Such numbers are valid by
// checksum but must never be stored against a real person, so production
// deployments should refuse them. It does not check validity.
func IsTestNHSNumber(s string) bool {
	return strings.HasPrefix(NormaliseNHSNumber(s), "999")
}
