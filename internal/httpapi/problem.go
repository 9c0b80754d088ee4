package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/redact"
)

// problemBase prefixes problem type URIs; each names a section of the README.
const problemBase = "https://oneplan.example/problems/"

var titles = map[int]string{
	http.StatusMovedPermanently:      "Moved permanently",
	http.StatusBadRequest:            "Invalid request",
	http.StatusUnauthorized:          "Unauthenticated",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusConflict:              "Conflict",
	http.StatusGone:                  "Gone",
	http.StatusPreconditionFailed:    "Precondition failed",
	http.StatusRequestEntityTooLarge: "Request too large",
	http.StatusUnsupportedMediaType:  "Unsupported media type",
	http.StatusUnprocessableEntity:   "Unprocessable request",
	http.StatusTooManyRequests:       "Too many requests",
	http.StatusInternalServerError:   "Internal error",
	http.StatusServiceUnavailable:    "Service unavailable",
}

var kindStatus = map[fault.Kind]int{
	fault.Invalid:            http.StatusBadRequest,
	fault.Unauthenticated:    http.StatusUnauthorized,
	fault.Forbidden:          http.StatusForbidden,
	fault.NotFound:           http.StatusNotFound,
	fault.Conflict:           http.StatusConflict,
	fault.PreconditionFailed: http.StatusPreconditionFailed,
	fault.Unprocessable:      http.StatusUnprocessableEntity,
	fault.RateLimited:        http.StatusTooManyRequests,
	fault.Unavailable:        http.StatusServiceUnavailable,
	fault.Gone:               http.StatusGone,
	fault.Moved:              http.StatusMovedPermanently,
	fault.TooLarge:           http.StatusRequestEntityTooLarge,
	fault.UnsupportedMedia:   http.StatusUnsupportedMediaType,
}

// relatedPaths is where each kind of record a problem may point to lives.
var relatedPaths = map[string]string{audit.YoungPerson: "/v1/young-people/", audit.Organisation: "/v1/organisations/",
	audit.Referral: "/v1/referrals/", ehcplan.RecordType: "/v1/ehc-plans/"}

func problemType(status int) string {
	return problemBase + strings.ReplaceAll(strings.ToLower(titles[status]), " ", "-")
}

// newProblem builds a problem for status.
func newProblem(status int, detail string) api.Problem {
	p := api.Problem{Type: problemType(status), Title: titles[status], Status: status}
	if detail != "" {
		p.Detail = &detail
	}
	return p
}

// errorHandler renders every error as RFC 9457 problem details and logs it once.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	rid := requestID(c)
	if clientGone(c) {
		// The caller hung up (a benchmark closing its connections, a browser tab closed): whatever
		// failed failed because of that, and there is nobody to answer. Not our fault, so not an
		// error; 499 (nginx's "client closed request") keeps it out of the 5xx figures.
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "client closed request", slog.String("request_id", rid), slog.String("route", c.Path()), redact.Err(err))
		c.Response().WriteHeader(statusClientClosed)
		return
	}
	p := s.toProblem(err, c)
	p.RequestID = &rid
	inst := c.Request().URL.Path
	p.Instance = &inst
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="oneplan"`)
	}
	var fe *fault.Error
	if errors.As(err, &fe) && fe.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(fe.RetryAfter.Seconds()))))
	}
	if p.Status == http.StatusPreconditionFailed && p.CurrentEtag != nil {
		c.Response().Header().Set("ETag", *p.CurrentEtag)
	}
	if p.Status == http.StatusMovedPermanently && p.Location != nil {
		c.Response().Header().Set("Location", *p.Location)
	}
	if p.Status == http.StatusServiceUnavailable {
		s.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "service unavailable", slog.String("request_id", rid), slog.String("route", c.Path()), redact.Err(err))
	} else if p.Status >= 500 {
		// Neither the answer nor the log gets the error's text: a database's message may quote the
		// value it refused. The log gets its class (SQLSTATE, constraint; see package redact).
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed", slog.String("request_id", rid), slog.String("route", c.Path()), redact.Err(err))
	}
	if isFHIR(c) {
		detail := p.Title
		if p.Detail != nil {
			detail = *p.Detail
		}
		writeOperationOutcome(c, p.Status, detail, fhirFields(err))
		return
	}
	body, _ := json.Marshal(p)
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	_, _ = c.Response().Write(body)
}

// statusClientClosed is recorded for a request whose caller went away before it was answered.
const statusClientClosed = 499

// clientCtxKey holds the request's context as net/http gave it, before the deadline middleware
// derived its own: only that one is cancelled when the client goes away (and the derived one is
// always cancelled by the time an error is handled).
const clientCtxKey = "client_ctx"

// clientGone reports whether the client closed the request: its own context is done. A server-side
// timeout or a database outage leaves it alive, so those are still answered 500 or 503.
func clientGone(c echo.Context) bool {
	ctx, ok := c.Get(clientCtxKey).(context.Context)
	return ok && ctx.Err() != nil
}

func (s *Server) toProblem(err error, c echo.Context) api.Problem {
	var mte *mediaTypeError
	if errors.As(err, &mte) {
		return mte.problem()
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		status, ok := kindStatus[fe.Kind]
		if !ok {
			status = http.StatusInternalServerError
		}
		p := newProblem(status, fe.Detail)
		if len(fe.Fields) > 0 {
			p.Errors = toFieldErrors(fe.Fields)
		}
		if fe.CurrentStatus != "" {
			p.CurrentStatus = &fe.CurrentStatus
		}
		if fe.Kind == fault.Forbidden && fe.Permission != "" {
			p.MissingPermission = &fe.Permission
		}
		if fe.Kind == fault.PreconditionFailed && fe.CurrentVersion > 0 {
			etag := etagOf(fe.CurrentVersion)
			p.CurrentEtag = &etag
		}
		if fe.Related != nil && relatedPaths[fe.Related.Type] != "" {
			loc := relatedPaths[fe.Related.Type] + fe.Related.ID
			p.Location = &loc
		}
		return p
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if he.Internal != nil {
			if p, ok := validationProblem(he.Internal); ok {
				return p
			}
		}
		switch he.Code {
		case http.StatusNotFound:
			return newProblem(he.Code, "No such resource: check the path against the contract at /openapi.yaml.")
		case http.StatusMethodNotAllowed:
			return newProblem(he.Code, "This resource does not support the "+c.Request().Method+" method.")
		case http.StatusRequestEntityTooLarge:
			limit := s.opts.MaxBodyBytes
			if isUpload(c) {
				limit = s.app.Documents.Limits().MaxBytes
			}
			return newProblem(he.Code, fmt.Sprintf("The request body is over the limit of %d bytes.", limit))
		case http.StatusUnsupportedMediaType:
			return newProblem(he.Code, "The body's media type is not one this operation accepts.")
		}
		if he.Code >= 400 && he.Code < 500 {
			// Binding errors from the generated wrapper: the validator normally catches these first.
			return newProblem(he.Code, "The request could not be read: "+fmt.Sprint(he.Message))
		}
	}
	return newProblem(http.StatusInternalServerError, "Something went wrong on our side; quote the request id if you report it.")
}

func toFieldErrors(fs []fault.FieldError) *[]api.FieldError {
	out := make([]api.FieldError, len(fs))
	for i, f := range fs {
		out[i] = api.FieldError{Pointer: f.Pointer, Detail: f.Detail}
	}
	return &out
}

// validationProblem turns kin-openapi's request validation errors into one problem listing every
// bad field with a JSON pointer.
func validationProblem(err error) (api.Problem, bool) {
	var fields []fault.FieldError
	status := http.StatusBadRequest
	var walk func(error) bool
	// A type switch, not errors.As: a RequestError unwraps to its own nested MultiError, which
	// must be read in the RequestError's context (parameter or body).
	walk = func(err error) bool {
		switch e := err.(type) { //nolint:errorlint // deliberate: see above
		case openapi3.MultiError:
			ok := false
			for _, inner := range e {
				ok = walk(inner) || ok
			}
			return ok
		case *openapi3filter.RequestError:
			switch {
			case e.Parameter != nil:
				ptr := "/" + e.Parameter.In + "/" + e.Parameter.Name
				fields = append(fields, fault.FieldError{Pointer: ptr, Detail: paramDetail(e)})
			case e.RequestBody != nil && strings.HasPrefix(e.Reason, "header Content-Type has unexpected value"):
				status = http.StatusUnsupportedMediaType
			case e.RequestBody != nil:
				fields = append(fields, bodyFields(e)...)
			default:
				fields = append(fields, fault.FieldError{Pointer: "", Detail: e.Reason})
			}
			return true
		case *openapi3filter.SecurityRequirementsError:
			return true
		}
		if u := errors.Unwrap(err); u != nil {
			return walk(u)
		}
		return false
	}
	if !walk(err) {
		return api.Problem{}, false
	}
	if status == http.StatusUnsupportedMediaType {
		return newProblem(status, "The body's media type is not one this operation accepts (see the contract at /openapi.yaml)."), true
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Pointer < fields[j].Pointer })
	p := newProblem(status, "The request does not match the contract; see errors for each field.")
	if len(fields) > 0 {
		p.Errors = toFieldErrors(dedupe(fields))
	}
	return p, true
}

func dedupe(fs []fault.FieldError) []fault.FieldError {
	seen := map[fault.FieldError]bool{}
	out := fs[:0]
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

func paramDetail(re *openapi3filter.RequestError) string {
	var details []string
	var me openapi3.MultiError
	if errors.As(re.Err, &me) {
		for _, e := range me {
			var se *openapi3.SchemaError
			if errors.As(e, &se) {
				details = append(details, schemaDetail(se))
			}
		}
		if len(details) > 0 {
			return strings.Join(details, "; ")
		}
	}
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		return schemaDetail(se)
	}
	if re.Err != nil {
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			return "is required"
		}
		var pe *openapi3filter.ParseError
		if errors.As(re.Err, &pe) {
			return "cannot be parsed: " + pe.Reason
		}
		return firstLine(re.Err.Error())
	}
	return re.Reason
}

func bodyFields(re *openapi3filter.RequestError) []fault.FieldError {
	if re.Err == nil {
		return []fault.FieldError{{Pointer: "", Detail: re.Reason}}
	}
	var out []fault.FieldError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) { //nolint:errorlint // each level is read in its own context, as above
		case openapi3.MultiError:
			for _, inner := range e {
				walk(inner)
			}
			return
		case *openapi3.SchemaError:
			out = append(out, fault.FieldError{Pointer: schemaPointer(e), Detail: schemaDetail(e)})
			return
		case *openapi3filter.ParseError:
			out = append(out, fault.FieldError{Pointer: "", Detail: "the body is not valid JSON"})
			return
		}
		if errors.Is(err, openapi3filter.ErrInvalidRequired) {
			out = append(out, fault.FieldError{Pointer: "", Detail: "a request body is required"})
			return
		}
		if u := errors.Unwrap(err); u != nil {
			walk(u)
			return
		}
		out = append(out, fault.FieldError{Pointer: "", Detail: firstLine(err.Error())})
	}
	walk(re.Err)
	return out
}

// schemaFieldErrors converts a schema validation of a whole document (a merged patch).
func schemaFieldErrors(err error) []fault.FieldError {
	return bodyFields(&openapi3filter.RequestError{Err: err})
}

func schemaPointer(se *openapi3.SchemaError) string {
	parts := se.JSONPointer()
	// An unknown property is reported on its parent object; name the property itself. (A
	// missing required one already carries its name.)
	if unknown := unsupportedProperty(se); unknown != "" {
		parts = append(parts, unknown)
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func unsupportedProperty(se *openapi3.SchemaError) string {
	if se.SchemaField == "properties" && strings.HasSuffix(se.Reason, " is unsupported") {
		return quoted(se.Reason)
	}
	return ""
}

func quoted(s string) string {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(s[i+1:], '"')
	if j < 0 {
		return ""
	}
	return s[i+1 : i+1+j]
}

func schemaDetail(se *openapi3.SchemaError) string {
	if unsupportedProperty(se) != "" {
		return "is not a field of this resource"
	}
	switch se.SchemaField {
	case "required":
		return "is required"
	case "enum":
		if se.Schema != nil {
			vals := make([]string, 0, len(se.Schema.Enum))
			for _, v := range se.Schema.Enum {
				vals = append(vals, fmt.Sprint(v))
			}
			return "must be one of: " + strings.Join(vals, ", ")
		}
	case "nullable":
		return "may not be null"
	}
	return se.Reason
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// etagOf renders a row version as a strong entity tag.
func etagOf(version int) string { return `"` + strconv.Itoa(version) + `"` }

// parseIfMatch reads an If-Match header: nil when absent or "*", the version otherwise.
func parseIfMatch(h *string) (*int, error) {
	if h == nil || strings.TrimSpace(*h) == "*" {
		return nil, nil
	}
	v := strings.TrimPrefix(strings.TrimSpace(*h), "W/")
	v = strings.Trim(v, `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return nil, fault.Field(fault.Invalid, "/header/If-Match", `must be an ETag this API issued, such as "3"`)
	}
	return &n, nil
}
