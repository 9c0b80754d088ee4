package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/pkg/client"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a running server on one database, with an organisation and a key for each role.
type env struct {
	t                                               *testing.T
	srv                                             *httptest.Server
	st                                              *store.Store
	logs                                            *syncBuffer
	httpc                                           *http.Client
	council                                         string // the council's SEND service
	school                                          string // a partner school
	other                                           string // a partner with no link to anyone's records
	admin, officer, practitioner, analyst, outsider string
	schoolSENCO                                     string // a practitioner of the school
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// each runs fn against a fresh server on every database backend.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, newEnv(t, b.Open(t))) })
	}
}

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	svc := casework.New(st, casework.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true}})
	logs := &syncBuffer{}
	e, err := httpapi.New(svc, st, httpapi.Options{MaxBodyBytes: 64 << 10, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	en := &env{t: t, srv: srv, st: st, logs: logs}
	en.httpc = &http.Client{Transport: newValidatingTransport(t)}

	admin := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleAdmin})
	mk := func(name, typ, locality string) string {
		o, err := svc.CreateOrganisation(admin, directory.Organisation{Name: name, Type: typ, Locality: locality})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	en.council = mk("Council SEND", "local_authority_send", "Central")
	en.school = mk("Oakfield Primary", "school_primary", "South")
	en.other = mk("Unrelated Nursery", "pvi_nursery", "North")
	key := func(org string, role auth.Role) string {
		k, _, err := svc.IssueAPIKey(ctx, org, role, string(role), "")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	en.admin = key(en.council, auth.RoleAdmin)
	en.officer = key(en.council, auth.RoleSENDOfficer)
	en.practitioner = key(en.school, auth.RolePractitioner)
	en.analyst = key(en.council, auth.RoleAnalyst)
	en.outsider = key(en.other, auth.RolePractitioner)
	p, err := svc.CreatePractitioner(admin, directory.Practitioner{OrganisationID: en.school, Name: "Sam SENCO", Email: "senco@oakfield.example", Role: "senco", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	en.schoolSENCO = p.ID
	return en
}

// client returns the generated integrators' client acting with key.
func (e *env) client(key string) *client.ClientWithResponses {
	c, err := client.NewClientWithResponses(e.srv.URL, client.WithHTTPClient(e.httpc),
		client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			if key != "" {
				r.Header.Set("Authorization", "Bearer "+key)
			}
			return nil
		}))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// reply is a raw answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// problem asserts a problem+json answer with status and returns it.
func (r reply) problem(t *testing.T, status int) api.Problem {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	var p api.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != status || p.Title == "" || p.Type == "" || p.Detail == nil || *p.Detail == "" {
		t.Fatalf("incomplete problem: %s", r.body)
	}
	return p
}

// pointers lists the JSON pointers of a problem's field errors.
func pointers(p api.Problem) []string {
	var out []string
	if p.Errors != nil {
		for _, f := range *p.Errors {
			out = append(out, f.Pointer)
		}
	}
	return out
}

func hasPointer(p api.Problem, ptr string) bool {
	for _, got := range pointers(p) {
		if got == ptr {
			return true
		}
	}
	return false
}

// do sends a raw request. body may be a string (sent as is) or a value (sent as JSON).
func (e *env) do(method, path, key string, body any, headers ...string) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", "application/merge-patch+json")
		}
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.httpc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// validatingTransport checks every answer against openapi.yaml: its status must be declared for
// the operation, and its headers and body must match the schema. Answers to requests that match
// no operation must still be problem details.
type validatingTransport struct {
	t      *testing.T
	router routers.Router
}

func newValidatingTransport(t *testing.T) *validatingTransport {
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	spec.Servers = nil
	r, err := gorillamux.NewRouter(spec)
	if err != nil {
		t.Fatal(err)
	}
	return &validatingTransport{t: t, router: r}
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if resp.Header.Get("X-Request-Id") == "" {
		v.t.Errorf("%s %s: no X-Request-Id", req.Method, req.URL.Path)
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
			v.t.Errorf("%s %s: %d answer is not problem+json", req.Method, req.URL.Path, resp.StatusCode)
		}
		return resp, nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		v.t.Errorf("%s %s answered %d outside the contract: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return resp, nil
}
