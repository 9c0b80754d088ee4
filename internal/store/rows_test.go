package store

import (
	"reflect"
	"testing"

	"github.com/segmentio/encoding/json"
	"pgregory.net/rapid"
)

// TestFromJSONStrings: reading a JSON array of strings by hand (plainStrings) gives exactly what
// the decoder gives, nil and empty alike, for what the store writes and for PostgreSQL's own
// spacing; anything it does not read plainly (escapes, null, malformed) is left to the decoder.
func TestFromJSONStrings(t *testing.T) {
	decoded := func(s string) ([]string, bool) {
		var v []string
		err := json.Unmarshal([]byte(s), &v)
		return v, err == nil
	}
	for _, s := range []string{`[]`, ` [ ] `, `["sen"]`, `["sen","camhs"]`, `["sen", "camhs"]`, "[\n\"a\" ,\t\"b\"\r]", `["é", "日本"]`, `[""]`,
		`null`, `["a\"b"]`, `["a\u00e9"]`, `["a",]`, `["a" "b"]`, `["a"`, `[`, `["a"]x`, `[1]`, `["a",1]`, "[\"a\x01\"]", `{}`} {
		want, valid := decoded(s)
		if !valid {
			if _, ok := plainStrings(s); ok {
				t.Errorf("plainStrings(%q) read what the decoder refuses", s)
			}
			continue
		}
		if got := fromJSON[[]string](&s); !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
			t.Errorf("fromJSON(%q) = %#v, the decoder's %#v", s, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.SliceOf(rapid.String()).Draw(t, "strings")
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		want, _ := decoded(s)
		if got := fromJSON[[]string](&s); !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("fromJSON(%q) = %#v, the decoder's %#v", s, got, want)
		}
	})
}
