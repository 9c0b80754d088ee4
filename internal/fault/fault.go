// Package fault holds the error categories the whole service speaks in. Domain and store code
// return them; only the HTTP layer turns a category into a status code.
package fault

import (
	"errors"
	"strings"
	"time"
)

// Kind is the category of a failure.
type Kind int

// The categories. Unknown is anything unexpected (a bug or an infrastructure fault).
const (
	Unknown Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	PreconditionFailed
	Unprocessable
	RateLimited
	Unavailable
	// Gone is a link or token that existed but can no longer be used (an expired invitation).
	Gone
	// Moved is a record that now lives under another id (merged into another): Related names it.
	Moved
	// TooLarge is a body over its limit (an uploaded document).
	TooLarge
	// UnsupportedMedia is a body of a kind the service does not take, judged from its content.
	UnsupportedMedia
)

var kindNames = map[Kind]string{
	Unknown: "unknown", Invalid: "invalid", Unauthenticated: "unauthenticated", Forbidden: "forbidden",
	NotFound: "not_found", Conflict: "conflict", PreconditionFailed: "precondition_failed",
	Unprocessable: "unprocessable", RateLimited: "rate_limited", Unavailable: "unavailable", Gone: "gone",
	Moved: "moved", TooLarge: "too_large", UnsupportedMedia: "unsupported_media",
}

// String names the category (for logs: it never holds what the caller sent).
func (k Kind) String() string { return kindNames[k] }

// Ref names another record an error points the caller to.
type Ref struct {
	Type string // a record type, e.g. young_person
	ID   string
}

// FieldError names one bad field with a JSON pointer into the request document.
type FieldError struct {
	Pointer string
	Detail  string
}

// Error is a categorised failure with a message fit to show to the caller. Detail must never
// contain personal data: it ends up in answers and may end up in logs.
type Error struct {
	Kind   Kind
	Detail string
	Fields []FieldError
	// CurrentStatus names the record's state for state conflicts.
	CurrentStatus string
	// CurrentVersion is the record's version for failed preconditions.
	CurrentVersion int
	// RetryAfter is how long a rate-limited caller (or one facing an unavailable database) should wait.
	RetryAfter time.Duration
	// Permission names the permission a forbidden caller lacks.
	Permission string
	// Cause is the underlying error, for the log (an outage's connection error); never shown.
	Cause error
	// Related is a record the caller may follow: the record a conflict is with, or where a moved
	// record went. Set it only for a record the caller may see.
	Related *Ref
}

// Unwrap gives errors.Is and errors.As the cause.
func (e *Error) Unwrap() error { return e.Cause }

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Detail + " (" + e.Cause.Error() + ")"
	}
	if len(e.Fields) == 0 {
		return e.Detail
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Pointer+": "+f.Detail)
	}
	return e.Detail + " (" + strings.Join(parts, "; ") + ")"
}

// Is lets errors.Is match any *Error of the same Kind, so callers can test against the sentinels.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Kind == e.Kind && t.Detail == ""
	}
	return false
}

// Sentinels for errors.Is.
var (
	ErrInvalid            = &Error{Kind: Invalid}
	ErrNotFound           = &Error{Kind: NotFound}
	ErrConflict           = &Error{Kind: Conflict}
	ErrForbidden          = &Error{Kind: Forbidden}
	ErrPreconditionFailed = &Error{Kind: PreconditionFailed}
	ErrUnprocessable      = &Error{Kind: Unprocessable}
	ErrUnavailable        = &Error{Kind: Unavailable}
	ErrGone               = &Error{Kind: Gone}
)

// New returns an error of kind with a caller-facing detail.
func New(kind Kind, detail string) *Error { return &Error{Kind: kind, Detail: detail} }

// ErrDuplicate is the Cause of the Conflict a unique index answers (errors.Is finds it): a value
// another write holds, often one that was free when this write looked for it and was taken
// before it wrote, which a second look can name.
var ErrDuplicate = errors.New("a unique value is taken")

// Fields returns an error of kind listing bad fields; nil when there are none.
func Fields(kind Kind, fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: kind, Detail: "The request has invalid fields.", Fields: fields}
}

// Field is shorthand for an error about a single field.
func Field(kind Kind, pointer, detail string) *Error {
	return &Error{Kind: kind, Detail: detail, Fields: []FieldError{{Pointer: pointer, Detail: detail}}}
}

// StateConflict reports an action refused because of the record's current status.
func StateConflict(detail, current string) *Error {
	return &Error{Kind: Conflict, Detail: detail, CurrentStatus: current}
}

// Stale reports an If-Match precondition that no longer holds.
func Stale(current int) *Error {
	return &Error{Kind: PreconditionFailed, Detail: "The record has changed since it was read.", CurrentVersion: current}
}

// KindOf returns the category of err, or Unknown.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Unknown
}
