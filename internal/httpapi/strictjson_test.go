package httpapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func TestStrictJSONAccepts(t *testing.T) {
	for _, body := range []string{
		`{}`, `[]`, `""`, `0`, `-0.5e+10`, `true`, `null`, " \t\r\n{ \"a\" : [ 1 , 2 ] }\n ",
		`{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}`, // the same name in different objects
		`{"emoji":"\ud83d\ude00","raw":"😀","é":"\u00e9","replacement":"\ufffd�"}`,
		`{"escapes":"\"\\\/\b\f\n\r\t\u0001\u001f"}`,
		`{"a/b":1,"a~b":2,"a\/c":3}`,
		`{"big":1E400,"neg":-12.5e-3,"zero":0}`,
	} {
		if f := scanJSON([]byte(body)); len(f) > 0 {
			t.Errorf("%s: refused: %+v", body, f)
		}
	}
}

func TestStrictJSONRefuses(t *testing.T) {
	cases := []struct {
		name, body string
		kind       jsonFaultKind
		pointer    string
		detail     string // a part of the detail
	}{
		{"NUL escape in a value", `{"reasons":["sen","he\u0000alth"]}`, jsonNUL, "/reasons/1", "NUL character (\\u0000) at byte offset 21 (line 1, column 22)"},
		{"NUL byte in a value", "{\"given_name\":\"A\x00\"}", jsonControl, "/given_name", "NUL character (U+0000) at byte offset 16"},
		{"NUL escape in a name", `{"contacts":[{"na\u0000me":"x"}]}`, jsonNUL, "/contacts/0", "member name that contains the NUL"},
		{"invalid UTF-8", "{\"given_name\":\"Am\xffelia\"}", jsonEncoding, "/given_name", "not UTF-8 (0xFF) at byte offset 17"},
		{"truncated UTF-8 sequence", "{\"a\":\"\xc3\"}", jsonEncoding, "/a", "not UTF-8 (0xC3)"},
		{"overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", jsonEncoding, "/a", "not UTF-8 (0xC0)"},
		{"UTF-8 encoded surrogate", "{\"a\":\"\xed\xa0\x80\"}", jsonEncoding, "/a", "not UTF-8 (0xED)"},
		{"invalid UTF-8 in a name", "{\"giv\xffen\":1}", jsonEncoding, "", "member name that contains bytes that are not UTF-8"},
		{"lone high surrogate", `{"family_name":"x\ud800"}`, jsonEncoding, "/family_name", `unpaired UTF-16 surrogate escape \ud800`},
		{"high surrogate then a letter", `{"a":"\ud800\u0041"}`, jsonEncoding, "/a", `\ud800`},
		{"low surrogate first", `{"a":"\udc00\ud800"}`, jsonEncoding, "/a", `\udc00`},
		{"duplicate member", `{"given_name":"A","family_name":"B","given_name":"C"}`, jsonDuplicate, "/given_name", "byte offset 36"},
		{"duplicate spelt with an escape", `{"a":1,"\u0061":2}`, jsonDuplicate, "/a", "second member"},
		{"duplicate in a nested object", `{"consent":{"given_by":"A","given_by":"A"}}`, jsonDuplicate, "/consent/given_by", "send each member once"},
		{"duplicate name with a slash", `{"a/b":1,"a/b":2}`, jsonDuplicate, "/a~1b", "second member"},
		{"trailing garbage", `{"a":1} x`, jsonTrailing, "", "at byte offset 8 (line 1, column 9): unexpected data after the JSON value"},
		{"two values", `{}{}`, jsonTrailing, "", "byte offset 2"},
		{"missing value", `{"a":}`, jsonSyntax, "/a", "byte offset 5 (line 1, column 6): expected a value; found '}'"},
		{"trailing comma", "{\n  \"a\": 1,\n}", jsonSyntax, "", "byte offset 12 (line 3, column 1): expected a member name"},
		{"column counts characters", "{\"é\":\"é\" x}", jsonSyntax, "", "byte offset 11 (line 1, column 10)"},
		{"unclosed string", `{"a":"abc`, jsonSyntax, "/a", "byte offset 5 (line 1, column 6): the string that starts here is never closed"},
		{"bad escape", `{"a":"\x"}`, jsonSyntax, "/a", `\x is not a JSON escape`},
		{"short unicode escape", `{"a":"\u12"}`, jsonSyntax, "/a", "four hexadecimal digits"},
		{"leading zero", `{"a":01}`, jsonSyntax, "", "expected ',' or '}'"},
		{"bare word", `{"a":nope}`, jsonSyntax, "/a", "expected null"},
		{"unquoted name", `{a:1}`, jsonSyntax, "", "expected a member name in double quotes; found 'a'"},
		{"empty", ``, jsonSyntax, "", "a value is missing"},
		{"byte order mark", "\ufeff{}", jsonSyntax, "", "found byte 0xEF"},
		{"unescaped control character", "{\"a\":\"x\ty\"}", jsonControl, "/a", `U+0009`},
		{"too deep", strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1), jsonTooDeep, "/0/0/0", "nested more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			faults := scanJSON([]byte(c.body))
			if len(faults) == 0 {
				t.Fatalf("accepted %q", c.body)
			}
			f := faults[0]
			if f.kind != c.kind || !strings.HasPrefix(f.pointer, c.pointer) || (c.kind != jsonTooDeep && f.pointer != c.pointer) || !strings.Contains(f.detail, c.detail) {
				t.Errorf("got kind %d at %q: %s\nwant kind %d at %q with %q", f.kind, f.pointer, f.detail, c.kind, c.pointer, c.detail)
			}
		})
	}
}

func TestStrictJSONListsEveryPlace(t *testing.T) {
	err := strictJSON([]byte(`{"a":"\u0000","b":["ok","\ud800"],"a":1,"c":"` + "\xff" + `"}`))
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Invalid {
		t.Fatalf("got %v", err)
	}
	var got []string
	for _, f := range fe.Fields {
		got = append(got, f.Pointer)
	}
	if strings.Join(got, " ") != "/a /b/1 /a /c" {
		t.Errorf("pointers %v", got)
	}
	if strings.Contains(fe.Detail, "not valid JSON") {
		t.Errorf("no syntax error here: %s", fe.Detail)
	}
	err = strictJSON([]byte(`{"a":"\u0000" "b":1}`))
	if !errors.As(err, &fe) || len(fe.Fields) != 2 || !strings.HasPrefix(fe.Detail, "The body is not valid JSON at byte offset 14 ") {
		t.Errorf("a syntax error after a NUL: %+v", err)
	}
	// One place per string, however many bad bytes it holds.
	if f := scanJSON([]byte("{\"a\":\"\xed\xa0\x80 \\u0000 \\udc00\",\"b\":\"\xff\"}")); len(f) != 2 || f[0].pointer != "/a" || f[1].pointer != "/b" {
		t.Errorf("got %+v", f)
	}
	if strictJSON([]byte(`{"a":[1,{"b":null}]}`)) != nil {
		t.Error("refused a plain body")
	}
}

// jsonish draws near misses: a JSON value with at most one flaw in its structure (a comma or
// colon missing, doubled or trailing, a piece inserted, a byte dropped or replaced). Strings
// may also hold text faults (NUL, bad UTF-8, lone surrogates), which do not stop the scan.
var jsonish = rapid.Custom(func(t *rapid.T) []byte {
	flawed := false
	b := jsonValue(t, 0, &flawed)
	if !flawed && rapid.Bool().Draw(t, "change") {
		pieces := []string{",", "{", "}", "[", "]", ":", `"`, `\`, "1", "-", ".", "e", "fals", "\xff", "\x00", "\x01", "x"}
		at := rapid.IntRange(0, len(b)).Draw(t, "at")
		piece := rapid.SampledFrom(pieces).Draw(t, "piece")
		switch how := rapid.IntRange(0, 2).Draw(t, "how"); {
		case how == 0 || at == len(b):
			b = append(b[:at:at], append([]byte(piece), b[at:]...)...)
		case how == 1:
			b = append(b[:at:at], b[at+1:]...)
		default:
			b = append(b[:at:at], append([]byte(piece), b[at+1:]...)...)
		}
	}
	return b
})

// punct draws the right punctuation, or once per body a wrong one.
func punct(t *rapid.T, flawed *bool, right string, wrong ...string) string {
	if *flawed || rapid.IntRange(0, 7).Draw(t, "flaw?") != 7 {
		return right
	}
	*flawed = true
	return rapid.SampledFrom(wrong).Draw(t, "flaw")
}

func jsonValue(t *rapid.T, depth int, flawed *bool) []byte {
	space := rapid.SampledFrom([]string{"", "", " ", "\n\t"})
	kind := rapid.IntRange(0, 4).Draw(t, "kind")
	if depth > 3 {
		kind %= 3
	}
	switch kind {
	case 0:
		return jsonText(t)
	case 1:
		return []byte(rapid.SampledFrom([]string{"0", "-1", "12.5", "1e3", "-0.0E-2", "true", "false", "null"}).Draw(t, "scalar"))
	case 2:
		return []byte(rapid.SampledFrom([]string{"[]", "{}", `""`}).Draw(t, "empty"))
	}
	n := rapid.IntRange(1, 3).Draw(t, "members")
	b, end := []byte("["), "]"
	if kind == 4 {
		b, end = []byte("{"), "}"
	}
	for i := range n {
		if i > 0 {
			b = append(b, punct(t, flawed, ",", "", ",,", ":")...)
		}
		b = append(b, space.Draw(t, "space")...)
		if kind == 4 {
			b = append(b, jsonText(t)...)
			b = append(b, punct(t, flawed, ":", "", "::", ",")...)
		}
		b = append(b, jsonValue(t, depth+1, flawed)...)
		b = append(b, space.Draw(t, "space")...)
	}
	wrongEnd := map[string]string{"]": "}", "}": "]"}[end]
	return append(b, punct(t, flawed, end, ","+end, "", wrongEnd)...)
}

// jsonText draws a string literal, its pieces chosen so that two names often collide.
func jsonText(t *rapid.T) []byte {
	pieces := []string{"a", "a", "b", "é", "😀", `\u0061`, `\n`, `\"`, `\u0000`, `\ud800`, `\udc00`, `\ud83d\ude00`, "\xff", "\xc3", "\x01"}
	b := []byte{'"'}
	for _, p := range rapid.SliceOfN(rapid.SampledFrom(pieces), 0, 3).Draw(t, "text") {
		b = append(b, p...)
	}
	return append(b, '"')
}

// TestStrictJSONAgreesWithEncodingJSON: the scanner's syntax is encoding/json's, and what it
// accepts encoding/json decodes without repairing anything.
func TestStrictJSONAgreesWithEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := jsonish.Draw(t, "body")
		faults := scanJSON(b)
		syntax := false
		for _, f := range faults {
			syntax = syntax || f.fatal || f.kind == jsonControl
		}
		if len(faults) < maxJSONFaults && syntax == json.Valid(b) {
			t.Fatalf("encoding/json valid=%v, scanner faults %+v for %q", json.Valid(b), faults, b)
		}
		if len(faults) > 0 {
			return
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("accepted %q that encoding/json cannot read: %v", b, err)
		}
		out, _ := json.Marshal(v)
		if strings.Count(string(out), "\ufffd") != strings.Count(string(b), "\ufffd") || !utf8.Valid(b) {
			t.Fatalf("accepted %q, which encoding/json repairs into %s", b, out)
		}
	})
}

// TestStrictJSONAcceptsWhatEncodingJSONWrites: any value without NUL, written by encoding/json,
// passes; with a NUL in one string, exactly that string is named.
func TestStrictJSONAcceptsWhatEncodingJSONWrites(t *testing.T) {
	text := rapid.StringOf(rapid.Rune().Filter(func(r rune) bool { return r != 0 }))
	var value func(depth int) *rapid.Generator[any]
	value = func(depth int) *rapid.Generator[any] {
		return rapid.Custom(func(t *rapid.T) any {
			kind := rapid.IntRange(0, 4).Draw(t, "kind")
			if depth > 3 {
				kind %= 3
			}
			switch kind {
			case 0:
				return text.Draw(t, "text")
			case 1:
				return rapid.Int().Draw(t, "number")
			case 2:
				return nil
			case 3:
				return rapid.SliceOfN(value(depth+1), 0, 3).Draw(t, "array")
			}
			return rapid.MapOfN(text, value(depth+1), 0, 3).Draw(t, "object")
		})
	}
	rapid.Check(t, func(t *rapid.T) {
		v := value(0).Draw(t, "value")
		b, err := json.Marshal(v)
		if err != nil {
			t.Skip("not representable:", err)
		}
		if f := scanJSON(b); len(f) > 0 {
			t.Fatalf("refused %s: %+v", b, f)
		}
		name := text.Draw(t, "name")
		withNUL := map[string]any{"x": []any{v, map[string]any{name: "a\x00b"}}}
		b, _ = json.Marshal(withNUL)
		f := scanJSON(b)
		want := "/x/1/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
		if len(f) != 1 || f[0].kind != jsonNUL || f[0].pointer != want {
			t.Fatalf("%s: got %+v, want one NUL at %q", b, f, want)
		}
	})
}

func TestBearerToken(t *testing.T) {
	for h, want := range map[string]string{"Bearer op_1": "op_1", "bearer op_1": "op_1", "BEARER op_1": "op_1", "bEaReR   op_1": "op_1", "Bearer ": ""} {
		if got, ok := bearerToken(h); !ok || got != want {
			t.Errorf("%q: got %q, %v", h, got, ok)
		}
	}
	for _, h := range []string{"", "Bearer", "Bearerop_1", "Basic op_1", "Bearer-x op_1", " op_1"} {
		if got, ok := bearerToken(h); ok {
			t.Errorf("%q: accepted as %q", h, got)
		}
	}
}

// TestStrictJSONControlAfterNUL: a string holding an escaped NUL and then a raw control character
// is a syntax error as well as a NUL; both are reported (found by the property test above).
func TestStrictJSONControlAfterNUL(t *testing.T) {
	faults := scanJSON([]byte("\"\\u0000\x01\""))
	var nul, control bool
	for _, f := range faults {
		nul = nul || f.kind == jsonNUL
		control = control || f.kind == jsonControl
	}
	if !nul || !control {
		t.Fatalf("faults %+v: want a NUL and a control character", faults)
	}
}
