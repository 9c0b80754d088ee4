package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/auth/jwtauth"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/secretseal"
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
	app                                             *app.App
	logs                                            *syncBuffer
	httpc                                           *http.Client
	council                                         string // the council's SEND service
	school                                          string // a partner school
	other                                           string // a partner with no link to anyone's records
	admin, officer, practitioner, analyst, outsider string
	schoolSENCO                                     string // a practitioner of the school
	health                                          string // a health trust
	lead                                            string // a practitioner of the health trust, an engagement lead
	otherWorker                                     string // a practitioner of the unrelated nursery
	leadKey, panel, revoked                         string
	idp                                             *testIssuer
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
func each(t *testing.T, fn func(t *testing.T, e *env), opts ...envOption) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, newEnv(t, b.Open(t), opts...)) })
	}
}

// selfURL as Options.ServerURL stands for the test server's own address.
const selfURL = "self"

// envOption adjusts a test server's settings.
type envOption func(*httpapi.Options, *app.Options)

func newEnv(t *testing.T, st *store.Store, tweak ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	copts := app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true}}
	var hopts []func(*httpapi.Options)
	for _, f := range tweak {
		hopts = append(hopts, func(o *httpapi.Options) { f(o, &copts) })
		f(&httpapi.Options{}, &copts)
	}
	if st.Dialect() == store.Postgres {
		// Every PostgreSQL suite keeps webhook secrets sealed, every SQLite one as given, so the
		// webhook tests' own signature checks cover both ways of storing them.
		sealer, err := secretseal.New(bytes.Repeat([]byte{0x5e}, secretseal.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		st.SealSecrets(sealer)
	}
	a := app.New(st, copts)
	startCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	logs := &syncBuffer{}
	a.Start(startCtx, slog.New(slog.NewJSONHandler(logs, nil)))
	idp := newTestIssuer(t, "https://login.council.example")
	verifier, err := jwtauth.New(ctx, jwtauth.Config{Issuer: idp.issuer, Audience: "oneplan", JWKSURL: idp.srv.URL + "/jwks", HTTPClient: idp.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	// Four places at once (the server's default is 16): the suites' concurrent requests wait their
	// turn through the admission middleware, as a busy server's do.
	opts := httpapi.Options{MaxBodyBytes: 64 << 10, Logger: slog.New(slog.NewJSONHandler(logs, nil)), RateLimit: 10000, RateBurst: 10000,
		MaxActiveRequests: 4,
		Tokens: func(token string) (auth.Principal, error) {
			id, err := verifier.Verify(token)
			return id.Principal(), err
		}}
	for _, f := range hopts {
		f(&opts)
	}
	// The test server listens before the API is built, so a test may have the served contract name
	// it (ServerURL selfURL), as `oneplan serve` does.
	srv := httptest.NewUnstartedServer(nil)
	if opts.ServerURL == selfURL {
		opts.ServerURL = "http://" + srv.Listener.Addr().String()
	}
	e, err := httpapi.New(a, opts)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	en := &env{t: t, srv: srv, st: st, app: a, logs: logs, idp: idp}
	en.httpc = &http.Client{Transport: newValidatingTransport(t)}

	admin := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleAdmin})
	mk := func(name, typ, locality string) string {
		o, err := a.Organisations.CreateOrganisation(admin, directory.Organisation{Name: name, Type: typ, Locality: locality})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	en.council = mk("Council SEND", "local_authority_send", "Central")
	en.school = mk("Oakfield Primary", "school_primary", "South")
	en.other = mk("Unrelated Nursery", "pvi_nursery", "North")
	key := func(org string, role auth.Role) string {
		k, _, err := a.Keys.IssueAPIKey(ctx, org, role, string(role), "")
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
	p, err := a.Organisations.CreatePractitioner(admin, directory.Practitioner{OrganisationID: en.school, Name: "Sam SENCO", Email: "senco@oakfield.example", Role: "senco", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	en.schoolSENCO = p.ID
	en.health = mk("Community Health NHS Trust", "health_trust", "South")
	lead, err := a.Organisations.CreatePractitioner(admin, directory.Practitioner{OrganisationID: en.health, Name: "Lee Lead", Email: "lead@health.example", Role: "health_visitor", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	en.lead = lead.ID
	other, err := a.Organisations.CreatePractitioner(admin, directory.Practitioner{OrganisationID: en.other, Name: "Olu Other", Email: "olu@nursery.example", Role: "senco", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	en.otherWorker = other.ID
	lk, _, err := a.Keys.CreateAPIKey(admin, auth.APIKey{Name: "lead", OrganisationID: en.health, Role: auth.RoleEngagementLead, PractitionerID: lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	en.leadKey = lk
	en.panel = key(en.council, auth.RolePanelMember)
	en.revoked = key(en.school, auth.RolePractitioner)
	prefix, _ := auth.ParseKey(en.revoked)
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		k, err := tx.Keys().ByPrefix(prefix)
		if err != nil {
			return err
		}
		return tx.Keys().Revoke(k.ID, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	return en
}

// testIssuer is a council identity provider: a JWKS endpoint and a signing key.
type testIssuer struct {
	issuer string
	key    *rsa.PrivateKey
	srv    *httptest.Server
}

var (
	issuerKeyOnce sync.Once
	issuerKey     *rsa.PrivateKey
)

func newTestIssuer(t *testing.T, issuer string) *testIssuer {
	issuerKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		issuerKey = k
	})
	i := &testIssuer{issuer: issuer, key: issuerKey}
	i.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		pub := i.key.PublicKey
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
	}))
	t.Cleanup(i.srv.Close)
	return i
}

// token signs a JWT for role in org; extra claims override the defaults.
func (i *testIssuer) token(t *testing.T, role auth.Role, org string, extra map[string]any) string {
	t.Helper()
	claims := jwt.MapClaims{"iss": i.issuer, "aud": "oneplan", "sub": "user-" + string(role), "exp": time.Now().Add(time.Hour).Unix(),
		"iat": time.Now().Unix(), "oneplan_org": org, "oneplan_role": string(role)}
	for k, v := range extra {
		claims[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(i.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fixture is a child with a team around them: their school (education setting, and the
// referrer), a health trust whose practitioner is the engagement lead, and consent to share.
type fixture struct {
	child, referral, involvement, consent string
	assessment, meeting, action, feedback string // set by pathway setups
	token                                 string // a survey invitation's token
}

func (e *env) fixture() fixture {
	e.t.Helper()
	in := child(8)
	in.NHSNumber, in.UPN = nil, nil
	school := uid(e.school)
	in.EducationSettingID = &school
	f := fixture{child: e.youngPerson(e.officer, in)}
	r := e.referral(e.officer, referralFor(f.child, e.schoolSENCO))
	f.referral = r.ID.String()
	c := e.do(http.MethodPost, "/v1/young-people/"+f.child+"/consents", e.officer, map[string]any{"given_by": "Parent", "relationship": "parent",
		"scope": "all_involved", "given_on": time.Now().Format("2006-01-02")})
	if c.status != http.StatusCreated {
		e.t.Fatalf("consent: %d %s", c.status, c.body)
	}
	f.consent = c.json(e.t)["id"].(string)
	i := e.do(http.MethodPost, "/v1/young-people/"+f.child+"/involvements", e.officer, map[string]any{"organisation_id": e.health,
		"practitioner_id": e.lead, "role": "engagement_lead"})
	if i.status != http.StatusCreated {
		e.t.Fatalf("involvement: %d %s", i.status, i.body)
	}
	f.involvement = i.json(e.t)["id"].(string)
	return f
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
	// The SEN2 export is a zip: read it as the opaque file the contract declares.
	openapi3filter.RegisterBodyDecoder("application/zip", openapi3filter.FileBodyDecoder)
	// So are documents' bytes.
	for _, mt := range []string{"application/pdf", "image/png", "image/jpeg", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.FileBodyDecoder)
	}
	// The /docs page and its scripts and styles are text.
	for _, mt := range []string{"text/html", "text/css", "text/javascript"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.PlainBodyDecoder)
	}
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
		if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" && !strings.HasPrefix(req.URL.Path, "/fhir/") {
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
