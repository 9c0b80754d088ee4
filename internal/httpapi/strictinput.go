package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// The validator checks the parameters and body an operation declares, but lets through what
// it does not look at: query parameters the operation does not take (so a misspelt filter
// silently widens a list), text that the database cannot store (NUL, invalid UTF-8), and the
// JSON that encoding/json quietly repairs. strictInput refuses those with a 400 naming each
// place, and a body of the wrong media type with a 415 naming the ones the operation takes.

// purposeHeader is read for every /v1 call into the audit trail, declared or not.
const purposeHeader = "X-Purpose"

// operationInput is what the strict checks know of one operation, read from the contract once.
type operationInput struct {
	query   map[string]bool // the query parameters it takes
	many    map[string]bool // those that take several values
	takes   string          // their names for a detail, sorted
	headers []string        // the header parameters it declares, and X-Purpose
	maxLen  map[string]int  // a header's maxLength in characters, where declared
	bodies  []string        // the media types of its request body, sorted; none: no body
}

// strictInput refuses what the validator lets through, for the operations of spec.
func strictInput(spec *openapi3.T) echo.MiddlewareFunc {
	ops := operationInputs(spec)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			in := ops[c.Request().Method+" "+c.Path()]
			if in == nil {
				return next(c)
			}
			fields := in.checkQuery(c.Request().URL.RawQuery)
			fields = append(fields, in.checkHeaders(c.Request().Header)...)
			if len(fields) > 0 {
				return &fault.Error{Kind: fault.Invalid, Detail: "The request does not match the contract; see errors for each parameter.", Fields: fields}
			}
			if len(in.bodies) > 0 {
				if err := in.checkBody(c.Request()); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// operationInputs reads the contract once: one entry per operation (the probes and the contract
// included: a misspelt parameter is refused everywhere), keyed by "METHOD echo-path" as Echo
// routes it.
func operationInputs(spec *openapi3.T) map[string]*operationInput {
	ops := map[string]*operationInput{}
	purposeMax := 0
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			in := &operationInput{query: map[string]bool{}, many: map[string]bool{}, maxLen: map[string]int{}}
			var names []string
			for _, ref := range append(slices.Clone(item.Parameters), op.Parameters...) {
				p := ref.Value
				switch p.In {
				case openapi3.ParameterInQuery:
					if !in.query[p.Name] {
						names = append(names, p.Name)
					}
					in.query[p.Name] = true
					if p.Schema != nil && p.Schema.Value.Type.Is(openapi3.TypeArray) {
						in.many[p.Name] = true
					}
				case openapi3.ParameterInHeader:
					name := http.CanonicalHeaderKey(p.Name)
					in.headers = append(in.headers, name)
					if p.Schema != nil && p.Schema.Value.MaxLength != nil {
						in.maxLen[name] = int(*p.Schema.Value.MaxLength)
						if name == purposeHeader {
							purposeMax = in.maxLen[name]
						}
					}
				}
			}
			slices.Sort(names)
			in.takes = strings.Join(names, ", ")
			if !slices.Contains(in.headers, purposeHeader) {
				in.headers = append(in.headers, purposeHeader)
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for mt := range op.RequestBody.Value.Content {
					in.bodies = append(in.bodies, strings.ToLower(mt))
				}
				slices.Sort(in.bodies)
			}
			ops[method+" "+pathParam.ReplaceAllString(path, ":$1")] = in
		}
	}
	// Operations that do not declare X-Purpose still audit it: hold it to the declared limit.
	for _, in := range ops {
		if _, ok := in.maxLen[purposeHeader]; !ok && purposeMax > 0 {
			in.maxLen[purposeHeader] = purposeMax
		}
	}
	return ops
}

// checkQuery refuses a malformed query string, parameters the operation does not take, a
// single-valued parameter given twice, and values that are not storable text.
func (in *operationInput) checkQuery(raw string) []fault.FieldError {
	if raw == "" {
		return nil
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		// url.Values silently drops what it cannot parse; the caller meant something by it.
		return []fault.FieldError{{Pointer: "/query", Detail: "is not a well-formed query string: " + err.Error()}}
	}
	var fields []fault.FieldError
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if d := textFault(name, "%00"); d != "" {
			// The name cannot go into a pointer: the answer would change or carry it.
			fields = append(fields, fault.FieldError{Pointer: "/query", Detail: "has a parameter name that " + d})
			continue
		}
		ptr := "/query/" + pointerEscaper.Replace(name)
		if !in.query[name] {
			detail := "is not a parameter of this operation, which takes none"
			if in.takes != "" {
				detail = "is not a parameter of this operation, which takes: " + in.takes
			}
			fields = append(fields, fault.FieldError{Pointer: ptr, Detail: detail})
			continue
		}
		vs := values[name]
		if len(vs) > 1 && !in.many[name] {
			fields = append(fields, fault.FieldError{Pointer: ptr, Detail: fmt.Sprintf("is given %d times; it takes one value", len(vs))})
		}
		for _, v := range vs {
			if d := textFault(v, "%00"); d != "" {
				fields = append(fields, fault.FieldError{Pointer: ptr, Detail: d})
				break
			}
		}
	}
	return fields
}

// checkHeaders refuses header values the audit trail or the database cannot hold.
func (in *operationInput) checkHeaders(h http.Header) []fault.FieldError {
	var fields []fault.FieldError
	for _, name := range in.headers {
		for _, v := range h.Values(name) {
			if d := textFault(v, "NUL"); d != "" {
				fields = append(fields, fault.FieldError{Pointer: "/header/" + name, Detail: d})
				break
			}
			if limit, ok := in.maxLen[name]; ok && utf8.RuneCountInString(v) > limit {
				fields = append(fields, fault.FieldError{Pointer: "/header/" + name, Detail: fmt.Sprintf("is longer than %d characters", limit)})
				break
			}
		}
	}
	return fields
}

// textFault says why s is not text the service can store, or "".
func textFault(s, nul string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "contains the NUL character (" + nul + "), which the service cannot store"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

// checkBody refuses a body of a media type the operation does not take, and a JSON body
// strictJSON refuses. It leaves the body readable for the validator, keepPatchBody and
// idempotency; reading it here first is also where the body limit (413) is met.
func (in *operationInput) checkBody(r *http.Request) error {
	ct := r.Header.Get(echo.HeaderContentType)
	if r.Body == nil || r.Body == http.NoBody {
		if ct == "" {
			return nil
		}
		r.Body = http.NoBody
	}
	if ct != "" {
		isJSON, err := in.mediaType(ct)
		if err != nil {
			return err
		}
		if !isJSON {
			return nil // a file (a document, an import): streamed to the handler, never held whole here
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 && ct == "" {
		// No body at all: whether one is required is the validator's call.
		return nil
	}
	isJSON, err := in.mediaType(ct)
	if err != nil {
		return err
	}
	if isJSON && len(body) > 0 {
		return strictJSON(body)
	}
	return nil
}

// mediaType checks a Content-Type against the operation's and says whether it is JSON.
func (in *operationInput) mediaType(ct string) (bool, error) {
	refuse := &mediaTypeError{accepts: in.bodies}
	if ct == "" {
		return false, refuse
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		refuse.unreadable = true
		return false, refuse
	}
	refuse.got = mt
	for _, want := range in.bodies {
		if !mediaTypeMatches(want, mt) {
			continue
		}
		isJSON := mt == "application/json" || strings.HasSuffix(mt, "+json")
		// JSON is UTF-8 (RFC 8259 §8.1): another charset would be read as if it were.
		if cs, ok := params["charset"]; ok && isJSON && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			refuse.charset = cs
			return false, refuse
		}
		return isJSON, nil
	}
	return false, refuse
}

// mediaTypeMatches matches a type against a contract's media range (type/subtype, type/* or */*).
func mediaTypeMatches(want, got string) bool {
	if want == got || want == "*/*" {
		return true
	}
	prefix, ok := strings.CutSuffix(want, "/*")
	return ok && strings.HasPrefix(got, prefix+"/")
}

// mediaTypeError refuses a body's media type with 415, naming those the operation takes.
type mediaTypeError struct {
	accepts    []string
	got        string // the media type sent, when readable
	unreadable bool   // a Content-Type that is not a media type
	charset    string // a charset other than UTF-8 for JSON
}

func (e *mediaTypeError) Error() string {
	takes := "This operation takes a body of type " + strings.Join(e.accepts, " or ")
	switch {
	case e.charset != "":
		return takes + " in UTF-8, not in the charset " + e.charset + "."
	case e.unreadable:
		return takes + "; the request's Content-Type is not a media type."
	case e.got == "":
		return takes + "; the request has a body but no Content-Type."
	}
	return takes + ", not " + e.got + "."
}

// problem renders the refusal; the accepted types are also listed by the Content-Type pointer.
func (e *mediaTypeError) problem() api.Problem {
	p := newProblem(http.StatusUnsupportedMediaType, e.Error())
	p.Errors = toFieldErrors([]fault.FieldError{{Pointer: "/header/Content-Type", Detail: "must be " + strings.Join(e.accepts, " or ")}})
	return p
}
