package jwtauth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oneplan-send/oneplan/internal/auth"
)

const (
	audience    = "oneplan-api"
	subject     = "idp-user-7c1f"
	orgID       = "0b7e2a4c-5d1f-4f3a-9c2e-1a2b3c4d5e6f"
	practID     = "7f3d9a10-2b4c-4e5f-8a6b-9c0d1e2f3a4b"
	youngPerson = "c4a1e9b2-3d5f-4a6b-8c7d-0e1f2a3b4c5d"
)

// Keys are generated once: RSA generation is slow under -race.
var (
	keysOnce                  sync.Once
	rsaKey, otherRSA, nextRSA *rsa.PrivateKey
	ecKey                     *ecdsa.PrivateKey
)

func keys(t *testing.T) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		for _, k := range []**rsa.PrivateKey{&rsaKey, &otherRSA, &nextRSA} {
			if *k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
				panic(err)
			}
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid string, k *rsa.PrivateKey) map[string]string {
	return map[string]string{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
	}
}

func ecJWK(t *testing.T, kid string, k *ecdsa.PrivateKey) map[string]string {
	t.Helper()
	raw, err := k.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
		"x": b64(raw[1:33]), "y": b64(raw[33:65]),
	}
}

// idp is a fake identity provider: discovery document and JWKS.
type idp struct {
	srv           *httptest.Server
	mu            sync.Mutex
	keys          []map[string]string
	docIssuer     string // issuer named in the discovery document; the server URL unless set
	discoveryHits atomic.Int32
	jwksHits      atomic.Int32
	// failing makes the JWKS endpoint answer 500 with failingBody.
	failing atomic.Bool
}

// failingBody is what a broken JWKS endpoint answers: anything, personal data included.
const failingBody = `{"error":"upstream said: Zebedee Quartermaine 9434765919"}`

func newIDP(t *testing.T) *idp {
	t.Helper()
	keys(t)
	p := &idp{keys: []map[string]string{rsaJWK("rsa-1", rsaKey), ecJWK(t, "ec-1", ecKey)}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		p.discoveryHits.Add(1)
		p.mu.Lock()
		iss := p.docIssuer
		p.mu.Unlock()
		if iss == "" {
			iss = p.srv.URL
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": p.srv.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		p.jwksHits.Add(1)
		if p.failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(failingBody))
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": p.keys})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) setDocIssuer(iss string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docIssuer = iss
}

func (p *idp) addKey(k map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = append(p.keys, k)
}

func (p *idp) config() Config {
	return Config{Issuer: p.srv.URL, Audience: audience, HTTPClient: p.srv.Client()}
}

func newVerifier(t *testing.T, cfg Config) *Verifier {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func (p *idp) claims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss":                  p.srv.URL,
		"aud":                  []string{audience, "another-client"},
		"sub":                  subject,
		"exp":                  now.Add(5 * time.Minute).Unix(),
		"iat":                  now.Unix(),
		"nbf":                  now.Unix(),
		"oneplan_org":          orgID,
		"oneplan_role":         "practitioner",
		"oneplan_practitioner": practID,
	}
}

func sign(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return s
}

// mustFail checks err is an ErrInvalidToken that leaks neither the token nor personal claim values.
func mustFail(t *testing.T, token string, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Verify succeeded, want an error")
	}
	if !errors.Is(err, ErrInvalidToken) {
		t.Errorf("error %v does not wrap ErrInvalidToken", err)
	}
	msg := err.Error()
	for _, secret := range []string{token, subject, orgID, practID, youngPerson} {
		if secret != "" && strings.Contains(msg, secret) {
			t.Errorf("error %q leaks %q", msg, secret)
		}
	}
	if token != "" {
		for part := range strings.SplitSeq(token, ".") {
			if len(part) > 8 && strings.Contains(msg, part) {
				t.Errorf("error %q leaks part of the token", msg)
			}
		}
	}
}

func TestVerifyValid(t *testing.T) {
	p := newIDP(t)
	v := newVerifier(t, p.config())

	t.Run("RS256", func(t *testing.T) {
		id, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", p.claims()))
		if err != nil {
			t.Fatal(err)
		}
		want := Identity{Subject: subject, OrganisationID: orgID, Role: auth.RolePractitioner, PractitionerID: practID}
		if id.Subject != want.Subject || id.OrganisationID != want.OrganisationID || id.Role != want.Role ||
			id.PractitionerID != want.PractitionerID || id.YoungPersonIDs != nil {
			t.Errorf("got %+v, want %+v", id, want)
		}
	})

	t.Run("ES256 family", func(t *testing.T) {
		c := p.claims()
		c["aud"] = audience // a single string is fine too
		c["oneplan_role"] = "family"
		delete(c, "oneplan_practitioner")
		c["oneplan_young_people"] = []string{youngPerson, strings.ToUpper(orgID)}
		id, err := v.Verify(sign(t, jwt.SigningMethodES256, ecKey, "ec-1", c))
		if err != nil {
			t.Fatal(err)
		}
		if id.Role != auth.RoleFamily || id.PractitionerID != "" || id.OrganisationID != orgID {
			t.Errorf("got %+v", id)
		}
		// UUIDs come back in canonical lower-case form.
		if !slices.Equal(id.YoungPersonIDs, []string{youngPerson, orgID}) {
			t.Errorf("young people %v", id.YoungPersonIDs)
		}
		pr := id.Principal()
		if pr.Subject != subject || pr.Role != auth.RoleFamily || pr.Actor() != subject || pr.KeyID != "" ||
			!slices.Equal(pr.YoungPersonIDs, id.YoungPersonIDs) {
			t.Errorf("principal %+v", pr)
		}
	})

	t.Run("within leeway", func(t *testing.T) {
		c := p.claims()
		c["exp"] = time.Now().Add(-30 * time.Second).Unix()
		c["nbf"] = time.Now().Add(30 * time.Second).Unix()
		c["iat"] = time.Now().Add(30 * time.Second).Unix()
		if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", c)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("no kid", func(t *testing.T) {
		if _, err := v.Verify(sign(t, jwt.SigningMethodES256, ecKey, "", p.claims())); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("null optional claims", func(t *testing.T) {
		c := p.claims()
		c["oneplan_practitioner"] = nil
		c["oneplan_young_people"] = nil
		id, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", c))
		if err != nil {
			t.Fatal(err)
		}
		if id.PractitionerID != "" || id.YoungPersonIDs != nil {
			t.Errorf("got %+v", id)
		}
	})
}

func TestVerifyRejects(t *testing.T) {
	p := newIDP(t)
	v := newVerifier(t, p.config())
	rs := func(mutate func(jwt.MapClaims)) func(t *testing.T) string {
		return func(t *testing.T) string {
			c := p.claims()
			mutate(c)
			return sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", c)
		}
	}
	pubPEM := func(t *testing.T) []byte {
		der, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}

	cases := []struct {
		name  string
		token func(t *testing.T) string
		is    error // a golang-jwt error the failure should also match, if any
	}{
		{"empty", func(*testing.T) string { return "" }, nil},
		{"garbage", func(*testing.T) string { return "not.a.jwt" }, jwt.ErrTokenMalformed},
		{"too large", func(*testing.T) string { return strings.Repeat("a", maxTokenBytes+1) }, nil},
		{"expired beyond leeway", rs(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() }), jwt.ErrTokenExpired},
		{"nbf beyond leeway", rs(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(2 * time.Minute).Unix() }), jwt.ErrTokenNotValidYet},
		{"iat beyond leeway", rs(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(2 * time.Minute).Unix() }), jwt.ErrTokenUsedBeforeIssued},
		{"missing exp", rs(func(c jwt.MapClaims) { delete(c, "exp") }), jwt.ErrTokenRequiredClaimMissing},
		{"exp wrong type", rs(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }), jwt.ErrInvalidType},
		{"wrong issuer", rs(func(c jwt.MapClaims) { c["iss"] = p.srv.URL + "/other" }), jwt.ErrTokenInvalidIssuer},
		{"issuer with trailing slash", rs(func(c jwt.MapClaims) { c["iss"] = p.srv.URL + "/" }), jwt.ErrTokenInvalidIssuer},
		{"missing issuer", rs(func(c jwt.MapClaims) { delete(c, "iss") }), jwt.ErrTokenRequiredClaimMissing},
		{"wrong audience", rs(func(c jwt.MapClaims) { c["aud"] = []string{"some-other-api"} }), jwt.ErrTokenInvalidAudience},
		{"missing audience", rs(func(c jwt.MapClaims) { delete(c, "aud") }), jwt.ErrTokenRequiredClaimMissing},
		{"missing sub", rs(func(c jwt.MapClaims) { delete(c, "sub") }), nil},
		{"missing org", rs(func(c jwt.MapClaims) { delete(c, "oneplan_org") }), nil},
		{"org not a string", rs(func(c jwt.MapClaims) { c["oneplan_org"] = 42 }), nil},
		{"org not a UUID", rs(func(c jwt.MapClaims) { c["oneplan_org"] = "Hampshire County Council" }), nil},
		{"org UUID without hyphens", rs(func(c jwt.MapClaims) { c["oneplan_org"] = strings.ReplaceAll(orgID, "-", "") }), nil},
		{"missing role", rs(func(c jwt.MapClaims) { delete(c, "oneplan_role") }), nil},
		{"unknown role", rs(func(c jwt.MapClaims) { c["oneplan_role"] = "superuser" }), nil},
		{"bad practitioner", rs(func(c jwt.MapClaims) { c["oneplan_practitioner"] = "12345" }), nil},
		{"empty practitioner", rs(func(c jwt.MapClaims) { c["oneplan_practitioner"] = "" }), nil},
		{"young people not an array", rs(func(c jwt.MapClaims) { c["oneplan_young_people"] = youngPerson }), nil},
		{"young people bad UUID", rs(func(c jwt.MapClaims) { c["oneplan_young_people"] = []any{youngPerson, "Sam Smith"} }), nil},
		{"young people not strings", rs(func(c jwt.MapClaims) { c["oneplan_young_people"] = []any{1, 2} }), nil},
		{"unknown kid", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, otherRSA, "ghost", p.claims())
		}, jwt.ErrTokenUnverifiable},
		{"known kid, key not in JWKS", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, otherRSA, "rsa-1", p.claims())
		}, jwt.ErrTokenSignatureInvalid},
		{"no kid, key not in JWKS", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, otherRSA, "", p.claims())
		}, jwt.ErrTokenSignatureInvalid},
		{"alg none", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-1", p.claims())
		}, jwt.ErrTokenSignatureInvalid},
		{"HS256 with the RSA public key", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, pubPEM(t), "rsa-1", p.claims())
		}, jwt.ErrTokenSignatureInvalid},
		{"HS256 with the RSA public key, no kid", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, pubPEM(t), "", p.claims())
		}, jwt.ErrTokenSignatureInvalid},
		{"RS256 alg on the EC key", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey, "ec-1", p.claims())
		}, jwt.ErrTokenUnverifiable},
		{"disallowed algorithm ES512", func(t *testing.T) string {
			k, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			return sign(t, jwt.SigningMethodES512, k, "ec-1", p.claims())
		}, jwt.ErrTokenSignatureInvalid},
		{"tampered payload", func(t *testing.T) string {
			good := sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", p.claims())
			parts := strings.Split(good, ".")
			c := p.claims()
			c["oneplan_role"] = "send_officer"
			payload, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			return parts[0] + "." + b64(payload) + "." + parts[2]
		}, jwt.ErrTokenSignatureInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := tc.token(t)
			id, err := v.Verify(token)
			mustFail(t, token, err)
			t.Log(err)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not match %v", err, tc.is)
			}
			if id.Subject != "" || id.OrganisationID != "" || id.Role != "" {
				t.Errorf("identity %+v returned with an error", id)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	p := newIDP(t)
	v := newVerifier(t, p.config())
	before := p.jwksHits.Load()

	p.addKey(rsaJWK("rsa-2", nextRSA))
	id, err := v.Verify(sign(t, jwt.SigningMethodRS256, nextRSA, "rsa-2", p.claims()))
	if err != nil {
		t.Fatalf("token signed with the rotated-in key: %v", err)
	}
	if id.Subject != subject {
		t.Errorf("got %+v", id)
	}
	if got := p.jwksHits.Load(); got != before+1 {
		t.Errorf("JWKS fetched %d times after New, want 1", got-before)
	}
	// The new key is now cached: no further fetch.
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, nextRSA, "rsa-2", p.claims())); err != nil {
		t.Fatal(err)
	}
	if got := p.jwksHits.Load(); got != before+1 {
		t.Errorf("JWKS fetched again for a cached key")
	}
	// The old keys still work.
	if _, err := v.Verify(sign(t, jwt.SigningMethodES256, ecKey, "ec-1", p.claims())); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownKIDRefetchIsRateLimited(t *testing.T) {
	p := newIDP(t)
	v := newVerifier(t, p.config())
	before := p.jwksHits.Load()
	for range 3 {
		token := sign(t, jwt.SigningMethodRS256, otherRSA, "ghost", p.claims())
		start := time.Now()
		_, err := v.Verify(token)
		mustFail(t, token, err)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Verify of an unknown kid took %s", d)
		}
	}
	if got := p.jwksHits.Load() - before; got != 1 {
		t.Errorf("JWKS refetched %d times for unknown kids, want 1", got)
	}
}

// TestRefreshFailureLogged: a failed key refresh goes to the configured log as a warning by class,
// not to the library's default logger with the error's text.
func TestRefreshFailureLogged(t *testing.T) {
	p := newIDP(t)
	var buf bytes.Buffer
	var mu sync.Mutex
	cfg := p.config()
	cfg.Logger = slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil))
	v := newVerifier(t, cfg)
	p.failing.Store(true)
	token := sign(t, jwt.SigningMethodRS256, otherRSA, "ghost", p.claims())
	_, err := v.Verify(token)
	mustFail(t, token, err)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, `"msg":"refresh sign-in keys"`) || !strings.Contains(out, `"level":"WARN"`) || !strings.Contains(out, `"class":`) {
		t.Fatalf("no refresh failure logged: %q", out)
	}
	t.Log(out)
	for _, s := range []string{"Zebedee", "9434765919", p.srv.URL} {
		if strings.Contains(out, s) {
			t.Fatalf("the log holds %q: %s", s, out)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func TestExplicitJWKSURLSkipsDiscovery(t *testing.T) {
	p := newIDP(t)
	const issuer = "https://login.example.gov.uk/realms/council"
	v := newVerifier(t, Config{Issuer: issuer, Audience: audience, JWKSURL: p.srv.URL + "/jwks", HTTPClient: p.srv.Client()})
	if n := p.discoveryHits.Load(); n != 0 {
		t.Errorf("discovery fetched %d times", n)
	}
	c := p.claims()
	c["iss"] = issuer
	if _, err := v.Verify(sign(t, jwt.SigningMethodES256, ecKey, "ec-1", c)); err != nil {
		t.Fatal(err)
	}
	// The discovery server's issuer is not this verifier's.
	token := sign(t, jwt.SigningMethodES256, ecKey, "ec-1", p.claims())
	_, err := v.Verify(token)
	mustFail(t, token, err)
}

func TestDiscoveryUsed(t *testing.T) {
	p := newIDP(t)
	cfg := p.config()
	cfg.Issuer += "/" // a trailing slash on the issuer does not double up in the discovery URL
	p.setDocIssuer(cfg.Issuer)
	v := newVerifier(t, cfg)
	if p.discoveryHits.Load() != 1 || p.jwksHits.Load() != 1 {
		t.Errorf("discovery %d, jwks %d fetches; want 1 and 1", p.discoveryHits.Load(), p.jwksHits.Load())
	}
	c := p.claims()
	c["iss"] = cfg.Issuer
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", c)); err != nil {
		t.Fatal(err)
	}
}

func TestCustomClaimNames(t *testing.T) {
	p := newIDP(t)
	cfg := p.config()
	cfg.Claims = ClaimNames{Organisation: "org", Role: "https://oneplan.example/role"} // others default
	v := newVerifier(t, cfg)
	c := p.claims()
	c["org"], c["https://oneplan.example/role"] = c["oneplan_org"], "send_officer"
	delete(c, "oneplan_org")
	delete(c, "oneplan_role")
	id, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", c))
	if err != nil {
		t.Fatal(err)
	}
	if id.OrganisationID != orgID || id.Role != auth.RoleSENDOfficer || id.PractitionerID != practID {
		t.Errorf("got %+v", id)
	}
}

func TestNewErrors(t *testing.T) {
	p := newIDP(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	wrongIssuer := newIDP(t)
	wrongIssuer.setDocIssuer("https://someone-else.example")

	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)

	noJWKSURI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"issuer":"http://` + r.Host + `"}`))
	}))
	t.Cleanup(noJWKSURI.Close)

	notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`<html>sign in</html>`))
	}))
	t.Cleanup(notJSON.Close)

	with := func(f func(*Config)) Config {
		c := p.config()
		f(&c)
		return c
	}
	cases := []struct {
		name string
		cfg  Config
		want string // in the error message
	}{
		{"no issuer", with(func(c *Config) { c.Issuer = "" }), "issuer is required"},
		{"no audience", with(func(c *Config) { c.Audience = "" }), "audience is required"},
		{"leeway above 5m", with(func(c *Config) { c.Leeway = 5*time.Minute + time.Second }), "leeway"},
		{"negative leeway", with(func(c *Config) { c.Leeway = -time.Second }), "leeway"},
		{"unreachable issuer", Config{Issuer: closedURL, Audience: audience}, "discovery"},
		{"issuer not a URL", Config{Issuer: "council-idp", Audience: audience}, "issuer"},
		{"discovery 404", Config{Issuer: notFound.URL, Audience: audience}, "404"},
		{"discovery names another issuer", wrongIssuer.config(), "issuer"},
		{"discovery without jwks_uri", Config{Issuer: noJWKSURI.URL, Audience: audience}, "jwks_uri"},
		{"discovery not JSON", Config{Issuer: notJSON.URL, Audience: audience}, "discovery"},
		{"unreachable JWKS", with(func(c *Config) { c.JWKSURL = closedURL + "/jwks" }), "JWKS"},
		{"JWKS 404", with(func(c *Config) { c.JWKSURL = p.srv.URL + "/nope" }), "JWKS"},
		{"JWKS URL not absolute", with(func(c *Config) { c.JWKSURL = "/jwks" }), "JWKS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			v, err := New(ctx, tc.cfg)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if v != nil {
				t.Error("verifier returned with an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}

	t.Run("leeway of exactly 5m", func(t *testing.T) {
		newVerifier(t, with(func(c *Config) { c.Leeway = 5 * time.Minute }))
	})
}

func TestLeewayConfigured(t *testing.T) {
	p := newIDP(t)
	cfg := p.config()
	cfg.Leeway = 4 * time.Minute
	v := newVerifier(t, cfg)
	c := p.claims()
	c["exp"] = time.Now().Add(-3 * time.Minute).Unix()
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", c)); err != nil {
		t.Fatalf("expired 3m ago with 4m leeway: %v", err)
	}
	c["exp"] = time.Now().Add(-5 * time.Minute).Unix()
	token := sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", c)
	_, err := v.Verify(token)
	mustFail(t, token, err)
}
