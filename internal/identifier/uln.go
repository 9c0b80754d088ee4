package identifier

const ulnKind = "ULN"

// PlaceholderULN is the value learning providers submit when a learner's
// real ULN is not yet known. It fails the checksum but is accepted by
// [CheckULN], as it is by the ESFA ILR validation rules.
const PlaceholderULN = "9999999999"

// CheckULN reports whether s is a well-formed Unique Learner Number: exactly
// 10 ASCII digits, not starting with 0, with a valid check digit.
//
// Following ESFA derivation DD01: r is the sum of the first nine digits
// multiplied by 10, 9, ..., 2, mod 11; r = 0 means invalid, otherwise the
// last digit must equal 10 - r. DD01 treats the ULN as a 10-digit integer, so
// a leading zero is rejected. [PlaceholderULN] is accepted; use
// [IsPlaceholderULN] to tell it apart from a real ULN.
func CheckULN(s string) error {
	if s == "" {
		return invalid(ulnKind, "is required")
	}
	if !allDigits(s) {
		return invalid(ulnKind, "must contain only the digits 0 to 9, with no spaces or other characters")
	}
	if len(s) != 10 {
		return invalid(ulnKind, "must be exactly 10 digits")
	}
	if s == PlaceholderULN {
		return nil
	}
	if s[0] == '0' {
		return invalid(ulnKind, "must not start with 0")
	}
	r := weightedSum(s) % 11
	if r == 0 {
		return invalid(ulnKind, "is not valid: no check digit exists for its first nine digits")
	}
	if int(s[9]-'0') != 10-r {
		return invalid(ulnKind, "check digit does not match")
	}
	return nil
}

// IsPlaceholderULN reports whether s is the temporary placeholder ULN
// 9999999999, which stands for "ULN not yet known" and must not be used to
// match or link records.
func IsPlaceholderULN(s string) bool {
	return s == PlaceholderULN
}
