package httpapi

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// encoding/json quietly accepts what this API must refuse: it turns invalid UTF-8 and unpaired
// surrogate escapes into U+FFFD, lets the last of two equal member names win, and passes the NUL
// character through (SQLite stores it, PostgreSQL fails on it). strictJSON reads a body once,
// before the validator decodes it, and names each such place with a JSON pointer.

// maxJSONDepth bounds nesting: no request body of the contract comes near it, and it keeps a
// hostile body from costing more than its bytes.
const maxJSONDepth = 128

// maxJSONFaults stops listing after this many refusals; the caller has enough to fix.
const maxJSONFaults = 20

// jsonFaultKind says why a body is refused.
type jsonFaultKind int

const (
	jsonSyntax  jsonFaultKind = iota
	jsonControl               // an unescaped control character in a string
	jsonNUL
	jsonEncoding // invalid UTF-8, or an unpaired UTF-16 surrogate escape
	jsonDuplicate
	jsonTrailing
	jsonTooDeep
)

// jsonFault is one refused place in a body.
type jsonFault struct {
	kind    jsonFaultKind
	pointer string
	offset  int
	detail  string
	// fatal faults end the scan: what follows cannot be read.
	fatal bool
}

// strictJSON returns a 400 naming every place the body is refused, or nil.
func strictJSON(body []byte) error {
	faults := scanJSON(body)
	if len(faults) == 0 {
		return nil
	}
	fields := make([]fault.FieldError, len(faults))
	for i, f := range faults {
		fields[i] = fault.FieldError{Pointer: f.pointer, Detail: f.detail}
	}
	detail := "The body holds characters or members this API refuses; see errors for each place."
	if last := faults[len(faults)-1]; last.fatal {
		detail = "The body " + last.detail + "."
	}
	return &fault.Error{Kind: fault.Invalid, Detail: detail, Fields: fields}
}

// scanJSON checks that b is exactly one JSON value (RFC 8259) in UTF-8, with no NUL character,
// no unpaired surrogate escape and no repeated member name. A syntax error ends the scan; the
// other faults are collected, the first of each string only.
func scanJSON(b []byte) []jsonFault {
	s := &jsonScanner{b: b}
	s.space()
	if s.value() {
		s.space()
		if s.i < len(s.b) {
			s.fail(jsonTrailing, "unexpected data after the JSON value; send exactly one value")
		}
	}
	return s.faults
}

type jsonScanner struct {
	b      []byte
	i      int
	path   []string // reference tokens of the value being read
	depth  int
	faults []jsonFault
	name   []byte // the decoded member name being read
	// spoilt is set once the string being read has a fault: one per string is enough to find
	// it, where a fault per byte of a bad sequence would only be noise.
	spoilt bool
	// spoiltSyntax: the string being read has already had a control character reported.
	spoiltSyntax bool
}

// pointer renders the current path as a JSON pointer (RFC 6901).
func (s *jsonScanner) pointer() string {
	var sb strings.Builder
	for _, p := range s.path {
		sb.WriteByte('/')
		sb.WriteString(pointerEscaper.Replace(p))
	}
	return sb.String()
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// where describes an offset for a person reading the body in an editor.
func (s *jsonScanner) where(off int) string {
	line, col := 1, 1
	start := 0
	for j := 0; j < off && j < len(s.b); j++ {
		if s.b[j] == '\n' {
			line++
			start = j + 1
		}
	}
	end := min(off, len(s.b))
	col += utf8.RuneCount(s.b[start:end])
	return fmt.Sprintf("at byte offset %d (line %d, column %d)", off, line, col)
}

// note records a fault that leaves the structure readable; it reports whether to go on.
func (s *jsonScanner) note(kind jsonFaultKind, off int, detail string) bool {
	s.faults = append(s.faults, jsonFault{kind: kind, pointer: s.pointer(), offset: off, detail: detail})
	return len(s.faults) < maxJSONFaults
}

// noteText records the first fault in the string being read; it reports whether to go on.
func (s *jsonScanner) noteText(kind jsonFaultKind, off int, detail string) bool {
	// One fault per string, except that a control character (a syntax error, which
	// encoding/json would refuse too) is reported even after a NUL or encoding fault.
	if kind == jsonControl {
		if s.spoiltSyntax {
			return true
		}
		s.spoiltSyntax = true
	} else if s.spoilt {
		return true
	}
	s.spoilt = true
	return s.note(kind, off, detail)
}

// fail records a fault that ends the scan; it always reports false.
func (s *jsonScanner) fail(kind jsonFaultKind, reason string) bool {
	s.faults = append(s.faults, jsonFault{kind: kind, pointer: s.pointer(), offset: s.i, fatal: true,
		detail: "is not valid JSON " + s.where(s.i) + ": " + reason})
	return false
}

func (s *jsonScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// found names the byte at the current offset, or the end of the body.
func (s *jsonScanner) found() string {
	if s.i >= len(s.b) {
		return "the body ends"
	}
	c := s.b[s.i]
	if c > ' ' && c < utf8.RuneSelf {
		return fmt.Sprintf("found %q", rune(c))
	}
	return fmt.Sprintf("found byte 0x%02X", c)
}

// value reads one value; false means the scan must stop.
func (s *jsonScanner) value() bool {
	if s.i >= len(s.b) {
		return s.fail(jsonSyntax, "a value is missing; the body ends")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == '"':
		return s.text(false)
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.fail(jsonSyntax, "expected a value; "+s.found())
}

func (s *jsonScanner) enter() bool {
	s.depth++
	if s.depth > maxJSONDepth {
		return s.fail(jsonTooDeep, fmt.Sprintf("nested more than %d levels deep", maxJSONDepth))
	}
	s.i++
	s.space()
	return true
}

func (s *jsonScanner) object() bool {
	if !s.enter() {
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return true
	}
	seen := map[string]bool{}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail(jsonSyntax, "expected a member name in double quotes; "+s.found())
		}
		start := s.i
		faults := len(s.faults)
		if !s.text(true) {
			return false
		}
		// A name the caller cannot have meant (it was refused above) joins neither the path
		// nor the duplicate check.
		clean := len(s.faults) == faults
		name := string(s.name)
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail(jsonSyntax, "expected ':' after a member name; "+s.found())
		}
		s.i++
		s.space()
		s.path = append(s.path, name)
		if clean && seen[name] {
			if !s.note(jsonDuplicate, start, "is a second member with this name, "+s.where(start)+"; send each member once") {
				return false
			}
		}
		seen[name] = true
		if !s.value() {
			return false
		}
		s.path = s.path[:len(s.path)-1]
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.space()
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			s.depth--
			return true
		}
		return s.fail(jsonSyntax, "expected ',' or '}' after an object member; "+s.found())
	}
}

func (s *jsonScanner) array() bool {
	if !s.enter() {
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return true
	}
	for n := 0; ; n++ {
		s.path = append(s.path, fmt.Sprint(n))
		if !s.value() {
			return false
		}
		s.path = s.path[:len(s.path)-1]
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.space()
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			s.depth--
			return true
		}
		return s.fail(jsonSyntax, "expected ',' or ']' after an array element; "+s.found())
	}
}

func (s *jsonScanner) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.fail(jsonSyntax, "expected "+word+" (values are true, false, null, numbers, strings, arrays and objects)")
	}
	s.i += len(word)
	return true
}

func (s *jsonScanner) digits() bool {
	if s.i >= len(s.b) || s.b[s.i] < '0' || s.b[s.i] > '9' {
		return s.fail(jsonSyntax, "expected a digit; "+s.found())
	}
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return true
}

func (s *jsonScanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if !s.digits() {
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// text reads a string; a member name (isName) is decoded into s.name for the duplicate check.
// Faults in a name are reported on the object that holds it: the name itself cannot be a
// pointer's last token when it is not text.
func (s *jsonScanner) text(isName bool) bool {
	what := "contains"
	if isName {
		what = "has a member name that contains"
		s.name = s.name[:0]
	}
	start := s.i
	s.spoilt, s.spoiltSyntax = false, false
	s.i++ // the opening quote
	for {
		if s.i >= len(s.b) {
			s.i = start
			return s.fail(jsonSyntax, "the string that starts here is never closed")
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c == '\\':
			if !s.escape(isName, what) {
				return false
			}
		case c == 0:
			// Unescaped, it is also a syntax error (a control character), named for what it is.
			if !s.noteText(jsonControl, s.i, what+" the NUL character (U+0000) "+s.where(s.i)+", unescaped; no field may hold it") {
				return false
			}
			s.i++
		case c < ' ':
			if !s.noteText(jsonControl, s.i, fmt.Sprintf("%s an unescaped control character U+%04X %s; write it as \\u%04x", what, c, s.where(s.i), c)) {
				return false
			}
			s.i++
		case c < utf8.RuneSelf:
			if isName {
				s.name = append(s.name, c)
			}
			s.i++
		default:
			r, n := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && n == 1 {
				if !s.noteText(jsonEncoding, s.i, fmt.Sprintf("%s bytes that are not UTF-8 (0x%02X) %s; JSON text must be UTF-8", what, c, s.where(s.i))) {
					return false
				}
				s.i++
				continue
			}
			if isName {
				s.name = append(s.name, s.b[s.i:s.i+n]...)
			}
			s.i += n
		}
	}
}

// escape reads one backslash escape inside a string.
func (s *jsonScanner) escape(isName bool, what string) bool {
	at := s.i
	if s.i+1 >= len(s.b) {
		return s.fail(jsonSyntax, "a string ends inside an escape")
	}
	var r rune
	switch e := s.b[s.i+1]; e {
	case '"', '\\', '/':
		r = rune(e)
	case 'b':
		r = '\b'
	case 'f':
		r = '\f'
	case 'n':
		r = '\n'
	case 'r':
		r = '\r'
	case 't':
		r = '\t'
	case 'u':
		u, ok := s.hex4(s.i + 2)
		if !ok {
			return s.fail(jsonSyntax, `\u must be followed by four hexadecimal digits`)
		}
		s.i += 6
		switch {
		case u == 0:
			if !s.noteText(jsonNUL, at, what+` the NUL character (\u0000) `+s.where(at)+"; no field may hold it") {
				return false
			}
		case u >= 0xD800 && u < 0xDC00:
			lo, ok := s.hex4(s.i + 2)
			if ok && s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
				r = utf16Pair(u, lo)
				s.i += 6
				break
			}
			if !s.noteText(jsonEncoding, at, fmt.Sprintf(`%s an unpaired UTF-16 surrogate escape \u%04x %s; a character beyond U+FFFF is written as a high surrogate escape followed by a low one`, what, u, s.where(at))) {
				return false
			}
		case u >= 0xDC00 && u < 0xE000:
			if !s.noteText(jsonEncoding, at, fmt.Sprintf(`%s an unpaired UTF-16 surrogate escape \u%04x %s: a low surrogate must follow a high one`, what, u, s.where(at))) {
				return false
			}
		default:
			r = u
		}
		if isName && r != 0 {
			s.name = utf8.AppendRune(s.name, r)
		}
		return true
	default:
		s.i++
		return s.fail(jsonSyntax, fmt.Sprintf(`\%c is not a JSON escape (they are \" \\ \/ \b \f \n \r \t \uXXXX)`, e))
	}
	if isName {
		s.name = utf8.AppendRune(s.name, r)
	}
	s.i += 2
	return true
}

// hex4 reads four hexadecimal digits at offset i.
func (s *jsonScanner) hex4(i int) (rune, bool) {
	if i+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func utf16Pair(hi, lo rune) rune { return (hi-0xD800)<<10 | (lo - 0xDC00) + 0x10000 }
