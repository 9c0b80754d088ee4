package statutory

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// CheckDay checks a day a caller records as having happened: it is given, not before earliest
// (when earliest is set; earliestWhat names it in the answer) and not after today. It returns the
// problem with the field's pointer, or nil.
func CheckDay(pointer string, d, earliest time.Time, earliestWhat string, today time.Time) *fault.FieldError {
	switch d = Civil(d); {
	case d.IsZero():
		return &fault.FieldError{Pointer: pointer, Detail: "is required"}
	case !earliest.IsZero() && d.Before(Civil(earliest)):
		return &fault.FieldError{Pointer: pointer, Detail: "must not be before " + earliestWhat}
	case d.After(Civil(today)):
		return &fault.FieldError{Pointer: pointer, Detail: "must not be in the future"}
	}
	return nil
}

// AppendDay is CheckDay for callers collecting every bad field.
func AppendDay(errs []fault.FieldError, pointer string, d, earliest time.Time, earliestWhat string, today time.Time) []fault.FieldError {
	if e := CheckDay(pointer, d, earliest, earliestWhat, today); e != nil {
		return append(errs, *e)
	}
	return errs
}

// DayError is CheckDay as an error (fault.Invalid), or nil.
func DayError(pointer string, d, earliest time.Time, earliestWhat string, today time.Time) error {
	if e := CheckDay(pointer, d, earliest, earliestWhat, today); e != nil {
		return fault.Fields(fault.Invalid, []fault.FieldError{*e})
	}
	return nil
}
