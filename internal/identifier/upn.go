package identifier

import "strings"

const upnKind = "UPN"

// upnAlphabet lists the letters a UPN may use, in check-value order:
// A-Z without I, O and S (which are too easily confused with 1, 0 and 5),
// so A=0 ... H=7, J=8 ... N=12, P=13, Q=14, R=15, T=16 ... Z=22.
const upnAlphabet = "ABCDEFGHJKLMNPQRTUVWXYZ"

// NormaliseUPN trims surrounding white space and upper-cases ASCII letters so
// that hand-typed UPNs can be passed to [CheckUPN], which requires upper case.
// Only ASCII is changed, so look-alike Unicode letters are still rejected by
// CheckUPN rather than silently turned into valid ones. It does not validate
// anything.
func NormaliseUPN(s string) string {
	s = strings.TrimSpace(s)
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// CheckUPN reports whether s is a well-formed English Unique Pupil Number in
// canonical form: upper case, with no surrounding white space (see
// [NormaliseUPN]).
//
// Layout (DfE UPN specification): a check letter, a 3-digit LA code, a
// 4-digit establishment number, a 2-digit year and a 3-digit serial. A
// temporary UPN ends in a letter instead of the last serial digit (see
// [IsTemporaryUPN]). The check letter is the sum of character i times i for
// positions i = 2..13 (digits by value, a trailing letter by its letter
// value), mod 23, mapped back to a letter.
//
// The LA code is checked only for being digits, not against a list: codes
// change with local government reorganisation and a UPN keeps the code of the
// LA that issued it, so a fixed list would wrongly reject real pupils.
func CheckUPN(s string) error {
	if s == "" {
		return invalid(upnKind, "is required")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		return invalid(upnKind, "must be in upper case")
	}
	if len(s) != 13 {
		return invalid(upnKind, "must be exactly 13 characters")
	}
	if upnLetterValue(s[0]) < 0 {
		return invalid(upnKind, "must start with a check letter (A to Z except I, O and S)")
	}
	if !allDigits(s[1:12]) {
		return invalid(upnKind, "characters 2 to 12 must be digits (LA code, establishment, year and serial)")
	}
	last := upnCharValue(s[12])
	if last < 0 {
		return invalid(upnKind, "must end with a digit, or for a temporary UPN a letter other than I, O and S")
	}
	sum := 13 * last
	for i := 1; i < 12; i++ {
		sum += (i + 1) * int(s[i]-'0')
	}
	if upnAlphabet[sum%23] != s[0] {
		return invalid(upnKind, "check letter does not match")
	}
	return nil
}

// IsTemporaryUPN reports whether s (after [NormaliseUPN]) has the temporary
// UPN form, ending in a letter. Schools issue temporary UPNs when a pupil's
// permanent UPN is not yet known, so they should be replaced when it is. It
// does not check validity.
func IsTemporaryUPN(s string) bool {
	s = NormaliseUPN(s)
	return len(s) == 13 && upnLetterValue(s[12]) >= 0
}

// upnLetterValue returns the check value of an allowed UPN letter, or -1.
func upnLetterValue(c byte) int {
	return strings.IndexByte(upnAlphabet, c)
}

// upnCharValue returns the value of a digit or allowed letter, or -1.
func upnCharValue(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return upnLetterValue(c)
}
