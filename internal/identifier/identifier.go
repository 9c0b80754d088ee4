// Package identifier validates the national identifiers OnePlan stores for a
// child or young person: the NHS number, the Unique Pupil Number (UPN) and the
// Unique Learner Number (ULN).
//
// The checks are structural and checksum-only: they catch typing and
// transcription errors at the API boundary, so bad identifiers never reach
// record matching or statutory returns (SEN2). They cannot prove that an
// identifier was ever issued, or issued to this person.
//
// Every error returned wraps [ErrInvalid] and describes the problem in plain
// English. Error messages never contain the input value, because identifiers
// are personal data and errors are routinely logged.
package identifier

import "errors"

// ErrInvalid is wrapped by every validation error in this package, so callers
// can use errors.Is(err, identifier.ErrInvalid) to tell bad input apart from
// other failures.
var ErrInvalid = errors.New("invalid identifier")

// invalidError carries a human-readable reason and unwraps to ErrInvalid.
type invalidError struct {
	msg string
}

func (e *invalidError) Error() string { return e.msg }

func (e *invalidError) Unwrap() error { return ErrInvalid }

// invalid builds an error for the named identifier kind. reason must never
// include the value being checked.
func invalid(kind, reason string) error {
	return &invalidError{msg: kind + " " + reason}
}

// allDigits reports whether s is non-empty and made only of ASCII digits 0-9.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// weightedSum returns the sum of the first nine digits of s multiplied by the
// weights 10, 9, ..., 2. Both the NHS number and the ULN use this sum. s must
// hold at least nine ASCII digits.
func weightedSum(s string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(s[i]-'0') * (10 - i)
	}
	return sum
}
