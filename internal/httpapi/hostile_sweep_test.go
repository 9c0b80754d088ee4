package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/oneplan-send/oneplan/api"
)

// bodyOperation is an operation of the contract that takes a JSON body.
type bodyOperation struct {
	method, path, mediaType string
	schema                  *openapi3.Schema
	public                  bool
}

func bodyOperations(t *testing.T) []bodyOperation {
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	var ops []bodyOperation
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			for mt, content := range op.RequestBody.Value.Content {
				if mt == "application/json" || strings.HasSuffix(mt, "+json") {
					ops = append(ops, bodyOperation{method: method, path: path, mediaType: mt, schema: content.Schema.Value,
						public: op.Security != nil && len(*op.Security) == 0})
				}
			}
		}
	}
	slices.SortFunc(ops, func(a, b bodyOperation) int { return strings.Compare(a.method+a.path, b.method+b.path) })
	if len(ops) < 40 {
		t.Fatalf("only %d operations with a JSON body in the contract", len(ops))
	}
	return ops
}

// node is a JSON value kept in order, so that a defect can be put at a known place.
type node struct {
	kind    byte   // 's' string, 'r' raw literal (number, boolean, null), 'a' array, 'o' object
	text    string // a string's text, or a raw literal
	spoilt  string // a string's literal as sent, when spoilt
	items   []*node
	names   []string
	spoiltN map[int]string // member names as sent, when spoilt
}

func (n *node) write(b *strings.Builder) {
	switch n.kind {
	case 's':
		if n.spoilt != "" {
			b.WriteString(n.spoilt)
			return
		}
		q, _ := json.Marshal(n.text)
		b.Write(q)
	case 'r':
		b.WriteString(n.text)
	case 'a', 'o':
		open, end := "[", "]"
		if n.kind == 'o' {
			open, end = "{", "}"
		}
		b.WriteString(open)
		for i, it := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			if n.kind == 'o' {
				if s, ok := n.spoiltN[i]; ok {
					b.WriteString(s)
				} else {
					q, _ := json.Marshal(n.names[i])
					b.Write(q)
				}
				b.WriteByte(':')
			}
			it.write(b)
		}
		b.WriteString(end)
	}
}

// plausible draws a value of schema: the required members, some optional ones, values of the
// declared type, format and enum.
func plausible(t *rapid.T, s *openapi3.Schema, depth int) *node {
	if s == nil {
		return &node{kind: 's', text: "text"}
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		alts := append(slices.Clone(s.OneOf), s.AnyOf...)
		return plausible(t, rapid.SampledFrom(alts).Draw(t, "alternative").Value, depth)
	}
	if len(s.AllOf) > 0 {
		merged := &openapi3.Schema{Properties: openapi3.Schemas{}, Type: s.Type, Enum: s.Enum, Format: s.Format, Items: s.Items}
		for _, part := range append([]*openapi3.SchemaRef{{Value: s}}, s.AllOf...) {
			p := part.Value
			if merged.Type == nil {
				merged.Type, merged.Items, merged.Format = p.Type, p.Items, p.Format
			}
			if len(merged.Enum) == 0 {
				merged.Enum = p.Enum
			}
			for name, prop := range p.Properties {
				merged.Properties[name] = prop
			}
			merged.Required = append(merged.Required, p.Required...)
		}
		if len(merged.Properties) == 0 {
			merged.Properties = nil
		}
		return plausible(t, merged, depth)
	}
	if len(s.Enum) > 0 {
		v := rapid.SampledFrom(s.Enum).Draw(t, "enum")
		if str, ok := v.(string); ok {
			return &node{kind: 's', text: str}
		}
		raw, _ := json.Marshal(v)
		return &node{kind: 'r', text: string(raw)}
	}
	switch {
	case s.Type.Is(openapi3.TypeObject) || s.Properties != nil:
		n := &node{kind: 'o'}
		names := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if slices.Contains(s.Required, name) || (depth < 3 && rapid.Bool().Draw(t, "optional "+name)) {
				n.names = append(n.names, name)
				n.items = append(n.items, plausible(t, s.Properties[name].Value, depth+1))
			}
		}
		if len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil {
			for i := range rapid.IntRange(0, 2).Draw(t, "entries") {
				n.names = append(n.names, fmt.Sprintf("key%d", i))
				n.items = append(n.items, plausible(t, s.AdditionalProperties.Schema.Value, depth+1))
			}
		}
		return n
	case s.Type.Is(openapi3.TypeArray):
		n := &node{kind: 'a'}
		var items *openapi3.Schema
		if s.Items != nil {
			items = s.Items.Value
		}
		for range rapid.IntRange(1, 2).Draw(t, "items") {
			n.items = append(n.items, plausible(t, items, depth+1))
		}
		return n
	case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
		return &node{kind: 'r', text: fmt.Sprint(rapid.IntRange(0, 30).Draw(t, "number"))}
	case s.Type.Is(openapi3.TypeBoolean):
		return &node{kind: 'r', text: fmt.Sprint(rapid.Bool().Draw(t, "boolean"))}
	}
	switch s.Format {
	case "date":
		return &node{kind: 's', text: "2026-01-15"}
	case "date-time":
		return &node{kind: 's', text: "2026-01-15T09:30:00Z"}
	case "uuid":
		return &node{kind: 's', text: randomUUID(t)}
	case "email":
		return &node{kind: 's', text: "someone@example.org"}
	}
	return &node{kind: 's', text: rapid.StringOfN(rapid.RuneFrom([]rune("abcdefghij KLMNé-'")), 1, 16, -1).Draw(t, "text")}
}

func randomUUID(t *rapid.T) string {
	b := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "uuid")
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// place is a node of the drawn body with its JSON pointer.
type place struct {
	n       *node
	pointer string
}

func places(n *node, ptr string, out []place) []place {
	out = append(out, place{n, ptr})
	for i, it := range n.items {
		tok := fmt.Sprint(i)
		if n.kind == 'o' {
			tok = strings.NewReplacer("~", "~0", "/", "~1").Replace(n.names[i])
		}
		out = append(out, places(it, ptr+"/"+tok, nil)...)
	}
	return out
}

// The defects the sweep puts into plausible bodies.
var defects = []string{"NUL escape", "NUL byte", "invalid UTF-8", "lone surrogate", "NUL in a name", "invalid UTF-8 in a name", "duplicate member", "trailing data"}

// spoilText puts bad into s at a character boundary, and returns the literal as sent.
func spoilText(t *rapid.T, s, bad string) string {
	r := []rune(s)
	at := rapid.IntRange(0, len(r)).Draw(t, "at")
	before, _ := json.Marshal(string(r[:at]))
	after, _ := json.Marshal(string(r[at:]))
	return string(before[:len(before)-1]) + bad + string(after[1:])
}

// hostileBody draws a plausible body for op with defect put in at one place, and says which
// pointer the refusal must name.
func hostileBody(t *rapid.T, op bodyOperation, defect string) (path, body, pointer string) {
	path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllStringFunc(op.path, func(string) string { return randomUUID(t) })
	root := plausible(t, op.schema, 0)
	if root.kind != 'o' {
		t.Fatalf("%s %s: the body is not an object", op.method, op.path)
	}
	hasText := false
	for _, p := range places(root, "", nil) {
		hasText = hasText || p.n.kind == 's'
	}
	if !hasText {
		// Nothing to spoil (no string drawn): a member to carry the defect.
		root.names, root.items = append(root.names, "note"), append(root.items, &node{kind: 's', text: "a note"})
	}
	return hostileBodyOf(t, root, path, defect)
}

func hostileBodyOf(t *rapid.T, root *node, path, defect string) (string, string, string) {
	var texts, objects []place
	for _, p := range places(root, "", nil) {
		switch {
		case p.n.kind == 's':
			texts = append(texts, p)
		case p.n.kind == 'o' && len(p.n.items) > 0:
			objects = append(objects, p)
		}
	}
	var pointer, trailing string
	switch defect {
	case "NUL escape", "NUL byte", "invalid UTF-8", "lone surrogate":
		bad := map[string][]string{
			"NUL escape":     {`\u0000`},
			"NUL byte":       {"\x00"},
			"invalid UTF-8":  {"\xff", "\xc3", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"},
			"lone surrogate": {`\ud800`, `\udbff`, `\udc00`, `\udfff\ud800`, `\ud800\u0041`},
		}[defect]
		p := rapid.SampledFrom(texts).Draw(t, "string")
		p.n.spoilt = spoilText(t, p.n.text, rapid.SampledFrom(bad).Draw(t, "bad"))
		pointer = p.pointer
	case "NUL in a name", "invalid UTF-8 in a name":
		p := rapid.SampledFrom(objects).Draw(t, "object")
		i := rapid.IntRange(0, len(p.n.names)-1).Draw(t, "member")
		bad := `\u0000`
		if defect != "NUL in a name" {
			bad = rapid.SampledFrom([]string{"\xff", "\xc3", "\xed\xa0\x80"}).Draw(t, "bad")
		}
		p.n.spoiltN = map[int]string{i: spoilText(t, p.n.names[i], bad)}
		pointer = p.pointer
	case "duplicate member":
		p := rapid.SampledFrom(objects).Draw(t, "object")
		i := rapid.IntRange(0, len(p.n.names)-1).Draw(t, "member")
		at := rapid.IntRange(i+1, len(p.n.names)).Draw(t, "again at")
		p.n.names = slices.Insert(p.n.names, at, p.n.names[i])
		p.n.items = slices.Insert(p.n.items, at, p.n.items[i])
		pointer = p.pointer + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(p.n.names[i])
	case "trailing data":
		trailing = rapid.SampledFrom([]string{" x", "{}", "]", ",", `"a"`, "0", "\n\x00", " null"}).Draw(t, "trailing")
	}
	var b strings.Builder
	root.write(&b)
	b.WriteString(trailing)
	return path, b.String(), pointer
}

// TestSweepHostileBodies puts NUL characters, invalid UTF-8, unpaired surrogates, repeated
// member names and trailing data into plausible bodies for every operation of the contract
// that takes JSON, and requires a 400 problem naming exactly that place, on every database.
// Every operation gets every defect once, then rapid draws further cases at random.
func TestSweepHostileBodies(t *testing.T) {
	ops := bodyOperations(t)
	each(t, func(t *testing.T, e *env) {
		send := func(fail func(string, ...any), op bodyOperation, defect, path, body, pointer string) {
			key := e.admin
			if op.public {
				key = ""
			}
			r := e.do(op.method, path, key, body, "Content-Type", op.mediaType)
			var p struct {
				Status int
				Errors []struct{ Pointer, Detail string }
			}
			if r.status >= 500 || r.status != http.StatusBadRequest || r.header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(r.body, &p) != nil {
				fail("%s %s with %s: %d %s\nbody: %q", op.method, op.path, defect, r.status, r.body, body)
				return
			}
			if len(p.Errors) != 1 || p.Errors[0].Pointer != pointer {
				fail("%s %s with %s: errors %+v, want one at %q\nbody: %q", op.method, op.path, defect, p.Errors, pointer, body)
			}
			if defect == "trailing data" && !strings.Contains(p.Errors[0].Detail, "byte offset") {
				fail("%s %s: no offset in %q", op.method, op.path, p.Errors[0].Detail)
			}
		}
		t.Run("every operation and defect", func(t *testing.T) {
			for i, op := range ops {
				for j, defect := range defects {
					c := rapid.Custom(func(t *rapid.T) [3]string {
						path, body, pointer := hostileBody(t, op, defect)
						return [3]string{path, body, pointer}
					}).Example(i*len(defects) + j)
					send(t.Errorf, op, defect, c[0], c[1], c[2])
				}
			}
		})
		t.Run("random", func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				op := rapid.SampledFrom(ops).Draw(rt, "operation")
				defect := rapid.SampledFrom(defects).Draw(rt, "defect")
				path, body, pointer := hostileBody(rt, op, defect)
				send(rt.Fatalf, op, defect, path, body, pointer)
			})
		})
	})
}
