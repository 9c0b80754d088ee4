package httpapi

import (
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/oapi-codegen/runtime"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// bodyBinder binds the generated strict handlers' JSON request bodies. The validator has already
// decoded and checked the body (KeepValidatedValue); a value the contract allows may still not fit
// its Go type: 1e3 or 1.0 for an integer (JSON Schema integers, not Go's), or a number past int64.
// Echo's own binder then answered with encoding/json's message ("Unmarshal type error:
// expected=int64, ... field=parts.amount_pence") and no pointer; this one names the field as a
// JSON pointer, with array indices, in plain words, for every operation.
type bodyBinder struct{}

var errBodyNotJSON = &fault.Error{Kind: fault.Invalid, Detail: "The request body is not valid JSON.",
	Fields: []fault.FieldError{{Pointer: "", Detail: "the body is not valid JSON"}}}

// Bind binds the body only: the generated handlers read path and query parameters themselves.
func (bodyBinder) Bind(i any, c echo.Context) error {
	req := c.Request()
	var value any
	if vb, ok := req.Body.(interface{ ValidatedValue() any }); ok {
		value = vb.ValidatedValue()
	} else {
		// A route the validator skipped: decode as it would (numbers kept as written).
		if req.ContentLength == 0 || req.Body == nil {
			return nil
		}
		dec := json.NewDecoder(req.Body)
		dec.UseNumber()
		if err := dec.Decode(&value); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return errBodyNotJSON
		}
	}
	if err := runtime.BindJSONValue(value, i); err != nil {
		ptr, detail := misfit(value, reflect.TypeOf(i).Elem(), "")
		return &fault.Error{Kind: fault.Invalid, Detail: "The request body has a value its field cannot hold; see errors.",
			Fields: []fault.FieldError{{Pointer: ptr, Detail: detail}}}
	}
	return nil
}

// misfit finds the deepest member of value that does not bind into t: its JSON pointer (below ptr)
// and what is wrong with it. Only called once binding the whole has failed.
func misfit(value any, t reflect.Type, ptr string) (string, string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	fits := func(v any, t reflect.Type) bool { return runtime.BindJSONValue(v, reflect.New(t).Interface()) == nil }
	if !customDecoding(t) {
		switch v := value.(type) {
		case map[string]any:
			var members func(string) (reflect.Type, bool)
			switch t.Kind() {
			case reflect.Struct:
				fields := jsonMembers(t)
				members = func(name string) (reflect.Type, bool) { ft, ok := fields[name]; return ft, ok }
			case reflect.Map:
				members = func(string) (reflect.Type, bool) { return t.Elem(), true }
			}
			if members != nil {
				names := make([]string, 0, len(v))
				for name := range v {
					names = append(names, name)
				}
				slices.Sort(names)
				for _, name := range names {
					if ft, ok := members(name); ok && !fits(v[name], ft) {
						return misfit(v[name], ft, ptr+"/"+escapePointer(name))
					}
				}
			}
		case []any:
			if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
				for i, item := range v {
					if !fits(item, t.Elem()) {
						return misfit(item, t.Elem(), ptr+"/"+strconv.Itoa(i))
					}
				}
			}
		}
	}
	return ptr, misfitDetail(value, t)
}

// customDecoding: a type that decodes itself (dates, UUIDs, unions) is reported as a whole.
func customDecoding(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(reflect.TypeFor[json.Unmarshaler]()) || p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// jsonMembers maps a struct's JSON member names to their types, promoting embedded structs as
// encoding/json does (enough for the generated types).
func jsonMembers(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n, mt := range jsonMembers(ft) {
				if _, ok := out[n]; !ok {
					out[n] = mt
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// misfitDetail says, in plain words, why value does not fit a field of type t.
func misfitDetail(value any, t reflect.Type) string {
	if customDecoding(t) {
		return "is not a valid value for this field"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := value.(json.Number)
		if !ok {
			return "must be a whole number"
		}
		lo, hi := intRange(t)
		if f, err := strconv.ParseFloat(string(n), 64); err == nil && f == math.Trunc(f) && !strings.ContainsAny(string(n), ".eE") {
			return "must be a whole number from " + lo + " to " + hi
		} else if err == nil && f == math.Trunc(f) {
			return "must be a whole number written without a decimal point or exponent (" + lo + " to " + hi + ")"
		}
		return "must be a whole number"
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Struct, reflect.Map:
		return "must be an object"
	case reflect.Slice, reflect.Array:
		return "must be an array"
	}
	return "is not a valid value for this field"
}

func intRange(t reflect.Type) (string, string) {
	bits := t.Bits()
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "0", strconv.FormatUint(math.MaxUint64>>(64-bits), 10)
	}
	return strconv.FormatInt(math.MinInt64>>(64-bits), 10), strconv.FormatInt(math.MaxInt64>>(64-bits), 10)
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
